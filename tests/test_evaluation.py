"""Accuracy floors on the evaluation sets, set just under what was measured, so regressions fail.

Measured with `azabot eval tests/data/eval-<name>.jsonl` (see docs/evaluation.md).
The dev set was used to choose weights and thresholds; the held-out set, written by a different
author, was measured (and informed one decision); the fresh set, by a third author, was measured
and then used to fix warning-sign and out-of-scope weaknesses; the unseen set, by a fourth
author blind to the FAQ, the matcher and the other sets, was measured before and after this
session's changes (one warning-sign fix, "yrs ago", came after); the blind set, by a fifth
author who saw only the topic ids, was measured once before the next session's changes and
then its misses were read; the final set, by a sixth author like the fifth, was measured once
after that session's matching changes, and then only its warning-sign misses were read (its
matching misses were read in the next session); the sealed set, by a seventh author like the
fifth, was measured once after most of that next session's changes, and then its misses were
read; the closing set, by an eighth author like the fifth, was measured once after all of that
session's matching changes, and then only its warning-sign misses were read; the untouched, last
and eleventh sets, by three more authors like the fifth, were each measured once in the fifth
session (untouched and last then read and acted on; eleventh, measured after all that session's
changes, not read); the twelfth set, by another author like the fifth, was committed before it
was measured, measured once after the sixth session's matching changes, then read and acted on.
All were written without seeing the FAQ's phrasings.
"""

from __future__ import annotations

from functools import cache

import pytest

from bot.knowledge.textnorm import fold
from bot.matching.evaluation import Report, evaluate_matcher, load_examples
from tests.shipped import DATA_DIR, shipped_knowledge, shipped_matcher

FLOORS = {
    # name: (top1, within_top3, max_confidently_wrong, oos_rejected, urgent_recall, max_false_alarms)
    "eval-dev": (0.91, 0.97, 0.02, 0.98, 0.95, 0.05),
    "eval-holdout": (0.79, 0.93, 0.02, 0.96, 0.95, 0.10),
    # 2 of fresh's 15 calm messages: "yellow eyes, is that one of the things to look out for?" is
    # the price of reading "I have a fever, is it a side effect?" part by part (see bot/safety/triage.py).
    "eval-fresh": (0.79, 0.94, 0.02, 0.95, 0.95, 0.14),
    "eval-unseen": (0.89, 0.94, 0.03, 0.94, 0.95, 0.15),
    "eval-blind": (0.87, 0.94, 0.02, 0.94, 0.95, 0.10),
    "eval-final": (0.90, 0.95, 0.03, 0.94, 0.95, 0.10),
    "eval-sealed": (0.90, 0.97, 0.02, 0.95, 0.95, 0.10),
    "eval-closing": (0.90, 0.95, 0.03, 0.95, 0.95, 0.10),
    "eval-untouched": (0.81, 0.91, 0.04, 0.95, 0.95, 0.10),
    "eval-last": (0.80, 0.92, 0.03, 0.93, 0.95, 0.10),
    "eval-eleventh": (0.85, 0.95, 0.01, 0.90, 0.95, 0.18),
    # First measured at 80.0 / 92.0 / 3.3 / 86.7 / 95.7 / 13.6, then read (see docs/evaluation.md).
    "eval-twelfth": (0.79, 0.91, 0.04, 0.85, 0.95, 0.18),
    # First measured at 77.3 / 91.3 / 2.7 / 85.0 / 100 / 22.7, then read (see docs/evaluation.md).
    "eval-thirteenth": (0.76, 0.91, 0.03, 0.91, 0.95, 0.10),
    # First measured at 83.3 / 95.3 / 1.3 / 100 / 95.7 / 13.6, then read (see docs/evaluation.md).
    "eval-fourteenth": (0.82, 0.94, 0.02, 0.97, 0.95, 0.10),
    # First measured at 93.3 / 97.3 / 0.7 / 100 / 95.7 / 22.7, then read (see docs/evaluation.md).
    "eval-fifteenth": (0.91, 0.95, 0.02, 0.97, 0.95, 0.10),
    # First measured at 84.0 / 94.0 / 0.7 / 96.7 / 90.9 / 21.7, then read (see docs/evaluation.md).
    "eval-sixteenth": (0.82, 0.92, 0.02, 0.95, 0.95, 0.10),
    # First measured at 88.0 / 94.0 / 4.0 / 95.0 / 100 / 8.7, then read (see docs/evaluation.md).
    "eval-seventeenth": (0.88, 0.94, 0.03, 0.93, 0.95, 0.10),
}


@cache
def report(name: str) -> Report:
    return evaluate_matcher(load_examples(DATA_DIR / f"{name}.jsonl"), shipped_matcher())


@pytest.mark.parametrize("name", list(FLOORS))
def test_accuracy_stays_above_the_measured_floors(name: str) -> None:
    top1, top3, wrong, rejected, recall, alarms = FLOORS[name]
    figures = report(name)
    assert figures.top1 >= top1
    assert figures.within_top3 >= top3
    assert figures.confidently_wrong <= wrong
    assert figures.out_of_scope_rejected >= rejected
    assert figures.urgent_recall >= recall
    assert figures.false_alarms <= alarms


@pytest.mark.parametrize("name", list(FLOORS))
def test_evaluation_sets_are_big_enough(name: str) -> None:
    counts = report(name).counts
    assert counts["in_scope"] >= 125 and counts["out_of_scope"] >= 40 and counts["warning"] >= 30


def test_evaluation_messages_were_not_copied_into_the_faq() -> None:
    # Short plain questions ("how common is pancreatitis with azathioprine") can coincide with a
    # phrasing by nature; a long message never could, and coincidences must stay rare. The final
    # set's author, who saw nothing of the FAQ, wrote the warning-signs entry's own question
    # (11 words), which the FAQ had long before the set was written. The sealed set's author, also
    # blind to the FAQ, wrote 12 plain questions of 3-8 words ("does azathioprine cause cancer")
    # that the FAQ already had at 98b0319, before the set existed: 4.7% of its messages.
    phrasings = {fold(p) for e in shipped_knowledge().entries for p in (e.question, *e.phrasings)}
    for name in FLOORS:
        texts = [fold(example.text) for example in load_examples(DATA_DIR / f"{name}.jsonl")]
        same = [text for text in texts if text in phrasings]
        assert all(len(text.split()) <= 11 for text in same), same
        assert len(same) <= 0.05 * len(texts), same


def test_every_labelled_id_exists_in_the_faq() -> None:
    kb = shipped_knowledge()
    for name in FLOORS:
        for example in load_examples(DATA_DIR / f"{name}.jsonl"):
            assert all(kb.get(i) for i in example.ids), example.text
