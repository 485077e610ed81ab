"""Admin commands over Telegram: reload, export, install an uploaded FAQ file, rollback, stats.

Who is an admin: a user whose id is in ``ADMIN_IDS``, in a private chat with the bot. Everyone
else gets exactly the reply to an unknown command (:func:`bot.telegram.handlers.unknown_command`),
so nothing reveals that admin commands exist; their documents get the usual "please type text".

Every FAQ change (``/reload``, the file watcher, an installed upload, ``/rollback``) goes through
one lock and ends in :func:`_reload_locked`, which swaps the whole :class:`BotState` in one
assignment, or keeps the old one and returns the problems. The rules for checking a change live
in :mod:`bot.admin.faq_changes`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import logging
import secrets
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram import Bot, BotCommand, BotCommandScopeChat, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.admin import replies as ar
from bot.admin.faq_changes import (
    FaqChange,
    FaqFileError,
    check_candidate,
    check_name,
    check_size,
    clean_stale,
    diff_knowledge,
    install,
    latest_backup,
    restore,
    write_error,
)
from bot.admin.insights import UNANSWERED_WINDOW_DAYS, group_unanswered, stats_reply, unanswered_reply
from bot.config import Settings
from bot.conversation.replies import ADMIN_COMMANDS, COMMANDS
from bot.knowledge.faq import faq_files
from bot.knowledge.schema import KnowledgeBase, LoadResult
from bot.knowledge.yamlsource import Problem
from bot.matching.matcher import Matcher
from bot.presentation.reply import Reply, render_html
from bot.reminders.scheduler import Clock
from bot.telegram import handlers as h

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
Callback = Callable[[Update, Context], Coroutine[Any, Any, None]]
#: Key of the :class:`AdminTools` in ``application.bot_data``.
ADMIN_KEY = "azabot_admin"
#: Uploads waiting for their confirm button; older ones are dropped beyond this.
MAX_PENDING = 10
#: The watcher waits this long (ms) for more changes before reloading: an editor's save, or a
#: ``git pull`` touching several files, becomes one reload.
WATCH_DEBOUNCE_MS = 800


@dataclass(frozen=True)
class ReloadOutcome:
    """A reload's result: the change (when the new FAQ is served) or the problems (when not)."""

    change: FaqChange | None
    problems: list[Problem]
    entries: int = 0

    @property
    def ok(self) -> bool:
        """True when the FAQ on disk was valid (and is now served)."""
        return self.change is not None


@dataclass
class PendingUpload:
    """A checked upload waiting for the admin's confirm button (kept in memory only)."""

    name: str
    content: bytes
    user_id: int


@dataclass
class AdminTools:
    """What the admin handlers need; created in ``build_application``."""

    faq_dir: Path
    admin_ids: frozenset[int]
    loader: Callable[[Path], LoadResult]
    clock: Clock
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    pending: dict[str, PendingUpload] = field(default_factory=dict)
    watcher: asyncio.Task[None] | None = None
    stop_watching: asyncio.Event | None = None
    #: The problems last sent to admins by the watcher, so an unchanged broken file is not re-sent.
    last_auto_problems: tuple[Problem, ...] = ()


def tools_of(bot_data: dict[Any, Any]) -> AdminTools:
    """The :class:`AdminTools` of an application."""
    tools = bot_data.get(ADMIN_KEY)
    if not isinstance(tools, AdminTools):
        raise RuntimeError("admin tools are not set up (build_application did not run)")
    return tools


def is_admin(update: Update, context: Context) -> bool:
    """True for a user in ADMIN_IDS, in a private chat with the bot."""
    user, chat = update.effective_user, update.effective_chat
    tools = context.bot_data.get(ADMIN_KEY)
    return (
        isinstance(tools, AdminTools)
        and user is not None
        and chat is not None
        and chat.type == ChatType.PRIVATE
        and user.id in tools.admin_ids
    )


