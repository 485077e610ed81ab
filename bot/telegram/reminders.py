"""Telegram side of the blood-test reminders: the tick job, sending, and resuming after a block.

The rules live in :mod:`bot.reminders.rules`, the wording in
:mod:`bot.conversation.reminder_replies`, storage in :mod:`bot.storage.store` and the delivery
loop in :mod:`bot.reminders.scheduler` (whose docstring says why there is one tick a minute and
what a crash does). The commands and buttons (/remind,
/timezone, /nexttest, /stopreminders, "Test done"...) are the shared conversation's
(:mod:`bot.conversation`), as in the terminal chat. This module maps Telegram errors to
:class:`~bot.reminders.scheduler.Attempt` outcomes.
"""

from __future__ import annotations

import datetime as dtm
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from telegram import Bot, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ContextTypes

from bot.config import Settings
from bot.conversation import reminder_replies as rr
from bot.presentation.reply import Reply, render_html
from bot.reminders import parsing as rp
from bot.reminders import rules as r
from bot.reminders.rules import Subscription
from bot.reminders.scheduler import Attempt, Clock, Delivery, ReminderScheduler, utc_now
from bot.storage.store import Store
from bot.telegram.handlers import STATE_KEY, BotState, keyboard, send_reply

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
BotApplication = Any
#: Key of the :class:`Reminders` in ``application.bot_data``.
REMINDERS_KEY = "azabot_reminders"
TICK_JOB, CATCH_UP_JOB = "reminder-tick", "reminder-catch-up"
#: Telegram errors that mean the chat cannot receive messages any more.
_GONE = ("chat not found", "user is deactivated", "bot was kicked", "have no rights to send")


@dataclass
class Reminders:
    """What the reminder handlers need, created in ``post_init``."""

    store: Store
    scheduler: ReminderScheduler
    default_zone: str
    clock: Clock


def _reminders(context: Context) -> Reminders:
    value = context.bot_data.get(REMINDERS_KEY)
    if not isinstance(value, Reminders):
        raise RuntimeError("reminders are not set up (post_init did not run)")
    return value


async def _say(update: Update, context: Context, reply: Reply) -> None:
    chat = update.effective_chat
    if chat is not None:
        await send_reply(context, chat.id, reply, quote=update.effective_message)


def _seconds(retry_after: int | dtm.timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, dtm.timedelta) else float(retry_after)


# -- sending a reminder ------------------------------------------------------------------------


def make_sender(bot_data: dict[Any, Any], bot: Bot) -> Callable[[Subscription, dtm.datetime], Any]:
    """The scheduler's ``send``: render the reminder and classify what Telegram answered."""

    async def send(sub: Subscription, now: dtm.datetime) -> Attempt:
        state = bot_data.get(STATE_KEY)
        zone = rp.usable_zone(sub.zone)
        if not isinstance(state, BotState) or zone is None:
            return Attempt(Delivery.TRANSIENT)
        reply = rr.reminder_reply(state.knowledge, sub, r.local_date(now, zone))
        parts = render_html(reply)
        try:
            for index, part in enumerate(parts):
                last = index == len(parts) - 1
                await bot.send_message(sub.chat_id, part, reply_markup=keyboard(reply) if last else None)
        except Forbidden:
            return Attempt(Delivery.BLOCKED)
        except RetryAfter as exc:  # the rate limiter already retried; leave it to a later attempt
            return Attempt(Delivery.TRANSIENT, _seconds(exc.retry_after))
        except BadRequest as exc:
            if any(text in exc.message.lower() for text in _GONE):
                return Attempt(Delivery.BLOCKED)
            log.warning("reminder for chat %s refused: %s", sub.chat_id, exc.message)
            return Attempt(Delivery.TRANSIENT)
        except NetworkError as exc:  # 5xx answers and timeouts (TimedOut is a NetworkError)
            log.info("reminder for chat %s: %s", sub.chat_id, type(exc).__name__)
            return Attempt(Delivery.TRANSIENT)
        except TelegramError as exc:
            log.warning("reminder for chat %s failed: %s", sub.chat_id, type(exc).__name__)
            return Attempt(Delivery.TRANSIENT)
        return Attempt(Delivery.SENT)

    return send


