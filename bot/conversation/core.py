"""One conversation for both front ends: commands, free text and button actions, as :class:`Reply`.

The Telegram handlers and the terminal chat (``azabot chat``) parse their input, call a
:class:`Conversation` and render what it returns; nothing here knows about either. Reminders use
the domain modules (:mod:`bot.reminders.rules` rules, :mod:`bot.conversation.reminder_replies` wording,
:mod:`bot.storage.store`), follow-ups :mod:`bot.conversation.followup` (in memory only).
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.conversation import reminder_replies as rr
from bot.conversation import replies
from bot.conversation.answers import ENTRY, MORE, answer_reply, ensure_reminder, topics_reply
from bot.conversation.followup import FollowUps, respond_in_context
from bot.matching.matcher import Matcher
from bot.presentation.reply import Reply
from bot.reminders import parsing as rp
from bot.reminders import rules as r
from bot.reminders.parsing import ReminderInputError
from bot.reminders.rules import Subscription
from bot.storage.store import Store

log = logging.getLogger(__name__)

Clock = Callable[[], dtm.datetime]
#: Messages up to this long are matched on the event loop; longer ones in a worker thread.
INLINE_MATCH_CHARS = 300
#: Commands the conversation answers, in both front ends (``due`` is the terminal's own).
COMMAND_NAMES = frozenset(
    {"start", "help", "topics", "privacy", "forget", "remind", "timezone", "nexttest", "stopreminders", "due"}
)


def describe_subscription(sub: Subscription) -> str:
    """A short, human description of a stored subscription, for the /forget receipt."""
    details = []
    if sub.remind_at is not None:
        kind = "on blood-test days" if sub.mode == "phases" else "daily"
        details.append(f"{kind} at {sub.remind_at.strftime('%H:%M')}")
    if sub.zone:
        details.append(f"time zone {sub.zone}")
    if sub.next_test:
        details.append(f"next test {sub.next_test.isoformat()}")
    if sub.last_test:
        details.append(f"last test {sub.last_test.isoformat()}")
    suffix = f" ({'; '.join(details)})" if details else ""
    return f"your blood-test reminder settings{suffix}"


def split_remind_args(args: Sequence[str]) -> tuple[str, str | None]:
    """``8:30 pm Europe/Paris`` -> (``8:30 pm``, ``Europe/Paris``)."""
    words = list(args)
    if len(words) >= 2 and words[1].lower().rstrip(".") in {"am", "pm", "a.m", "p.m"}:
        words = [f"{words[0]}{words[1]}", *words[2:]]
    if len(words) > 2:
        raise ReminderInputError(
            "Please send just a time and, if you like, a time zone, for example /remind 08:00 or "
            "/remind 8am Europe/London."
        )
    return words[0], (words[1] if len(words) == 2 else None)


class Conversation:
    """What the bot says to one chat's commands, messages and button presses.

    ``store`` holds reminders (None: reminders are unavailable and say so); ``clock`` is the time
    reminders and follow-ups are judged by; ``terminal`` picks the terminal's /help and /privacy.
    The FAQ comes with each call (``matcher``), so a reload in between is simply picked up.
    """

    def __init__(
        self,
        store: Store | None,
        *,
        default_zone: str,
        clock: Clock,
        terminal: bool = False,
        database: Path | None = None,
    ) -> None:
        self.store = store
        self.default_zone = default_zone
        self.clock = clock
        self.terminal = terminal
        self.database = database
        self.followups = FollowUps(clock)

    # -- commands -------------------------------------------------------------------------------

    async def command(
        self,
        matcher: Matcher,
        chat_id: int,
        name: str,
        args: Sequence[str] = (),
        *,
        first_name: str | None = None,
    ) -> Reply:
        """The reply to ``/name args`` (an unknown name gets the unknown-command reply), with the
        safety reminder like every reply."""
        reply = await self._command(matcher, chat_id, name, args, first_name=first_name)
        return ensure_reminder(matcher.knowledge, reply)

    async def _command(
        self,
        matcher: Matcher,
        chat_id: int,
        name: str,
        args: Sequence[str],
        *,
        first_name: str | None,
    ) -> Reply:
        knowledge = matcher.knowledge
        name = name.lower()
        if name == "start":
            if args:  # a deep link: /start <entry-id> opens that answer
                return self._opened(chat_id, matcher, args[0])
            return replies.welcome_reply(knowledge, first_name)
        if name == "help":
            return replies.help_reply(knowledge, terminal=self.terminal)
        if name == "topics":
            return topics_reply(
                knowledge, intro="Here is everything I can tell you about.", decision="topics"
            )
        if name == "privacy":
            return replies.privacy_reply(terminal=self.terminal, database=self.database)
        if name == "forget":
            return replies.forget_confirm_reply()
        if name in {"remind", "timezone", "nexttest", "stopreminders"} or (name == "due" and self.terminal):
            if self.store is None:
                return replies.reminders_unavailable_reply()
            try:
                return await self._reminder_command(self.store, chat_id, name, args)
            except ReminderInputError as exc:
                return rr.input_error_reply(str(exc))
        return replies.unknown_command_reply()

    async def _reminder_command(self, store: Store, chat_id: int, name: str, args: Sequence[str]) -> Reply:
        now = self.clock()
        if name == "remind":
            if not args:
                return rr.settings_reply(await store.get(chat_id), self.default_zone, now)
            time_text, zone_text = split_remind_args(args)
            at = rp.parse_time(time_text)
            zone = rp.parse_zone(zone_text) if zone_text else None
            before, after = await store.update(
                chat_id, lambda s: r.subscribe(s, at, zone, self.default_zone, now)
            )
            unset = zone is None and rp.usable_zone(before.zone) is None
            return rr.subscribed_reply(after, now, zone_was_default=unset)
        if name == "timezone":
            return await self._timezone(store, chat_id, " ".join(args), now)
        if name == "nexttest":
            sub = await store.get(chat_id) or Subscription(chat_id)
            today = rr.today_for(sub, self.default_zone, now)
            if not args:
                raise ReminderInputError(f"Please add the date of your next blood test, {rp.DATE_EXAMPLE}.")
            day = rp.parse_test_date(" ".join(args), today)
            _, after = await store.update(chat_id, lambda s: r.set_next_test(s, day))
            return rr.next_test_reply(after, today)
        if name == "stopreminders":
            before, _ = await store.update(chat_id, r.stop)
            return rr.stopped_reply(before.active)
        # /due, when nothing was due at the check before it
        current = await store.get(chat_id)
        return replies.nothing_due_reply(current, r.next_due(current, now) if current else None)

    async def _timezone(self, store: Store, chat_id: int, text: str, now: dtm.datetime) -> Reply:
        if not text:
            sub = await store.get(chat_id)
            current = rp.usable_zone(sub.zone if sub else None) or self.default_zone
            return rr.zone_picker_reply(current, now)
        try:
            local = rp.parse_time(text)
        except ReminderInputError:
            local = None
        if local is not None:
            return rr.zone_matches_reply(local, rp.zones_matching_local_time(local, now))
        zone = rp.parse_zone(text)
        _, after = await store.update(chat_id, lambda s: r.set_zone(s, zone, now))
        return rr.zone_set_reply(after, now)

    # -- free text ------------------------------------------------------------------------------

    async def text(self, matcher: Matcher, chat_id: int, text: str) -> Reply:
        """A question in the user's words, read with the chat's previous topic when it is a follow-up."""
        topic = self.followups.recall(chat_id)
        # Matching is CPU work: ~0.5 ms for a typical message, up to ~11 ms for a long one with
        # many questions. A thread hop costs more than the short case (handing the GIL back
        # and forth stalls the event loop's own I/O; capacity 246 -> 296 answers/s inline),
        # so only long messages go to a worker thread, where they cannot hold up other chats.
        if len(text) <= INLINE_MATCH_CHARS:
            reply = respond_in_context(matcher, text, topic)
        else:
            reply = await asyncio.to_thread(respond_in_context, matcher, text, topic)
        if reply.decision == "answer" and reply.entry_id and not reply.urgent:
            self.followups.remember(chat_id, text, reply.entry_id)
        return ensure_reminder(matcher.knowledge, reply)

    def _opened(self, chat_id: int, matcher: Matcher, entry_id: str, *, full: bool = False) -> Reply:
        reply = answer_reply(matcher.knowledge, entry_id, full=full)
        entry = matcher.knowledge.get(entry_id)
        if entry is not None:  # opened from a button or link: its question is the topic
            self.followups.remember(chat_id, entry.question, entry.id)
        return reply

    # -- buttons --------------------------------------------------------------------------------

    async def action(self, matcher: Matcher, chat_id: int, action: str) -> Reply | None:
        """The reply a button leads to, with the safety reminder, or None for an action this
        conversation does not know."""
        reply = await self._action(matcher, chat_id, action)
        return None if reply is None else ensure_reminder(matcher.knowledge, reply)

    async def _action(self, matcher: Matcher, chat_id: int, action: str) -> Reply | None:
        if action.startswith(ENTRY):
            return self._opened(chat_id, matcher, action[len(ENTRY) :])
        if action.startswith(MORE):
            return self._opened(chat_id, matcher, action[len(MORE) :], full=True)
        if action == replies.FORGET_YES:
            return replies.forgotten_reply(await self.forget(chat_id))
        if action == replies.FORGET_NO:
            return replies.forget_cancelled_reply()
        if action.startswith(("r:", rr.ZONE)):
            if self.store is None:
                return replies.reminders_unavailable_reply()
            return await self._reminder_button(self.store, chat_id, action)
        return replies.reply_for_action(matcher.knowledge, action)

    async def _reminder_button(self, store: Store, chat_id: int, action: str) -> Reply:
        now = self.clock()
        sub = await store.get(chat_id) or Subscription(chat_id)
        today = rr.today_for(sub, self.default_zone, now)
        if action.startswith(rr.ZONE):
            try:
                zone = rp.parse_zone(action[len(rr.ZONE) :])
            except ReminderInputError as exc:
                return rr.input_error_reply(str(exc))
            _, after = await store.update(chat_id, lambda s: r.set_zone(s, zone, now))
            return rr.zone_set_reply(after, now)
        if action == rr.DONE:
            _, after = await store.update(chat_id, lambda s: r.record_test_done(s, today))
            return rr.test_done_reply(after, today)
        if action == rr.SNOOZE:
            if not sub.active:
                return rr.stopped_reply(False)
            await store.update(chat_id, lambda s: r.snooze(s, now))
            return rr.snoozed_reply()
        if action == rr.STOP:
            before, _ = await store.update(chat_id, r.stop)
            return rr.stopped_reply(before.active)
        if action == rr.DOSE:
            _, after = await store.update(chat_id, lambda s: r.dose_changed(s, today))
            return rr.dose_changed_reply(after)
        if action == rr.FOLLOW_PHASES:
            _, after = await store.update(chat_id, lambda s: r.follow_phases(s, today))
            return rr.mode_reply(after, now)
        if action == rr.EVERY_DAY:
            _, after = await store.update(chat_id, r.daily)
            return rr.mode_reply(after, now)
        # r:zones, or an action from an older version of the bot
        return rr.zone_picker_reply(rp.usable_zone(sub.zone) or self.default_zone, now)

    # -- erasing --------------------------------------------------------------------------------

    async def forget(self, chat_id: int) -> list[str]:
        """Erase what is stored and held about ``chat_id``; returns a description of each thing erased."""
        self.followups.forget(chat_id)  # in memory only, but it is about this chat
        erased: list[str] = []
        if self.store is not None:
            sub = await self.store.get(chat_id)
            if await self.store.forget_chat(chat_id) and sub is not None:
                erased.append(describe_subscription(sub))
        log.info("chat %s: stored data erased on request (%d item(s))", chat_id, len(erased))
        return erased