def admin_only(callback: Callback) -> Callback:
    """Run ``callback`` for admins; everyone else gets the unknown-command reply."""

    async def gated(update: Update, context: Context) -> None:
        if is_admin(update, context):
            await callback(update, context)
        else:
            await h.unknown_command(update, context)

    gated.__doc__ = callback.__doc__
    return gated


async def send_to(bot: Bot, chat_id: int, reply: Reply) -> Message | None:
    """Send a reply with its keyboard on the last part (for places without a handler context)."""
    sent: Message | None = None
    parts = render_html(reply)
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        sent = await bot.send_message(chat_id, part, reply_markup=h.keyboard(reply) if last else None)
    return sent


async def _say(update: Update, context: Context, reply: Reply) -> None:
    chat = update.effective_chat
    if chat is not None:
        await h.send_reply(context, chat.id, reply)


# -- the one way the FAQ changes -------------------------------------------------------------------


async def _reload_locked(bot_data: dict[Any, Any], tools: AdminTools) -> ReloadOutcome:
    """Load and check ``FAQ_DIR``; if valid, swap the whole state in one assignment. Hold the lock."""
    result = await asyncio.to_thread(tools.loader, tools.faq_dir)
    if result.knowledge is None or result.problems:
        return ReloadOutcome(None, list(result.problems))
    knowledge = result.knowledge
    old = bot_data.get(h.STATE_KEY)
    if isinstance(old, h.BotState):
        change = diff_knowledge(old.knowledge, knowledge)
        if change.empty:
            return ReloadOutcome(change, [], len(knowledge.entries))  # nothing to swap
    else:
        change = FaqChange(added=tuple(e.id for e in knowledge.entries))
    matcher = await asyncio.to_thread(Matcher, knowledge)
    # The swap: handlers read the state once per update, so each sees the old FAQ or the new one.
    bot_data[h.STATE_KEY] = h.BotState(knowledge=knowledge, matcher=matcher)
    log.info("FAQ reloaded: %d entries (%s)", len(knowledge.entries), "; ".join(change.lines()))
    return ReloadOutcome(change, [], len(knowledge.entries))


async def reload_faq(bot_data: dict[Any, Any]) -> ReloadOutcome:
    """Re-read ``FAQ_DIR`` and serve it if it is valid; otherwise keep the current FAQ."""
    tools = tools_of(bot_data)
    async with tools.lock:
        return await _reload_locked(bot_data, tools)


def _current(bot_data: dict[Any, Any]) -> KnowledgeBase:
    state = bot_data.get(h.STATE_KEY)
    if not isinstance(state, h.BotState):
        raise RuntimeError("the FAQ is not loaded (post_init did not run)")
    return state.knowledge


# -- commands --------------------------------------------------------------------------------------


async def reload_command(update: Update, context: Context) -> None:
    """/reload: re-read and check the FAQ; report what changed, or the problems."""
    outcome = await reload_faq(context.bot_data)
    if outcome.change is None:
        await _say(update, context, ar.reload_failed_reply(outcome.problems))
    else:
        await _say(update, context, ar.reloaded_reply(outcome.change, outcome.entries))


async def export_command(update: Update, context: Context) -> None:
    """/export: every FAQ file as a document, then how to send one back."""
    chat = update.effective_chat
    if chat is None:
        return
    tools = tools_of(context.bot_data)
    files = await asyncio.to_thread(lambda: [(p.name, p.read_bytes()) for p in faq_files(tools.faq_dir)])
    for name, content in files:
        await context.bot.send_document(chat.id, document=content, filename=name)
    await h.send_reply(context, chat.id, ar.export_reply(len(files)))


