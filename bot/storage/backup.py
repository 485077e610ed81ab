"""Backing up and restoring the SQLite database (``azabot backup`` and ``azabot restore``).

* :func:`backup_database` uses SQLite's online backup API, which copies a consistent snapshot
  while the bot keeps writing; the copy is written beside its destination and renamed into place,
  so a half-written file never carries the backup's name.
* :func:`restore_database` takes the lock *exclusively*: it refuses while a bot runs, and a bot
  cannot start half way through. It checks the file first (an SQLite database of a schema version
  this bot knows, passing ``PRAGMA integrity_check``) and keeps the database it replaces.
"""

from __future__ import annotations

import contextlib
import datetime as dtm
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from bot.storage.dblock import DatabaseLock
from bot.storage.schema import MIGRATIONS, SCHEMA_VERSION

#: Tables every known schema version has, by version (a file without them is someone else's).
_TABLES_BY_VERSION: dict[int, frozenset[str]] = {
    1: frozenset({"subscriptions"}),
    2: frozenset({"subscriptions", "question_stats", "entry_stats", "unanswered"}),
}
assert len(_TABLES_BY_VERSION) == len(MIGRATIONS), "add the new schema version's tables here"


class BackupError(RuntimeError):
    """A backup or restore could not be done; the message says why in plain words."""


@dataclass(frozen=True)
class DatabaseInfo:
    """What a checked database holds, for the command's one-line report."""

    path: Path
    schema_version: int
    subscriptions: int
    size_bytes: int


def _connect_existing(path: Path) -> sqlite3.Connection:
    """Open an existing file without ever creating one (``mode=rw``: a typo must not make a file)."""
    if not path.is_file():
        raise BackupError(f"there is no database file at {path}")
    try:
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot open {path}: {exc}") from None


def inspect_database(path: Path) -> DatabaseInfo:
    """Check that ``path`` is a sound azabot database of a known schema version, or raise why not."""
    if not path.is_file():
        raise BackupError(f"there is no file at {path}")
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot open {path}: {exc}") from None
    try:
        version = int(connection.execute("PRAGMA user_version").fetchone()[0])
        verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if verdict != "ok":
            raise BackupError(f"{path} is damaged (SQLite's integrity check says: {verdict})")
        if version not in _TABLES_BY_VERSION or not _TABLES_BY_VERSION[version] <= tables:
            if version > SCHEMA_VERSION:
                raise BackupError(
                    f"{path} is at schema version {version}, newer than this bot knows ({SCHEMA_VERSION}); "
                    "upgrade the bot first"
                )
            raise BackupError(f"{path} is an SQLite file but not an azabot database")
        subscriptions = int(connection.execute("SELECT count(*) FROM subscriptions").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not an SQLite database ({exc})") from None
    finally:
        connection.close()
    return DatabaseInfo(path, version, subscriptions, path.stat().st_size)


def _copy(source: sqlite3.Connection, destination: Path) -> None:
    """Copy ``source`` with the online backup API into a new single-file database at ``destination``."""
    partial = destination.with_name(f".{destination.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        target = sqlite3.connect(partial, isolation_level=None)
        try:
            source.backup(target)
            # A backup is one self-contained file: no -wal/-shm beside it when it is later opened.
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
        os.replace(partial, destination)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def backup_database(database: Path, destination: Path, now: dtm.datetime | None = None) -> DatabaseInfo:
    """Copy the live database to ``destination`` (a file, or a folder for a timestamped name)."""
    if destination.is_dir():
        stamp = (now or dtm.datetime.now(dtm.UTC)).strftime("%Y%m%d-%H%M%S")
        destination = destination / f"{database.stem}-{stamp}.sqlite3"
    if destination.resolve() == database.resolve():
        raise BackupError("the backup cannot be the database itself; give another file name")
    if not destination.parent.is_dir():
        raise BackupError(f"the folder {destination.parent} does not exist")
    source = _connect_existing(database)
    try:
        source.execute("PRAGMA busy_timeout=5000")  # the bot may be committing: wait, don't fail
        _copy(source, destination)
    except sqlite3.Error as exc:
        raise BackupError(f"the backup failed: {exc}") from None
    except OSError as exc:
        raise BackupError(f"cannot write {destination}: {exc.strerror}") from None
    finally:
        source.close()
    return inspect_database(destination)


def restore_database(
    backup: Path, database: Path, now: dtm.datetime | None = None
) -> tuple[DatabaseInfo, Path | None]:
    """Put ``backup`` in place of the stopped bot's database.

    Returns what was restored and where the replaced database was kept (None if there was none).
    """
    info = inspect_database(backup)
    with DatabaseLock(database, exclusive=True):
        kept: Path | None = None
        if database.exists():
            stamp = (now or dtm.datetime.now(dtm.UTC)).strftime("%Y%m%d-%H%M%S")
            kept = database.with_name(f"{database.stem}.before-restore-{stamp}{database.suffix}")
            try:
                current = _connect_existing(database)
                try:
                    _copy(current, kept)  # also folds any -wal left by a killed bot into the kept copy
                finally:
                    current.close()
            except (sqlite3.Error, BackupError):
                shutil.copy2(database, kept)  # not a readable database: keep its bytes as they are
        database.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
        try:
            _copy(source, database)
        finally:
            source.close()
        # The old write-ahead log belongs to the replaced file; left there it would be replayed on top.
        for suffix in ("-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                database.with_name(database.name + suffix).unlink()
    return info, kept
