"""Matching benchmark: latency on the shipped FAQ and a synthetic 2,000-entry FAQ, and accuracy,
each next to a naive baseline measured in the same run.

The baseline is what a typical FAQ bot does: ``rapidfuzz.process.extractOne`` over the canonical
questions with ``WRatio`` and ``utils.default_process``, answering when the score is >= 80.

Run: ``.venv/bin/python -m bench.matching`` (or ``make bench``).
"""

from __future__ import annotations

import dataclasses
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from rapidfuzz import fuzz, process, utils

from bot.knowledge.faq import load_knowledge
from bot.knowledge.schema import Entry, KnowledgeBase
from bot.matching.evaluation import Report, evaluate, evaluate_matcher, load_examples
from bot.matching.matcher import Matcher
from bot.matching.model import Match
from bot.safety.triage import detect_warning_signs

ROOT = Path(__file__).resolve().parent.parent
SET_NAMES = (
    "dev",
    "holdout",
    "fresh",
    "unseen",
    "blind",
    "final",
    "sealed",
    "closing",
    "untouched",
    "last",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
)
SETS = [ROOT / "tests" / "data" / f"eval-{name}.jsonl" for name in SET_NAMES]


def naive_matcher(knowledge: KnowledgeBase) -> Callable[[str], Match]:
    """extractOne + WRatio + default_process over canonical questions, threshold 80."""
    questions = [entry.question for entry in knowledge.entries]
    ids = [entry.id for entry in knowledge.entries]

    def match(text: str) -> Match:
        found = process.extractOne(
            text, questions, scorer=fuzz.WRatio, processor=utils.default_process, score_cutoff=80
        )
        if found is None:
            return Match("fallback", 0.0)
        return Match("answer", float(found[1]), entry_id=ids[found[2]])

    return match


def latency_ms(match: Callable[[str], object], questions: list[str], rounds: int = 3) -> tuple[float, float]:
    """Median and p99 of per-question wall time, in milliseconds."""
    for question in questions[:20]:  # warm caches (spelling corrections, numpy)
        match(question)
    timings: list[float] = []
    for _ in range(rounds):
        for question in questions:
            start = time.perf_counter()
            match(question)
            timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.99) - 1]


def synthetic_faq(knowledge: KnowledgeBase, size: int, seed: int = 7) -> KnowledgeBase:
    """A FAQ of ``size`` entries whose phrasings recombine words of the real ones."""
    rng = random.Random(seed)
    words = [w for e in knowledge.entries for p in e.phrasings for w in p.split()]
    entries: list[Entry] = []
    for n in range(size):
        template = knowledge.entries[n % len(knowledge.entries)]
        phrasings = tuple(" ".join(rng.choices(words, k=rng.randint(4, 10))) for _ in range(16))
        entries.append(dataclasses.replace(template, id=f"synthetic-{n}", phrasings=phrasings, related=()))
    return dataclasses.replace(knowledge, entries=tuple(entries))


def row(name: str, report: Report) -> str:
    return (
        f"| {name} | {report.top1:.1%} | {report.within_top3:.1%} | {report.confidently_wrong:.1%} "
        f"| {report.out_of_scope_rejected:.1%} | {report.urgent_recall:.1%} | {report.false_alarms:.1%} |"
    )


def main() -> None:
    """Print the benchmark tables (Markdown)."""
    result = load_knowledge(ROOT / "faq")
    assert result.knowledge is not None, result.problems
    knowledge = result.knowledge
    started = time.perf_counter()
    matcher = Matcher(knowledge)
    build_s = time.perf_counter() - started
    naive = naive_matcher(knowledge)

    questions = [example.text for path in SETS for example in load_examples(path)]
    print(f"# Matching benchmark ({len(questions)} questions, {len(knowledge.entries)} entries)\n")
    print(f"Matcher build (incl. embedding model load): {build_s:.2f} s\n")
    print("| latency per question | median ms | p99 ms |")
    print("|---|---|---|")
    for name, fn in [
        (
            "azabot matcher + warning signs, shipped FAQ",
            lambda q: (detect_warning_signs(q, matcher.knowledge.signs), matcher.match(q)),
        ),
        ("naive baseline, shipped FAQ", naive),
    ]:
        median, p99 = latency_ms(fn, questions)
        print(f"| {name} | {median:.3f} | {p99:.3f} |")
    big = synthetic_faq(knowledge, 2000)
    started = time.perf_counter()
    big_matcher = Matcher(big)
    big_build = time.perf_counter() - started
    big_naive = naive_matcher(big)
    for name, fn in [
        ("azabot matcher, 2,000-entry synthetic FAQ", big_matcher.match),
        ("naive baseline, 2,000-entry synthetic FAQ", big_naive),
    ]:
        median, p99 = latency_ms(fn, questions, rounds=1)
        print(f"| {name} | {median:.3f} | {p99:.3f} |")
    print(f"\n(2,000-entry matcher build: {big_build:.2f} s)\n")

    print(
        "| set / matcher | top-1 | answered or suggested correctly (top 3) | confidently wrong "
        "| out-of-scope rejected | urgent recall | urgent false alarms |"
    )
    print("|---|---|---|---|---|---|---|")
    for path in SETS:
        examples = load_examples(path)
        print(row(f"{path.stem}: azabot", evaluate_matcher(examples, matcher)))
        print(row(f"{path.stem}: naive baseline", evaluate(examples, naive, detect=lambda _: None)))


if __name__ == "__main__":
    main()
