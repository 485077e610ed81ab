"""Warning-sign detection: signs described as happening now are urgent; others are not."""

from __future__ import annotations

import pytest

from bot.safety.triage import WarningSigns
from bot.safety.triage import detect_warning_signs as detect
from tests.shipped import shipped_knowledge


def detect_warning_signs(text: str) -> WarningSigns | None:
    """The shipped signs file's verdict on ``text``."""
    return detect(text, shipped_knowledge().signs)


@pytest.mark.parametrize(
    "text",
    [
        "I feel hot and shivery",
        "my gums keep bleeding",
        "my wee is the colour of cola",
        "my son is on aza and has a temperature of 38.9",
        "whites of my eyes look a bit yellow today",
        "sat next to a kid with chicken pox at the party yesterday",
        "got a really sore throat and mouth ulcers",
        "tiny purple spots all over my legs",
        "severe stomach pain going through to my back",
        "been throwing up all night and can't keep anything down",
        "I'm so breathless walking up the stairs",
        "found a new lump in my neck",
        "loads of bruises and I don't know where from",
        "my stools are black and tarry since yesterday",
        "black runny poo today",
        "burnin up and shaky tonight",
        "my throats killin me",
        "I'm out of breath after climbing the stairs",
        "my dog has a rash and I have a fever",
        "she's boiling hot and shaky",
        "38.6 this evening and I feel awful",
        "really bad throat pain since yesterday",
        "throat is totally raw today",
        "I can barely swallow, started aza last week",
        # Someone else not on it, or asking ahead of time, does not cancel the writer's own sign.
        "my husband has a fever, he's not on aza, but I have a sore throat",
        "I have a fever. my husband isn't on it though",
        "gums bleeding since yesterday, no symptoms yet otherwise",
        "I've got a temp of 38.5 and chills. just curious if I should call",
        # "Never used to" says the sign is new.
        "my gums bleed every time I brush now, never used to",
        "im yellow and itchy",
        "im peeing brown",
        "my tummy is killing me",
        "spots on my legs that dont fade when pressed",
        # Someone close is named, but the sign is the writer's own.
        "my husband has noticed I'm yellow, I'm on aza",
        "my partner has a cold and now I have a sore throat, im on aza",
        "my husband has a fever, he's on aza",
        "my son has chickenpox and im on aza",
    ],
)
def test_sign_described_now_is_urgent(text: str) -> None:
    assert detect_warning_signs(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "no fever or anything, just wondering about alcohol",
        "I don't have a sore throat",
        "had shingles years ago, can I still take it?",
        "bad nosebleeds 3 yrs ago, fine since",
        "I used to get mouth ulcers before I started aza",
        "red pee turned out to be beetroot, panic over",
        "is peeing dark a side effect?",
        "my tummy was killing me last week, fine now",
        "I bruise easily anyway cos I'm clumsy",
        "mouth ulcers were bad in my flare but they've healed up now",
        "why does chickenpox matter so much for people on azathioprine",
        # Someone close has the sign and the writer is the one on the medicine.
        "my partner has a cold and a sore throat. I'm on aza and feel fine",
        "my husband tested positive for covid yesterday and im on azathioprine",
        "what if I get a fever?",
        "what symptoms should I look out for on imuran?",
        "can azathioprine cause bruising?",
        "can I have the shingles vaccine?",
        "when should I call my doctor?",
        "can I drink on imuran?",
        "cut my finger, bled a bit then stopped like normal",
        "only noticed today when I saw the full blister pack",
        "i can barely swallow the tablets, they are huge",
        "the travel clinic mentioned yellow fever and typhoid",
        "why is being near someone with shingles such a big deal?",
        "why do doctors make such a fuss about a temperature on this drug?",
        "which side effects are most commonly reported, are allergic reactions common?",
        "I've read some people get fever and aches at the start, how would I know?",
        "my sister has shingles but I haven't seen her since christmas",
        "what counts as a high temperature on azathioprine?",
        "I've always bruised easily, is that a problem on aza?",
        "my mum had yellow eyes decades ago, does it matter for aza",
        "had a sore throat last week, it's fine now",
        "what reading counts as a fever for someone on imuran",
        "is bruising something to worry about on aza? none yet, just asking",
        "the lump on my arm was scanned and it's benign, do I need to tell my aza team",
        "out of breath after my run this morning, totally normal",
        "our dog keeps being sick, any ideas",
        "my son weighs 38.5 kg, is his dose right",
        "my housemate has flu but she isn't on aza",
        "got a rash back in june after starting, they switched me to something else",
        "what is chickenpox",
        "my friend got fevers on it at first, she's fine now",
    ],
)
def test_negated_past_hypothetical_general_or_contactless_mention_is_not_urgent(text: str) -> None:
    assert detect_warning_signs(text) is None


