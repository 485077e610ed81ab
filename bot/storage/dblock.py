"""Whether a bot is using the database: an advisory ``flock`` on ``<database>.lock``.

A running bot holds it *shared* (from :class:`bot.storage.store.Store` opening the file until it closes);
``azabot restore`` takes it *exclusively*, so it refuses while a bot runs and a bot cannot start half
way through a restore. The kernel drops the lock when its process ends, even after ``kill -9``, so
it never goes stale and needs no clean-up.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType


class DatabaseBusy(RuntimeError):
    """Another process (a running bot, or a restore) holds the database's lock."""


def lock_path(database: Path) -> Path:
    """The lock file beside the database: ``data/azabot.sqlite3`` -> ``data/azabot.sqlite3.lock``."""
    return database.with_name(database.name + ".lock")


class DatabaseLock:
    """An advisory lock on a database: shared for a running bot, exclusive for a restore."""

    def __init__(self, database: Path, *, exclusive: bool) -> None:
        self.path = lock_path(database)
        self.exclusive = exclusive
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock without waiting; :class:`DatabaseBusy` if another process holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if self.exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if self.exclusive:
                raise DatabaseBusy(
                    f"the bot is running on {self.path.with_suffix('')}; stop it first "
                    "(e.g. systemctl stop azabot, or Ctrl-C), then restore again"
                ) from None
            raise DatabaseBusy(
                f"a restore of {self.path.with_suffix('')} is in progress; start the bot when it is done"
            ) from None
        self._fd = fd

    def release(self) -> None:
        """Let go of the lock (safe to call twice)."""
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None

    def __enter__(self) -> DatabaseLock:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def bot_is_running(database: Path) -> bool:
    """True while a bot process holds the database's lock."""
    if not lock_path(database).exists():
        return False
    probe = DatabaseLock(database, exclusive=True)
    try:
        probe.acquire()
    except DatabaseBusy:
        return True
    probe.release()
    return False
