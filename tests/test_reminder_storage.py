"""The SQLite store and the delivery loop, with an injected clock and a fake ``send``."""

from __future__ import annotations

import asyncio
import datetime as dtm
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.reminders import rules as r
from bot.reminders.rules import Subscription
from bot.reminders.scheduler import Attempt, Delivery, ReminderScheduler
from bot.storage.schema import SCHEMA_VERSION, StoreError
from bot.storage.store import Store

LONDON = "Europe/London"


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: str) -> None:
        self.now = dtm.datetime.fromisoformat(now).replace(tzinfo=dtm.UTC)

    def __call__(self) -> dtm.datetime:
        return self.now

    def set(self, now: str) -> None:
        self.now = dtm.datetime.fromisoformat(now).replace(tzinfo=dtm.UTC)


class FakeSend:
    """Records every send; ``outcomes[chat]`` (a list, consumed in order) overrides success."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, dtm.datetime]] = []
        self.outcomes: dict[int, list[Attempt]] = {}
        self.calls = 0

    async def __call__(self, sub: Subscription, now: dtm.datetime) -> Attempt:
        self.calls += 1
        planned = self.outcomes.get(sub.chat_id)
        if planned:
            return planned.pop(0)
        self.sent.append((sub.chat_id, now))
        return Attempt(Delivery.SENT)


async def no_sleep(_: float) -> None:
    await asyncio.sleep(0)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock("2026-06-02T06:00")  # 07:00 BST


@pytest.fixture
async def store(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Store]:
    opened = await Store.open(tmp_path / "db" / "azabot.sqlite3", clock)
    yield opened
    await opened.close()


async def scheduler_for(
    store: Store, send: FakeSend, clock: FakeClock, **kwargs: object
) -> ReminderScheduler:
    scheduler = ReminderScheduler(store, send, clock, rate=1000.0, sleep=no_sleep, **kwargs)  # type: ignore[arg-type]
    await scheduler.start()
    return scheduler


async def subscribe(store: Store, clock: FakeClock, chat_id: int, at: str = "08:00") -> Subscription:
    _, after = await store.update(
        chat_id, lambda s: r.subscribe(s, dtm.time.fromisoformat(at), None, LONDON, clock())
    )
    return after


async def run_tick(scheduler: ReminderScheduler) -> int:
    queued = await scheduler.tick()
    await scheduler.drain()
    return queued


# -- the store ---------------------------------------------------------------------------------


async def test_store_creates_the_file_and_parent_folders_in_wal_mode(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "db" / "azabot.sqlite3"
    assert path.is_file()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


async def test_store_round_trips_every_field(store: Store, clock: FakeClock) -> None:
    sub = Subscription(
        chat_id=-100123,
        remind_at=dtm.time(20, 30),
        zone="+05:30",
        mode=r.PHASES,
        next_test=dtm.date(2026, 7, 1),
        last_sent=dtm.date(2026, 6, 1),
        phase_start=dtm.date(2026, 5, 1),
        tests_done=4,
        last_test=dtm.date(2026, 5, 28),
        snoozed_until=clock() + dtm.timedelta(hours=1),
        state="active",
    )
    await store.update(sub.chat_id, lambda _: sub)
    assert await store.get(sub.chat_id) == sub


async def test_store_keeps_created_and_updated_times(tmp_path: Path, store: Store, clock: FakeClock) -> None:
    await subscribe(store, clock, 1)
    clock.set("2026-06-03T06:00")
    await store.update(1, r.stop)
    with sqlite3.connect(tmp_path / "db" / "azabot.sqlite3") as db:
        row = db.execute("SELECT created_at, updated_at FROM subscriptions").fetchone()
    assert row == ("2026-06-02T06:00:00+00:00", "2026-06-03T06:00:00+00:00")


async def test_forget_chat_deletes_every_row_about_the_chat(store: Store, clock: FakeClock) -> None:
    await subscribe(store, clock, 1)
    await subscribe(store, clock, 2)
    assert await store.forget_chat(1) == 1
    assert await store.get(1) is None
    assert await store.get(2) is not None


async def test_reopening_an_existing_database_keeps_the_data(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "azabot.sqlite3"
    first = await Store.open(path, clock)
    await subscribe(first, clock, 7)
    await first.close()
    second = await Store.open(path, clock)
    try:
        assert (await second.get(7)) is not None
    finally:
        await second.close()


async def test_a_database_from_a_newer_bot_is_refused(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "azabot.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer"):
        await Store.open(path, clock)


# -- the scheduler -----------------------------------------------------------------------------


async def test_a_due_reminder_is_sent_and_recorded(store: Store, clock: FakeClock) -> None:
    send = FakeSend()
    scheduler = await scheduler_for(store, send, clock)
    await subscribe(store, clock, 1)
    clock.set("2026-06-02T07:00")  # 08:00 BST
    assert await run_tick(scheduler) == 1
    sub = await store.get(1)
    assert sub is not None and sub.last_sent == dtm.date(2026, 6, 2)
    assert send.sent == [(1, clock())]
    await scheduler.stop()


async def test_catch_up_after_downtime_sends_once_at_start(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "azabot.sqlite3"
    store = await Store.open(path, clock)
    await subscribe(store, clock, 1)
    await store.close()  # the bot goes down at 07:00 BST, before the 08:00 reminder
    clock.set("2026-06-02T10:00")  # and comes back at 11:00 BST
    store = await Store.open(path, clock)
    send = FakeSend()
    scheduler = await scheduler_for(store, send, clock)
    assert await run_tick(scheduler) == 1
    assert await run_tick(scheduler) == 0
    assert [chat for chat, _ in send.sent] == [1]
    await scheduler.stop()
    await store.close()


async def test_no_duplicates_across_a_restart(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "azabot.sqlite3"
    setup = await Store.open(path, clock)
    for chat in (1, 2, 3):
        await subscribe(setup, clock, chat)
    await setup.close()
    sends = []
    clock.set("2026-06-02T07:00")
    for _ in range(2):  # two processes in turn on the same file, both ticking at 08:00 BST
        store = await Store.open(path, clock)
        send = FakeSend()
        scheduler = await scheduler_for(store, send, clock)
        await run_tick(scheduler)
        await scheduler.stop()
        await store.close()
        sends.append(sorted(chat for chat, _ in send.sent))
    assert sends == [[1, 2, 3], []]


async def test_two_ticks_in_the_same_minute_send_once(store: Store, clock: FakeClock) -> None:
    send = FakeSend()
    scheduler = await scheduler_for(store, send, clock)
    await subscribe(store, clock, 1)
    clock.set("2026-06-02T07:00")
    await asyncio.gather(scheduler.tick(), scheduler.tick())
    await scheduler.drain()
    assert len(send.sent) == 1
    await scheduler.stop()


async def test_blocked_chat_is_deactivated(store: Store, clock: FakeClock) -> None:
    send = FakeSend()
    send.outcomes[1] = [Attempt(Delivery.BLOCKED)]
    scheduler = await scheduler_for(store, send, clock)
    await subscribe(store, clock, 1)
    clock.set("2026-06-02T07:00")
    await run_tick(scheduler)
    sub = await store.get(1)
    assert sub is not None and sub.state == "blocked" and not sub.active
    clock.set("2026-06-03T07:00")
    assert await run_tick(scheduler) == 0
    assert scheduler.deactivated == 1
    await scheduler.stop()


async def test_a_transient_failure_is_retried_with_backoff(store: Store, clock: FakeClock) -> None:
    send = FakeSend()
    send.outcomes[1] = [Attempt(Delivery.TRANSIENT), Attempt(Delivery.TRANSIENT, retry_after=2)]
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    scheduler = ReminderScheduler(store, send, clock, rate=1000.0, sleep=sleep, retry_delays=(1.0, 1.0))
    await scheduler.start()
    await subscribe(store, clock, 1)
    clock.set("2026-06-02T07:00")
    await run_tick(scheduler)
    assert sleeps == [1.0, 2.0]  # the second wait honours retry_after
    assert len(send.sent) == 1
    await scheduler.stop()


async def test_a_chat_that_keeps_failing_is_left_to_later_ticks(store: Store, clock: FakeClock) -> None:
    send = FakeSend()
    send.outcomes[1] = [Attempt(Delivery.TRANSIENT)] * 10
    scheduler = await scheduler_for(store, send, clock, retry_delays=(1.0,))
    await subscribe(store, clock, 1)
    clock.set("2026-06-02T07:00")
    await run_tick(scheduler)
    assert send.calls == 2 and scheduler.deferred == 1
    clock.set("2026-06-02T07:00:30")
    assert await run_tick(scheduler) == 0  # backing off: not before a minute has passed
    clock.set("2026-06-02T07:01")
    assert await run_tick(scheduler) == 1
    await scheduler.stop()


async def test_one_failing_chat_does_not_hold_up_the_others(store: Store, clock: FakeClock) -> None:
    send = FakeSend()
    send.outcomes[1] = [Attempt(Delivery.TRANSIENT)] * 3
    release = asyncio.Event()

    async def slow_sleep(_: float) -> None:
        await release.wait()  # chat 1's retry waits until the others are done

    scheduler = ReminderScheduler(store, send, clock, rate=1000.0, sleep=slow_sleep, workers=2)
    await scheduler.start()
    for chat in range(1, 6):
        await subscribe(store, clock, chat)
    clock.set("2026-06-02T07:00")
    await scheduler.tick()
    for _ in range(100):
        if len(send.sent) == 4:
            break
        await asyncio.sleep(0.01)
    assert sorted(chat for chat, _ in send.sent) == [2, 3, 4, 5]
    release.set()
    await scheduler.drain()
    await scheduler.stop()


async def test_a_reminder_stopped_after_the_tick_is_not_sent(store: Store, clock: FakeClock) -> None:
    send = FakeSend()
    scheduler = ReminderScheduler(store, send, clock, rate=1000.0, sleep=no_sleep)  # workers not started
    await subscribe(store, clock, 1)
    clock.set("2026-06-02T07:00")
    assert await scheduler.tick() == 1
    await store.update(1, r.stop)
    await scheduler.start()
    await scheduler.drain()
    assert send.sent == []
    await scheduler.stop()


async def test_pacing_keeps_sends_under_the_rate(store: Store, clock: FakeClock) -> None:
    send = FakeSend()
    stamps: list[float] = []

    async def timed(sub: Subscription, now: dtm.datetime) -> Attempt:
        stamps.append(asyncio.get_running_loop().time())
        return await send(sub, now)

    scheduler = ReminderScheduler(store, timed, clock, rate=100.0, workers=8)
    await scheduler.start()
    for chat in range(1, 21):
        await subscribe(store, clock, chat)
    clock.set("2026-06-02T07:00")
    await run_tick(scheduler)
    assert len(send.sent) == 20
    assert stamps[-1] - stamps[0] >= 19 / 100 * 0.9  # 20 sends at 100/s take at least ~0.19 s
    await scheduler.stop()
