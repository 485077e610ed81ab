"""Issue 23 #5: reminder fan-out at Telegram's cap, paced by when sends are made, not requested.

The fake server enforces the rule strictly (30 successful sends in any sliding second, one a second
per chat, 429 beyond), and every 2 s holds the sends that arrive for half a second, as a stalled
network path or a busy machine would: sends spaced evenly when they left the bot reach the counter
bunched up. Pacing by when sends are requested then overflows windows and is answered 429.
"""

from __future__ import annotations

import collections
import datetime as dtm
from pathlib import Path

from bot.reminders import rules as r
from bot.storage.store import Store
from tests.conftest import StartBot
from tests.fake_telegram import FakeTelegram
from tests.test_reminder_storage import FakeClock

SUBSCRIBERS = 150
ZONE = "Europe/London"


async def test_fan_out_through_stalls_never_overflows_a_second_and_gets_no_429(
    server: FakeTelegram, start_bot: StartBot, tmp_path: Path
) -> None:
    clock = FakeClock("2026-06-02T07:00:30")  # 08:00:30 in London
    database = tmp_path / "fanout.sqlite3"
    store = await Store.open(database, clock)
    before = dtm.datetime(2026, 6, 2, 6, 59, tzinfo=dtm.UTC)
    try:
        for chat in range(1, SUBSCRIBERS + 1):
            await store.update(chat, lambda s: r.subscribe(s, dtm.time(8, 0), ZONE, ZONE, before))
    finally:
        await store.close()
    server.flood_limit(30, per_chat_per_second=1, stalls=(2.0, 0.5))
    await start_bot(clock=clock, database_path=database)
    sent = await server.wait_for_sent(SUBSCRIBERS, timeout=120, method="sendMessage")
    per_chat = collections.Counter(int(s["chat_id"]) for s in sent)
    assert set(per_chat) == set(range(1, SUBSCRIBERS + 1))  # none lost
    assert max(per_chat.values()) == 1  # none doubled
    assert server.flood_rejections == 0
