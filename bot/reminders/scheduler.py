"""Sending reminders that are due, free of Telegram: one tick a minute, a queue, a few paced workers.

Why one tick rather than one job per chat
-----------------------------------------
The database is the only schedule. Every minute (PTB ``run_repeating``, first run on the next
minute boundary, plus one run straight after start) :meth:`ReminderScheduler.tick` loads the
active subscriptions and queues those due *now* by :func:`bot.reminders.rules.is_due`. Compared with
one JobQueue job per chat this

* survives restarts with nothing to rebuild: a fresh process just ticks, and whatever fell due
  while it was down (still the same local day) is due at the first tick;
* cannot drift from the database (no job to forget to replace when a user changes their time,
  no duplicate jobs), and DST needs no rescheduling because "due" is recomputed from local time;
* lets many reminders due in the same minute go out through one queue at a steady pace, instead
  of thousands of jobs firing at once. 5,000 rows are read and checked in tens of milliseconds.

Job settings (see :mod:`bot.telegram.reminders`): ``coalesce=True`` because a tick that was held
up (a suspended laptop, a long GC) must run once, not once per missed minute; and
``misfire_grace_time=None`` because a late tick is always still useful (APScheduler's default of
one second would silently skip it). A tick only queues work, so it is always short.

Delivery
--------
``workers`` tasks take chat ids from the queue. With ``rate`` set, a :class:`Pacer` spaces sends
at ``rate`` per second, by when they are *requested*; the bot passes ``rate=None`` when its own
rate limiter is on, which paces every send by when it is *made* (a sliding window of actual sends,
:mod:`bot.telegram.limits`) and retries a 429 for that chat only: a pacer by request lets sends
bunch up when the loop falls behind, a window then overflows and Telegram answers 429. Each worker
re-reads the row and re-checks that it is still due (the user may have stopped it since the tick),
sends, and **right after a successful send records the local date as last sent** (its own commit).
Outcomes: blocked (403) deactivates the subscription; a transient failure (5xx, timeout, a 429
the limiter gave up on) is retried after ``retry_delays`` seconds, then left for later ticks with
a growing back-off, so one failing chat holds a worker for seconds and never holds the others.

What a crash does
-----------------
Nothing is lost: a reminder counts as sent only once its date is committed, so after a crash
every unsent one is still due and goes out at the next start if it is the same local day. The
only possible repeat is a message Telegram accepted whose date was not committed yet: at most
the ``workers`` sends in flight at the moment of the kill (at Telegram's pace with ~50 ms
round trips, one or two). A graceful stop waits for in-flight sends, so it repeats none. A send
that timed out after Telegram received it can also arrive twice (it is retried); Telegram gives
no way to tell.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import enum
import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.logging_setup import describe_exception
from bot.reminders.parsing import known_zone
from bot.reminders.rules import LOCAL_CHAT_ID, Subscription, after_sent, blocked, is_due
from bot.reminders.store import ReminderStore, StoreUnavailable

log = logging.getLogger(__name__)

Clock = Callable[[], dtm.datetime]
Sleep = Callable[[float], Awaitable[None]]


class Delivery(enum.Enum):
    """What happened to one send, as the Telegram adapter classifies it."""

    SENT = "sent"
    BLOCKED = "blocked"  # 403 or the chat is gone: stop sending
    TRANSIENT = "transient"  # 5xx, timeout, flood control: try again later


@dataclass(frozen=True)
class Attempt:
    """The result of one send, with Telegram's ``retry_after`` (seconds) when it gave one."""

    delivery: Delivery
    retry_after: float | None = None


#: Sends one reminder for ``sub`` as of ``now``; returns what happened (never raises for Telegram errors).
Send = Callable[[Subscription, dtm.datetime], Awaitable[Attempt]]


async def _no_notice(sub: Subscription, now: dtm.datetime) -> Attempt:
    return Attempt(Delivery.SENT)


def not_local(chat_id: int) -> bool:
    """The Telegram bot's chats: every row but the terminal chat's (which it cannot send to)."""
    return chat_id != LOCAL_CHAT_ID


