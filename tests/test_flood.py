"""Issue 21 #1: one chat flooding the bot must not stall the others, under Telegram-like limits.

The fake server enforces Telegram's limits (30 sends in any second, one a second per private
chat, 429 with retry_after beyond); the bot runs with its rate limiter, as in production.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from tests.conftest import StartBot
from tests.fake_telegram import FakeTelegram

FLOODER = 777
OTHERS = range(900, 920)
QUESTION = "can i drink alcohol on azathioprine?"
SORRY = "something went wrong"


def texts_to(server: FakeTelegram, chat: int) -> list[str]:
    return [str(s["text"]) for s in server.sent if int(s["chat_id"]) == chat and s["method"] == "sendMessage"]


async def answer_times(server: FakeTelegram, chats: range, pushed: float, timeout: float) -> list[float]:  # noqa: ASYNC109
    """Seconds from ``pushed`` to each chat's first answer."""
    await server.wait_for_sent(len(chats), timeout=timeout, method="sendMessage")  # at least as many
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        firsts: dict[int, float] = {}
        for call in server.calls:
            chat = int(call["params"].get("chat_id") or 0)
            if call["method"] == "sendMessage" and call["status"] == 200 and chat in chats:
                firsts.setdefault(chat, call["time"])
        if len(firsts) == len(chats):
            return [t - pushed for t in firsts.values()]
        await asyncio.sleep(0.05)
    raise AssertionError(f"only {len(firsts)} of {len(chats)} chats were answered")


async def test_one_chat_flooding_does_not_hold_up_other_chats(
    server: FakeTelegram, start_bot: StartBot
) -> None:
    server.flood_limit(30, per_chat_per_second=1)
    await start_bot()
    for _ in range(50):
        server.push_text(FLOODER, QUESTION)
    pushed = time.monotonic()
    for chat in OTHERS:
        server.push_text(chat, QUESTION)
    waits = await answer_times(server, OTHERS, pushed, timeout=30)
    assert max(waits) < 3.0, sorted(waits)


async def test_a_flooding_chat_is_told_how_many_were_not_read_and_nothing_fails(
    server: FakeTelegram, start_bot: StartBot
) -> None:
    server.flood_limit(30, per_chat_per_second=1)
    await start_bot()
    for _ in range(50):
        server.push_text(FLOODER, QUESTION)
    while not any("not read" in t for t in texts_to(server, FLOODER)):
        await server.wait_for_sent(len(texts_to(server, FLOODER)) + 1, chat_id=FLOODER, timeout=10)
    await asyncio.sleep(1.5)  # a second notice, or an answer after it, would show up now
    replies = texts_to(server, FLOODER)
    notices = [t for t in replies if "not read" in t]
    answers = [t for t in replies if "not read" not in t]
    assert len(notices) == 1, replies
    skipped = int(notices[0].split(" so ")[1].split()[0])
    assert len(answers) + skipped == 50  # every message answered or counted in the notice
    assert not any(SORRY in t.lower() for t in replies)


async def test_a_429_for_one_chat_does_not_pause_the_others(server: FakeTelegram, app: Any) -> None:
    server.fail_next("sendMessage", 429, retry_after=4, chat_id=FLOODER)
    server.push_text(FLOODER, QUESTION)
    await server.wait_for_call("sendMessage", 1, timeout=10)
    pushed = time.monotonic()
    server.push_text(901, QUESTION)
    [answer] = await server.wait_for_sent(1, chat_id=901, timeout=10)
    waited = next(c["time"] for c in server.calls if int(c["params"].get("chat_id") or 0) == 901) - pushed
    assert waited < 1.5
    assert answer["text"]
    await server.wait_for_sent(1, chat_id=FLOODER, timeout=10)  # and the refused one went out later


async def test_shutdown_during_a_flood_is_prompt(server: FakeTelegram, start_bot: StartBot) -> None:
    server.flood_limit(30, per_chat_per_second=1)
    app = await start_bot()
    for _ in range(50):
        server.push_text(FLOODER, QUESTION)
    await server.wait_for_sent(1, chat_id=FLOODER, timeout=10)
    started = time.monotonic()
    await app.updater.stop()
    await app.stop()
    assert time.monotonic() - started < 8.0
