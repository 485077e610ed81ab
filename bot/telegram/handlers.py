"""Telegram handlers: parse the update, call the domain, render, send. Nothing else lives here.

Every reply is a :class:`bot.conversation.answers.Reply` rendered with
:func:`bot.conversation.answers.render_html`, so medical replies always end with the safety
reminder. Message text is never logged.

Edited messages are ignored: the bot does not ask Telegram for them (see ``ALLOWED_UPDATES`` in
:mod:`bot.telegram.app`) and every handler is limited to new messages, so an edit never triggers
a second answer.

Every answer carries helpful / not helpful buttons (added in :func:`send_reply`, the one place
all replies pass through). Each free-text question's decision is counted, and the text of those
the bot could not answer is kept, always without user or chat id (:mod:`bot.storage.store`).
"""

from __future__ import annotations

import functools
import logging
import re
import sqlite3
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.admin.insights import FEEDBACK, VoteBook, feedback_buttons, parse_feedback
from bot.conversation import Conversation
from bot.conversation.answers import NONE_OF_THESE, ensure_reminder, topics_reply
from bot.conversation.replies import (
    FORGET_YES,
    help_reply,
    is_navigation,
    non_text_reply,
    unknown_command_reply,
)
from bot.knowledge.schema import KnowledgeBase
from bot.matching.matcher import Matcher
from bot.presentation.reply import Button, Reply, render_html
from bot.storage.schema import StoreError
from bot.storage.store import Store
from bot.telegram.addressing import addressed_command

log = logging.getLogger(__name__)

#: Key of the :class:`BotState` in ``application.bot_data``.
STATE_KEY = "azabot"
#: Key of the :class:`bot.conversation.Conversation` in ``application.bot_data`` (from ``post_init``).
CONVERSATION_KEY = "azabot_conversation"
#: Key of the :class:`bot.storage.store.Store` in ``application.bot_data`` (set once it is open).
STORE_KEY = "azabot_store"
#: Key in ``chat_data`` of the ids of topic-browser messages (edited in place on navigation).
_BROWSER_KEY = "browser_messages"
_BROWSER_KEEP = 20
_MAX_CALLBACK_BYTES = 64
#: Key of the :class:`bot.admin.insights.VoteBook` in ``application.bot_data``.
_VOTES_KEY = "azabot_votes"

Context = ContextTypes.DEFAULT_TYPE
Callback = Callable[[Update, Context], Coroutine[Any, Any, None]]


@dataclass
class BotState:
    """What the handlers need, loaded once in ``post_init``: the FAQ and its matcher."""

    knowledge: KnowledgeBase
    matcher: Matcher


def _state(context: Context) -> BotState:
    state = context.bot_data.get(STATE_KEY)
    if not isinstance(state, BotState):
        raise RuntimeError("the FAQ is not loaded (post_init did not run)")
    return state


def _conversation(context: Context) -> Conversation:
    conversation = context.bot_data.get(CONVERSATION_KEY)
    if not isinstance(conversation, Conversation):
        raise RuntimeError("the conversation is not set up (post_init did not run)")
    return conversation


def store_of(bot_data: dict[Any, Any]) -> Store | None:
    """The open database, or None (not open yet, or closing)."""
    store = bot_data.get(STORE_KEY)
    return store if isinstance(store, Store) else None


def named(name: str, callback: Callback) -> Callback:
    """Wrap a handler so an exception it raises carries the handler's name to the error handler."""

    @functools.wraps(callback)
    async def wrapper(update: Update, context: Context) -> None:
        try:
            await callback(update, context)
        except Exception as exc:
            exc.azabot_handler = name  # type: ignore[attr-defined]
            raise

    return wrapper


