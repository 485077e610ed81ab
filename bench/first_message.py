"""First-message length: how much a patient reads before the buttons, on every evaluation question.

The text is the first message's text as a patient sees it (``azabot ask --json``'s ``reply``
without its numbered choices: in Telegram the buttons are a keyboard under the text, not text):
its length in characters, for answers that lead with no urgent advice (those
are the ones a short answer serves; urgent, crisis and overdose replies are never shortened).
Target (issue 22): one phone screen, at most 700 characters.

Run: ``.venv/bin/python -m bench.first_message``.
"""

from __future__ import annotations

import statistics
from pathlib import Path

from bot.conversation.answers import respond
from bot.knowledge.faq import load_knowledge
from bot.matching.evaluation import load_examples
from bot.matching.matcher import Matcher
from bot.presentation.reply import render_text

ROOT = Path(__file__).resolve().parent.parent
SCREEN = 700


def main() -> None:
    result = load_knowledge(ROOT / "faq")
    assert result.knowledge is not None, result.problems
    matcher = Matcher(result.knowledge)
    sizes: dict[str, list[int]] = {}
    for path in sorted((ROOT / "tests" / "data").glob("eval-*.jsonl")):
        for example in load_examples(path):
            if example.set == "warning":
                continue
            reply = respond(matcher, example.text)
            kind = "urgent" if reply.urgency else reply.decision
            sizes.setdefault(kind, []).append(len(render_text(reply, numbered_buttons=False)))
    print("# First message of a reply, characters (eval-* in- and out-of-scope questions)\n")
    print(f"| reply | count | median | p90 | max | within {SCREEN} |")
    print("|---|---|---|---|---|---|")
    for kind, values in sorted(sizes.items()):
        values.sort()
        p90 = values[int(0.9 * (len(values) - 1))]
        within = sum(v <= SCREEN for v in values) / len(values)
        median = statistics.median(values)
        print(f"| {kind} | {len(values)} | {median:.0f} | {p90} | {values[-1]} | {within:.0%} |")


if __name__ == "__main__":
    main()
