"""The conversation both front ends share (Telegram and ``azabot chat``), free of Telegram.

:class:`Conversation` turns commands, free text and button actions into
:class:`bot.answers.Reply` objects; :mod:`bot.conversation.replies` holds the fixed replies and
:mod:`bot.conversation.followup` reads short follow-ups with the previous topic.
"""

from bot.conversation.core import COMMAND_NAMES, Conversation, describe_subscription

__all__ = ["COMMAND_NAMES", "Conversation", "describe_subscription"]
