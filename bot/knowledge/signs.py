"""The danger signs as clinical data: ``faq/signs.yaml`` loaded, validated and compiled.

A clinician edits the signs like the FAQ: each sign has a level (crisis, emergency, same-day),
the words patients use for it, what to do about the tablets, sources and a review date. The
advice for each level is there too. This module only turns that file into a :class:`SignBook`;
what counts as a sign happening *now* (negated, past, hypothetical...) is the machinery in
:mod:`bot.safety.triage`.

Words are written as patients write them, with two marks: ``*`` at the end of a word for any
ending (``bruis*``) and ``...`` for up to three words in between (``blood ... sick``). Patterns
are regular expressions over the folded message (lower case, no punctuation), for what plain
words cannot say.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, get_args

from bot.knowledge.governance import Review, check_review
from bot.knowledge.textnorm import fold
from bot.knowledge.yamlsource import Checker, LineDict, LineList

Level = Literal["crisis", "emergency", "same-day"]
LEVELS: tuple[Level, ...] = get_args(Level)
#: How signs are weighed when a message has several: the most urgent advice leads.
RANK: Mapping[str, int] = {"same-day": 1, "emergency": 2, "crisis": 3}
Context = Literal["plain", "temperature", "contact"]
CONTEXTS: tuple[Context, ...] = get_args(Context)
TABLET_ADVICE = ("pause", "keep", "ask")
SIGN_FIELDS = {
    "id",
    "level",
    "label",
    "tablets",
    "words",
    "patterns",
    "unless",
    "also",
    "context",
    "sources",
    "reviewed",
    "reviewed_by",
    "next_review",
}
#: The review fields are required too; bot.knowledge.governance checks and reports them.
REQUIRED_SIGN_FIELDS = {"id", "level", "label", "sources"}
MAX_ADVICE_CHARS = 900
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Sign:
    """One danger sign and how to recognise it."""

    id: str
    level: Level
    label: str
    #: Patterns over folded text, any of which is the sign.
    patterns: tuple[re.Pattern[str], ...]
    #: Causes that explain the sign away when named earlier in its clause ("bruised it on the table").
    unless: tuple[re.Pattern[str], ...] = ()
    #: The sign counts only when one of these is also in the message ("black stools" + "dizzy").
    also: tuple[re.Pattern[str], ...] = ()
    context: Context = "plain"
    tablets: str | None = None
    review: Review | None = None
    file: str = ""
    line: int = 0


@dataclass(frozen=True)
class Temperature:
    """Thermometer thresholds in degrees Celsius: a fever from one, normal up to the other."""

    fever_from: float = 38.0
    normal_up_to: float = 37.5


@dataclass(frozen=True)
class SignBook:
    """Every sign, the advice per level, and the advice about the tablets."""

    signs: tuple[Sign, ...]
    advice: Mapping[str, str]
    tablets: Mapping[str, str]
    temperature: Temperature = Temperature()
    #: Words of despair short of a crisis, and the one line that opens the reply for them.
    distress: tuple[re.Pattern[str], ...] = ()
    distress_advice: str = ""

    def get(self, sign_id: str) -> Sign | None:
        """The sign with this id, or None."""
        return next((s for s in self.signs if s.id == sign_id), None)


def phrase_pattern(phrase: str) -> str:
    """A patient's phrase as a regular expression over folded text (``*``: any ending, ``...``: a gap)."""
    pattern = r"\b"
    ends_open = False
    for token in phrase.replace("...", " ... ").split():
        if token == "...":
            pattern += r"(?:\w+ ){0,3}"
            continue
        ends_open = token.endswith("*")
        words = fold(token.rstrip("*")).split()
        if words:
            pattern += " ".join(re.escape(w) for w in words) + (r"\w*" if ends_open else "") + " "
    return pattern.rstrip(" ") + ("" if ends_open else r"\b")


def _compile(
    checker: Checker, raw: LineDict, key: str, where: str, *, words: bool
) -> tuple[re.Pattern[str], ...]:
    compiled: list[re.Pattern[str]] = []
    for text, line in checker.string_list(raw, key, where, required=False):
        source = phrase_pattern(text) if words else text
        try:
            compiled.append(re.compile(source))
        except re.error as exc:
            checker.add(line, f"{where}: '{key}' item is not a valid pattern ({exc.msg})")
    return tuple(compiled)


