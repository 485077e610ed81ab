"""What happens when a handler fails: one log line with the update id and handler, never the
message text, and a kind sentence to the user; expected Telegram refusals only at DEBUG."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.conversation.answers import error_reply
from bot.logging_setup import describe_exception
from bot.telegram.handlers import STATE_KEY, BotState, Context, send_reply

log = logging.getLogger(__name__)
#: Telegram errors that are expected in normal operation and are only logged at DEBUG.
_QUIET_BAD_REQUESTS = ("message is not modified", "query is too old")


async def on_error(update: object, context: Context) -> None:
    """Log the failure (update id and handler, never message text) and tell the user kindly.

    Blocked bots, "message is not modified" and expired callback queries are expected and only
    logged at DEBUG. Sending the apology may fail too; that is logged and swallowed.
    """
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    handler = getattr(error, "azabot_handler", "unknown")
    if isinstance(error, Forbidden):
        log.debug("update %s: the bot cannot write to this chat (%s)", update_id, error.message)
        return
    if update is None and isinstance(error, Conflict):
        return  # polling: reported once a minute in plain words by bot.telegram.startup
    if update is None and isinstance(error, NetworkError):
        # Polling or a job lost the connection; PTB retries with back-off. One line, no traceback.
        log.warning("no connection to Telegram: %s; retrying", error.message)
        return
    if isinstance(error, RetryAfter):
        # Telegram's flood control for this chat outlasted the limiter's retries; an apology
        # would be refused the same way, and the rest of the bot is unaffected.
        log.warning("update %s: not answered, Telegram asked to wait %s", update_id, error.retry_after)
        return
    if isinstance(error, BadRequest) and any(q in error.message.lower() for q in _QUIET_BAD_REQUESTS):
        log.debug("update %s: %s", update_id, error.message)
        return
    # Not exc_info: an exception's message can hold what the user typed (issue 21 #20).
    log.error(
        "handler %s failed on update %s: %s\n%s",
        handler,
        update_id,
        type(error).__name__,
        describe_exception(error) if error is not None else "",
    )
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    state: Any = context.bot_data.get(STATE_KEY)
    knowledge = state.knowledge if isinstance(state, BotState) else None
    try:
        await send_reply(context, update.effective_chat.id, error_reply(knowledge))
    except TelegramError as exc:
        log.warning("update %s: could not send the error reply: %s", update_id, type(exc).__name__)
