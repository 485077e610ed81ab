"""What the reminder scheduler needs from a store, declared here so storage depends on reminders
and never the other way round (``bot.storage.store.Store`` implements it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from bot.reminders.rules import Subscription


class StoreUnavailable(RuntimeError):
    """The store cannot be used now (a newer database, a lock held elsewhere...)."""


class ReminderStore(Protocol):
    """The three calls the scheduler makes: read one chat, list the active, change one in a transaction."""

    async def get(self, chat_id: int) -> Subscription | None:
        """The chat's subscription, or None."""
        ...

    async def active(self) -> list[Subscription]:
        """Every active subscription."""
        ...

    async def update(
        self, chat_id: int, change: Callable[[Subscription], Subscription]
    ) -> tuple[Subscription, Subscription]:
        """Apply ``change`` to the chat's row in one transaction; the rows before and after."""
        ...
