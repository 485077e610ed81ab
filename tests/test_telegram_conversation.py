"""The shared conversation over Telegram: deep links open their entry, follow-ups are read with the
previous topic (in memory, for a few minutes), and the terminal's local chat is not Telegram's."""

from __future__ import annotations

import datetime as dtm
from pathlib import Path
from typing import Any

from bot.reminders import rules as r
from bot.reminders.rules import LOCAL_CHAT_ID, Subscription
from tests.conftest import StartBot
from tests.fake_telegram import FakeTelegram
from tests.test_reminder_storage import FakeClock
from tests.test_telegram_bot import reminder_end, say, state, text_of
from tests.test_telegram_reminders import reminders, tick

CHAT = 6262


async def test_start_missed_dose_opens_that_entry(server: FakeTelegram, app: Any) -> None:
    entry = state(app).knowledge.get("missed-dose")
    assert entry is not None
    [reply] = await say(server, "/start missed-dose", chat_id=CHAT)
    assert text_of(reply).startswith(entry.question)
    assert text_of(reply).endswith(reminder_end(app))


async def test_follow_up_is_read_with_the_previous_topic(server: FakeTelegram, app: Any) -> None:
    alcohol = state(app).knowledge.get("alcohol")
    assert alcohol is not None
    [first] = await say(server, "can I drink alcohol on azathioprine?", chat_id=CHAT)
    assert text_of(first).startswith(alcohol.question)
    [follow_up] = await say(server, "how many units?", chat_id=CHAT)
    assert text_of(follow_up).startswith(alcohol.question)


async def test_follow_up_topic_is_per_chat_and_expires(
    server: FakeTelegram, start_bot: StartBot, tmp_path: Path
) -> None:
    clock = FakeClock("2026-06-02T06:00")
    app = await start_bot(clock=clock)
    alcohol = state(app).knowledge.get("alcohol")
    assert alcohol is not None
    await say(server, "can I drink alcohol on azathioprine?", chat_id=CHAT)
    [other_chat] = await say(server, "how many units?", chat_id=CHAT + 1)
    assert not text_of(other_chat).startswith(alcohol.question)
    clock.set("2026-06-02T06:30")  # half an hour later the topic is gone
    [late] = await say(server, "how many units?", chat_id=CHAT)
    assert not text_of(late).startswith(alcohol.question)


async def test_follow_up_topic_is_never_stored(
    server: FakeTelegram, start_bot: StartBot, tmp_path: Path
) -> None:
    database = tmp_path / "azabot.sqlite3"
    app = await start_bot(database_path=database)
    await say(server, "can I drink alcohol on azathioprine?", chat_id=CHAT)
    await say(server, "how many units?", chat_id=CHAT)
    await reminders(app).store.flush_counts()
    files = sorted(tmp_path.glob("azabot.sqlite3*"))  # noqa: ASYNC240 - a test's own files
    stored = b"".join(p.read_bytes() for p in files)
    assert b"drink alcohol" not in stored
    [privacy] = await say(server, "/privacy", chat_id=CHAT)
    assert "remember its topic, in memory only" in text_of(privacy)  # and /privacy says so


async def test_bot_does_not_send_the_terminal_chats_reminders(
    server: FakeTelegram, start_bot: StartBot, tmp_path: Path
) -> None:
    clock = FakeClock("2026-06-02T06:00")
    app = await start_bot(clock=clock)
    store = reminders(app).store
    now = clock()
    await store.update(
        LOCAL_CHAT_ID, lambda s: r.subscribe(s, dtm.time(8, 0), "Europe/London", "Europe/London", now)
    )
    clock.set("2026-06-02T07:01")
    await tick(app)
    assert [c for c in server.calls_to("sendMessage") if str(c.get("chat_id")) == str(LOCAL_CHAT_ID)] == []
    after = await store.get(LOCAL_CHAT_ID)
    assert isinstance(after, Subscription) and after.active and after.last_sent is None
