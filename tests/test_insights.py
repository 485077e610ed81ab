"""Anonymous statistics: storage without ids, pruning, grouping of unanswered questions, the CLI."""

from __future__ import annotations

import datetime as dtm
import sqlite3
from pathlib import Path

import pytest

from bot.admin.insights import (
    UnansweredQuestion,
    group_unanswered,
    parse_feedback,
    stats_reply,
    unanswered_reply,
)
from bot.cli import main
from bot.presentation.reply import render_text
from bot.storage import store as storage
from bot.storage.store import Store
from tests.test_reminder_storage import FakeClock

T0 = dtm.datetime(2026, 6, 1, 12, tzinfo=dtm.UTC)


def q(text: str, minutes: int = 0, kind: str = "fallback") -> UnansweredQuestion:
    return UnansweredQuestion(T0 + dtm.timedelta(minutes=minutes), text, kind)


def test_similar_questions_are_grouped_most_frequent_first() -> None:
    groups = group_unanswered(
        [
            q("can I eat grapefruit"),
            q("how tall is everest"),
            q("Can I eat grapefruit?", 5, "none"),
            q("can i eat grapefruits on aza", 9),
        ]
    )
    assert [(g.example, g.count) for g in groups] == [("can I eat grapefruit", 3), ("how tall is everest", 1)]
    assert groups[0].kinds == {"fallback": 2, "none": 1}
    assert groups[0].last_asked == T0 + dtm.timedelta(minutes=9)


def test_feedback_actions_round_trip_and_junk_is_ignored() -> None:
    assert parse_feedback("fb:1:missed-dose") == ("missed-dose", True)
    assert parse_feedback("fb:0:missed-dose") == ("missed-dose", False)
    assert parse_feedback("fb:2:x") is None
    assert parse_feedback("e:missed-dose") is None


async def test_statistics_tables_have_no_user_or_chat_id_column(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "db.sqlite3", FakeClock("2026-06-01T12:00"))
    await store.close()
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        for table in ("question_stats", "entry_stats", "unanswered"):
            columns = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
            assert not {c for c in columns if "chat" in c or "user" in c}, table


async def test_unanswered_questions_are_pruned_after_90_days(tmp_path: Path) -> None:
    clock = FakeClock("2026-01-01T12:00")
    store = await Store.open(tmp_path / "db.sqlite3", clock)
    try:
        await store.record_question("fallback", text="old question")
        clock.set("2026-03-31T13:00")  # 89 days later: still kept
        await store.record_question("fallback", text="newer question")
        assert len(await store.unanswered_since(T0 - dtm.timedelta(days=400))) == 2
        clock.set("2026-04-01T12:01")  # 90 days and a minute after the first
        assert await store.prune() == 1
        remaining = await store.unanswered_since(T0 - dtm.timedelta(days=400))
        assert [x.text for x in remaining] == ["newer question"]
    finally:
        await store.close()


async def test_unanswered_questions_are_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(storage, "UNANSWERED_MAX_ROWS", 3)
    store = await Store.open(tmp_path / "db.sqlite3", FakeClock("2026-06-01T12:00"))
    try:
        for n in range(5):
            await store.record_question("suggest", text=f"question {n}")
        kept = await store.unanswered_since(T0 - dtm.timedelta(days=1))
        assert [x.text for x in kept] == ["question 2", "question 3", "question 4"]
    finally:
        await store.close()


async def test_answered_questions_are_counted_but_their_text_is_not_kept(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "db.sqlite3", FakeClock("2026-06-01T12:00"))
    try:
        assert await store.record_question("answer", urgent=True, text="my gums are bleeding") is None
        stats = await store.stats()
    finally:
        await store.close()
    assert stats.questions_day == 1
    assert stats.decisions_week == {"answer": 1, "urgent": 1}
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM unanswered").fetchone()[0] == 0


