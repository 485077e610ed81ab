"""Admin tools end to end: the real Application, the fake Bot API server, a copy of the FAQ, real SQLite."""

from __future__ import annotations

import logging
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any
from unittest.mock import ANY

import pytest
from telegram.ext import CallbackContext

from bot.admin.faq_changes import BACKUP_DIRNAME
from bot.logging_setup import install_redaction
from bot.telegram import admin as adm
from bot.telegram import faq_watch
from bot.telegram.handlers import flush_counts_job, store_of
from tests.conftest import FAQ_DIR, TOKEN, StartBot
from tests.fake_telegram import JSON, FakeTelegram
from tests.test_telegram_bot import REPLY_TIMEOUT, buttons, pick, say, state, text_of

ADMIN = 777001
USER = 5353
ADMIN_COMMANDS = ["reload", "export", "rollback", "stats", "unanswered"]


@pytest.fixture
def faq(tmp_path: Path) -> Path:
    """A private copy of the shipped FAQ: tests that change files never touch faq/."""
    folder = tmp_path / "faq"
    shutil.copytree(FAQ_DIR, folder, ignore=shutil.ignore_patterns(".*"))
    return folder


@pytest.fixture
async def bot(start_bot: StartBot, faq: Path) -> Any:
    """The bot with one admin, serving the FAQ copy."""
    return await start_bot(admin_ids=frozenset({ADMIN}), faq_dir=faq)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (backups included) with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


async def upload(server: FakeTelegram, content: bytes, name: str, user: int = ADMIN) -> JSON:
    """Send a document as ``user`` (in their private chat) and return the bot's reply."""
    before = len([s for s in server.sent if s["chat_id"] == user])
    server.push_document(user, content, name, mime_type="application/x-yaml")
    sent = await server.wait_for_sent(before + 1, chat_id=user, timeout=REPLY_TIMEOUT)
    return sent[before]


async def press(server: FakeTelegram, chat_id: int, label: str, message_id: int) -> JSON:
    """Press a button and return the next message the bot sends (edits of the buttons not counted)."""
    before = len(server.calls_to("sendMessage"))
    server.press_button(chat_id, label, message_id=message_id)
    await server.wait_for_call("sendMessage", before + 1, timeout=REPLY_TIMEOUT)  # an install reloads
    [record] = [s for s in server.sent if s["method"] == "sendMessage"][before : before + 1]
    return record


def yaml_names(folder: Path) -> list[str]:
    """The FAQ files of ``folder``, sorted."""
    return sorted(p.name for p in folder.glob("*.yaml"))


async def stored_rows(app: Any, path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, after the bot has written the counts it keeps in memory."""
    store = store_of(app.bot_data)
    assert store is not None
    await store.flush_counts()
    return db_rows(path)


def db_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table in the database (counts not yet flushed are not there)."""
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: db.execute(f"SELECT * FROM {t}").fetchall() for t in tables}


def first_basics_entry(app: Any) -> str:
    return next(e.id for e in state(app).knowledge.entries if e.file.endswith("basics.yaml"))


def with_new_review_date(text: str) -> str:
    """The file with its first entry's ``reviewed`` date changed: a valid change to one entry."""
    return re.sub(r"reviewed: \d{4}-\d\d-\d\d", "reviewed: 2020-02-02", text, count=1)


# -- who may do what -------------------------------------------------------------------------------


async def test_admin_commands_are_in_the_admins_menu_only(server: FakeTelegram, bot: Any) -> None:
    everyone = [c["command"] for c in server.commands()]
    admins = [c["command"] for c in server.commands({"type": "chat", "chat_id": ADMIN})]
    assert not set(ADMIN_COMMANDS) & set(everyone)
    assert admins == everyone + ADMIN_COMMANDS


async def test_non_admin_gets_the_unknown_command_reply_for_every_admin_command(
    server: FakeTelegram, bot: Any, faq: Path
) -> None:
    before = snapshot(faq)
    [unknown] = await say(server, "/nosuchcommand", USER)
    assert "don't know that command" in text_of(unknown)
    for command in ADMIN_COMMANDS:
        [reply] = await say(server, f"/{command}", USER)
        assert text_of(reply) == text_of(unknown)
        assert buttons(reply) == []
    assert server.calls_to("sendDocument") == []
    assert snapshot(faq) == before


