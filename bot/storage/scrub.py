"""Removing what identifies a person from a question before it is kept, free of Telegram.

Unanswered questions are stored without an id for the clinic team (:mod:`bot.storage.store`), but a
patient may type their name or numbers into the question itself. Before storing, these are
replaced by a placeholder in square brackets, so the team still sees what kind of thing was said:

* e-mail addresses -> ``[email]``;
* dates with a year (``12/03/1985``, ``1985-03-12``, ``12 March 1985``, ``March 12, 1985``) and
  whatever follows "born" or "date of birth" -> ``[date]``;
* numbers of seven digits or more, alone or in groups (an NHS number ``943 476 5919``, a phone
  number ``+44 (0)20 7946 0958``, a hospital number) -> ``[number]``: doses and counts are shorter;
* a name after "my name is", "my name's", "I'm called", "I am called", "call me", "this is ...
  speaking" or "name:" -> ``[name]``.

It is a safety net, not a promise: a name typed on its own cannot be told from any other word.
The privacy text says so.
"""

from __future__ import annotations

import re

from bot.knowledge.textnorm import remove_invisible

_EMAIL = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATES = re.compile(
    r"(?<!\w)(?:"
    r"\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2,4}"  # 12/03/1985, 12.3.85
    r"|\d{4}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{1,2}"  # 1985-03-12
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+\d{{2,4}}"  # 12 March 1985
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{2,4}}"  # March 12, 1985
    r")(?!\w)",
    re.IGNORECASE,
)
# "born" / "DOB" / "date of birth" and the date after it (even one without a year).
_BIRTH_TOKEN = rf"(?:\d[\d/.\-]*(?:st|nd|rd|th)?|{_MONTH}(?!\w)|of)"
_BIRTH = re.compile(
    r"\b(born(?:\s+on|\s+in)?|d\.?o\.?b\.?|date\s+of\s+birth)(\s*(?:is|was|:)?\s*)"
    rf"{_BIRTH_TOKEN}(?:,?\s+{_BIRTH_TOKEN})*",
    re.IGNORECASE,
)
# Seven or more digits, possibly in groups joined by a space, dash, dot or brackets.
_LONG_NUMBER = re.compile(r"(?<![\w+])\+?\(?\d(?:[\s\-.()]{0,3}\d){6,}(?!\w)")
_NAME_INTRO = re.compile(
    r"\b(my\s+name\s+is|my\s+name'?s|i\s*['\u2019]?\s*m\s+called|i\s+am\s+called|call\s+me|name\s*:)\s+",
    re.IGNORECASE,
)
# Words that end a name: what people write after it ("my name is Ann and I take ...").
_AFTER_NAME = frozenset(
    {
        *("and", "but", "i", "im", "i'm", "i\u2019m", "my", "from", "age", "aged", "on", "taking", "take"),
        *("taken", "with", "who", "is", "have", "has", "had", "was", "can", "could", "do", "does"),
        *("please", "the", "a", "an", "so", "because", "since", "here"),
    }
)
_NAME_WORDS = 3


def _scrub_names(text: str) -> str:
    out: list[str] = []
    position = 0
    for match in _NAME_INTRO.finditer(text):
        if match.start() < position:
            continue
        out.append(text[position : match.end()])
        words = re.finditer(r"[^\s,.;!?]+", text[match.end() :])
        end = match.end()
        taken = 0
        for word in words:
            between = text[end : match.end() + word.start()]
            if taken == _NAME_WORDS or word[0].lower() in _AFTER_NAME or any(c in between for c in ",.;!?\n"):
                break
            end = match.end() + word.end()
            taken += 1
        out.append("[name]" if taken else "")
        position = end
    out.append(text[position:])
    return "".join(out)


def scrub_identifiers(text: str) -> str:
    """``text`` with names, e-mail addresses, dates of birth and long numbers replaced."""
    text = _EMAIL.sub("[email]", remove_invisible(text))  # "0770\u200b0 900123" is still a number
    text = _BIRTH.sub(lambda m: f"{m[1]}{m[2] or ' '}[date]", text)
    text = _DATES.sub("[date]", text)
    text = _LONG_NUMBER.sub("[number]", text)
    return _scrub_names(text)