async def test_cli_stats_and_unanswered_print_what_telegram_shows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "db.sqlite3"
    now = dtm.datetime.now(dtm.UTC).replace(microsecond=0)
    store = await Store.open(path, lambda: now)
    try:
        await store.record_question("answer")
        await store.record_shown("alcohol")
        await store.record_feedback("alcohol", helpful=False)
        await store.record_question("fallback", text="capital of peru")
        expected_stats = render_text(stats_reply(await store.stats(now)))
        questions = await store.unanswered_since(now - dtm.timedelta(days=30))
        expected_unanswered = render_text(unanswered_reply(group_unanswered(questions)))
    finally:
        await store.close()
    assert main(["stats", "--db", str(path)]) == 0
    assert main(["unanswered", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert out == f"{expected_stats}\n{expected_unanswered}\n"
    assert "alcohol: 👍 0 / 👎 1" in out
    assert "capital of peru" in out


def test_cli_stats_without_a_database_says_so_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stats", "--db", str(tmp_path / "missing.sqlite3")]) == 1
    assert "no database" in capsys.readouterr().err
    assert not (tmp_path / "missing.sqlite3").exists()


def counted(path: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with sqlite3.connect(path) as db:
        query = "SELECT hour, decision, count FROM question_stats ORDER BY decision"
        questions = db.execute(query).fetchall()
        shown = db.execute("SELECT day, entry_id, shown FROM entry_stats").fetchall()
    return questions, shown


async def test_counts_wait_in_memory_until_flushed_then_add_up(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    store = await Store.open(path, FakeClock("2026-06-01T12:00"))
    try:
        for _ in range(3):
            await store.record_question("answer", urgent=True)
            await store.record_shown("alcohol")
        assert counted(path) == ([], [])
        await store.flush_counts()
        await store.record_question("answer")
        await store.flush_counts()
        assert counted(path) == (
            [("2026-06-01T12", "answer", 4), ("2026-06-01T12", "urgent", 3)],
            [("2026-06-01", "alcohol", 3)],
        )
    finally:
        await store.close()


async def test_closing_the_store_writes_pending_counts(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    store = await Store.open(path, FakeClock("2026-06-01T12:00"))
    await store.record_question("suggest", text="something odd")
    await store.close()
    assert counted(path)[0] == [("2026-06-01T12", "suggest", 1)]


async def test_stats_include_counts_not_yet_flushed(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "db.sqlite3", FakeClock("2026-06-01T12:00"))
    try:
        await store.record_question("fallback")
        snapshot = await store.stats(T0)
    finally:
        await store.close()
    assert snapshot.questions_day == 1


async def test_a_failed_flush_keeps_the_counts_for_the_next_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "db.sqlite3"
    store = await Store.open(path, FakeClock("2026-06-01T12:00"))
    try:
        await store.record_question("answer")
        real_db = store._db

        def full_disk() -> sqlite3.Connection:
            raise sqlite3.OperationalError("database or disk is full")

        monkeypatch.setattr(store, "_db", full_disk)
        with pytest.raises(sqlite3.OperationalError):
            await store.flush_counts()
        monkeypatch.setattr(store, "_db", real_db)
        await store.record_question("answer")
        await store.flush_counts()
        assert counted(path)[0] == [("2026-06-01T12", "answer", 2)]
    finally:
        await store.close()


async def test_stats_show_crisis_and_emergency_replies_and_keep_no_text(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "db.sqlite3", FakeClock("2026-06-01T12:00"))
    try:
        await store.record_question("crisis", urgent=True, text="i want to die")
        await store.record_question("emergency", urgent=True, text="my dad collapsed")
        stats = await store.stats()
    finally:
        await store.close()
    text = render_text(stats_reply(stats))
    assert (
        "crisis (crisis line shown): 50% (1)" in text
        and "emergency (emergency number shown): 50% (1)" in text
    )
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM unanswered").fetchone()[0] == 0
