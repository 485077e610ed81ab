"""Shared fixtures for the Telegram end-to-end tests: a fake Bot API server and the real bot on it."""

from __future__ import annotations

import datetime as dtm
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.config import Secret, Settings
from tests.fake_telegram import FakeTelegram

# The bot's transport honours HTTP(S)_PROXY; on a machine that sets one, the fake servers on
# 127.0.0.1 must still be reached directly.
os.environ["NO_PROXY"] = ",".join(filter(None, [os.environ.get("NO_PROXY"), "127.0.0.1", "localhost"]))

ROOT = Path(__file__).resolve().parents[1]
FAQ_DIR = ROOT / "faq"
#: Looks like a real token, so a leak would be easy to spot in captured logs.
TOKEN = "7001234567:AAH-fake-token_for_tests-0123456789"


def bot_settings(server: FakeTelegram, **overrides: Any) -> Settings:
    """Settings pointing the bot at ``server``, with the real shipped FAQ.

    The FAQ file watcher is off unless a test turns it on: the shipped folder may be edited
    while tests run, and no test should reload because of that.
    """
    settings = Settings(
        telegram_bot_token=Secret(server.token),
        telegram_base_url=server.base_url,
        faq_dir=FAQ_DIR,
        faq_auto_reload=False,
    )
    return replace(settings, **overrides)


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegram]:
    """A fake Telegram on 127.0.0.1; fails the test if the fake itself broke."""
    async with FakeTelegram(token=TOKEN) as srv:
        yield srv
        assert srv.internal_errors == []


StartBot = Callable[..., Awaitable[Any]]


@pytest.fixture
async def start_bot(server: FakeTelegram, tmp_path: Path) -> AsyncIterator[StartBot]:
    """Start the real Application (polling the fake server); stopped cleanly after the test.

    Keyword arguments override :class:`Settings` fields, except ``clock`` (the reminders' clock).
    The reminder database defaults to a file in the test's ``tmp_path``.
    """
    from bot.telegram.app import ALLOWED_UPDATES, build_application

    apps: list[Any] = []

    async def start(**overrides: Any) -> Any:
        clock = overrides.pop("clock", None)
        overrides.setdefault("database_path", tmp_path / "azabot.sqlite3")
        settings = bot_settings(server, **overrides)
        app = build_application(settings, clock=clock) if clock else build_application(settings)
        await app.initialize()
        apps.append(app)
        assert app.post_init is not None
        await app.post_init(app)  # run_polling does this; here we drive the lifecycle ourselves
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(
            poll_interval=0, timeout=dtm.timedelta(seconds=1), allowed_updates=ALLOWED_UPDATES
        )
        return app

    yield start
    for app in apps:
        if app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
            if app.post_stop is not None:
                await app.post_stop(app)
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


@pytest.fixture
async def app(start_bot: StartBot) -> Any:
    """The bot with default settings (rate limiter on)."""
    return await start_bot()
