"""The shipped FAQ content: complete, sourced, reviewed, and free of personal doses."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from bot.knowledge.faq import load_knowledge, required_topic_ids
from bot.knowledge.schema import MAX_SHORT_CHARS
from tests.shipped import FAQ_DIR, shipped_knowledge

US_SERVICES = """\
services:
  emergency_number: "911"
  emergency_place: "the emergency room"
  urgent_line: "your doctor's after-hours line or urgent care"
  crisis_line: "988 (call or text)"
  crisis_text: "text HOME to 741741"
  poison_line: "Poison Control on 1-800-222-1222"
"""


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
        assert not dose.search(entry.short), entry.id


def test_every_entry_has_a_short_answer_that_is_shorter_than_its_full_answer() -> None:
    for entry in shipped_knowledge().entries:
        assert 0 < len(entry.short) <= MAX_SHORT_CHARS, entry.id
        assert len(entry.short) < len(entry.answer), entry.id


def test_short_answers_for_overdose_and_warning_signs_keep_the_urgent_action() -> None:
    kb = shipped_knowledge()
    overdose, signs = kb.get("overdose"), kb.get("warning-signs")
    assert overdose is not None and signs is not None
    assert kb.services["poison_line"] in overdose.short
    assert kb.services["emergency_number"] in overdose.short
    assert kb.services["urgent_line"] in signs.short
    assert kb.services["emergency_number"] in signs.short


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


def test_answers_follow_services_yaml_so_no_uk_number_is_left_for_a_us_clinic(tmp_path: Path) -> None:
    folder = shutil.copytree(FAQ_DIR, tmp_path / "faq")
    (folder / "services.yaml").write_text(US_SERVICES, encoding="utf-8")
    kb = load_knowledge(folder, required_topic_ids()).knowledge
    assert kb is not None
    texts = [entry.answer for entry in kb.entries] + [entry.short for entry in kb.entries]
    texts += [talk.reply for talk in kb.smalltalk]
    uk_only = re.compile(r"\b999\b|NHS 111|A&E")
    assert [text[:60] for text in texts if uk_only.search(text)] == []
    overdose = kb.get("overdose")
    assert overdose is not None and "Poison Control on 1-800-222-1222" in overdose.answer
    assert "Poison Control on 1-800-222-1222" in overdose.short
