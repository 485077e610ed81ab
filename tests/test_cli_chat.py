"""`azabot chat` is the same bot: every /help command, deep links, reminders in the bot's SQLite
file shown when due, /due, /forget, and follow-ups, all through the shared conversation layer."""

from __future__ import annotations

import datetime as dtm
import io
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import chat_loop, main
from bot.knowledge.faq import load_knowledge, required_topic_ids
from bot.matching.matcher import Matcher
from bot.reminders.rules import LOCAL_CHAT_ID
from tests.conftest import FAQ_DIR

UNKNOWN = "don't know that command"
#: 07:00 in London on a winter day: a reminder set for 08:00 is not due yet.
START = dtm.datetime(2026, 12, 8, 7, 0, tzinfo=dtm.UTC)


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    result = load_knowledge(FAQ_DIR, required_topic_ids())
    assert result.knowledge is not None
    return Matcher(result.knowledge)


class FakeClock:
    """A clock the test moves; the chat reads it, nothing sleeps."""

    def __init__(self, now: dtm.datetime = START) -> None:
        self.now = now

    def __call__(self) -> dtm.datetime:
        return self.now


def chat(
    matcher: Matcher, lines: list[str | dtm.timedelta], db: Path | None = None, clock: FakeClock | None = None
) -> list[str]:
    """Run the chat over ``lines`` (a timedelta moves the clock on); returns what came after each prompt."""
    clock = clock or FakeClock()

    def feed() -> Iterator[str]:
        for line in lines:
            if isinstance(line, dtm.timedelta):
                clock.now += line
            else:
                yield f"{line}\n"

    out = io.StringIO()
    chat_loop(matcher.knowledge, matcher, feed(), out, database=db, clock=clock)
    return out.getvalue().split("you> ")


def stored(db: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT chat_id, remind_at, zone, state FROM subscriptions").fetchall()


def help_commands(matcher: Matcher, tmp_path: Path) -> list[str]:
    """Each command line /help lists, as written there (``/remind 08:00``)."""
    text = chat(matcher, ["/help"], tmp_path / "bot.sqlite3")[1]
    listed = re.findall(r"^(/\w+[^\n]*?) - ", text, flags=re.MULTILINE)
    assert len(listed) >= 9, text
    return listed


def test_every_command_help_lists_works_in_the_terminal_chat(matcher: Matcher, tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    for command in help_commands(matcher, tmp_path):
        reply = chat(matcher, [command], db)[1]
        assert UNKNOWN not in reply, command
        assert "not available" not in reply, command
        assert reply.strip(), command
    assert any(c.startswith("/due") for c in help_commands(matcher, tmp_path))


def test_chat_help_lists_reminder_commands_only_because_they_work(matcher: Matcher, tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    replies = chat(
        matcher, ["/remind 08:00", "/timezone Europe/Paris", "/nexttest 3 Jan", "/stopreminders"], db
    )
    assert "Reminder set" in replies[1]
    assert "Europe/Paris" in replies[2]
    assert "3 Jan" in replies[3] or "Jan" in replies[3]
    assert "Reminders stopped" in replies[4]
    assert stored(db) == [(LOCAL_CHAT_ID, "08:00", "Europe/Paris", "stopped")]


def test_chat_start_with_an_entry_id_opens_that_entry(matcher: Matcher) -> None:
    entry = matcher.knowledge.get("missed-dose")
    assert entry is not None
    reply = chat(matcher, ["/start missed-dose"])[1]
    assert reply.lstrip().startswith(entry.question)
    assert "not a doctor" not in reply.split("\n\n")[0]  # the entry, not the welcome


def test_chat_reminder_is_stored_in_the_sqlite_file_and_shown_when_due(
    matcher: Matcher, tmp_path: Path
) -> None:
    db = tmp_path / "bot.sqlite3"
    replies = chat(
        matcher,
        [
            "/remind 08:00 Europe/London",
            "",
            dtm.timedelta(hours=1, minutes=1),
            "",
            "",
            dtm.timedelta(days=1),
            "",
        ],
        db,
    )
    assert stored(db) == [(LOCAL_CHAT_ID, "08:00", "Europe/London", "active")]
    assert "Reminder set" in replies[1]
    assert "Blood test reminder" not in replies[2]  # 07:00: not due yet
    assert "Blood test reminder" in replies[3]  # 08:01: shown at the next prompt
    assert "Blood test reminder" not in replies[4]  # once a day
    assert "Blood test reminder" in replies[5]  # and again the next morning


def test_due_command_checks_now(matcher: Matcher, tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    replies = chat(matcher, ["/due", "/remind 08:00", "/due", dtm.timedelta(hours=2), "/due"], db)
    assert "none switched on" in replies[1]
    assert "next one is on" in replies[3] and "08:00" in replies[3]
    # The clock moved past 08:00 while the user was typing: the reminder comes with the next
    # prompt, or straight after /due when that is the next line.
    assert "Blood test reminder" in replies[4] + replies[5]
    assert replies[4].count("Blood test reminder") + replies[5].count("Blood test reminder") == 1


def test_forget_in_the_terminal_erases_what_the_terminal_stored(matcher: Matcher, tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    replies = chat(matcher, ["/remind 08:00", "/forget", "1"], db)
    assert "Erase your data?" in replies[2]
    assert "Erased" in replies[3] and "daily at 08:00" in replies[3]
    assert stored(db) == []


def test_privacy_in_the_terminal_names_the_local_chat_id(matcher: Matcher, tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    reply = chat(matcher, ["/privacy"], db)[1]
    assert f"local chat id {LOCAL_CHAT_ID}" in reply
    assert str(db) in reply


def test_follow_up_in_the_terminal_is_read_with_the_previous_topic(matcher: Matcher) -> None:
    alcohol = matcher.knowledge.get("alcohol")
    assert alcohol is not None
    replies = chat(matcher, ["can I drink alcohol on azathioprine?", "how many units?"])
    assert replies[2].lstrip().startswith(alcohol.question)


def test_follow_up_is_forgotten_after_a_few_minutes(matcher: Matcher) -> None:
    alcohol = matcher.knowledge.get("alcohol")
    assert alcohol is not None
    replies = chat(
        matcher, ["can I drink alcohol on azathioprine?", dtm.timedelta(minutes=30), "how many units?"]
    )
    assert not replies[2].lstrip().startswith(alcohol.question)


def test_chat_command_reads_the_configured_database(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "data" / "azabot.sqlite3"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FAQ_DIR", str(FAQ_DIR))
    monkeypatch.setenv("DATABASE_PATH", str(db))
    monkeypatch.setattr("sys.stdin", io.StringIO("/remind 09:30 Europe/London\nquit\n"))
    assert main(["chat"]) == 0
    assert "Reminder set" in capsys.readouterr().out
    assert stored(db) == [(LOCAL_CHAT_ID, "09:30", "Europe/London", "active")]


def test_every_terminal_reply_carries_the_reminder(matcher: Matcher, tmp_path: Path) -> None:
    last = matcher.knowledge.safety.reminder.strip().split("\n\n")[-1].strip()
    outputs = chat(matcher, ["/help", "/privacy", "/remind 08:00", "/due"], tmp_path / "bot.sqlite3")
    replies = [o for o in outputs[1:] if o.strip()]
    assert replies and all(last in reply for reply in replies)