def utc_now() -> dtm.datetime:
    """The real clock (the only place the scheduler reads the time of day)."""
    return dtm.datetime.now(dtm.UTC)


def _sent_at(now: dtm.datetime, sub: Subscription) -> Subscription:
    return after_sent(sub, now)


class Pacer:
    """Spaces calls ``1 / rate`` seconds apart, however many callers wait at once."""

    def __init__(self, rate: float, sleep: Sleep = asyncio.sleep) -> None:
        self.interval = 1.0 / rate
        self._sleep = sleep
        self._next = 0.0

    async def wait(self) -> None:
        """Return when the caller's slot comes up (slots are handed out in call order)."""
        now = asyncio.get_running_loop().time()
        slot = max(now, self._next)
        self._next = slot + self.interval  # reserved before sleeping, so concurrent callers queue up
        if slot > now:
            await self._sleep(slot - now)


class ReminderScheduler:
    """Finds due reminders (:meth:`tick`) and delivers them (worker tasks); see the module docstring.

    ``sleep`` is used for the retry delays only (tests pass a fake); pacing always uses real time.
    """

    def __init__(
        self,
        store: ReminderStore,
        send: Send,
        clock: Clock = utc_now,
        *,
        workers: int = 8,
        rate: float | None = 28.0,
        retry_delays: tuple[float, ...] = (1.0, 4.0),
        backoff_minutes: tuple[int, ...] = (1, 2, 5, 15, 30),
        sleep: Sleep = asyncio.sleep,
        notice: Send = _no_notice,
        owns: Callable[[int], bool] = not_local,
    ) -> None:
        self.store = store
        #: Which chats' rows this scheduler delivers (the bot and the terminal share one file).
        self._owns = owns
        #: Tells the owner of a row whose stored zone this host cannot use (once per process).
        self._notice = notice
        self._zone_told: set[int] = set()
        self._zone_logged: set[int] = set()
        self.clock = clock
        self._send = send
        self._workers = workers
        # Real time: pacing is about Telegram's clock, not the schedule's. None: the sender paces.
        self._pacer = Pacer(rate) if rate is not None else None
        self._retry_delays = retry_delays
        self._backoff = backoff_minutes
        self._sleep = sleep
        self._queue: asyncio.Queue[int] = asyncio.Queue()
        self._queued: set[int] = set()  # queued or being sent: a later tick must not queue them again
        self._failures: dict[int, int] = {}
        self._retry_at: dict[int, dtm.datetime] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        #: Counters for logs and benchmarks.
        self.sent = 0
        self.deactivated = 0
        self.deferred = 0

    async def start(self) -> None:
        """Start the worker tasks (in the running event loop)."""
        self._stopping = False
        self._tasks = [
            asyncio.create_task(self._worker(), name=f"reminder-worker-{n}") for n in range(self._workers)
        ]

    async def stop(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109 - a grace period, then cancel
        """Stop taking work, let in-flight sends finish (up to ``timeout`` s), then cancel the workers.

        Reminders still queued are not lost: they are not marked sent, so the next start sends them.
        """
        self._stopping = True
        for _ in self._tasks:
            self._queue.put_nowait(0)  # wake idle workers so they see _stopping
        if self._tasks:
            _, pending = await asyncio.wait(self._tasks, timeout=timeout)
            for task in pending:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*pending, return_exceptions=True)
        self._tasks = []

    async def tick(self, now: dtm.datetime | None = None) -> int:
        """Queue every subscription due at ``now`` (default: the clock); returns how many were queued."""
        if self._stopping:
            return 0
        now = now or self.clock()
        try:
            subscriptions = await self.store.active()
        except StoreUnavailable:
            return 0  # shutting down
        queued = 0
        for sub in subscriptions:
            chat_id = sub.chat_id
            if chat_id in self._queued or not self._owns(chat_id):
                continue
            retry_at = self._retry_at.get(chat_id)
            if retry_at is not None and retry_at > now:
                continue
            try:
                wanted = self._wants_notice(sub) or is_due(sub, now)
            except Exception as exc:  # one bad row must never stop everyone else's reminders
                log.warning("reminders: chat %s skipped: %s", chat_id, type(exc).__name__)
                continue
            if wanted:
                self._queued.add(chat_id)
                self._queue.put_nowait(chat_id)
                queued += 1
        if queued:
            log.info("reminders: %d due", queued)
        return queued

    def _wants_notice(self, sub: Subscription) -> bool:
        """True once for a row whose zone this host cannot load (logged here, once, without the zone)."""
        if sub.zone is None or known_zone(sub.zone):
            self._zone_told.discard(sub.chat_id)
            self._zone_logged.discard(sub.chat_id)
            return False
        if sub.chat_id not in self._zone_logged:
            self._zone_logged.add(sub.chat_id)
            log.warning("reminders for chat %s skipped: its saved time zone is unknown here", sub.chat_id)
        return sub.chat_id not in self._zone_told

    async def drain(self) -> None:
        """Wait until everything queued so far has been handled (tests and benchmarks)."""
        await self._queue.join()

    async def _worker(self) -> None:
        while True:
            chat_id = await self._queue.get()
            try:
                if self._stopping:
                    return
                await self._deliver(chat_id)
            except StoreUnavailable:
                return  # the store closed under us: shutting down
            except Exception as exc:  # no traceback message: it may quote a stored zone (issue 21 #20)
                log.error("reminder for chat %s failed unexpectedly\n%s", chat_id, describe_exception(exc))
                self._defer(chat_id, self.clock())
            finally:
                self._queued.discard(chat_id)
                self._queue.task_done()

    async def _deliver(self, chat_id: int) -> None:
        for attempt_number in range(len(self._retry_delays) + 1):
            now = self.clock()
            sub = await self.store.get(chat_id)
            if sub is not None and sub.active and sub.zone is not None and not known_zone(sub.zone):
                await self._tell_zone_unknown(sub, now)
                return
            if sub is None or not is_due(sub, now):
                self._forget_failures(chat_id)
                return  # stopped, changed or already sent since the tick
            if self._pacer is not None:
                await self._pacer.wait()
            attempt = await self._send(sub, now)
            if attempt.delivery is Delivery.SENT:
                # Recorded right away, in its own commit: this is what prevents a second one today.
                await self.store.update(chat_id, functools.partial(_sent_at, now))
                self._forget_failures(chat_id)
                self.sent += 1
                return
            if attempt.delivery is Delivery.BLOCKED:
                await self.store.update(chat_id, blocked)
                self._forget_failures(chat_id)
                self.deactivated += 1
                log.info("reminders for chat %s stopped: the bot cannot write to it", chat_id)
                return
            if attempt_number < len(self._retry_delays) and not self._stopping:
                await self._sleep(max(self._retry_delays[attempt_number], attempt.retry_after or 0.0))
        self._defer(chat_id, self.clock())

    async def _tell_zone_unknown(self, sub: Subscription, now: dtm.datetime) -> None:
        if sub.chat_id in self._zone_told:
            return
        if self._pacer is not None:
            await self._pacer.wait()
        attempt = await self._notice(sub, now)
        if attempt.delivery is Delivery.BLOCKED:
            await self.store.update(sub.chat_id, blocked)
            self.deactivated += 1
        if attempt.delivery is not Delivery.TRANSIENT:
            self._zone_told.add(sub.chat_id)  # a transient failure is tried again at the next tick

    def _defer(self, chat_id: int, now: dtm.datetime) -> None:
        """Leave a failing chat to a later tick, backing off further each time."""
        failures = self._failures.get(chat_id, 0)
        minutes = self._backoff[min(failures, len(self._backoff) - 1)]
        self._failures[chat_id] = failures + 1
        self._retry_at[chat_id] = now + dtm.timedelta(minutes=minutes)
        self.deferred += 1
        log.warning("reminder for chat %s failed; trying again in %d min", chat_id, minutes)

    def _forget_failures(self, chat_id: int) -> None:
        self._failures.pop(chat_id, None)
        self._retry_at.pop(chat_id, None)
