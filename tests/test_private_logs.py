"""Issue 21 #20: nothing a user typed reaches the log, even when a handler fails on it."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from telegram import Update
from telegram.ext import ContextTypes, MessageHandler, filters

from tests.fake_telegram import FakeTelegram

CHAT = 5150


async def test_a_handler_failing_on_a_message_logs_where_but_not_what_was_typed(
    server: FakeTelegram, app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    async def fails(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        text = update.effective_message.text if update.effective_message else ""
        raise ValueError(f"cannot use {text!r}")  # as int(), ZoneInfo() and friends quote input

    app.add_handler(MessageHandler(filters.Regex("^boom"), fails), group=-1)
    caplog.set_level(logging.DEBUG, logger="bot")
    server.push_text(CHAT, "boom Zebracorn 07700 900123")
    [apology] = await server.wait_for_sent(1, chat_id=CHAT, timeout=10)
    assert "went wrong" in apology["text"]
    assert "ValueError" in caplog.text  # the failure is logged, with where it happened
    assert "test_private_logs.py" in caplog.text
    assert "Zebracorn" not in caplog.text
    assert "07700" not in caplog.text


ODD_INPUT = ["/remind ²", "/timezone ³", "/remind 08:00 Mars/Olympus_Mons", "/nexttest ٣"]


@pytest.mark.parametrize("text", ODD_INPUT)
async def test_odd_input_to_commands_never_reaches_the_log(
    server: FakeTelegram, app: Any, caplog: pytest.LogCaptureFixture, text: str
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    server.push_text(CHAT, text)
    await server.wait_for_sent(1, chat_id=CHAT, timeout=10)
    typed = text.split(maxsplit=1)[1]
    assert typed not in caplog.text


async def test_an_update_the_library_cannot_read_is_skipped_once_and_the_bot_goes_on(
    server: FakeTelegram, app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    bad = server.push_update(
        {
            "message": {
                "message_id": 1,
                "date": "soon",
                "chat": {"id": CHAT, "type": "private"},
                "text": "Zebracorn",
            }
        }
    )
    server.push_text(CHAT, "can i drink alcohol on azathioprine?")
    [answer] = await server.wait_for_sent(1, chat_id=CHAT, timeout=10)
    assert answer["text"]
    server.push_text(CHAT, "/help")  # and the next poll is not wedged either
    await server.wait_for_sent(2, chat_id=CHAT, timeout=10)
    skipped = [r for r in caplog.records if "could not be read" in r.getMessage()]
    assert len(skipped) == 1
    assert str(bad["update_id"]) in skipped[0].getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.CRITICAL]
    assert "Zebracorn" not in caplog.text
    assert bad["update_id"] not in [u["update_id"] for u in server.pending_updates]  # confirmed
