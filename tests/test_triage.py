"""Three levels of danger, decided before matching: crisis, emergency, same day.

Each message is in our own words; the signs themselves live in faq/signs.yaml.
"""

from __future__ import annotations

import pytest

from bot.conversation.answers import respond
from bot.presentation.reply import render_text
from bot.safety.triage import WarningSigns, detect_warning_signs
from tests.shipped import shipped_knowledge, shipped_matcher


def triage(text: str) -> WarningSigns | None:
    return detect_warning_signs(text, shipped_knowledge().signs)


def level(text: str) -> str | None:
    found = triage(text)
    return found.level if found else None


@pytest.mark.parametrize(
    "text",
    [
        "i just want to die, i cant do this anymore",
        "honestly thinking about ending my life tonight",
        "everyone would be better off without me",
        "ive been cutting myself again since the flare",
        "my son told me he wants to kill himself",
        "ive saved up my tablets to take them all at once",
        "I don't want to be here anymore",
        "quiero morir, no aguanto más",
        "some nights i lie awake thinking about ending it",
        "it would be easier for everyone if i just disappeared",
        "ive been writing letters to my kids in case",
        "thinking of taking the whole packet of my tablets tonight",
        "burnt myself again last night to feel something other than this",
    ],
)
def test_thoughts_of_suicide_or_self_harm_are_a_crisis(text: str) -> None:
    assert level(text) == "crisis"


@pytest.mark.parametrize(
    "text",
    [
        "can azathioprine cause depression or suicidal thoughts?",
        "is low mood a side effect of imuran",
        "this flare is killing me",
        "I'm dying to know if I can have a beer on aza",
        "I don't want to live like a hermit just because I'm on imuran",
        "I tried to kill myself years ago, is aza ok with sertraline?",
    ],
)
def test_questions_about_mood_and_figures_of_speech_are_not_a_crisis(text: str) -> None:
    assert level(text) != "crisis"


@pytest.mark.parametrize(
    "text",
    [
        "i've been vomiting blood this morning",
        "he is coughing up blood",
        "i keep blacking out when i stand up",
        "sharp pain across my chest and down my left arm",
        "my mum is suddenly hallucinating and seeing people who arent there",
        "black tarry poo and i feel dizzy",
        "my mum just collapsed in the kitchen",
        "I fainted at work an hour ago",
        "my little girl is floppy and hard to wake and burning hot",
        "he's having a fit and won't stop shaking",
        "I can't breathe properly and my lips are swelling",
        "my skin is blistering and peeling all over my body",
        "crushing chest pain going down my left arm",
        "my husband is suddenly confused and doesn't know where he is",
        "a rash that doesn't fade when I press a glass on it, and a stiff neck",
        "my nose has been bleeding for over an hour and won't stop",
        "my toddler swallowed some of my imuran tablets",
    ],
)
def test_emergency_signs_are_an_emergency(text: str) -> None:
    assert level(text) == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "the red hot patch on my leg is spreading",
        "diarrhoea for three days and I can't keep fluids down",
        "I accidentally took my azathioprine twice this morning",
        "waking up with the sheets soaked in sweat every night",
        "my nephew has chickenpox and I held him yesterday, now I have spots",
        "temp 38 and shivery",
    ],
)
def test_same_day_signs_are_same_day(text: str) -> None:
    assert level(text) == "same-day"


@pytest.mark.parametrize(
    "text",
    [
        "temp 38",
        "38.5 tonight",
        "a temp of 39",
        "she's 101F",
        "39 degrees and shaky",
        "thermometer says 38.2",
    ],
)
def test_a_fever_reading_in_any_wording_is_a_fever(text: str) -> None:
    found = triage(text)
    assert found is not None and "fever" in found.signs


@pytest.mark.parametrize(
    "text",
    [
        "hot and sweaty but 37.1 so fine",
        "feel hot, thermometer says 36.9",
        "its 38 degrees outside and im sweating",
    ],
)
def test_a_normal_reading_or_the_weather_calms_heat_words(text: str) -> None:
    assert triage(text) is None


def test_a_faint_long_ago_is_not_escalated() -> None:
    assert triage("I fainted once as a teenager, can I still give blood on aza?") is None


def test_an_emergency_that_is_over_still_needs_a_doctor_today() -> None:
    assert level("I fainted this morning but I'm fine now") == "same-day"


def test_an_emergency_counts_for_someone_not_on_the_medicine() -> None:
    assert level("my husband collapsed, he isn't on any meds, I'm the one on aza") == "emergency"


def test_the_most_urgent_level_leads() -> None:
    assert level("temp 39 and I want to end it all") == "crisis"
    assert level("temp 39 and now I'm vomiting blood") == "emergency"


def test_a_crisis_reply_leads_with_the_numbers_and_offers_nothing_else() -> None:
    reply = respond(shipped_matcher(), "I want to kill myself, can I take all my imuran at once?")
    first = render_text(reply).split("\n\n")[0]
    services = shipped_knowledge().services
    assert reply.urgency == "crisis" and reply.buttons == ()
    assert services["emergency_number"] in first and services["crisis_line"] in first
    assert "can't answer" not in render_text(reply) and "Sources" not in render_text(reply)


