"""`azabot run` in webhook mode: the real bot in a subprocess, the fake Bot API server, real HTTP.

One bot process is shared by the tests that talk to a running bot; the shutdown tests get their
own process, stopped once by SIGTERM in the ``stopped_bot`` fixture. Everything stays on
127.0.0.1 on free ports; the reminder database lives in a temporary folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import signal
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio

from bot.telegram.app import ALLOWED_UPDATES
from tests.botprocess import bot_env, start_bot
from tests.conftest import TOKEN
from tests.fake_telegram import JSON, FakeTelegram, make_chat, make_message, make_user
from tests.shipped import shipped_knowledge

pytestmark = pytest.mark.asyncio(loop_scope="module")

SECRET = "webhook-secret_for-tests-0123456789"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH = "telegram/webhook"
#: Generous limits for a slow 2-core machine; every wait polls and returns as soon as it can.
START_TIMEOUT = 120.0  # interpreter, PTB, the FAQ and its embeddings
REPLY_TIMEOUT = 30.0
STOP_TIMEOUT = 20.0
_update_ids = itertools.count(700_000_001)


@dataclass
class WebhookBot:
    """A running ``azabot run`` in webhook mode and the fake Telegram it talks to."""

    server: FakeTelegram
    process: asyncio.subprocess.Process
    url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@dataclass
class StoppedBot:
    """What happened when a webhook bot was sent SIGTERM (``returncode`` None: it had to be killed)."""

    server: FakeTelegram
    url: str
    returncode: int | None
    seconds: float
    log: str


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def webhook_env(server: FakeTelegram, workdir: Path, url: str, port: int) -> dict[str, str]:
    return bot_env(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_BASE_URL=server.base_url,
        FAQ_AUTO_RELOAD="off",  # others may edit faq/ while the tests run
        DATABASE_PATH=str(workdir / "azabot.sqlite3"),
        LOG_LEVEL="DEBUG",
        WEBHOOK_URL=url,
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(port),
        WEBHOOK_SECRET=SECRET,
    )


async def wait_until_listening(bot: WebhookBot, port: int) -> None:
    """Poll until the webhook port accepts connections; fail early if the bot exits."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_TIMEOUT
    while True:
        if bot.process.returncode is not None:
            raise AssertionError(f"the bot exited with {bot.process.returncode}:\n{bot.log()}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if loop.time() > deadline:
                raise AssertionError(f"the webhook never listened on {port}:\n{bot.log()}") from None
            await asyncio.sleep(0.1)
            continue
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        return


async def terminate(process: asyncio.subprocess.Process) -> int | None:
    """SIGTERM, then wait; kill if it does not stop in time (and return None then)."""
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
        except TimeoutError:
            process.kill()
            await process.wait()
            return None
    return process.returncode


@contextlib.asynccontextmanager
async def webhook_bot(workdir: Path) -> AsyncIterator[WebhookBot]:
    """Start the fake server and ``python -m bot run`` in webhook mode; yield once it listens."""
    async with FakeTelegram(token=TOKEN) as server:
        port = free_port()
        url = f"http://127.0.0.1:{port}/{WEBHOOK_PATH}"
        log_path = workdir / "bot.log"
        with log_path.open("wb") as log_file:
            process = await start_bot(workdir, webhook_env(server, workdir, url, port), log_file)
        bot = WebhookBot(server, process, url, log_path)
        try:
            await wait_until_listening(bot, port)
            yield bot
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        assert server.internal_errors == []


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def running_bot(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[WebhookBot]:
    """One webhook bot for the tests that only talk to it."""
    async with webhook_bot(tmp_path_factory.mktemp("webhook")) as bot:
        yield bot
        await terminate(bot.process)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stopped_bot(tmp_path_factory: pytest.TempPathFactory) -> StoppedBot:
    """A second webhook bot, started and then sent SIGTERM; the tests check what that did."""
    async with webhook_bot(tmp_path_factory.mktemp("webhook-stop")) as bot:
        started = time.monotonic()
        returncode = await terminate(bot.process)
        seconds = time.monotonic() - started
    return StoppedBot(bot.server, bot.url, returncode, seconds, bot.log())


def text_update(chat_id: int, text: str) -> JSON:
    """A private-chat text message, as Telegram would POST it to the webhook."""
    chat = make_chat(chat_id)
    message = make_message(1, chat, make_user(chat_id), text=text)
    return {"update_id": next(_update_ids), "message": message}


async def post_update(bot: WebhookBot, update: JSON, secret: str | None) -> int:
    """POST ``update`` to the bot's webhook; returns the HTTP status."""
    headers = {} if secret is None else {SECRET_HEADER: secret}
    timeout = aiohttp.ClientTimeout(total=REPLY_TIMEOUT)
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.post(bot.url, json=update, headers=headers) as response,
    ):
        return response.status


def sent_to(server: FakeTelegram, chat_id: int) -> list[JSON]:
    return [s for s in server.sent if s["chat_id"] == chat_id]


ALCOHOL = "can i drink alcohol on azathioprine"  # a phrasing of the FAQ entry "alcohol"


# -- running --------------------------------------------------------------------------------------


async def test_start_sets_the_webhook_to_the_configured_url_with_the_secret(running_bot: WebhookBot) -> None:
    [params] = running_bot.server.calls_to("setWebhook")
    assert params["url"] == running_bot.url
    assert params["secret_token"] == SECRET
    assert params["allowed_updates"] == ALLOWED_UPDATES
    assert running_bot.server.webhook_url == running_bot.url


async def test_webhook_mode_never_polls_get_updates(running_bot: WebhookBot) -> None:
    assert running_bot.server.calls_to("getUpdates") == []
    assert running_bot.server.calls_to("deleteWebhook") == []


async def test_update_posted_with_the_secret_is_answered_with_the_faq_answer_and_safety_reminder(
    running_bot: WebhookBot,
) -> None:
    chat_id = 5101
    assert await post_update(running_bot, text_update(chat_id, ALCOHOL), SECRET) == 200
    [reply] = await running_bot.server.wait_for_sent(1, REPLY_TIMEOUT, chat_id=chat_id)
    assert reply["method"] == "sendMessage"
    text = reply["message"]["text"]
    knowledge = shipped_knowledge()
    entry = knowledge.get("alcohol")
    assert entry is not None
    assert entry.question in text
    assert entry.short.strip() in text
    reminder = [p.strip() for p in knowledge.safety.reminder.strip().split("\n\n")]
    assert all(paragraph in text for paragraph in reminder)
    assert text.endswith(reminder[-1])


@pytest.mark.parametrize("secret", ["not-the-secret", None], ids=["wrong-secret", "no-secret"])
async def test_update_posted_without_the_right_secret_is_refused_with_403_and_not_answered(
    running_bot: WebhookBot, secret: str | None
) -> None:
    refused_chat, witness_chat = (5201, 5202) if secret else (5301, 5302)
    assert await post_update(running_bot, text_update(refused_chat, ALCOHOL), secret) == 403
    # A good update after the refused one: once it is answered, the bot has had every chance
    # to answer the refused one too.
    assert await post_update(running_bot, text_update(witness_chat, ALCOHOL), SECRET) == 200
    await running_bot.server.wait_for_sent(1, REPLY_TIMEOUT, chat_id=witness_chat)
    assert sent_to(running_bot.server, refused_chat) == []


# -- stopping -------------------------------------------------------------------------------------


async def test_sigterm_stops_the_webhook_bot_cleanly_with_exit_code_0(stopped_bot: StoppedBot) -> None:
    assert stopped_bot.returncode == 0, stopped_bot.log
    assert stopped_bot.seconds < STOP_TIMEOUT
    assert "bot stopped" in stopped_bot.log  # post_shutdown ran
    assert "Traceback" not in stopped_bot.log


async def test_debug_log_never_shows_the_token_or_the_webhook_secret(stopped_bot: StoppedBot) -> None:
    assert " DEBUG " in stopped_bot.log  # DEBUG is on; PTB's own loggers stay at INFO (issue 21 #4),
    assert "setWebhook" not in stopped_bot.log  # so the call's parameters are not logged at all
    assert TOKEN not in stopped_bot.log
    assert SECRET not in stopped_bot.log


async def test_shutdown_leaves_the_webhook_registered_with_telegram(stopped_bot: StoppedBot) -> None:
    # PTB does not call deleteWebhook on shutdown: Telegram keeps the webhook and holds updates
    # for the next start, which sets it again.
    assert stopped_bot.server.calls_to("deleteWebhook") == []
    assert stopped_bot.server.webhook_url == stopped_bot.url


async def test_an_update_the_library_cannot_read_is_logged_by_id_without_its_text(
    running_bot: WebhookBot,
) -> None:
    update = text_update(5401, "Zebracorn question from a patient")
    update["message"]["date"] = "soon"  # PTB cannot parse this update
    await post_update(running_bot, update, SECRET)
    witness = 5402  # a good update afterwards is still answered
    assert await post_update(running_bot, text_update(witness, ALCOHOL), SECRET) == 200
    await running_bot.server.wait_for_sent(1, REPLY_TIMEOUT, chat_id=witness)
    log = running_bot.log()
    assert f"update {update['update_id']} posted to the webhook could not be read" in log, log[-1500:]
    assert "Zebracorn" not in log
    assert "CRITICAL" not in log
