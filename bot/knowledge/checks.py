"""Checking each FAQ file's blocks with file:line: entries and their sources, the reminder,
synonyms, small talk and services. Every problem is collected, never raised."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlparse

from bot.knowledge.governance import check_review
from bot.knowledge.schema import (
    ENTRY_FIELDS,
    ENTRY_FLAGS,
    HTML,
    ID_PATTERN,
    MARKDOWN,
    MAX_ANSWER_CHARS,
    MAX_ID_CHARS,
    MAX_SAFETY_CHARS,
    MAX_SHORT_CHARS,
    MAX_TEXT_CHARS,
    MIN_PHRASINGS,
    REQUIRED_ENTRY_FIELDS,
    SAFETY_FIELDS,
    SMALLTALK_FIELDS,
    Entry,
    SafetyText,
    SmallTalk,
    Source,
    Vocabulary,
    fold_phrase,
)
from bot.knowledge.services import MAX_SERVICE_CHARS, REQUIRED_SERVICES, SERVICE_NAME, fill
from bot.knowledge.yamlsource import LineDict, LineList, Problem


class FileChecker:
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
            self.add(line, f"{where}: '{key}' must be text, not {kind(value)}")
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
        if HTML.search(value):
            self.add(line, f"{where} contains HTML; write plain text (the bot adds formatting)")
        elif MARKDOWN.search(value):
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
            self.add(line, f"{where}: '{key}' must be a list, not {kind(value)}")
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


def kind(value: object) -> str:
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


def check_entry(checker: FileChecker, raw: object, line: int) -> tuple[Entry | None, list[tuple[str, int]]]:
    """Validate one entry; return it (or None) and its phrasings with lines."""
    if not isinstance(raw, LineDict):
        checker.add(line, f"each entry must be a block of fields, not {kind(raw)}")
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
    sources = check_sources(checker, raw, where)
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


def check_sources(checker: FileChecker, raw: LineDict, where: str) -> list[Source]:
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


def check_safety(checker: FileChecker, raw: object, line: int) -> SafetyText | None:
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


def check_synonyms(checker: FileChecker, data: LineDict) -> Vocabulary | None:
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


def check_smalltalk(checker: FileChecker, raw: object, line: int) -> list[SmallTalk]:
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


def check_services(
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
