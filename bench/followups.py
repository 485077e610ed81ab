"""Follow-ups: reached / top-1 on tests/data/followups.jsonl read alone and in context, and whether
ordinary questions change when a previous topic is held.

1. Each pair (previous question, follow-up) is scored twice: the follow-up alone (what the bot did
   before it kept a topic) and with the previous question's topic (:mod:`bot.followup`).
2. Every eval set's messages are read after an unrelated previous answer (the next entry's
   canonical question, so the topic is never the message's own) and compared with reading them
   alone: how many replies change, and the usual figures both ways.

Run: ``.venv/bin/python -m bench.followups``.
"""

from __future__ import annotations

import datetime as dtm
import json
from collections.abc import Callable
from pathlib import Path

from bench.matching import SETS
from bot.conversation.answers import respond
from bot.conversation.followup import Topic, respond_in_context
from bot.knowledge.faq import load_knowledge
from bot.matching.evaluation import Example, Report, evaluate, load_examples
from bot.matching.matcher import Matcher
from bot.matching.model import Match
from bot.presentation.reply import Reply
from bot.safety.triage import WarningSigns, detect_warning_signs

ROOT = Path(__file__).resolve().parent.parent
PAIRS = ROOT / "tests" / "data" / "followups.jsonl"
_AT = dtm.datetime(2026, 1, 1, tzinfo=dtm.UTC)


def _as_match(reply: Reply) -> Match:
    decision = reply.decision if reply.decision in ("answer", "suggest", "smalltalk") else "fallback"
    return Match(decision, reply.score, entry_id=reply.entry_id, suggestions=reply.suggestions)  # type: ignore[arg-type]


def _key(match: Match) -> tuple[object, ...]:
    return (match.decision, match.entry_id, match.suggestions)


def _topic(matcher: Matcher, question: str) -> Topic:
    reply = respond(matcher, question)
    assert reply.decision == "answer" and reply.entry_id, f"previous question not answered: {question}"
    return Topic(question, reply.entry_id, _AT)


def pair_figures(matcher: Matcher, rows: list[dict[str, object]], in_context: bool) -> dict[str, int]:
    """Counts over the pairs: follow-ups reached / answered right, stand-alone messages kept right."""
    counts = {"followups": 0, "reached": 0, "top1": 0, "standalone": 0, "standalone_right": 0}
    for row in rows:
        text, ids = str(row["text"]), {str(i) for i in row["ids"]}  # type: ignore[attr-defined]
        topic = _topic(matcher, str(row["previous"])) if in_context else None
        reply = respond_in_context(matcher, text, topic)
        answered = reply.decision == "answer" and reply.entry_id in ids
        offered = reply.decision == "suggest" and bool(ids & set(reply.suggestions))
        if row["kind"] == "followup":
            counts["followups"] += 1
            counts["top1"] += answered
            counts["reached"] += answered or offered
        else:
            counts["standalone"] += 1
            rejected = not ids and reply.decision not in ("answer", "suggest")
            counts["standalone_right"] += answered or rejected
    return counts


def _with_previous(matcher: Matcher, examples: list[Example]) -> Callable[[str], Match]:
    """Each message read after the canonical question of an entry other than its own."""
    entries = matcher.knowledge.entries
    previous: dict[str, Topic] = {}
    for example in examples:
        own = set(example.ids)
        index = (len(previous) * 7) % len(entries)
        while entries[index].id in own:
            index = (index + 1) % len(entries)
        previous[example.text] = Topic(entries[index].question, entries[index].id, _AT)

    def match(text: str) -> Match:
        return _as_match(respond_in_context(matcher, text, previous[text]))

    return match


def row(name: str, report: Report) -> str:
    """One line of figures."""
    return (
        f"{name:34} top-1 {report.top1:6.1%}  reached {report.within_top3:6.1%}  "
        f"wrong {report.confidently_wrong:5.1%}  out-of-scope rejected {report.out_of_scope_rejected:6.1%}"
    )


def main() -> None:
    """Print both measurements."""
    knowledge = load_knowledge(ROOT / "faq").knowledge
    assert knowledge is not None
    matcher = Matcher(knowledge)
    rows = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line.strip()]
    for label, in_context in (("alone (before)", False), ("in context (after)", True)):
        counts = pair_figures(matcher, rows, in_context)
        print(
            f"followups.jsonl {label:19} reached {counts['reached']}/{counts['followups']}, "
            f"top-1 {counts['top1']}/{counts['followups']}; stand-alone messages right "
            f"{counts['standalone_right']}/{counts['standalone']}"
        )

    def detect(text: str) -> WarningSigns | None:
        return detect_warning_signs(text, knowledge.signs)

    def alone(text: str) -> Match:
        return _as_match(respond(matcher, text))

    changed_total = seen = 0
    for path in SETS:
        examples = load_examples(path)
        context = _with_previous(matcher, examples)
        ordinary = [e for e in examples if e.set != "warning"]
        changed = sum(_key(alone(e.text)) != _key(context(e.text)) for e in ordinary)
        changed_total += changed
        seen += len(ordinary)
        print(row(f"{path.stem} alone", evaluate(examples, alone, detect)))
        print(row(f"{path.stem} after another topic", evaluate(examples, context, detect)))
        print(f"  replies changed by the held topic: {changed}/{len(ordinary)}")
    print(f"all sets: replies changed by a held topic {changed_total}/{seen}")


if __name__ == "__main__":
    main()