async def rollback_command(update: Update, context: Context) -> None:
    """/rollback: restore the version the last installed file replaced, if the FAQ stays valid."""
    tools = tools_of(context.bot_data)
    async with tools.lock:
        backup = await asyncio.to_thread(latest_backup, tools.faq_dir)
        if backup is None:
            reply = ar.rollback_nothing_reply()
        else:
            try:
                candidate = await asyncio.to_thread(
                    check_candidate,
                    tools.faq_dir,
                    backup.name,
                    backup.content,
                    tools.loader,
                    _current(context.bot_data),
                )
            except FaqFileError as exc:
                candidate = None
                reply = ar.rollback_failed_reply(backup, str(exc))
            if candidate is None:
                pass
            elif not candidate.ok:
                reply = ar.rollback_problems_reply(backup, candidate.problems)
            else:
                try:
                    await asyncio.to_thread(restore, tools.faq_dir, backup)
                except OSError as exc:  # e.g. the disk is full: the file is as it was
                    log.warning("rollback of FAQ file %s failed: %s", backup.name, type(exc).__name__)
                    reply = ar.rollback_failed_reply(backup, write_error(exc))
                else:
                    outcome = await _reload_locked(context.bot_data, tools)
                    reply = (
                        ar.rollback_reply(backup, outcome.change, outcome.entries)
                        if outcome.change is not None
                        else ar.reload_failed_reply(outcome.problems)
                    )
    await _say(update, context, reply)


async def stats_command(update: Update, context: Context) -> None:
    """/stats: questions, decisions, top and least helpful entries, active subscriptions."""
    store = h.store_of(context.bot_data)
    if store is None:
        raise RuntimeError("the database is not open")
    await _say(update, context, stats_reply(await store.stats()))


async def unanswered_command(update: Update, context: Context) -> None:
    """/unanswered: the most frequent recent questions without an answer, grouped by similarity."""
    store = h.store_of(context.bot_data)
    if store is None:
        raise RuntimeError("the database is not open")
    since = tools_of(context.bot_data).clock() - dtm.timedelta(days=UNANSWERED_WINDOW_DAYS)
    questions = await store.unanswered_since(since)
    groups = await asyncio.to_thread(group_unanswered, questions)
    await _say(update, context, unanswered_reply(groups))


# -- FAQ files over Telegram -----------------------------------------------------------------------


async def document(update: Update, context: Context) -> None:
    """A document from an admin: check it as the FAQ file it names; offer to install it."""
    message = update.effective_message
    user = update.effective_user
    if message is None or message.document is None or user is None:
        return
    if not is_admin(update, context):  # the handler's filter already says so; never rely on one check
        await h.other_input(update, context)
        return
    tools = tools_of(context.bot_data)
    doc = message.document
    name = doc.file_name or ""
    try:
        check_name(name)
        check_size(doc.file_size)
    except FaqFileError as exc:
        await _say(update, context, ar.upload_refused_reply(name, str(exc)))
        return
    try:
        telegram_file = await context.bot.get_file(doc.file_id)
        content = bytes(await telegram_file.download_as_bytearray())
    except BadRequest as exc:  # e.g. "file is too big" when Telegram had no size to tell
        await _say(
            update,
            context,
            ar.upload_refused_reply(name, f"Telegram could not give me the file ({exc.message})."),
        )
        return
    try:
        candidate = await asyncio.to_thread(
            check_candidate, tools.faq_dir, name, content, tools.loader, _current(context.bot_data)
        )
    except FaqFileError as exc:
        await _say(update, context, ar.upload_refused_reply(name, str(exc)))
        return
    if not candidate.ok:
        await _say(update, context, ar.upload_problems_reply(name, candidate.problems))
        return
    token = secrets.token_urlsafe(8)
    tools.pending[token] = PendingUpload(name, content, user.id)
    while len(tools.pending) > MAX_PENDING:
        tools.pending.pop(next(iter(tools.pending)))
    exists = (tools.faq_dir / name).is_file()
    await _say(update, context, ar.upload_preview_reply(name, candidate.change, exists, token))


