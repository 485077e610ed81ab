"""The operators' commands: ``azabot backup``, ``restore`` and ``health``.

Each prints one plain line on success and one plain sentence on failure (never a traceback), so
they can run from cron, a systemd timer or a container's health check.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.config import load_settings
from bot.storage.backup import BackupError, DatabaseInfo, backup_database, restore_database
from bot.storage.dblock import DatabaseBusy, bot_is_running
from bot.storage.schema import SCHEMA_VERSION, StoreError
from bot.storage.store import open_readonly

EXIT_OK = 0
EXIT_PROBLEMS = 1


def _database(arg: str | None) -> Path:
    return Path(arg) if arg else load_settings().database_path


def _describe(info: DatabaseInfo) -> str:
    count = info.subscriptions
    return (
        f"{info.path} ({info.size_bytes // 1024 or 1} KB, schema version {info.schema_version}, "
        f"{count} reminder subscription{'s' if count != 1 else ''})"
    )


def cmd_backup(args: argparse.Namespace) -> int:
    """Copy the database, consistently even while the bot runs, to FILE (or into a folder)."""
    database = _database(args.db)
    try:
        info = backup_database(database, Path(args.file))
    except BackupError as exc:
        print(f"Backup failed: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    print(f"Backed up {database} to {_describe(info)}")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    """Put a backup in place of the database; only while the bot is stopped."""
    database = _database(args.db)
    try:
        info, kept = restore_database(Path(args.file), database)
    except (BackupError, DatabaseBusy) as exc:
        print(f"Nothing was restored: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    print(f"Restored {_describe(info)} to {database}")
    if kept is not None:
        print(f"The database it replaced is kept as {kept}")
    if info.schema_version < SCHEMA_VERSION:
        print("It is from an older version; the bot upgrades it when it next starts.")
    return EXIT_OK


def cmd_health(args: argparse.Namespace) -> int:
    """Exit 0 when a bot is running on the database and the database reads at this bot's schema."""
    database = _database(args.db)
    if not bot_is_running(database):
        print(f"unhealthy: no bot is running on {database}", file=sys.stderr)
        return EXIT_PROBLEMS
    try:
        open_readonly(database).close()
    except StoreError as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    print(f"ok: the bot is running on {database}")
    return EXIT_OK


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the three commands on the main parser's subcommands."""
    backup = sub.add_parser("backup", help="copy the database to FILE, safely while the bot runs")
    backup.add_argument("file", help="the copy to write (a folder: a timestamped file in it)")
    backup.add_argument("--db", help="database file (default: DATABASE_PATH)")
    backup.set_defaults(func=cmd_backup)

    restore = sub.add_parser("restore", help="put a backup in place of the database (bot stopped)")
    restore.add_argument("file", help="a file made by `azabot backup`")
    restore.add_argument("--db", help="database file (default: DATABASE_PATH)")
    restore.set_defaults(func=cmd_restore)

    health = sub.add_parser("health", help="exit 0 if the bot is running and its database is sound")
    health.add_argument("--db", help="database file (default: DATABASE_PATH)")
    health.set_defaults(func=cmd_health)
