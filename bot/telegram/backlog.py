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
