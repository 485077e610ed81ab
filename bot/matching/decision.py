"""The learned decision: answer, suggest or fall back, from two calibrated probabilities.

``bot.matching.matcher`` reads a message and measures it (:class:`Evidence`: the best entries' scores and
margins, the classifier's probability, keyword, phrasing and meaning similarities, which medicines
it names, whether its question clauses agree with the leader...). Every feature is about the
*leading candidates*, never about a named entry, so the model still applies when admins edit the
FAQ. Two logistic regressions over those features, fitted by ``bench/decision.py`` on labelled
sets (``tests/data/eval-*.jsonl``), give

- ``p_right``: the probability that the leading entry is a right answer, and
- ``p_scope``: the probability that the message is in scope at all;

and thresholds on them, chosen on sets not used for fitting, decide: answer when ``p_right``
clears ``answer``, otherwise suggest when ``p_scope`` clears ``suggest``, otherwise fall back.

The weights and thresholds ship in ``bot/matching/decision.json`` (a few kilobytes, read once, offline).
It lives beside the code rather than in ``faq/`` because it belongs to the feature definitions
below, not to the content admins edit; refit it with ``python -m bench.decision --write`` after
changing the features or the signals.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path

import numpy as np

#: The shipped model: weights of both regressions, feature scaling and the two thresholds.
MODEL_PATH = Path(__file__).with_name("decision.json")


@dataclass(frozen=True)
class Evidence:
    """What the matcher measured of one message and its leading entries (0-1 unless noted)."""

    best: float  #: the leader's combined score / 100
    lead: float  #: its lead over the second entry / 100
    lead3: float  #: its lead over the third entry / 100
    lead_past_background: float  #: its lead over the best entry not lifted by background / 100
    base: float  #: the best score before the classifier / 100 (how in scope the words are)
    classifier: float  #: the classifier's probability for the leader
    classifier_lead: float  #: ...minus its probability for the runner-up
    keywords: float  #: the leader's keyword evidence
    keywords_max: float  #: the best keyword evidence of any entry
    closest: float  #: the leader's closest phrasing's meaning (cosine)
    centre: float  #: the leader's centre of meaning (cosine)
    phrasing: float  #: the leader's best fuzzy phrasing ratio
    own: bool  #: names our medicine
    explicit: bool  #: names it or points at it by more than a bare "it"
    refers: bool  #: points at a medicine ("it", "my tablets")
    another_only: bool  #: names another medicine and not ours
    other_question: bool  #: ...and nothing points at ours: that medicine's own question
    practical: bool  #: prescriptions, appointments, costs
    animal: bool  #: a pet
    child: bool  #: names a child
    general: bool  #: opens like a general health question and names no medicine or person
    personal: bool  #: names the writer or someone they care for ("can I", "my son")
    permission: bool  #: asks whether one may ("is the flu jab ok", "can I have a filling")
    needs_medicine: bool  #: the leader answers only when the medicine is meant
    condition_leader: bool  #: the leader is a condition's entry
    doubt: bool  #: read without its condition, the message points about as well elsewhere
    settled: bool  #: a ``wins_when`` phrase chose an entry other than the leader
    asked: bool  #: the message's question clause chose an entry other than a leader from context
    clauses_agree: bool  #: a question clause clearly names the leader
    clauses_differ: bool  #: a question clause clearly names another entry
    lone_agrees: bool  #: a long message's one question names the leader
    lone_differs: bool  #: ...or another entry
    words: float  #: log(1 + words in the message)


#: The model's inputs, in order: every field of :class:`Evidence`, then a few interactions a
#: linear model cannot form itself.
FEATURES: tuple[str, ...] = (
    *(f.name for f in fields(Evidence)),
    "unnamed",  # names no medicine and points at none
    "unnamed_needs_medicine",
    "unnamed_personal",
    "unnamed_permission",
    "best_x_lead",
    "explicit_x_lead",
)


def vector(evidence: Evidence) -> np.ndarray:
    """The feature vector of ``evidence`` (order: :data:`FEATURES`)."""
    raw = [float(getattr(evidence, f.name)) for f in fields(Evidence)]
    unnamed = not (evidence.own or evidence.refers or evidence.another_only)
    raw += [
        float(unnamed),
        float(unnamed and evidence.needs_medicine),
        float(unnamed and evidence.personal),
        float(unnamed and evidence.permission),
        evidence.best * evidence.lead * 10.0,
        float(evidence.explicit) * evidence.lead,
    ]
    return np.array(raw, dtype=np.float64)


def word_feature(words: int) -> float:
    """The message-length feature: log(1 + words)."""
    return math.log1p(words)


@dataclass(frozen=True)
class Logistic:
    """One logistic regression over standardised features."""

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float

    def probability(self, x: np.ndarray) -> float:
        z = float(((x - self.mean) / self.scale) @ self.weights) + self.bias
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def as_dict(self) -> dict[str, object]:
        return {
            "mean": [round(float(v), 6) for v in self.mean],
            "scale": [round(float(v), 6) for v in self.scale],
            "weights": [round(float(v), 6) for v in self.weights],
            "bias": round(self.bias, 6),
        }

    @classmethod
    def from_dict(cls, raw: dict[str, object], size: int) -> Logistic:
        parts = [np.array(raw[key], dtype=np.float64) for key in ("mean", "scale", "weights")]
        if any(part.shape != (size,) for part in parts):
            raise ValueError(f"decision model: expected {size} features")
        bias = raw["bias"]
        if not isinstance(bias, int | float):
            raise ValueError("decision model: bias must be a number")
        return cls(parts[0], parts[1], parts[2], float(bias))


@dataclass(frozen=True)
class Verdict:
    """Both probabilities for one message and what they decide."""

    p_right: float
    p_scope: float
    decision: str  #: "answer", "suggest" or "fallback"


@dataclass(frozen=True)
class DecisionModel:
    """The two regressions and the thresholds that turn their probabilities into a decision."""

    right: Logistic
    scope: Logistic
    answer: float  #: ``p_right`` at or above which the leader is answered
    suggest: float  #: ``p_scope`` at or above which the leaders are offered
    #: The same two thresholds when the learned decision decides every message alone
    #: (``Matcher(learned_only=True)``), chosen the same way.
    alone: tuple[float, float] = (0.5, 0.5)

    def decide(self, evidence: Evidence, alone: bool = False) -> Verdict:
        x = vector(evidence)
        p_right = self.right.probability(x)
        p_scope = self.scope.probability(x)
        answer, suggest = self.alone if alone else (self.answer, self.suggest)
        if p_right >= answer:
            return Verdict(p_right, p_scope, "answer")
        return Verdict(p_right, p_scope, "suggest" if p_scope >= suggest else "fallback")

    def as_dict(self) -> dict[str, object]:
        return {
            "features": list(FEATURES),
            "thresholds": {"answer": self.answer, "suggest": self.suggest},
            "alone": {"answer": self.alone[0], "suggest": self.alone[1]},
            "right": self.right.as_dict(),
            "scope": self.scope.as_dict(),
        }

    @classmethod
    def from_dict(cls, raw: dict[str, object]) -> DecisionModel:
        if raw.get("features") != list(FEATURES):
            raise ValueError("decision model: its features are not this code's; refit it (bench.decision)")
        thresholds, alone = raw["thresholds"], raw["alone"]
        right, scope = raw["right"], raw["scope"]
        if not all(isinstance(part, dict) for part in (thresholds, alone, right, scope)):
            raise ValueError("decision model: malformed")
        assert isinstance(thresholds, dict) and isinstance(alone, dict)
        assert isinstance(right, dict) and isinstance(scope, dict)
        size = len(FEATURES)
        return cls(
            Logistic.from_dict(right, size),
            Logistic.from_dict(scope, size),
            float(thresholds["answer"]),
            float(thresholds["suggest"]),
            (float(alone["answer"]), float(alone["suggest"])),
        )


def load_model(path: Path) -> DecisionModel:
    """Read a decision model file (ValueError when it does not fit this code)."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise ValueError("decision model: malformed")
    return DecisionModel.from_dict(raw)


@cache
def shipped_model() -> DecisionModel:
    """The model in ``bot/matching/decision.json``, read once per process."""
    return load_model(MODEL_PATH)
