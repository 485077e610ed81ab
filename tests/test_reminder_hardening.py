"""Reminder input a hostile or unlucky user can send, and stored rows this host cannot use.

Each test is named for the behaviour that failed before its fix (issue 21, items 2, 8, 9, 10).
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import StartBot
from tests.fake_telegram import FakeTelegram
from tests.shipped import shipped_knowledge
from tests.test_reminder_storage import FakeClock
from tests.test_telegram_bot import no_errors, say, text_of
from tests.test_telegram_reminders import reminder_messages, rows, tick

GOOD, LOCALTIME, MARS = 6101, 6102, 6103


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock("2026-06-02T06:00")  # 07:00 in London


async def test_a_stored_zone_this_host_cannot_use_is_skipped_and_its_owner_told_once(
    server: FakeTelegram,
    start_bot: StartBot,
    clock: FakeClock,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = await start_bot(clock=clock)
    for chat in (GOOD, LOCALTIME, MARS):
        await say(server, "/remind 08:00", chat_id=chat)
    # Rows an older version (or another host) saved: 'localtime' was accepted where the host had
    # that file; 'Mars/Olympus' stands for any name missing from this host's zone database.
    with sqlite3.connect(tmp_path / "azabot.sqlite3") as db:
        db.execute("UPDATE subscriptions SET zone = 'localtime' WHERE chat_id = ?", (LOCALTIME,))
        db.execute("UPDATE subscriptions SET zone = 'Mars/Olympus' WHERE chat_id = ?", (MARS,))
    clock.set("2026-06-02T07:00:30")  # 08:00:30 in London
    with caplog.at_level(logging.INFO):
        await tick(app)
        clock.set("2026-06-02T07:01:30")
        await tick(app)
    assert len(reminder_messages(server, GOOD)) == 1
    for chat in (LOCALTIME, MARS):
        notices = [s for s in server.sent if s["chat_id"] == chat and "not one I know" in s["text"]]
        assert len(notices) == 1, chat
        assert "/timezone" in text_of(notices[0])
        assert reminder_messages(server, chat) == []
    skipped = [r.getMessage() for r in caplog.records if "time zone is unknown" in r.getMessage()]
    assert len(skipped) == 2
    assert "Mars" not in caplog.text and "localtime" not in caplog.text
    # The owner's own commands work, and choosing a zone again brings the reminders back.
    [settings] = await say(server, "/remind", chat_id=MARS)
    assert "not one I know" in text_of(settings)
    await say(server, "/timezone Europe/London", chat_id=MARS)
    clock.set("2026-06-03T07:00:30")
    await tick(app)
    assert len(reminder_messages(server, MARS)) == 1


@pytest.mark.parametrize(
    "command",
    [
        "/remind 08:00 localtime",
        "/timezone localtime",
        "/timezone Factory",
        "/timezone posixrules",
        "/timezone posix/Europe/London",
        "/timezone -14:00",
        "/timezone -13:45",
        "/timezone UTC-12:15",
        "/timezone +14:15",
    ],
)
async def test_zone_names_that_are_not_places_and_offsets_beyond_the_range_are_refused(
    server: FakeTelegram, start_bot: StartBot, clock: FakeClock, tmp_path: Path, command: str
) -> None:
    await start_bot(clock=clock)
    [reply] = await say(server, command, chat_id=GOOD)
    assert "Nothing was changed." in text_of(reply)
    assert rows(tmp_path / "azabot.sqlite3") == []


@pytest.mark.parametrize(
    ("command", "label"), [("/timezone -12:00", "UTC-12:00"), ("/timezone +14:00", "UTC+14:00")]
)
async def test_the_ends_of_the_offset_range_are_accepted(
    server: FakeTelegram, start_bot: StartBot, clock: FakeClock, command: str, label: str
) -> None:
    await start_bot(clock=clock)
    [reply] = await say(server, command, chat_id=GOOD)
    assert f"Time zone set to {label}" in text_of(reply)


@pytest.mark.parametrize(
    "command",
    [
        "/remind ²",
        "/remind ³:00",
        "/timezone ³",
        "/timezone ²",
        "/remind ①",
        "/remind " + "9" * 30,
        "/timezone " + "9" * 30,
        "/nexttest in ² days",
        "/nexttest 0000-01-01",
        "/remind 08:00 +²",
    ],
)
async def test_unicode_and_overlong_digits_get_a_sentence_about_the_input(
    server: FakeTelegram, start_bot: StartBot, clock: FakeClock, tmp_path: Path, command: str
) -> None:
    await start_bot(clock=clock)
    [reply] = await say(server, command, chat_id=GOOD)
    assert "something went wrong" not in text_of(reply)
    assert "Nothing was changed." in text_of(reply)
    assert rows(tmp_path / "azabot.sqlite3") == []


async def test_arabic_indic_digits_set_a_reminder(
    server: FakeTelegram, start_bot: StartBot, clock: FakeClock
) -> None:
    await start_bot(clock=clock)
    [reply] = await say(server, "/remind ٠٨:٣٠", chat_id=GOOD)
    assert "every day at 08:30" in text_of(reply)


@pytest.mark.parametrize(
    "data", ["none:²", "none:" + "9" * 30, "none:٣", "z:³", "z:" + "9" * 30, "c:²", "c:" + "9" * 30, "r:²"]
)
async def test_forged_button_data_with_odd_digits_gets_a_reply_not_an_apology(
    server: FakeTelegram, start_bot: StartBot, clock: FakeClock, data: str
) -> None:
    await start_bot(clock=clock)
    await say(server, "/start", chat_id=GOOD)
    before = len([s for s in server.sent if s["chat_id"] == GOOD])
    server.push_callback(GOOD, data, require_button=False)
    sent = await server.wait_for_sent(before + 1, chat_id=GOOD)
    [reply] = sent[before:]
    assert "something went wrong" not in text_of(reply)
    no_errors(server)


@pytest.mark.parametrize(
    "command", ["/timezone " + "&" * 4000, "/remind 08:00 " + "&" * 4000, "/timezone " + "<>" * 2000]
)
async def test_an_input_error_longer_than_a_message_arrives_in_whole_parts(
    server: FakeTelegram, start_bot: StartBot, clock: FakeClock, command: str
) -> None:
    await start_bot(clock=clock)
    server.push_text(GOOD, command)

    def texts() -> list[str]:
        return [text_of(s) for s in server.sent if s["chat_id"] == GOOD]

    # Like every reply, it ends with the safety reminder, after the error's own last sentence.
    reminder_end = shipped_knowledge().safety.reminder.strip().split("\n\n")[-1].strip()
    await server._wait_until(lambda: any(t.endswith(reminder_end) for t in texts()), 10, lambda: "the reply")
    text = "".join(texts())
    assert "something went wrong" not in text
    assert "Nothing was changed." in text
    assert command.split()[-1] in text  # every character of the echo arrived, unescaped
    assert len(texts()) >= 2
    no_errors(server)


async def test_a_damaged_row_does_not_stop_the_other_reminders(
    server: FakeTelegram,
    start_bot: StartBot,
    clock: FakeClock,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = await start_bot(clock=clock)
    for chat in (GOOD, MARS):
        await say(server, "/remind 08:00", chat_id=chat)
    with sqlite3.connect(tmp_path / "azabot.sqlite3") as db:  # e.g. edited by hand
        db.execute("UPDATE subscriptions SET remind_at = 'soon' WHERE chat_id = ?", (MARS,))
    clock.set("2026-06-02T07:00:30")
    with caplog.at_level(logging.WARNING):
        await tick(app)
        await tick(app)
    assert len(reminder_messages(server, GOOD)) == 1
    assert len([r for r in caplog.records if "cannot be read" in r.getMessage()]) == 1


async def test_a_double_tap_on_test_done_counts_one_test(
    server: FakeTelegram, start_bot: StartBot, clock: FakeClock, tmp_path: Path
) -> None:
    app = await start_bot(clock=clock)
    await say(server, "/remind 08:00", chat_id=GOOD)
    server.press_button(GOOD, "Only when a test is due (weekly, then monthly…)")
    await server.wait_for_sent(2, chat_id=GOOD)
    clock.set("2026-06-09T07:00")
    await tick(app)
    [reminder] = reminder_messages(server, GOOD)
    before = len([s for s in server.sent if s["chat_id"] == GOOD])
    for _ in range(2):  # both presses arrive before either reply
        server.press_button(GOOD, "✅ Test done", message_id=reminder["message_id"])
    await server.wait_for_sent(before + 2, chat_id=GOOD)
    with sqlite3.connect(tmp_path / "azabot.sqlite3") as db:
        assert db.execute("SELECT tests_done, next_test FROM subscriptions").fetchone() == (1, "2026-06-16")