# -- sending -----------------------------------------------------------------------------------


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """One button per row (feedback buttons share one), callback data = the button's action.

    Actions are checked to be below Telegram's 64 bytes; a longer one is dropped with a warning.
    """
    rows: list[list[InlineKeyboardButton]] = []
    for button in reply.buttons:
        if len(button.action.encode()) > _MAX_CALLBACK_BYTES:
            log.warning("dropped a button whose action is over %d bytes", _MAX_CALLBACK_BYTES)
            continue
        item = InlineKeyboardButton(button.label, callback_data=button.action)
        if button.action.startswith(FEEDBACK) and rows and _is_feedback_row(rows[-1]):
            rows[-1].append(item)
        else:
            rows.append([item])
    return InlineKeyboardMarkup(rows) if rows else None


def _is_feedback_row(row: list[InlineKeyboardButton]) -> bool:
    return all(str(b.callback_data or "").startswith(FEEDBACK) for b in row)


def with_feedback(reply: Reply) -> Reply:
    """An answer with the helpful / not helpful buttons added last (other replies unchanged)."""
    if reply.decision != "answer" or not reply.entry_id:
        return reply
    if any(b.action.startswith(FEEDBACK) for b in reply.buttons):
        return reply
    return replace(reply, buttons=(*reply.buttons, *feedback_buttons(reply.entry_id)))


async def _count(context: Context, what: str, call: Callable[[Store], Coroutine[Any, Any, Any]]) -> Any:
    """Run a statistics write; a failure is logged (never the text) and never stops a reply."""
    store = store_of(context.bot_data)
    if store is None:
        return None
    try:
        return await call(store)
    except (StoreError, sqlite3.Error) as exc:  # e.g. the disk is full: answering matters more
        log.warning("could not record %s: %s", what, type(exc).__name__)
    return None


async def acknowledge(update: Update) -> None:
    """Answer a button press so Telegram stops the spinner; a too-old query is not an error."""
    query = update.callback_query
    if query is None:
        return
    try:
        await query.answer()
    except BadRequest as exc:  # "query is too old": still do what the user asked for
        log.debug("could not answer callback query of update %s: %s", update.update_id, exc.message)


#: How often the anonymous question counts gathered in memory are written to the database.
COUNTS_FLUSH_SECONDS = 10


async def flush_counts_job(context: Context) -> None:
    """The JobQueue callback that writes the statistics counts (a failure waits for the next run)."""
    await _count(context, "statistics counts", lambda store: store.flush_counts())


async def send_reply(
    context: Context, chat_id: int, reply: Reply, *, quote: Message | None = None
) -> Message:
    """Send every part of ``reply``; the keyboard goes on the last part. Returns the last message.

    An answer gets the feedback buttons here, and is counted as shown for its entry.
    """
    reply = with_feedback(reply)
    if reply.decision == "answer" and reply.entry_id:
        entry_id = reply.entry_id
        await _count(context, "an answer shown", lambda store: store.record_shown(entry_id))
    parts = render_html(reply)
    markup = keyboard(reply)
    reply_to = (
        ReplyParameters(quote.message_id, allow_sending_without_reply=True)
        if quote is not None and quote.chat.type != ChatType.PRIVATE
        else None
    )
    sent: Message | None = None
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        sent = await context.bot.send_message(
            chat_id,
            part,
            reply_markup=markup if last else None,
            reply_parameters=reply_to if index == 0 else None,
        )
    if sent is None:
        raise ValueError("an empty reply cannot be sent")
    return sent


async def _answer(update: Update, context: Context, reply: Reply) -> Message | None:
    chat = update.effective_chat
    if chat is None:
        return None
    log.debug("update %s -> %s %s", update.update_id, reply.decision, reply.entry_id or "")
    # Every reply to a patient's message carries the reminder, fixed ones too.
    reply = ensure_reminder(_state(context).knowledge, reply)
    return await send_reply(context, chat.id, reply, quote=update.effective_message)


def _remember_browser(context: Context, message_id: int) -> None:
    if context.chat_data is None:
        return
    ids: list[int] = context.chat_data.setdefault(_BROWSER_KEY, [])
    ids.append(message_id)
    del ids[:-_BROWSER_KEEP]


