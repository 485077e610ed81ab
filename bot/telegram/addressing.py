"""Which messages the bot reads: every message in a private chat; in groups only those that
mention or reply to the bot, and only commands written ``/cmd@ThisBot``. New messages only:
edited messages and channel posts are ignored."""

from __future__ import annotations

from telegram import Message, MessageEntity
from telegram.constants import ChatType
from telegram.ext import filters


class AddressedToBot(filters.MessageFilter):
    """Private chats always; in groups only messages that mention or reply to the bot."""

    def filter(self, message: Message) -> bool:
        """True when the bot should read this message."""
        if message.chat.type == ChatType.PRIVATE:
            return True
        bot = message.get_bot()
        replied = message.reply_to_message
        if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
            return True
        mention = f"@{bot.username}".lower()
        found = {**message.parse_entities([MessageEntity.MENTION])}
        found.update(message.parse_caption_entities([MessageEntity.MENTION]))
        return any(text.lower() == mention for text in found.values())


ADDRESSED = AddressedToBot(name="AddressedToBot")
#: Only new messages: edited messages and channel posts are ignored.
NEW_MESSAGES = filters.UpdateType.MESSAGE
FREE_TEXT = NEW_MESSAGES & filters.TEXT & ~filters.COMMAND & ADDRESSED
NON_TEXT = (
    NEW_MESSAGES
    & ADDRESSED
    & (
        filters.Sticker.ALL
        | filters.PHOTO
        | filters.VOICE
        | filters.AUDIO
        | filters.VIDEO
        | filters.VIDEO_NOTE
        | filters.ANIMATION
        | filters.LOCATION
        | filters.VENUE
        | filters.CONTACT
        | filters.Document.ALL
        | filters.POLL
        | filters.Dice.ALL
    )
)


def addressed_command(message: Message, bot_username: str | None) -> bool:
    """A command meant for this bot: any in a private chat; in groups only ``/cmd@ThisBot``."""
    if message.chat.type == ChatType.PRIVATE:
        return True
    command = (message.text or "").split(maxsplit=1)[0] if message.text else ""
    _, at, target = command.partition("@")
    return bool(at) and bot_username is not None and target.lower() == bot_username.lower()