def test_swollen_face_is_an_emergency() -> None:
    signs = detect_warning_signs("my lips and face are swollen")
    assert signs is not None and signs.emergency


def test_fever_is_urgent_but_not_an_emergency() -> None:
    signs = detect_warning_signs("I have a fever")
    assert signs is not None and not signs.emergency
    assert signs.signs == ("fever",)


def test_sign_in_a_later_sentence_is_found_after_a_negated_one() -> None:
    assert detect_warning_signs("No fever. But my eyes have gone yellow.") is not None


def test_a_sign_of_someone_not_on_any_medicine_is_not_urgent() -> None:
    text = "my dad has a fever, he's not on any medication, can I still visit him?"
    assert detect_warning_signs(text) is None


def test_someone_not_on_any_other_medicine_still_gets_urgent_advice() -> None:
    signs = detect_warning_signs("my son has a high temperature, he isn't on any other tablets")
    assert signs is not None and "fever" in signs.signs


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        ("38.4 temp this evening, should I ring someone", "fever"),
        ("his forehead is hot to the touch and he's on aza", "fever"),
        ("my throat feels like broken glass", "sore throat"),
        ("there are white patches on my tonsils", "sore throat"),
        ("tummy pain is 8 out of 10 tonight", "severe stomach pain"),
        ("i've been sick several times this morning", "vomiting or diarrhoea that won't stop"),
        ("a lump in my groin that wasn't there last year", "a new lump"),
        ("stomach pain is 9/10, started imuran last month", "severe stomach pain"),
        ("sore throat since last week", "sore throat"),
        ("spent the day with my nephew who has chickenpox, haven't seen my gp yet", "chickenpox or shingles"),
    ],
)
def test_sign_in_other_words_is_urgent(text: str, sign: str) -> None:
    signs = detect_warning_signs(text)
    assert signs is not None and sign in signs.signs


@pytest.mark.parametrize(
    "text",
    [
        "I have a fever, is it a side effect of aza",
        "my gums are bleeding, could it be the aza causing it",
        "got a sore throat, am I more prone to infections now",
        "had shingles years ago, now I have a rash",
    ],
)
def test_a_sign_reported_beside_a_general_question_is_still_urgent(text: str) -> None:
    assert detect_warning_signs(text) is not None


@pytest.mark.parametrize(
    "text",
    ["dark urine a warning sign on aza?", "why all the bruising warnings?"],
)
def test_asking_whether_a_sign_is_a_warning_sign_is_not_urgent(text: str) -> None:
    assert detect_warning_signs(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "I have dark urine is that a warning sign",
        "my son has yellow eyes, is that a warning sign?",
        "yellow eyes red flag?",
        "bruising warning sign?",
    ],
)
def test_a_sign_reported_with_the_words_warning_sign_is_still_urgent(text: str) -> None:
    assert detect_warning_signs(text) is not None


def test_a_sign_last_winter_is_over() -> None:
    assert detect_warning_signs("last winter I had a high fever and ended up in hospital") is None


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        ("I'm freezing cold one minute and boiling the next", "fever"),
        ("my teeth are chattering and I can't get warm", "fever"),
        ("the doctor started me on febuxostat last month and now I'm bruising everywhere", "bruising"),
    ],
)
def test_chills_and_a_sign_after_a_new_medicine_are_urgent(text: str, sign: str) -> None:
    signs = detect_warning_signs(text)
    assert signs is not None and sign in signs.signs


@pytest.mark.parametrize(
    "text",
    [
        "what should I look out for? like a fever, bruising, that sort of thing?",
        "temp was 37.4 this morning, is that ok?",
        "is yellow skin a sign of liver trouble on imuran?",
        "my brother has shingles but I haven't been anywhere near him",
        "fell off a ladder and bruised my arm, do you bruise more easily on aza?",
        "the leaflet says to report unusual bleeding, what counts?",
        "what does a shingles rash look like?",
        "what's the rule on chickenpox while on imuran?",
        "had jaundice at birth, does that matter for aza?",
        "do you bleed more easily on azathioprine?",
        "what does an allergic reaction to azathioprine usually look like?",
        "38, Crohn's for 10 years, can I have wine on aza",
    ],
)
def test_a_list_a_normal_reading_a_cause_or_a_general_question_is_not_urgent(text: str) -> None:
    assert detect_warning_signs(text) is None


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        ("mi padre tiene fiebre y escalofríos desde anoche", "fever"),
        ("minha filha está com febre alta", "fever"),
        ("mam gorączkę od wczoraj", "fever"),
        ("tengo los ojos amarillos", "yellow skin or eyes"),
    ],
)
def test_a_sign_written_in_spanish_portuguese_or_polish_is_urgent(text: str, sign: str) -> None:
    signs = detect_warning_signs(text)
    assert signs is not None and sign in signs.signs


