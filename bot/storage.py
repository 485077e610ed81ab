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
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar, cast

from bot.reminders import Mode, State, Subscription

T = TypeVar("T")

#: Schema migrations; MIGRATIONS[n] takes the database from user_version n to n + 1.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE subscriptions (
        chat_id       INTEGER PRIMARY KEY,
        remind_at     TEXT,                 -- local time HH:MM, NULL until /remind
        zone          TEXT,                 -- IANA name or +HH:MM
        mode          TEXT NOT NULL DEFAULT 'daily' CHECK (mode IN ('daily', 'phases')),
        next_test     TEXT,                 -- ISO date
        last_sent     TEXT,                 -- ISO local date of the last reminder sent
        phase_start   TEXT,                 -- ISO date the current weekly phase began
        tests_done    INTEGER NOT NULL DEFAULT 0,
        last_test     TEXT,                 -- ISO date
        snoozed_until TEXT,                 -- ISO UTC instant of a pending snooze
        state         TEXT NOT NULL DEFAULT 'stopped' CHECK (state IN ('active', 'stopped', 'blocked')),
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL
    );
    CREATE INDEX subscriptions_active ON subscriptions (state) WHERE state = 'active';
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

_COLUMNS = (
    "chat_id, remind_at, zone, mode, next_test, last_sent, phase_start, tests_done, last_test, "
    "snoozed_until, state"
)


class StoreError(RuntimeError):
    """The database cannot be used (e.g. it was written by a newer version of the bot)."""


def _iso(value: dtm.date | dtm.time | dtm.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _date(value: str | None) -> dtm.date | None:
    return None if value is None else dtm.date.fromisoformat(value)


def _row_to_subscription(row: tuple[Any, ...]) -> Subscription:
    (
        chat_id,
        remind_at,
        zone,
        mode,
        next_test,
        last_sent,
        phase_start,
        tests_done,
        last_test,
        snoozed,
        state,
    ) = row
    return Subscription(
        chat_id=int(chat_id),
        remind_at=None if remind_at is None else dtm.time.fromisoformat(remind_at),
        zone=zone,
        mode=cast(Mode, mode),
        next_test=_date(next_test),
        last_sent=_date(last_sent),
        phase_start=_date(phase_start),
        tests_done=int(tests_done),
        last_test=_date(last_test),
        snoozed_until=None if snoozed is None else dtm.datetime.fromisoformat(snoozed),
        state=cast(State, state),
    )


def _values(sub: Subscription) -> tuple[Any, ...]:
    return (
        sub.chat_id,
        None if sub.remind_at is None else sub.remind_at.strftime("%H:%M"),
        sub.zone,
        sub.mode,
        _iso(sub.next_test),
        _iso(sub.last_sent),
        _iso(sub.phase_start),
        sub.tests_done,
        _iso(sub.last_test),
        _iso(sub.snoozed_until),
        sub.state,
    )


def migrate(connection: sqlite3.Connection) -> int:
    """Bring the schema to :data:`SCHEMA_VERSION`; returns the version found before."""
    found = int(connection.execute("PRAGMA user_version").fetchone()[0])
    if found > SCHEMA_VERSION:
        raise StoreError(
            f"the database is at schema version {found}, newer than this bot knows ({SCHEMA_VERSION}); "
            "upgrade the bot or point DATABASE_PATH at another file"
        )
    for version in range(found, SCHEMA_VERSION):
        # executescript commits first, so each migration and its version bump are one transaction.
        connection.executescript(f"BEGIN; {MIGRATIONS[version]} PRAGMA user_version = {version + 1}; COMMIT;")
    return found


class Store:
    """Async access to the reminder table; create with :meth:`open`, finish with :meth:`close`."""

    def __init__(self, path: Path, clock: Callable[[], dtm.datetime]) -> None:
        self.path = path
        self._clock = clock
        # One thread for the connection's whole life: sqlite3 objects stay on the thread that made them.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="azabot-db")
        self._connection: sqlite3.Connection | None = None

    @classmethod
    async def open(cls, path: Path, clock: Callable[[], dtm.datetime]) -> Store:
        """Open (creating if needed) the database at ``path`` and apply migrations."""
        store = cls(path, clock)
        await store._run(store._connect)
        return store

    def _connect(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, isolation_level=None)  # autocommit; explicit BEGINs
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("PRAGMA busy_timeout=5000")  # a second process waits instead of failing
            migrate(connection)
        except BaseException:
            connection.close()
            raise
        self._connection = connection

    async def _run(self, function: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, function)

    def _db(self) -> sqlite3.Connection:
        if self._connection is None:
            raise StoreError("the reminder store is closed")
        return self._connection

    async def close(self) -> None:
        """Close the connection and its thread (safe to call twice)."""

        def close() -> None:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

        await self._run(close)
        self._executor.shutdown(wait=True)

    # -- reads ----------------------------------------------------------------------------------

    def _get(self, chat_id: int) -> Subscription | None:
        row = (
            self._db()
            .execute(f"SELECT {_COLUMNS} FROM subscriptions WHERE chat_id = ?", (chat_id,))
            .fetchone()
        )
        return None if row is None else _row_to_subscription(row)

    async def get(self, chat_id: int) -> Subscription | None:
        """The chat's row, or None."""
        return await self._run(lambda: self._get(chat_id))

    async def active(self) -> list[Subscription]:
        """Every active subscription (the scheduler decides which are due)."""

        def query() -> list[Subscription]:
            rows = self._db().execute(f"SELECT {_COLUMNS} FROM subscriptions WHERE state = 'active'")
            return [_row_to_subscription(r) for r in rows]

        return await self._run(query)

    # -- writes ---------------------------------------------------------------------------------

    def _put(self, sub: Subscription) -> None:
        now = self._clock().astimezone(dtm.UTC).isoformat(timespec="seconds")
        self._db().execute(
            f"INSERT INTO subscriptions ({_COLUMNS}, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (chat_id) DO UPDATE SET remind_at = excluded.remind_at, zone = excluded.zone, "
            "mode = excluded.mode, next_test = excluded.next_test, last_sent = excluded.last_sent, "
            "phase_start = excluded.phase_start, tests_done = excluded.tests_done, "
            "last_test = excluded.last_test, snoozed_until = excluded.snoozed_until, "
            "state = excluded.state, updated_at = excluded.updated_at",
            (*_values(sub), now, now),
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
        """Delete every row about ``chat_id``; returns how many were deleted."""

        def run() -> int:
            return self._db().execute("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,)).rowcount

        return await self._run(run)
