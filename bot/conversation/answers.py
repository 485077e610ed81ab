"""Composing the medical replies (their rendering is :mod:`bot.presentation.reply`).

Every reply is built here and every reply with medical content passes through :func:`_finish`,
which appends the safety reminder: that is the one place it is added, so no path can skip it.
A reply that leads with urgent advice (same-day, emergency or crisis) has that advice in the
reminder's place: the signs are never listed twice in one reply.
Renderers escape everything that came from YAML or from the user.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from bot.knowledge.about import AboutItem
from bot.knowledge.schema import Entry, KnowledgeBase, SmallTalk
from bot.matching.matcher import Matcher
from bot.matching.model import FallbackReason, Match
from bot.presentation.reply import Button, Paragraph, Reply, Span
from bot.safety.triage import WarningSigns, detect_warning_signs, shows_distress

#: Button actions, kept short so callback data stays far below Telegram's 64 bytes.
ENTRY, CATEGORY, TOPICS, NONE_OF_THESE = "e:", "c:", "topics", "none"
#: "More" (the full answer) and "Sources" under a short answer.
MORE, SOURCES = "m:", "s:"


def _p(*spans: Span | str) -> Paragraph:
    return tuple(Span(s) if isinstance(s, str) else s for s in spans)


def _text_paragraphs(text: str) -> list[Paragraph]:
    return [_p(block.strip()) for block in text.split("\n\n") if block.strip()]


def _finish(
    knowledge: KnowledgeBase,
    paragraphs: Iterable[Paragraph],
    buttons: Iterable[Button] = (),
    **details: object,
) -> Reply:
    """Close a medical reply with the safety reminder (the only place it is added).

    A reply with urgent advice keeps that advice in the reminder's place (``signs`` given).
    """
    signs = details.pop("signs", None)
    if isinstance(signs, WarningSigns):
        body = list(paragraphs)
        details.update(urgent=True, urgency=signs.level)
    else:
        body = [*paragraphs, *_text_paragraphs(knowledge.safety.reminder)]
    return Reply(tuple(body), tuple(buttons), **details)  # type: ignore[arg-type]


def with_safety_reminder(
    knowledge: KnowledgeBase,
    paragraphs: Iterable[Paragraph],
    buttons: Iterable[Button] = (),
    *,
    decision: str,
) -> Reply:
    """A medical reply composed elsewhere (e.g. a blood-test reminder), closed by :func:`_finish`."""
    return _finish(knowledge, paragraphs, buttons, decision=decision)


def ensure_reminder(knowledge: KnowledgeBase, reply: Reply) -> Reply:
    """``reply`` ending with the safety reminder: every reply carries it (a promise of the product),
    fixed ones too (/help, /privacy, a reminder set...). One that has it already, or leads with
    urgent advice in its place, is left as it is, so the reminder is never shown twice."""
    reminder = tuple(_text_paragraphs(knowledge.safety.reminder))
    if reply.urgency or reply.paragraphs[-len(reminder) :] == reminder:
        return reply
    return replace(reply, paragraphs=(*reply.paragraphs, *reminder))


#: The most careful tablet advice wins when a message has signs with different advice.
_TABLET_ORDER = ("pause", "ask", "keep")


def _urgent_paragraphs(knowledge: KnowledgeBase, signs: WarningSigns) -> list[Paragraph]:
    """The advice for the message's most urgent level, first, with what was recognised."""
    book = knowledge.signs
    advice = _text_paragraphs(book.advice[signs.level])
    if advice:
        advice[0] = _p(Span("⚠️ " + "".join(span.text for span in advice[0]), bold=True))
    if signs.level == "crisis":
        return advice  # a person in crisis gets the numbers and kindness, nothing else
    labels = dict.fromkeys(sign.label for sign in signs.found if sign.level == signs.level)
    advice.append(_p(f"(You mentioned: {', '.join(labels)}.)"))
    if signs.level == "same-day":
        wanted = {sign.tablets for sign in signs.found}
        tablet = next((t for t in _TABLET_ORDER if t in wanted and t in book.tablets), None)
        if tablet is not None:
            advice.extend(_text_paragraphs(book.tablets[tablet]))
    return advice


def crisis_reply(knowledge: KnowledgeBase, signs: WarningSigns, *, score: float = 0.0) -> Reply:
    """Only the crisis advice: no topic list, no "I can't answer", nothing to distract."""
    return _finish(
        knowledge, _urgent_paragraphs(knowledge, signs), decision="crisis", score=score, signs=signs
    )


