"""A fake Telegram Bot API server for end-to-end tests.

It runs on 127.0.0.1 (a free port) inside the test's event loop with aiohttp.web, speaks the Bot
API envelope ``{"ok": ..., "result": ...}``, records every request, validates what Telegram
validates (text length in UTF-16 units, the HTML subset, inline keyboards, bot commands, callback
query ids, "message is not modified") answering with Telegram's own descriptions, and can inject
failures and a flood limit.  It never opens a connection anywhere.

Typical use::

    async with FakeTelegram(token="123:ABC") as server:
        app = server.application_builder().build()     # or Application.builder().token(...)...
        ...
        server.push_text(42, "/start")
        sent = await server.wait_for_sent(1)
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import logging
import math
import re
import time
import traceback
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aiohttp import web

if TYPE_CHECKING:
    from types import TracebackType

    from telegram import Bot
    from telegram.ext._applicationbuilder import InitApplicationBuilder

__all__ = [
    "ERR_BLOCKED",
    "ERR_BUTTON_DATA_INVALID",
    "ERR_CANT_PARSE_ENTITIES",
    "ERR_CAPTION_TOO_LONG",
    "ERR_CONFLICT",
    "ERR_MESSAGE_TO_EDIT_NOT_FOUND",
    "ERR_NOT_MODIFIED",
    "ERR_QUERY_TOO_OLD",
    "ERR_TEXT_BUTTONS",
    "ERR_TEXT_EMPTY",
    "ERR_TOO_LONG",
    "ApiError",
    "FakeTelegram",
    "HtmlParseError",
    "UploadedFile",
    "command_entities",
    "make_callback_query",
    "make_chat",
    "make_message",
    "make_user",
    "parse_html",
    "utf16_len",
]

JSON = dict[str, Any]
ChatId = int | str
Handler = Callable[[JSON], Awaitable[Any]]

log = logging.getLogger(__name__)

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_COMMANDS = 100
MAX_COMMAND_LENGTH = 32
MAX_COMMAND_DESCRIPTION_LENGTH = 256
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024
DEFAULT_GROUP_USER_ID = 1001

ERR_TEXT_EMPTY = "Bad Request: message text is empty"
ERR_TOO_LONG = "Bad Request: message is too long"
ERR_CAPTION_TOO_LONG = "Bad Request: message caption is too long"
ERR_CANT_PARSE_ENTITIES = "Bad Request: can't parse entities: "
ERR_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
ERR_QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
ERR_BUTTON_DATA_INVALID = "Bad Request: BUTTON_DATA_INVALID"
ERR_TEXT_BUTTONS = (
    "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
)
ERR_MESSAGE_TO_EDIT_NOT_FOUND = "Bad Request: message to edit not found"
ERR_BLOCKED = "Forbidden: bot was blocked by the user"
ERR_CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)

#: Parameters whose form value is a plain string even when it looks like JSON ("42", "true").
STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_message_id",
        "url",
        "action",
        "language_code",
        "file_id",
        "business_connection_id",
        "message_effect_id",
        "emoji",
        "title",
        "description",
        "short_description",
        "name",
        "secret_token",
        "ip_address",
        "query",
    }
)
#: Parameters that carry a JSON object or array (also accepted as a JSON string inside JSON bodies).
JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "link_preview_options",
        "reply_parameters",
        "scope",
        "commands",
        "menu_button",
        "entities",
        "caption_entities",
        "allowed_updates",
    }
)
#: Methods whose successful calls land in :attr:`FakeTelegram.sent`.
SENT_METHODS = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup", "sendDocument"})
#: Methods counted by :meth:`FakeTelegram.flood_limit`.
FLOOD_METHODS = SENT_METHODS
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
COMMAND_SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
#: Update types delivered when allowed_updates is empty or was never given.
DEFAULT_UPDATE_EXCLUSIONS = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_COMMAND_RE = re.compile(r"[a-z0-9_]+")
_LANGUAGE_RE = re.compile(r"[a-z]{2}")
_API_PATH_RE = re.compile(r"bot([^/]*)/([A-Za-z0-9_]+)/?")
_FILE_PATH_RE = re.compile(r"file/bot([^/]*)/(.+)")


class ApiError(Exception):
    """A Bot API error answer: HTTP status, Telegram description and optional ``parameters``."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> JSON:
        """The JSON body Telegram would answer with."""
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad(description: str) -> ApiError:
    return ApiError(400, description)


@dataclass
class UploadedFile:
    """A file that arrived in a multipart request or was added with :meth:`FakeTelegram.add_file`."""

    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"


# --------------------------------------------------------------------------------------------- text


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit Telegram counts in."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class HtmlParseError(ValueError):
    """The text is not valid Telegram HTML; the message is tdlib's wording."""


_HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_TAG_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "tg-emoji": "custom_emoji",
    "blockquote": "blockquote",
}
_HTML_SPACES = " \t\r\n\v\0"
_HTML_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _decode_html_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode the character reference at ``pos``: (character, end) or None when there is none."""
    match = _HTML_ENTITY_RE.match(text, pos)
    if match is None:
        return None
    if match.group(1):
        return _NAMED_ENTITIES[match.group(1)], match.end()
    code = int(match.group(2)) if match.group(2) else int(match.group(3), 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


@dataclass
class _OpenTag:
    name: str
    argument: str
    offset: int


def parse_html(text: str, *, strict_ampersand: bool = True) -> tuple[str, list[JSON]]:
    """Parse Telegram's HTML subset into (plain text, entities with UTF-16 offsets).

    Mirrors tdlib's parser and its error messages; raises :class:`HtmlParseError`.  With
    ``strict_ampersand`` a "&" that starts no character reference is refused as the Bot API docs
    demand (real Telegram keeps it literally; that one message is this fake's own wording).
    """

    def byte_offset(pos: int) -> int:
        return len(text[:pos].encode("utf-8", "surrogatepass"))

    out: list[str] = []
    entities: list[JSON] = []
    stack: list[_OpenTag] = []
    offset = 0  # UTF-16 offset in the output
    n = len(text)
    i = 0

    def emit(chars: str) -> None:
        nonlocal offset
        out.append(chars)
        offset += utf16_len(chars)

    def skip_spaces(pos: int) -> int:
        while pos < n and text[pos] in _HTML_SPACES:
            pos += 1
        return pos

    while i < n:
        c = text[i]
        if c == "&":
            decoded = _decode_html_entity(text, i)
            if decoded is not None:
                emit(decoded[0])
                i = decoded[1]
                continue
            if strict_ampersand:
                raise HtmlParseError(
                    f'Unescaped "&" at byte offset {byte_offset(i)}: use "&amp;" (fake server strict mode)'
                )
        if c != "<":
            emit(c)
            i += 1
            continue

        begin = i
        i += 1
        if i < n and text[i] == "/":
            i += 1
            if not stack:
                raise HtmlParseError(f"Unexpected end tag at byte offset {byte_offset(begin)}")
            name_start = i
            while i < n and text[i] not in _HTML_SPACES and text[i] != ">":
                i += 1
            end_name = text[name_start:i].lower()
            i = skip_spaces(i)
            if i >= n or text[i] != ">":
                raise HtmlParseError(f"Unclosed end tag at byte offset {byte_offset(begin)}")
            i += 1
            tag = stack.pop()
            if end_name and end_name != tag.name:
                raise HtmlParseError(
                    f"Unmatched end tag at byte offset {byte_offset(begin)}, "
                    f'expected "</{tag.name}>", found "</{end_name}>"'
                )
            _close_tag(tag, offset, entities)
            continue

        name_start = i
        while i < n and text[i] not in _HTML_SPACES and text[i] != ">":
            i += 1
        if i >= n:
            raise HtmlParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
        tag_name = text[name_start:i].lower()
        if tag_name not in _HTML_TAGS:
            raise HtmlParseError(f'Unsupported start tag "{tag_name}" at byte offset {byte_offset(begin)}')
        argument = ""
        while True:
            i = skip_spaces(i)
            if i >= n:
                raise HtmlParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            if text[i] == ">":
                break
            attr_start = i
            while i < n and text[i] not in _HTML_SPACES and text[i] not in "=>":
                i += 1
            attr_name = text[attr_start:i].lower()
            if not attr_name:
                raise HtmlParseError(
                    f'Empty attribute name in the tag "{tag_name}" at byte offset {byte_offset(begin)}'
                )
            i = skip_spaces(i)
            if i >= n:
                raise HtmlParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            if text[i] != "=":
                if tag_name == "blockquote" and attr_name == "expandable":
                    argument = "expandable"
                    continue
                raise HtmlParseError(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag_name}" '
                    f"at byte offset {byte_offset(begin)}"
                )
            i = skip_spaces(i + 1)
            if i >= n:
                raise HtmlParseError(f'Unclosed start tag "{tag_name}" at byte offset {byte_offset(begin)}')
            if text[i] in "'\"":
                quote = text[i]
                i += 1
                chars: list[str] = []
                while i < n and text[i] != quote:
                    if text[i] == "&":
                        decoded = _decode_html_entity(text, i)
                        if decoded is not None:
                            chars.append(decoded[0])
                            i = decoded[1]
                            continue
                    chars.append(text[i])
                    i += 1
                if i < n:
                    i += 1
                value = "".join(chars)
            else:
                token_start = i
                while i < n and ((text[i].isascii() and text[i].isalnum()) or text[i] in ".-"):
                    i += 1
                value = text[token_start:i].lower()
                if i < n and text[i] not in _HTML_SPACES and text[i] != ">":
                    raise HtmlParseError(
                        f"Unexpected end of name token at byte offset {byte_offset(token_start)}"
                    )
            if i >= n:
                raise HtmlParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            if tag_name == "a" and attr_name == "href":
                argument = value
            elif tag_name == "code" and attr_name == "class" and value.startswith("language-"):
                argument = value[len("language-") :]
            elif tag_name == "span" and attr_name == "class" and value.startswith("tg-"):
                argument = value[len("tg-") :]
            elif tag_name == "tg-emoji" and attr_name == "emoji-id":
                argument = value
        i += 1  # the ">"
        if tag_name == "span" and argument != "spoiler":
            raise HtmlParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(begin)}'
            )
        if tag_name == "tg-emoji" and not argument.isdigit():
            raise HtmlParseError("Invalid custom emoji identifier specified")
        stack.append(_OpenTag(tag_name, argument, offset))

    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _close_tag(tag: _OpenTag, offset: int, entities: list[JSON]) -> None:
    """Turn a closed tag into an entity (empty ones are dropped, like Telegram does)."""
    length = offset - tag.offset
    if length <= 0:
        return
    entity: JSON = {"type": _TAG_ENTITY[tag.name], "offset": tag.offset, "length": length}
    if tag.name == "a":
        if not tag.argument:
            return
        if tag.argument.startswith("tg://user?id="):
            entity = {"type": "text_mention", "offset": tag.offset, "length": length}
            entity["user"] = make_user(int(tag.argument.split("=", 1)[1] or 0))
        else:
            entity["url"] = tag.argument
    elif tag.name == "code" and tag.argument:
        entity["language"] = tag.argument
    elif tag.name == "tg-emoji":
        entity["custom_emoji_id"] = tag.argument
    elif tag.name == "blockquote" and tag.argument == "expandable":
        entity["type"] = "expandable_blockquote"
    elif tag.name == "pre" and entities:
        inner = entities[-1]
        if inner["type"] == "code" and inner["offset"] == tag.offset and inner["length"] == length:
            entities.pop()
            if "language" in inner:
                entity["language"] = inner["language"]
    entities.append(entity)


def _trim(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Strip leading/trailing whitespace like Telegram, moving and clipping entities."""
    stripped = text.lstrip()
    shift = utf16_len(text) - utf16_len(stripped)
    stripped = stripped.rstrip()
    total = utf16_len(stripped)
    result: list[JSON] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result


def _url_problem(url: str) -> str | None:
    """Why Telegram would refuse ``url`` in a button, or None."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "Wrong HTTP URL"
    scheme = parts.scheme.lower()
    if scheme == "tg":
        return None if parts.netloc or parts.path else "Wrong URL"
    if scheme not in ("http", "https"):
        return "Unsupported URL protocol" if scheme else "Wrong HTTP URL"
    host = parts.hostname or ""
    if "." not in host.strip(".") or host.startswith(".") or host.endswith("."):
        return "Wrong HTTP URL"
    return None


# ----------------------------------------------------------------------------------- update builders


def make_user(
    user_id: int,
    *,
    first_name: str = "Test",
    last_name: str | None = None,
    username: str | None = None,
    language_code: str | None = "en",
    is_bot: bool = False,
) -> JSON:
    """A Bot API User object."""
    user: JSON = {"id": user_id, "is_bot": is_bot, "first_name": first_name}
    if last_name:
        user["last_name"] = last_name
    if username:
        user["username"] = username
    if language_code:
        user["language_code"] = language_code
    return user


def make_chat(
    chat_id: ChatId,
    chat_type: str = "private",
    *,
    first_name: str = "Test",
    username: str | None = None,
    title: str | None = None,
) -> JSON:
    """A Bot API Chat object (private chats get first_name, others a title)."""
    chat: JSON = {"id": chat_id, "type": chat_type}
    if chat_type == "private":
        chat["first_name"] = first_name
    else:
        chat["title"] = title or "Test Group"
    if username:
        chat["username"] = username
    return chat


def command_entities(text: str) -> list[JSON]:
    """The bot_command entity Telegram adds when ``text`` starts with "/"."""
    match = re.match(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]+)?", text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}]


def make_message(
    message_id: int,
    chat: JSON,
    from_user: JSON,
    *,
    text: str | None = None,
    entities: list[JSON] | None = None,
    date: int | None = None,
    reply_to_message: JSON | None = None,
    **extra: Any,
) -> JSON:
    """A Bot API Message object."""
    message: JSON = {
        "message_id": message_id,
        "from": from_user,
        "chat": chat,
        "date": int(time.time()) if date is None else date,
    }
    if text is not None:
        message["text"] = text
    if entities:
        message["entities"] = entities
    if reply_to_message is not None:
        message["reply_to_message"] = reply_to_message
    message.update(extra)
    return message


def make_callback_query(
    query_id: str, from_user: JSON, message: JSON, data: str, *, chat_instance: str | None = None
) -> JSON:
    """A Bot API CallbackQuery object for a button on ``message``."""
    chat_id = message["chat"]["id"]
    return {
        "id": query_id,
        "from": from_user,
        "message": message,
        "chat_instance": chat_instance or str(abs(hash(("chat_instance", chat_id))) % 10**18),
        "data": data,
    }


# -------------------------------------------------------------------------------------- the server


@dataclass
class _Failure:
    method: str
    status: int
    description: str
    parameters: JSON | None
    chat_id: ChatId | None
    remaining: int | None


@dataclass
class _FloodLimit:
    per_second: float | None
    per_chat_per_second: float | None


_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: ERR_BLOCKED,
    404: "Not Found",
    409: ERR_CONFLICT,
    500: "Internal Server Error",
    502: "Bad Gateway",
}


def _chat_key(value: Any) -> ChatId | None:
    """Normalise a chat_id parameter to int (or "@username")."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    with contextlib.suppress(ValueError):
        return int(text)
    return text


def _int_param(params: JSON, name: str) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _bad(f'Bad Request: field "{name}" must be of type Integer') from None


def _decode_form_value(name: str, value: str) -> Any:
    """Decode one form field the way PTB encodes it: raw strings, everything else JSON."""
    if name in STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


def _update_type(update: JSON) -> str:
    return next((key for key in update if key != "update_id"), "")


class FakeTelegram:
    """A fake Bot API server on 127.0.0.1; use as ``async with FakeTelegram() as server``."""

    def __init__(
        self,
        token: str = "123:ABC",
        *,
        bot_username: str = "AzaTestBot",
        bot_first_name: str = "AzaTest",
        host: str = "127.0.0.1",
        port: int = 0,
        strict_ampersand: bool = True,
    ) -> None:
        self.token = token
        self.host = host
        self.port = port  # 0: a free one, chosen at start
        self.strict_ampersand = strict_ampersand
        prefix = token.split(":", 1)[0]
        self.bot_user: JSON = {
            "id": int(prefix) if prefix.isdigit() else 1234567,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        #: Every request in arrival order: method, params, status (None while running), description.
        self.calls: list[JSON] = []
        #: Successful message-producing calls (see SENT_METHODS) in order.
        self.sent: list[JSON] = []
        #: Answered callback queries: callback_query_id, text, show_alert, url, cache_time.
        self.callback_answers: list[JSON] = []
        #: Menu buttons per chat id (None = the default for all chats).
        self.menu_buttons: dict[ChatId | None, JSON] = {}
        #: Updates refused at push time because of the bot's allowed_updates.
        self.dropped_updates: list[JSON] = []
        #: Tracebacks of exceptions inside the fake itself (answered as 500); should stay empty.
        self.internal_errors: list[str] = []
        #: Requests refused by :meth:`flood_limit`.
        self.flood_rejections = 0
        self.webhook_url = ""
        self._updates: list[JSON] = []
        self._next_update_id = 100_000_001
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        self._messages: dict[ChatId, dict[int, JSON]] = {}
        self._last_message_id: dict[ChatId, int] = {}
        self._chats: dict[ChatId, JSON] = {}
        self._pending_callbacks: set[str] = set()
        self._callback_ids = itertools.count(4_380_000_000_000_000_001)
        self._files: dict[str, UploadedFile] = {}
        self._file_paths: dict[str, str] = {}
        self._file_ids = itertools.count(1)
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._failures: list[_Failure] = []
        self._flood: _FloodLimit | None = None
        #: (every, for): sends arriving in the first ``for`` seconds of every ``every`` are held
        #: and counted only then, as if the path to Telegram stalled; see :meth:`flood_limit`.
        self._stalls: tuple[float, float] | None = None
        self._started_at = time.monotonic()
        self._flood_window: deque[float] = deque()
        self._flood_chat_windows: dict[ChatId, deque[float]] = {}
        self._changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        named: dict[str, Handler] = {
            "getMe": self._get_me,
            "logOut": self._true,
            "close": self._true,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendDocument": self._send_document,
            "getFile": self._get_file,
            "sendChatAction": self._send_chat_action,
        }
        self._methods: dict[str, tuple[str, Handler]] = {k.lower(): (k, v) for k, v in named.items()}

    # ------------------------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Start listening on ``host`` and ``port`` (a free one if 0)."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self.port = int(self._runner.addresses[0][1])
        self._closing = False

    async def stop(self) -> None:
        """Release pending long polls and stop the server."""
        self._closing = True
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """Server root, e.g. ``http://127.0.0.1:PORT``."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """Value for PTB's ``base_url`` (PTB appends the token and ``/method``)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for PTB's ``base_file_url``."""
        return f"{self.url}/file/bot"

    def make_bot(self, token: str | None = None) -> Bot:
        """A ``telegram.Bot`` pointed at this server (use ``async with``)."""
        from telegram import Bot

        return Bot(token or self.token, base_url=self.base_url, base_file_url=self.base_file_url)

    def application_builder(self) -> InitApplicationBuilder:
        """An ``ApplicationBuilder`` with token, base_url and base_file_url already set."""
        from telegram.ext import Application

        return (
            Application.builder().token(self.token).base_url(self.base_url).base_file_url(self.base_file_url)
        )

    # ------------------------------------------------------------------------ incoming traffic

    def push_update(self, update: JSON) -> JSON:
        """Queue a raw update for getUpdates; an update_id is assigned when missing."""
        update = copy.deepcopy(update)
        if "update_id" in update:
            self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
        else:
            update = {"update_id": self._next_update_id, **update}
            self._next_update_id += 1
        if not self._is_allowed(_update_type(update)):
            self.dropped_updates.append(update)
            return update
        self._updates.append(update)
        self._notify()
        return update

    def push_text(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: str = "private",
        entities: list[JSON] | None = None,
        reply_to_bot: bool = False,
        reply_to_message_id: int | None = None,
        username: str | None = None,
        first_name: str = "Test",
        language_code: str | None = "en",
        title: str | None = None,
    ) -> JSON:
        """Queue a text message from a user; returns the update.

        ``entities`` defaults to a bot_command entity when the text starts with "/".
        ``reply_to_bot`` replies to the bot's last message in the chat.
        """
        user = self._user(chat_id, chat_type, user_id, username, first_name, language_code)
        chat = self._remember_chat(chat_id, chat_type, user, title)
        reply_to: JSON | None = None
        if reply_to_message_id is not None:
            reply_to = self.get_message(chat_id, reply_to_message_id)
            if reply_to is None:
                raise ValueError(f"no message {reply_to_message_id} in chat {chat_id}")
        elif reply_to_bot:
            reply_to = self.last_bot_message(chat_id)
            if reply_to is None:
                raise ValueError(f"the bot has sent nothing to chat {chat_id} yet")
        message = make_message(
            self._next_message_id(chat_id),
            chat,
            user,
            text=text,
            entities=command_entities(text) if entities is None else entities,
            reply_to_message=copy.deepcopy(reply_to) if reply_to else None,
        )
        self._store(chat_id, message)
        return self.push_update({"message": message})

    def push_document(
        self,
        chat_id: int,
        content: bytes,
        file_name: str = "file.txt",
        *,
        mime_type: str = "text/plain",
        caption: str | None = None,
        user_id: int | None = None,
        chat_type: str = "private",
    ) -> JSON:
        """Queue a message with a document from a user; the file can be fetched with getFile."""
        user = self._user(chat_id, chat_type, user_id, None, "Test", "en")
        chat = self._remember_chat(chat_id, chat_type, user, None)
        extra: JSON = {"document": self.add_file(content, file_name, mime_type)}
        if caption is not None:
            extra["caption"] = caption
        message = make_message(self._next_message_id(chat_id), chat, user, **extra)
        self._store(chat_id, message)
        return self.push_update({"message": message})

    def push_callback(
        self,
        chat_id: int,
        data: str,
        *,
        message_id: int | None = None,
        user_id: int | None = None,
        username: str | None = None,
        first_name: str = "Test",
        require_button: bool = True,
    ) -> JSON:
        """Queue a callback_query for a button on a bot message; returns the update.

        ``message_id`` defaults to the bot's last message in the chat; an unknown id yields an
        InaccessibleMessage (date 0).  With ``require_button`` the message's inline keyboard
        must contain a button with this callback_data.
        """
        chat_type = str(self._chats.get(chat_id, {}).get("type", "private" if chat_id > 0 else "group"))
        user = self._user(chat_id, chat_type, user_id, username, first_name, "en")
        if message_id is None:
            message = self.last_bot_message(chat_id)
            if message is None:
                raise ValueError(f"the bot has sent nothing to chat {chat_id} yet")
        else:
            stored = self.get_message(chat_id, message_id)
            message = stored or {"chat": self._chat_for(chat_id), "message_id": message_id, "date": 0}
        if require_button and "reply_markup" in message:
            datas = [b.get("callback_data") for b in self._buttons(message)]
            if data not in datas:
                raise ValueError(f"message {message['message_id']} has no button with callback_data {data!r}")
        query_id = str(next(self._callback_ids))
        self._pending_callbacks.add(query_id)
        query = make_callback_query(query_id, user, copy.deepcopy(message), data)
        return self.push_update({"callback_query": query})

    def press_button(self, chat_id: int, text: str, *, message_id: int | None = None, **kwargs: Any) -> JSON:
        """Press the inline button labelled ``text`` (callback buttons only); returns the update."""
        message = (
            self.last_bot_message(chat_id) if message_id is None else self.get_message(chat_id, message_id)
        )
        if message is None:
            raise ValueError(f"no such bot message in chat {chat_id}")
        for button in self._buttons(message):
            if button.get("text") == text:
                if "callback_data" not in button:
                    raise ValueError(f"button {text!r} is not a callback button: {button}")
                return self.push_callback(
                    chat_id, button["callback_data"], message_id=message["message_id"], **kwargs
                )
        labels = [b.get("text") for b in self._buttons(message)]
        raise ValueError(f"no button {text!r} on message {message['message_id']}; buttons: {labels}")

    def add_file(self, content: bytes, file_name: str = "file.txt", mime_type: str = "text/plain") -> JSON:
        """Store a file (as if a user uploaded it) and return its Document object."""
        return self._register_file(UploadedFile(file_name, content, mime_type))

    # ------------------------------------------------------------------------------ inspection

    def get_message(self, chat_id: ChatId, message_id: int) -> JSON | None:
        """A copy of a stored message (the bot's or a user's), or None."""
        message = self._messages.get(_chat_key(chat_id) or chat_id, {}).get(message_id)
        return copy.deepcopy(message) if message else None

    def chat_messages(self, chat_id: ChatId) -> list[JSON]:
        """Copies of all stored messages in a chat, oldest first."""
        return [copy.deepcopy(m) for m in self._messages.get(_chat_key(chat_id) or chat_id, {}).values()]

    def last_bot_message(self, chat_id: ChatId) -> JSON | None:
        """A copy of the bot's most recent stored message in a chat, or None."""
        for message in reversed(self._messages.get(_chat_key(chat_id) or chat_id, {}).values()):
            if message.get("from", {}).get("id") == self.bot_user["id"]:
                return copy.deepcopy(message)
        return None

    def calls_to(self, method: str) -> list[JSON]:
        """Params of every call to ``method`` (case-insensitive), in order."""
        return [c["params"] for c in self.calls if c["method"].lower() == method.lower()]

    def commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """Commands stored by setMyCommands for a scope (default scope when None) and language."""
        return copy.deepcopy(self._commands.get((self._scope_key(scope), language_code), []))

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed by a getUpdates offset."""
        return copy.deepcopy(self._updates)

    # ---------------------------------------------------------------------------------- waiting

    async def wait_for_sent(
        self,
        n: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - the documented test-helper API
        *,
        chat_id: ChatId | None = None,
        method: str | None = None,
    ) -> list[JSON]:
        """Wait until at least ``n`` matching :attr:`sent` records exist; returns all matching.

        Raises AssertionError (listing what was sent) on timeout.
        """

        def matching() -> list[JSON]:
            return [
                s
                for s in self.sent
                if (chat_id is None or s["chat_id"] == _chat_key(chat_id))
                and (method is None or s["method"].lower() == method.lower())
            ]

        await self._wait_until(
            lambda: len(matching()) >= n,
            timeout,
            lambda: f"{n} sent message(s); got {[(s['method'], s['chat_id'], s['text']) for s in self.sent]}",
        )
        return matching()

    async def wait_for_call(
        self,
        method: str,
        n: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - the documented test-helper API
    ) -> list[JSON]:
        """Wait until ``method`` has been called (arrived, maybe still running) ``n`` times."""
        await self._wait_until(
            lambda: len(self.calls_to(method)) >= n,
            timeout,
            lambda: f"{n} call(s) to {method}; calls: {[c['method'] for c in self.calls]}",
        )
        return self.calls_to(method)

    async def wait_until_delivered(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until every pushed update was confirmed by a later getUpdates offset."""
        await self._wait_until(
            lambda: not self._updates, timeout, lambda: f"delivery of {len(self._updates)} update(s)"
        )

    async def _wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float,  # noqa: ASYNC109 - plain deadline, used by the helpers above
        what: Callable[[], str],
    ) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"timed out after {timeout}s waiting for {what()}")
            event = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    # ------------------------------------------------------------------------ fault injection

    def fail_next(
        self,
        method: str,
        status: int = 400,
        *,
        description: str | None = None,
        retry_after: int | None = None,
        chat_id: ChatId | None = None,
        count: int | None = 1,
    ) -> None:
        """Make the next ``count`` calls to ``method`` ("*" = any) fail with ``status``.

        ``chat_id`` restricts it to one chat; ``count=None`` fails forever (until
        :meth:`clear_failures`).  429 answers carry ``parameters.retry_after`` (default 1).
        """
        parameters: JSON | None = None
        if status == 429:
            retry_after = 1 if retry_after is None else retry_after
            parameters = {"retry_after": retry_after}
        if description is None:
            if status == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            else:
                description = _DEFAULT_DESCRIPTIONS.get(status, "Error")
        self._failures.append(
            _Failure(method.lower(), status, description, parameters, _chat_key(chat_id), count)
        )

    def clear_failures(self) -> None:
        """Drop every pending injected failure."""
        self._failures.clear()

    def flood_limit(
        self,
        per_second: float | None = 30,
        *,
        per_chat_per_second: float | None = None,
        stalls: tuple[float, float] | None = None,
    ) -> None:
        """Answer 429 with retry_after when send/edit calls exceed a rate (None disables).

        Successful calls are counted in sliding one-second windows, as Telegram does. With
        ``stalls=(every, length)`` sends arriving in the first ``length`` seconds of every
        ``every`` are held and counted together when the stall ends, as when a network path or a
        busy machine holds them: sends spaced evenly when they left the bot arrive bunched up.
        """
        self._stalls = stalls
        self._started_at = time.monotonic()
        if per_second is None and per_chat_per_second is None:
            self._flood = None
        else:
            self._flood = _FloodLimit(per_second, per_chat_per_second)
        self._flood_window.clear()
        self._flood_chat_windows.clear()

    def _maybe_fail(self, method: str, params: JSON) -> None:
        for failure in self._failures:
            if failure.method not in ("*", method.lower()):
                continue
            if failure.chat_id is not None and failure.chat_id != _chat_key(params.get("chat_id")):
                continue
            if failure.remaining is not None:
                failure.remaining -= 1
                if failure.remaining <= 0:
                    self._failures.remove(failure)
            raise ApiError(failure.status, failure.description, copy.deepcopy(failure.parameters))

    def _check_flood(self, method: str, params: JSON) -> None:
        if self._flood is None or method not in FLOOD_METHODS:
            return
        now = time.monotonic()
        windows: list[tuple[deque[float], float]] = []
        if self._flood.per_second is not None:
            windows.append((self._flood_window, self._flood.per_second))
        chat_id = _chat_key(params.get("chat_id"))
        if self._flood.per_chat_per_second is not None and chat_id is not None:
            window = self._flood_chat_windows.setdefault(chat_id, deque())
            windows.append((window, self._flood.per_chat_per_second))
        for window, limit in windows:
            while window and window[0] <= now - 1.0:
                window.popleft()
            if len(window) >= limit:
                retry_after = max(1, math.ceil(window[0] + 1.0 - now))
                self.flood_rejections += 1
                raise ApiError(
                    429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
                )
        for window, _ in windows:
            window.append(now)

    # -------------------------------------------------------------------------------- plumbing

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["tail"]
        file_match = _FILE_PATH_RE.fullmatch(path)
        if file_match is not None:
            return self._serve_file(*file_match.groups())
        match = _API_PATH_RE.fullmatch(path)
        if match is None:
            return _error_response(ApiError(404, "Not Found"))
        token, method = match.groups()
        if token != self.token:
            return _error_response(ApiError(401, "Unauthorized"))
        try:
            params = await self._read_params(request)
        except ApiError as exc:
            return _error_response(exc)
        entry = self._methods.get(method.lower())
        call: JSON = {
            "method": entry[0] if entry else method,
            "params": params,
            "status": None,
            "description": None,
            "time": time.monotonic(),
        }
        self.calls.append(call)
        self._notify()
        try:
            if entry is None:
                raise ApiError(404, "Not Found")
            self._maybe_fail(entry[0], params)
            if self._stalls is not None and entry[0] in FLOOD_METHODS:
                every, length = self._stalls
                phase = (time.monotonic() - self._started_at) % every
                if phase < length:
                    await asyncio.sleep(length - phase)
            self._check_flood(entry[0], params)
            result = await entry[1](params)
        except ApiError as exc:
            call["status"], call["description"] = exc.status, exc.description
            self._notify()
            return _error_response(exc)
        except Exception:
            self.internal_errors.append(traceback.format_exc())
            log.exception("fake Telegram failed on %s", method)
            call["status"], call["description"] = 500, "Internal Server Error"
            self._notify()
            return _error_response(ApiError(500, "Internal Server Error"))
        call["status"] = 200
        self._notify()
        return web.json_response({"ok": True, "result": result}, dumps=_dumps)

    async def _read_params(self, request: web.Request) -> JSON:
        params: JSON = {k: _decode_form_value(k, v) for k, v in request.query.items()}
        if not request.can_read_body:
            return params
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise _bad("Bad Request: can't parse JSON encoded request") from None
            if not isinstance(body, dict):
                raise _bad("Bad Request: JSON object expected")
            for key, value in body.items():
                if key in JSON_PARAMS and isinstance(value, str):
                    with contextlib.suppress(ValueError):
                        value = json.loads(value)
                params[key] = value
        else:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    params[key] = UploadedFile(
                        value.filename, value.file.read(), value.content_type or "application/octet-stream"
                    )
                elif isinstance(value, str):
                    params[key] = _decode_form_value(key, value)
        return params

    def _serve_file(self, token: str, file_path: str) -> web.Response:
        if token != self.token:
            return _error_response(ApiError(401, "Unauthorized"))
        file_id = self._file_paths.get(file_path)
        if file_id is None:
            return _error_response(ApiError(404, "Not Found"))
        stored = self._files[file_id]
        return web.Response(body=stored.content, content_type=stored.mime_type)

    def _is_allowed(self, update_type: str) -> bool:
        if self._allowed_updates:
            return update_type in self._allowed_updates
        return update_type not in DEFAULT_UPDATE_EXCLUSIONS

    def _next_message_id(self, chat_id: ChatId) -> int:
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def _store(self, chat_id: ChatId, message: JSON) -> None:
        self._messages.setdefault(chat_id, {})[message["message_id"]] = copy.deepcopy(message)

    def _user(
        self,
        chat_id: int,
        chat_type: str,
        user_id: int | None,
        username: str | None,
        first_name: str,
        language_code: str | None,
    ) -> JSON:
        if user_id is None:
            user_id = chat_id if chat_type == "private" else DEFAULT_GROUP_USER_ID
        return make_user(user_id, first_name=first_name, username=username, language_code=language_code)

    def _remember_chat(self, chat_id: int, chat_type: str, user: JSON, title: str | None) -> JSON:
        known = self._chats.get(chat_id)
        if known is None or known["type"] != chat_type or (title and known.get("title") != title):
            known = make_chat(
                chat_id,
                chat_type,
                first_name=user["first_name"],
                username=user.get("username") if chat_type == "private" else None,
                title=title,
            )
            self._chats[chat_id] = known
        return copy.deepcopy(known)

    def _chat_for(self, chat_id: ChatId) -> JSON:
        known = self._chats.get(chat_id)
        if known is not None:
            return copy.deepcopy(known)
        if isinstance(chat_id, str):
            return {"id": -1001000000001, "type": "channel", "title": "Test Channel", "username": chat_id[1:]}
        if chat_id > 0:
            return make_chat(chat_id, "private", first_name="User")
        return make_chat(chat_id, "supergroup" if str(chat_id).startswith("-100") else "group")

    @staticmethod
    def _buttons(message: JSON) -> list[JSON]:
        rows = message.get("reply_markup", {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]

    def _register_file(self, upload: UploadedFile) -> JSON:
        number = next(self._file_ids)
        file_id = f"BQACAgIAAxkBAAI{number:06d}fake"
        self._files[file_id] = upload
        folder = "photos" if upload.mime_type.startswith("image/") else "documents"
        self._file_paths[f"{folder}/file_{number}{_extension(upload.filename)}"] = file_id
        return self._document(file_id)

    def _document(self, file_id: str) -> JSON:
        upload = self._files[file_id]
        return {
            "file_id": file_id,
            "file_unique_id": f"AgAD{file_id[-10:]}",
            "file_name": upload.filename,
            "mime_type": upload.mime_type,
            "file_size": len(upload.content),
        }

    def _require_chat(self, params: JSON) -> ChatId:
        chat_id = _chat_key(params.get("chat_id"))
        if chat_id is None:
            raise _bad("Bad Request: chat_id is empty")
        if isinstance(chat_id, str) and not chat_id.startswith("@"):
            raise _bad("Bad Request: chat not found")
        return chat_id

    def _format(self, text: str, parse_mode: Any, entities: Any) -> tuple[str, list[JSON]]:
        """Apply parse_mode/entities and Telegram's trimming; returns (text, entities)."""
        mode = str(parse_mode or "").lower()
        if mode == "html":
            try:
                plain, found = parse_html(text, strict_ampersand=self.strict_ampersand)
            except HtmlParseError as exc:
                raise _bad(ERR_CANT_PARSE_ENTITIES + str(exc)) from None
        elif mode in ("markdown", "markdownv2"):
            plain, found = text, []  # not interpreted by this fake
        elif mode == "":
            if entities is not None and not isinstance(entities, list):
                raise _bad("Bad Request: can't parse entities JSON object")
            plain, found = text, copy.deepcopy(entities or [])
        else:
            raise _bad("Bad Request: unsupported parse_mode")
        return _trim(plain, found)

    def _check_markup(self, markup: Any) -> JSON | None:
        """Validate reply_markup; returns the inline keyboard to store on the message (or None)."""
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad("Bad Request: can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            if not any(k in markup for k in ("keyboard", "remove_keyboard", "force_reply")):
                raise _bad("Bad Request: can't parse reply keyboard markup JSON object")
            return None
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad(
                'Bad Request: can\'t parse inline keyboard button: Field "inline_keyboard" of the '
                "InlineKeyboardMarkup should be an Array of Arrays"
            )
        for row in rows:
            for button in row:
                self._check_button(button)
        return copy.deepcopy(markup)

    @staticmethod
    def _check_button(button: Any) -> None:
        prefix = "Bad Request: can't parse inline keyboard button: "
        if not isinstance(button, dict):
            raise _bad(prefix + "InlineKeyboardButton must be an Object")
        if "text" not in button:
            raise _bad(prefix + 'Can\'t find field "text"')
        if not isinstance(button["text"], str):
            raise _bad(prefix + 'Field "text" must be of type String')
        if not button["text"].strip():
            raise _bad("Bad Request: BUTTON_TEXT_INVALID")
        if not any(button.get(action) not in (None, "") for action in BUTTON_ACTIONS):
            raise _bad(ERR_TEXT_BUTTONS)
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str):
                raise _bad(prefix + 'Field "callback_data" must be of type String')
            if len(data.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES:
                raise _bad(ERR_BUTTON_DATA_INVALID)
        if "url" in button:
            problem = _url_problem(str(button["url"]))
            if problem:
                raise _bad(f"Bad Request: inline keyboard button URL '{button['url']}' is invalid: {problem}")

    def _reply_to(self, chat_id: ChatId, params: JSON) -> JSON | None:
        reply = params.get("reply_parameters")
        message_id = reply.get("message_id") if isinstance(reply, dict) else params.get("reply_to_message_id")
        if message_id is None:
            return None
        stored = self._messages.get(chat_id, {}).get(int(message_id))
        if stored is None:
            allow = isinstance(reply, dict) and reply.get("allow_sending_without_reply")
            if allow or params.get("allow_sending_without_reply"):
                return None
            raise _bad("Bad Request: message to be replied not found")
        return copy.deepcopy(stored)

    def _bot_message(self, chat_id: ChatId, **fields: Any) -> JSON:
        sender = {k: self.bot_user[k] for k in ("id", "is_bot", "first_name", "username")}
        message = make_message(self._next_message_id(chat_id), self._chat_for(chat_id), sender)
        for key, value in fields.items():
            if value not in (None, [], ""):
                message[key] = value
        self._store(chat_id, message)
        return copy.deepcopy(message)

    def _record_sent(self, method: str, chat_id: ChatId, params: JSON, message: JSON | None) -> None:
        self.sent.append(
            {
                "method": method,
                "chat_id": chat_id,
                "message_id": message["message_id"] if message else params.get("message_id"),
                "text": params.get("text"),
                "caption": params.get("caption"),
                "parse_mode": params.get("parse_mode"),
                "reply_markup": copy.deepcopy(params.get("reply_markup")),
                "params": {k: v for k, v in params.items() if not isinstance(v, UploadedFile)},
                "message": copy.deepcopy(message),
            }
        )
        self._notify()

    def _find_editable(self, params: JSON) -> tuple[ChatId, JSON]:
        chat_id = self._require_chat(params)
        message_id = _int_param(params, "message_id")
        if message_id is None:
            raise _bad("Bad Request: message identifier is not specified")
        stored = self._messages.get(chat_id, {}).get(message_id)
        if stored is None:
            raise _bad(ERR_MESSAGE_TO_EDIT_NOT_FOUND)
        if stored.get("from", {}).get("id") != self.bot_user["id"]:
            raise _bad("Bad Request: message can't be edited")
        return chat_id, stored

    @staticmethod
    def _scope_key(scope: Any) -> str:
        scope = scope or {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in COMMAND_SCOPES:
            raise _bad("Bad Request: wrong bot command scope specified")
        if "chat_id" in scope:
            scope = {**scope, "chat_id": _chat_key(scope["chat_id"])}
        return json.dumps(scope, sort_keys=True)

    @staticmethod
    def _language(params: JSON) -> str:
        language = str(params.get("language_code") or "")
        if language and not _LANGUAGE_RE.fullmatch(language):
            raise _bad("Bad Request: invalid language code specified")
        return language

    # ---------------------------------------------------------------------------------- methods

    async def _true(self, params: JSON) -> bool:
        return True

    async def _get_me(self, params: JSON) -> JSON:
        return dict(self.bot_user)

    async def _set_webhook(self, params: JSON) -> bool:
        self.webhook_url = str(params.get("url") or "")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _delete_webhook(self, params: JSON) -> bool:
        self.webhook_url = ""
        if params.get("drop_pending_updates"):
            self._updates.clear()
            self._notify()
        return True

    async def _get_webhook_info(self, params: JSON) -> JSON:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def _get_updates(self, params: JSON) -> list[JSON]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _int_param(params, "offset")
        limit = min(max(_int_param(params, "limit") or 100, 1), 100)
        timeout = float(params.get("timeout") or 0)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(a) for a in allowed] or None
        if offset is not None:
            if offset < 0:
                self._updates = self._updates[offset:]
            else:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(timeout, 0.0)
        while True:
            if generation != self._poll_generation:
                raise ApiError(409, ERR_CONFLICT)
            remaining = deadline - loop.time()
            if self._updates or self._closing or remaining <= 0:
                return copy.deepcopy(self._updates[:limit])
            event = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    async def _set_my_commands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if commands is None:
            raise _bad('Bad Request: parameter "commands" is required')
        if not isinstance(commands, list):
            raise _bad("Bad Request: can't parse commands JSON object")
        if len(commands) > MAX_COMMANDS:
            raise _bad("Bad Request: BOT_COMMANDS_TOO_MUCH")
        cleaned: list[JSON] = []
        for command in commands:
            if not isinstance(command, dict):
                raise _bad("Bad Request: can't parse BotCommand: BotCommand must be an Object")
            name = str(command.get("command") or "").strip().removeprefix("/")
            description = str(command.get("description") or "").strip()
            if not name:
                raise _bad("Bad Request: command must be non-empty")
            if len(name) > MAX_COMMAND_LENGTH:
                raise _bad(f"Bad Request: command length must not exceed {MAX_COMMAND_LENGTH}")
            if not description:
                raise _bad("Bad Request: command description must be non-empty")
            if len(description) > MAX_COMMAND_DESCRIPTION_LENGTH:
                raise _bad(
                    "Bad Request: command description length must not exceed "
                    f"{MAX_COMMAND_DESCRIPTION_LENGTH}"
                )
            if not _COMMAND_RE.fullmatch(name):
                raise _bad("Bad Request: BOT_COMMAND_INVALID")
            cleaned.append({"command": name, "description": description})
        key = (self._scope_key(params.get("scope")), self._language(params))
        if cleaned:
            self._commands[key] = cleaned
        else:
            self._commands.pop(key, None)
        return True

    async def _get_my_commands(self, params: JSON) -> list[JSON]:
        key = (self._scope_key(params.get("scope")), self._language(params))
        return copy.deepcopy(self._commands.get(key, []))

    async def _delete_my_commands(self, params: JSON) -> bool:
        self._commands.pop((self._scope_key(params.get("scope")), self._language(params)), None)
        return True

    async def _set_chat_menu_button(self, params: JSON) -> bool:
        button = params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in ("commands", "web_app", "default"):
            raise _bad("Bad Request: can't parse menu button JSON object")
        if button["type"] == "web_app":
            if not str(button.get("text") or "").strip():
                raise _bad("Bad Request: menu button text must be non-empty")
            url = str((button.get("web_app") or {}).get("url") or "")
            if not url.startswith("https://") or _url_problem(url):
                raise _bad(f"Bad Request: URL '{url}' is invalid: Only HTTPS links are allowed")
        self.menu_buttons[_chat_key(params.get("chat_id"))] = copy.deepcopy(button)
        return True

    async def _get_chat_menu_button(self, params: JSON) -> JSON:
        chat_id = _chat_key(params.get("chat_id"))
        button = self.menu_buttons.get(chat_id) or self.menu_buttons.get(None) or {"type": "commands"}
        return copy.deepcopy(button) if button["type"] != "default" else {"type": "commands"}

    def _checked_text(self, params: JSON) -> tuple[str, list[JSON]]:
        """The message text as Telegram would store it, refused as Telegram refuses it."""
        raw = params.get("text")
        if raw is None or raw == "":
            raise _bad(ERR_TEXT_EMPTY)
        text, entities = self._format(str(raw), params.get("parse_mode"), params.get("entities"))
        if not text:
            raise _bad(ERR_TEXT_EMPTY)
        if utf16_len(text) > MAX_TEXT_LENGTH:
            raise _bad(ERR_TOO_LONG)
        return text, entities

    async def _send_message(self, params: JSON) -> JSON:
        chat_id = self._require_chat(params)
        text, entities = self._checked_text(params)
        markup = self._check_markup(params.get("reply_markup"))
        reply_to = self._reply_to(chat_id, params)
        message = self._bot_message(
            chat_id, text=text, entities=entities, reply_markup=markup, reply_to_message=reply_to
        )
        self._record_sent("sendMessage", chat_id, params, message)
        return message

    async def _edit_message_text(self, params: JSON) -> JSON | bool:
        text, entities = self._checked_text(params)
        markup = self._check_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            self._record_sent("editMessageText", "", params, None)
            return True
        chat_id, stored = self._find_editable(params)
        if "text" not in stored:
            raise _bad("Bad Request: there is no text in the message to edit")
        if (
            stored["text"] == text
            and stored.get("entities", []) == entities
            and stored.get("reply_markup") == markup
        ):
            raise _bad(ERR_NOT_MODIFIED)
        stored["text"] = text
        _set_or_drop(stored, "entities", entities)
        _set_or_drop(stored, "reply_markup", markup)
        stored["edit_date"] = int(time.time())
        message = copy.deepcopy(stored)
        self._record_sent("editMessageText", chat_id, params, message)
        return message

    async def _edit_message_reply_markup(self, params: JSON) -> JSON | bool:
        markup = self._check_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            self._record_sent("editMessageReplyMarkup", "", params, None)
            return True
        chat_id, stored = self._find_editable(params)
        if stored.get("reply_markup") == markup:
            raise _bad(ERR_NOT_MODIFIED)
        _set_or_drop(stored, "reply_markup", markup)
        stored["edit_date"] = int(time.time())
        message = copy.deepcopy(stored)
        self._record_sent("editMessageReplyMarkup", chat_id, params, message)
        return message

    async def _delete_message(self, params: JSON) -> bool:
        chat_id = self._require_chat(params)
        message_id = _int_param(params, "message_id")
        if message_id is None or self._messages.get(chat_id, {}).pop(message_id, None) is None:
            raise _bad("Bad Request: message to delete not found")
        return True

    async def _answer_callback_query(self, params: JSON) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._pending_callbacks:
            raise _bad(ERR_QUERY_TOO_OLD)
        self._pending_callbacks.discard(query_id)
        self.callback_answers.append(
            {
                "callback_query_id": query_id,
                "text": params.get("text"),
                "show_alert": bool(params.get("show_alert", False)),
                "url": params.get("url"),
                "cache_time": params.get("cache_time"),
            }
        )
        self._notify()
        return True

    async def _send_document(self, params: JSON) -> JSON:
        chat_id = self._require_chat(params)
        document = params.get("document")
        if document is None or document == "":
            raise _bad("Bad Request: there is no document in the request")
        if isinstance(document, UploadedFile):
            if not document.content:
                raise _bad("Bad Request: file must be non-empty")
            info = self._register_file(document)
        elif isinstance(document, str) and document in self._files:
            info = self._document(document)
        elif isinstance(document, str) and document.startswith(("http://", "https://")):
            raise _bad("Bad Request: failed to get HTTP URL content")  # this fake never fetches
        else:
            raise _bad("Bad Request: wrong file identifier/HTTP URL specified")
        caption: str | None = None
        caption_entities: list[JSON] = []
        if params.get("caption"):
            caption, caption_entities = self._format(
                str(params["caption"]), params.get("parse_mode"), params.get("caption_entities")
            )
            if utf16_len(caption) > MAX_CAPTION_LENGTH:
                raise _bad(ERR_CAPTION_TOO_LONG)
        markup = self._check_markup(params.get("reply_markup"))
        message = self._bot_message(
            chat_id,
            document=info,
            caption=caption,
            caption_entities=caption_entities,
            reply_markup=markup,
            reply_to_message=self._reply_to(chat_id, params),
        )
        self._record_sent("sendDocument", chat_id, params, message)
        return message

    async def _get_file(self, params: JSON) -> JSON:
        file_id = str(params.get("file_id") or "")
        if file_id not in self._files:
            raise _bad("Bad Request: invalid file_id")
        if len(self._files[file_id].content) > MAX_DOWNLOAD_SIZE:
            raise _bad("Bad Request: file is too big")
        path = next(p for p, f in self._file_paths.items() if f == file_id)
        info = self._document(file_id)
        return {
            "file_id": file_id,
            "file_unique_id": info["file_unique_id"],
            "file_size": info["file_size"],
            "file_path": path,
        }

    async def _send_chat_action(self, params: JSON) -> bool:
        self._require_chat(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise _bad("Bad Request: wrong parameter action in request")
        return True


def _set_or_drop(message: JSON, key: str, value: Any) -> None:
    if value:
        message[key] = value
    else:
        message.pop(key, None)


def _extension(filename: str) -> str:
    match = re.search(r"\.[A-Za-z0-9]{1,8}$", filename)
    return match.group(0) if match else ""


def _error_response(error: ApiError) -> web.Response:
    return web.json_response(error.payload(), status=error.status, dumps=_dumps)
