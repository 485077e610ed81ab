"""The reply model every layer builds (paragraphs of spans, buttons) and its two renderings:
Telegram HTML, split to fit a message, and plain text for the terminal. Everything that came from
YAML or from the user is escaped here.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

TELEGRAM_LIMIT = 4096


@dataclass(frozen=True)
class Span:
    """A run of text, optionally bold or a link."""

    text: str
    bold: bool = False
    url: str | None = None


Paragraph = tuple[Span, ...]


@dataclass(frozen=True)
class Button:
    """A choice offered under a reply; ``action`` becomes callback data or a numbered choice."""

    label: str
    action: str


@dataclass(frozen=True)
class Reply:
    """A complete reply: paragraphs, buttons, and what the matcher decided (for the CLI/JSON)."""

    paragraphs: tuple[Paragraph, ...]
    buttons: tuple[Button, ...] = ()
    decision: str = "info"
    entry_id: str | None = None
    score: float = 0.0
    suggestions: tuple[str, ...] = ()
    urgent: bool = False
    #: "crisis", "emergency" or "same-day" when the reply leads with urgent advice.
    urgency: str | None = None
    medical: bool = True
    extra: dict[str, str] = field(default_factory=dict)


def _html_span(span: Span) -> str:
    text = html.escape(span.text, quote=False)
    if span.url:
        text = f'<a href="{html.escape(span.url, quote=True)}">{text}</a>'
    return f"<b>{text}</b>" if span.bold else text


def _text_span(span: Span) -> str:
    return f"{span.text} ({span.url})" if span.url else span.text


def _size(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji is two), which tags only add to."""
    return len(text.encode("utf-16-le")) // 2


def _fitting(span: Span, room: int) -> int:
    """How many characters of ``span.text`` fit in ``room`` characters once rendered (escaping grows it)."""
    low, high = 0, len(span.text)
    while low < high:
        middle = (low + high + 1) // 2
        if _size(_html_span(replace(span, text=span.text[:middle]))) <= room:
            low = middle
        else:
            high = middle - 1
    return low


def _html_pieces(paragraph: Paragraph, limit: int) -> list[str]:
    """One paragraph as HTML pieces of at most ``limit`` characters (UTF-16 units) each.

    A paragraph longer than a message is cut inside a span's *text*, before escaping, so every
    piece has whole tags and whole entities (a cut through ``&amp;`` or between ``<b>`` and
    ``</b>`` is refused by Telegram). The cut is at the last space that fits, else where the room
    ends: ``rfind`` answers -1 when there is no space, which must never become the cut.
    """
    pieces: list[str] = []
    current = ""
    for original in paragraph:
        span = original
        while True:
            rendered = _html_span(span)
            if _size(current) + _size(rendered) <= limit:
                current += rendered
                break
            room = limit - _size(current)
            fits = _fitting(span, room)
            space = span.text.rfind(" ", 0, fits + 1)
            cut = space if space > 0 else fits
            if cut <= 0:
                if current:  # start a new piece and try again with the whole room
                    pieces.append(current)
                    current = ""
                    continue
                span = replace(span, url=None)  # only a link longer than a message gets here
                continue
            pieces.append(current + _html_span(replace(span, text=span.text[:cut])))
            current = ""
            span = replace(span, text=span.text[cut:].lstrip(" "))
    if current or not pieces:
        pieces.append(current)
    return pieces


def _join(paragraphs: Iterable[str], limit: int) -> list[str]:
    """Pack paragraphs (each at most ``limit`` characters) into messages, splitting only between them."""
    messages: list[str] = []
    current = ""
    for paragraph in paragraphs:
        candidate = f"{current}\n\n{paragraph}" if current else paragraph
        if _size(candidate) > limit and current:
            messages.append(current)
            current = paragraph
        else:
            current = candidate
    if current:
        messages.append(current)
    return messages


def render_html(reply: Reply, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Telegram HTML messages (each within ``limit``), escaped, the reminder in the last one."""
    return _join((piece for p in reply.paragraphs for piece in _html_pieces(p, limit)), limit)


def render_text(reply: Reply, *, numbered_buttons: bool = True) -> str:
    """Plain text, as the terminal chat and ``azabot ask`` show it."""
    text = "\n\n".join("".join(_text_span(s) for s in p) for p in reply.paragraphs)
    if numbered_buttons and reply.buttons:
        choices = "\n".join(f"  {n}. {b.label}" for n, b in enumerate(reply.buttons, start=1))
        text = f"{text}\n\n{choices}"
    return text
