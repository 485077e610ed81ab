"""Questions about the bot itself (``faq/about.yaml``): their schema, checked at file:line like the
FAQ, and the review facts their answers may quote. ``about:`` items are like FAQ entries (a
question, patients' phrasings, a plain answer, review fields) but are not medical: they are kept
out of the medical matcher, and :mod:`bot.matching.about` reads them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.knowledge.governance import Review, check_review
from bot.knowledge.yamlsource import Checker, LineDict, LineList

if TYPE_CHECKING:
    from bot.knowledge.schema import Entry

#: An about answer is read on a phone with the reminder under it: shorter than a full answer.
MAX_ABOUT_CHARS = 700
MIN_ABOUT_PHRASINGS = 4
ABOUT_FIELDS = {"id", "question", "phrasings", "answer", "reviewed", "reviewed_by", "next_review"}
#: Facts an about answer may quote from the FAQ entries' review fields, filled at load, so who
#: reviewed the answers and when is never typed twice.
REVIEW_FACTS = ("reviewers", "reviewed_dates", "next_review_due", "entry_count")
_EMOJI_CATEGORIES = frozenset({"So", "Sk", "Sm", "Cn", "Co", "Mn", "Cf", "Zs", "Pd", "Po", "Ps", "Pe"})


@dataclass(frozen=True)
class AboutItem:
    """A question about the bot itself and its answer (what it does, privacy, reminders...)."""

    id: str
    question: str
    phrasings: tuple[str, ...]
    answer: str
    review: Review
    file: str = ""
    line: int = 0


def _count(checker: Checker) -> int:
    return len(getattr(checker, "problems", []))


def check_about(checker: Checker, raw: object, line: int) -> list[AboutItem]:
    """The ``about:`` list of one file, every problem reported at its file:line."""
    if not isinstance(raw, LineList) or not raw:
        checker.add(line, "'about' must be a list of items with id, question, phrasings and answer")
        return []
    items: list[AboutItem] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(raw):
        item_line = raw.line_of(index)
        if not isinstance(item, LineDict):
            checker.add(
                item_line, "each about item must be a block of fields (id, question, phrasings, answer)"
            )
            continue
        item_id = item.get("id")
        where = f"about '{item_id}'" if isinstance(item_id, str) else "about item"
        before = _count(checker)
        for key in sorted(set(item) - ABOUT_FIELDS):
            checker.add(
                item.line_of(key),
                f"{where}: unknown field '{key}' (known: {', '.join(sorted(ABOUT_FIELDS))})",
            )
        if not isinstance(item_id, str) or not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", item_id):
            checker.add(item.line_of("id"), f"{where}: 'id' must be lower-case words joined by hyphens")
        elif item_id in seen:
            checker.add(item.line_of("id"), f"{where}: duplicate id (also at line {seen[item_id]})")
        else:
            seen[item_id] = item.line_of("id")
        question = checker.text(item, "question", where, limit=120)
        phrasings = checker.string_list(item, "phrasings", where, required=True, minimum=MIN_ABOUT_PHRASINGS)
        answer = checker.text(item, "answer", where, limit=MAX_ABOUT_CHARS)
        review, problems = check_review(item, checker.file, where)
        for problem in problems:
            checker.add(problem.line, problem.message)
        if _count(checker) == before and review is not None and isinstance(item_id, str):
            texts = tuple(text for text, _ in phrasings)
            items.append(AboutItem(item_id, question, texts, answer, review, checker.file, item.line))
    return items


def review_facts(entries: Sequence[Entry]) -> dict[str, str]:
    """What the FAQ entries' review fields say as a whole: who reviewed them, and when."""
    if not entries:
        return dict.fromkeys(REVIEW_FACTS, "")
    reviews = [entry.review for entry in entries]
    reviewers = list(dict.fromkeys(review.reviewed_by for review in reviews))
    first, last = min(r.reviewed for r in reviews), max(r.reviewed for r in reviews)
    return {
        "reviewers": "; ".join(reviewers),
        "reviewed_dates": f"on {first}" if first == last else f"between {first} and {last}",
        "next_review_due": str(min(review.next_review for review in reviews)),
        "entry_count": str(len(entries)),
    }


def with_review_facts(items: Iterable[AboutItem], facts: Mapping[str, str]) -> tuple[AboutItem, ...]:
    """``items`` with ``{reviewers}``, ``{last_reviewed}``... in their answers filled in."""
    filled: list[AboutItem] = []
    for item in items:
        answer = item.answer
        for name, value in facts.items():
            answer = answer.replace("{" + name + "}", value)
        filled.append(replace(item, answer=answer))
    return tuple(filled)


def only_symbols(text: str) -> bool:
    """True for a message of emoji or symbols only ("👍", "🙂🙂", "?!"): no letter, no digit."""
    stripped = "".join(text.split())
    if not stripped:
        return False
    return all(unicodedata.category(char) in _EMOJI_CATEGORIES for char in stripped) and any(
        unicodedata.category(char) in {"So", "Sk", "Sm", "Cn", "Co"} for char in stripped
    )
