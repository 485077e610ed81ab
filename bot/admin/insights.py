"""What the clinic team learns from the bot, free of Telegram: statistics, feedback, unanswered questions.

Nothing here knows who asked: the storage keeps counts and question texts without user or chat ids
(see :mod:`bot.storage.store`). This module defines the figures, groups similar unanswered questions
with rapidfuzz, and writes the ``/stats`` and ``/unanswered`` replies that both Telegram and the
``azabot stats`` / ``azabot unanswered`` commands show.
"""

from __future__ import annotations

import datetime as dtm
from collections import Counter, OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.knowledge.textnorm import fold, one_line
from bot.presentation.reply import Button, Paragraph, Reply, Span

#: Unanswered questions older than this are deleted (the privacy text promises it).
UNANSWERED_KEEP_DAYS = 90
#: At most this many unanswered questions are kept; the oldest go first.
UNANSWERED_MAX_ROWS = 5000
#: A question longer than this is cut before it is stored: enough to see what was asked.
UNANSWERED_MAX_CHARS = 500
#: ``/unanswered`` looks at this many recent days and shows this many groups.
UNANSWERED_WINDOW_DAYS = 30
UNANSWERED_GROUPS_SHOWN = 15
#: Two questions belong to one group at this rapidfuzz ``token_set_ratio`` or above (0-100):
#: high enough that "can i drink beer" and "can i take ibuprofen" stay apart, low enough that
#: "beer ok on aza?" and "is beer ok on azathioprine" meet.
GROUP_SIMILARITY = 75.0

#: Feedback button actions: ``fb:1:<entry-id>`` (helpful) and ``fb:0:<entry-id>`` (not helpful).
FEEDBACK = "fb:"
#: The decisions whose share ``/stats`` shows, in order, with their labels.
DECISION_LABELS: tuple[tuple[str, str], ...] = (
    ("answer", "answered"),
    ("suggest", "suggested topics"),
    ("fallback", "could not answer"),
    ("crisis", "crisis (crisis line shown)"),
    ("emergency", "emergency (emergency number shown)"),
    ("urgent", "any urgent advice"),
)


@dataclass(frozen=True)
class UnansweredQuestion:
    """A stored question the bot could not answer confidently: text and time only."""

    asked_at: dtm.datetime
    text: str
    kind: str  # "suggest", "fallback" or "none" (the user rejected the suggestions)


@dataclass(frozen=True)
class QuestionGroup:
    """Similar unanswered questions: the most common wording, how many, and when last asked."""

    example: str
    count: int
    last_asked: dtm.datetime
    kinds: Mapping[str, int]
    variants: tuple[str, ...] = ()


@dataclass(frozen=True)
class StatsSnapshot:
    """The ``/stats`` figures. ``decisions_week`` maps a decision (or "urgent") to its count."""

    questions_day: int
    decisions_week: Mapping[str, int]
    top_entries: tuple[tuple[str, int], ...]
    least_helpful: tuple[tuple[str, int, int], ...]  # entry id, helpful, not helpful
    active_subscriptions: int
    feedback_days: int = UNANSWERED_KEEP_DAYS

    @property
    def questions_week(self) -> int:
        """Questions in the last seven days ("urgent" is a flag on other decisions, not counted twice)."""
        return sum(n for decision, n in self.decisions_week.items() if decision != "urgent")


# -- feedback ------------------------------------------------------------------------------------


def feedback_buttons(entry_id: str) -> tuple[Button, Button]:
    """The helpful / not helpful buttons under an answer."""
    return (
        Button("👍 Helpful", f"{FEEDBACK}1:{entry_id}"),
        Button("👎 Not helpful", f"{FEEDBACK}0:{entry_id}"),
    )


def parse_feedback(action: str) -> tuple[str, bool] | None:
    """``fb:1:missed-dose`` -> (``missed-dose``, True); None when ``action`` is not feedback."""
    if not action.startswith(FEEDBACK):
        return None
    vote, _, entry_id = action[len(FEEDBACK) :].partition(":")
    if vote not in ("0", "1") or not entry_id:
        return None
    return entry_id, vote == "1"


class VoteBook:
    """Which messages each user already voted on: one vote per user per message.

    A double tap arrives as two presses before the buttons are gone, and a forged press can come
    at any time, so removing the buttons is not enough. Kept in memory only (never written, so
    no stored row links a vote to a person), for the :attr:`keep` most recent votes; /forget
    drops a chat's.
    """

    def __init__(self, keep: int = 10_000) -> None:
        self.keep = keep
        self._seen: OrderedDict[tuple[int, int, int], None] = OrderedDict()

    def first(self, chat_id: int, message_id: int, user_id: int) -> bool:
        """True the first time this user votes on this message (and remembers it)."""
        key = (chat_id, message_id, user_id)
        if key in self._seen:
            return False
        self._seen[key] = None
        while len(self._seen) > self.keep:
            self._seen.popitem(last=False)
        return True

    def forget_chat(self, chat_id: int) -> None:
        """Drop everything remembered about ``chat_id``."""
        for key in [k for k in self._seen if k[0] == chat_id]:
            del self._seen[key]


