"""Content governance: who reviewed a piece of patient-facing text, when, and when it is next due.

NHS pages carry the same three facts ("Page last reviewed ... Next review due ..."). Any YAML block
with ``reviewed``, ``reviewed_by`` and ``next_review`` can be checked here; the FAQ entries use it,
and so can any other file of patient-facing text. Problems come back as :class:`Problem` values
(file:line: message), the same as the rest of the FAQ loader. No Telegram, no clock: the day to
compare with is always passed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from bot.knowledge.yamlsource import LineDict, Problem

REVIEW_FIELDS = ("reviewed", "reviewed_by", "next_review")
MAX_REVIEWER_CHARS = 200


@dataclass(frozen=True)
class Review:
    """When a text was last checked against its sources, by whom, and when it is next due."""

    reviewed: dt.date
    reviewed_by: str
    next_review: dt.date

    def overdue(self, today: dt.date) -> bool:
        """True once ``today`` is past the next review date (the due day itself is still fine)."""
        return today > self.next_review


def _date(mapping: LineDict, key: str, file: str, where: str, problems: list[Problem]) -> dt.date | None:
    value = mapping.get(key)
    if value is None:
        problems.append(Problem(file, mapping.line, f"{where}: '{key}' is missing"))
        return None
    # YAML reads 2026-12-08 as a date; a datetime or quoted text is a slip worth naming.
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        problems.append(
            Problem(file, mapping.line_of(key), f"{where}: '{key}' must be a date like 2026-12-08")
        )
        return None
    return value


def check_review(mapping: LineDict, file: str, where: str) -> tuple[Review | None, list[Problem]]:
    """The review fields of one YAML block: a :class:`Review`, or None and the problems found.

    ``where`` names the block in messages (e.g. ``entry 'alcohol'``). A missing field is reported
    at the block's own line, a wrong one at its key's line.
    """
    problems: list[Problem] = []
    reviewed = _date(mapping, "reviewed", file, where, problems)
    next_review = _date(mapping, "next_review", file, where, problems)
    reviewed_by = mapping.get("reviewed_by")
    if reviewed_by is None:
        problems.append(Problem(file, mapping.line, f"{where}: 'reviewed_by' is missing"))
    elif not isinstance(reviewed_by, str) or not reviewed_by.strip():
        problems.append(
            Problem(file, mapping.line_of("reviewed_by"), f"{where}: 'reviewed_by' must say who reviewed it")
        )
    elif len(reviewed_by.strip()) > MAX_REVIEWER_CHARS:
        problems.append(
            Problem(
                file,
                mapping.line_of("reviewed_by"),
                f"{where}: 'reviewed_by' is over {MAX_REVIEWER_CHARS} characters",
            )
        )
    if reviewed is not None and next_review is not None and next_review <= reviewed:
        problems.append(
            Problem(
                file,
                mapping.line_of("next_review"),
                f"{where}: 'next_review' ({next_review.isoformat()}) must be after 'reviewed' "
                f"({reviewed.isoformat()})",
            )
        )
    if problems or reviewed is None or next_review is None or not isinstance(reviewed_by, str):
        return None, problems
    return Review(reviewed, reviewed_by.strip(), next_review), []


@dataclass(frozen=True)
class Reviewed:
    """Something with a review, and where it lives: what :func:`overdue_warnings` reports on."""

    file: str
    line: int
    name: str
    review: Review


def overdue_warnings(items: Iterable[Reviewed], today: dt.date) -> list[str]:
    """One ``WARNING: file:line: ...`` line for each item past its next review date."""
    return [
        "WARNING: "
        + str(Problem(item.file, item.line, f"{item.name} was due for review on {item.review.next_review}"))
        for item in items
        if item.review.overdue(today)
    ]