def test_an_emergency_reply_leads_with_the_emergency_number() -> None:
    reply = respond(shipped_matcher(), "my toddler swallowed some of my azathioprine tablets")
    first = render_text(reply).split("\n\n")[0]
    assert reply.urgency == "emergency"
    assert first.startswith("⚠️ Call " + shipped_knowledge().services["emergency_number"])
    assert "overdose" in [b.action.removeprefix("e:") for b in reply.buttons]


def test_a_same_day_reply_says_what_to_do_about_the_tablets() -> None:
    text = render_text(respond(shipped_matcher(), "the whites of my eyes have gone yellow"))
    assert text.startswith("⚠️") and "Tablets:" in text


def test_chickenpox_contact_says_keep_taking_the_tablets() -> None:
    text = render_text(respond(shipped_matcher(), "sat next to a kid with chickenpox yesterday"))
    assert shipped_knowledge().signs.tablets["keep"].strip() in text


def test_an_urgent_reply_never_opens_with_uncertainty() -> None:
    for text in ("vomiting blood", "temp 39", "i want to die"):
        assert not render_text(respond(shipped_matcher(), text)).startswith("I'm not completely sure")


def test_despair_short_of_a_crisis_keeps_the_answer_with_one_line_of_support() -> None:
    reply = respond(
        shipped_matcher(), "I can't cope anymore with the sickness on imuran, what helps with nausea?"
    )
    support = shipped_knowledge().signs.distress_advice.strip()
    assert reply.urgency is None and reply.entry_id == "nausea"
    assert render_text(reply).startswith(support)


def test_no_support_line_without_despair() -> None:
    reply = respond(shipped_matcher(), "what helps with nausea on imuran?")
    assert shipped_knowledge().signs.distress_advice.strip() not in render_text(reply)


# -- context read per sign, not per sentence ---------------------------------------------------


def test_a_word_for_now_after_a_past_one_brings_a_crisis_back_to_now() -> None:
    text = "had my liver transplant last year and tonight i keep thinking of ending my life"
    assert level(text) == "crisis"


def test_a_past_word_after_the_sign_still_makes_it_past() -> None:
    assert level("fainted last week and feel ok, does aza affect blood pressure?") is None


def test_an_over_word_covers_only_the_sign_just_before_it() -> None:
    text = "loads of new bruises on my legs and a nosebleed that stopped after 5 minutes"
    found = triage(text)
    assert found is not None and "bruising" in found.signs


def test_a_denied_companion_word_does_not_complete_a_sign() -> None:
    assert level("black poo since starting iron tablets, no dizziness at all, is that normal?") is None


def test_an_emergency_that_is_over_in_someone_not_on_any_medicine_is_not_urgent() -> None:
    text = "my flatmate passed out at work this morning, she is fine now and she's not on any meds"
    assert level(text) is None


def test_a_denied_crisis_word_is_not_a_crisis() -> None:
    assert level("i wouldnt say im suicidal, just worn out by this flare") is None


def test_a_span_up_to_now_is_not_the_past() -> None:
    assert level("just noticed ive been taking 3 tablets instead of 2 for the last week") == "same-day"


def test_asking_what_a_sign_means_is_not_having_it() -> None:
    assert level("what does a non blanching rash mean?") is None


def test_words_of_harm_that_are_not_a_crisis_now_still_show_the_crisis_line() -> None:
    from bot.safety.triage import shows_distress

    book = shipped_knowledge().signs
    assert shows_distress("im not suicidal, just so tired of all the appointments", book)
    assert not shows_distress("can aza cause suicidal thoughts?", book)


def test_a_crisis_from_the_past_is_back_when_the_thoughts_are_back_now() -> None:
    text = "i tried to kill myself two years ago and the same thoughts are back again tonight"
    assert level(text) == "crisis"


def test_feeling_a_burden_with_giving_up_is_a_crisis() -> None:
    assert level("i'm just a burden to everyone, it would be easier to give up") == "crisis"


def test_feeling_a_burden_alone_keeps_the_answer_with_the_crisis_line() -> None:
    from bot.safety.triage import shows_distress

    text = "i feel like a burden to my family since the flare, can aza make you tired?"
    assert level(text) is None
    assert shows_distress(text, shipped_knowledge().signs)


def test_someone_said_to_be_on_no_medicine_in_the_clause_before_is_not_the_writer() -> None:
    text = "my wife isn't on any meds. she has had a temp of 38.4 since last night. can i still take my aza?"
    assert level(text) is None


def test_a_sign_since_childhood_is_not_new() -> None:
    assert level("i've had fainting spells since i was a kid, can aza make them worse?") is None


def test_a_sign_completely_gone_is_over() -> None:
    assert level("my mouth ulcers have completely gone since i changed mouthwash") is None
