"""Starting and staying up: the base URL, the token never printed, 401/409, no network at start."""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import SettingsError
from tests.botprocess import bot_env, start_bot
from tests.conftest import TOKEN
from tests.fake_telegram import FakeTelegram

BAD_BASE_URLS = {
    "no /bot": "http://127.0.0.1:9/",
    "a port out of range": "http://127.0.0.1:99999/bot",
    "a port that is no number": "http://127.0.0.1:http/bot",
    "ftp": "ftp://127.0.0.1/bot",
    "a broken IPv6 address": "http://[::1/bot",
    "no scheme": "127.0.0.1:9/bot",
}


@pytest.mark.parametrize("url", BAD_BASE_URLS.values(), ids=BAD_BASE_URLS.keys())
def test_a_malformed_base_url_stops_with_a_sentence_and_never_the_token(tmp_path: Path, url: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=bot_env(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = result.stdout + result.stderr
    assert TOKEN not in output
    assert TOKEN.split(":")[1] not in output
    assert "Traceback" not in output
    assert result.returncode == 2, output
    assert "TELEGRAM_BASE_URL" in result.stderr


def test_base_urls_that_work_are_accepted() -> None:
    from bot.config import check_base_url

    for url in ("https://api.telegram.org/bot", "http://127.0.0.1:8081/bot", "http://[::1]:8081/bot"):
        assert check_base_url(url) == url
    with pytest.raises(SettingsError, match="end in /bot"):
        check_base_url("https://api.telegram.org/bot?x=1")


def test_an_unexpected_error_leaving_main_is_printed_without_the_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import bot.telegram.app as telegram_app

    def explode(*_: object) -> None:
        raise RuntimeError(f"cannot reach https://example.org/bot{TOKEN}/getMe")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_BASE_URL", "http://127.0.0.1:9/bot")
    monkeypatch.setattr(telegram_app, "run", explode)
    saved = sys.stdout, sys.stderr
    try:
        code = main(["run"])
    finally:
        sys.stdout, sys.stderr = saved
    captured = capsys.readouterr()
    assert code == 1
    assert "unexpected error" in captured.err
    assert TOKEN not in captured.err + captured.out
    assert "/bot***/getMe" in captured.err


async def test_debug_logging_keeps_message_text_and_names_out_of_the_log(
    server: FakeTelegram, tmp_path: Path
) -> None:
    env = bot_env(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=server.base_url, LOG_LEVEL="DEBUG")
    process = await start_bot(tmp_path, env)
    try:
        await server.wait_for_call("getUpdates", 1, timeout=30)
        server.push_text(31337, "Zebracorn imuran question", username="zed_patient", first_name="Zedediah")
        await server.wait_for_sent(1, chat_id=31337, timeout=10)
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), 20)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    text = output.decode()
    assert "update 1" in text or "DEBUG bot." in text  # DEBUG is on for the bot's own lines
    for private in ("Zebracorn", "zed_patient", "Zedediah"):
        assert private not in text


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def read_until(
    process: asyncio.subprocess.Process, needle: str, seen: list[str], within: float
) -> None:
    """Read the bot's output line by line into ``seen`` until a line contains ``needle``."""
    assert process.stdout is not None
    async with asyncio.timeout(within):
        while True:
            line = (await process.stdout.readline()).decode()
            if not line:
                raise AssertionError(f"the bot exited before {needle!r}:\n{''.join(seen)}")
            seen.append(line)
            if needle in line:
                return


async def stop(process: asyncio.subprocess.Process, seen: list[str]) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    try:
        rest, _ = await asyncio.wait_for(process.communicate(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    seen.append(rest.decode())


async def test_with_no_server_at_start_the_bot_retries_then_connects_without_a_traceback(
    tmp_path: Path,
) -> None:
    port = free_port()
    env = bot_env(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=f"http://127.0.0.1:{port}/bot")
    process = await start_bot(tmp_path, env)
    seen: list[str] = []
    try:
        await read_until(process, "attempt 2", seen, within=30)
        async with FakeTelegram(token=TOKEN, port=port) as server:
            await server.wait_for_call("getUpdates", 1, timeout=60)
            server.push_text(1, "/start")
            await server.wait_for_sent(1, chat_id=1, timeout=10)
            await stop(process, seen)
    finally:
        await stop(process, seen)
    output = "".join(seen)
    assert process.returncode == 0, output
    assert "Traceback" not in output
    assert output.count("cannot reach Telegram") >= 2
    assert TOKEN not in output


async def test_stopping_while_waiting_for_the_network_is_prompt(tmp_path: Path) -> None:
    env = bot_env(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=f"http://127.0.0.1:{free_port()}/bot")
    process = await start_bot(tmp_path, env)
    seen: list[str] = []
    await read_until(process, "attempt 1", seen, within=30)
    started = time.monotonic()
    await stop(process, seen)
    assert time.monotonic() - started < 5
    assert process.returncode == 0
    assert "Traceback" not in "".join(seen)


async def test_a_token_revoked_while_running_stops_the_bot_with_one_clear_message(
    server: FakeTelegram, tmp_path: Path
) -> None:
    env = bot_env(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=server.base_url)
    process = await start_bot(tmp_path, env)
    seen: list[str] = []
    try:
        await server.wait_for_call("getUpdates", 1, timeout=30)
        server.token = "7001234567:AAH-another-token"  # as if revoked with @BotFather
        assert process.stdout is not None
        output, _ = await asyncio.wait_for(process.communicate(), 30)
        seen.append(output.decode())
    finally:
        await stop(process, seen)
    text = "".join(seen)
    assert process.returncode == 1, text
    assert text.count("does not accept the bot token") == 1, text
    assert "Traceback" not in text


async def test_two_instances_on_one_token_are_told_about_the_409_in_plain_words(
    server: FakeTelegram, tmp_path: Path
) -> None:
    env = bot_env(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=server.base_url)
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    first = await start_bot(tmp_path / "one", env)
    await server.wait_for_call("getUpdates", 1, timeout=30)
    second = await start_bot(tmp_path / "two", env)
    outputs: list[str] = []
    try:
        await server.wait_for_call("getUpdates", 6, timeout=30)
        await asyncio.sleep(3)
    finally:
        await stop(first, outputs)
        await stop(second, outputs)
    text = "".join(outputs)
    assert "409 Conflict" in text
    assert "Traceback" not in text
    assert text.count("409 Conflict") <= 2  # once a minute per process, not once per poll


async def test_a_token_refused_at_start_exits_non_zero_with_one_clear_message(
    server: FakeTelegram, tmp_path: Path
) -> None:
    env = bot_env(TELEGRAM_BOT_TOKEN="7001234567:AAH-not-this-bots-token", TELEGRAM_BASE_URL=server.base_url)
    process = await start_bot(tmp_path, env)
    seen: list[str] = []
    try:
        output, _ = await asyncio.wait_for(process.communicate(), 60)
        seen.append(output.decode())
    finally:
        await stop(process, seen)
    text = "".join(seen)
    assert process.returncode == 1, text
    assert text.count("does not accept the bot token") == 1, text
    assert "Traceback" not in text
    assert "AAH-not-this-bots-token" not in text
