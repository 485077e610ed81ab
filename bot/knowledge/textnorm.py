"""Turning what patients type into comparable words: Unicode, case, punctuation, synonyms, stems.

The same :class:`Normaliser` is applied to the FAQ's phrasings and to incoming messages, so both
sides of every comparison went through exactly the same steps.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

# Invisible characters: format controls (soft hyphen, zero-width space and joiners, bidi marks,
# embeddings, overrides and isolates, the byte-order mark, tag characters), the combining
# grapheme joiner and variation selectors. They are removed, never turned into spaces:
# "yel\u00adlow" is the word "yellow", and a space there would hide a warning sign.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\ufe00-\ufe0f\ufeff\ufff9-\ufffb\U000e0000-\U000e0fff]"
)
# Line breaks and other control characters (C0, DEL, C1, the Unicode line and paragraph separators).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Apostrophes join words ("don't" -> "dont", "crohn's" -> "crohns") rather than split them.
_APOSTROPHES = re.compile("[\u0027\u2018\u2019\u02bc\u0060\u00b4]")
# Markup pasted or typed into a message ("my <b>tablets</b>") is not words: "b" would split the
# phrase "my tablets". Only tag-shaped text goes: "<3" and "a < b" stay.
_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,40}>")
# Anything that is not a letter or digit (punctuation, emoji, symbols) becomes a space.
_NON_WORD = re.compile(r"[^\w]+|_")
# "38.5" and "3wks" should split into a number and a word.
_DIGIT_LETTER = re.compile(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)")
# A number before one of these is how long something has been ("on aza 6 months"): background
# in most messages, so it must not count as the evidence an exact number is ("50 mg").
_TIME_UNITS = frozenset({"day", "days", "week", "weeks", "month", "months", "year", "years", "yrs", "yr"})


def fold(text: str) -> str:
    """Drop invisible characters, NFKC, case-fold, drop tags, apostrophes, punctuation, emoji; fold spaces."""
    text = unicodedata.normalize("NFKC", _INVISIBLE.sub("", text)).casefold()
    text = _TAG.sub(" ", text)
    text = _APOSTROPHES.sub("", text)
    text = _NON_WORD.sub(" ", text)
    text = _DIGIT_LETTER.sub(" ", text)
    return " ".join(text.split())


def remove_invisible(text: str) -> str:
    """``text`` without invisible characters (see ``_INVISIBLE``): they hide words from pattern checks."""
    return _INVISIBLE.sub("", text)


def one_line(text: str) -> str:
    """Text a user typed, safe to show others as one quoted line.

    Invisible and bidi-override characters are removed (they could reorder what an admin reads),
    line breaks and other control characters become spaces (a newline could forge a line of a
    list), curly double quotes become straight ones (so the text cannot close the quote around
    it), and runs of spaces are folded.
    """
    text = _CONTROL.sub(" ", _INVISIBLE.sub("", text))
    return " ".join(text.replace("“", '"').replace("”", '"').split())


def stem(word: str) -> str:
    """A deliberately light stemmer: plural -s and -ing only, so words stay recognisable."""
    if word.isdigit() or len(word) <= 3:
        return word
    if len(word) > 6 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is", "os")):
        return word[:-1]
    return word


@dataclass(frozen=True)
class Normaliser:
    """Applies the FAQ's synonyms and ignore-list on top of :func:`fold`."""

    synonyms: Mapping[str, str]
    ignore: frozenset[str]

    def __post_init__(self) -> None:
        longest = max((len(variant.split()) for variant in self.synonyms), default=1)
        object.__setattr__(self, "_longest", longest)

    def words(self, text: str) -> list[str]:
        """Folded words with synonyms replaced (longest phrase first), ignore-words kept."""
        tokens = fold(text).split()
        longest: int = self.__dict__["_longest"]
        out: list[str] = []
        i = 0
        while i < len(tokens):
            for size in range(min(longest, len(tokens) - i), 0, -1):
                phrase = " ".join(tokens[i : i + size])
                canonical = self.synonyms.get(phrase)
                if canonical is not None:
                    out.extend(canonical.split())
                    i += size
                    break
            else:
                out.append(tokens[i])
                i += 1
        return out

    def content_words(self, text: str) -> list[str]:
        """The stemmed words that carry meaning: what scoring compares."""
        return self.meaningful(self.words(text))

    def meaningful(self, words: list[str]) -> list[str]:
        """The stemmed words among ``words`` (from :meth:`words`) that carry meaning.

        A duration's number is left out ("3 months" keeps "months"); the unit still counts.
        """
        following_words = [*words[1:], ""]
        return [
            stem(word)
            for word, following in zip(words, following_words, strict=False)
            if word not in self.ignore and not (word.isdigit() and following in _TIME_UNITS)
        ]
