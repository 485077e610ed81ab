"""The about file (faq/about.yaml), chit-chat rules and unreadable messages: loading and deciding."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.conversation.answers import respond
from bot.knowledge.faq import load_knowledge
from bot.presentation.reply import render_text
from tests.faqfactory import entry_yaml, write_faq
from tests.shipped import shipped_knowledge, shipped_matcher

ABOUT = """\
about:
  - id: what-can-you-do
    question: What can this bot do?
    phrasings:
      - what can you do
      - what do you do
      - what can i ask you
      - how does this bot work
    answer: |
      I answer questions from {entry_count} entries, reviewed by {reviewers} {reviewed_dates},
      next due {next_review_due}. In an emergency call {emergency_number}.
    reviewed: 2026-12-08
    reviewed_by: the test suite
    next_review: 2027-12-08
"""


def _folder(tmp_path: Path, about: str) -> Path:
    folder = write_faq(tmp_path, entry_yaml("first"), entry_yaml("second"))
    (folder / "about.yaml").write_text(about, encoding="utf-8")
    return folder


def test_about_answer_quotes_the_entries_review_fields_and_services(tmp_path: Path) -> None:
    result = load_knowledge(_folder(tmp_path, ABOUT))
    assert result.ok, result.problems
    assert result.knowledge is not None
    [item] = result.knowledge.about
    assert " ".join(item.answer.split()) == (
        "I answer questions from 2 entries, reviewed by the test suite on 2026-11-27, next due "
        "2027-11-27. In an emergency call 999."
    )


@pytest.mark.parametrize(
    ("broken", "line", "message"),
    [
        (
            ABOUT.replace("      - how does this bot work\n", ""),
            4,
            "'phrasings' needs at least 4 items, has 3",
        ),
        (
            ABOUT.replace("    question: What can this bot do?\n", "    question: What?\n    colour: red\n"),
            4,
            "unknown field 'colour'",
        ),
        (ABOUT.replace("{entry_count}", "{entries_count}"), 9, "refers to '{entries_count}'"),
        (
            ABOUT.replace("    reviewed: 2026-12-08\n", "    reviewed: soon\n"),
            12,
            "'reviewed' must be a date",
        ),
        (ABOUT.replace("about:\n", "about: []\n").split("\n")[0] + "\n", 1, "'about' must be a list"),
        (ABOUT + ABOUT.removeprefix("about:\n"), 15, "duplicate id (also at line 2)"),
    ],
)
def test_broken_about_file_is_reported_at_file_and_line(
    tmp_path: Path, broken: str, line: int, message: str
) -> None:
    folder = _folder(tmp_path, broken)
    result = load_knowledge(folder)
    assert not result.ok
    found = [str(p) for p in result.problems if p.file == str(folder / "about.yaml")]
    assert any(p.startswith(f"{folder / 'about.yaml'}:{line}: ") and message in p for p in found), found


def test_azabot_check_reports_a_broken_about_file_at_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.cli.required_topic_ids", lambda: ())
    folder = _folder(tmp_path, ABOUT.replace("    answer: |\n      I answer", "    answr: |\n      I answer"))
    assert main(["check", str(folder)]) == 1
    err = capsys.readouterr().err
    assert f"{folder / 'about.yaml'}:2: about 'what-can-you-do': 'answer' is missing" in err
    assert f"{folder / 'about.yaml'}:9: about 'what-can-you-do': unknown field 'answr'" in err


def test_smalltalk_item_without_patterns_needs_a_rule(tmp_path: Path) -> None:
    folder = write_faq(tmp_path, entry_yaml("first"))
    (folder / "smalltalk.yaml").write_text(
        "smalltalk:\n  - id: odd\n    reply: Hello.\n"
        "  - id: emoji\n    only_symbols: yes please\n    reply: Hi.\n",
        encoding="utf-8",
    )
    problems = [str(p) for p in load_knowledge(folder).problems]
    assert f"{folder / 'smalltalk.yaml'}:2: smalltalk 'odd': 'patterns' is missing" in problems
    assert (
        f"{folder / 'smalltalk.yaml'}:5: smalltalk 'emoji': 'only_symbols' must be true or false" in problems
    )


def test_shipped_about_file_covers_the_bot_topics() -> None:
    ids = {item.id for item in shipped_knowledge().about}
    assert ids >= {
        "what-can-you-do",
        "not-a-doctor",
        "who-wrote-the-answers",
        "privacy-and-deleting",
        "reminders",
    }


@pytest.mark.parametrize(
    "question",
    [
        "how often do i need bloods",
        "why do i need bloods every week",
        "can i drink on it and do i need bloods forever",
        "missed my blood test appointment, can I still keep taking the tablets",
        "how long do i have to take it for",
    ],
)
def test_medical_questions_near_the_about_words_stay_medical(question: str) -> None:
    assert shipped_matcher().match(question).decision in ("answer", "suggest")


@pytest.mark.parametrize(
    "text",
    [
        "Czy przy azatioprynie łatwiej złapać infekcję?",
        "Kya azathioprine jigar ko nuqsan deti hai?",
        "Какие побочные эффекты?",
    ],
)
def test_unreadable_language_is_recognised(text: str) -> None:
    assert shipped_matcher().self_reader.unreadable(text)


@pytest.mark.parametrize(
    "text", ["who won the football last night", "what is the capital of France", "how do i reset my iphone"]
)
def test_english_outside_the_faq_is_readable(text: str) -> None:
    assert not shipped_matcher().self_reader.unreadable(text)


@pytest.mark.parametrize("text", ["👍", "🙂🙂🙂", "🤷‍♀️💊❓❓", "❤️"])
def test_only_symbols_get_the_emoji_reply(text: str) -> None:
    reply = respond(shipped_matcher(), text)
    assert reply.decision == "smalltalk"
    assert "only read words" in render_text(reply)


def test_abuse_beside_a_question_the_faq_answers_is_not_treated_as_abuse() -> None:
    reply = respond(shipped_matcher(), "this stupid medicine makes me feel sick, what helps with the nausea")
    assert reply.decision in ("answer", "suggest")


def test_i_feel_useless_is_not_abuse_aimed_at_the_bot() -> None:
    assert not shipped_matcher().self_reader.is_abuse("i feel so useless today", only=False)