async def test_admin_command_in_a_group_is_refused_like_any_unknown_command(
    server: FakeTelegram, bot: Any
) -> None:
    group = -1009998887
    [reply] = await say(server, "/stats@AzaTestBot", group, user_id=ADMIN, chat_type="supergroup")
    assert "don't know that command" in text_of(reply)


async def test_non_admin_cannot_install_a_faq_file(server: FakeTelegram, bot: Any, faq: Path) -> None:
    before = snapshot(faq)
    content = with_new_review_date((faq / "basics.yaml").read_text()).encode()
    reply = await upload(server, content, "basics.yaml", user=USER)
    assert "I can only read text" in text_of(reply)
    assert not [b for b in buttons(reply) if b["callback_data"].startswith("adm:")]
    assert snapshot(faq) == before


# -- /reload ---------------------------------------------------------------------------------------


async def test_reload_swaps_in_a_valid_faq_and_reports_what_changed(
    server: FakeTelegram, bot: Any, faq: Path
) -> None:
    entry_id = first_basics_entry(bot)
    old_state = state(bot)
    path = faq / "basics.yaml"
    path.write_text(with_new_review_date(path.read_text()))
    [reply] = await say(server, "/reload", ADMIN)
    assert "was reloaded" in text_of(reply)
    assert f"Changed (1): {entry_id}" in text_of(reply)
    assert state(bot) is not old_state
    assert str(state(bot).knowledge.get(entry_id).reviewed) == "2020-02-02"  # type: ignore[union-attr]


async def test_reload_with_an_error_keeps_the_old_faq_and_lists_problems_escaped(
    server: FakeTelegram, bot: Any, faq: Path
) -> None:
    old_state = state(bot)
    path = faq / "basics.yaml"
    path.write_text(
        path.read_text().replace("    category: basics\n", "    category: basics\n    <x>: 1\n", 1)
    )
    [reply] = await say(server, "/reload", ADMIN)
    text = text_of(reply)
    assert "not reloaded" in text
    assert re.search(rf"{re.escape(str(path))}:\d+: entry '[a-z-]+': unknown field '<x>'", text)
    assert state(bot) is old_state
    [answer] = await say(server, "Can I drink alcohol on azathioprine?", USER)
    assert "alcohol" in text_of(answer).lower()


# -- automatic reload ------------------------------------------------------------------------------


async def test_file_change_reloads_and_tells_the_admins(server: FakeTelegram, bot: Any, faq: Path) -> None:
    await say(server, "/help", ADMIN)  # the admin has a chat with the bot
    entry_id = first_basics_entry(bot)
    path = faq / "basics.yaml"
    path.write_text(with_new_review_date(path.read_text()))
    outcome = await faq_watch.on_faq_files_changed(bot.bot_data, bot.bot)  # what the watcher calls
    assert outcome.ok
    [note] = (await server.wait_for_sent(2, chat_id=ADMIN))[1:]
    assert "changed on disk and was reloaded" in text_of(note)
    assert entry_id in text_of(note)
    assert str(state(bot).knowledge.get(entry_id).reviewed) == "2020-02-02"  # type: ignore[union-attr]


async def test_broken_file_change_keeps_the_old_faq_and_sends_problems_once(
    server: FakeTelegram, bot: Any, faq: Path
) -> None:
    await say(server, "/help", ADMIN)
    old_state = state(bot)
    (faq / "basics.yaml").write_text("entries: [oops\n")
    await faq_watch.on_faq_files_changed(bot.bot_data, bot.bot)
    await faq_watch.on_faq_files_changed(bot.bot_data, bot.bot)  # saved again, same problems
    sent = await server.wait_for_sent(2, chat_id=ADMIN)
    assert len(sent) == 2  # the /help reply and one problem report
    assert "problem" in text_of(sent[1]) and "basics.yaml:" in text_of(sent[1])
    assert state(bot) is old_state


