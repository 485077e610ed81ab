"""The bot on itself: reading questions about the bot (``faq/about.yaml``, schema in
:mod:`bot.knowledge.about`), and messages that ask nothing.

``about:`` items are like FAQ entries (a question, patients' phrasings, a plain answer, review
fields) but are not medical and are kept out of the medical matcher: they neither change its word
statistics nor appear among its suggestions. :class:`SelfReader` decides, before the medical
cascade, whether a message asks about the bot, and only when its best about-item clearly beats
every FAQ entry (see :meth:`SelfReader.about_for`).

It also recognises, in general ways rather than per message:

- a message of emoji or symbols only;
- abuse: a message whose words are all abuse or words around it ("you useless bot"), from the
  ``abuse`` word list of a smalltalk item;
- a message the bot cannot read: most of its words are neither English words the FAQ's own
  answers use nor words its synonyms know (see :meth:`SelfReader.unreadable`).

No Telegram here; the replies are composed in :mod:`bot.conversation.answers`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import fuzz, process

from bot.knowledge.about import AboutItem
from bot.knowledge.textnorm import Normaliser, fold, stem
from bot.matching.signals import Meaning, PhrasingSimilarity

if TYPE_CHECKING:
    from bot.knowledge.schema import Entry, SmallTalk
    from bot.matching.embedding import Embedder

#: An about-item answers when its score reaches this and leads the best FAQ entry by ``lead``.
ABOUT_SCORE = 62.0
ABOUT_LEAD = 6.0
#: A message is unreadable when fewer than this share of its words are ones the bot can read.
READABLE_SHARE = 0.5
#: Words around abuse that say nothing else ("you are a useless bot").
_ABUSE_FILLER = frozenset(
    [
        "you",
        "your",
        "youre",
        "u",
        "ur",
        "are",
        "r",
        "is",
        "a",
        "an",
        "the",
        "this",
        "that",
        "such",
        "so",
        "what",
        "total",
        "totally",
        "absolute",
        "absolutely",
        "bloody",
        "really",
        "very",
        "just",
        "thing",
        "piece",
        "of",
        "bot",
        "robot",
        "app",
        "machine",
        "utterly",
        "complete",
        "completely",
        "f",
        "off",
        "up",
        "go",
        "get",
        "lol",
        "omg",
        "ffs",
        "wtf",
    ]
)
#: Words that address the bot ("can you...", "are u...").
_ADDRESSED = frozenset({"you", "your", "youre", "u", "ur", "bot", "yourself"})
#: Words that aim abuse at the bot.
_AIMED_AT_BOT = frozenset({"you", "youre", "u", "ur", "bot", "yourself", "robot", "app"})


def _abuse_pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    """One regex for an abuse word list: ``*`` at a word's end allows any ending."""
    parts = [re.escape(fold(word.rstrip("*"))) + (r"\w*" if word.endswith("*") else "") for word in words]
    parts = [part for part in parts if part and part != r"\w*"]
    return re.compile(r"\b(?:" + "|".join(parts) + r")\b") if parts else None


