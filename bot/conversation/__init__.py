"""The conversation layer both front ends share (Telegram and ``azabot chat``), free of Telegram.

:class:`Conversation` (``core``) turns commands, free text and button actions into
:class:`bot.presentation.reply.Reply` objects. ``answers`` builds the medical replies (the safety
advice first, the reminder always), ``replies`` the fixed ones, ``reminder_replies`` the reminder
texts, and ``followup`` reads short follow-ups with the previous topic. Telegram and the terminal
differ only in how they show a ``Reply``.

May import: knowledge, matching, safety, reminders, storage, admin, presentation, logging_setup.
Never Telegram.
"""

from bot.conversation.core import COMMAND_NAMES, Conversation, describe_subscription

__all__ = ["COMMAND_NAMES", "Conversation", "describe_subscription"]