async def test_watcher_reloads_after_a_file_is_saved(
    server: FakeTelegram, start_bot: StartBot, faq: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(adm, "WATCH_DEBOUNCE_MS", 50)
    app = await start_bot(admin_ids=frozenset({ADMIN}), faq_dir=faq, faq_auto_reload=True)
    await say(server, "/help", ADMIN)
    assert adm.tools_of(app.bot_data).watcher is not None
    path = faq / "basics.yaml"
    path.write_text(with_new_review_date(path.read_text()))
    sent = await server.wait_for_sent(2, chat_id=ADMIN, timeout=10)
    assert "changed on disk" in text_of(sent[1])


# -- FAQ files over Telegram -----------------------------------------------------------------------


async def test_export_sends_every_faq_file(server: FakeTelegram, bot: Any, faq: Path) -> None:
    server.push_text(ADMIN, "/export")
    # One file a second: Telegram's limit for one private chat, which the bot's limiter keeps.
    documents = await server.wait_for_sent(
        len(yaml_names(faq)), chat_id=ADMIN, method="sendDocument", timeout=EXPORT_TIMEOUT
    )
    names = sorted(d["message"]["document"]["file_name"] for d in documents)
    assert names == yaml_names(faq)
    [note] = await server.wait_for_sent(1, chat_id=ADMIN, method="sendMessage")
    assert "send it back" in text_of(note)


#: /export sends one file a second to the admin's chat (Telegram's per-chat limit).
EXPORT_TIMEOUT = 60.0

BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("basics.yaml", b"entries: !!python/object/apply:os.system ['echo pwned']\n", "tags such as"),
        ("basics.yaml", BILLION_LAUGHS.encode(), "anchors and aliases"),
        ("basics.yaml", b"# " + b"x" * (10 * 1024 * 1024), "at most 512 KB"),
        ("../basics.yaml", b"entries: []\n", "bare name"),
        ("notes.txt", b"entries: []\n", "must end in .yaml"),
        ("basics.yaml", b"\xff\xfe not utf-8", "not UTF-8"),
    ],
    ids=["python-tag", "billion-laughs", "10-MB", "dot-dot-name", "not-yaml-name", "not-utf8"],
)
async def test_malicious_upload_is_refused_and_changes_nothing(
    server: FakeTelegram, bot: Any, faq: Path, name: str, content: bytes, reason: str
) -> None:
    before, old_state = snapshot(faq), state(bot)
    reply = await upload(server, content, name)
    assert "Not installed" in text_of(reply)
    assert reason in text_of(reply)
    assert buttons(reply) == []
    assert snapshot(faq) == before
    assert state(bot) is old_state
    assert not (faq.parent / "basics.yaml").exists()


async def test_upload_with_a_broken_entry_is_refused_with_its_line(
    server: FakeTelegram, bot: Any, faq: Path
) -> None:
    before, old_state = snapshot(faq), state(bot)
    text = (
        (faq / "basics.yaml")
        .read_text()
        .replace("    category: basics\n", "    category: basics\n    colour: blue\n", 1)
    )
    reply = await upload(server, text.encode(), "basics.yaml")
    assert re.search(r"basics\.yaml:\d+: entry '[a-z-]+': unknown field 'colour'", text_of(reply))
    assert buttons(reply) == []
    assert snapshot(faq) == before
    assert state(bot) is old_state


async def test_upload_that_breaks_another_file_is_refused(server: FakeTelegram, bot: Any, faq: Path) -> None:
    entry_id = first_basics_entry(bot)
    duplicate = (faq / "basics.yaml").read_text()  # the same entries again, in a new file
    reply = await upload(server, duplicate.encode(), "extra.yaml")
    assert f"duplicate id '{entry_id}'" in text_of(reply)
    assert not (faq / "extra.yaml").exists()


async def test_valid_upload_is_installed_after_confirm_with_a_backup(
    server: FakeTelegram, bot: Any, faq: Path
) -> None:
    entry_id = first_basics_entry(bot)
    path = faq / "basics.yaml"
    original = path.read_bytes()
    new = with_new_review_date(original.decode()).encode()
    preview = await upload(server, new, "basics.yaml")
    assert f"Changed (1): {entry_id}" in text_of(preview)
    assert path.read_bytes() == original  # nothing is written before the confirmation
    assert [b["text"] for b in buttons(preview)] == ["Install it", "Cancel"]
    done = await press(server, ADMIN, "Install it", preview["message_id"])
    assert "Installed basics.yaml" in text_of(done)
    assert path.read_bytes() == new
    [backup] = (faq / BACKUP_DIRNAME).iterdir()
    assert backup.name.endswith("--basics.yaml")
    assert backup.read_bytes() == original
    assert str(state(bot).knowledge.get(entry_id).reviewed) == "2020-02-02"  # type: ignore[union-attr]
    assert not [name for name in snapshot(faq) if name.endswith(".tmp")]


async def test_cancelled_upload_changes_nothing(server: FakeTelegram, bot: Any, faq: Path) -> None:
    before = snapshot(faq)
    preview = await upload(
        server, with_new_review_date((faq / "basics.yaml").read_text()).encode(), "basics.yaml"
    )
    done = await press(server, ADMIN, "Cancel", preview["message_id"])
    assert "Nothing was changed" in text_of(done)
    assert snapshot(faq) == before


