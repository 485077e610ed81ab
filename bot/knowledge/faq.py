"""The FAQ as data: schema, loading from ``faq/*.yaml`` and validation with file:line problems.

A YAML file's top-level key says what it holds:

- ``entries:``   questions and answers (one file per category),
- ``safety:``    the warning-signs reminder and the urgent advice,
- ``synonyms:``  patients' words and misspellings mapped to the FAQ's words (plus ``ignore:``),
- ``smalltalk:`` friendly replies to greetings, thanks, emoji and abuse,
- ``about:``     questions about the bot itself (see :mod:`bot.knowledge.about`),
- ``signs:``     the danger signs, their levels and advice (see :mod:`bot.knowledge.signs`),
- ``services:``  phone numbers and services (emergency, urgent line, crisis line), which any
  text refers to as ``{emergency_number}`` (see :mod:`bot.knowledge.services`).

:func:`load_knowledge` validates everything and returns either a complete :class:`KnowledgeBase`
or the full list of problems; it never returns a half-valid FAQ.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from bot.knowledge.about import REVIEW_FACTS, AboutItem, check_about, review_facts, with_review_facts
from bot.knowledge.governance import REVIEW_FIELDS, Review, check_review
from bot.knowledge.services import MAX_SERVICE_CHARS, REQUIRED_SERVICES, SERVICE_NAME, fill
from bot.knowledge.signs import SignBook, check_signs
from bot.knowledge.textnorm import fold
from bot.knowledge.yamlsource import LineDict, LineList, Problem, parse_yaml

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
_HTML = re.compile(
    r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>|&(?:amp|lt|gt|quot|apos|nbsp|#\d+|#x[0-9a-fA-F]+);"
)
_MARKDOWN = re.compile(r"\*\*[^*\n]+\*\*|__[^_\n]+__|\[[^\]\n]+\]\([^)\n]+\)|^#{1,6}\s|`[^`\n]+`", re.M)

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


class _FileChecker:
    """Collects problems for one file while turning its YAML into domain objects."""

    def __init__(self, file: str, services: Mapping[str, str] | None = None) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.services: Mapping[str, str] = services or {}

    def add(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, message))

    def text(
        self,
        mapping: LineDict,
        key: str,
        where: str,
        *,
        required: bool = True,
        limit: int = MAX_TEXT_CHARS,
    ) -> str:
        """A plain-text string field, checked for presence, type, length and markup."""
        line = mapping.line_of(key)
        value = mapping.get(key)
        if value is None:
            if required:
                self.add(line, f"{where}: '{key}' is missing")
            return ""
        if not isinstance(value, str):
            self.add(line, f"{where}: '{key}' must be text, not {_kind(value)}")
            return ""
        value = self.fill(value.strip(), line, f"{where}: '{key}'")
        if required and not value:
            self.add(line, f"{where}: '{key}' is empty")
        if len(value) > limit:
            self.add(line, f"{where}: '{key}' is {len(value)} characters; the limit is {limit}")
        self.plain(value, line, f"{where}: '{key}'")
        return value

    def fill(self, value: str, line: int, where: str) -> str:
        """``value`` with its ``{service}`` placeholders filled in; unknown ones are problems."""
        filled, unknown = fill(value, self.services)
        for name in unknown:
            known = ", ".join(sorted(self.services)) or "none: add faq/services.yaml"
            self.add(
                line, f"{where} refers to '{{{name}}}', which services.yaml does not define (known: {known})"
            )
        return filled

    def plain(self, value: str, line: int, where: str) -> None:
        """Refuse HTML or Markdown where plain text is expected."""
        if _HTML.search(value):
            self.add(line, f"{where} contains HTML; write plain text (the bot adds formatting)")
        elif _MARKDOWN.search(value):
            self.add(line, f"{where} contains Markdown; write plain text (the bot adds formatting)")

    def string_list(
        self, mapping: LineDict, key: str, where: str, *, required: bool, minimum: int = 0
    ) -> list[tuple[str, int]]:
        """A list of non-empty plain strings, each with its line."""
        value = mapping.get(key)
        line = mapping.line_of(key)
        if value is None:
            if required:
                self.add(line, f"{where}: '{key}' is missing")
            return []
        if not isinstance(value, list):
            self.add(line, f"{where}: '{key}' must be a list, not {_kind(value)}")
            return []
        items: list[tuple[str, int]] = []
        for index, item in enumerate(value):
            item_line = value.line_of(index) if isinstance(value, LineList) else line
            if not isinstance(item, str) or not item.strip():
                hint = " (put words like yes, no, on, off in quotes)" if isinstance(item, bool) else ""
                self.add(item_line, f"{where}: each of '{key}' must be non-empty text{hint}")
                continue
            if len(item) > MAX_TEXT_CHARS:
                self.add(item_line, f"{where}: an item of '{key}' is over {MAX_TEXT_CHARS} characters")
            self.plain(item, item_line, f"{where}: '{key}'")
            items.append((item.strip(), item_line))
        if len(items) < minimum:
            self.add(line, f"{where}: '{key}' needs at least {minimum} items, has {len(items)}")
        return items


def _kind(value: object) -> str:
    if isinstance(value, dict):
        return "a block of fields"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dt.date):
        return "a date"
    return type(value).__name__


def _check_entry(checker: _FileChecker, raw: object, line: int) -> tuple[Entry | None, list[tuple[str, int]]]:
    """Validate one entry; return it (or None) and its phrasings with lines."""
    if not isinstance(raw, LineDict):
        checker.add(line, f"each entry must be a block of fields, not {_kind(raw)}")
        return None, []
    entry_id = raw.get("id")
    if isinstance(entry_id, str):  # a long id is shortened here; its own problem says it is too long
        where = f"entry '{entry_id[:MAX_ID_CHARS]}{'…' if len(entry_id) > MAX_ID_CHARS else ''}'"
    else:
        where = "entry"
    for key in sorted(set(raw) - ENTRY_FIELDS):
        checker.add(
            raw.line_of(key),
            f"{where}: unknown field '{key}' (known: {', '.join(sorted(ENTRY_FIELDS))})",
        )
    for key in sorted(REQUIRED_ENTRY_FIELDS - set(raw)):
        checker.add(raw.line, f"{where}: '{key}' is missing")
    before = len(checker.problems)
    if "id" in raw and (not isinstance(entry_id, str) or not ID_PATTERN.match(entry_id)):
        checker.add(
            raw.line_of("id"),
            f"{where}: 'id' must be lower-case words joined by hyphens, e.g. missed-dose",
        )
    elif isinstance(entry_id, str) and len(entry_id) > MAX_ID_CHARS:
        checker.add(raw.line_of("id"), f"{where}: 'id' is longer than {MAX_ID_CHARS} characters")
    category = checker.text(raw, "category", where, required="category" in raw, limit=40)
    question = checker.text(raw, "question", where, required="question" in raw, limit=120)
    answer = checker.text(raw, "answer", where, required="answer" in raw, limit=MAX_ANSWER_CHARS)
    short = checker.text(raw, "short", where, required="short" in raw, limit=MAX_SHORT_CHARS)
    phrasings = checker.string_list(
        raw, "phrasings", where, required="phrasings" in raw, minimum=MIN_PHRASINGS
    )
    keywords = checker.string_list(raw, "keywords", where, required=False)
    related = checker.string_list(raw, "related", where, required=False)
    wins_when = checker.string_list(raw, "wins_when", where, required=False)
    sources = _check_sources(checker, raw, where)
    review, review_problems = check_review(raw, checker.file, where)
    checker.problems.extend(review_problems)
    flags: dict[str, object] = {}
    for flag in ENTRY_FLAGS:
        flags[flag] = raw.get(flag, False)
        if not isinstance(flags[flag], bool):
            checker.add(raw.line_of(flag), f"{where}: '{flag}' must be true or false")
    if len(checker.problems) > before or set(REQUIRED_ENTRY_FIELDS) - set(raw):
        return None, phrasings
    assert isinstance(entry_id, str) and review is not None
    entry = Entry(
        id=entry_id,
        category=category,
        question=question,
        phrasings=tuple(text for text, _ in phrasings),
        answer=answer,
        sources=tuple(sources),
        review=review,
        keywords=tuple(text for text, _ in keywords),
        short=short,
        related=tuple(text for text, _ in related),
        urgent=bool(flags["urgent"]),
        needs_medicine=bool(flags["needs_medicine"]),
        overview=bool(flags["overview"]),
        show_full=bool(flags["show_full"]),
        wins_when=tuple(fold_phrase(text) for text, _ in wins_when),
        file=checker.file,
        line=raw.line,
    )
    return entry, phrasings


def _check_sources(checker: _FileChecker, raw: LineDict, where: str) -> list[Source]:
    value = raw.get("sources")
    line = raw.line_of("sources")
    if value is None:
        return []
    if not isinstance(value, list) or not value:
        checker.add(line, f"{where}: 'sources' must list at least one source (title and url)")
        return []
    sources: list[Source] = []
    for index, item in enumerate(value):
        item_line = value.line_of(index) if isinstance(value, LineList) else line
        if not isinstance(item, LineDict):
            checker.add(item_line, f"{where}: each source needs a 'title' and a 'url'")
            continue
        for key in sorted(set(item) - {"title", "url"}):
            checker.add(item.line_of(key), f"{where}: unknown source field '{key}'")
        title = checker.text(item, "title", f"{where} source", limit=200)
        url = checker.text(item, "url", f"{where} source", limit=500)
        parsed = urlparse(url)
        if url and (parsed.scheme not in {"http", "https"} or not parsed.netloc or " " in url):
            checker.add(item.line_of("url"), f"{where}: source url must start with http:// or https://")
            continue
        if title and url:
            sources.append(Source(title=title, url=url))
    return sources


def _check_safety(checker: _FileChecker, raw: object, line: int) -> SafetyText | None:
    if not isinstance(raw, LineDict):
        checker.add(line, "'safety' must be a block with the reminder")
        return None
    for key in sorted(set(raw) - SAFETY_FIELDS):
        checker.add(raw.line_of(key), f"safety: unknown field '{key}'")
    before = len(checker.problems)
    texts = {key: checker.text(raw, key, "safety", limit=MAX_SAFETY_CHARS) for key in SAFETY_FIELDS}
    if len(checker.problems) > before:
        return None
    return SafetyText(**texts)


#: Optional word lists that may stand beside ``synonyms:`` in the same file.
WORD_LISTS = (
    "ignore",
    "other_medicines",
    "own_medicine",
    "refers_to_own",
    "conditions",
    "practical",
    "children",
    "animals",
    "general_openers",
    "people",
    "treatment",
)


def _check_synonyms(checker: _FileChecker, data: LineDict) -> Vocabulary | None:
    raw, line = data["synonyms"], data.line_of("synonyms")
    if not isinstance(raw, LineDict):
        checker.add(line, "'synonyms' must map a word to the list of words that mean it")
        return None
    before = len(checker.problems)
    mapping: dict[str, str] = {}
    for canonical, variants in raw.items():
        key_line = raw.line_of(canonical)
        if not isinstance(variants, list) or not all(isinstance(v, str) for v in variants):
            checker.add(key_line, f"synonyms: '{canonical}' must have a list of words")
            continue
        for variant in variants:
            folded = fold_phrase(variant)
            if not folded:
                checker.add(key_line, f"synonyms: '{canonical}' has an empty word")
            elif folded in mapping and mapping[folded] != fold_phrase(canonical):
                checker.add(
                    key_line,
                    f"synonyms: '{variant}' is listed under both '{mapping[folded]}' and '{canonical}'",
                )
            else:
                mapping[folded] = fold_phrase(canonical)
    lists: dict[str, frozenset[str]] = {}
    for key in WORD_LISTS:
        words = data.get(key, [])
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            checker.add(data.line_of(key), f"'{key}' must be a list of words (put on, no, yes in quotes)")
        else:
            lists[key] = frozenset(fold_phrase(word) for word in words)
    if len(checker.problems) > before:
        return None
    return Vocabulary(synonyms=mapping, **lists)


def _check_smalltalk(checker: _FileChecker, raw: object, line: int) -> list[SmallTalk]:
    if not isinstance(raw, list):
        checker.add(line, "'smalltalk' must be a list of blocks with id, patterns and reply")
        return []
    items: list[SmallTalk] = []
    for index, item in enumerate(raw):
        item_line = raw.line_of(index) if isinstance(raw, LineList) else line
        if not isinstance(item, LineDict):
            checker.add(item_line, "each smalltalk item needs an id, patterns and a reply")
            continue
        for key in sorted(set(item) - SMALLTALK_FIELDS):
            checker.add(item.line_of(key), f"smalltalk: unknown field '{key}'")
        before = len(checker.problems)
        item_id = checker.text(item, "id", "smalltalk", limit=40)
        where = f"smalltalk '{item_id}'"
        symbols = item.get("only_symbols", False)
        if not isinstance(symbols, bool):
            checker.add(item.line_of("only_symbols"), f"{where}: 'only_symbols' must be true or false")
        abuse = checker.string_list(item, "abuse", where, required=False)
        # Emoji-only and abuse items are recognised by their own rule; the rest need patterns.
        needs_patterns = symbols is not True and not abuse
        patterns = checker.string_list(item, "patterns", where, required=needs_patterns)
        reply = checker.text(item, "reply", where, limit=MAX_ANSWER_CHARS)
        if len(checker.problems) == before:
            items.append(
                SmallTalk(
                    item_id,
                    tuple(text for text, _ in patterns),
                    reply,
                    only_symbols=symbols is True,
                    abuse=tuple(text for text, _ in abuse),
                )
            )
    return items


#: How an FAQ file's name ends.
FAQ_SUFFIXES = (".yaml", ".yml")


def is_faq_file_name(name: str) -> bool:
    """Whether a file called ``name`` directly in ``FAQ_DIR`` is part of the FAQ.

    The one rule that the loader, the upload check, ``/export``, the backups and the file
    watcher share, so they can never disagree about which files make the FAQ: a name ending in
    ``.yaml`` or ``.yml`` (spaces and non-ASCII letters included), except a hidden one (a leading
    dot: editors' swap files, the installer's temporary files, the backups folder).
    """
    return name.endswith(FAQ_SUFFIXES) and not name.startswith(".")


def faq_files(faq_dir: Path) -> list[Path]:
    """The FAQ files in ``faq_dir`` (regular files whose name passes :func:`is_faq_file_name`), sorted."""
    if not faq_dir.is_dir():
        return []
    return sorted(p for p in faq_dir.iterdir() if is_faq_file_name(p.name) and p.is_file())


def load_knowledge(faq_dir: Path, required_ids: Iterable[str] = ()) -> LoadResult:
    """Load and validate every FAQ file in ``faq_dir`` (see :func:`faq_files`).

    Every problem found is reported (not just the first). ``required_ids`` names entry ids that
    must exist (the project's required topics).
    """
    files = faq_files(faq_dir)
    problems: list[Problem] = []
    unreadable: list[Problem] = []  # YAML that cannot be parsed: reported first, on its own
    if not files:
        return LoadResult(None, [_no_files(faq_dir)], files)

    entries: list[Entry] = []
    entry_sites: dict[str, tuple[str, int]] = {}
    phrasing_sites: dict[str, tuple[str, str, int]] = {}
    related_refs: list[tuple[str, int, str, str]] = []
    safety: SafetyText | None = None
    safety_site: tuple[str, int] | None = None
    vocabulary: Vocabulary | None = None
    signs: SignBook | None = None
    signs_file: str | None = None
    smalltalk: list[SmallTalk] = []
    about: list[AboutItem] = []

    parsed: list[tuple[str, LineDict]] = []
    for path in files:
        name = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            unreadable.append(Problem(name, 1, "the file is not UTF-8 text"))
            continue
        except OSError as exc:
            unreadable.append(Problem(name, 1, f"cannot read the file: {exc.strerror}"))
            continue
        data, yaml_problems = parse_yaml(text, name)
        unreadable.extend(yaml_problems)
        if yaml_problems:
            continue
        if not isinstance(data, LineDict) or not any(key in data for key in TOP_LEVEL_KEYS):
            keys = ", ".join(f"{k}:" for k in TOP_LEVEL_KEYS)
            problems.append(Problem(name, 1, "the file must start with one of: " + keys))
            continue
        parsed.append((name, data))
    # Services first: every other text may refer to them.
    services = _check_services(faq_dir, parsed, problems)

    for name, data in parsed:
        checker = _FileChecker(name, services)
        for key in sorted(set(data) - {*TOP_LEVEL_KEYS, *WORD_LISTS, *SIGN_BLOCKS}):
            checker.add(data.line_of(key), f"unknown top-level key '{key}'")

        if "entries" in data:
            raw_entries = data["entries"]
            if not isinstance(raw_entries, list) or not raw_entries:
                checker.add(data.line_of("entries"), "'entries' must be a list of entries")
                raw_entries = []
            for index, raw in enumerate(raw_entries):
                line = raw_entries.line_of(index) if isinstance(raw_entries, LineList) else 1
                entry, phrasings = _check_entry(checker, raw, line)
                entry_id = raw.get("id") if isinstance(raw, dict) else None
                if isinstance(entry_id, str):
                    id_line = raw.line_of("id") if isinstance(raw, LineDict) else line
                    if entry_id in entry_sites:
                        other_file, other_line = entry_sites[entry_id]
                        checker.add(
                            id_line,
                            f"duplicate id '{entry_id}' (also at {other_file}:{other_line})",
                        )
                    else:
                        entry_sites[entry_id] = (name, id_line)
                    question = raw.get("question") if isinstance(raw, dict) else None
                    texts = list(phrasings)
                    if isinstance(question, str):
                        texts.append((question, raw.line_of("question")))
                    for text_, text_line in texts:
                        folded = fold_phrase(text_)
                        other = phrasing_sites.get(folded)
                        if other and other[0] != entry_id:
                            checker.add(
                                text_line,
                                f"entry '{entry_id}': the phrasing '{text_}' is also used by "
                                f"entry '{other[0]}' ({other[1]}:{other[2]}); keep it in one entry",
                            )
                        elif not other:
                            phrasing_sites[folded] = (entry_id, name, text_line)
                if entry is not None:
                    entries.append(entry)
                    for ref in entry.related:
                        related_refs.append((name, raw.line_of("related"), entry.id, ref))

        if "safety" in data:
            if safety_site is not None:
                checker.add(
                    data.line_of("safety"),
                    f"'safety' is already defined in {safety_site[0]}:{safety_site[1]}",
                )
            else:
                safety_site = (name, data.line_of("safety"))
                safety = _check_safety(checker, data["safety"], data.line_of("safety"))
        if "synonyms" in data:
            if vocabulary is not None:
                checker.add(data.line_of("synonyms"), "'synonyms' is defined in two files")
            else:
                vocabulary = _check_synonyms(checker, data)
        if "signs" in data:
            if signs_file is not None:
                checker.add(data.line_of("signs"), f"'signs' is already defined in {signs_file}")
            else:
                signs_file = name
                signs = check_signs(checker, data)
        if "smalltalk" in data:
            smalltalk.extend(_check_smalltalk(checker, data["smalltalk"], data.line_of("smalltalk")))
        if "about" in data:
            # About answers may quote the entries' review facts, filled once all entries are read.
            quoted = {name: "{" + name + "}" for name in REVIEW_FACTS}
            about_checker = _FileChecker(name, {**services, **quoted})
            about.extend(check_about(about_checker, data["about"], data.line_of("about")))
            checker.problems.extend(about_checker.problems)
        problems.extend(checker.problems)

    if unreadable:
        # The other checks would list what the unreadable file holds (its entries, the services its
        # texts refer to) as missing, burying the one real problem under knock-on ones.
        return LoadResult(None, sorted(set(unreadable)), files, len(unreadable))
    for file, line, entry_id, ref in related_refs:
        if ref not in entry_sites:
            problems.append(Problem(file, line, f"entry '{entry_id}': related id '{ref}' does not exist"))
        elif ref == entry_id:
            problems.append(Problem(file, line, f"entry '{entry_id}': an entry cannot be related to itself"))
    for entry_id in required_ids:
        if entry_id not in entry_sites:
            problems.append(
                Problem(
                    str(faq_dir),
                    0,
                    f"the entry '{entry_id}' is missing: every FAQ must have it (the required topics are "
                    "listed in faq/README.md); put it back or restore the file from a backup",
                )
            )
    if safety is None and safety_site is None:
        problems.append(Problem(str(faq_dir), 0, "no file defines 'safety:' (the safety reminder)"))
    if signs_file is None:
        problems.append(
            Problem(str(faq_dir), 0, "no file defines 'signs:' (the danger signs, faq/signs.yaml)")
        )
    if not entries and not problems:
        problems.append(Problem(str(faq_dir), 0, "the FAQ has no entries"))

    if problems or safety is None or signs is None:
        return LoadResult(None, sorted(set(problems)), files)
    knowledge = KnowledgeBase(
        entries=tuple(entries),
        safety=safety,
        signs=signs,
        vocabulary=vocabulary or Vocabulary(),
        smalltalk=tuple(smalltalk),
        about=with_review_facts(about, review_facts(entries)),
        services=services,
    )
    return LoadResult(knowledge, [], files)


def _check_services(
    faq_dir: Path, parsed: list[tuple[str, LineDict]], problems: list[Problem]
) -> dict[str, str]:
    """The one ``services:`` block: names to plain text, with the required names present."""
    sites = [(name, data) for name, data in parsed if "services" in data]
    services: dict[str, str] = {}
    if not sites:
        problems.append(
            Problem(str(faq_dir), 0, "no file defines 'services:' (the emergency, urgent and crisis numbers)")
        )
        return services
    name, data = sites[0]
    for other, other_data in sites[1:]:
        problems.append(
            Problem(other, other_data.line_of("services"), f"'services' is already defined in {name}")
        )
    raw, line = data["services"], data.line_of("services")
    if not isinstance(raw, LineDict):
        problems.append(
            Problem(name, line, "'services' must map a name to what to call, e.g. emergency_number: \"999\"")
        )
        return services
    for key, value in raw.items():
        key_line = raw.line_of(key)
        if not SERVICE_NAME.match(key):
            problems.append(Problem(name, key_line, f"services: '{key}' must be lower-case letters and _"))
        elif not isinstance(value, (str, int)) or isinstance(value, bool) or not str(value).strip():
            problems.append(
                Problem(name, key_line, f"services: '{key}' must be text (put numbers in quotes)")
            )
        elif len(str(value)) > MAX_SERVICE_CHARS:
            problems.append(
                Problem(name, key_line, f"services: '{key}' is over {MAX_SERVICE_CHARS} characters")
            )
        else:
            services[key] = str(value).strip()
    for key in REQUIRED_SERVICES:
        if key not in raw:
            problems.append(Problem(name, line, f"services: '{key}' is missing"))
    return services


def _no_files(faq_dir: Path) -> Problem:
    """Where the bot looked and how to point it elsewhere: usually it was started in another folder."""
    where = faq_dir.resolve()
    state = "does not exist" if not where.exists() else "has no .yaml files"
    return Problem(
        str(faq_dir),
        0,
        f"no FAQ found: the folder {where} {state}. Start azabot in the folder that holds faq/ "
        "(and .env), or set FAQ_DIR in .env or the environment to the FAQ folder's path",
    )


def required_topic_ids() -> tuple[str, ...]:
    """The topic ids the project's FAQ must contain (the project's own copy of the list)."""
    path = Path(__file__).with_name("required_topics.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))