def make_notice(bot: Bot) -> Callable[[Subscription, dtm.datetime], Any]:
    """The scheduler's ``notice``: tell a chat its saved zone is unknown here (classified like a send)."""

    async def notice(sub: Subscription, now: dtm.datetime) -> Attempt:
        try:
            for part in render_html(rr.zone_unknown_reply()):
                await bot.send_message(sub.chat_id, part)
        except Forbidden:
            return Attempt(Delivery.BLOCKED)
        except TelegramError as exc:
            log.info("zone notice for chat %s: %s", sub.chat_id, type(exc).__name__)
            return Attempt(Delivery.TRANSIENT)
        return Attempt(Delivery.SENT)

    return notice


async def tick_job(context: Context) -> None:
    """The JobQueue callback: queue what is due now (sending happens in the scheduler's workers)."""
    value = context.bot_data.get(REMINDERS_KEY)
    if isinstance(value, Reminders):
        await value.scheduler.tick()


async def start_reminders(app: BotApplication, settings: Settings, clock: Clock = utc_now) -> Reminders:
    """Open the database, start the delivery workers and schedule the ticks (called from ``post_init``)."""
    store = await Store.open(settings.database_path, clock)
    # With the bot's SendLimiter, sends are paced by when they are made (bot.telegram.limits); a
    # second pacer by when they are requested would only slow the fan-out (issue 23 #5).
    rate = None if settings.rate_limiter else 28.0
    scheduler = ReminderScheduler(
        store, make_sender(app.bot_data, app.bot), clock, rate=rate, notice=make_notice(app.bot)
    )
    await scheduler.start()
    reminders = Reminders(store, scheduler, settings.default_timezone, clock)
    app.bot_data[REMINDERS_KEY] = reminders
    queue = app.job_queue
    if queue is None:
        raise RuntimeError("the job queue is missing: install python-telegram-bot[job-queue]")
    # A late tick is still worth running and a run of missed ones is one tick's work; see
    # bot.reminders.scheduler for why (APScheduler's default grace of 1 s would silently skip).
    job_kwargs = {"coalesce": True, "misfire_grace_time": None, "max_instances": 1}
    # Catch up straight away: whatever fell due while the bot was down, if still the same local day.
    queue.run_once(tick_job, when=0, name=CATCH_UP_JOB, job_kwargs={"misfire_grace_time": None})
    # Then on every minute boundary (real time: this is when the job queue wakes, not a rule).
    first = 60 - time.time() % 60
    queue.run_repeating(tick_job, interval=60, first=first, name=TICK_JOB, job_kwargs=job_kwargs)
    log.info("reminders: database %s", settings.database_path)
    return reminders


async def stop_reminders(app: BotApplication) -> None:
    """Let in-flight sends finish, then close the database (safe to call more than once)."""
    reminders = app.bot_data.pop(REMINDERS_KEY, None)
    if isinstance(reminders, Reminders):
        await reminders.scheduler.stop()
        await reminders.store.close()


# -- commands ----------------------------------------------------------------------------------


async def resume_on_start(update: Update, context: Context) -> None:
    """``/start`` (in a later handler group, after the welcome): resume reminders after a block.

    Only a subscription deactivated because Telegram said the bot was blocked is resumed; one the
    user stopped stays stopped.
    """
    chat = update.effective_chat
    if chat is None:
        return
    rem = _reminders(context)
    sub = await rem.store.get(chat.id)
    if sub is None or sub.state != "blocked":
        return
    now = rem.clock()
    _, after = await rem.store.update(chat.id, lambda s: r.resume(s, now) if s.state == "blocked" else s)
    if after.active:
        await _say(update, context, rr.resumed_reply(after, now))