# -- unanswered questions --------------------------------------------------------------------------


def group_unanswered(
    questions: Iterable[UnansweredQuestion], limit: int = UNANSWERED_GROUPS_SHOWN
) -> list[QuestionGroup]:
    """Group similar questions (rapidfuzz) and return the largest groups, most frequent first.

    Identical questions (after folding case, accents and punctuation) are merged first, so the
    fuzzy pass compares each distinct wording once; each wording then joins the first group
    whose representative is similar enough, most frequent wordings first so they become the
    representatives. At the 5,000-row cap this is a few hundred milliseconds at most.
    """
    by_form: dict[str, list[UnansweredQuestion]] = {}
    for question in questions:
        form = fold(question.text)
        if form:
            by_form.setdefault(form, []).append(question)
    forms = sorted(by_form, key=lambda f: (-len(by_form[f]), f))
    representatives: list[str] = []
    members: list[list[str]] = []
    for form in forms:
        found = (
            process.extractOne(
                form, representatives, scorer=fuzz.token_set_ratio, score_cutoff=GROUP_SIMILARITY
            )
            if representatives
            else None
        )
        if found is None:
            representatives.append(form)
            members.append([form])
        else:
            members[found[2]].append(form)
    groups: list[QuestionGroup] = []
    for group_forms in members:
        items = [q for form in group_forms for q in by_form[form]]
        wordings = Counter(q.text.strip() for q in items)
        groups.append(
            QuestionGroup(
                example=wordings.most_common(1)[0][0],
                count=len(items),
                last_asked=max(q.asked_at for q in items),
                kinds=dict(Counter(q.kind for q in items)),
                variants=tuple(text for text, _ in wordings.most_common(3)[1:]),
            )
        )
    groups.sort(key=lambda g: (-g.count, -g.last_asked.timestamp(), g.example))
    return groups[:limit]


def _p(*spans: Span | str) -> Paragraph:
    return tuple(Span(s) if isinstance(s, str) else s for s in spans)


def unanswered_reply(groups: list[QuestionGroup], days: int = UNANSWERED_WINDOW_DAYS) -> Reply:
    """The ``/unanswered`` text: the most frequent recent unanswered questions, grouped."""
    title = _p(Span(f"Unanswered questions, last {days} days", bold=True))
    if not groups:
        return Reply(
            (title, _p("None: every question was answered (or none was asked).")),
            decision="admin",
            medical=False,
        )
    lines: list[str] = []
    for number, group in enumerate(groups, start=1):
        rejected = group.kinds.get("none", 0)
        details = [f"last {group.last_asked.date().isoformat()}"]
        if rejected:
            details.append(f"{rejected} rejected the suggestions")
        # Patients' words: each one quoted, cleaned line, so none can forge or reorder a line.
        line = f"{number}. {group.count} x “{one_line(group.example)}” ({', '.join(details)})"
        if group.variants:
            line += "\n    also: " + "; ".join(f"“{one_line(v)}”" for v in group.variants)
        lines.append(line)
    return Reply(
        (
            title,
            _p("\n".join(lines)),
            _p("Stored without user ids and deleted after 90 days. Add phrasings or entries to the FAQ."),
        ),
        decision="admin",
        medical=False,
    )


# -- statistics ------------------------------------------------------------------------------------


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def stats_reply(stats: StatsSnapshot) -> Reply:
    """The ``/stats`` text."""
    week = stats.questions_week
    shares = "\n".join(
        f"{label}: {_share(stats.decisions_week.get(key, 0), week)} ({stats.decisions_week.get(key, 0)})"
        for key, label in DECISION_LABELS
    )
    top = (
        "\n".join(f"{n}. {entry} ({count})" for n, (entry, count) in enumerate(stats.top_entries, start=1))
        or "none yet"
    )
    least = (
        "\n".join(
            f"{n}. {entry}: 👍 {helpful} / 👎 {not_helpful}"
            for n, (entry, helpful, not_helpful) in enumerate(stats.least_helpful, start=1)
        )
        or "no 'not helpful' votes"
    )
    return Reply(
        (
            _p(Span("Statistics", bold=True)),
            _p(f"Questions: {stats.questions_day} in the last day, {week} in the last 7 days."),
            _p(Span("Last 7 days", bold=True), "\n", shares),
            _p(Span("Most shown answers, last 7 days", bold=True), "\n", top),
            _p(Span(f"Least helpful answers, last {stats.feedback_days} days", bold=True), "\n", least),
            _p(f"Active reminder subscriptions: {stats.active_subscriptions}."),
        ),
        decision="admin",
        medical=False,
    )
