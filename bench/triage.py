"""Triage benchmark: recall and false alarms per level, beside a naive baseline, and latency.

Sets: the real-wording safety sets (``tests/data/safety-real-*.jsonl``: crisis, emergency and
same-day messages and look-alikes, each with its source) and the warning-sign items of the older
``eval-*.jsonl`` sets (urgent or not, no level). The newest ``safety-real-sealed*`` set is never
read by the people who write the signs: only its figures are printed, never its messages (older
sealed sets were read after their first measurement; ``docs/triage.md`` says which).

The baseline is what a keyword bot does: any sign's words anywhere in the message, no context
(negation, past, hypothetical, someone else). It shows what the context machinery buys.

Run: ``.venv/bin/python -m bench.triage`` (or ``make bench``).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

from bot.knowledge.faq import load_knowledge
from bot.knowledge.signs import RANK, SignBook
from bot.knowledge.textnorm import fold
from bot.matching.evaluation import Example, is_recalled, load_examples
from bot.safety.triage import WarningSigns, detect_warning_signs, shows_distress

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
REAL_SETS = sorted(DATA.glob("safety-real-*.jsonl"))
OLD_SETS = sorted(DATA.glob("eval-*.jsonl"))

Detector = Callable[[str], WarningSigns | None]


def keyword_baseline(book: SignBook) -> Detector:
    """Any sign's words anywhere in the message: the most urgent level found, no context."""

    def detect(text: str) -> WarningSigns | None:
        folded = fold(text)
        found = [s for s in book.signs if any(p.search(folded) for p in s.patterns)]
        return WarningSigns(tuple(sorted(found, key=lambda s: -RANK[s.level]))) if found else None

    return detect


def figures(examples: list[Example], detect: Detector) -> str:
    """One table row: per-level recall, all-urgent recall, false alarms."""
    warning = [e for e in examples if e.set == "warning"]
    cells: list[str] = []
    for level in ("crisis", "emergency", "same-day"):
        wanted = [e for e in warning if e.urgency == level]
        hits = sum(1 for e in wanted if is_recalled(e, detect(e.text)))
        cells.append(f"{hits}/{len(wanted)}" if wanted else "-")
    urgent = [e for e in warning if e.urgent]
    calm = [e for e in warning if not e.urgent]
    recalled = sum(1 for e in urgent if is_recalled(e, detect(e.text)))
    alarms = sum(1 for e in calm if detect(e.text) is not None)
    cells.append(f"{recalled / len(urgent):.3f}" if urgent else "-")
    cells.append(f"{alarms / len(calm):.3f} ({alarms}/{len(calm)})" if calm else "-")
    return " | ".join(cells)


def support_row(examples: list[Example], book: SignBook) -> str:
    """Crisis messages shown the crisis line at all (crisis advice, or the distress line), and
    look-alikes given the distress line."""
    crisis = [e for e in examples if e.urgency == "crisis"]
    shown = sum(
        1
        for e in crisis
        if ((f := detect_warning_signs(e.text, book)) is not None and f.level == "crisis")
        or shows_distress(e.text, book)
    )
    calm = [e for e in examples if e.set == "warning" and not e.urgent]
    lines = sum(1 for e in calm if shows_distress(e.text, book))
    return f"{shown}/{len(crisis)} | {lines}/{len(calm)}"


def main() -> None:
    result = load_knowledge(ROOT / "faq")
    assert result.knowledge is not None, result.problems
    book = result.knowledge.signs
    ours: Detector = lambda text: detect_warning_signs(text, book)  # noqa: E731
    naive = keyword_baseline(book)
    print("# Triage benchmark\n")
    print("| set / detector | crisis | emergency | same-day | urgent recall | false alarms |")
    print("|---|---|---|---|---|---|")
    for path in REAL_SETS:
        examples = load_examples(path)
        print(f"| {path.stem}: azabot | {figures(examples, ours)} |")
        print(f"| {path.stem}: keyword baseline | {figures(examples, naive)} |")
    print(
        "\n| set | crisis messages shown the crisis line (advice or distress line) "
        "| look-alikes given the distress line |"
    )
    print("|---|---|---|")
    for path in REAL_SETS:
        print(f"| {path.stem} | {support_row(load_examples(path), book)} |")
    print()
    older = [e for path in OLD_SETS for e in load_examples(path)]
    print(f"| eval-* warning items ({len(OLD_SETS)} sets): azabot | {figures(older, ours)} |")
    print(f"| eval-* warning items: keyword baseline | {figures(older, naive)} |")
    ordinary = [e.text for e in older if e.set != "warning"]
    flagged = sum(1 for text in ordinary if ours(text) is not None)
    print(f"\nUrgent advice on ordinary questions (eval-* in and out of scope): {flagged}/{len(ordinary)}")
    supported = sum(1 for text in ordinary if shows_distress(text, book))
    print(f"Distress line on ordinary questions: {supported}/{len(ordinary)}")
    texts = [e.text for path in [*REAL_SETS, *OLD_SETS] for e in load_examples(path)]
    for name, detect in (("azabot", ours), ("keyword baseline", naive)):
        times = []
        for text in texts:
            started = time.perf_counter()
            detect(text)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        print(
            f"{name}: median {statistics.median(times):.3f} ms, "
            f"p99 {times[int(len(times) * 0.99)]:.3f} ms per message"
        )


if __name__ == "__main__":
    main()
