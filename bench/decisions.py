"""The decision three ways on chosen sets, figures only: the hand rules alone, the learned decision
alone, and what ships (the rules, then the learned decision for what they turn away as general).

Never prints a message, so it may be run on sets nobody reads (``eval-realposts-sealed``,
``eval-eleventh``).

Run: ``.venv/bin/python -m bench.decisions eval-realposts-sealed eval-eleventh``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.knowledge.faq import load_knowledge
from bot.matching.evaluation import evaluate_matcher, load_examples
from bot.matching.matcher import Matcher
from bot.matching.model import Match

ROOT = Path(__file__).resolve().parent.parent


class RulesOnly(Matcher):
    """The matcher with the hand rules deciding alone (small talk and about-the-bot first, as shipped)."""

    def match(self, text: str) -> Match:
        small = self.smalltalk_for(text)
        if small is not None:
            return Match("smalltalk", 100.0, smalltalk=small)
        about = self.about_self(text)
        return about if about is not None else self.rules(text)


def main(names: list[str]) -> None:
    result = load_knowledge(ROOT / "faq")
    assert result.knowledge is not None, result.problems
    shipped = Matcher(result.knowledge)
    variants = (
        ("hand rules", RulesOnly(result.knowledge, embedder=shipped.embedder)),
        ("learned only", Matcher(result.knowledge, learned_only=True, embedder=shipped.embedder)),
        ("shipped", shipped),
    )
    print("| set | decision | top-1 | reached | confidently wrong | out of scope rejected |")
    print("|---|---|---|---|---|---|")
    for name in names:
        examples = load_examples(ROOT / "tests" / "data" / f"{name}.jsonl")
        for label, matcher in variants:
            r = evaluate_matcher(examples, matcher)
            print(
                f"| {name} | {label} | {r.top1:.1%} | {r.within_top3:.1%} | "
                f"{r.confidently_wrong:.1%} | {r.out_of_scope_rejected:.1%} |"
            )


if __name__ == "__main__":
    main(sys.argv[1:] or ["eval-realposts-sealed", "eval-realposts-dev", "eval-eleventh", "eval-seventeenth"])
