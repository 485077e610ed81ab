"""Content governance: review fields are checked at file:line, and past-due reviews warn."""

from __future__ import annotations

import datetime as dt

from bot.knowledge.governance import Review, Reviewed, check_review, overdue_warnings
from bot.knowledge.yamlsource import LineDict, parse_yaml


def block(text: str) -> LineDict:
    data, problems = parse_yaml(text, "notes.yaml")
    assert not problems and isinstance(data, LineDict)
    return data


def test_a_complete_block_gives_a_review_without_any_entry() -> None:
    text = "reviewed: 2026-12-08\nreviewed_by: content team\nnext_review: 2027-12-08\n"
    review, problems = check_review(block(text), "notes.yaml", "warning signs")
    assert problems == []
    assert review == Review(dt.date(2026, 12, 8), "content team", dt.date(2027, 12, 8))


def test_next_review_on_or_before_reviewed_is_reported_at_its_line() -> None:
    text = "reviewed: 2026-12-08\nreviewed_by: content team\nnext_review: 2026-12-08\n"
    review, problems = check_review(block(text), "notes.yaml", "warning signs")
    assert review is None
    assert [str(p) for p in problems] == [
        "notes.yaml:3: warning signs: 'next_review' (2026-12-08) must be after 'reviewed' (2026-12-08)"
    ]


def test_a_date_written_as_text_is_reported_at_its_line() -> None:
    text = "reviewed: 2026-12-08\nreviewed_by: content team\nnext_review: next year\n"
    _, problems = check_review(block(text), "notes.yaml", "warning signs")
    assert [str(p) for p in problems] == [
        "notes.yaml:3: warning signs: 'next_review' must be a date like 2026-12-08"
    ]


def test_only_reviews_past_their_due_day_warn() -> None:
    review = Review(dt.date(2026, 12, 8), "content team", dt.date(2027, 12, 8))
    items = [Reviewed("faq/a.yaml", 4, "entry 'a'", review)]
    assert overdue_warnings(items, dt.date(2027, 12, 8)) == []
    assert overdue_warnings(items, dt.date(2027, 12, 9)) == [
        "WARNING: faq/a.yaml:4: entry 'a' was due for review on 2027-12-08"
    ]
