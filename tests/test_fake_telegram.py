"""Tests for the fake Telegram Bot API server, driven through python-telegram-bot itself."""

from __future__ import annotations

import asyncio
import datetime as dtm
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from tests.fake_telegram import (
    ERR_NOT_MODIFIED,
    FakeTelegram,
    HtmlParseError,
    command_entities,
    parse_html,
    utf16_len,
)

TOKEN = "123:ABC"
CHAT = 42


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN) as srv:
        yield srv
        assert srv.internal_errors == []


@pytest.fixture
async def bot(server: FakeTelegram) -> AsyncIterator[Bot]:
    async with server.make_bot() as b:
        yield b


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(f"b{i}", callback_data=d)] for i, d in enumerate(data)]
    )


# --------------------------------------------------------------------------------------- pure parts


def test_parse_html_entities_and_utf16_offsets() -> None:
    text, entities = parse_html('😀 <b>bold</b> &amp; <a href="https://x.org/?a=1&amp;b=2">link</a>')
    assert text == "😀 bold & link"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 4},
        {"type": "text_link", "offset": 10, "length": 4, "url": "https://x.org/?a=1&b=2"},
    ]
    _, pre = parse_html('<pre><code class="language-python">x = 1</code></pre>')
    assert pre == [{"type": "pre", "offset": 0, "length": 5, "language": "python"}]
    _, quote = parse_html("<blockquote expandable>q</blockquote><span class='tg-spoiler'>s</span>")
    assert [e["type"] for e in quote] == ["expandable_blockquote", "spoiler"]


@pytest.mark.parametrize(
    ("html", "message"),
    [
        ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("a<b", "Unclosed start tag at byte offset 1"),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("AT&T", 'Unescaped "&" at byte offset 2'),
    ],
)
def test_parse_html_refuses_what_telegram_refuses(html: str, message: str) -> None:
    with pytest.raises(HtmlParseError, match=message.replace("(", r"\(")):
        parse_html(html)


def test_helpers() -> None:
    assert utf16_len("a😀") == 3
    assert command_entities("/start@AzaTestBot hi") == [{"type": "bot_command", "offset": 0, "length": 17}]
    assert command_entities("hello") == []
    assert parse_html("AT&T", strict_ampersand=False) == ("AT&T", [])


# ------------------------------------------------------------------------------------ through PTB


async def test_get_me(bot: Bot, server: FakeTelegram) -> None:
    me = await bot.get_me()
    assert me.username == "AzaTestBot"
    assert me.id == 123
    assert me.can_join_groups is True
    assert server.url.startswith("http://127.0.0.1:")


async def test_send_message_is_recorded(bot: Bot, server: FakeTelegram) -> None:
    message = await bot.send_message(
        CHAT, "<b>Hi</b> there", parse_mode=ParseMode.HTML, reply_markup=keyboard("yes", "no")
    )
    assert message.message_id == 1
    assert message.text == "Hi there"
    assert message.entities[0].type == "bold"
    assert message.from_user is not None and message.from_user.is_bot
    assert message.reply_markup is not None
    (sent,) = await server.wait_for_sent(1)
    assert sent["method"] == "sendMessage"
    assert sent["chat_id"] == CHAT
    assert sent["text"] == "<b>Hi</b> there"
    assert sent["parse_mode"] == "HTML"
    assert sent["reply_markup"]["inline_keyboard"][1][0]["callback_data"] == "no"
    assert sent["message_id"] == 1
    second = await bot.send_message(CHAT, "42")  # a numeric-looking text stays a string
    assert second.message_id == 2 and second.text == "42"


