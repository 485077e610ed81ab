"""Reminder delivery benchmark: N subscribers due in the same minute, through the fake Bot API server.

The fake server enforces 30 sends a second with 429s (``flood_limit(30)``); the bot runs with its
production settings (AIORateLimiter on, the scheduler's own pacing). Reports the time to deliver
all, the achieved rate as a share of the enforced cap, 429s received, and lost and duplicated
reminders. Not covered yet: the same with a ``kill -9`` half way and a restart.

Run: ``.venv/bin/python -m bench.reminders [N]`` (default 5,000, about three minutes).
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dtm
import logging
import sys
import tempfile
import time
from pathlib import Path

from bot import reminders as r
from bot.config import Secret, Settings
from bot.storage import Store
from bot.telegram.app import build_application
from tests.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "7001234567:AAH-bench-token"
CAP = 30.0


async def bench(subscribers: int) -> dict[str, float]:
    """Deliver ``subscribers`` reminders due at the same minute; returns the figures."""
    now = dtm.datetime(2026, 6, 2, 7, 0, 5, tzinfo=dtm.UTC)  # 08:00:05 in London

    def clock() -> dtm.datetime:
        return now

    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.sqlite3"
        store = await Store.open(database, clock)
        before = now - dtm.timedelta(hours=2)
        for chat in range(1, subscribers + 1):
            await store.update(chat, lambda s: r.subscribe(s, dtm.time(8), None, "Europe/London", before))
        await store.close()
        async with FakeTelegram(token=TOKEN) as server:
            server.flood_limit(CAP)
            settings = Settings(
                telegram_bot_token=Secret(server.token),
                telegram_base_url=server.base_url,
                faq_dir=ROOT / "faq",
                database_path=database,
            )
            app = build_application(settings, clock=clock)
            await app.initialize()
            assert app.post_init is not None
            started = time.monotonic()
            await app.post_init(app)  # schedules the catch-up tick that finds all of them due
            await app.start()
            await server.wait_for_sent(subscribers, timeout=subscribers / CAP * 3 + 30, method="sendMessage")
            elapsed = time.monotonic() - started
            await asyncio.sleep(1.0)  # anything extra (a duplicate) would show up now
            await app.stop()
            assert app.post_stop is not None and app.post_shutdown is not None
            await app.post_stop(app)
            await app.shutdown()
            await app.post_shutdown(app)
            counts = collections.Counter(s["chat_id"] for s in server.sent if s["method"] == "sendMessage")
            stamps = [c["time"] for c in server.calls if c["method"] == "sendMessage" and c["status"] == 200]
    span = max(stamps) - min(stamps)
    return {
        "subscribers": subscribers,
        "seconds to deliver all": elapsed,
        "achieved rate /s": (subscribers - 1) / span if span else 0.0,
        "share of the 30/s cap": (subscribers - 1) / span / CAP if span else 0.0,
        "429s": server.flood_rejections,
        "lost": subscribers - len(counts),
        "duplicated": sum(n - 1 for n in counts.values()),
    }


def main() -> None:
    """Print the figures."""
    logging.basicConfig(level=logging.WARNING)
    subscribers = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    for name, value in asyncio.run(bench(subscribers)).items():
        print(f"{name:>24}: {value:.3f}" if isinstance(value, float) else f"{name:>24}: {value}")


if __name__ == "__main__":
    main()
