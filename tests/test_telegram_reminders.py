"""Reminders end to end: the real Application, the fake Bot API server and a real SQLite file."""

from __future__ import annotations

import datetime as dtm
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.reminders.rules import Subscription
from bot.reminders.scheduler import Delivery
from bot.telegram.reminders import REMINDERS_KEY, Reminders, make_sender
from tests.conftest import StartBot
from tests.fake_telegram import JSON, FakeTelegram
from tests.test_reminder_storage import FakeClock
from tests.test_telegram_bot import buttons, reminder_end, say, text_of

CHAT = 5151


def reminders(app: Any) -> Reminders:
    value = app.bot_data[REMINDERS_KEY]
    assert isinstance(value, Reminders)
    return value


async def stop_app(app: Any) -> None:
    """What ``run_polling`` does on SIGTERM."""
    await app.updater.stop()
    await app.stop()
    await app.post_stop(app)
    await app.shutdown()
    await app.post_shutdown(app)


async def tick(app: Any) -> None:
    scheduler = reminders(app).scheduler
    await scheduler.tick()
    await scheduler.drain()


def reminder_messages(server: FakeTelegram, chat_id: int = CHAT) -> list[JSON]:
    return [s for s in server.sent if s["chat_id"] == chat_id and "Blood test reminder" in s["text"]]


