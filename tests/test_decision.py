"""The learned decision (bot/matching/decision.py, bot/decision.json): loading, determinism, thresholds,
and issue 22's "everyone here is on azathioprine" over the fake Bot API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.matching.decision import FEATURES, MODEL_PATH, load_model, shipped_model
from bot.matching.matcher import Matcher
from tests.fake_telegram import FakeTelegram
from tests.shipped import shipped_knowledge, shipped_matcher
from tests.test_telegram_bot import CHAT, say, text_of

#: Questions that name no medicine, each answered by one entry (issue 22's own examples; none is
#: in the fitting sets, tests/data/train-policy.jsonl included).
UNNAMED = [
    ("is the pneumonia jab ok", "vaccines"),
    ("can I have a filling", "surgery-dental"),
]


def matcher_with(tmp_path: Path, **thresholds: float) -> Matcher:
    """A matcher over the shipped FAQ whose decision file has other thresholds."""
    raw = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    raw["thresholds"].update(thresholds)
    path = tmp_path / "decision.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    return Matcher(shipped_knowledge(), model=load_model(path), embedder=shipped_matcher().embedder)


def test_the_shipped_decision_loads_with_this_codes_features() -> None:
    model = load_model(MODEL_PATH)
    assert model.right.weights.shape == (len(FEATURES),)
    assert 0.0 < model.answer <= 1.0
    assert shipped_model() is shipped_model()  # read once per process


def test_the_decision_is_deterministic() -> None:
    matcher = shipped_matcher()
    text = "been on aza 3 wks when does it kick in??"
    first = matcher.model.decide(matcher.assess(text).evidence)  # type: ignore[arg-type]
    again = load_model(MODEL_PATH).decide(matcher.assess(text).evidence)  # type: ignore[arg-type]
    assert first == again
    assert matcher.match(text) == matcher.match(text)


def test_a_decision_file_for_other_features_is_refused(tmp_path: Path) -> None:
    raw = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    raw["features"] = raw["features"][:-1]
    path = tmp_path / "decision.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(ValueError, match="refit"):
        load_model(path)


@pytest.mark.parametrize(("text", "entry_id"), UNNAMED)
def test_a_question_naming_no_medicine_that_matches_an_entry_is_answered(text: str, entry_id: str) -> None:
    match = shipped_matcher().match(text)
    assert (match.decision, match.entry_id) == ("answer", entry_id)


def test_the_answer_threshold_comes_from_the_data_file(tmp_path: Path) -> None:
    text, entry_id = UNNAMED[1]
    strict = matcher_with(tmp_path, answer=1.01)
    assert strict.match(text).decision == "fallback"
    lenient = matcher_with(tmp_path, answer=0.0)
    assert (lenient.match(text).decision, lenient.match(text).entry_id) == ("answer", entry_id)


def test_the_learned_decision_never_answers_a_general_question_no_entry_answers() -> None:
    for text in ["what is the capital of france", "how many calories in a banana", "is colitis curable"]:
        assert shipped_matcher().match(text).decision == "fallback", text


def test_another_medicines_own_question_still_falls_back() -> None:
    match = shipped_matcher().match("how do methotrexate injections work")
    assert (match.decision, match.reason, match.entry_id) == ("fallback", "other_medicine", None)


def test_the_learned_decision_alone_decides_every_message_when_asked_to() -> None:
    alone = Matcher(shipped_knowledge(), embedder=shipped_matcher().embedder, learned_only=True)
    match = alone.match("can I take ibuprofen with azathioprine?")
    assert (match.decision, match.entry_id) == ("answer", "drug-interactions")
    assert alone.match("who won the football").decision == "fallback"
    assert alone.match("how do methotrexate injections work").reason == "other_medicine"


async def test_a_question_naming_no_medicine_is_answered_over_telegram(
    server: FakeTelegram, app: Any
) -> None:
    [reply] = await say(server, "can I have a filling")
    text = text_of(reply)
    assert text.startswith("Do I need to stop azathioprine for an operation or dental work?")
    assert "general health question" not in text


async def test_another_medicines_own_question_falls_back_over_telegram(
    server: FakeTelegram, app: Any
) -> None:
    [reply] = await say(server, "how do methotrexate injections work", chat_id=CHAT)
    assert "question about another medicine" in text_of(reply)
