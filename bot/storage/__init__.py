"""The embedded SQLite store (``store``: subscriptions, counts, migrations), its single-writer
lock (``dblock``), online backups and restores (``backup``) and the scrubbing of identifiers
before anything is kept (``scrub``). It implements the interfaces the domain packages declare.

May import: knowledge, reminders, admin. Never Telegram.
"""