def emergency_reply(knowledge: KnowledgeBase, signs: WarningSigns, match: Match) -> Reply:
    """The emergency advice first; the matched topic and the warning signs one tap away."""
    ids = [match.entry_id] if match.decision == "answer" and match.entry_id else list(match.suggestions[:1])
    ids += [e.id for e in knowledge.entries if e.urgent and e.id not in ids]
    buttons = [_entry_button(e) for i in ids if (e := knowledge.get(i))]
    return _finish(
        knowledge,
        _urgent_paragraphs(knowledge, signs),
        buttons,
        decision="emergency",
        score=match.score,
        signs=signs,
    )


def source_paragraphs(entry: Entry) -> list[Paragraph]:
    """An entry's sources as links, and who reviewed it and when."""
    sources: list[Span] = [Span("Sources: ", bold=True)]
    review = entry.review
    for index, source in enumerate(entry.sources):
        if index:
            sources.append(Span("; "))
        sources.append(Span(source.title, url=source.url))
    return [
        tuple(sources),
        _p(f"Reviewed {review.reviewed} by {review.reviewed_by}; next review due {review.next_review}."),
    ]


def entry_paragraphs(entry: Entry) -> list[Paragraph]:
    """An entry's title, answer, sources and reviewed date."""
    return [_p(Span(entry.question, bold=True)), *_text_paragraphs(entry.answer), *source_paragraphs(entry)]


def _entry_button(entry: Entry) -> Button:
    return Button(entry.question, ENTRY + entry.id)


def answer_reply(
    knowledge: KnowledgeBase,
    entry_id: str,
    *,
    signs: WarningSigns | None = None,
    also: str | None = None,
    score: float = 100.0,
    full: bool = False,
) -> Reply:
    """The answer for one entry (also used for buttons and deep links).

    The first message is the entry's short answer, with "More", "Sources" and "Warning signs"
    one tap away; the full answer comes after "More" (``full``), and at once for urgent replies
    and entries marked ``show_full`` (the overdose and warning-signs entries).
    """
    entry = knowledge.get(entry_id)
    if entry is None:
        return topics_reply(knowledge, intro="I couldn't find that topic. Here is what I cover:")
    paragraphs = _urgent_paragraphs(knowledge, signs) if signs else []
    related = [also] if also else []
    related += [rid for rid in entry.related if rid not in related]
    buttons = [_entry_button(e) for rid in related[:4] if (e := knowledge.get(rid))]
    if full or signs or entry.show_full or not entry.short:
        paragraphs += entry_paragraphs(entry)
    else:
        paragraphs += [_p(Span(entry.question, bold=True)), *_text_paragraphs(entry.short)]
        first = [Button("More", MORE + entry.id), Button("Sources", SOURCES + entry.id)]
        warning = next((e for e in knowledge.entries if e.urgent), None)
        if warning is not None and warning.id != entry.id and warning.id not in related[:4]:
            first.append(Button("Warning signs", ENTRY + warning.id))
        buttons = [*first, *buttons[:3]]
    if also and knowledge.get(also):
        paragraphs.append(_p("You also asked about something else; tap the first button below."))
    return _finish(
        knowledge,
        paragraphs,
        buttons,
        decision="answer",
        entry_id=entry.id,
        score=score,
        signs=signs,
    )


def sources_reply(knowledge: KnowledgeBase, entry_id: str) -> Reply:
    """An entry's sources and review dates, with the full answer one tap away."""
    entry = knowledge.get(entry_id)
    if entry is None:
        return topics_reply(knowledge, intro="I couldn't find that topic. Here is what I cover:")
    paragraphs = [_p(Span(entry.question, bold=True)), *source_paragraphs(entry)]
    return _finish(
        knowledge, paragraphs, [Button("More", MORE + entry.id)], decision="sources", entry_id=entry.id
    )


def suggest_reply(knowledge: KnowledgeBase, match: Match, signs: WarningSigns | None = None) -> Reply:
    """Closest topics as choices, plus "none of these"."""
    buttons = [_entry_button(e) for sid in match.suggestions if (e := knowledge.get(sid))]
    if signs:
        # Someone describing a warning sign needs the advice above, not a guessing game; the
        # warning-signs entry goes first and the topics are offered as further reading.
        paragraphs = _urgent_paragraphs(knowledge, signs)
        paragraphs.append(_p("These topics may also help:"))
        warning = next((e for e in knowledge.entries if e.urgent), None)
        if warning is not None and warning.id not in match.suggestions:
            buttons.insert(0, _entry_button(warning))
    else:
        paragraphs = [_p("I'm not completely sure what you mean. Is it one of these?")]
    buttons.append(Button("None of these", NONE_OF_THESE))
    return _finish(
        knowledge,
        paragraphs,
        buttons,
        decision="suggest",
        score=match.score,
        suggestions=match.suggestions,
        signs=signs,
    )