async def test_rollback_restores_the_version_before_the_upload(
    server: FakeTelegram, bot: Any, faq: Path
) -> None:
    entry_id = first_basics_entry(bot)
    original_reviewed = state(bot).knowledge.get(entry_id).reviewed  # type: ignore[union-attr]
    path = faq / "basics.yaml"
    original = path.read_bytes()
    preview = await upload(server, with_new_review_date(original.decode()).encode(), "basics.yaml")
    await press(server, ADMIN, "Install it", preview["message_id"])
    [reply] = await say(server, "/rollback", ADMIN)
    assert "Restored basics.yaml" in text_of(reply)
    assert f"Changed (1): {entry_id}" in text_of(reply)
    assert path.read_bytes() == original
    assert state(bot).knowledge.get(entry_id).reviewed == original_reviewed  # type: ignore[union-attr]
    [again] = await say(server, "/rollback", ADMIN)
    assert "nothing to roll back" in text_of(again)


async def test_about_file_upload_is_checked_at_its_line_and_installed_like_the_faq(
    server: FakeTelegram, bot: Any, faq: Path
) -> None:
    text = (faq / "about.yaml").read_text()
    broken = text.replace(
        "    question: What can this bot do?\n", "    question: What can this bot do?\n    colour: red\n"
    )
    reply = await upload(server, broken.encode(), "about.yaml")
    assert re.search(r"about\.yaml:\d+: about 'what-can-you-do': unknown field 'colour'", text_of(reply))
    assert (faq / "about.yaml").read_text() == text
    changed = text.replace("I answer common questions", "I answer the common questions")
    preview = await upload(server, changed.encode(), "about.yaml")
    assert "Also changed: about the bot" in text_of(preview)
    await press(server, ADMIN, "Install it", preview["message_id"])
    [answer] = await say(server, "what can you do?")
    assert "I answer the common questions" in text_of(answer)


async def test_rollback_of_a_new_file_removes_it(server: FakeTelegram, bot: Any, faq: Path) -> None:
    smalltalk = faq / "smalltalk.yaml"
    content = smalltalk.read_bytes()
    smalltalk.unlink()
    await say(server, "/reload", ADMIN)
    preview = await upload(server, content, "smalltalk.yaml")
    assert "add the file" in text_of(preview)
    await press(server, ADMIN, "Install it", preview["message_id"])
    assert smalltalk.read_bytes() == content
    [reply] = await say(server, "/rollback", ADMIN)
    assert "Removed smalltalk.yaml" in text_of(reply)
    assert not smalltalk.exists()


# -- /forget, feedback, unanswered questions, /stats --------------------------------------------


async def test_forget_erases_every_row_about_the_chat(server: FakeTelegram, bot: Any, tmp_path: Path) -> None:
    database = tmp_path / "azabot.sqlite3"
    await say(server, "/remind 08:00", USER)
    await say(server, "/nexttest 2026-12-03", USER)
    assert db_rows(database)["subscriptions"]
    [confirm] = await say(server, "/forget", USER)
    assert "cannot be undone" in text_of(confirm)
    done = await press(server, USER, "Yes, erase everything", confirm["message_id"])
    assert "Erased" in text_of(done)
    assert "reminder settings" in text_of(done) and "08:00" in text_of(done)
    rows = await stored_rows(bot, database)
    assert rows["subscriptions"] == []
    assert not any(USER in row for table in rows.values() for row in table)


async def test_forget_when_nothing_is_stored_says_so(server: FakeTelegram, bot: Any) -> None:
    [confirm] = await say(server, "/forget", USER)
    done = await press(server, USER, "Yes, erase everything", confirm["message_id"])
    assert "nothing stored" in text_of(done)


