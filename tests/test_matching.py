"""Matching: decision bands, small talk, second topics, bounded cost, numbers, configurability."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.matching import matcher as matching
from bot.matching import rules as matching_rules
from bot.matching.matcher import Matcher
from bot.matching.model import MAX_MATCH_CHARS, WEIGHTS, Mentions, Thresholds
from tests.shipped import shipped_knowledge, shipped_matcher


def test_typical_question_with_brand_name_is_answered() -> None:
    match = shipped_matcher().match("can i drink on imuran?")
    assert (match.decision, match.entry_id) == ("answer", "alcohol")


def test_question_without_drug_name_is_answered() -> None:
    match = shipped_matcher().match("how long does it take to start working")
    assert (match.decision, match.entry_id) == ("answer", "how-long-to-work")


def test_off_topic_question_falls_back_without_picking_an_entry() -> None:
    match = shipped_matcher().match("how do I reset my iphone to factory settings")
    assert match.decision == "fallback"
    assert match.entry_id is None and match.suggestions == ()


def test_gibberish_falls_back() -> None:
    assert shipped_matcher().match("asdfgh qwerty zxcv").decision == "fallback"


def test_emoji_only_is_small_talk_not_an_entry() -> None:
    match = shipped_matcher().match("😀😀👍")
    assert match.decision == "smalltalk"
    assert match.smalltalk is not None and match.smalltalk.only_symbols


def test_greeting_is_small_talk_not_a_medical_entry() -> None:
    match = shipped_matcher().match("Hi!")
    assert match.decision == "smalltalk"
    assert match.smalltalk is not None and match.smalltalk.id == "greeting"


def test_thanks_with_typo_is_small_talk() -> None:
    match = shipped_matcher().match("thank yuo")
    assert match.decision == "smalltalk"


def test_vague_question_offers_up_to_three_suggestions() -> None:
    match = shipped_matcher().match("is it safe")
    assert match.decision in {"suggest", "fallback"}
    assert len(match.suggestions) <= 3
    assert match.entry_id is None


def test_two_questions_give_an_answer_and_the_other_topic() -> None:
    match = shipped_matcher().match("can I drink alcohol on azathioprine, and will my hair fall out?")
    assert match.decision == "answer"
    assert {match.entry_id, match.also} == {"alcohol", "hair-loss"}


def test_thresholds_are_configurable() -> None:
    never_answer = Matcher(shipped_knowledge(), Thresholds(answer=101.0, named_answer=101.0))
    assert never_answer.match("can i drink on imuran?").decision == "suggest"


def test_numbers_are_never_spell_corrected() -> None:
    assert shipped_matcher().content_words("150 mg") == ["150", "mg"]


def test_misspelt_word_is_corrected_to_the_faq_word() -> None:
    assert "pregnant" in shipped_matcher().content_words("im pregnent")


def test_only_a_bounded_prefix_of_a_long_message_is_matched() -> None:
    long_text = "can i drink on imuran? " + "blah " * 2000
    assert len(shipped_matcher().content_words(long_text)) <= MAX_MATCH_CHARS
    assert shipped_matcher().match(long_text).decision in {"answer", "suggest", "fallback"}


def test_ranking_is_best_first() -> None:
    ranked = shipped_matcher().rank("hair falling out on aza", limit=5)
    assert ranked[0].entry_id == "hair-loss"
    assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)


def test_question_about_another_medicine_alone_is_not_answered() -> None:
    match = shipped_matcher().match("what's the maximum amount of ibuprofen I can take in a day")
    assert match.decision != "answer"


def test_question_naming_only_another_medicine_is_never_answered_outright() -> None:
    match = shipped_matcher().match("is it ok to drink alcohol on methotrexate?")
    assert match.decision in {"suggest", "fallback"}


def test_another_medicine_with_azathioprine_is_still_answered() -> None:
    match = shipped_matcher().match("can I take ibuprofen with azathioprine?")
    assert (match.decision, match.entry_id) == ("answer", "drug-interactions")


def test_another_medicine_is_recognised_only_without_our_own() -> None:
    matcher = shipped_matcher()
    assert matcher.mentions("does metformin cause weight gain").another_only
    assert not matcher.mentions("metformin and imuran together?").another_only


def test_another_medicines_own_question_is_out_of_scope() -> None:
    match = shipped_matcher().match("how long should i stay on tacrolimus after a liver transplant")
    assert (match.decision, match.reason) == ("fallback", "other_medicine")
    assert match.suggestions == ()


def test_another_medicine_asked_about_with_it_is_offered_not_answered() -> None:
    match = shipped_matcher().match("is it ok to take naproxen with it?")
    assert match.decision == "suggest"
    assert "drug-interactions" in match.suggestions


def test_it_turning_into_another_medicine_is_still_ours() -> None:
    match = shipped_matcher().match("someone said it turns into 6mp inside you, is that right")
    assert match.decision == "suggest"
    assert "how-it-works" in match.suggestions


def test_mentions_tell_own_other_and_pointing_words_apart() -> None:
    matcher = shipped_matcher()
    assert matcher.mentions("imuran and prograf") == Mentions(
        own=True, other=True, refers=False, others=frozenset({"prograf"}), explicit=True
    )
    named = Mentions(own=False, other=False, refers=True, explicit=True)
    assert matcher.mentions("are my meds safe") == named
    assert matcher.mentions("is this safe") == replace(named, explicit=False)
    assert not matcher.mentions("is crohns hereditary").any


@pytest.mark.parametrize(
    "text", ["is it normal to ache after the shingles jab", "is it ok to eat spicy food with colitis"]
)
def test_an_it_that_opens_is_it_normal_to_points_at_no_medicine(text: str) -> None:
    assert not shipped_matcher().mentions(text).any
    assert shipped_matcher().match(text).decision == "fallback"


def test_is_it_safe_to_take_still_points_at_the_medicine() -> None:
    assert shipped_matcher().mentions("is it safe to take with ibuprofen").refers


@pytest.mark.parametrize(
    "text", ["is lupus hereditary? will my kids get it", "worried my kids might catch it"]
)
def test_an_it_that_ends_will_my_kids_get_it_is_the_illness(text: str) -> None:
    assert not shipped_matcher().mentions(text).any


def test_an_it_that_is_caught_in_the_middle_still_points_at_the_medicine() -> None:
    assert shipped_matcher().mentions("can the baby get it through breast milk").refers


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("few beers on these meds?", "alcohol"),
        ("gym ok on my tablets?", "diet-and-exercise"),
        ("want to stop these tablets, had enough", "stopping"),
    ],
)
def test_a_short_question_about_my_tablets_is_read_as_about_the_medicine(text: str, entry: str) -> None:
    match = shipped_matcher().match(text)
    assert (match.decision, match.entry_id) == ("answer", entry)


def test_mine_in_a_forum_reply_points_at_the_medicine() -> None:
    match = shipped_matcher().match("stopped mine after 5 years, did you taper or just stop?")
    assert shipped_matcher().mentions("stopped mine after 5 years").refers
    assert (match.decision, match.entry_id) == ("answer", "stopping")


def test_my_tablets_is_scored_as_the_medicines_name() -> None:
    assert shipped_matcher().content_words("beer on my tablets") == ["beer", "azathioprine"]


def test_condition_question_naming_no_medicine_is_out_of_scope() -> None:
    matcher = shipped_matcher()
    for text in ["what causes rheumatoid arthritis flares", "is colitis an autoimmune disease"]:
        assert matcher.match(text).decision == "fallback", text


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("which jabs should i get before backpacking in peru", "vaccines"),
        ("how long do you fast before a colonoscopy", "surgery-dental"),
    ],
)
def test_a_vaccine_or_procedure_question_naming_no_medicine_is_a_general_question(
    text: str, entry: str
) -> None:
    match = shipped_matcher().match(text)
    assert match.ranked[0].entry_id == entry
    assert (match.decision, match.reason) == ("fallback", "general")


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("which jabs should i get on imuran before backpacking in peru", "vaccines"),
        ("do i stop my tablets before a colonoscopy", "surgery-dental"),
    ],
)
def test_a_vaccine_or_procedure_question_about_the_medicine_is_answered(text: str, entry: str) -> None:
    match = shipped_matcher().match(text)
    assert (match.decision, match.entry_id) == ("answer", entry)


def test_condition_question_about_the_medicine_is_still_answered() -> None:
    match = shipped_matcher().match("why would my gastro give me imuran for crohns")
    assert (match.decision, match.entry_id) == ("answer", "crohns-and-colitis")


def test_condition_entries_are_not_suggested_without_a_medicine() -> None:
    matcher = shipped_matcher()
    for text in [
        "best stretches for stiff hands with rheumatoid arthritis",
        "how long do transplanted livers last",
    ]:
        match = matcher.match(text)
        assert not set(match.suggestions) & {"rheumatoid-arthritis-and-lupus", "organ-transplant"}, text


def test_spelling_corrections_cache_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(matching, "MAX_CACHED_CORRECTIONS", 5)
    matcher = Matcher(shipped_knowledge(), embedder=shipped_matcher().embedder)
    for n in range(12):
        matcher.content_words(f"zorblax{'q' * n}")
    assert 0 < len(matcher._corrections) <= 5
    assert matcher.content_words("imuraan alcohoool") == shipped_matcher().content_words("imuraan alcohoool")


def test_another_medicine_with_a_carers_his_tablets_is_not_called_that_medicines_question() -> None:
    assert shipped_matcher().match("can my son take calpol with his tablets").reason != "other_medicine"


def test_on_another_medicine_as_well_means_in_addition_to_ours() -> None:
    match = shipped_matcher().match("does the infection risk go up if im on infliximab as well")
    assert match.reason != "other_medicine"
    assert match.decision in {"answer", "suggest"}


def test_steroid_sparing_is_about_azathioprine() -> None:
    match = shipped_matcher().match("what does steroid-sparing actually mean")
    assert match.reason != "other_medicine"
    assert match.entry_id == "steroids-together" or "steroids-together" in match.suggestions


LONG_CONTEXT = (
    "my daughter is 14 and was diagnosed with crohns last spring, she had a bad flare over christmas "
    "and spent a week in hospital. the team have now started her on azathioprine. how long before it "
    "starts to work?"
)


def test_long_message_is_answered_when_its_one_question_names_the_leading_entry() -> None:
    match = shipped_matcher().match(LONG_CONTEXT)
    assert (match.decision, match.entry_id) == ("answer", "how-long-to-work")


def test_long_message_without_that_rule_would_only_be_suggested(monkeypatch: pytest.MonkeyPatch) -> None:
    matcher = shipped_matcher()
    monkeypatch.setattr(matching_rules, "LONG_MESSAGE_WORDS", 10_000)
    monkeypatch.setattr(matcher, "thresholds", replace(matcher.thresholds, confident=1.01))
    assert matcher.match(LONG_CONTEXT).decision == "suggest"


def test_a_close_lead_is_answered_when_the_learned_classifier_is_confident(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # With the margin out of reach, only the classifier's confidence can make this an answer.
    matcher, question = shipped_matcher(), "forgot yesterdays tablet"
    monkeypatch.setattr(matcher, "thresholds", replace(matcher.thresholds, margin=100.0, lone_margin=100.0))
    match = matcher.match(question)
    assert (match.decision, match.entry_id) == ("answer", "missed-dose")
    monkeypatch.setattr(matcher, "thresholds", replace(matcher.thresholds, confident=1.01))
    assert matcher.match(question).decision == "suggest"


def test_long_message_whose_question_points_away_from_the_leader_still_offers_the_questions_entry() -> None:
    text = (
        "the nurse covered the liver tests, sun cream, flu jab and the infection stuff at clinic today. "
        "can I have a few pints at my brothers wedding"
    )
    match = shipped_matcher().match(text)
    assert match.entry_id == "alcohol" or match.also == "alcohol" or "alcohol" in match.suggestions


def test_a_vitamin_with_azathioprine_goes_to_the_supplements_answer_not_allopurinol() -> None:
    for text in ["can i take folic acid with aza", "is cod liver oil ok on imuran"]:
        match = shipped_matcher().match(text)
        assert (match.decision, match.entry_id) == ("answer", "diet-and-exercise"), text


@pytest.mark.parametrize(
    "text",
    [
        "how long does pentasa take to work",
        "does mesalamine make you tired",
        "is wine ok with metronidazole",
        "is the pill less reliable after a stomach bug",
    ],
)
def test_other_medicines_brand_names_are_recognised(text: str) -> None:
    match = shipped_matcher().match(text)
    assert (match.decision, match.reason) == ("fallback", "other_medicine")


def test_a_childs_general_health_question_naming_no_medicine_falls_back() -> None:
    assert shipped_matcher().match("when does my baby get the rotavirus vaccine").decision == "fallback"


def test_a_carers_question_about_a_childs_azathioprine_is_still_answered() -> None:
    match = shipped_matcher().match("my son is on aza, can he have the nasal flu vaccine")
    assert (match.decision, match.entry_id) == ("answer", "vaccines")


@pytest.mark.parametrize(
    ("text", "entry_id"),
    [
        ("what is 6mp", "mercaptopurine"),
        ("whats a biologic", "biologics"),
        ("is methotrexate better", "methotrexate-comparison"),
        ("could i switch to mycophenolate instead", "mycophenolate"),
    ],
)
def test_overview_question_about_an_alternative_offers_its_entry(text: str, entry_id: str) -> None:
    match = shipped_matcher().match(text)
    assert match.decision == "suggest" and entry_id in match.suggestions


@pytest.mark.parametrize(
    "text", ["side effects of 6mp", "how do i inject my biologic", "can i drink on prednisolone"]
)
def test_an_alternatives_own_usage_question_is_still_out_of_scope(text: str) -> None:
    match = shipped_matcher().match(text)
    assert (match.decision, match.reason) == ("fallback", "other_medicine")


def test_a_question_about_children_taking_it_is_not_about_fathering_children() -> None:
    match = shipped_matcher().match("can kids take azathioprine")
    assert (match.decision, match.entry_id) == ("answer", "children")


@pytest.mark.parametrize(
    ("text", "entry_id"),
    [("my bf is on aza can we have a baby", "fertility-men"), ("wat if i 4get my tablet", "missed-dose")],
)
def test_text_speak_is_read_as_meant(text: str, entry_id: str) -> None:
    match = shipped_matcher().match(text)
    assert (match.decision, match.entry_id) == ("answer", entry_id)


def test_a_long_messages_one_question_is_offered_when_context_picks_another_entry() -> None:
    text = (
        "been on aza a month after two courses of pred, my gastro is pleased and the nurse checks my "
        "bloods every fortnight. will my hair fall out"
    )
    match = shipped_matcher().match(text)
    assert (match.decision, match.entry_id, match.also) == ("answer", "blood-tests", "hair-loss")


def test_two_questions_are_answered_even_when_context_lifts_another_entry_past_the_second() -> None:
    # The leaflet's blood tests and sun cream lift those entries above the second question's.
    text = (
        "Nurse gave me azathioprine at the hospital pharmacy after my lupus appointment, with a leaflet "
        "about blood tests and sun cream. What is this tablet and what is it normally used for?"
    )
    match = shipped_matcher().match(text)
    expected = ("answer", "what-is-azathioprine", "what-is-it-used-for")
    assert (match.decision, match.entry_id, match.also) == expected


def test_a_long_messages_one_question_is_answered_when_it_outscores_the_context() -> None:
    # The story is about stopping, which leads the whole message; the question asks what next.
    text = (
        "Three years on imuran, then my counts crashed and I was told to stop taking it straight away. "
        "The flare is back now. What other medicines are there once aza has been stopped?"
    )
    match = shipped_matcher().match(text)
    assert (match.decision, match.entry_id, match.also) == ("answer", "alternatives", "stopping")


def test_two_questions_pointing_away_from_a_clear_leader_outweigh_it() -> None:
    # The transplant team and tacrolimus make the transplant entry lead clearly on context.
    text = (
        "My husband was handed azathioprine by the transplant team along with tacrolimus and a leaflet "
        "about infections. What is this tablet and what is it normally used for?"
    )
    match = shipped_matcher().match(text)
    expected = ("answer", "what-is-azathioprine", "what-is-it-used-for")
    assert (match.decision, match.entry_id, match.also) == expected


def test_the_one_clause_that_clearly_names_the_leader_makes_it_an_answer() -> None:
    # "Will it slow healing?" names nothing clearly; the stopping-before-the-op clause does.
    text = (
        "After two years on the waiting list my shoulder surgery is in June, and I started imuran six "
        "months ago. Does imuran need stopping before the op, and if so how many weeks before? Will it "
        "slow healing?"
    )
    match = shipped_matcher().match(text)
    assert (match.decision, match.entry_id) == ("answer", "surgery-dental")


def test_the_one_clear_question_is_answered_when_it_outscores_a_leader_from_context() -> None:
    # "18 months of waiting" and "how long before" lift how-long-to-work to the top overall.
    text = (
        "My hernia repair is finally booked for July after 18 months of waiting. I have taken aza for "
        "crohns for 4 years. Does the aza need stopping before the operation, and if so how long "
        "before? Will it slow down healing?"
    )
    match = shipped_matcher().match(text)
    assert (match.decision, match.entry_id, match.also) == ("answer", "surgery-dental", "how-long-to-work")


BACKGROUND_CONDITION = "on aza for ulcerative colitis, feeling sick every morning after the tablet"


def _matcher(monkeypatch: pytest.MonkeyPatch, *, full_weight: bool, rereading: bool) -> Matcher:
    """The shipped FAQ with conditions at full keyword weight and/or never read without them."""
    if full_weight:
        monkeypatch.setattr(matching, "WEIGHTS", replace(WEIGHTS, condition_evidence=1.0))
    never = Thresholds(context_slack=-100.0, context_doubt=-100.0, context_lead=1000.0)
    thresholds = Thresholds() if rereading else never
    return Matcher(shipped_knowledge(), thresholds, embedder=shipped_matcher().embedder)


def test_a_condition_named_as_background_does_not_decide_the_topic() -> None:
    match = shipped_matcher().match(BACKGROUND_CONDITION)
    assert (match.decision, match.entry_id) == ("answer", "nausea")


def test_a_condition_at_full_weight_would_lead(monkeypatch: pytest.MonkeyPatch) -> None:
    matcher = _matcher(monkeypatch, full_weight=True, rereading=False)
    assert matcher.match(BACKGROUND_CONDITION).ranked[0].entry_id == "crohns-and-colitis"


def test_reading_without_the_condition_finds_the_question(monkeypatch: pytest.MonkeyPatch) -> None:
    matcher = _matcher(monkeypatch, full_weight=True, rereading=True)
    assert matcher.match(BACKGROUND_CONDITION).entry_id == "nausea"


def test_a_question_about_the_condition_itself_keeps_the_condition_entry() -> None:
    match = shipped_matcher().match("does azathioprine work for lupus")
    assert (match.decision, match.entry_id) == ("answer", "rheumatoid-arthritis-and-lupus")


def test_a_condition_entry_gives_way_when_the_rest_of_the_message_clearly_prefers_another(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The kidney transplant leads by far overall; read without it, the question is a missed dose.
    matcher = shipped_matcher()
    question = "my husband takes aza for his kidney transplant, what happens if he forgets a dose"
    only_the_lead = replace(matcher.thresholds, context_slack=-100.0, context_doubt=-100.0)
    monkeypatch.setattr(matcher, "thresholds", only_the_lead)
    assert matcher.match(question).entry_id == "missed-dose"
    monkeypatch.setattr(matcher, "thresholds", replace(only_the_lead, context_lead=1000.0))
    assert matcher.match(question).entry_id == "organ-transplant"


def test_a_condition_entry_only_slightly_ahead_of_the_question_is_offered_with_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    question = "ulcerative colitis here, on aza, can i get pregnant"
    without = _matcher(monkeypatch, full_weight=False, rereading=False)
    assert without.match(question).entry_id == "crohns-and-colitis"
    matcher = shipped_matcher()
    # Only the scores overall, not how clearly the rest prefers pregnancy (which answers it).
    monkeypatch.setattr(matcher, "thresholds", replace(matcher.thresholds, context_lead=1000.0))
    match = matcher.match(question)
    assert match.decision == "suggest"
    assert match.suggestions[:2] == ("crohns-and-colitis", "pregnancy")


def test_a_condition_named_beside_a_clear_question_gives_way_to_it() -> None:
    match = shipped_matcher().match("ulcerative colitis here, on aza, can i get pregnant")
    assert (match.decision, match.entry_id) == ("answer", "pregnancy")


def test_a_condition_named_beside_a_side_effect_question_does_not_count_as_a_close_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    matcher, question = shipped_matcher(), "hair falling out, is it the imuran or my colitis"
    assert matcher.match(question).ranked[1].entry_id == "crohns-and-colitis"
    assert (matcher.match(question).decision, matcher.match(question).entry_id) == ("answer", "hair-loss")
    # Measured against the condition's entry, the lead is too small to answer.
    monkeypatch.setattr(matcher, "_lifted_by_background", lambda *_: frozenset())
    assert matcher.match(question).decision == "suggest"


def test_the_medicine_s_name_beside_a_question_does_not_make_an_overview_entry_a_close_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    matcher, question = shipped_matcher(), "aza and beer?"
    assert matcher.match(question).ranked[1].entry_id == "what-is-azathioprine"
    assert (matcher.match(question).decision, matcher.match(question).entry_id) == ("answer", "alcohol")
    # Measured against the overview entry, the lead is too small to answer.
    monkeypatch.setattr(matcher, "_lifted_by_background", lambda *_: frozenset())
    assert matcher.match(question).decision == "suggest"


def test_an_overview_question_still_gets_the_overview_entry() -> None:
    match = shipped_matcher().match("what is azathioprine exactly?")
    assert (match.decision, match.entry_id) == ("answer", "what-is-azathioprine")


def test_markup_in_a_message_does_not_hide_my_tablets() -> None:
    assert shipped_matcher().mentions("beer on my <b>tablets</b>?").explicit


def test_lab_shorthand_is_read_as_the_faq_s_words() -> None:
    assert shipped_matcher().content_words("wbc low again") == shipped_matcher().content_words(
        "white count low again"
    )


def _answer_only_when_far_ahead() -> Matcher:
    # Nothing reaches the ordinary answer score and no lead is wide enough without the medicine
    # named, so only a message naming it with a wide lead can answer.
    thresholds = Thresholds(answer=101.0, lone_margin=100.0)
    return Matcher(shipped_knowledge(), thresholds, embedder=shipped_matcher().embedder)


@pytest.mark.parametrize("text", ["can i drink on imuran?", "can i drink on my tablets?"])
def test_a_wide_lead_answers_a_message_that_names_the_medicine(text: str) -> None:
    match = _answer_only_when_far_ahead().match(text)
    assert (match.decision, match.entry_id) == ("answer", "alcohol")


def test_a_wide_lead_needs_more_than_a_bare_it() -> None:
    # "Is it safe to dye my hair when pregnant?": "it" may point at nothing at all.
    assert _answer_only_when_far_ahead().match("can i drink on it?").decision == "suggest"


def test_a_short_question_far_ahead_of_every_other_entry_is_answered() -> None:
    # About 60 against 32 for the next entry: a short message scores low, but nothing else is near.
    match = shipped_matcher().match("can it give you loose stools")
    assert (match.decision, match.entry_id) == ("answer", "common-side-effects")


def test_a_message_naming_nothing_needs_the_whole_lone_margin_to_be_answered() -> None:
    text = "can it give you loose stools"
    best, second = shipped_matcher().rank(text, limit=2)
    lead = best.score - second.score

    def decision(lone_margin: float) -> str:
        # With the answer score out of reach, only a wide lead can answer.
        thresholds = Thresholds(answer=101.0, lone_margin=lone_margin)
        matcher = Matcher(shipped_knowledge(), thresholds, embedder=shipped_matcher().embedder)
        return matcher.match(text).decision

    assert (decision(lead), decision(lead + 0.5)) == ("answer", "suggest")


def test_how_wide_a_lead_answers_is_configurable() -> None:
    thresholds = Thresholds(answer=101.0, named_margin=100.0, lone_margin=100.0)
    matcher = Matcher(shipped_knowledge(), thresholds, embedder=shipped_matcher().embedder)
    assert matcher.match("can i drink on imuran?").decision == "suggest"


@pytest.mark.parametrize(
    "text", ["what is shingles", "how many units of alcohol a week is safe", "how does the flu jab work"]
)
def test_a_general_health_question_naming_no_medicine_or_person_falls_back(text: str) -> None:
    match = shipped_matcher().match(text)
    assert (match.decision, match.reason, match.entry_id) == ("fallback", "general", None)


@pytest.mark.parametrize(
    ("text", "entry_id"),
    [
        ("what is shingles? i'm on azathioprine", "chickenpox-shingles-exposure"),
        ("how much alcohol can my husband drink", "alcohol"),
        ("what are the warning signs", "warning-signs"),
    ],
)
def test_a_general_opener_about_the_medicine_a_person_or_a_treatment_gets_its_entry(
    text: str, entry_id: str
) -> None:
    match = shipped_matcher().match(text)
    assert match.reason != "general"
    assert entry_id in (match.entry_id, *match.suggestions[:1])


def test_a_man_taking_it_asking_about_a_baby_gets_the_fathering_entry_with_pregnancy_offered() -> None:
    match = shipped_matcher().match("my fiance is on azathioprine, could it hurt the baby if I fall pregnant")
    assert (match.decision, match.entry_id, match.also) == ("answer", "fertility-men", "pregnancy")


def test_a_woman_taking_it_asking_about_a_baby_gets_the_pregnancy_entry() -> None:
    match = shipped_matcher().match("I take azathioprine and want to get pregnant, is that ok")
    assert (match.decision, match.entry_id) == ("answer", "pregnancy")


@pytest.mark.parametrize(
    ("text", "entry_id"),
    [
        ("my husband is on aza, can he have the flu jab", "vaccines"),
        ("im a guy on imuran, can i drink beer", "alcohol"),
    ],
)
def test_who_takes_it_does_not_pull_a_far_behind_entry_forward(text: str, entry_id: str) -> None:
    match = shipped_matcher().match(text)
    assert (match.decision, match.entry_id) == ("answer", entry_id)


def test_who_takes_it_only_settles_a_call_between_related_entries() -> None:
    match = shipped_matcher().match(
        "husband is on azathioprine after a kidney transplant. does he need to avoid people with colds?"
    )
    assert (match.entry_id or match.suggestions[0]) == "infection-risk"


def test_asking_whether_it_is_only_for_one_condition_is_about_its_uses() -> None:
    match = shipped_matcher().match("is it only given to transplant patients or for other things too")
    assert (match.decision, match.entry_id) == ("answer", "what-is-it-used-for")


def test_only_beside_steroids_stays_with_the_steroids_entry() -> None:
    match = shipped_matcher().match("do i take steroids only for flares while on aza")
    assert (match.decision, match.entry_id) == ("answer", "steroids-together")


def test_asking_if_one_counts_as_immunocompromised_is_about_infection_risk() -> None:
    match = shipped_matcher().match("would I count as immunocompromised on imuran?")
    assert (match.decision, match.entry_id) == ("answer", "infection-risk")


def test_staying_away_from_people_is_not_about_staying_on_the_medicine() -> None:
    match = shipped_matcher().match(
        "my wife is on aza for her new liver, should she stay away from people with colds"
    )
    assert match.entry_id != "stopping" and "stopping" not in match.suggestions[:1]


@pytest.mark.parametrize(
    ("text", "entry_id"),
    [
        ("how many mg should I be on, I'm about 70 kilos", "dose"),
        ("feel sicky after my tablets", "nausea"),
    ],
)
def test_everyday_words_for_weight_and_nausea_find_their_entry(text: str, entry_id: str) -> None:
    match = shipped_matcher().match(text)
    assert (match.decision, match.entry_id) == ("answer", entry_id)


@pytest.mark.parametrize("text", ["put on weight since starting imuran", "has aza made me gain weight"])
def test_putting_on_weight_is_a_side_effect_question(text: str) -> None:
    match = shipped_matcher().match(text)
    assert (match.decision, match.entry_id) == ("answer", "common-side-effects")


def test_stopping_cold_turkey_is_about_stopping() -> None:
    match = shipped_matcher().match("can i come off aza cold turkey")
    assert (match.decision, match.entry_id) == ("answer", "stopping")


def test_people_with_colds_do_not_point_at_stopping_cold_turkey() -> None:
    match = shipped_matcher().match("my dad is on imuran, should he keep away from people with colds")
    assert "stopping" not in [c.entry_id for c in match.ranked[:3]]


def test_the_nurse_who_gave_advice_does_not_point_at_breastfeeding() -> None:
    match = shipped_matcher().match("my ibd nurse said my white count is fine, is that normal on aza")
    assert "breastfeeding" not in [c.entry_id for c in match.ranked[:3]]


def test_to_nurse_a_baby_still_means_breastfeeding() -> None:
    match = shipped_matcher().match("can i still nurse my baby on azathioprine")
    assert (match.decision, match.entry_id) == ("answer", "breastfeeding")


@pytest.mark.parametrize(
    ("text", "entry_id"),
    [
        ("quais são os efeitos colaterais da azatioprina?", "common-side-effects"),
        ("czy mogę pić alkohol biorąc azatioprynę", "alcohol"),
        ("estoy embarazada, puedo seguir con la azatioprina?", "pregnancy"),
    ],
)
def test_key_words_in_patients_own_languages_find_their_entry(text: str, entry_id: str) -> None:
    match = shipped_matcher().match(text)
    assert (match.decision, match.entry_id) == ("answer", entry_id)


def test_a_practical_matter_falls_back_without_an_entry() -> None:
    match = shipped_matcher().match("is azathioprine expensive, what does it cost")
    assert (match.decision, match.reason, match.suggestions) == ("fallback", "practical", ())


def test_a_complaint_about_the_service_is_a_practical_matter() -> None:
    match = shipped_matcher().match("my surgery keeps being postponed, who do I complain to?")
    assert (match.decision, match.reason) == ("fallback", "practical")


@pytest.mark.parametrize(
    "text",
    ["what dose of azathioprine should i give my dog", "my vet mentioned imuran for our cat, is it safe"],
)
def test_a_question_about_an_animal_falls_back_for_the_vet(text: str) -> None:
    match = shipped_matcher().match(text)
    assert (match.decision, match.reason, match.suggestions) == ("fallback", "animal", ())


@pytest.mark.parametrize(
    "text",
    [
        "sick as a dog after every dose, is that normal on aza",
        "we have two cats and a big garden, any germs to worry about on aza",
    ],
)
def test_an_animal_in_passing_does_not_make_a_patient_s_question_the_vet_s(text: str) -> None:
    assert shipped_matcher().match(text).reason != "animal"


def test_it_beside_another_medicine_means_that_medicine() -> None:
    match = shipped_matcher().match("does it take long for infliximab to kick in")
    assert (match.decision, match.reason) == ("fallback", "other_medicine")


def test_my_dose_beside_another_medicine_means_that_medicine() -> None:
    match = shipped_matcher().match("my tacrolimus level came back at 12, should I reduce my dose myself?")
    assert (match.decision, match.reason) == ("fallback", "other_medicine")


def test_my_dose_with_our_medicine_named_is_still_ours() -> None:
    match = shipped_matcher().match("on tacrolimus and aza, should I reduce my dose myself?")
    assert match.reason != "other_medicine" and "dose" in (match.entry_id, *match.suggestions)


def test_a_pill_organiser_is_a_box_not_the_medicine() -> None:
    matcher = shipped_matcher()
    assert not matcher.mentions("i mixed up my pill organiser").refers
    assert matcher.mentions("i mixed up my pills").refers


def test_too_much_from_a_muddled_pill_organiser_is_an_overdose_question() -> None:
    match = shipped_matcher().match("filled my pill organiser wrong and took 100mg instead of 50mg, what now")
    assert (match.decision, match.entry_id) == ("answer", "overdose")


def test_asking_whether_it_is_a_steroid_asks_what_kind_of_drug_it_is() -> None:
    match = shipped_matcher().match("is aza a steroid then?")
    assert (match.decision, match.entry_id) == ("answer", "what-is-azathioprine")


def test_a_steroid_sparing_drug_is_still_the_steroids_entry() -> None:
    match = shipped_matcher().match("is azathioprine a steroid sparing drug")
    assert (match.decision, match.entry_id) == ("answer", "steroids-together")


def test_i_work_as_names_a_job_not_whether_the_medicine_works() -> None:
    # The transplant is background; "work" must not make it a question about its role.
    text = (
        "my husband had a kidney transplant and takes imuran, I work in a primary school, "
        "what should I do differently at home"
    )
    match = shipped_matcher().match(text)
    assert (match.decision, match.entry_id) == ("answer", "infection-risk")


def test_a_job_beside_does_it_work_for_still_asks_about_the_role() -> None:
    match = shipped_matcher().match("I work nights, does imuran work for lupus?")
    assert (match.decision, match.entry_id) == ("answer", "rheumatoid-arthritis-and-lupus")


def test_any_good_for_a_condition_asks_about_its_role_in_it() -> None:
    match = shipped_matcher().match(
        "is imuran any good for rheumatoid arthritis or has it been replaced by newer stuff"
    )
    assert (match.decision, match.entry_id) == ("answer", "rheumatoid-arthritis-and-lupus")


def test_my_tablets_beside_another_medicine_still_mean_ours() -> None:
    assert shipped_matcher().match("can I take ibuprofen with my tablets").reason != "other_medicine"


def test_with_it_beside_another_medicine_still_means_ours() -> None:
    match = shipped_matcher().match("is ibuprofen ok while on it")
    assert match.decision == "suggest" and "drug-interactions" in match.suggestions


def test_comparing_phrasings_of_a_shortlist_only_keeps_the_decisions(monkeypatch: pytest.MonkeyPatch) -> None:
    questions = [
        "can i drink on imuran?",
        "how long before aza starts working",
        "my hair is falling out since starting azathioprine",
        "is it safe to have the flu jab",
        "what is the tpmt test for",
        "who won the football",
    ]
    matcher = shipped_matcher()
    everything = [matcher.match(q) for q in questions]
    all_scores = [matcher.scores(q) for q in questions]
    monkeypatch.setattr(matching, "FUZZY_SHORTLIST", 8)
    shortlisted = [matcher.match(q) for q in questions]
    assert [(m.decision, m.entry_id, m.suggestions) for m in shortlisted] == [
        (m.decision, m.entry_id, m.suggestions) for m in everything
    ]
    # It did shortlist: entries left out of the fuzzy comparison scored lower.
    assert any((matcher.scores(q) != s).any() for q, s in zip(questions, all_scores, strict=True))


def test_a_short_clause_far_ahead_of_the_rest_counts_as_a_second_question() -> None:
    # With the second-topic bar out of reach, only a clause's lead can make it a clear winner.
    question = "can I drink alcohol on azathioprine, and will my hair fall out?"
    embedder = shipped_matcher().embedder
    leading = Matcher(shipped_knowledge(), Thresholds(second_topic=100.0), embedder=embedder)
    assert (leading.match(question).entry_id, leading.match(question).also) == ("alcohol", "hair-loss")
    strict = Thresholds(second_topic=100.0, clause_lead=100.0)
    assert Matcher(shipped_knowledge(), strict, embedder=embedder).match(question).also is None


def test_another_medicine_with_it_is_not_marked_down_as_that_medicines_question() -> None:
    match = shipped_matcher().match("is it ok to take naproxen with it")
    assert match.decision == "suggest" and match.score >= Thresholds().suggest


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("aza for crohns?", "crohns-and-colitis"),
        ("imuran for lupus?", "rheumatoid-arthritis-and-lupus"),
        ("imuran for eczema", "what-is-it-used-for"),
    ],
)
def test_a_condition_with_nothing_else_is_the_topic(question: str, entry: str) -> None:
    match = shipped_matcher().match(question)
    assert (match.decision, match.entry_id) == ("answer", entry)


def test_is_it_safe_with_another_medicine_still_means_ours() -> None:
    match = shipped_matcher().match("is it safe with ibuprofen")
    assert match.decision == "suggest" and "drug-interactions" in match.suggestions


def test_take_it_with_another_medicine_still_means_ours() -> None:
    match = shipped_matcher().match("can i take it with infliximab")
    assert match.decision == "suggest" and match.reason != "other_medicine"


def test_my_dose_points_at_the_persons_own_medicine() -> None:
    assert shipped_matcher().mentions("can i change my dose").refers
    assert shipped_matcher().match("can i change my dose").decision != "fallback"


@pytest.mark.parametrize(
    ("question", "entry"),
    [("what is this tablet for", "what-is-it-used-for"), ("what is azathioprine", "what-is-azathioprine")],
)
def test_what_is_it_for_asks_its_uses_not_what_it_is(question: str, entry: str) -> None:
    match = shipped_matcher().match(question)
    assert (match.decision, match.entry_id) == ("answer", entry)


def test_each_question_of_a_numbered_list_is_read() -> None:
    match = shipped_matcher().match(
        "quick ones 1) is it ok to have a pint on aza 2) does it make your hair thin"
    )
    # The two score within a point of each other: which is answered and which offered may swap.
    assert match.decision == "answer"
    assert {match.entry_id, match.also} == {"alcohol", "hair-loss"}
