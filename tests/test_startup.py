"""Starting and staying up: the base URL, the token never printed, 401/409, no network at start."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
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
