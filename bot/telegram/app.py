"""The application factory: one place that turns :class:`Settings` into a PTB ``Application``.

Nothing happens at import time. :func:`build_application` only builds; the FAQ is loaded and the
command menu set in ``post_init``, which ``run_polling``/``run_webhook`` call after
``initialize()`` (tests call it themselves, see ``tests/conftest.py``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    filters,
)

from bot.admin.insights import FEEDBACK
from bot.admin.replies import ADMIN_ACTION
from bot.config import Settings
from bot.conversation import Conversation
from bot.conversation.replies import COMMANDS
from bot.knowledge.faq import load_knowledge, required_topic_ids
from bot.knowledge.schema import LoadResult
from bot.matching.matcher import Matcher
from bot.reminders.scheduler import Clock, utc_now
from bot.telegram import addressing, errors, faq_watch
from bot.telegram import admin as adm
from bot.telegram import handlers as h
from bot.telegram import reminders as rem
from bot.telegram.backlog import BoundedUpdateQueue, ChatFairProcessor
from bot.telegram.limits import (
    CONCURRENT_UPDATES,
    MAX_HELD_PER_CHAT,
    MAX_HELD_UPDATES,
    UPDATE_QUEUE_SIZE,
    WORKER_THREADS,
    SendLimiter,
)
from bot.telegram.startup import TOKEN_REJECTED, AzabotBot, TokenRejected, connect
from bot.telegram.transport import AiohttpRequest

log = logging.getLogger(__name__)

BotApplication = Application[Any, Any, Any, Any, Any, Any]
KnowledgeLoader = Callable[[Path], LoadResult]
#: The only updates the bot asks Telegram for; edited messages are deliberately not among them.
ALLOWED_UPDATES: list[str] = [Update.MESSAGE, Update.CALLBACK_QUERY]
#: Set in ``bot_data`` when Telegram refused the token while polling.
TOKEN_REJECTED_KEY = "azabot_token_rejected"


class FaqError(RuntimeError):
    """The FAQ could not be loaded; the bot refuses to start rather than answer without it."""


def load_faq(faq_dir: Path) -> LoadResult:
    """The default knowledge loader: the FAQ folder, checked against the required topics."""
    return load_knowledge(faq_dir, required_topic_ids())


def file_url_for(base_url: str) -> str:
    """The file download base URL that goes with a Bot API base URL (``.../bot`` -> ``.../file/bot``)."""
    root, sep, _ = base_url.rpartition("/bot")
    return f"{root}/file/bot" if sep else base_url


def flood_notice(count: int) -> str:
    """What a chat that sent too many messages at once is told about the ones not read."""
    messages = "message was" if count == 1 else "messages were"
    return (
        f"You sent a lot of messages at once, so {count} {messages} not read. If you still need "
        "an answer, please send your question again, one message at a time, and wait for my reply."
    )


def register_handlers(app: BotApplication, admin_ids: frozenset[int] = frozenset()) -> None:
    """All handlers, in the order PTB tries them (the first matching one in a group wins).

    ``admin_ids`` may send FAQ files; each admin handler checks again that its user is an admin.
    """
    new = addressing.NEW_MESSAGES
    # 1. Commands. Limited to new messages, so an edited "/start" is not answered twice.
    #    The menu's commands are the shared conversation's (bot.conversation), as in `azabot chat`.
    for name, _ in COMMANDS:
        app.add_handler(CommandHandler(name, h.named(name, h.command), filters=new))
    # Admin commands: registered for everyone so a non-admin gets the unknown-command reply.
    for name, callback in adm.ADMIN_HANDLERS:
        app.add_handler(CommandHandler(name, h.named(name, adm.admin_only(callback)), filters=new))
    # Any other command: "I don't know that command" (the same reply a non-admin gets above).
    app.add_handler(MessageHandler(new & filters.COMMAND, h.named("unknown_command", h.unknown_command)))
    # /start also resumes reminders after a block; a second group, so the welcome still comes first.
    app.add_handler(CommandHandler("start", h.named("start", rem.resume_on_start), filters=new), group=1)
    # 2. Button presses: feedback, /forget, admin uploads, then the conversation's (answers, topic
    #    browser, "none of these", reminder buttons and zone choices).
    app.add_handler(CallbackQueryHandler(h.named("feedback", h.feedback_button), pattern=f"^{FEEDBACK}"))
    app.add_handler(CallbackQueryHandler(h.named("forget_button", h.forget_button), pattern="^forget:"))
    app.add_handler(
        CallbackQueryHandler(h.named("upload_button", adm.upload_button), pattern=f"^{ADMIN_ACTION}")
    )
    app.add_handler(CallbackQueryHandler(h.named("button", h.button)))
    # 3. Free text: private chats, or group messages that mention or reply to the bot.
    app.add_handler(MessageHandler(addressing.FREE_TEXT, h.named("free_text", h.free_text)))
    # 4. A document from an admin in a private chat: a FAQ file to check and maybe install.
    #    filters.User with no ids matches nobody, so without ADMIN_IDS every file gets step 5.
    admins = filters.User(user_id=admin_ids) & filters.ChatType.PRIVATE
    app.add_handler(MessageHandler(new & filters.Document.ALL & admins, h.named("upload", adm.document)))
    # 5. Anything else a person can send (stickers, photos, voice, files...): ask for text.
    app.add_handler(MessageHandler(addressing.NON_TEXT, h.named("other_input", h.other_input)))
    # 6. Errors from any of the above.
    app.add_error_handler(errors.on_error)


def build_application(
    settings: Settings, knowledge_loader: KnowledgeLoader = load_faq, *, clock: Clock = utc_now
) -> BotApplication:
    """Build the bot's ``Application`` from ``settings`` (needs a token; loads nothing yet).

    ``clock`` is the time reminders are judged by (tests pass a fake one).
    """
    if not settings.telegram_bot_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")

    async def post_init(app: BotApplication) -> None:
        # Matching, FAQ loads and file reads run in worker threads (asyncio.to_thread). Two are
        # enough, as the work holds the GIL, and each thread costs memory (its own malloc arena).
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(max_workers=WORKER_THREADS, thread_name_prefix="azabot-worker")
        )
        result = await asyncio.to_thread(knowledge_loader, settings.faq_dir)
        if result.knowledge is None:
            for problem in result.problems:
                log.error("FAQ problem: %s", problem)
            raise FaqError(
                f"The FAQ in {settings.faq_dir} has {len(result.problems)} problem(s), listed above; "
                "the bot will not start without a valid FAQ. Fix them (`azabot check` lists them) "
                "and start again."
            )
        knowledge = result.knowledge
        matcher = await asyncio.to_thread(Matcher, knowledge)
        app.bot_data[h.STATE_KEY] = h.BotState(knowledge=knowledge, matcher=matcher)
        await app.bot.set_my_commands([BotCommand(name, text) for name, text in COMMANDS])
        await adm.set_admin_commands(app.bot, settings.admin_ids)
        reminders = await rem.start_reminders(app, settings, clock)
        app.bot_data[h.STORE_KEY] = reminders.store
        app.bot_data[h.CONVERSATION_KEY] = Conversation(
            reminders.store, default_zone=settings.default_timezone, clock=clock
        )
        if app.job_queue is not None:  # start_reminders has already insisted on one
            app.job_queue.run_repeating(
                h.flush_counts_job, interval=h.COUNTS_FLUSH_SECONDS, name="statistics-flush"
            )
        await reminders.store.prune()  # unanswered questions past their 90 days, even on a quiet bot
        if settings.faq_auto_reload:
            faq_watch.start_watching(app.bot_data, app.bot)
        log.info(
            "bot @%s ready: %d FAQ entries in %d categories",
            app.bot.username,
            len(knowledge.entries),
            len(knowledge.categories),
        )

    async def post_stop(app: BotApplication) -> None:
        await faq_watch.stop_watching(app.bot_data)
        app.bot_data.pop(h.STORE_KEY, None)
        await rem.stop_reminders(app)  # in-flight reminders finish while the bot can still send

    async def post_shutdown(app: BotApplication) -> None:
        await faq_watch.stop_watching(app.bot_data)  # no-op after post_stop
        app.bot_data.pop(h.STORE_KEY, None)
        await rem.stop_reminders(app)  # no-op after post_stop; closes the database otherwise
        app.bot_data.pop(h.STATE_KEY, None)
        log.info("bot stopped")

    processor = ChatFairProcessor(CONCURRENT_UPDATES, per_chat=MAX_HELD_PER_CHAT, held=MAX_HELD_UPDATES)
    bot = AzabotBot(
        settings.telegram_bot_token.value,
        base_url=settings.telegram_base_url,
        base_file_url=file_url_for(settings.telegram_base_url),
        defaults=Defaults(
            parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
        ),
        # Sends and long polling each get their own pool, as PTB's default transport does.
        request=AiohttpRequest(),
        get_updates_request=AiohttpRequest(connection_pool_size=1),
        rate_limiter=SendLimiter() if settings.rate_limiter else None,
    )
    builder: Any = (
        Application.builder()
        .bot(bot)
        .update_queue(BoundedUpdateQueue(limit=MAX_HELD_UPDATES, maxsize=UPDATE_QUEUE_SIZE))
        .concurrent_updates(processor)
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
    )
    app: BotApplication = builder.build()

    def token_rejected() -> None:
        app.bot_data[TOKEN_REJECTED_KEY] = True
        app.stop_running()

    bot.when_token_rejected(token_rejected)

    async def tell_skipped(chat_id: int, count: int) -> None:
        await app.bot.send_message(chat_id, flood_notice(count))

    processor.on_skipped = tell_skipped
    app.bot_data[adm.ADMIN_KEY] = adm.make_tools(settings, knowledge_loader, clock)
    register_handlers(app, settings.admin_ids)
    return app


def run(settings: Settings, app: BotApplication | None = None) -> None:
    """Run until SIGINT/SIGTERM: long polling, or a webhook when ``WEBHOOK_URL`` is set.

    Connects first, retrying until Telegram answers (bot.telegram.startup). Raises
    :class:`TokenRejected` when Telegram refuses the token, at start or later.
    """
    app = app or build_application(settings)
    # PTB's run_* use the current event loop; connecting in the same loop keeps the HTTP
    # sessions opened by initialize() usable by them.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    if not loop.run_until_complete(connect(app, settings.telegram_base_url)):
        loop.run_until_complete(app.shutdown())
        loop.close()
        return
    try:
        _run_connected(settings, app)
    finally:
        if app.bot_data.get(TOKEN_REJECTED_KEY):
            raise TokenRejected(TOKEN_REJECTED)


def _run_connected(settings: Settings, app: BotApplication) -> None:
    if not settings.webhook_url:
        log.info("starting long polling")
        app.run_polling(allowed_updates=ALLOWED_UPDATES)
        return
    path = urlsplit(settings.webhook_url).path.lstrip("/")
    log.info("starting the webhook on %s:%d/%s", settings.webhook_listen, settings.webhook_port, path)
    app.run_webhook(
        listen=settings.webhook_listen,
        port=settings.webhook_port,
        url_path=path,
        webhook_url=settings.webhook_url,
        secret_token=settings.webhook_secret.value or None,
        allowed_updates=ALLOWED_UPDATES,
    )