async def test_feedback_is_counted_per_entry_without_user_id(
    server: FakeTelegram, bot: Any, tmp_path: Path
) -> None:
    [answer] = await say(server, "Can I drink alcohol on azathioprine?", USER)
    feedback = [b for b in buttons(answer) if b["callback_data"].startswith("fb:")]
    assert [b["text"] for b in feedback] == ["👍 Helpful", "👎 Not helpful"]
    assert all(len(b["callback_data"].encode()) < 64 for b in feedback)
    entry_id = feedback[0]["callback_data"].split(":", 2)[2]
    server.press_button(USER, "👍 Helpful", message_id=answer["message_id"])
    [edit] = await server.wait_for_sent(1, chat_id=USER, method="editMessageReplyMarkup")
    assert not [
        b
        for row in (edit["reply_markup"] or {}).get("inline_keyboard", [])
        for b in row
        if b["callback_data"].startswith("fb:")
    ]
    assert db_rows(tmp_path / "azabot.sqlite3")["entry_stats"] == [(ANY, entry_id, 0, 1, 0)]
    rows = await stored_rows(bot, tmp_path / "azabot.sqlite3")  # "shown" waits in memory till now
    [(_, stored_id, shown, helpful, not_helpful)] = rows["entry_stats"]
    assert (stored_id, shown, helpful, not_helpful) == (entry_id, 1, 1, 0)
    assert not any(USER in row for table in rows.values() for row in table)


async def test_unanswered_questions_are_stored_without_user_id_and_shown_grouped(
    server: FakeTelegram, bot: Any, tmp_path: Path
) -> None:
    questions = ["what is the capital of peru", "What's the capital of Peru?", "capital of peru please"]
    for question in questions:
        [reply] = await say(server, question, USER)
        assert reply  # fallback (or suggest): both are kept
    rows = await stored_rows(bot, tmp_path / "azabot.sqlite3")
    assert sorted(r[2] for r in rows["unanswered"]) == sorted(questions)
    assert not any(USER in row for table in rows.values() for row in table)
    [report] = await say(server, "/unanswered", ADMIN)
    assert "1. 3 x" in text_of(report)
    assert "peru" in text_of(report).lower()


async def test_none_of_these_is_recorded_for_the_stored_question(
    server: FakeTelegram, bot: Any, tmp_path: Path
) -> None:
    vague = ["side effects", "infection", "blood", "tablets", "can i take it at night", "is it safe"]
    question = pick(bot, "suggest", vague)
    [reply] = await say(server, question, USER)
    await press(server, USER, "None of these", reply["message_id"])
    [(_, _, text, kind)] = db_rows(tmp_path / "azabot.sqlite3")["unanswered"]
    assert (text, kind) == (question, "none")


async def test_stats_reports_questions_decisions_and_subscriptions(server: FakeTelegram, bot: Any) -> None:
    await say(server, "Can I drink alcohol on azathioprine?", USER)
    await say(server, "what is the capital of peru", USER)
    await say(server, "/remind 08:00", USER)
    [report] = await say(server, "/stats", ADMIN)
    text = text_of(report)
    assert "Questions: 2 in the last day, 2 in the last 7 days." in text
    assert "answered: 50%" in text
    assert "Active reminder subscriptions: 1." in text


async def test_token_never_appears_in_logs_or_replies_of_admin_tools(
    server: FakeTelegram, bot: Any, faq: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    install_redaction([TOKEN])
    await say(server, "/reload", ADMIN)
    await say(server, "/stats", ADMIN)
    preview = await upload(
        server, with_new_review_date((faq / "basics.yaml").read_text()).encode(), "basics.yaml"
    )
    await press(server, ADMIN, "Install it", preview["message_id"])
    server.push_text(ADMIN, "/export")
    await server.wait_for_sent(
        len(yaml_names(faq)), chat_id=ADMIN, method="sendDocument", timeout=EXPORT_TIMEOUT
    )
    assert TOKEN not in caplog.text
    assert all(TOKEN not in str(s["params"]) for s in server.sent)
    assert all(TOKEN.encode() not in f.content for f in server._files.values())


async def test_the_periodic_job_writes_the_counts(server: FakeTelegram, bot: Any, tmp_path: Path) -> None:
    await say(server, "can i drink on imuran?", USER)
    assert db_rows(tmp_path / "azabot.sqlite3")["question_stats"] == []
    await flush_counts_job(CallbackContext(bot))
    [(_, decision, count)] = db_rows(tmp_path / "azabot.sqlite3")["question_stats"]
    assert (decision, count) == ("answer", 1)


async def test_a_failing_periodic_write_is_logged_and_keeps_the_bot_running(
    server: FakeTelegram, bot: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store = store_of(bot.bot_data)
    assert store is not None

    async def full_disk() -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store, "flush_counts", full_disk)
    with caplog.at_level(logging.WARNING):
        await flush_counts_job(CallbackContext(bot))
    assert "could not record statistics counts: OperationalError" in caplog.text
    [reply] = await say(server, "can i drink on imuran?", USER)
    assert reply