def _is_browser(context: Context, message_id: int) -> bool:
    return context.chat_data is not None and message_id in context.chat_data.get(_BROWSER_KEY, [])


# -- commands ----------------------------------------------------------------------------------


def _command_name(message: Message | None) -> str:
    """``/nexttest@AzaBot 3 Dec`` -> ``nexttest``."""
    first = (message.text or "").split(maxsplit=1)[0] if message is not None and message.text else ""
    return first.lstrip("/").partition("@")[0].lower()


async def command(update: Update, context: Context) -> None:
    """Every user command (/start with or without an entry id, /help, /remind...): the conversation's reply.

    The topic browser (/topics) is remembered so its buttons can edit it in place.
    """
    name = _command_name(update.effective_message)
    chat, user = update.effective_chat, update.effective_user
    if chat is None:
        return
    reply = await _conversation(context).command(
        _state(context).matcher,
        chat.id,
        name,
        context.args or (),
        first_name=user.first_name if user else None,
    )
    sent = await _answer(update, context, reply)
    if sent is not None and name == "topics":
        _remember_browser(context, sent.message_id)


# -- messages ----------------------------------------------------------------------------------


def _without_mention(text: str, username: str | None) -> str:
    """``text`` without mentions of the bot; usernames are case-insensitive ("@AZABOT" too)."""
    if username:
        text = re.sub(rf"(?<!\w)@{re.escape(username)}(?!\w)", " ", text, flags=re.IGNORECASE)
    return text.strip()