async def test_message_too_long_counts_utf16(bot: Bot, server: FakeTelegram) -> None:
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(CHAT, "x" * 4097)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(CHAT, "😀" * 2049)  # 4098 UTF-16 units
    await bot.send_message(CHAT, "😀" * 2048)
    await bot.send_message(CHAT, "<b>" + "x" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(CHAT, "<b> </b>", parse_mode=ParseMode.HTML)
    assert [s["method"] for s in server.sent] == ["sendMessage", "sendMessage"]
    assert server.calls_to("sendMessage")[0]["text"] == "x" * 4097
    assert next(c for c in server.calls if c["method"] == "sendMessage")["status"] == 400


async def test_bad_html_is_refused(bot: Bot) -> None:
    with pytest.raises(BadRequest, match='Can\'t parse entities: unsupported start tag "br"'):
        await bot.send_message(CHAT, "a<br>b", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(CHAT, "<b>bold", parse_mode=ParseMode.HTML)


async def test_long_polling_returns_pushed_update(bot: Bot, server: FakeTelegram) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=2))
    await server.wait_for_call("getUpdates")
    started = time.monotonic()
    server.push_text(CHAT, "/start", username="alice")
    updates = await poll
    assert time.monotonic() - started < 1
    assert len(updates) == 1
    message = updates[0].message
    assert message is not None and message.text == "/start"
    assert message.entities[0].type == "bot_command"
    assert message.from_user is not None and message.from_user.username == "alice"
    # Confirming with offset empties the queue; an empty poll waits for its timeout.
    started = time.monotonic()
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=dtm.timedelta(seconds=0.3)) == ()
    assert time.monotonic() - started >= 0.25
    assert server.pending_updates == []


async def test_second_poller_conflicts_with_first(bot: Bot, server: FakeTelegram) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=2))
    await server.wait_for_call("getUpdates")
    async with server.make_bot() as other_instance:
        second = asyncio.create_task(other_instance.get_updates(timeout=2))
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await first
        server.push_text(CHAT, "hi")
        assert len(await second) == 1


# PTB 22 warns about RetryAfter.retry_after becoming a timedelta; that is PTB's business.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_fail_next_429_is_retry_after(bot: Bot, server: FakeTelegram) -> None:
    server.fail_next("sendMessage", status=429, retry_after=3)
    with pytest.raises(RetryAfter, match="Retry in 3"):
        await bot.send_message(CHAT, "hi")
    await bot.send_message(CHAT, "hi")  # only the next call failed
    assert len(server.sent) == 1


async def test_fail_next_403_per_chat_and_5xx(bot: Bot, server: FakeTelegram) -> None:
    server.fail_next("sendMessage", status=403, chat_id=7, count=None)
    for _ in range(2):
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(7, "hi")
    await bot.send_message(8, "other chats still work")
    server.fail_next("*", status=502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(8, "x")
    server.fail_next("sendMessage", status=400, description="Bad Request: chat not found")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(8, "x")


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_flood_limit(bot: Bot, server: FakeTelegram) -> None:
    server.flood_limit(per_second=2)
    await bot.send_message(CHAT, "1")
    await bot.send_message(CHAT, "2")
    with pytest.raises(RetryAfter):
        await bot.send_message(CHAT, "3")
    assert server.flood_rejections == 1
    server.flood_limit(None)
    await bot.send_message(CHAT, "4")


async def test_callback_data_limits(bot: Bot, server: FakeTelegram) -> None:
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(CHAT, "pick", reply_markup=keyboard("x" * 65))
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(CHAT, "pick", reply_markup=keyboard("я" * 33))  # 66 bytes
    await bot.send_message(CHAT, "pick", reply_markup=keyboard("x" * 64))
    bad_url = InlineKeyboardMarkup([[InlineKeyboardButton("site", url="http://localhost:8000")]])
    with pytest.raises(BadRequest, match="wrong http url"):
        await bot.send_message(CHAT, "pick", reply_markup=bad_url)
    no_action = {"inline_keyboard": [[{"text": "plain"}]]}
    with pytest.raises(BadRequest, match="text buttons are unallowed"):
        await bot.send_message(CHAT, "pick", reply_markup=no_action)  # type: ignore[arg-type]


async def test_edit_message_text_not_modified(bot: Bot, server: FakeTelegram) -> None:
    sent = await bot.send_message(CHAT, "<b>v1</b>", parse_mode=ParseMode.HTML, reply_markup=keyboard("a"))
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            "<b>v1</b>", CHAT, sent.message_id, parse_mode=ParseMode.HTML, reply_markup=keyboard("a")
        )
    assert server.calls[-1]["description"] == ERR_NOT_MODIFIED
    # Same text without the keyboard is a change: the keyboard goes away.
    edited = await bot.edit_message_text("<b>v1</b>", CHAT, sent.message_id, parse_mode=ParseMode.HTML)
    assert isinstance(edited, object) and server.last_bot_message(CHAT) is not None
    assert "reply_markup" not in (server.last_bot_message(CHAT) or {})
    await bot.edit_message_reply_markup(CHAT, sent.message_id, reply_markup=keyboard("b"))
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(CHAT, sent.message_id, reply_markup=keyboard("b"))
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", CHAT, 999)
    assert [s["method"] for s in await server.wait_for_sent(3)] == [
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
    ]