class SelfReader:
    """Reads what a message says about the bot itself; built once per FAQ load with the matcher."""

    def __init__(
        self,
        about: Sequence[AboutItem],
        smalltalk: Sequence[SmallTalk],
        entries: Sequence[Entry],
        normaliser: Normaliser,
        embedder: Embedder,
    ) -> None:
        self.items = tuple(about)
        self.normaliser = normaliser
        self._meaning: Meaning | None = None
        self._phrasings: PhrasingSimilarity | None = None
        if self.items:
            texts = [
                [" ".join(normaliser.words(t)) for t in (item.question, *item.phrasings)]
                for item in self.items
            ]
            # Questions about the bot are made of small words ("what can you do", "are you a
            # human") that the medical matcher ignores, so every word is compared here.
            lines = [[self._line(t) for t in (item.question, *item.phrasings)] for item in self.items]
            self._meaning = Meaning(embedder, texts, learn=False)
            self._phrasings = PhrasingSimilarity(lines)
        # Words that point at the bot: "you", "bot", and the words of the about phrasings that
        # no FAQ entry's question, phrasings or keywords use ("reminder", "delete", "human").
        medical: set[str] = set()
        for entry in entries:
            for text in (entry.question, *entry.phrasings, *entry.keywords):
                medical.update(self._line(text).split())
        about_words = {
            word
            for item in self.items
            for t in (item.question, *item.phrasings)
            for word in self._line(t).split()
        }
        self._cues = frozenset(about_words - medical) | _ADDRESSED
        self.emoji = next((item for item in smalltalk if item.only_symbols), None)
        self.abuse = next((item for item in smalltalk if item.abuse), None)
        self._abuse = _abuse_pattern(self.abuse.abuse) if self.abuse else None
        # The English the bot reads: the words of the FAQ's own texts (all in English: words in
        # other languages live in the synonyms), of the about file, of the smalltalk patterns, and
        # the English words the synonyms map to.
        english: set[str] = set()
        for entry in entries:
            for text in (entry.question, entry.answer, entry.short, *entry.phrasings, *entry.keywords):
                english.update(fold(text).split())
        for item in self.items:
            english.update(fold(f"{item.question} {item.answer}").split())
        for talk in smalltalk:
            english.update(word for pattern in talk.patterns for word in fold(pattern).split())
        english.update(word for canonical in normaliser.synonyms.values() for word in canonical.split())
        self._english = frozenset(english)
        self._english_stems = frozenset(stem(word) for word in english)
        self._known_variants = frozenset(normaliser.synonyms)
        self._sorted_english = sorted(english)

    # -- about the bot ---------------------------------------------------------------------

    def _line(self, text: str) -> str:
        return " ".join(sorted(stem(word) for word in self.normaliser.words(text)))

    def scores(self, text: str) -> np.ndarray:
        """Each about-item's score (0-100): the closest phrasing's meaning and its wording."""
        if self._meaning is None or self._phrasings is None:
            return np.zeros(0)
        words = self.normaliser.words(text)
        if not words:
            return np.zeros(len(self.items))
        vector = self._meaning.embed(" ".join(words))
        closest = self._meaning.closest(vector)
        wording = self._phrasings.best(self._line(text), closest, len(self.items))
        result: np.ndarray = 100.0 * (0.6 * closest + 0.4 * wording)
        return result

    def about_for(self, text: str, medical_best: Callable[[], float]) -> tuple[AboutItem, float] | None:
        """The about-item a message asks, when it clearly beats the best FAQ entry's score.

        ``medical_best`` is only called (a second scoring pass) when an about-item scores high.
        """
        if not self.items or not set(self._line(text).split()) & self._cues:
            return None  # cheap first: most messages name nothing about the bot
        scores = self.scores(text)
        index = int(np.argmax(scores))
        best = float(scores[index])
        if best >= ABOUT_SCORE and best >= medical_best() + ABOUT_LEAD:
            return self.items[index], round(best, 1)
        return None

    # -- messages that ask nothing -------------------------------------------------------------

    def is_abuse(self, text: str, *, only: bool) -> bool:
        """True when the message has abuse; with ``only``, when abuse is all it says."""
        if self._abuse is None:
            return False
        folded = fold(text)
        found = self._abuse.findall(folded)
        if not found:
            return False
        if not only:
            # Beside other words, abuse counts only when aimed at the bot ("you're useless"):
            # "I feel useless" is about the writer.
            return bool(set(folded.split()) & _AIMED_AT_BOT)
        rest = self._abuse.sub(" ", folded).split()
        return all(word in _ABUSE_FILLER for word in rest)

    def _readable(self, word: str) -> bool:
        if word.isdigit() or word in self._english or stem(word) in self._english_stems:
            return True
        if word in self._known_variants and word.isascii():
            return True  # an English misspelling or slang the synonyms know ("imuraan", "bloods")
        if len(word) >= 5 and word.isascii():
            return (
                process.extractOne(word, self._sorted_english, scorer=fuzz.ratio, score_cutoff=84) is not None
            )
        return False

    def unreadable(self, text: str) -> bool:
        """True when most of the message's words are not English the bot knows.

        "¿Puedo tomar el sol?" or "Czy mogę się opalać?" has a word or two the bot knows at most;
        an English question outside the FAQ ("who won the football") is still mostly English.
        One word is not enough to judge, unless it is in a script the bot does not read at all.
        """
        words = fold(text).split()
        if not words:
            return False
        if len(words) == 1:
            return not words[0].isascii() and not self._readable(words[0])
        readable = sum(self._readable(word) for word in words)
        return readable / len(words) < READABLE_SHARE
