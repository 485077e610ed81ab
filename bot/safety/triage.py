"""Triage: does a message describe a danger sign someone has *now*, and how urgent is it?

Runs on every message before matching. The signs themselves (their words, levels and advice) are
clinical data in ``faq/signs.yaml`` (:mod:`bot.knowledge.signs`); this module is the machinery that decides
whether a mention is current. A sign (fever, bleeding, yellow eyes, contact with
chickenpox...) counts only when the clause that mentions it is not negated ("no fever"), not
hypothetical or general ("what if I get a fever?", "what symptoms should I look out for"), and not
in the past ("had shingles years ago"). Someone else the writer cares for ("my son has a temp")
counts: carers ask for the person they look after.

Those checks look at the part of the clause that names the sign (clauses split further at commas
and dashes), so "I have a fever, is it a side effect?" stays urgent though its question is
general. A part with no subject or verb of its own ("like fever, bruising", "last week") belongs
to the part before it.

Patterns match everyday wordings as well as textbook words ("hot and shivery", "my wee is the
colour of cola", "gums keep bleeding"), because patients rarely use the textbook word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.knowledge.signs import RANK, Level, Sign, SignBook
from bot.knowledge.textnorm import fold
from bot.safety.context import (
    AHEAD_OF_TIME,
    ANIMAL,
    AS_A_WARNING,
    ASKS,
    ASKS_ABOUT_MOOD,
    FEVER_MEDICINE,
    FIRST_PERSON,
    HYPOTHETICAL,
    NEGATION,
    NO_CONTACT,
    NOT_ON_ANY,
    NOW,
    OTHER_ON_IT,
    OTHER_TIMES,
    PAST,
    POINTS_BACK,
    SOMEONE,
    WRITER_ON_IT,
    blank,
    is_someone_elses,
    over_for,
    said,
    says_over,
    split_clauses,
)
from bot.safety.readings import (
    FEVER_WORD,
    HEAT_WORDS,
    HIGH,
    NORMAL,
    READING_BEFORE,
    WEATHER,
    mark_readings,
)

#: Characters of a message checked: a sign described later than this in a 5,000-character
#: message is a rare price for a bounded cost on every message.
MAX_CHECKED_CHARS = 2000


@dataclass(frozen=True)
class WarningSigns:
    """The danger signs found in a message, most urgent first."""

    found: tuple[Sign, ...]

    @property
    def signs(self) -> tuple[str, ...]:
        """The signs' labels, for replies and the command line."""
        return tuple(dict.fromkeys(sign.label for sign in self.found))

    @property
    def level(self) -> Level:
        """The most urgent level among the signs: what the reply leads with."""
        return self.found[0].level

    @property
    def emergency(self) -> bool:
        """True when an ambulance should be called (an emergency sign, or a crisis)."""
        return self.level in ("emergency", "crisis")


def _sign_is_current(
    sign: Sign,
    part: str,
    hit: re.Match[str],
    clause: str,
    *,
    writer_alone_on_it: bool,
    fever_reading: bool,
    normal_reading: bool,
) -> bool:
    """Whether the sign ``hit`` in one part of ``clause`` is happening now.

    ``writer_alone_on_it``: the message says the writer takes the medicine and nobody else does.
    ``fever_reading``, ``normal_reading``: it gives a thermometer reading in the fever range, or
    a normal one.
    """
    before = part[: hit.start()]
    if NEGATION.search(before) or ANIMAL.search(before):
        return False
    # The cause may come in an earlier part: "bruised my shin on the table, it's just a bruise".
    start = max(clause.find(part), 0)  # parts are pieces of their clause; 0 guards the impossible
    told = clause[: start + len(part)]
    for cause in sign.unless:
        if any(not NEGATION.search(told[: c.start()]) for c in cause.finditer(told)):
            return False  # "havent banged into anything" names no cause
    # "Had a transplant last year and this evening he told me...": a time word of the present
    # between the past and the sign brings the sign back to now.
    pasts = list(PAST.finditer(OTHER_TIMES.sub(blank, part)))
    # Crisis words come back with any now-word after the past: "tried to overdose last year and
    # I'm having those thoughts again tonight".
    now_until = len(part) if sign.level == "crisis" else hit.start()
    if pasts and not NOW.search(part, pasts[-1].end(), now_until):
        return False
    # A time word earlier in the clause covers a part that names no time of its own: "had a bad
    # reaction last year, face swelled up and I went to A&E" is all last year.
    earlier = clause[:start]
    if earlier and PAST.search(OTHER_TIMES.sub("", earlier)) and not NOW.search(part):
        return False
    if sign.level == "crisis":
        # Crisis words are not read through the wider hypothetical rules: see ASKS_ABOUT_MOOD.
        return not ASKS_ABOUT_MOOD.search(part)
    if sign.context == "temperature" and not fever_reading:
        if normal_reading and HEAT_WORDS.match(hit.group()):
            return False  # "hot and sweaty, but it's 32 degrees out and my thermometer says 36.8"
        if FEVER_WORD.match(hit.group()) and READING_BEFORE.search(before):
            return False  # "is 37.2 a fever?" asks about a normal reading
    someone_elses = sign.level == "same-day" and writer_alone_on_it and sign.context != "contact"
    if someone_elses and is_someone_elses(before, part):
        return False  # "my partner has a sore throat, I'm on aza": the partner's sign
    if AS_A_WARNING.search(part) and not SOMEONE.search(part):
        return False  # "dark urine a warning sign on aza?" names the sign as a topic
    # Contact is a question about the whole clause: "my niece has chickenpox, can I go if she's
    # better by then" asks about contact to come.
    return not HYPOTHETICAL.search(clause if sign.context == "contact" else part)


