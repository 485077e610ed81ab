"""The minimal echo bot the capacity benchmark compares with: same library, same settings source.

Run by ``bench.telegram`` as ``python -m bench.echo_bot`` with TELEGRAM_BOT_TOKEN and
TELEGRAM_BASE_URL in the environment. ``python -m bench.echo_bot tuned`` uses the same HTTP
transport (``bot/telegram/transport.py``), pool, pool timeout and concurrency as azabot
(``bot/telegram/limits.py``), so the comparison is with what the library allows under the same
settings, not only under its defaults. With
ECHO_REPLY set (JSON: ``html`` and ``buttons``, one ``[label, data]`` row each) it sends that
reply instead of the text: the library's cost for a message as long as azabot's answers.
"""

from __future__ import annotations

import json
import os
import sys

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.config import load_settings
from bot.logging_setup import setup_logging
from bot.telegram.limits import CONCURRENT_UPDATES
from bot.telegram.transport import AiohttpRequest


async def echo(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the text back (or the fixed ECHO_REPLY)."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    fixed = os.environ.get("ECHO_REPLY")
    if fixed is None:
        await message.reply_text(message.text)
        return
    reply = json.loads(fixed)
    rows = [[InlineKeyboardButton(label, callback_data=data)] for label, data in reply["buttons"]]
    await message.reply_text(reply["html"], parse_mode="HTML", reply_markup=InlineKeyboardMarkup(rows))


def main() -> None:
    """Poll until SIGTERM, echoing every text message."""
    settings = load_settings()
    setup_logging("WARNING", [settings.telegram_bot_token.value])
    builder = (
        Application.builder().token(settings.telegram_bot_token.value).base_url(settings.telegram_base_url)
    )
    if "tuned" in sys.argv[1:]:
        builder = (
            builder.concurrent_updates(CONCURRENT_UPDATES)
            .request(AiohttpRequest())
            .get_updates_request(AiohttpRequest(connection_pool_size=1))
        )
    else:
        builder = builder.concurrent_updates(True)
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(allowed_updates=[Update.MESSAGE])


if __name__ == "__main__":
    main()
