"""Measuring the matcher and the warning-sign detector on a labelled set of messages.

The set is JSON Lines, one message a line::

    {"text": "...", "set": "in_scope" | "out_of_scope" | "warning", "ids": [...], "urgent": bool,
     "urgency": "crisis" | "emergency" | "same-day" | null}

``ids`` lists every acceptable entry id (empty for out-of-scope messages). ``urgency`` (optional)
is the level the message needs; older sets give only ``urgent``. A crisis is recalled only by
crisis advice, an emergency by emergency or crisis advice (both lead with the emergency number),
a same-day sign by any urgent advice. Other keys (``source``, ``note``...) are kept for people.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.knowledge.signs import LEVELS
from bot.matching.matcher import Matcher
from bot.matching.model import Match
from bot.safety.triage import WarningSigns, detect_warning_signs

SETS = ("in_scope", "out_of_scope", "warning")


@dataclass(frozen=True)
class Example:
    """One labelled message."""

    text: str
    set: str
    ids: tuple[str, ...]
    urgent: bool
    urgency: str | None = None


@dataclass
class Report:
    """Accuracy figures (shares 0-1) and the messages that missed."""

    counts: dict[str, int]
    top1: float
    within_top3: float
    confidently_wrong: float
    out_of_scope_rejected: float
    urgent_recall: float
    false_alarms: float
    ordinary_alarms: float = 0.0  #: share of in-scope and out-of-scope messages flagged urgent
    #: Per level the message needs: how many there were and how many got that advice.
    levels: dict[str, dict[str, int]] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """The figures without the misses (for JSON output and benchmarks)."""
        return {
            "counts": self.counts,
            "top1": self.top1,
            "within_top3": self.within_top3,
            "confidently_wrong": self.confidently_wrong,
            "out_of_scope_rejected": self.out_of_scope_rejected,
            "urgent_recall": self.urgent_recall,
            "false_alarms": self.false_alarms,
            "ordinary_alarms": self.ordinary_alarms,
            "levels": self.levels,
        }

    def summary_lines(self) -> list[str]:
        """Human-readable figures, one per line."""
        c = self.counts
        return [
            f"messages: {c['in_scope']} in scope, {c['out_of_scope']} out of scope, "
            f"{c['warning']} warning-sign",
            f"top-1 accuracy (answered correctly at once): {self.top1:.1%}",
            f"answered or suggested correctly (top 3):     {self.within_top3:.1%}",
            f"confidently wrong (answered a wrong entry):  {self.confidently_wrong:.1%}",
            f"out-of-scope rejected:                       {self.out_of_scope_rejected:.1%}",
            f"urgent recall:                               {self.urgent_recall:.1%}",
            f"urgent false alarms (warning-sign set):      {self.false_alarms:.1%}",
            f"urgent flags on ordinary questions:          {self.ordinary_alarms:.1%}",
            *(
                f"  {level} recall: {row['recalled']}/{row['total']}"
                f" ({_share(row['recalled'], row['total']):.1%})"
                for level, row in self.levels.items()
            ),
        ]


def load_examples(path: Path) -> list[Example]:
    """Read a JSON Lines evaluation file; a malformed line raises ValueError naming its line."""
    examples: list[Example] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            example = Example(
                text=str(raw["text"]),
                set=str(raw["set"]),
                ids=tuple(raw.get("ids", ())),
                urgent=bool(raw.get("urgent", False)),
                urgency=_urgency(raw.get("urgency"), number),
            )
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: not a valid example ({exc})") from None
        if example.set not in SETS:
            raise ValueError(f"{path}:{number}: set must be one of {', '.join(SETS)}")
        examples.append(example)
    return examples


def _urgency(value: object, line: int) -> str | None:
    if value is None or value in LEVELS:
        return value
    raise ValueError(f"line {line}: 'urgency' must be one of {', '.join(LEVELS)} or null")


#: Which advice recalls a message that needs each level.
RECALLED_BY: dict[str, set[str]] = {
    "crisis": {"crisis"},
    "emergency": {"emergency", "crisis"},
    "same-day": set(LEVELS),
}


def is_recalled(example: Example, found: WarningSigns | None) -> bool:
    """Whether the advice ``found`` is what an urgent ``example`` needs (any advice, for old sets)."""
    if found is None:
        return False
    return example.urgency is None or found.level in RECALLED_BY[example.urgency]


def _share(hits: int, total: int) -> float:
    return hits / total if total else 0.0


def evaluate(
    examples: Iterable[Example],
    match: Callable[[str], Match],
    detect: Callable[[str], WarningSigns | None],
) -> Report:
    """Run every example through ``match`` and ``detect`` and compute the figures."""
    counts = dict.fromkeys(SETS, 0)
    top1 = top3 = wrong = rejected = urgent_hits = urgent_total = alarms = calm_total = 0
    ordinary_flags = 0
    misses: list[str] = []
    levels: dict[str, dict[str, int]] = {}
    for example in examples:
        counts[example.set] += 1
        found = detect(example.text)
        urgent = found is not None
        if example.set == "warning":
            if example.urgent:
                urgent_total += 1
                recalled = is_recalled(example, found)
                urgent_hits += recalled
                if example.urgency is not None:
                    row = levels.setdefault(example.urgency, {"total": 0, "recalled": 0})
                    row["total"] += 1
                    row["recalled"] += recalled
                if not recalled:
                    got = found.level if found else "nothing"
                    misses.append(f"urgent missed ({example.urgency or 'urgent'}, got {got}): {example.text}")
            else:
                calm_total += 1
                alarms += urgent
                if urgent:
                    misses.append(f"false alarm: {example.text}")
            continue
        if urgent:
            ordinary_flags += 1
            misses.append(f"urgent flag on an ordinary question: {example.text}")
        result = match(example.text)
        if example.set == "out_of_scope":
            if result.decision in ("fallback", "smalltalk", "about"):
                rejected += 1
            else:
                shown = result.entry_id or ",".join(result.suggestions)
                misses.append(f"not rejected ({result.decision} {shown}): {example.text}")
            continue
        accepted = set(example.ids)
        if result.decision == "answer" and result.entry_id in accepted:
            top1 += 1
            top3 += 1
        elif result.decision == "answer":
            wrong += 1
            misses.append(f"WRONG answer {result.entry_id} (want {'/'.join(example.ids)}): {example.text}")
        elif result.decision == "suggest" and accepted & set(result.suggestions):
            top3 += 1
            misses.append(f"suggested ({'/'.join(example.ids)}): {example.text}")
        else:
            shown = ",".join(result.suggestions) or "-"
            misses.append(
                f"missed {result.decision} [{shown}] (want {'/'.join(example.ids)}): {example.text}"
            )
    in_scope = counts["in_scope"]
    return Report(
        counts=counts,
        top1=_share(top1, in_scope),
        within_top3=_share(top3, in_scope),
        confidently_wrong=_share(wrong, in_scope),
        out_of_scope_rejected=_share(rejected, counts["out_of_scope"]),
        urgent_recall=_share(urgent_hits, urgent_total),
        false_alarms=_share(alarms, calm_total),
        ordinary_alarms=_share(ordinary_flags, counts["in_scope"] + counts["out_of_scope"]),
        levels={level: levels[level] for level in LEVELS if level in levels},
        misses=misses,
    )


def evaluate_matcher(examples: Iterable[Example], matcher: Matcher) -> Report:
    """Evaluate the project's matcher and warning-sign detector."""
    signs = matcher.knowledge.signs
    return evaluate(examples, matcher.match, lambda text: detect_warning_signs(text, signs))
