"""`azabot backup`, `restore` and `health`: a live copy while the real bot answers over the fake
Bot API, a restore only when it has stopped, and files that are not our database refused."""

from __future__ import annotations

import asyncio
import datetime as dtm
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.storage.backup import BackupError, backup_database, inspect_database, restore_database
from bot.storage.dblock import DatabaseBusy, bot_is_running
from bot.storage.schema import MIGRATIONS, SCHEMA_VERSION
from bot.storage.store import Store
from tests.botprocess import bot_env, start_bot
from tests.conftest import TOKEN
from tests.fake_telegram import FakeTelegram
from tests.test_telegram_bot import say, text_of


def azabot(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )


def subscriptions(path: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(path) as db:
        return sorted(db.execute("SELECT chat_id, remind_at FROM subscriptions WHERE state = 'active'"))


async def stop(process: asyncio.subprocess.Process) -> str:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    output, _ = await asyncio.wait_for(process.communicate(), 30)
    return output.decode()


async def test_backup_while_the_bot_answers_then_restore_when_stopped(
    server: FakeTelegram, tmp_path: Path
) -> None:
    database = tmp_path / "data" / "azabot.sqlite3"
    copy = tmp_path / "backup.sqlite3"
    env = bot_env(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=server.base_url, DATABASE_PATH=str(database))
    process = await start_bot(tmp_path, env)
    try:
        await server.wait_for_call("getUpdates", 1, timeout=30)
        [confirmation] = await say(server, "/remind 08:00", chat_id=1)
        assert "08:00" in text_of(confirmation)
        assert azabot("health", env=env, cwd=tmp_path).returncode == 0

        # The backup runs while questions keep arriving and being answered.
        for n in range(20):
            server.push_text(100 + n, "can I drink alcohol on azathioprine?")
        backup = await asyncio.to_thread(azabot, "backup", str(copy), env=env, cwd=tmp_path)
        assert backup.returncode == 0, backup.stderr
        assert "1 reminder subscription" in backup.stdout
        await server.wait_for_sent(1, chat_id=119, timeout=30)  # the last of them still answered

        await say(server, "/remind 09:30", chat_id=2)  # after the backup: not in the copy
        refused = azabot("restore", str(copy), env=env, cwd=tmp_path)
        assert refused.returncode == 1
        assert "Nothing was restored" in refused.stderr and "stop it first" in refused.stderr
        assert "Traceback" not in refused.stderr
        assert subscriptions(database) == [(1, "08:00"), (2, "09:30")]
    finally:
        output = await stop(process)
    assert process.returncode == 0, output
    assert azabot("health", env=env, cwd=tmp_path).returncode == 1

    restored = azabot("restore", str(copy), env=env, cwd=tmp_path)
    assert restored.returncode == 0, restored.stderr
    assert subscriptions(database) == [(1, "08:00")]
    [kept] = tmp_path.joinpath("data").glob("azabot.before-restore-*.sqlite3")
    assert subscriptions(kept) == [(1, "08:00"), (2, "09:30")]
    assert not database.with_name(database.name + "-wal").exists()

    # The restored file is the bot's database again: it starts on it and knows chat 1's time.
    polls = len([call for call in server.calls if call["method"] == "getUpdates"])
    process = await start_bot(tmp_path, env)
    try:
        await server.wait_for_call("getUpdates", polls + 1, timeout=30)
        [current] = await say(server, "/remind", chat_id=1)
        assert "08:00" in text_of(current)
    finally:
        output = await stop(process)
    assert process.returncode == 0, output
    assert "Traceback" not in output


def make_database(path: Path, version: int) -> None:
    """A database as a bot of schema ``version`` left it, with one subscription."""
    with sqlite3.connect(path) as db:
        for script in MIGRATIONS[:version]:
            db.executescript(script)
        db.execute(f"PRAGMA user_version = {version}")
        db.execute(
            "INSERT INTO subscriptions (chat_id, remind_at, state, created_at, updated_at) "
            "VALUES (7, '08:00', 'active', '2026-01-01', '2026-01-01')"
        )
    sqlite3.connect(path).close()


def test_restore_refuses_a_file_that_is_not_an_sqlite_database(tmp_path: Path) -> None:
    database = tmp_path / "azabot.sqlite3"
    make_database(database, SCHEMA_VERSION)
    junk = tmp_path / "notes.sqlite3"
    junk.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(BackupError, match="not an SQLite database"):
        restore_database(junk, database)
    assert subscriptions(database) == [(7, "08:00")]


def test_restore_refuses_another_programs_database_and_a_newer_schema(tmp_path: Path) -> None:
    database = tmp_path / "azabot.sqlite3"
    make_database(database, SCHEMA_VERSION)
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE photos (id INTEGER)")
    sqlite3.connect(other).close()
    with pytest.raises(BackupError, match="not an azabot database"):
        restore_database(other, database)
    newer = tmp_path / "newer.sqlite3"
    make_database(newer, SCHEMA_VERSION)
    with sqlite3.connect(newer) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    sqlite3.connect(newer).close()
    with pytest.raises(BackupError, match="newer than this bot knows"):
        restore_database(newer, database)


async def test_restore_refuses_while_a_store_has_the_database_open(tmp_path: Path) -> None:
    database = tmp_path / "azabot.sqlite3"
    backup = tmp_path / "copy.sqlite3"
    make_database(backup, SCHEMA_VERSION)
    store = await Store.open(database, lambda: dtm.datetime.now(dtm.UTC))
    try:
        assert bot_is_running(database)
        with pytest.raises(DatabaseBusy, match="stop it first"):
            restore_database(backup, database)
    finally:
        await store.close()
    assert not bot_is_running(database)
    restore_database(backup, database)
    assert subscriptions(database) == [(7, "08:00")]


async def test_an_older_backup_is_restored_and_upgraded_when_the_bot_starts(tmp_path: Path) -> None:
    database = tmp_path / "azabot.sqlite3"
    old = tmp_path / "old.sqlite3"
    make_database(old, 1)
    info, kept = restore_database(old, database)
    assert (info.schema_version, kept) == (1, None)
    store = await Store.open(database, lambda: dtm.datetime.now(dtm.UTC))
    await store.close()
    assert inspect_database(database).schema_version == SCHEMA_VERSION
    assert subscriptions(database) == [(7, "08:00")]


def test_backup_into_a_folder_gets_a_dated_name_and_a_missing_database_is_named(tmp_path: Path) -> None:
    database = tmp_path / "azabot.sqlite3"
    with pytest.raises(BackupError, match=str(database)):
        backup_database(database, tmp_path / "x.sqlite3")
    make_database(database, SCHEMA_VERSION)
    folder = tmp_path / "backups"
    folder.mkdir()
    info = backup_database(database, folder, now=dtm.datetime(2026, 12, 8, 3, 4, 5, tzinfo=dtm.UTC))
    assert info.path == folder / "azabot-20261208-030405.sqlite3"
    assert subscriptions(info.path) == [(7, "08:00")]
    assert [p.name for p in folder.iterdir()] == [info.path.name]  # no partial file left behind
