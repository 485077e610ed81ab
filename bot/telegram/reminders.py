"""Telegram side of the blood-test reminders: commands, buttons, the tick job and sending.

The rules live in :mod:`bot.reminders.rules`, the wording in :mod:`bot.reminders.replies`, storage in
:mod:`bot.storage.store` and the delivery loop in :mod:`bot.reminders.scheduler` (whose docstring says
why there is one tick a minute and what a crash does). This module only parses updates, calls
those, and maps Telegram errors to :class:`~bot.reminders.scheduler.Attempt` outcomes.
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
from bot.conversation.answers import Reply, render_html
from bot.reminders import replies as rr
from bot.reminders import rules as r
from bot.reminders.rules import ReminderInputError, Subscription
from bot.reminders.scheduler import Attempt, Clock, Delivery, ReminderScheduler, utc_now
from bot.storage.store import Store
from bot.telegram.handlers import STATE_KEY, BotState, acknowledge, keyboard, send_reply

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
        zone = r.usable_zone(sub.zone)
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


def _split_remind_args(args: list[str]) -> tuple[str, str | None]:
    """``8:30 pm Europe/Paris`` -> (``8:30 pm``, ``Europe/Paris``)."""
    if len(args) >= 2 and args[1].lower().rstrip(".") in {"am", "pm", "a.m", "p.m"}:
        args = [f"{args[0]}{args[1]}", *args[2:]]
    if len(args) > 2:
        raise ReminderInputError(
            "Please send just a time and, if you like, a time zone, for example /remind 08:00 or "
            "/remind 8am Europe/London."
        )
    return args[0], (args[1] if len(args) == 2 else None)


async def remind(update: Update, context: Context) -> None:
    """``/remind HH:MM [ZONE]`` subscribes; ``/remind`` alone shows the setting and how to change it."""
    chat = update.effective_chat
    if chat is None:
        return
    rem = _reminders(context)
    now = rem.clock()
    if not context.args:
        await _say(update, context, rr.settings_reply(await rem.store.get(chat.id), rem.default_zone, now))
        return
    try:
        time_text, zone_text = _split_remind_args(context.args)
        at = r.parse_time(time_text)
        zone = r.parse_zone(zone_text) if zone_text else None
    except ReminderInputError as exc:
        await _say(update, context, rr.input_error_reply(str(exc)))
        return
    before, after = await rem.store.update(chat.id, lambda s: r.subscribe(s, at, zone, rem.default_zone, now))
    await _say(
        update,
        context,
        rr.subscribed_reply(after, now, zone_was_default=zone is None and r.usable_zone(before.zone) is None),
    )


async def timezone(update: Update, context: Context) -> None:
    """``/timezone ZONE`` sets the zone; ``/timezone 14:35`` suggests zones; alone: zone buttons."""
    chat = update.effective_chat
    if chat is None:
        return
    rem = _reminders(context)
    now = rem.clock()
    if not context.args:
        sub = await rem.store.get(chat.id)
        current = r.usable_zone(sub.zone if sub else None) or rem.default_zone
        await _say(update, context, rr.zone_picker_reply(current, now))
        return
    text = " ".join(context.args)
    try:
        local = r.parse_time(text)
    except ReminderInputError:
        local = None
    if local is not None:
        await _say(update, context, rr.zone_matches_reply(local, r.zones_matching_local_time(local, now)))
        return
    try:
        zone = r.parse_zone(text)
    except ReminderInputError as exc:
        await _say(update, context, rr.input_error_reply(str(exc)))
        return
    _, after = await rem.store.update(chat.id, lambda s: r.set_zone(s, zone, now))
    await _say(update, context, rr.zone_set_reply(after, now))


async def next_test(update: Update, context: Context) -> None:
    """``/nexttest DATE``: the date of the next blood test, for the countdown."""
    chat = update.effective_chat
    if chat is None:
        return
    rem = _reminders(context)
    now = rem.clock()
    sub = await rem.store.get(chat.id) or Subscription(chat.id)
    today = rr.today_for(sub, rem.default_zone, now)
    try:
        if not context.args:
            raise ReminderInputError(f"Please add the date of your next blood test, {r.DATE_EXAMPLE}.")
        day = r.parse_test_date(" ".join(context.args), today)
    except ReminderInputError as exc:
        await _say(update, context, rr.input_error_reply(str(exc)))
        return
    _, after = await rem.store.update(chat.id, lambda s: r.set_next_test(s, day))
    await _say(update, context, rr.next_test_reply(after, today))


async def stop_command(update: Update, context: Context) -> None:
    """``/stopreminders``."""
    chat = update.effective_chat
    if chat is None:
        return
    before, _ = await _reminders(context).store.update(chat.id, r.stop)
    await _say(update, context, rr.stopped_reply(before.active))


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


async def button(update: Update, context: Context) -> None:
    """A reminder button (``r:...``) or a zone choice (``z:...``)."""
    query = update.callback_query
    chat = update.effective_chat
    if query is None or chat is None:
        return
    await acknowledge(update)
    rem = _reminders(context)
    now = rem.clock()
    action = query.data or ""
    store, chat_id = rem.store, chat.id
    sub = await store.get(chat_id) or Subscription(chat_id)
    today = rr.today_for(sub, rem.default_zone, now)
    reply: Reply
    if action.startswith(rr.ZONE):
        try:
            zone = r.parse_zone(action[len(rr.ZONE) :])
        except ReminderInputError as exc:
            reply = rr.input_error_reply(str(exc))
        else:
            _, after = await store.update(chat_id, lambda s: r.set_zone(s, zone, now))
            reply = rr.zone_set_reply(after, now)
    elif action == rr.DONE:
        _, after = await store.update(chat_id, lambda s: r.record_test_done(s, today))
        reply = rr.test_done_reply(after, today)
    elif action == rr.SNOOZE:
        if not sub.active:
            reply = rr.stopped_reply(False)
        else:
            await store.update(chat_id, lambda s: r.snooze(s, now))
            reply = rr.snoozed_reply()
    elif action == rr.STOP:
        before, _ = await store.update(chat_id, r.stop)
        reply = rr.stopped_reply(before.active)
    elif action == rr.DOSE:
        _, after = await store.update(chat_id, lambda s: r.dose_changed(s, today))
        reply = rr.dose_changed_reply(after)
    elif action == rr.FOLLOW_PHASES:
        _, after = await store.update(chat_id, lambda s: r.follow_phases(s, today))
        reply = rr.mode_reply(after, now)
    elif action == rr.EVERY_DAY:
        _, after = await store.update(chat_id, r.daily)
        reply = rr.mode_reply(after, now)
    else:  # r:zones, or an action from an older version of the bot
        reply = rr.zone_picker_reply(r.usable_zone(sub.zone) or rem.default_zone, now)
    await send_reply(context, chat_id, reply)
