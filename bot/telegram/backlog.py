"""Backpressure for incoming updates: hold a bounded number, leave the rest waiting at Telegram.

python-telegram-bot's fetcher takes every update from its queue straight away and makes a task of
it; the concurrency limit applies only inside the task. So under a flood (a clinic shares the bot
link, 3,000 messages arrive at once) the bot would hold every update in memory at once (~5 KB
each: 3,000 added 18 MB in ``bench/telegram.py``), and a SIGTERM would first work through all of
them. Telegram keeps unconfirmed updates for 24 hours, so the better place for a backlog is there.

:class:`BoundedUpdateQueue` makes ``get`` wait while ``limit`` updates taken earlier are still
being processed. The application marks each one finished with ``task_done`` (it always does, in a
``finally``), and the queue's own ``maxsize`` then makes the poller wait before fetching more.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)


class BoundedUpdateQueue(asyncio.Queue[object]):
    """An update queue whose consumer may hold at most ``limit`` unfinished updates."""

    def __init__(self, limit: int, maxsize: int) -> None:
        super().__init__(maxsize=maxsize)
        if limit < 1:
            raise ValueError("limit must be at least 1")
        # Not a BoundedSemaphore: at shutdown the application calls task_done for updates it drops
        # without a get, and that must not raise.
        self._in_flight = asyncio.Semaphore(limit)

    async def get(self) -> object:
        """The next update, once fewer than ``limit`` earlier ones are unfinished."""
        await self._in_flight.acquire()
        try:
            return await super().get()
        except BaseException:
            self._in_flight.release()
            raise

    def task_done(self) -> None:
        """One update taken with ``get`` is finished: let the consumer take another."""
        super().task_done()
        self._in_flight.release()


class ChatFairProcessor(BaseUpdateProcessor):
    """Handles updates so that one chat cannot take the bot from the others (issue 21 #1).

    * One chat's updates are handled one at a time, in order: a chat waiting for its turn (or for
      Telegram's one message a second to that chat) holds no handler slot, so the other chats keep
      all ``concurrent`` slots.
    * A chat may have ``per_chat`` updates held at once. Updates beyond that (a flood: dozens in a
      second) are not read; once the held ones are answered the chat gets one message saying how
      many were not read and asking to send them again one at a time. Nothing is dropped silently,
      memory stays bounded, and a SIGTERM waits for at most ``per_chat`` answers to that chat.

    PTB's own semaphore (``max_concurrent_updates``) is set to the number of updates held in all,
    so it never binds; the handler slots are this class's own.
    """

    def __init__(self, concurrent: int, per_chat: int, held: int) -> None:
        super().__init__(max_concurrent_updates=held)
        if per_chat < 1 or concurrent < 1:
            raise ValueError("concurrent and per_chat must be at least 1")
        self._slots = asyncio.Semaphore(concurrent)
        self._per_chat = per_chat
        self._chats: dict[int, _Chat] = {}
        #: Called with (chat id, how many updates were not read) once a flooded chat is caught up.
        self.on_skipped: Callable[[int, int], Awaitable[object]] | None = None
        #: Updates not read because their chat had too many held (benchmarks and tests read it).
        self.skipped = 0

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close: every update's task ends by itself."""

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run ``coroutine`` in its chat's turn and a free slot, or skip it in a flood."""
        chat_id = _chat_of(update)
        if chat_id is None:
            async with self._slots:
                await coroutine
            return
        chat = self._chats.setdefault(chat_id, _Chat())
        if chat.held >= self._per_chat:
            _close(coroutine)
            chat.skipped += 1
            self.skipped += 1
            return
        chat.held += 1
        try:
            async with chat.turn, self._slots:
                await coroutine
        finally:
            chat.held -= 1
            if chat.held == 0:
                del self._chats[chat_id]
                if chat.skipped:
                    await self._tell_skipped(chat_id, chat.skipped)

    async def _tell_skipped(self, chat_id: int, count: int) -> None:
        log.info("chat %s sent too many messages at once: %d not read", chat_id, count)
        if self.on_skipped is None:
            return
        try:
            await self.on_skipped(chat_id, count)
        except Exception as exc:  # e.g. the chat blocked the bot meanwhile; nothing else to do
            log.warning("could not tell chat %s about unread messages: %s", chat_id, type(exc).__name__)


class _Chat:
    __slots__ = ("held", "skipped", "turn")

    def __init__(self) -> None:
        self.turn = asyncio.Lock()  # FIFO, so a chat's updates are answered in the order sent
        self.held = 0
        self.skipped = 0


def _chat_of(update: object) -> int | None:
    chat = getattr(update, "effective_chat", None)
    chat_id = getattr(chat, "id", None)
    return chat_id if isinstance(chat_id, int) else None


def _close(coroutine: Awaitable[Any]) -> None:
    """Close a coroutine that will never run (no "never awaited" warning)."""
    close = getattr(coroutine, "close", None)
    if callable(close):
        close()