def detect_warning_signs(text: str, book: SignBook) -> WarningSigns | None:
    """The danger signs of ``book`` described as happening now in ``text``, or None."""
    text = mark_readings(text[:MAX_CHECKED_CHARS].casefold(), book.temperature)
    folded = fold(text)
    found: dict[str, Sign] = {}
    no_contact = bool(NO_CONTACT.search(folded))
    ahead_of_time = bool(AHEAD_OF_TIME.search(folded))
    writer_alone_on_it = bool(WRITER_ON_IT.search(folded)) and not OTHER_ON_IT.search(folded)
    fever_masked = bool(FEVER_MEDICINE.search(folded))
    fever_reading = HIGH in folded
    normal_reading = NORMAL in folded or WEATHER in folded
    clauses = split_clauses(text)
    # The sign needs another word somewhere in the message ("black stools" and "dizzy"), said
    # as present: "black stools from iron, no dizziness" does not count.
    present = [s for s in book.signs if not s.also or said(s.also, clauses)]
    for index, parts in enumerate(clauses):
        clause = " ".join(parts)
        later = clauses[index + 1] if index + 1 < len(clauses) else []
        after = " ".join(later)
        if ahead_of_time and ASKS.search(clause):
            continue
        # Someone who does not take it: their same-day signs are not the medicine's warning signs.
        before_clause = " ".join(clauses[index - 1]) if index else ""
        not_on_it = bool(NOT_ON_ANY.search(clause)) or (
            bool(NOT_ON_ANY.search(after) or NOT_ON_ANY.search(before_clause))
            and not FIRST_PERSON.search(clause)
        )
        later_says_over = any(POINTS_BACK.match(p) and says_over(p) for p in later)
        for number, part in enumerate(parts):
            # Over by now: "...but it went away" after it, or "...but I'd barely drunk anything,
            # it's back to pale now". Inside a part, an "over" word covers the sign just before
            # it: "lots of bruises and a nosebleed that stopped" still has the bruises.
            following = parts[number + 1] if number + 1 < len(parts) else None
            over_after = bool(
                POINTS_BACK.match(following) and says_over(following)
                if following is not None
                else later_says_over
            )
            starts = sorted({h.start() for s in present for p in s.patterns for h in p.finditer(part)})
            for sign in present:
                if sign.id in found or (no_contact and sign.context == "contact"):
                    continue
                current = [
                    hit
                    for pattern in sign.patterns
                    for hit in pattern.finditer(part)
                    if _sign_is_current(
                        sign,
                        part,
                        hit,
                        clause,
                        writer_alone_on_it=writer_alone_on_it,
                        fever_reading=fever_reading,
                        normal_reading=normal_reading,
                    )
                ]
                if not current:
                    continue
                over = over_after or all(over_for(part, hit, starts) for hit in current)
                # A fever brought down by paracetamol is still a fever.
                if sign.level == "same-day" and over and (not fever_masked or sign.context != "temperature"):
                    continue
                # An emergency that is over ("fainted this morning, fine now") still needs a
                # doctor today: it is kept at the same-day level, and judged like one.
                level: Level = "same-day" if over and sign.level == "emergency" else sign.level
                if level == "same-day" and not_on_it:
                    continue
                found[sign.id] = replace(sign, level=level) if level != sign.level else sign
    if not found:
        return None
    return WarningSigns(tuple(sorted(found.values(), key=lambda s: -RANK[s.level])))


def shows_distress(text: str, book: SignBook) -> bool:
    """Whether ``text`` speaks of despair ("I can't cope any more") that is not negated or asked
    about, or names suicide or self-harm in a way that is not a crisis now ("I'm not suicidal,
    just fed up", "I tried to end it years ago"): one line with the crisis line costs little."""
    crisis = [sign for sign in book.signs if sign.level == "crisis"]
    for clause in split_clauses(text[:MAX_CHECKED_CHARS].casefold()):
        for part in clause:
            if ASKS_ABOUT_MOOD.search(part):
                continue
            if any(
                any(p.search(part) for p in sign.patterns) and not any(u.search(part) for u in sign.unless)
                for sign in crisis
            ):
                return True
            for pattern in book.distress:
                for hit in pattern.finditer(part):
                    before = part[: hit.start()]
                    if not (NEGATION.search(before) or PAST.search(part)):
                        return True
    return False
