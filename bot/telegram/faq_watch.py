"""Watching ``faq/`` for edits: a saved file reloads the FAQ (debounced), and admins are told what
changed or, for a broken edit, what is wrong while the last good FAQ keeps answering."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Any

from telegram import Bot
from telegram.error import TelegramError
from watchfiles import Change, awatch

from bot.admin import replies as ar
from bot.knowledge.faq import is_faq_file_name
from bot.presentation.reply import Reply
from bot.telegram.admin import (
    ADMIN_KEY,
    WATCH_DEBOUNCE_MS,
    AdminTools,
    ReloadOutcome,
    reload_faq,
    send_to,
    tools_of,
)

log = logging.getLogger(__name__)


def is_faq_file(change: Change, path: str) -> bool:
    """The watcher's filter: FAQ files by the loader's own rule (not backups, temporary files, README)."""
    return is_faq_file_name(Path(path).name)


async def notify_admins(bot: Bot, admin_ids: frozenset[int], reply: Reply) -> None:
    """Send ``reply`` to every admin; an admin who never started the bot is logged and skipped."""
    for admin_id in sorted(admin_ids):
        try:
            await send_to(bot, admin_id, reply)
        except TelegramError as exc:
            log.warning("could not notify admin %s: %s", admin_id, type(exc).__name__)


async def on_faq_files_changed(bot_data: dict[Any, Any], bot: Bot) -> ReloadOutcome:
    """What the watcher does after files changed: reload by the usual rules and tell the admins.

    A valid change is reported with its summary (nothing when the FAQ is the same, e.g. after an
    upload that already reloaded). Problems are sent once per distinct set, so an editor saving
    the same broken file again does not repeat them.
    """
    tools = tools_of(bot_data)
    outcome = await reload_faq(bot_data)
    if outcome.change is None:
        problems = tuple(outcome.problems)
        log.warning(
            "FAQ files changed but have %d problem(s); the previous FAQ stays in service", len(problems)
        )
        if problems != tools.last_auto_problems:
            tools.last_auto_problems = problems
            await notify_admins(
                bot, tools.admin_ids, ar.reload_failed_reply(outcome.problems, automatic=True)
            )
        return outcome
    tools.last_auto_problems = ()
    if not outcome.change.empty:
        await notify_admins(
            bot, tools.admin_ids, ar.reloaded_reply(outcome.change, outcome.entries, automatic=True)
        )
    return outcome


async def _watch(bot_data: dict[Any, Any], bot: Bot, tools: AdminTools, stop: asyncio.Event) -> None:
    async for _changes in awatch(
        tools.faq_dir,
        watch_filter=is_faq_file,
        stop_event=stop,
        debounce=WATCH_DEBOUNCE_MS,
        recursive=False,
    ):
        try:
            await on_faq_files_changed(bot_data, bot)
        except Exception:  # the watcher must outlive one failed reload
            log.exception("automatic FAQ reload failed")


def start_watching(bot_data: dict[Any, Any], bot: Bot) -> None:
    """Start the FAQ_DIR watcher task (called from ``post_init`` when FAQ_AUTO_RELOAD is on)."""
    tools = tools_of(bot_data)
    if tools.watcher is not None:
        return
    tools.stop_watching = asyncio.Event()
    tools.watcher = asyncio.create_task(_watch(bot_data, bot, tools, tools.stop_watching), name="faq-watcher")
    log.info("watching %s for FAQ changes", tools.faq_dir)


async def stop_watching(bot_data: dict[Any, Any]) -> None:
    """Stop the watcher (safe to call twice, or when it never started)."""
    tools = bot_data.get(ADMIN_KEY)
    if not isinstance(tools, AdminTools) or tools.watcher is None:
        return
    task, tools.watcher = tools.watcher, None
    if tools.stop_watching is not None:
        tools.stop_watching.set()  # awatch checks it every few tens of ms
    try:
        await asyncio.wait_for(task, timeout=2)
    except TimeoutError:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


# -- menus -----------------------------------------------------------------------------------------
