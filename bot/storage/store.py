"""Reminder storage: one SQLite file, used from one dedicated thread.

* The file lives at ``DATABASE_PATH`` and is created on first start, parent folders too.
* WAL journal with ``synchronous=NORMAL``: every commit survives the *process* being killed
  (``kill -9``); only a power cut can lose the last few commits. Each send is recorded with its
  own commit right after it succeeds, which is what makes restarts duplicate-free.
* The schema is versioned with ``PRAGMA user_version``; :data:`MIGRATIONS` are applied in order
  and never edited once released (add a new one instead).
* Every call runs on a single worker thread, so the sqlite3 connection is only ever used from
  that thread and all reads and writes are serialised. :meth:`Store.update` runs
  read-change-write in one go, so a button press and the scheduler never overwrite each other.

Only what reminders need is stored: chat id, time, zone, mode, next test date, last sent (local
date), phase data, a pending snooze, the state (active/stopped/blocked), created/updated times.

For the clinic team (migration 2) the store also keeps, **never with a user or chat id**:
counts of questions per UTC hour and decision, counts per FAQ entry and day (shown, helpful,
not helpful), and the text and time of questions the bot could not answer confidently
(:data:`UNANSWERED_KEEP_DAYS` days at most, :data:`UNANSWERED_MAX_ROWS` rows at most), with
names, e-mail addresses, dates and long numbers taken out first (:mod:`bot.storage.scrub`).
The two counters are added up in memory and written by :meth:`Store.flush_counts` (every few
seconds, before every statistics read, and on close): a write per question cost 12% of the bot's
capacity. A ``kill -9`` loses at most the counts since the last flush, never a reminder.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
import sqlite3
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from bot.admin.insights import (
    UNANSWERED_KEEP_DAYS,
    UNANSWERED_MAX_CHARS,
    UNANSWERED_MAX_ROWS,
    StatsSnapshot,
    UnansweredQuestion,
)
from bot.reminders.rules import Subscription
from bot.storage.dblock import DatabaseLock
from bot.storage.schema import (
    COLUMNS,
    SCHEMA_VERSION,
    StoreError,
    migrate,
    row_to_subscription,
    subscription_values,
)
from bot.storage.scrub import scrub_identifiers

T = TypeVar("T")
log = logging.getLogger(__name__)


class Store:
    """Async access to the reminder table; create with :meth:`open`, finish with :meth:`close`."""

    def __init__(self, path: Path, clock: Callable[[], dtm.datetime]) -> None:
        self.path = path
        self._clock = clock
        # One thread for the connection's whole life: sqlite3 objects stay on the thread that made them.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="azabot-db")
        self._connection: sqlite3.Connection | None = None
        # Held while open: `azabot restore` and `azabot health` see that a bot is using the file.
        self._lock = DatabaseLock(path, exclusive=False)
        # Counts not yet written: (UTC hour, decision) and (UTC day, entry id) -> how many.
        self._question_counts: Counter[tuple[str, str]] = Counter()
        self._shown_counts: Counter[tuple[str, str]] = Counter()
        self._unreadable: set[Any] = set()  # chat ids of damaged rows already logged

    @classmethod
    async def open(cls, path: Path, clock: Callable[[], dtm.datetime]) -> Store:
        """Open (creating if needed) the database at ``path`` and apply migrations."""
        store = cls(path, clock)
        await store._run(store._connect)
        return store

    def _connect(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock.acquire()  # DatabaseBusy while a restore is putting another file in place
        try:
            connection = sqlite3.connect(self.path, isolation_level=None)  # autocommit; explicit BEGINs
        except BaseException:
            self._lock.release()
            raise
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("PRAGMA busy_timeout=5000")  # a second process waits instead of failing
            # Deleted rows are overwritten with zeros, so what /forget erases is not left in free space.
            connection.execute("PRAGMA secure_delete=ON")
            migrate(connection)
        except BaseException:
            connection.close()
            self._lock.release()
            raise
        self._connection = connection

    async def _run(self, function: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, function)

    def _db(self) -> sqlite3.Connection:
        if self._connection is None:
            raise StoreError("the reminder store is closed")
        return self._connection

    async def close(self) -> None:
        """Write pending counts, then close the connection and its thread (safe to call twice)."""
        if self._connection is not None:
            try:
                await self.flush_counts()
            except sqlite3.Error as exc:  # e.g. the disk is full: closing cleanly matters more
                log.warning("could not write the last statistics counts: %s", type(exc).__name__)

        def close() -> None:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
            self._lock.release()

        await self._run(close)
        self._executor.shutdown(wait=True)

    # -- reads ----------------------------------------------------------------------------------

    def _get(self, chat_id: int) -> Subscription | None:
        row = (
            self._db()
            .execute(f"SELECT {COLUMNS} FROM subscriptions WHERE chat_id = ?", (chat_id,))
            .fetchone()
        )
        return None if row is None else row_to_subscription(row)

    async def get(self, chat_id: int) -> Subscription | None:
        """The chat's row, or None."""
        return await self._run(lambda: self._get(chat_id))

    async def active(self) -> list[Subscription]:
        """Every active subscription (the scheduler decides which are due)."""

        def query() -> list[Subscription]:
            rows = self._db().execute(f"SELECT {COLUMNS} FROM subscriptions WHERE state = 'active'")
            subscriptions = []
            for row in rows:
                try:
                    subscriptions.append(row_to_subscription(row))
                except (ValueError, TypeError):  # one damaged row must not stop every reminder
                    if row[0] not in self._unreadable:  # once, not every minute
                        self._unreadable.add(row[0])
                        log.warning("reminders: the row of chat %s cannot be read; skipped", row[0])
            return subscriptions

        return await self._run(query)

    # -- writes ---------------------------------------------------------------------------------

    def _put(self, sub: Subscription) -> None:
        now = self._clock().astimezone(dtm.UTC).isoformat(timespec="seconds")
        self._db().execute(
            f"INSERT INTO subscriptions ({COLUMNS}, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (chat_id) DO UPDATE SET remind_at = excluded.remind_at, zone = excluded.zone, "
            "mode = excluded.mode, next_test = excluded.next_test, last_sent = excluded.last_sent, "
            "phase_start = excluded.phase_start, tests_done = excluded.tests_done, "
            "last_test = excluded.last_test, snoozed_until = excluded.snoozed_until, "
            "state = excluded.state, updated_at = excluded.updated_at",
            (*subscription_values(sub), now, now),
        )

    async def update(
        self, chat_id: int, change: Callable[[Subscription], Subscription]
    ) -> tuple[Subscription, Subscription]:
        """Read the chat's row (or a blank one), apply ``change`` and save, in one transaction.

        Returns (before, after). ``change`` must be a pure function: it runs on the database thread.
        """

        def run() -> tuple[Subscription, Subscription]:
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            try:
                before = self._get(chat_id) or Subscription(chat_id)
                after = change(before)
                if after != before:
                    self._put(after)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            return before, after

        return await self._run(run)

    async def forget_chat(self, chat_id: int) -> int:
        """Delete every row about ``chat_id``; returns how many were deleted.

        The subscription is the only row that names a chat: the statistics, feedback and
        unanswered-question tables have no id column, so nothing else can be about the chat.
        The write-ahead log still holds earlier versions of the row, so it is checkpointed and
        truncated right away (with ``secure_delete`` the database file keeps no copy either).
        """

        def run() -> int:
            db = self._db()
            deleted = db.execute("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,)).rowcount
            busy, _, _ = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy:  # a reader (e.g. `azabot stats`) holds the log; the next checkpoint clears it
                log.warning("the erased data could not be cleared from the write-ahead log yet")
            return deleted

        return await self._run(run)

    # -- anonymous statistics -------------------------------------------------------------------

    def _now(self) -> dtm.datetime:
        return self._clock().astimezone(dtm.UTC)

    async def record_question(
        self, decision: str, *, urgent: bool = False, text: str | None = None
    ) -> int | None:
        """Count one free-text question; keep ``text`` (no id) when the bot could not answer it.

        The count waits in memory for :meth:`flush_counts`. ``text`` is stored at once, only for
        ``suggest`` and ``fallback``; returns the stored row's id (for a "none of these" button) or
        None. Old and surplus questions are pruned in the same transaction.
        """
        now = self._now()
        hour = now.strftime("%Y-%m-%dT%H")
        self._question_counts[(hour, decision)] += 1
        if urgent:
            self._question_counts[(hour, "urgent")] += 1
        if not text or decision not in ("suggest", "fallback"):
            return None
        # Names and numbers typed into a question go before it is kept (the privacy text says so).
        kept = scrub_identifiers(text)[:UNANSWERED_MAX_CHARS]

        def run() -> int | None:
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            try:
                cursor = db.execute(
                    "INSERT INTO unanswered (asked_at, text, kind) VALUES (?, ?, ?)",
                    (now.isoformat(timespec="seconds"), kept, decision),
                )
                self._prune_unanswered(now)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            return cursor.lastrowid

        return await self._run(run)

    async def flush_counts(self) -> None:
        """Write the counts gathered in memory, in one transaction (kept for later if it fails)."""
        questions, shown = self._question_counts, self._shown_counts
        if not questions and not shown:
            return
        self._question_counts, self._shown_counts = Counter(), Counter()

        def run() -> None:
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(
                    "INSERT INTO question_stats (hour, decision, count) VALUES (?, ?, ?) "
                    "ON CONFLICT (hour, decision) DO UPDATE SET count = count + excluded.count",
                    [(hour, decision, n) for (hour, decision), n in questions.items()],
                )
                db.executemany(
                    "INSERT INTO entry_stats (day, entry_id, shown) VALUES (?, ?, ?) "
                    "ON CONFLICT (day, entry_id) DO UPDATE SET shown = shown + excluded.shown",
                    [(day, entry_id, n) for (day, entry_id), n in shown.items()],
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

        try:
            await self._run(run)
        except BaseException:
            # Put them back (adding anything counted meanwhile) so the next flush tries again.
            self._question_counts.update(questions)
            self._shown_counts.update(shown)
            raise

    def _prune_unanswered(self, now: dtm.datetime) -> None:
        db = self._db()
        cutoff = (now - dtm.timedelta(days=UNANSWERED_KEEP_DAYS)).isoformat(timespec="seconds")
        db.execute("DELETE FROM unanswered WHERE asked_at < ?", (cutoff,))
        db.execute(
            "DELETE FROM unanswered WHERE id <= "
            "(SELECT id FROM unanswered ORDER BY id DESC LIMIT 1 OFFSET ?)",
            (UNANSWERED_MAX_ROWS,),
        )

    async def prune(self) -> int:
        """Delete unanswered questions past their keeping time or over the cap; returns how many."""

        def run() -> int:
            before = self._db().total_changes
            self._prune_unanswered(self._now())
            return self._db().total_changes - before

        return await self._run(run)

    async def mark_none_of_these(self, question_id: int) -> bool:
        """The user said none of the suggestions fitted the stored question ``question_id``."""

        def run() -> bool:
            cursor = self._db().execute("UPDATE unanswered SET kind = 'none' WHERE id = ?", (question_id,))
            return cursor.rowcount > 0

        return await self._run(run)

    def _bump_entry(self, entry_id: str, column: str) -> None:
        # ``column`` is a literal chosen by the caller below, never user input.
        day = self._now().date().isoformat()
        self._db().execute(
            f"INSERT INTO entry_stats (day, entry_id, {column}) VALUES (?, ?, 1) "
            f"ON CONFLICT (day, entry_id) DO UPDATE SET {column} = {column} + 1",
            (day, entry_id),
        )

    async def record_shown(self, entry_id: str) -> None:
        """Count one answer shown for ``entry_id`` (in memory until :meth:`flush_counts`)."""
        self._shown_counts[(self._now().date().isoformat(), entry_id)] += 1

    async def record_feedback(self, entry_id: str, helpful: bool) -> None:
        """Count one helpful / not helpful vote for ``entry_id`` (who voted is not stored)."""
        await self._run(lambda: self._bump_entry(entry_id, "helpful" if helpful else "not_helpful"))

    async def unanswered_since(self, since: dtm.datetime) -> list[UnansweredQuestion]:
        """Unanswered questions asked at or after ``since``, oldest first."""

        return await self._run(lambda: read_unanswered(self._db(), since))

    async def stats(self, now: dtm.datetime | None = None) -> StatsSnapshot:
        """Everything ``/stats`` shows, read in one go (pending counts are written first)."""
        await self.flush_counts()

        def run() -> StatsSnapshot:
            current = (now or self._clock()).astimezone(dtm.UTC)
            return read_stats(self._db(), current)

        return await self._run(run)


def open_readonly(path: Path) -> sqlite3.Connection:
    """Open an existing database for the ``azabot stats``/``unanswered`` commands (never creates one).

    Read-only, so a command run next to the bot cannot change its file, even an older schema.
    """
    if not path.is_file():
        raise StoreError(f"there is no database at {path} (it is created when the bot first starts)")
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    found = int(connection.execute("PRAGMA user_version").fetchone()[0])
    if found != SCHEMA_VERSION:
        connection.close()
        raise StoreError(
            f"the database at {path} is at schema version {found}, this bot expects {SCHEMA_VERSION}; "
            "start the bot once to upgrade it"
        )
    connection.execute("PRAGMA busy_timeout=5000")
    return connection


def read_unanswered(db: sqlite3.Connection, since: dtm.datetime) -> list[UnansweredQuestion]:
    """Unanswered questions asked at or after ``since``, oldest first."""
    rows = db.execute(
        "SELECT asked_at, text, kind FROM unanswered WHERE asked_at >= ? ORDER BY id",
        (since.astimezone(dtm.UTC).isoformat(timespec="seconds"),),
    )
    return [UnansweredQuestion(dtm.datetime.fromisoformat(a), t, k) for a, t, k in rows]


def read_stats(db: sqlite3.Connection, now: dtm.datetime) -> StatsSnapshot:
    """The ``/stats`` figures as of ``now`` (UTC) from an open connection."""
    day_ago = (now - dtm.timedelta(days=1)).strftime("%Y-%m-%dT%H")
    week_ago = (now - dtm.timedelta(days=7)).strftime("%Y-%m-%dT%H")
    # An hour bucket counts when it started after the cut-off hour: the last 24 (or 168) whole
    # hours plus the current one. Hourly buckets are what make "the last day" a rolling window.
    last_day = db.execute(
        "SELECT COALESCE(SUM(count), 0) FROM question_stats WHERE hour > ? AND decision != 'urgent'",
        (day_ago,),
    ).fetchone()[0]
    decisions = dict(
        db.execute(
            "SELECT decision, SUM(count) FROM question_stats WHERE hour > ? GROUP BY decision", (week_ago,)
        ).fetchall()
    )
    week_day = (now - dtm.timedelta(days=7)).date().isoformat()
    top = db.execute(
        "SELECT entry_id, SUM(shown) AS n FROM entry_stats WHERE day > ? GROUP BY entry_id "
        "HAVING n > 0 ORDER BY n DESC, entry_id LIMIT 5",
        (week_day,),
    ).fetchall()
    feedback_day = (now - dtm.timedelta(days=UNANSWERED_KEEP_DAYS)).date().isoformat()
    least = db.execute(
        "SELECT entry_id, SUM(helpful) AS h, SUM(not_helpful) AS nh FROM entry_stats WHERE day > ? "
        "GROUP BY entry_id HAVING nh > 0 "
        "ORDER BY CAST(nh AS REAL) / (h + nh) DESC, nh DESC, entry_id LIMIT 5",
        (feedback_day,),
    ).fetchall()
    active = db.execute("SELECT COUNT(*) FROM subscriptions WHERE state = 'active'").fetchone()[0]
    return StatsSnapshot(
        questions_day=int(last_day),
        decisions_week={str(k): int(v) for k, v in decisions.items()},
        top_entries=tuple((str(e), int(n)) for e, n in top),
        least_helpful=tuple((str(e), int(h), int(nh)) for e, h, nh in least),
        active_subscriptions=int(active),
        feedback_days=UNANSWERED_KEEP_DAYS,
    )