async def test_callback_query_round_trip(bot: Bot, server: FakeTelegram) -> None:
    await bot.send_message(CHAT, "pick", reply_markup=keyboard("yes", "no"))
    with pytest.raises(ValueError, match="no button"):
        server.push_callback(CHAT, "maybe")
    server.press_button(CHAT, "b1")
    (update,) = await bot.get_updates(timeout=1)
    query = update.callback_query
    assert query is not None and query.data == "no"
    assert query.message is not None and query.message.message_id == 1
    assert await query.answer("ok") is True
    assert server.callback_answers[0]["text"] == "ok"
    with pytest.raises(BadRequest, match="Query is too old"):
        await query.answer()
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("nonexistent")


async def test_commands_and_menu_button(bot: Bot, server: FakeTelegram) -> None:
    await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("help", "Help")])
    await bot.set_my_commands(
        [BotCommand("faq", "FAQ")], scope=BotCommandScopeAllPrivateChats(), language_code="ru"
    )
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert server.commands({"type": "all_private_chats"}, "ru") == [{"command": "faq", "description": "FAQ"}]
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Start", "Start")])
    with pytest.raises(BadRequest, match="Bot_commands_too_much"):
        await bot.set_my_commands([BotCommand(f"c{i}", "d") for i in range(101)])
    with pytest.raises(BadRequest, match="Command description must be non-empty"):
        await bot.set_my_commands([BotCommand("start", " ")])
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    assert await bot.set_chat_menu_button() is True
    assert server.calls_to("setMyCommands")[0]["commands"][0] == {"command": "start", "description": "Start"}


async def test_document_upload_and_download(bot: Bot, server: FakeTelegram) -> None:
    message = await bot.send_document(
        CHAT, b"hello file", filename="notes.txt", caption="<i>c</i>", parse_mode="HTML"
    )
    assert message.document is not None and message.document.file_name == "notes.txt"
    assert message.caption == "c"
    file = await bot.get_file(message.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"hello file"
    assert await bot.send_chat_action(CHAT, "upload_document") is True
    with pytest.raises(BadRequest, match="Invalid file_id"):
        await bot.get_file("nope")


async def test_unknown_method_and_wrong_token(server: FakeTelegram) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{server.base_url}{TOKEN}/noSuchMethod") as response:
            assert response.status == 404
            assert await response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        async with session.post(
            f"{server.base_url}{TOKEN}/sendMessage",
            json={"chat_id": "5", "text": "json body", "reply_markup": '{"inline_keyboard": []}'},
        ) as response:
            body = await response.json()
            assert body["ok"] is True and body["result"]["chat"]["id"] == 5


async def test_wrong_token_is_unauthorized(server: FakeTelegram) -> None:
    with pytest.raises(InvalidToken, match="rejected by the server"):
        async with server.make_bot(token="999:WRONG"):
            pass  # pragma: no cover


async def test_application_end_to_end(server: FakeTelegram) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            "Welcome! <b>Ask me</b>", parse_mode=ParseMode.HTML, reply_markup=keyboard("more")
        )

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("echo")

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer()
        await query.edit_message_text("More")

    app = server.application_builder().build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(button))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=dtm.timedelta(seconds=1))
        server.push_text(CHAT, "/start")
        server.push_text(CHAT, "hello")
        await server.wait_for_sent(2)
        server.press_button(CHAT, "b0", message_id=server.sent[0]["message_id"])
        sent = await server.wait_for_sent(3)
        await app.updater.stop()
        await app.stop()
    assert [s["text"] for s in sent] == ["Welcome! <b>Ask me</b>", "echo", "More"]
    assert sent[2]["method"] == "editMessageText"
    assert len(server.callback_answers) == 1
    edited = server.get_message(CHAT, sent[0]["message_id"])
    assert edited is not None and edited["text"] == "More" and "reply_markup" not in edited
    assert [m["from"]["is_bot"] for m in server.chat_messages(CHAT)] == [False, False, True, True]
