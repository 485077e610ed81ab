"""Normalisation: what every message and phrasing goes through before scoring."""

from __future__ import annotations

from typing import Any

import pytest

from bot.knowledge.textnorm import Normaliser, fold, stem
from bot.safety.triage import detect_warning_signs
from tests.fake_telegram import FakeTelegram
from tests.shipped import shipped_knowledge
from tests.test_telegram_bot import say, text_of

#: Invisible characters people paste or phones insert: soft hyphen, zero-width space, non-joiner,
#: joiner, word joiner, byte-order mark, a left-to-right mark, a right-to-left override.
INVISIBLE = ("\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e", "\u202e")


def normaliser() -> Normaliser:
    vocabulary = shipped_knowledge().vocabulary
    return Normaliser(vocabulary.synonyms, vocabulary.ignore)


def test_fold_applies_nfkc_and_case_folding() -> None:
    assert fold("\uff29\uff2d\uff35\uff32\uff21\uff2e Stra\u00dfe") == "imuran strasse"


def test_fold_removes_punctuation_and_emoji_and_folds_whitespace() -> None:
    assert fold("can i drink??  🍺🍷 on   it!!!") == "can i drink on it"


def test_fold_joins_apostrophes_instead_of_splitting() -> None:
    assert fold("don\u2019t forget crohn's") == "dont forget crohns"


def test_fold_drops_markup_tags_so_they_do_not_split_words() -> None:
    assert fold("beer on my <b>tablets</b>?") == "beer on my tablets"


def test_fold_keeps_text_that_only_looks_a_little_like_markup() -> None:
    assert fold("love this bot <3 and a < b") == "love this bot 3 and a b"


def test_fold_separates_numbers_from_units() -> None:
    assert fold("took 150mg for 3wks") == "took 150 mg for 3 wks"


def test_misspelt_brand_names_become_azathioprine() -> None:
    for word in ["imuran", "imuraan", "Azasan", "aza", "azathiprine", "azathioprene", "azothioprine"]:
        assert normaliser().words(word) == ["azathioprine"], word


def test_lay_words_map_to_faq_words() -> None:
    assert normaliser().words("tummy ache after my jab") == ["stomach", "ache", "after", "my", "vaccine"]


def test_asking_what_meds_means_other_medicines_not_tablets() -> None:
    assert normaliser().words("what meds cant i take") == ["other", "medicines", "cant", "i", "take"]
    assert normaliser().words("my meds") == ["my", "tablet"]


def test_multi_word_synonyms_are_matched_longest_first() -> None:
    assert normaliser().words("6 mp or 6-mp") == ["mercaptopurine", "or", "mercaptopurine"]


def test_words_without_meaning_are_left_out_of_scoring() -> None:
    assert normaliser().content_words("can I please take it with food?") == ["take", "food"]


def test_how_long_something_has_been_keeps_its_unit_but_not_its_number() -> None:
    # "On aza 6 months" is background; an exact "6" must not count as evidence for the entry
    # whose phrasings happen to say "6 weeks".
    words = normaliser().content_words("on aza 6 months, 2 wks off")
    assert words == ["azathioprine", "month", "week", "off"]


def test_a_dose_keeps_its_number() -> None:
    assert normaliser().content_words("150 mg a day") == ["150", "mg", "day"]


def test_stem_removes_plural_and_ing_only() -> None:
    assert [stem(w) for w in ["bruises", "bleeding", "dose", "doses", "gas", "150"]] == [
        "bruise",
        "bleed",
        "dose",
        "dose",
        "gas",
        "150",
    ]


@pytest.mark.parametrize("mark", INVISIBLE)
def test_an_invisible_character_inside_a_word_is_removed_not_made_a_space(mark: str) -> None:
    assert fold(f"my eyes look yel{mark}low") == "my eyes look yellow"
    assert fold(f"fe{mark}ver and chick{mark}enpox") == "fever and chickenpox"


@pytest.mark.parametrize(
    "text",
    ["my eyes look yel\u00adlow", "I have a fe\u200bver", "my skin is yel\u200dlow", "a sore thr\u2060oat"],
)
def test_a_symptom_word_broken_by_an_invisible_character_still_gets_urgent_advice(text: str) -> None:
    assert detect_warning_signs(text, shipped_knowledge().signs) is not None


async def test_a_soft_hyphen_in_yellow_gets_urgent_advice_in_telegram(server: FakeTelegram, app: Any) -> None:
    [reply] = await say(server, "my eyes look yel\u00adlow")
    assert text_of(reply).startswith("⚠️")