@pytest.mark.parametrize(
    "text", ["no tengo fiebre, es solo una pregunta", "não tenho febre", "nie mam gorączki"]
)
def test_a_negated_sign_in_another_language_is_not_urgent(text: str) -> None:
    assert detect_warning_signs(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "I had a rash but it went away",
        "she had a temperature but she's fine now",
        "my dad isn't on any meds, he has a temperature",
        "my wife has a fever but she's not the one on aza, I am",
        "does a bruise from walking into a door count as a warning sign?",
    ],
)
def test_a_sign_over_by_now_or_of_someone_not_on_it_is_not_urgent(text: str) -> None:
    assert detect_warning_signs(text) is None


def test_a_sign_now_beside_another_that_is_over_is_still_urgent() -> None:
    assert detect_warning_signs("I have a fever but my rash has gone now") is not None


def test_asking_about_a_covid_booster_is_not_having_covid() -> None:
    assert detect_warning_signs("can i have the covid booster") is None


@pytest.mark.parametrize(
    "text",
    [
        "bruised my hip on the bed frame getting up in the dark",
        "there was an ulcer in my mouth a while back, it's long gone",
        "my pee was dark this morning but I hadn't drunk much, it's back to normal now",
        "feeling hot and sweaty in this heatwave, my thermometer says 36.9",
    ],
)
def test_a_bump_a_sign_that_is_over_or_a_normal_reading_is_not_urgent(text: str) -> None:
    assert detect_warning_signs(text) is None


def test_looking_very_yellow_is_urgent() -> None:
    signs = detect_warning_signs("my dad looks very yellow today, he takes imuran")
    assert signs is not None and "yellow skin or eyes" in signs.signs


@pytest.mark.parametrize(
    "text",
    [
        "hot and shivery tonight and my thermometer says 36.9",
        "burning up, temp was 37.2 earlier and now it's 38.6",
        "fever since last night, paracetamol helped and it's back to normal now",
        "had a fever last night, took paracetamol and it went away",
    ],
)
def test_chills_a_fever_reading_or_a_fever_kept_down_by_paracetamol_stays_urgent(text: str) -> None:
    signs = detect_warning_signs(text)
    assert signs is not None and "fever" in signs.signs


def test_a_cause_named_earlier_in_the_sentence_explains_the_bruise() -> None:
    assert detect_warning_signs("banged my arm on the door, now there's a big bruise") is None


def test_asking_whether_a_bruise_is_normal_still_gets_urgent_advice() -> None:
    assert detect_warning_signs("is this a normal bruise on aza") is not None


def test_a_face_puffing_up_and_a_tight_throat_is_an_emergency() -> None:
    signs = detect_warning_signs("my lips are puffing up and my throat feels tight")
    assert signs is not None and signs.emergency


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        ("purple blotches came up on my legs overnight", "red or purple spots"),
        ("my period is way heavier than usual since starting aza", "bleeding"),
        ("on imuran and my period won't stop, it's been 12 days", "bleeding"),
    ],
)
def test_purple_blotches_and_unusually_heavy_periods_are_urgent(text: str, sign: str) -> None:
    signs = detect_warning_signs(text)
    assert signs is not None and sign in signs.signs


@pytest.mark.parametrize(
    "text",
    [
        "nosebleed that hasn't stopped after 20 minutes, I'm on aza",
        "my gums have been bleeding and it still hasn't stopped in an hour",
        "bruises all over my legs, they're not back to normal",
    ],
)
def test_a_sign_that_has_not_stopped_is_urgent(text: str) -> None:
    assert detect_warning_signs(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "got a mouth ulcer from biting my cheek at lunch",
        "nosebleed after picking my nose, stopped in a minute",
        "is 37.2 a fever? I feel fine",
        "my wee was dark after the gym, it's clear again now",
        "did anyone get a sore throat in their first month on it?",
    ],
)
def test_a_known_cause_a_normal_reading_a_sign_cleared_or_a_question_to_others_is_not_urgent(
    text: str,
) -> None:
    assert detect_warning_signs(text) is None


@pytest.mark.parametrize("text", ["temp 37.9 and feverish tonight", "is 37.2 a fever? I feel shivery"])
def test_feeling_feverish_beside_a_normal_reading_stays_urgent(text: str) -> None:
    signs = detect_warning_signs(text)
    assert signs is not None and "fever" in signs.signs


def test_asking_whether_periods_get_heavier_on_it_is_not_urgent() -> None:
    assert detect_warning_signs("do periods get heavier on aza?") is None


def test_an_age_just_before_a_fever_is_not_a_normal_reading() -> None:
    signs = detect_warning_signs("my dad is 95 with a fever, he's on aza")
    assert signs is not None and "fever" in signs.signs
