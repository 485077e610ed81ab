"""The classifier learned from the FAQ's phrasings."""

from __future__ import annotations

import numpy as np
import pytest

from bot.matching import matcher as matching
from bot.matching.learned import train
from bot.matching.matcher import Matcher
from tests.shipped import shipped_knowledge, shipped_matcher


def unit(rows: np.ndarray) -> np.ndarray:
    result: np.ndarray = rows / np.linalg.norm(rows, axis=1, keepdims=True)
    return result


def test_it_learns_which_direction_belongs_to_which_entry() -> None:
    rng = np.random.default_rng(3)
    centres = unit(rng.normal(size=(3, 16)))
    labels = np.repeat(np.arange(3), 20)
    vectors = unit(centres[labels] + 0.3 * rng.normal(size=(60, 16)))
    classifier = train(vectors, labels, 3)
    for label, centre in enumerate(centres):
        probabilities = classifier.probabilities(centre)
        assert int(probabilities.argmax()) == label
        assert probabilities.sum() == pytest.approx(1.0)


def test_the_shipped_faq_gets_a_classifier_that_knows_its_own_phrasings() -> None:
    matcher = shipped_matcher()
    entry = shipped_knowledge().entries[0]
    assert matcher._meaning.classifier is not None
    vector = matcher.embedder.embed([" ".join(matcher.normaliser.words(entry.phrasings[0]))])[0]
    assert int(matcher._meaning.classifier.probabilities(vector).argmax()) == 0


def test_a_faq_too_big_to_train_at_each_reload_goes_without(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(matching, "LEARNED_MAX_ENTRIES", 10)
    matcher = Matcher(shipped_knowledge(), embedder=shipped_matcher().embedder)
    assert matcher._meaning.classifier is None
    assert matcher.match("can i drink on imuran?").entry_id == "alcohol"
