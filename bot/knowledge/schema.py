"""The FAQ's shape: limits, field names, and the types a loaded FAQ is made of (entries,
sources, the reminder, small talk, the vocabulary, the knowledge base and a load's result)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.knowledge.about import AboutItem
from bot.knowledge.governance import REVIEW_FIELDS, Review
from bot.knowledge.signs import SignBook
from bot.knowledge.textnorm import fold
from bot.knowledge.yamlsource import Problem

MAX_ANSWER_CHARS = 900
#: The summary sent first must fit one phone screen with the reminder and buttons.
MAX_SHORT_CHARS = 300
MIN_PHRASINGS = 4
MAX_TEXT_CHARS = 300
MAX_SAFETY_CHARS = 1500

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: An id travels in button data ("fb:1:<id>"), which Telegram caps at 64 bytes.
MAX_ID_CHARS = 50
# Markup an admin might paste from a web page or a word processor; the bot does its own formatting.
HTML = re.compile(
    r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>|&(?:amp|lt|gt|quot|apos|nbsp|#\d+|#x[0-9a-fA-F]+);"
)
MARKDOWN = re.compile(r"\*\*[^*\n]+\*\*|__[^_\n]+__|\[[^\]\n]+\]\([^)\n]+\)|^#{1,6}\s|`[^`\n]+`", re.M)

ENTRY_FIELDS = {
    "id",
    "category",
    "question",
    "phrasings",
    "keywords",
    "answer",
    "short",
    "sources",
    "reviewed",
    "reviewed_by",
    "next_review",
    "related",
    "urgent",
    "needs_medicine",
    "overview",
    "wins_when",
    "show_full",
}
#: Entry fields that are true or false, false when left out.
ENTRY_FLAGS = ("urgent", "needs_medicine", "overview", "show_full")
#: ``short`` is optional here (small test FAQs); the shipped FAQ's tests require it on every entry.
OPTIONAL_ENTRY_FIELDS = {"keywords", "related", "wins_when", "short", *ENTRY_FLAGS}
#: The review fields are required too, but bot.knowledge.governance checks and reports them.
REQUIRED_ENTRY_FIELDS = ENTRY_FIELDS - OPTIONAL_ENTRY_FIELDS - set(REVIEW_FIELDS)
SAFETY_FIELDS = {"reminder"}
SMALLTALK_FIELDS = {"id", "patterns", "reply", "only_symbols", "abuse"}
TOP_LEVEL_KEYS = ("entries", "safety", "synonyms", "smalltalk", "services", "signs", "about")
#: Blocks that stand beside ``signs:`` in the signs file.
SIGN_BLOCKS = ("levels", "tablet_advice", "temperature", "distress")


@dataclass(frozen=True)
class Source:
    """A source an answer was written from."""

    title: str
    url: str


@dataclass(frozen=True)
class Entry:
    """One FAQ entry: a canonical question, the ways people ask it, and a sourced answer."""

    id: str
    category: str
    question: str
    phrasings: tuple[str, ...]
    answer: str
    sources: tuple[Source, ...]
    review: Review
    keywords: tuple[str, ...] = ()
    #: The direct answer and the one action that matters, sent first; "" when not written.
    short: str = ""
    related: tuple[str, ...] = ()
    urgent: bool = False
    #: Answer only messages that refer to a medicine: without one, "is colitis curable" is a
    #: question about the condition, not about azathioprine's role in it.
    needs_medicine: bool = False
    #: About the medicine as a whole (what it is, what it is for, how it works): its name alone
    #: scores well here, so in "aza and beer?" this entry is no rival to the specific one.
    overview: bool = False
    #: Shown in full at once, never as the short answer first (overdose, warning signs).
    show_full: bool = False
    #: Phrases (folded) that settle a close call for this entry when it is among the best few:
    #: "my husband takes it ... could it harm the baby" is about a father, not a pregnant patient.
    wins_when: tuple[str, ...] = ()
    file: str = ""
    line: int = 0

    @property
    def reviewed(self) -> dt.date:
        """The day a person last checked this entry against its sources."""
        return self.review.reviewed


@dataclass(frozen=True)
class SafetyText:
    """The reminder that closes every reply that has no urgent advice of its own."""

    reminder: str


@dataclass(frozen=True)
class SmallTalk:
    """A friendly reply to chit-chat such as greetings or thanks."""

    id: str
    patterns: tuple[str, ...]
    reply: str
    #: The reply to a message of emoji or symbols only.
    only_symbols: bool = False
    #: Abuse words (``*`` = any ending): the reply to a message that is abuse and nothing the
    #: FAQ answers.
    abuse: tuple[str, ...] = ()


@dataclass(frozen=True)
class Vocabulary:
    """Synonyms (variant -> canonical wording) and word lists that steer matching."""

    synonyms: Mapping[str, str] = field(default_factory=dict)
    #: Words that carry no meaning; left out when scoring.
    ignore: frozenset[str] = frozenset()
    #: Medicines whose own questions are out of scope unless the message is about ours too.
    other_medicines: frozenset[str] = frozenset()
    #: Words that say a message is about azathioprine (after synonyms).
    own_medicine: frozenset[str] = frozenset()
    #: Words and two-word phrases that point at the person's own medicine without naming it
    #: ("is it safe", "my tablets"), after synonyms.
    refers_to_own: frozenset[str] = frozenset()
    #: Conditions azathioprine treats (words and two-word phrases, after synonyms). Patients name
    #: them as background ("for my crohns"), so they must not decide the topic on their own.
    conditions: frozenset[str] = frozenset()
    #: Practical matters the bot cannot help with (prescriptions, appointments, phone numbers,
    #: costs), words and two-word phrases after synonyms: such a message gets the fallback.
    practical: frozenset[str] = frozenset()
    #: Words naming a child: with no medicine named, the message is about the child's general
    #: health ("when does my baby get the MMR jab") and gets the fallback.
    children: frozenset[str] = frozenset()
    #: Words naming an animal as the one asked about ("my dog", "the vet"): the bot is for people,
    #: so such a message gets the fallback that sends the owner to the vet.
    animals: frozenset[str] = frozenset()
    #: Words and phrases that open a general-knowledge question ("what is", "how many").
    general_openers: frozenset[str] = frozenset()
    #: Words naming a person ("I", "my", "you", "my husband"): a question about someone.
    people: frozenset[str] = frozenset()
    #: Words that only make sense about a treatment ("dose", "side effects", "warning signs").
    #: With an opener, no person, no medicine and none of these, a message asks a general
    #: health question ("what is shingles", "how many units a week is safe"): the fallback.
    treatment: frozenset[str] = frozenset()


@dataclass(frozen=True)
class KnowledgeBase:
    """A complete, validated FAQ. Immutable, so a reload can swap it in one assignment."""

    entries: tuple[Entry, ...]
    safety: SafetyText
    signs: SignBook
    vocabulary: Vocabulary
    smalltalk: tuple[SmallTalk, ...] = ()
    #: Questions about the bot itself, from ``about.yaml``.
    about: tuple[AboutItem, ...] = ()
    #: Service name -> what to call ("999", "NHS 111"...), from ``services.yaml``.
    services: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {entry.id: entry for entry in self.entries})

    def get(self, entry_id: str) -> Entry | None:
        """The entry with this id, or None."""
        by_id: dict[str, Entry] = self.__dict__["_by_id"]
        return by_id.get(entry_id)

    @property
    def categories(self) -> tuple[str, ...]:
        """Category names in the order they first appear."""
        return tuple(dict.fromkeys(entry.category for entry in self.entries))

    def in_category(self, category: str) -> tuple[Entry, ...]:
        """The entries of one category, in file order."""
        return tuple(entry for entry in self.entries if entry.category == category)

    @property
    def phrasing_count(self) -> int:
        """How many phrasings the FAQ has in all (questions not counted)."""
        return sum(len(entry.phrasings) for entry in self.entries)


@dataclass
class LoadResult:
    """The outcome of loading a FAQ folder: a knowledge base, or the problems that stop it."""

    knowledge: KnowledgeBase | None
    problems: list[Problem]
    files: list[Path] = field(default_factory=list)
    #: How many files could not be read as YAML; their problems come first in ``problems``.
    unreadable: int = 0

    @property
    def ok(self) -> bool:
        """True when the FAQ is valid and can be served."""
        return self.knowledge is not None and not self.problems


def fold_phrase(text: str) -> str:
    """Case-, punctuation- and space-insensitive form used to detect the same phrasing twice."""
    return fold(text)