async def upload_button(update: Update, context: Context) -> None:
    """Install / Cancel under an upload preview: re-check, back up, write atomically, reload."""
    query = update.callback_query
    if query is None:
        return
    await h.acknowledge(update)
    if not is_admin(update, context):
        return  # the buttons exist only in admins' chats; anything else is forged or stale
    if isinstance(query.message, Message):
        with contextlib.suppress(BadRequest):  # one press only
            await query.edit_message_reply_markup(None)
    tools = tools_of(context.bot_data)
    action = query.data or ""
    token = action.removeprefix(ar.INSTALL).removeprefix(ar.CANCEL)
    pending = tools.pending.pop(token, None)
    if pending is None:
        await _say(update, context, ar.upload_expired_reply())
        return
    if action.startswith(ar.CANCEL):
        await _say(update, context, ar.upload_cancelled_reply(pending.name))
        return
    async with tools.lock:
        # Checked again: another file may have changed since the preview.
        try:
            candidate = await asyncio.to_thread(
                check_candidate,
                tools.faq_dir,
                pending.name,
                pending.content,
                tools.loader,
                _current(context.bot_data),
            )
        except FaqFileError as exc:
            candidate = None
            reply = ar.upload_refused_reply(pending.name, str(exc))
        if candidate is None:
            pass
        elif not candidate.ok:
            reply = ar.upload_problems_reply(pending.name, candidate.problems)
        else:
            reply = await _install_locked(context.bot_data, tools, pending)
    await _say(update, context, reply)


async def _install_locked(bot_data: dict[Any, Any], tools: AdminTools, pending: PendingUpload) -> Reply:
    """Write a checked upload and reload; a failed write is said plainly (hold the lock)."""
    try:
        await asyncio.to_thread(install, tools.faq_dir, pending.name, pending.content, tools.clock())
    except OSError as exc:  # e.g. the disk is full: install() left the folder as it was
        log.warning("installing FAQ file %s failed: %s", pending.name, type(exc).__name__)
        return ar.install_failed_reply(pending.name, write_error(exc))
    log.info("admin %s installed FAQ file %s", pending.user_id, pending.name)
    outcome = await _reload_locked(bot_data, tools)
    if outcome.change is None:
        return ar.reload_failed_reply(outcome.problems)
    return ar.installed_reply(pending.name, outcome.change, outcome.entries)


# -- automatic reload ------------------------------------------------------------------------------


async def set_admin_commands(bot: Bot, admin_ids: frozenset[int]) -> None:
    """Show the admin commands in each admin's private chat only (a chat command scope each)."""
    commands = [BotCommand(name, text) for name, text in (*COMMANDS, *ADMIN_COMMANDS)]
    for admin_id in sorted(admin_ids):
        try:
            await bot.set_my_commands(commands, scope=BotCommandScopeChat(admin_id))
        except TelegramError as exc:  # "chat not found" until the admin has started the bot
            log.warning("could not set the admin command menu for %s: %s", admin_id, type(exc).__name__)


def make_tools(settings: Settings, loader: Callable[[Path], LoadResult], clock: Clock) -> AdminTools:
    """The :class:`AdminTools` for ``settings``; first removes what a killed install left behind."""
    try:
        if removed := clean_stale(settings.faq_dir):
            log.info("removed %d temporary file(s) left by an interrupted FAQ install", removed)
    except OSError as exc:  # a read-only folder: nothing can be installed there anyway
        log.warning("could not clean the FAQ folder: %s", type(exc).__name__)
    return AdminTools(faq_dir=settings.faq_dir, admin_ids=settings.admin_ids, loader=loader, clock=clock)


#: (command, handler) of every admin command, each wrapped by :func:`admin_only` when registered.
ADMIN_HANDLERS: tuple[tuple[str, Callback], ...] = (
    ("reload", reload_command),
    ("export", export_command),
    ("rollback", rollback_command),
    ("stats", stats_command),
    ("unanswered", unanswered_command),
)
