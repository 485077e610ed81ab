"""The terminal chat (``azabot chat``): the same conversation as Telegram, rendered as plain text.

Buttons become numbered choices to type. Reminders are stored in the bot's database under
:data:`bot.reminders.rules.LOCAL_CHAT_ID` and delivered by the bot's own
:class:`~bot.reminders.scheduler.ReminderScheduler`, ticked before every prompt instead of every
minute: a reminder that fell due while the user was reading is shown at the next prompt, and
``/due`` checks at once. Nothing here sleeps, so tests drive it with a fake clock.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from bot.conversation import Conversation
from bot.conversation import reminder_replies as rr
from bot.knowledge.schema import KnowledgeBase
from bot.matching.matcher import Matcher
from bot.presentation.reply import Button, Reply, render_text
from bot.reminders import parsing as rp
from bot.reminders import rules as r
from bot.reminders.rules import LOCAL_CHAT_ID, Subscription
from bot.reminders.scheduler import Attempt, Clock, Delivery, ReminderScheduler, utc_now
from bot.storage.dblock import DatabaseBusy
from bot.storage.schema import StoreError
from bot.storage.store import Store

log = logging.getLogger(__name__)

EXIT_WORDS = frozenset({"quit", "exit", "q", "/quit", "/exit"})
PROMPT = "you> "


class TerminalChat:
    """One terminal session: a conversation, its printed replies, and its reminders."""

    def __init__(self, matcher: Matcher, conversation: Conversation, out: TextIO) -> None:
        self.matcher = matcher
        self.conversation = conversation
        self.out = out
        self.buttons: tuple[Button, ...] = ()
        self._due: list[Reply] = []
        self._scheduler: ReminderScheduler | None = None
        if conversation.store is not None:
            self._scheduler = ReminderScheduler(
                conversation.store,
                self._deliver,
                conversation.clock,
                workers=1,
                rate=None,
                retry_delays=(),
                notice=self._deliver,
                owns=lambda chat_id: chat_id == LOCAL_CHAT_ID,
            )

    @property
    def knowledge(self) -> KnowledgeBase:
        """The FAQ this chat answers from."""
        return self.matcher.knowledge

    async def _deliver(self, sub: Subscription, now: dtm.datetime) -> Attempt:
        # "Sent" means printed at the next prompt; the scheduler then records the day as done.
        zone = rp.usable_zone(sub.zone)
        if zone is None:
            self._due.append(rr.zone_unknown_reply())
        else:
            self._due.append(rr.reminder_reply(self.knowledge, sub, r.local_date(now, zone)))
        return Attempt(Delivery.SENT)

    async def start(self) -> None:
        """Start the reminder worker (when there is a database)."""
        if self._scheduler is not None:
            await self._scheduler.start()

    async def stop(self) -> None:
        """Stop the reminder worker."""
        if self._scheduler is not None:
            await self._scheduler.stop()

    async def due(self) -> list[Reply]:
        """The reminders due now (each is recorded as shown, so it comes once a day)."""
        if self._scheduler is not None:
            await self._scheduler.tick()
            await self._scheduler.drain()
        shown, self._due = self._due, []
        return shown

    def show(self, reply: Reply) -> None:
        """Print a reply; its buttons become the numbered choices."""
        self.buttons = reply.buttons
        print(render_text(reply), end="\n\n", file=self.out, flush=True)

    async def handle(self, text: str) -> list[Reply]:
        """The replies to one typed line (none for an empty line)."""
        conversation, chat = self.conversation, LOCAL_CHAT_ID
        if text.isdigit() and 1 <= int(text) <= len(self.buttons):
            reply = await conversation.action(self.matcher, chat, self.buttons[int(text) - 1].action)
            return [reply] if reply is not None else []
        if text.startswith("/"):
            name, *args = text[1:].split()
            if name.lower() == "due":
                return await self.due() or [await conversation.command(self.matcher, chat, "due")]
            return [await conversation.command(self.matcher, chat, name, args)]
        if text:
            return [await conversation.text(self.matcher, chat, text)]
        return []

    async def run(self, lines: Iterable[str]) -> None:
        """Greet, then answer each line until one of :data:`EXIT_WORDS` or the end of input."""
        self.show(await self.conversation.command(self.matcher, LOCAL_CHAT_ID, "start"))
        print('Type a question, a number to choose, or "quit" to leave.', file=self.out)
        await self._prompt()
        for line in lines:
            text = line.strip()
            if text.lower() in EXIT_WORDS:
                break
            replies = await self.handle(text) if text != "/" else []
            if replies:
                print(file=self.out)
            for reply in replies:
                self.show(reply)
            await self._prompt()
        print(file=self.out)

    async def _prompt(self) -> None:
        for reminder in await self.due():
            self.show(reminder)
        print(PROMPT, end="", file=self.out, flush=True)


async def _chat(
    matcher: Matcher,
    lines: Iterable[str],
    out: TextIO,
    database: Path | None,
    default_zone: str,
    clock: Clock,
) -> None:
    store: Store | None = None
    if database is not None:
        try:
            store = await Store.open(database, clock)
        except (StoreError, DatabaseBusy, OSError) as exc:
            print(
                f"Reminders are off in this chat: the database {database} cannot be used ({exc}).", file=out
            )
    conversation = Conversation(
        store, default_zone=default_zone, clock=clock, terminal=True, database=database
    )
    chat = TerminalChat(matcher, conversation, out)
    await chat.start()
    try:
        await chat.run(lines)
    finally:
        await chat.stop()
        if store is not None:
            await store.close()


def chat_loop(
    knowledge: KnowledgeBase,
    matcher: Matcher,
    lines: Iterable[str],
    out: TextIO,
    *,
    database: Path | None = None,
    default_zone: str = "Europe/London",
    clock: Clock = utc_now,
) -> None:
    """The terminal chat; reminders need ``database`` (the bot's file), ``clock`` is injectable."""
    if matcher.knowledge is not knowledge:
        raise ValueError("the matcher must be built on the same FAQ")
    asyncio.run(_chat(matcher, lines, out, database, default_zone, clock))
