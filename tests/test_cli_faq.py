"""``azabot check`` and ``azabot list``: what an admin sees on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from tests.faqfactory import entry_yaml, write_faq


@pytest.fixture(autouse=True)
def no_required_topics(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small test folders do not hold the 40 required topics."""
    monkeypatch.setattr("bot.cli.required_topic_ids", lambda: ())


def test_check_prints_summary_and_exits_0_on_valid_faq(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_faq(tmp_path, entry_yaml("first"), entry_yaml("second"))
    assert main(["check", str(folder)]) == 0
    assert capsys.readouterr().out.startswith("OK: 2 entries, 8 phrasings, 1 categories")


def test_check_prints_problems_and_exits_1_on_broken_faq(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_faq(tmp_path, entry_yaml("first", answer="<b>bold</b>"))
    assert main(["check", str(folder)]) == 1
    err = capsys.readouterr().err
    assert f"{folder / 'basics.yaml'}:" in err
    assert "contains HTML" in err


def test_check_warns_about_a_past_due_review_and_still_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_faq(tmp_path, entry_yaml("first"))
    assert main(["check", str(folder), "--today", "2027-11-28"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("OK: 1 entries")
    warning = f"WARNING: {folder / 'basics.yaml'}:2: entry 'first' was due for review on 2027-11-27"
    assert warning in err.splitlines()


def test_check_warns_about_a_sign_past_its_review(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_faq(tmp_path, entry_yaml("first"))
    assert main(["check", str(folder), "--today", "2027-06-09"]) == 0
    assert "sign 'fever' was due for review on 2027-06-08" in capsys.readouterr().err


def test_check_is_silent_about_reviews_not_yet_due(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_faq(tmp_path, entry_yaml("first"))
    assert main(["check", str(folder), "--today", "2027-06-08"]) == 0
    assert capsys.readouterr().err == ""


def test_list_json_prints_id_category_question(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_faq(tmp_path, entry_yaml("first"))
    assert main(["list", "--json", "--dir", str(folder)]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"id": "first", "category": "basics", "question": "What about first?"}
    ]


def test_list_text_groups_by_category(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_faq(tmp_path, entry_yaml("first"))
    assert main(["list", "--dir", str(folder)]) == 0
    assert capsys.readouterr().out.splitlines() == ["basics:", f"  {'first':32} What about first?"]
