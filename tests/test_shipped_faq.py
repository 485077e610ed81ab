"""The shipped FAQ content: complete, sourced, reviewed, and free of personal doses."""

from __future__ import annotations

import re

from bot.knowledge import required_topic_ids
from tests.shipped import shipped_knowledge


def test_every_required_topic_has_an_entry() -> None:
    ids = {entry.id for entry in shipped_knowledge().entries}
    assert set(required_topic_ids()) <= ids
    assert len(required_topic_ids()) == 40


def test_every_entry_has_sources_a_review_date_and_enough_phrasings() -> None:
    for entry in shipped_knowledge().entries:
        assert entry.sources and entry.reviewed.year >= 2026, entry.id
        assert len(entry.phrasings) >= 4, entry.id


def test_every_entry_says_who_reviewed_it_and_is_due_again_within_a_year() -> None:
    for entry in shipped_knowledge().entries:
        review = entry.review
        assert review.reviewed_by, entry.id
        assert review.reviewed < review.next_review <= review.reviewed.replace(year=review.reviewed.year + 1)


def test_no_answer_states_a_dose_in_milligrams() -> None:
    dose = re.compile(r"\d\s*(?:mg|milligram)", re.I)
    for entry in shipped_knowledge().entries:
        assert not dose.search(entry.answer), entry.id


def test_only_the_warning_signs_entry_is_urgent() -> None:
    assert [e.id for e in shipped_knowledge().entries if e.urgent] == ["warning-signs"]


def test_safety_reminder_names_every_warning_sign() -> None:
    reminder = shipped_knowledge().safety.reminder.lower()
    for sign in [
        "fever",
        "sore throat",
        "mouth ulcers",
        "bruising",
        "bleeding",
        "yellow",
        "stomach pain",
        "chickenpox",
        "shingles",
    ]:
        assert sign in reminder, sign