async def free_text(update: Update, context: Context) -> None:
    """A question in the user's words: warning signs and matching decide the reply."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    state = _state(context)
    text = _without_mention(message.text, context.bot.username)
    if not text:
        reply = help_reply(state.knowledge)
    else:
        chat = update.effective_chat
        chat_id = chat.id if chat is not None else message.chat_id
        # The conversation reads a short follow-up with the chat's previous topic (in memory).
        reply = await _conversation(context).text(state.matcher, chat_id, text)
        decision, urgent = reply.decision, reply.urgent
        question_id = await _count(
            context,
            "a question",
            lambda store: store.record_question(decision, urgent=urgent, text=text),
        )
        if isinstance(question_id, int):
            reply = _link_none_of_these(reply, question_id)
    await _answer(update, context, reply)


def _link_none_of_these(reply: Reply, question_id: int) -> Reply:
    """Point "none of these" at the stored question, so pressing it can be counted against it.

    The id is of a row that holds no user id; it only lives in this one message's button.
    """
    buttons = tuple(
        Button(b.label, f"{NONE_OF_THESE}:{question_id}") if b.action == NONE_OF_THESE else b
        for b in reply.buttons
    )
    return replace(reply, buttons=buttons)


async def other_input(update: Update, context: Context) -> None:
    """Stickers, photos, voice, files...: kindly ask for text."""
    await _answer(update, context, non_text_reply())


async def button(update: Update, context: Context) -> None:
    """A button press: acknowledge it, then show what the conversation answers to it (an answer, a
    category, the topic list, a reminder setting...).

    Topic-browser navigation edits the browser message in place; answers are new messages so the
    conversation keeps them.
    """
    query = update.callback_query
    chat = update.effective_chat
    if query is None or chat is None:
        return
    await acknowledge(update)
    state = _state(context)
    knowledge = state.knowledge
    action = query.data or ""
    if action.startswith(f"{NONE_OF_THESE}:"):
        question = action.partition(":")[2]
        # Forged data may hold "²" (a digit int() refuses) or more digits than SQLite's integers.
        if question.isascii() and question.isdecimal() and len(question) <= 18:
            question_id = int(question)
            await _count(context, "none of these", lambda store: store.mark_none_of_these(question_id))
        action = NONE_OF_THESE
    reply = await _conversation(context).action(state.matcher, chat.id, action)
    reply = reply or topics_reply(
        knowledge, intro="That button is out of date. Here are the topics:", decision="topics"
    )
    message = query.message
    parts = render_html(reply)
    if (
        is_navigation(action)
        and isinstance(message, Message)
        and _is_browser(context, message.message_id)
        and len(parts) == 1
    ):
        try:
            await query.edit_message_text(parts[0], reply_markup=keyboard(reply))
            return
        except BadRequest as exc:
            if "not modified" in exc.message.lower():
                return
            log.debug("could not edit a browser message (update %s): %s", update.update_id, exc.message)
    sent = await send_reply(context, chat.id, reply)
    if is_navigation(action):
        _remember_browser(context, sent.message_id)


def _votes(bot_data: dict[Any, Any]) -> VoteBook:
    book = bot_data.get(_VOTES_KEY)
    if not isinstance(book, VoteBook):
        book = bot_data[_VOTES_KEY] = VoteBook()
    return book


def _offered(message: object, data: str) -> bool:
    """True when ``message`` still carries a button with exactly this callback data."""
    if not isinstance(message, Message) or message.reply_markup is None:
        return False
    return any(b.callback_data == data for row in message.reply_markup.inline_keyboard for b in row)


async def feedback_button(update: Update, context: Context) -> None:
    """👍 / 👎 under an answer: count it for the entry (not who pressed) and remove the buttons.

    A vote counts once per user and message (:class:`bot.admin.insights.VoteBook`), and only when the
    message really offers that button: a double tap or forged data counts once or not at all.
    """
    query = update.callback_query
    if query is None:
        return
    data = query.data or ""
    parsed = parse_feedback(data)
    counted = False
    message = query.message
    if (
        parsed is not None
        and _state(context).knowledge.get(parsed[0]) is not None
        and _offered(message, data)
        and isinstance(message, Message)
        and _votes(context.bot_data).first(message.chat.id, message.message_id, query.from_user.id)
    ):
        entry_id, helpful = parsed
        await _count(context, "feedback", lambda store: store.record_feedback(entry_id, helpful))
        counted = True
    try:
        await query.answer("Thank you for the feedback!" if counted else None)
    except BadRequest as exc:
        log.debug("could not answer callback query of update %s: %s", update.update_id, exc.message)
    if isinstance(message, Message) and message.reply_markup is not None:
        rows = [
            [b for b in row if not str(b.callback_data or "").startswith(FEEDBACK)]
            for row in message.reply_markup.inline_keyboard
        ]
        kept = [row for row in rows if row]
        try:
            await query.edit_message_reply_markup(InlineKeyboardMarkup(kept) if kept else None)
        except BadRequest as exc:
            log.debug("could not remove feedback buttons (update %s): %s", update.update_id, exc.message)


# -- commands anyone may not know, and /forget ---------------------------------------------------


async def unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not know, or an admin command from a non-admin: the same reply.

    In groups, a command without ``@ThisBot`` may be for another bot and is left alone.
    """
    message = update.effective_message
    if message is None or not addressed_command(message, context.bot.username):
        return
    await _answer(update, context, unknown_command_reply())


async def forget_button(update: Update, context: Context) -> None:
    """The /forget buttons: erase the chat's stored and held data (and Telegram's chat data) or cancel."""
    query = update.callback_query
    chat = update.effective_chat
    if query is None or chat is None:
        return
    await acknowledge(update)
    message = query.message
    if isinstance(message, Message):
        try:  # the question is answered; its buttons must not be pressed again
            await query.edit_message_reply_markup(None)
        except BadRequest as exc:
            log.debug("could not remove the /forget buttons (update %s): %s", update.update_id, exc.message)
    if query.data == FORGET_YES:
        if store_of(context.bot_data) is None:
            raise RuntimeError("the database is not open")
        if context.chat_data:
            context.chat_data.clear()  # in memory only: ids of topic-browser messages
        _votes(context.bot_data).forget_chat(chat.id)  # in memory only: which answers were voted on
    reply = await _conversation(context).action(_state(context).matcher, chat.id, query.data or "")
    if reply is not None:
        await send_reply(context, chat.id, reply)


# -- errors ------------------------------------------------------------------------------------
