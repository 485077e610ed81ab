"""`azabot ask` and `azabot eval`: what admins run on the command line."""

from __future__ import annotations

import io
import json

import pytest

from bot.cli import main

KEYS = {"question", "decision", "id", "score", "suggestions", "urgent", "urgency", "reply"}


def test_ask_prints_the_plain_text_reply(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "can i drink on imuran?"]) == 0
    out = capsys.readouterr().out
    assert "alcohol" in out.lower() and "More" in out and "Sources" in out


def test_ask_json_prints_one_object_with_the_documented_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "can i drink on imuran?"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == KEYS
    assert (result["decision"], result["id"], result["urgent"], result["urgency"]) == (
        "answer",
        "alcohol",
        False,
        None,
    )
    assert 0 <= result["score"] <= 100


@pytest.mark.parametrize(
    ("question", "urgency"),
    [
        ("I can't go on, I want to end my life", "crisis"),
        ("my dad has collapsed and isn't responding", "emergency"),
        ("temp 38.4 and shivery since this morning", "same-day"),
    ],
)
def test_ask_json_gives_the_urgency_level_beside_urgent(
    capsys: pytest.CaptureFixture[str], question: str, urgency: str
) -> None:
    assert main(["ask", "--json", question]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["urgent"], result["urgency"]) == (True, urgency)


def test_ask_json_reads_stdin_and_answers_each_line_in_order(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    questions = ["hi", "how do i reset my iphone", "my gums keep bleeding"]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(questions) + "\n"))
    assert main(["ask", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["question"] for r in rows] == questions
    assert [r["decision"] for r in rows][:2] == ["smalltalk", "fallback"]
    assert rows[1]["id"] is None and rows[2]["urgent"] is True


def test_eval_prints_the_figures(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "--quiet", "tests/data/eval-dev.jsonl"]) == 0
    out = capsys.readouterr().out
    assert "top-1 accuracy" in out and "urgent recall" in out


def test_eval_with_a_missing_file_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "no/such/file.jsonl"]) == 2
    assert "Cannot read the evaluation file" in capsys.readouterr().err
