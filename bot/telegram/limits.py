"""How much the bot does at once, and the outgoing rate limiter that keeps it within Telegram's limits.

The constants have no imports beyond the library, so the benchmark's echo bot can use the same HTTP
settings without loading the bot.

Why not PTB's ``AIORateLimiter``: it cannot be configured to do what Telegram asks. It has no
limit per private chat (Telegram: about one message a second), it spaces sends by when they are
*requested* (a bucket that lets a late loop bunch them into one window), and any 429 pauses every
send of every chat for ``retry_after``. One user flooding the bot then stalled everyone (issue 21
#1), and reminder fan-out lost a fifth of its speed to 429 pauses (issue 23 #5).
:class:`SendLimiter` instead counts sends by when they were actually *made*: a send holds its
place in a sliding window from the moment it leaves until one window after its answer came back,
so however late the event loop runs, no window at Telegram can hold more than the cap. A 429 pauses
only the chat it was for.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

#: How often a send that Telegram answered with 429 (flood control) is retried after retry_after.
RATE_LIMIT_RETRIES = 3
#: Successful sends Telegram allows in any one second, over all chats.
SENDS_PER_SECOND = 30
#: Sends to one private chat a second (Telegram: "avoid more than one message a second").
SENDS_PER_PRIVATE_CHAT = 1
#: Sends to one group a minute (Telegram: "no more than 20 messages a minute").
SENDS_PER_GROUP_MINUTE = 20
#: A 429 asking for a longer wait than this is not waited for: the send fails at once, so that
#: a stuck chat cannot hold a handler (or a SIGTERM) for minutes.
MAX_RETRY_AFTER = 10.0
#: Updates handled at once. Matching is CPU work under the GIL, so more only adds waiting tasks;
#: 16 keep 28 sends a second flowing even at a 300 ms round trip to Telegram.
CONCURRENT_UPDATES = 16
#: Updates held in memory at most (being handled or waiting for one of the CONCURRENT_UPDATES
#: slots); more wait at Telegram (see bot.telegram.backlog). Four times the concurrency keeps
#: every slot busy.
MAX_HELD_UPDATES = 64
#: Updates of one chat held at once (one being answered, the rest waiting their turn). A person
#: typing fast stays under it; more than this at once is a flood, and the rest are not read: the
#: chat is told how many and asked to send again (bot.telegram.backlog).
MAX_HELD_PER_CHAT = 4
#: Updates the poller may queue before it stops fetching: one getUpdates answer holds up to 100.
UPDATE_QUEUE_SIZE = 100
#: HTTP connections for sends (``bot/telegram/transport.py``). 8 connections carry ~80 sends a
#: second even at a 100 ms round trip, well over Telegram's 30.
CONNECTION_POOL_SIZE = 8
#: Seconds a send may wait for a free connection before failing (PTB's default is 1).
POOL_TIMEOUT = 30.0
#: Worker threads for matching and FAQ loads (see ``post_init``).
WORKER_THREADS = 2

#: Bot API methods that put a message in a chat; only these count against Telegram's limits
#: (answerCallbackQuery, sendChatAction, getFile... do not).
_MESSAGE_METHODS = frozenset(
    {
        "sendMessage",
        "sendDocument",
        "sendPhoto",
        "sendAudio",
        "sendVideo",
        "sendVoice",
        "sendAnimation",
        "sendSticker",
        "sendLocation",
        "sendContact",
        "sendPoll",
        "sendMediaGroup",
        "copyMessage",
        "forwardMessage",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
        "editMessageMedia",
    }
)


class SlidingWindow:
    """At most ``limit`` uses in any ``period`` seconds, counted from when each use ended.

    A use holds its place while in flight and for ``period`` seconds after :meth:`release`; a use
    that did not count (:meth:`release` with ``counted=False``, e.g. Telegram refused it with 429)
    gives its place back at once. Waiters are served first come, first served.
    """

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self._ends: deque[float] = deque()  # when each finished use leaves the window, in order
        self._in_flight = 0
        self._turn = asyncio.Lock()  # FIFO: the first waiter waits for room, the others for it
        self._changed = asyncio.Event()
        self.not_before = 0.0  # a 429's retry_after: no use before this loop time

    def _expire(self, now: float) -> None:
        while self._ends and self._ends[0] <= now:
            self._ends.popleft()

    @property
    def idle(self) -> bool:
        """Nothing in flight, nobody waiting and nothing left in the window: safe to forget."""
        now = asyncio.get_running_loop().time()
        self._expire(now)
        return not self._ends and not self._in_flight and not self._turn.locked() and now >= self.not_before

    async def acquire(self) -> None:
        """Wait for room, then take a place (in flight until :meth:`release`)."""
        loop = asyncio.get_running_loop()
        async with self._turn:
            while True:
                now = loop.time()
                self._expire(now)
                if now < self.not_before:
                    await asyncio.sleep(self.not_before - now)
                    continue
                if self._in_flight + len(self._ends) < self.limit:
                    self._in_flight += 1
                    return
                wait = self._ends[0] - now if self._ends else None
                self._changed.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), wait)

    def release(self, *, counted: bool = True) -> None:
        """The use finished; it stays in the window for ``period`` seconds if it ``counted``."""
        self._in_flight -= 1
        if counted:
            self._ends.append(asyncio.get_running_loop().time() + self.period)
        self._changed.set()


class SendLimiter(BaseRateLimiter[int]):
    """Telegram's limits for every message the bot sends: overall, per private chat, per group.

    A send first waits for its chat's turn, then for room overall, so a chat that is sent to fast
    (a flood of questions, many parts of one answer) waits alone and never holds up other chats.
    A 429 makes only that chat wait ``retry_after``, then the send is retried (at most
    ``max_retries`` times, and never for a wait over :data:`MAX_RETRY_AFTER`).
    """

    def __init__(
        self,
        overall: int = SENDS_PER_SECOND,
        per_private_chat: int = SENDS_PER_PRIVATE_CHAT,
        per_group_minute: int = SENDS_PER_GROUP_MINUTE,
        max_retries: int = RATE_LIMIT_RETRIES,
        max_retry_after: float = MAX_RETRY_AFTER,
    ) -> None:
        self._overall_limit = overall
        self._private = per_private_chat
        self._group = per_group_minute
        self._max_retries = max_retries
        self._max_retry_after = max_retry_after
        self._overall: SlidingWindow | None = None
        self._chats: dict[int | str, SlidingWindow] = {}
        #: 429 answers received (benchmarks and tests read it).
        self.flood_answers = 0

    async def initialize(self) -> None:
        """Nothing to open: the windows are made in the running loop on first use."""

    async def shutdown(self) -> None:
        """Forget every window."""
        self._chats.clear()
        self._overall = None

    def _chat_window(self, chat_id: int | str) -> SlidingWindow:
        window = self._chats.get(chat_id)
        if window is None:
            if len(self._chats) > 1000:  # forget chats with nothing pending (bounded memory)
                for key in [k for k, w in self._chats.items() if w.idle]:
                    del self._chats[key]
            group = isinstance(chat_id, str) or chat_id < 0  # groups, channels and "@username"
            window = SlidingWindow(self._group, 60.0) if group else SlidingWindow(self._private, 1.0)
            self._chats[chat_id] = window
        return window

    @contextlib.asynccontextmanager
    async def _place(self, window: SlidingWindow) -> AsyncIterator[list[bool]]:
        await window.acquire()
        counted = [True]
        try:
            yield counted
        finally:
            window.release(counted=counted[0])

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Send when the limits allow; retry a 429 after its retry_after, for that chat only."""
        if endpoint not in _MESSAGE_METHODS:
            return await callback(*args, **kwargs)
        if self._overall is None:
            self._overall = SlidingWindow(self._overall_limit, 1.0)
        overall = self._overall
        chat_id: int | str = data.get("chat_id", "")
        with contextlib.suppress(TypeError, ValueError):
            chat_id = int(chat_id)
        retries = self._max_retries if rate_limit_args is None else rate_limit_args
        for attempt in range(retries + 1):
            chat = self._chat_window(chat_id)
            async with self._place(chat) as chat_counted, self._place(overall) as overall_counted:
                try:
                    return await callback(*args, **kwargs)
                except RetryAfter as exc:
                    self.flood_answers += 1
                    # Telegram did not count a refused send; only this chat waits.
                    chat_counted[0] = overall_counted[0] = False
                    wait = _seconds(exc.retry_after)
                    loop = asyncio.get_running_loop()
                    chat.not_before = max(chat.not_before, loop.time() + wait)
                    if attempt == retries or wait > self._max_retry_after:
                        raise
                    log.info("flood control: a send waits %.0f s for its chat (retry %d)", wait, attempt + 1)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def _seconds(value: int | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)
