"""End-to-end capacity benchmark through the fake Bot API server on 127.0.0.1.

1. Capacity: a burst of messages from many simulated users, outgoing rate limiter off (in
   production it holds sends at Telegram's ~30/s and would hide the bot's own cost): answered
   messages per second, p50/p99 time from update to sendMessage, resident memory, start-up time
   to the first getUpdates; and the same for a minimal echo bot on the same library, same run.
2. Under Telegram's limits: limiter on, the fake server answering 429 above 30 sends a second,
   a burst from 500 users: achieved rate as a share of 30/s, 429s received, messages lost.

Run: ``.venv/bin/python -m bench.telegram``. Figures include the fake server, which runs in the
same process and event loop as the bot (so they understate the bot alone).
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import resource
import statistics
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.config import Secret, Settings
from bot.evaluation import load_examples
from bot.logging_setup import setup_logging
from bot.telegram.app import ALLOWED_UPDATES, build_application
from tests.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "7001234567:AAH-bench-token"
QUESTIONS = [e.text for e in load_examples(ROOT / "tests" / "data" / "eval-dev.jsonl")]


async def _echo(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_message.text is not None
    await update.effective_message.reply_text(update.effective_message.text)


def _echo_app(server: FakeTelegram) -> Any:
    app = Application.builder().token(server.token).base_url(server.base_url).concurrent_updates(True).build()
    app.add_handler(MessageHandler(filters.TEXT, _echo))
    return app


async def _run(kind: str, users: int, *, limiter: bool, flood: bool) -> dict[str, float]:
    async with FakeTelegram(token=TOKEN) as server:
        if flood:
            server.flood_limit(30)
        started = time.monotonic()
        if kind == "echo":
            app = _echo_app(server)
            await app.initialize()
        else:
            settings = Settings(
                telegram_bot_token=Secret(server.token),
                telegram_base_url=server.base_url,
                faq_dir=ROOT / "faq",
            )
            app = build_application(replace(settings, rate_limiter=limiter))
            await app.initialize()
            assert app.post_init is not None
            await app.post_init(app)
        await app.start()
        await app.updater.start_polling(
            poll_interval=0, timeout=dtm.timedelta(seconds=1), allowed_updates=ALLOWED_UPDATES
        )
        await server.wait_for_call("getUpdates", timeout=30)
        first_poll = next(c for c in server.calls if c["method"] == "getUpdates")
        startup = first_poll["time"] - started
        pushed: dict[int, float] = {}
        burst = time.monotonic()
        for n in range(users):
            chat = 10_000 + n
            pushed[chat] = time.monotonic()
            server.push_text(chat, QUESTIONS[n % len(QUESTIONS)], user_id=chat)
        await server.wait_for_sent(users, timeout=600, method="sendMessage")
        elapsed = time.monotonic() - burst
        first_send: dict[int, float] = {}
        for call in server.calls:
            if call["method"] == "sendMessage" and call["status"] == 200:
                chat = int(call["params"]["chat_id"])
                first_send.setdefault(chat, call["time"])
        latencies = sorted((first_send[c] - t) * 1000 for c, t in pushed.items() if c in first_send)
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        sends = sum(1 for c in server.calls if c["method"] == "sendMessage" and c["status"] == 200)
        return {
            "rate": users / elapsed,
            "p50": statistics.median(latencies),
            "p99": latencies[int(len(latencies) * 0.99) - 1],
            "rss": rss_mb,
            "startup": startup,
            "answered": len(first_send),
            "sends": sends,
            "rejected_429": server.flood_rejections,
            "elapsed": elapsed,
        }


def main() -> None:
    """Print both benchmark tables."""
    setup_logging("WARNING", [TOKEN])
    users = 2000
    echo = asyncio.run(_run("echo", users, limiter=False, flood=False))
    azabot = asyncio.run(_run("azabot", users, limiter=False, flood=False))
    print(f"# Capacity: burst of {users} messages from {users} users, rate limiter off\n")
    print("| bot | answered/s | p50 ms | p99 ms | max RSS MB (incl. fake server) | start to first poll s |")
    print("|---|---|---|---|---|---|")
    for name, r in [("echo bot (same library)", echo), ("azabot", azabot)]:
        print(
            f"| {name} | {r['rate']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['rss']:.0f} "
            f"| {r['startup']:.2f} |"
        )
    print(f"\nazabot / echo rate: {azabot['rate'] / echo['rate']:.0%}; Telegram's cap is 30/s.\n")
    limited = asyncio.run(_run("azabot", 500, limiter=True, flood=True))
    print("# Under Telegram's limits: 500 users at once, limiter on, fake server enforcing 30/s\n")
    print(
        f"achieved {limited['rate']:.1f} messages/s = {limited['rate'] / 30:.0%} of 30/s; "
        f"429s received: {limited['rejected_429']:.0f}; answered {limited['answered']:.0f}/500 "
        f"(lost {500 - limited['answered']:.0f}); total {limited['elapsed']:.1f} s"
    )


if __name__ == "__main__":
    main()