def _check_sign(checker: Checker, raw: object, line: int, tablets: Mapping[str, str]) -> Sign | None:
    if not isinstance(raw, LineDict):
        checker.add(line, "each sign must be a block of fields (id, level, label, words...)")
        return None
    sign_id = raw.get("id")
    where = f"sign '{sign_id}'" if isinstance(sign_id, str) else "sign"
    for key in sorted(set(raw) - SIGN_FIELDS):
        checker.add(
            raw.line_of(key), f"{where}: unknown field '{key}' (known: {', '.join(sorted(SIGN_FIELDS))})"
        )
    for key in sorted(REQUIRED_SIGN_FIELDS - set(raw)):
        checker.add(raw.line, f"{where}: '{key}' is missing")
    before_count = _count(checker)
    if not isinstance(sign_id, str) or not _ID.match(sign_id):
        checker.add(raw.line_of("id"), f"{where}: 'id' must be lower-case words joined by hyphens")
    level = raw.get("level")
    if level not in LEVELS:
        checker.add(raw.line_of("level"), f"{where}: 'level' must be one of {', '.join(LEVELS)}")
    context = raw.get("context", "plain")
    if context not in CONTEXTS:
        checker.add(raw.line_of("context"), f"{where}: 'context' must be one of {', '.join(CONTEXTS)}")
    tablet = raw.get("tablets")
    if tablet is not None and tablet not in tablets:
        known = ", ".join(tablets) or "none defined in 'tablet_advice'"
        checker.add(raw.line_of("tablets"), f"{where}: 'tablets' must be one of: {known}")
    label = checker.text(raw, "label", where, limit=80)
    patterns = _compile(checker, raw, "words", where, words=True) + _compile(
        checker, raw, "patterns", where, words=False
    )
    if not patterns:
        checker.add(raw.line, f"{where}: give at least one of 'words' or 'patterns'")
    else:
        # One pass over the message per sign, not one per wording: ~10x faster on long messages.
        patterns = (re.compile("|".join(f"(?:{p.pattern})" for p in patterns)),)
    unless = _compile(checker, raw, "unless", where, words=False)
    also = _compile(checker, raw, "also", where, words=True)
    review, review_problems = check_review(raw, checker.file, where)
    for problem in review_problems:
        checker.add(problem.line, problem.message)
    sources = raw.get("sources")
    if not isinstance(sources, list) or not sources:
        checker.add(raw.line_of("sources"), f"{where}: 'sources' must list at least one source")
    if _count(checker) > before_count:
        return None
    assert isinstance(sign_id, str) and level in LEVELS and context in CONTEXTS
    return Sign(
        id=sign_id,
        level=level,
        label=label,
        patterns=patterns,
        unless=unless,
        also=also,
        context=context,
        tablets=tablet if isinstance(tablet, str) else None,
        review=review,
        file=checker.file,
        line=raw.line,
    )


def _count(checker: Checker) -> int:
    problems = getattr(checker, "problems", [])
    return len(problems)


def check_signs(checker: Checker, data: LineDict) -> SignBook | None:
    """The file's ``signs:`` list with its ``levels:`` and ``tablet_advice:`` blocks, or None."""
    before = _count(checker)
    levels = data.get("levels")
    advice: dict[str, str] = {}
    if not isinstance(levels, LineDict):
        checker.add(
            data.line_of("levels"), "'levels' must give the advice for crisis, emergency and same-day"
        )
    else:
        for level in LEVELS:
            block = levels.get(level)
            if not isinstance(block, LineDict):
                checker.add(levels.line_of(level), f"levels: '{level}' needs an 'advice' text")
                continue
            advice[level] = checker.text(block, "advice", f"levels: '{level}'", limit=MAX_ADVICE_CHARS)
    tablets: dict[str, str] = {}
    raw_tablets = data.get("tablet_advice", LineDict())
    if not isinstance(raw_tablets, LineDict):
        checker.add(data.line_of("tablet_advice"), "'tablet_advice' must map pause/keep to a text")
    else:
        for key in raw_tablets:
            if key not in TABLET_ADVICE:
                checker.add(
                    raw_tablets.line_of(key), f"tablet_advice: '{key}' must be one of {TABLET_ADVICE}"
                )
            else:
                tablets[key] = checker.text(raw_tablets, key, "tablet_advice", limit=MAX_ADVICE_CHARS)
    temperature = _check_temperature(checker, data)
    raw_signs = data["signs"]
    signs: list[Sign] = []
    seen: dict[str, int] = {}
    if not isinstance(raw_signs, list) or not raw_signs:
        checker.add(data.line_of("signs"), "'signs' must be a list of signs")
        raw_signs = []
    for index, raw in enumerate(raw_signs):
        line = raw_signs.line_of(index) if isinstance(raw_signs, LineList) else data.line_of("signs")
        sign = _check_sign(checker, raw, line, tablets)
        if sign is None:
            continue
        if sign.id in seen:
            checker.add(line, f"sign '{sign.id}' is defined twice (also at line {seen[sign.id]})")
        seen[sign.id] = line
        signs.append(sign)
    for level in LEVELS:
        if signs and not any(s.level == level for s in signs):
            checker.add(data.line_of("signs"), f"signs: no sign has level '{level}'")
    distress, distress_advice = _check_distress(checker, data)
    if _count(checker) > before:
        return None
    return SignBook(tuple(signs), advice, tablets, temperature, distress, distress_advice)


def _check_distress(checker: Checker, data: LineDict) -> tuple[tuple[re.Pattern[str], ...], str]:
    raw = data.get("distress")
    if raw is None:
        return (), ""
    if not isinstance(raw, LineDict) or set(raw) - {"words", "patterns", "advice"}:
        checker.add(data.line_of("distress"), "'distress' needs words (or patterns) and an advice line")
        return (), ""
    advice = checker.text(raw, "advice", "distress", limit=MAX_ADVICE_CHARS)
    words = _compile(checker, raw, "words", "distress", words=True)
    patterns = _compile(checker, raw, "patterns", "distress", words=False)
    return words + patterns, advice


def _check_temperature(checker: Checker, data: LineDict) -> Temperature:
    raw = data.get("temperature")
    if raw is None:
        return Temperature()
    if not isinstance(raw, LineDict) or set(raw) != {"fever_from", "normal_up_to"}:
        checker.add(
            data.line_of("temperature"), "'temperature' needs fever_from and normal_up_to (degrees C)"
        )
        return Temperature()
    values = {key: raw[key] for key in raw}
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 35 <= value <= 42:
            checker.add(raw.line_of(key), f"temperature: '{key}' must be degrees Celsius between 35 and 42")
            return Temperature()
    if values["normal_up_to"] >= values["fever_from"]:
        checker.add(raw.line_of("normal_up_to"), "temperature: 'normal_up_to' must be below 'fever_from'")
        return Temperature()
    return Temperature(float(values["fever_from"]), float(values["normal_up_to"]))
