"""First-run rough edges an operator meets: a closed pipe, the wrong folder, a YAML slip, a
deleted required entry. Each ends in one plain sentence that says what to do, never a traceback."""

from __future__ import annotations

import asyncio
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from bot.knowledge.faq import required_topic_ids
from tests.botprocess import bot_env, start_bot
from tests.conftest import FAQ_DIR, ROOT, TOKEN
from tests.fake_telegram import FakeTelegram


def azabot(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env or bot_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )


def faq_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "faq"
    shutil.copytree(FAQ_DIR, folder, ignore=shutil.ignore_patterns(".backups", "README.md"))
    return folder


def test_list_into_a_pipe_closed_early_ends_without_a_traceback() -> None:
    # What `azabot list | head` does: the reader goes away before the listing is written.
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "list"],
        cwd=ROOT,
        env=bot_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    errors = process.stderr.read().decode()
    process.wait(timeout=60)
    assert "Traceback" not in errors
    assert "BrokenPipe" not in errors
    assert errors == ""


def test_check_started_in_another_folder_says_where_it_looked_and_how_to_set_faq_dir(
    tmp_path: Path,
) -> None:
    env = bot_env()
    del env["FAQ_DIR"]
    result = azabot("check", cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert str(tmp_path / "faq") in result.stderr
    assert "does not exist" in result.stderr
    assert "FAQ_DIR" in result.stderr


def test_a_yaml_slip_is_named_first_in_plain_words_without_knock_on_problems(tmp_path: Path) -> None:
    folder = faq_copy(tmp_path)
    lifestyle = folder / "lifestyle.yaml"
    text = lifestyle.read_text()
    question = "question: Can I drink alcohol while taking azathioprine?"
    assert question in text
    lifestyle.write_text(
        text.replace(question, "question: Alcohol: can I drink it while taking azathioprine?")
    )
    line = text[: text.index(question)].count("\n") + 1

    result = azabot("check", str(folder), cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f"{lifestyle}:{line}: this file cannot be read: a text with ': ' in it needs quotes around the "
        "whole text, or a line is indented wrongly"
    )
    # The entries of lifestyle.yaml are not reported as missing, nor other files' links to them.
    assert [x for x in lines if x.startswith(str(folder))] == [lines[0]]
    assert "mapping values" not in result.stderr


def test_a_deleted_required_entry_is_named_and_the_faq_readme_lists_the_required_topics(
    tmp_path: Path,
) -> None:
    folder = faq_copy(tmp_path)
    taking = folder / "taking-it.yaml"
    text = taking.read_text()
    start = text.index("  - id: missed-dose\n")
    end = text.index("  - id:", start + 1)
    taking.write_text(text[:start] + text[end:])
    result = azabot("check", str(folder), cwd=tmp_path)
    assert result.returncode == 1
    assert f"{folder}: the entry 'missed-dose' is missing: every FAQ must have it" in result.stderr
    assert "faq/README.md" in result.stderr
    readme = (FAQ_DIR / "README.md").read_text()
    assert [topic for topic in required_topic_ids() if f"`{topic}`" not in readme] == []


async def test_run_says_which_faq_folder_and_database_it_uses_from_the_env_files_folder(
    server: FakeTelegram, tmp_path: Path
) -> None:
    faq_copy(tmp_path)
    (tmp_path / ".env").write_text("FAQ_DIR=faq\nDATABASE_PATH=state/bot.sqlite3\nFAQ_AUTO_RELOAD=0\n")
    env = bot_env(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=server.base_url)
    del env["FAQ_DIR"]
    process = await start_bot(tmp_path, env)
    try:
        await server.wait_for_call("getUpdates", 1, timeout=30)
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    text = output.decode()
    assert process.returncode == 0, text
    assert f"FAQ folder {tmp_path / 'faq'}, database {tmp_path / 'state' / 'bot.sqlite3'}" in text
    assert (tmp_path / "state" / "bot.sqlite3").is_file()
