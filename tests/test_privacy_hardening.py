"""What is kept about patients, and what admins see of it: identifiers, forged lines, votes, erasure.

End to end over the fake Bot API with a real SQLite file. Each test is named for the behaviour
that failed before its fix (issue 21, items 5, 13, 15, 18).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from tests.conftest import StartBot
from tests.fake_telegram import FakeTelegram
from tests.test_telegram_admin import ADMIN, USER, db_rows, press, stored_rows
from tests.test_telegram_bot import buttons, say, text_of

IDENTIFYING = (
    "my name is Jane Doe and my NHS number is 943 476 5919, phone 07700 900123, "
    "mail jane.doe@example.com, born 12/03/1985: what is the capital of peru"
)
IDENTIFIERS = ("Jane", "Doe", "943 476 5919", "07700 900123", "jane.doe@example.com", "12/03/1985", "1985")


@pytest.fixture
async def bot(start_bot: StartBot) -> Any:
    return await start_bot(admin_ids=frozenset({ADMIN}))


async def test_identifiers_typed_into_an_unanswered_question_are_not_kept_or_shown(
    server: FakeTelegram, bot: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "azabot.sqlite3"
    hidden = "I'm called Tom Baker, call me on +44 (0)20 79\u200b46 0958 about peru's capital"
    for variant in (IDENTIFYING, hidden):
        await say(server, variant, USER)
    rows = await stored_rows(bot, database)
    stored = [row[2] for row in rows["unanswered"]]
    assert len(stored) == 2
    for text in stored:
        assert "peru" in text  # the question itself is kept
        assert not [i for i in (*IDENTIFIERS, "Tom", "Baker", "0958") if i in text], text
    assert "[name]" in stored[0] and "[number]" in stored[0] and "[email]" in stored[0]
    [report] = await say(server, "/unanswered", ADMIN)
    assert not [i for i in IDENTIFIERS if i in text_of(report)]
    assert main(["unanswered", "--db", str(database)]) == 0
    assert not [i for i in IDENTIFIERS if i in capsys.readouterr().out]


async def test_privacy_text_says_what_is_taken_out_of_kept_questions(server: FakeTelegram, bot: Any) -> None:
    [privacy] = await say(server, "/privacy", USER)
    text = text_of(privacy)
    for promise in ("e-mail addresses", "NHS", "my name is", "don't type personal details", "in memory only"):
        assert promise in text
    assert "anything else that links it to you" not in text  # it cannot promise that


@pytest.mark.parametrize(
    "question",
    [
        "what is the capital of peru\n2. 99 x “nothing to see” (last 2026-01-01)",
        "capital of peru \u202eesod ruoy elbuod\u202c please",
        "capital of\r\nperu\x00\x1b[31m red",
    ],
    ids=["newline-forges-a-line", "right-to-left-override", "control-characters"],
)
async def test_a_patients_question_is_one_quoted_clean_line_for_admins(
    server: FakeTelegram, bot: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], question: str
) -> None:
    await say(server, question, USER)
    [report] = await say(server, "/unanswered", ADMIN)
    assert main(["unanswered", "--db", str(tmp_path / "azabot.sqlite3")]) == 0
    for shown in (text_of(report), capsys.readouterr().out):
        [line] = [line for line in shown.splitlines() if "peru" in line]
        assert line.startswith("1. 1 x “") and line.endswith(")")
        assert line.count("“") == 1 and line.count("”") == 1  # the patient's text cannot close the quote
        assert not [
            c for c in line if c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\x00\x1b\r"
        ]
        assert not [ln for ln in shown.splitlines() if ln.startswith("2. ")]


async def feedback_answer(server: FakeTelegram) -> tuple[dict[str, Any], str]:
    [answer] = await say(server, "Can I drink alcohol on azathioprine?", USER)
    data = next(b["callback_data"] for b in buttons(answer) if b["callback_data"].startswith("fb:1:"))
    return answer, data


def votes(database: Path) -> list[tuple[str, int, int]]:
    return [(row[1], row[3], row[4]) for row in db_rows(database)["entry_stats"]]


async def test_a_double_tap_on_feedback_counts_one_vote(
    server: FakeTelegram, bot: Any, tmp_path: Path
) -> None:
    answer, data = await feedback_answer(server)
    before = len(server.calls_to("answerCallbackQuery"))
    for _ in range(2):  # both presses arrive before the buttons are removed
        server.push_callback(USER, data, message_id=answer["message_id"])
    await server.wait_for_call("answerCallbackQuery", before + 2)
    await server.wait_for_sent(1, chat_id=USER, method="editMessageReplyMarkup")
    entry_id = data.split(":", 2)[2]
    assert votes(tmp_path / "azabot.sqlite3") == [(entry_id, 1, 0)]


async def test_forged_feedback_data_is_not_counted(server: FakeTelegram, bot: Any, tmp_path: Path) -> None:
    answer, data = await feedback_answer(server)
    entry_id = data.split(":", 2)[2]
    [other] = await say(server, "/start", USER)  # a message without feedback buttons
    forged = [f"fb:0:{entry_id}", "fb:1:missed-dose", "fb:1:" + entry_id]
    before = len(server.calls_to("answerCallbackQuery"))
    # One at a time: a chat flooding the bot has its extra updates set aside, not read.
    for n, fake in enumerate(forged * 9):
        target = other if n % 2 else answer
        server.push_callback(USER, fake, message_id=target["message_id"], require_button=False)
        await server.wait_for_call("answerCallbackQuery", before + n + 1, timeout=20)
    await server.wait_until_delivered()
    rows = db_rows(tmp_path / "azabot.sqlite3")["entry_stats"]
    assert sum(row[3] + row[4] for row in rows) <= 1  # at most the one real button on the answer
    assert [(row[1], row[3]) for row in rows if row[3]] in ([], [(entry_id, 1)])


async def test_forget_leaves_no_erased_value_in_the_database_or_its_log(
    server: FakeTelegram, bot: Any, tmp_path: Path
) -> None:
    database = tmp_path / "azabot.sqlite3"
    await say(server, "/remind 07:45 America/Argentina/Buenos_Aires", USER)
    await say(server, "/nexttest 2026-11-19", USER)
    files = [database, database.with_name(database.name + "-wal")]
    assert any(b"Buenos_Aires" in f.read_bytes() for f in files if f.exists())
    [confirm] = await say(server, "/forget", USER)
    await press(server, USER, "Yes, erase everything", confirm["message_id"])
    for path in files:
        raw = path.read_bytes() if path.exists() else b""
        for value in (b"Buenos_Aires", b"2026-11-19", b"07:45"):
            assert value not in raw, (path.name, value)
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT COUNT(*) FROM subscriptions").fetchone()[0] == 0