def topics_reply(
    knowledge: KnowledgeBase,
    *,
    intro: str | None = None,
    signs: WarningSigns | None = None,
    score: float = 0.0,
    decision: str = "fallback",
) -> Reply:
    """The honest "I don't cover that" reply, with the topic browser."""
    paragraphs = _urgent_paragraphs(knowledge, signs) if signs else []
    paragraphs.append(
        _p(
            intro
            or "Sorry, I can't answer that. I only know about azathioprine (Imuran, Azasan): "
            "what it is, taking it, blood tests, side effects, interactions, everyday life, "
            "family planning and alternatives. For anything else, please ask your doctor, "
            "nurse or pharmacist."
        )
    )
    paragraphs.append(_p("Choose a topic, or ask again in other words:"))
    buttons = [Button(name.capitalize(), f"{CATEGORY}{i}") for i, name in enumerate(knowledge.categories)]
    return _finish(knowledge, paragraphs, buttons, decision=decision, score=score, signs=signs)


def category_reply(knowledge: KnowledgeBase, index: int) -> Reply:
    """The entries of one category, as buttons, with a way back."""
    categories = knowledge.categories
    if not 0 <= index < len(categories):
        return topics_reply(knowledge, intro="That menu is out of date. Here are the topics:")
    name = categories[index]
    buttons = [_entry_button(e) for e in knowledge.in_category(name)]
    buttons.append(Button("« All topics", TOPICS))
    return _finish(knowledge, [_p(Span(name.capitalize(), bold=True))], buttons, decision="topics")


def none_of_these_reply(knowledge: KnowledgeBase) -> Reply:
    """After "none of these": admit it, point to the team and the topic list."""
    return topics_reply(
        knowledge,
        intro="Thanks for telling me. I don't have an answer for that; your IBD or rheumatology "
        "team, GP or pharmacist can help.",
        decision="fallback",
    )


def error_reply(knowledge: KnowledgeBase | None) -> Reply:
    """Something went wrong: say so kindly, never a traceback, and keep the reminder."""
    text = "Sorry, something went wrong on my side. Please try again in a moment."
    if knowledge is None:
        return Reply((_p(text), _p(FALLBACK_REMINDER)), decision="error")
    return _finish(knowledge, [_p(text)], decision="error")


#: Used only if the FAQ itself could not be loaded (the bot never starts without it otherwise),
#: so it can name no number from services.yaml: it names the kinds of help instead.
FALLBACK_REMINDER = (
    "Contact your doctor or specialist team the same day, or your local urgent care line if they "
    "are closed, if you have a fever, chills or other signs of infection, a sore throat or mouth "
    "ulcers, unexplained bruising or bleeding, yellow skin or eyes, dark urine, severe stomach "
    "pain, or have been near someone with chickenpox or shingles."
)


def respond(matcher: Matcher, text: str) -> Reply:
    """The whole pipeline for a free-text message: warning signs first, then matching."""
    knowledge = matcher.knowledge
    signs = detect_warning_signs(text, knowledge.signs)
    if signs is not None and signs.level == "crisis":
        return crisis_reply(knowledge, signs)
    match = matcher.match(text)
    if signs is not None and signs.level == "emergency":
        return emergency_reply(knowledge, signs, match)
    reply = _respond_to_match(knowledge, match, signs)
    if signs is None and match.decision == "fallback" and match.reason is None:
        reply = _asks_nothing_readable(matcher, text) or reply
    if knowledge.signs.distress_advice and shows_distress(text, knowledge.signs):
        # Despair short of a crisis: the answer stays, with one line of support before it.
        # Same-day advice still leads when there is any.
        support = _p(Span(knowledge.signs.distress_advice.strip(), bold=True))
        at = 1 if reply.urgent else 0
        paragraphs = (*reply.paragraphs[:at], support, *reply.paragraphs[at:])
        return replace(reply, paragraphs=paragraphs, extra={**reply.extra, "support": "yes"})
    return reply


def smalltalk_reply(knowledge: KnowledgeBase, talk: SmallTalk, *, score: float = 100.0) -> Reply:
    """A short, kind reply to chit-chat that says what to ask; the reminder still closes it."""
    paragraphs = _text_paragraphs(talk.reply)
    buttons = [Button("Browse topics", TOPICS)]
    return _finish(knowledge, paragraphs, buttons, decision="smalltalk", score=score, medical=False)


