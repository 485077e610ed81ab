"""The database schema: its migrations, applied in order and never edited once released, and how a
subscription maps to a row."""

from __future__ import annotations

import datetime as dtm
import sqlite3
from typing import Any, cast

from bot.reminders.rules import Mode, State, Subscription
from bot.reminders.store import StoreUnavailable

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
    # Anonymous figures for the clinic team: no column can hold a user or chat id.
    """
    CREATE TABLE question_stats (
        hour     TEXT NOT NULL,             -- UTC hour, YYYY-MM-DDTHH
        decision TEXT NOT NULL,             -- answer, suggest, fallback, smalltalk... or 'urgent'
        count    INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (hour, decision)
    ) WITHOUT ROWID;
    CREATE TABLE entry_stats (
        day         TEXT NOT NULL,          -- UTC date
        entry_id    TEXT NOT NULL,
        shown       INTEGER NOT NULL DEFAULT 0,
        helpful     INTEGER NOT NULL DEFAULT 0,
        not_helpful INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (day, entry_id)
    ) WITHOUT ROWID;
    CREATE TABLE unanswered (
        -- AUTOINCREMENT: ids are never reused, so a "none of these" button on an old message can
        -- never mark a different question than the one it was offered for.
        id       INTEGER PRIMARY KEY AUTOINCREMENT,
        asked_at TEXT NOT NULL,             -- UTC instant
        text     TEXT NOT NULL,
        kind     TEXT NOT NULL CHECK (kind IN ('suggest', 'fallback', 'none'))
    );
    CREATE INDEX unanswered_asked_at ON unanswered (asked_at);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

COLUMNS = (
    "chat_id, remind_at, zone, mode, next_test, last_sent, phase_start, tests_done, last_test, "
    "snoozed_until, state"
)


class StoreError(StoreUnavailable):
    """The database cannot be used (e.g. it was written by a newer version of the bot)."""


def _iso(value: dtm.date | dtm.time | dtm.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _date(value: str | None) -> dtm.date | None:
    return None if value is None else dtm.date.fromisoformat(value)


def row_to_subscription(row: tuple[Any, ...]) -> Subscription:
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


def subscription_values(sub: Subscription) -> tuple[Any, ...]:
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