def rows(path: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT chat_id, remind_at, zone, next_test, state FROM subscriptions").fetchall()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock("2026-06-02T06:00")  # 07:00 in London


async def test_reminder_arrives_once_after_a_restart(
    server: FakeTelegram, start_bot: StartBot, clock: FakeClock, tmp_path: Path
) -> None:
    database = tmp_path / "restart.sqlite3"
    first = await start_bot(clock=clock, database_path=database)
    [confirmation] = await say(server, "/remind 08:00", chat_id=CHAT)
    assert "every day at 08:00 Europe/London" in text_of(confirmation)
    await stop_app(first)

    clock.set("2026-06-02T07:00:30")  # 08:00:30 in London: due while the bot was down
    second = await start_bot(clock=clock, database_path=database)
    await server.wait_for_sent(2, chat_id=CHAT)  # the confirmation, then the catch-up reminder
    [reminder] = reminder_messages(server)
    text = text_of(reminder)
    assert "full blood count, liver and kidney tests" in text
    assert text.endswith(reminder_end(second))
    labels = [b["text"] for b in buttons(reminder)]
    assert labels == ["✅ Test done", "⏰ Snooze 1 hour", "🔕 Stop reminders"]

    await tick(second)  # later ticks the same day, and a third process, send nothing more
    await stop_app(second)
    third = await start_bot(clock=clock, database_path=database)
    await tick(third)
    assert len(reminder_messages(server)) == 1


async def test_reminder_counts_down_to_the_next_test(
    server: FakeTelegram, start_bot: StartBot, clock: FakeClock
) -> None:
    app = await start_bot(clock=clock)
    await say(server, "/remind 8am", chat_id=CHAT)
    [saved] = await say(server, "/nexttest in 3 days", chat_id=CHAT)
    assert "Friday 5 June 2026" in text_of(saved)
    clock.set("2026-06-02T07:00")
    await tick(app)
    [reminder] = reminder_messages(server)
    assert "in 3 days" in text_of(reminder)


@pytest.mark.parametrize(
    ("command", "example"),
    [
        ("/remind 25:00", "/remind 08:00"),
        ("/remind abc", "/remind 08:00"),
        ("/remind 8", "/remind 08:00"),
        ("/remind 08:00 Mars/Olympus", "/timezone Europe/London"),
        ("/timezone Mars/Olympus", "/timezone Europe/London"),
        ("/nexttest 2026-02-30", "/nexttest 2026-12-03"),
        ("/nexttest 2026-05-01", "/nexttest 2026-12-03"),
        ("/nexttest", "/nexttest 2026-12-03"),
    ],
)
async def test_bad_input_gets_an_example_and_saves_nothing(
    server: FakeTelegram, start_bot: StartBot, clock: FakeClock, tmp_path: Path, command: str, example: str
) -> None:
    await start_bot(clock=clock)
    [reply] = await say(server, command, chat_id=CHAT)
    assert example in text_of(reply)
    assert "Nothing was changed." in text_of(reply)
    assert rows(tmp_path / "azabot.sqlite3") == []


async def test_remind_alone_shows_the_setting_and_how_to_change_it(
    server: FakeTelegram, start_bot: StartBot, clock: FakeClock
) -> None:
    await start_bot(clock=clock)
    [empty] = await say(server, "/remind", chat_id=CHAT)
    assert "no blood-test reminder yet" in text_of(empty)
    assert "/remind 08:00" in text_of(empty)
    await say(server, "/remind 20:15 +02:00", chat_id=CHAT)
    [current] = await say(server, "/remind", chat_id=CHAT)
    assert "every day at 20:15 UTC+02:00" in text_of(current)
    assert "/stopreminders" in text_of(current)


async def test_choosing_a_zone_by_local_time_then_a_button(
    server: FakeTelegram, start_bot: StartBot, clock: FakeClock
) -> None:
    await start_bot(clock=clock)
    [offer] = await say(server, "/timezone 09:00", chat_id=CHAT)  # 06:00 UTC: three hours ahead
    labels = [b["text"] for b in buttons(offer)]
    assert labels[-1] == "UTC+03:00"
    server.press_button(CHAT, "UTC+03:00")
    done = (await server.wait_for_sent(2, chat_id=CHAT))[-1]
    assert "Time zone set to UTC+03:00" in text_of(done)
    [confirm] = await say(server, "/remind 08:00", chat_id=CHAT)
    assert "UTC+03:00" in text_of(confirm)


async def test_stop_button_and_stopreminders_end_reminders(
    server: FakeTelegram, start_bot: StartBot, clock: FakeClock, tmp_path: Path
) -> None:
    app = await start_bot(clock=clock)
    await say(server, "/remind 08:00", chat_id=CHAT)
    clock.set("2026-06-02T07:00")
    await tick(app)
    server.press_button(CHAT, "🔕 Stop reminders")
    await server.wait_for_call("answerCallbackQuery")
    await server.wait_for_sent(3, chat_id=CHAT)
    assert "Reminders stopped" in text_of(server.sent[-1])
    assert rows(tmp_path / "azabot.sqlite3")[0][-1] == "stopped"
    [again] = await say(server, "/stopreminders", chat_id=CHAT)
    assert "no reminders switched on" in text_of(again)
    clock.set("2026-06-03T07:00")
    await tick(app)
    assert len(reminder_messages(server)) == 1


async def test_blocked_bot_deactivates_and_start_resumes(
    server: FakeTelegram, start_bot: StartBot, clock: FakeClock, tmp_path: Path
) -> None:
    app = await start_bot(clock=clock)
    await say(server, "/remind 08:00", chat_id=CHAT)
    server.fail_next("sendMessage", 403, chat_id=CHAT)
    clock.set("2026-06-02T07:00")
    await tick(app)
    assert rows(tmp_path / "azabot.sqlite3")[0][-1] == "blocked"
    welcome, resumed = await say(server, "/start", chat_id=CHAT, n=2)
    assert "not a doctor" in text_of(welcome)
    assert "Welcome back" in text_of(resumed)
    assert rows(tmp_path / "azabot.sqlite3")[0][-1] == "active"
    clock.set("2026-06-03T07:00")
    await tick(app)
    assert len(reminder_messages(server)) == 1


async def test_phase_mode_and_test_done_buttons(
    server: FakeTelegram, start_bot: StartBot, clock: FakeClock
) -> None:
    app = await start_bot(clock=clock)
    await say(server, "/remind 08:00", chat_id=CHAT)
    server.press_button(CHAT, "Only when a test is due (weekly, then monthly…)")
    mode = (await server.wait_for_sent(2, chat_id=CHAT))[-1]
    assert "Tuesday 9 June 2026" in text_of(mode)
    clock.set("2026-06-09T07:00")
    await tick(app)
    [reminder] = reminder_messages(server)
    assert "💊 My dose changed" in [b["text"] for b in buttons(reminder)]
    server.press_button(CHAT, "✅ Test done")
    sent = await server.wait_for_sent(4, chat_id=CHAT)
    assert "Tuesday 16 June 2026" in text_of(sent[-1])


async def test_snooze_sends_one_more_an_hour_later(
    server: FakeTelegram, start_bot: StartBot, clock: FakeClock
) -> None:
    app = await start_bot(clock=clock)
    await say(server, "/remind 08:00", chat_id=CHAT)
    clock.set("2026-06-02T07:00")
    await tick(app)
    server.press_button(CHAT, "⏰ Snooze 1 hour")
    await server.wait_for_sent(3, chat_id=CHAT)
    clock.set("2026-06-02T07:59")
    await tick(app)
    assert len(reminder_messages(server)) == 1
    clock.set("2026-06-02T08:00")
    await tick(app)
    assert len(reminder_messages(server)) == 2


@pytest.mark.parametrize(
    ("status", "delivery"), [(403, Delivery.BLOCKED), (500, Delivery.TRANSIENT), (502, Delivery.TRANSIENT)]
)
async def test_telegram_errors_are_classified(
    server: FakeTelegram, start_bot: StartBot, clock: FakeClock, status: int, delivery: Delivery
) -> None:
    app = await start_bot(clock=clock)
    send = make_sender(app.bot_data, app.bot)
    sub = Subscription(CHAT, remind_at=dtm.time(8), zone="Europe/London", state="active")
    server.fail_next("sendMessage", status, chat_id=CHAT)
    assert (await send(sub, clock())).delivery is delivery
    assert (await send(sub, clock())).delivery is Delivery.SENT
