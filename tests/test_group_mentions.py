"""Issue 21 #14: a mention of the bot is stripped whatever its case, and never stored."""

from __future__ import annotations

import datetime as dtm
from typing import Any

import pytest

from bot.telegram.handlers import STORE_KEY
from tests.fake_telegram import FakeTelegram

GROUP = -1009876543
KIND: dict[str, Any] = {"chat_type": "supergroup", "title": "IBD support"}


async def ask(server: FakeTelegram, mention: str, question: str) -> str:
    before = len([s for s in server.sent if int(s["chat_id"]) == GROUP])
    server.push_text(
        GROUP,
        f"{mention} {question}",
        entities=[{"type": "mention", "offset": 0, "length": len(mention)}],
        **KIND,
    )
    sent = await server.wait_for_sent(before + 1, chat_id=GROUP, timeout=10)
    return str(sent[-1]["text"])


@pytest.mark.parametrize("mention", ["@AZATESTBOT", "@azatestbot", "@AzatestBOT"])
async def test_a_mention_in_another_case_gets_the_same_answer(
    server: FakeTelegram, app: Any, mention: str
) -> None:
    question = "wine"
    expected = await ask(server, "@AzaTestBot", question)
    assert await ask(server, mention, question) == expected


async def test_a_mention_in_another_case_is_not_stored_with_an_unanswered_question(
    server: FakeTelegram, app: Any
) -> None:
    await ask(server, "@AZATESTBOT", "does the zebracorn quantum widget hum?")
    since = dtm.datetime.now(dtm.UTC) - dtm.timedelta(hours=1)
    stored = await app.bot_data[STORE_KEY].unanswered_since(since)
    assert stored, "the fallback question should be kept for the admins"
    assert all("azatestbot" not in q.text.lower() for q in stored)
