"""faq/signs.yaml and faq/services.yaml are clinical data: validated with file:line, used as written."""

from __future__ import annotations

from pathlib import Path

from bot.conversation.answers import respond
from bot.knowledge.faq import load_knowledge
from bot.knowledge.signs import phrase_pattern
from bot.matching.matcher import Matcher
from bot.presentation.reply import render_text
from tests.faqfactory import entry_yaml, write_faq


def folder_with(tmp_path: Path, name: str, old: str, new: str) -> Path:
    folder = write_faq(tmp_path, entry_yaml("first"))
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def problems(folder: Path) -> list[str]:
    return [str(p) for p in load_knowledge(folder).problems]


def test_plain_words_allow_any_ending_and_a_gap() -> None:
    import re

    assert re.search(phrase_pattern("bruis*"), "loads of bruises")
    assert re.search(phrase_pattern("blood ... sick"), "blood in my sick")
    assert not re.search(phrase_pattern("fit"), "does it fitting")


def test_an_unknown_level_is_reported_with_its_line(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "signs.yaml", "level: emergency", "level: urgent-ish")
    [problem] = problems(folder)
    assert problem.startswith(f"{folder / 'signs.yaml'}:") and "'level' must be one of" in problem


def test_a_broken_pattern_is_reported_with_its_line(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "signs.yaml", "    patterns:\n", "    patterns:\n      - '(unclosed'\n")
    [problem] = problems(folder)
    assert "signs.yaml:" in problem and "not a valid pattern" in problem


def test_a_sign_without_a_reviewer_is_reported(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "signs.yaml", "    reviewed_by: azabot", "    reviewed_byx: azabot")
    assert any("'reviewed_by' is missing" in p for p in problems(folder))


def test_a_missing_signs_file_stops_the_load(tmp_path: Path) -> None:
    folder = write_faq(tmp_path, entry_yaml("first"))
    (folder / "signs.yaml").unlink()
    assert any("no file defines 'signs:'" in p for p in problems(folder))


def test_an_unknown_service_placeholder_is_reported_with_its_line(tmp_path: Path) -> None:
    folder = folder_with(
        tmp_path, "signs.yaml", "{urgent_line} if they are closed", "{ambulance} if they are closed"
    )
    [problem] = problems(folder)
    assert "signs.yaml:" in problem and "'{ambulance}'" in problem


def test_a_missing_required_service_is_reported(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "services.yaml", '  crisis_line: "', '  crisis_linx: "')
    assert any("services: 'crisis_line' is missing" in p for p in problems(folder))


def test_changing_a_number_in_services_changes_every_urgent_reply(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "services.yaml", 'emergency_number: "999"', 'emergency_number: "911"')
    knowledge = load_knowledge(folder).knowledge
    assert knowledge is not None
    matcher = Matcher(knowledge)
    assert render_text(respond(matcher, "my husband collapsed")).startswith("⚠️ Call 911 now")
    assert "Call 911 now" in render_text(respond(matcher, "i want to kill myself"))


def test_the_thermometer_thresholds_come_from_the_file(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "signs.yaml", "fever_from: 38.0", "fever_from: 37.8")
    knowledge = load_knowledge(folder).knowledge
    assert knowledge is not None
    assert respond(Matcher(knowledge), "temp 37.9 tonight").urgency == "same-day"
