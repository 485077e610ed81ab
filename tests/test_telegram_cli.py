"""`azabot run`, `chat` and `start`: a real subprocess against the fake server, and the chat loop."""

from __future__ import annotations

import asyncio
import io
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import chat_loop, main
from bot.knowledge.faq import load_knowledge, required_topic_ids
from bot.matching.matcher import Matcher
from tests.botprocess import bot_env, start_bot
from tests.conftest import FAQ_DIR, TOKEN
from tests.fake_telegram import FakeTelegram


async def test_run_polls_answers_and_stops_on_sigterm(server: FakeTelegram, tmp_path: Path) -> None:
    env = bot_env(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=server.base_url, LOG_LEVEL="DEBUG")
    process = await start_bot(tmp_path, env)
    try:
        await server.wait_for_call("getUpdates", 1, timeout=30)
        server.push_text(1, "/start")
        [welcome] = await server.wait_for_sent(1, chat_id=1, timeout=10)
        assert "not a doctor" in welcome["message"]["text"]
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), 20)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    text = output.decode()
    assert process.returncode == 0, text
    assert TOKEN not in text
    assert "ready" in text  # the start-up log line
    assert [c["command"] for c in server.commands()][:3] == ["start", "topics", "help"]


def test_run_without_token_explains_and_exits_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=bot_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "@BotFather" in result.stderr
    assert ".env" in result.stderr
    assert "azabot chat" in result.stderr


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    result = load_knowledge(FAQ_DIR, required_topic_ids())
    assert result.knowledge is not None
    return Matcher(result.knowledge)


def test_chat_numbers_choose_buttons_and_quit_ends(matcher: Matcher) -> None:
    out = io.StringIO()
    chat_loop(
        matcher.knowledge,
        matcher,
        iter(["1\n", "1\n", "can I drink alcohol?\n", "1\n", "quit\n", "x\n"]),
        out,
    )
    text = out.getvalue()
    reminder_end = matcher.knowledge.safety.reminder.strip().split("\n\n")[-1].strip()
    assert "not a doctor" in text  # the welcome
    first_category = matcher.knowledge.categories[0]
    first_entry = matcher.knowledge.in_category(first_category)[0]
    assert first_entry.question in text  # category 1, then its entry 1
    assert "alcohol" in text.lower()
    assert text.count(reminder_end) >= 3
    assert "Sources:" in text  # "1" under the alcohol answer is "More": the full answer


def test_chat_ends_on_eof_and_knows_commands(matcher: Matcher) -> None:
    out = io.StringIO()
    chat_loop(matcher.knowledge, matcher, iter(["/privacy\n", "/topics\n"]), out)
    # The terminal's own privacy text: what this chat stores, not what Telegram chats store.
    assert "Privacy (terminal chat)" in out.getvalue()
    assert "« All topics" not in out.getvalue()


def test_start_without_token_runs_the_chat(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("FAQ_DIR", str(FAQ_DIR))
    monkeypatch.setattr(sys, "stdin", io.StringIO("quit\n"))
    assert main(["start"]) == 0
    captured = capsys.readouterr()
    assert "terminal chat" in captured.err
    assert len(captured.err.strip().splitlines()) == 1
    assert "Hello!" in captured.out


async def test_run_refuses_to_start_with_an_invalid_faq(server: FakeTelegram, tmp_path: Path) -> None:
    env = bot_env(
        TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=server.base_url, FAQ_DIR=str(tmp_path / "no-faq-here")
    )
    process = await start_bot(tmp_path, env)
    output, _ = await asyncio.wait_for(process.communicate(), 30)
    text = output.decode()
    assert process.returncode == 1, text
    assert "will not start" in text
    assert TOKEN not in text
    assert server.calls_to("getUpdates") == []


@pytest.mark.parametrize(
    ("message", "first_words"),
    [
        ("i want to kill myself", "⚠️ Call 999 now if you might act"),
        ("my baby is floppy and wont wake", "⚠️ Call 999 now"),
    ],
)
def test_chat_leads_crisis_and_emergency_replies_with_the_number(
    matcher: Matcher, message: str, first_words: str
) -> None:
    out = io.StringIO()
    chat_loop(matcher.knowledge, matcher, iter([f"{message}\n"]), out)
    reply = out.getvalue().split("you> ", 1)[1].lstrip()
    assert reply.startswith(first_words)
