"""Composed replies: the reminder on every medical reply, escaping, splitting, short callback data."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.conversation.answers import (
    answer_reply,
    category_reply,
    error_reply,
    none_of_these_reply,
    respond,
    topics_reply,
)
from bot.conversation.replies import reply_for_action
from bot.knowledge.faq import load_knowledge
from bot.presentation.reply import Reply, render_html, render_text
from tests.faqfactory import entry_yaml, write_faq
from tests.shipped import shipped_knowledge, shipped_matcher


def reminder_tail() -> str:
    return shipped_knowledge().safety.reminder.strip().split("\n\n")[-1]


def every_kind_of_reply() -> dict[str, Reply]:
    kb = shipped_knowledge()
    matcher = shipped_matcher()
    return {
        "answer": respond(matcher, "can i drink on imuran?"),
        "suggest": respond(matcher, "is it safe"),
        "fallback": respond(matcher, "how do I reset my iphone"),
        "other medicine": respond(matcher, "side effects of tacrolimus"),
        "animal": respond(matcher, "what dose of azathioprine should i give my dog"),
        "urgent": respond(matcher, "my gums keep bleeding"),
        "button": answer_reply(kb, "missed-dose"),
        "topics": topics_reply(kb),
        "category": category_reply(kb, 0),
        "none": none_of_these_reply(kb),
        "error": error_reply(kb),
        "unknown id": answer_reply(kb, "no-such-entry"),
    }


@pytest.mark.parametrize("kind", [k for k in every_kind_of_reply() if k != "urgent"])
def test_every_medical_reply_ends_with_the_safety_reminder(kind: str) -> None:
    reply = every_kind_of_reply()[kind]
    assert reply.medical
    assert render_text(reply, numbered_buttons=False).endswith(reminder_tail())
    assert render_html(reply)[-1].endswith(reminder_tail())


def test_an_urgent_reply_has_its_advice_in_place_of_the_reminder_never_both() -> None:
    reply = every_kind_of_reply()["urgent"]
    text = render_text(reply, numbered_buttons=False)
    reminder_signs = shipped_knowledge().safety.reminder.strip().split("\n\n")[0]
    assert reply.medical and reply.urgency == "same-day"
    assert text.startswith("⚠️") and "Contact your doctor or specialist team today" in text
    assert reminder_signs not in text


def test_urgent_advice_comes_first() -> None:
    reply = respond(shipped_matcher(), "my gums keep bleeding")
    assert reply.urgent
    assert render_text(reply).startswith("⚠️")


def test_urgent_advice_comes_first_even_when_an_entry_matches() -> None:
    reply = respond(shipped_matcher(), "can i drink on imuran? I have a fever since yesterday")
    assert reply.urgent and render_text(reply).startswith("⚠️")


def test_small_talk_is_not_medical_but_still_ends_with_the_reminder() -> None:
    reply = respond(shipped_matcher(), "thanks!")
    assert reply.decision == "smalltalk" and not reply.medical
    assert render_text(reply, numbered_buttons=False).endswith(shipped_knowledge().safety.reminder.strip())


def test_answer_shows_sources_as_links_and_reviewed_date() -> None:
    html = "\n".join(render_html(answer_reply(shipped_knowledge(), "alcohol", full=True)))
    assert '<a href="https://' in html
    assert "Reviewed 2026-" in html


def test_answer_shows_who_reviewed_it_and_when_the_next_review_is_due(tmp_path: Path) -> None:
    kb = load_knowledge(write_faq(tmp_path, entry_yaml("first"))).knowledge
    assert kb is not None
    text = render_text(answer_reply(kb, "first"))
    assert "Reviewed 2026-11-27 by the test suite; next review due 2027-11-27." in text


def test_yaml_text_is_escaped_in_html(tmp_path: Path) -> None:
    folder = write_faq(tmp_path, entry_yaml("first", question="Beer & wine, < 2 glasses?"))
    kb = load_knowledge(folder).knowledge
    assert kb is not None
    html = render_html(answer_reply(kb, "first"))[0]
    assert "<b>Beer &amp; wine, &lt; 2 glasses?</b>" in html


def test_long_reply_is_split_at_paragraphs_with_reminder_last() -> None:
    kb = shipped_knowledge()
    base = answer_reply(kb, "alcohol", full=True)
    long = Reply(base.paragraphs[:1] * 60 + base.paragraphs, base.buttons)
    parts = render_html(long, limit=4096)
    assert len(parts) > 1
    assert all(len(part) <= 4096 for part in parts)
    assert parts[-1].endswith(reminder_tail())


def test_an_answer_starts_short_with_more_sources_and_warning_signs_one_tap_away() -> None:
    kb = shipped_knowledge()
    reply = answer_reply(kb, "alcohol")
    text = render_text(reply, numbered_buttons=False)
    entry = kb.get("alcohol")
    assert entry is not None and entry.short in text and entry.answer not in text
    assert [b.label for b in reply.buttons[:3]] == ["More", "Sources", "Warning signs"]
    assert len(text) <= 700


def test_more_gives_the_full_answer_and_sources_gives_the_sources() -> None:
    kb = shipped_knowledge()
    entry = kb.get("alcohol")
    assert entry is not None
    full = render_text(reply_for_action(kb, "m:alcohol") or answer_reply(kb, "x"), numbered_buttons=False)
    assert entry.answer.split("\n\n")[0] in full and "Sources:" in full
    sources = render_text(reply_for_action(kb, "s:alcohol") or answer_reply(kb, "x"), numbered_buttons=False)
    assert entry.sources[0].url in sources and "next review due" in sources


def test_urgent_and_overdose_replies_are_never_shortened() -> None:
    kb = shipped_knowledge()
    overdose = kb.get("overdose")
    assert overdose is not None
    assert overdose.answer.split("\n\n")[0] in render_text(answer_reply(kb, "overdose"))
    urgent = render_text(respond(shipped_matcher(), "can i drink on imuran? I have a fever of 39"))
    alcohol = kb.get("alcohol")
    assert alcohol is not None and alcohol.answer.split("\n\n")[0] in urgent


def test_first_messages_fit_one_phone_screen() -> None:
    kb = shipped_knowledge()
    lengths = [len(render_text(answer_reply(kb, e.id), numbered_buttons=False)) for e in kb.entries]
    shortened = [n for e, n in zip(kb.entries, lengths, strict=True) if not e.show_full]
    assert max(shortened) <= 700


def test_every_button_fits_telegram_callback_data_limit() -> None:
    kb = shipped_knowledge()
    replies = [answer_reply(kb, entry.id) for entry in kb.entries]
    replies += [category_reply(kb, i) for i in range(len(kb.categories))]
    for reply in replies + list(every_kind_of_reply().values()):
        for button in reply.buttons:
            assert 1 <= len(button.action.encode()) <= 64


def test_no_reply_gives_a_personal_dose() -> None:
    reply = respond(shipped_matcher(), "I am 52 kilo, how many mg imuran do I need?")
    assert "mg/kg" not in render_text(reply)


def test_urgent_message_without_a_clear_topic_leads_with_the_warning_signs_entry() -> None:
    reply = respond(shipped_matcher(), "my son is on aza and has a temp of 39")
    assert reply.urgent and reply.decision == "suggest"
    assert "not completely sure" not in render_text(reply)
    assert reply.buttons[0].action == "e:warning-signs"


def test_another_medicines_question_is_told_why_it_is_not_answered() -> None:
    reply = respond(shipped_matcher(), "how do I inject humira")
    text = render_text(reply)
    assert reply.decision == "fallback"
    assert "question about another medicine" in text and "pharmacist" in text
    assert "Interactions" in [b.label for b in reply.buttons]


def test_a_general_health_question_is_told_how_to_ask_about_the_medicine() -> None:
    reply = respond(shipped_matcher(), "what causes hair loss in women over 40")
    text = render_text(reply, numbered_buttons=False)
    assert reply.decision == "fallback" and reply.entry_id is None
    assert "general health question" in text and "on azathioprine" in text
    assert text.endswith(reminder_tail())


def test_a_question_about_a_pet_is_sent_to_the_vet_with_the_reminder_last() -> None:
    reply = respond(shipped_matcher(), "what dose of azathioprine should i give my dog")
    text = render_text(reply, numbered_buttons=False)
    assert reply.decision == "fallback" and reply.entry_id is None
    assert "question about an animal" in text and "vet" in text
    assert text.endswith(reminder_tail())


def test_a_practical_question_is_told_who_can_help_with_the_reminder_last() -> None:
    reply = respond(shipped_matcher(), "my repeat prescription is late, who do I ring")
    text = render_text(reply, numbered_buttons=False)
    assert reply.decision == "fallback" and reply.entry_id is None
    assert "can't help with prescriptions" in text and "pharmacy" in text
    assert text.endswith(reminder_tail())