def about_reply(knowledge: KnowledgeBase, item: AboutItem, *, score: float = 100.0) -> Reply:
    """The answer to a question about the bot itself, from ``about.yaml``, closed by the reminder."""
    paragraphs = [_p(Span(item.question, bold=True)), *_text_paragraphs(item.answer)]
    buttons = [Button("Browse topics", TOPICS)]
    return _finish(
        knowledge, paragraphs, buttons, decision="about", score=score, medical=False, extra={"about": item.id}
    )


#: The reply to a message the bot cannot read (see ``bot.knowledge.about.SelfReader.unreadable``).
UNREADABLE_INTRO = (
    "Sorry, I can't read that well enough to answer: I read English. Please ask in English, even "
    "in a few simple words, or choose a topic below. Your doctor, nurse or pharmacist can help in "
    "your own language."
)


def _asks_nothing_readable(matcher: Matcher, text: str) -> Reply | None:
    """For a message the matcher could not place: abuse aimed at the bot, or a language it cannot read."""
    knowledge, reader = matcher.knowledge, matcher.self_reader
    if reader.abuse is not None and reader.is_abuse(text, only=False):
        return smalltalk_reply(knowledge, reader.abuse)
    if reader.unreadable(text):
        reply = topics_reply(knowledge, intro=UNREADABLE_INTRO)
        return replace(reply, extra={**reply.extra, "language": "unreadable"})
    return None


def _respond_to_match(knowledge: KnowledgeBase, match: Match, signs: WarningSigns | None) -> Reply:
    """The reply for what the matcher decided, with same-day advice first if there is any."""
    if match.decision == "smalltalk" and match.smalltalk is not None and signs is None:
        return smalltalk_reply(knowledge, match.smalltalk, score=match.score)
    if match.decision == "about" and match.about is not None and signs is None:
        return about_reply(knowledge, match.about, score=match.score)
    if match.decision == "answer" and match.entry_id:
        return answer_reply(knowledge, match.entry_id, signs=signs, also=match.also, score=match.score)
    if match.decision == "suggest":
        return suggest_reply(knowledge, match, signs)
    if signs is not None:
        # Urgent advice needs no FAQ entry; point to the warning-signs entry when there is one.
        warning = next((e for e in knowledge.entries if e.urgent), None)
        if warning is not None:
            return answer_reply(knowledge, warning.id, signs=signs, score=match.score)
    intro = _FALLBACK_INTROS[match.reason] if match.reason else None
    return topics_reply(knowledge, intro=intro, signs=signs, score=match.score)


#: The fallback for prescriptions, appointments, phone numbers and costs: who can help instead.
PRACTICAL_INTRO = (
    "I can't help with prescriptions, appointments, phone numbers or costs. Your pharmacy, GP "
    "surgery or hospital team can sort those out; their numbers are usually on your clinic "
    "letters or prescription label. I can answer questions about azathioprine itself: here are "
    "the topics."
)

#: The fallback for a general health question: what the bot covers, and how to ask about it.
GENERAL_INTRO = (
    "That sounds like a general health question, and I only answer questions about azathioprine "
    "(Imuran, Azasan). If you are asking because you or someone you care for takes it, please ask "
    'again and say so (for example "... on azathioprine?"), or choose a topic below. For general '
    "health questions, the NHS website, your pharmacist or GP can help."
)

#: The fallback for a question about another medicine: say why, and where the answer is.
OTHER_MEDICINE_INTRO = (
    "That sounds like a question about another medicine. I only know about azathioprine "
    "(Imuran, Azasan), so please ask your pharmacist, nurse or doctor about that one. If you "
    'take the two together, tell them, and see "Interactions" among the topics below.'
)

#: The fallback for a question about a pet: the FAQ is written for people.
ANIMAL_INTRO = (
    "That sounds like a question about an animal. My answers are written for people who take "
    "azathioprine, and animals can need very different doses and care, so please ask your vet. "
    "If your question is about your own treatment, here are the topics."
)

#: What a fallback says first, by why it picked no entry.
_FALLBACK_INTROS: dict[FallbackReason, str] = {
    "other_medicine": OTHER_MEDICINE_INTRO,
    "practical": PRACTICAL_INTRO,
    "general": GENERAL_INTRO,
    "animal": ANIMAL_INTRO,
}


# -- rendering ---------------------------------------------------------------------------------
