"""text.py: fold (combining marks removed, case and the letters of every script kept) and natural_key (codes
sort part by part, numbers as numbers: SDG targets 16.1 ... 16.10, then 16.a, 16.b)."""
import unicodedata

import pytest

from ckanext.citizendata.text import fold, natural_key, unreadable


# ---------------------------------------------------------------- fold
@pytest.mark.parametrize("text, folded", [
    ("Discriminación", "Discriminacion"),
    ("École publique", "Ecole publique"),        # case kept: only the accent goes
    ("ñandú", "nandu"),
    ("İstanbul", "Istanbul"),                     # the dot above is a combining mark once decomposed
    ("Ελληνικά", "Ελληνικα"),                     # Greek letters kept, the tonos goes
    ("Здравоохранение", "Здравоохранение"),       # Cyrillic without marks: unchanged
])
def test_fold_removes_accents_and_keeps_letters_and_case(text, folded):
    assert fold(text) == folded


def test_fold_removes_arabic_short_vowels_and_keeps_the_letters():
    voweled = "مُوَاطِن"                    # muwāṭin, "citizen", with damma, fatha and kasra
    assert fold(voweled) == "مواطن"
    assert fold("مواطن") == "مواطن"         # the bare word is left as it is
    assert not any(unicodedata.combining(ch) for ch in fold(voweled))


@pytest.mark.parametrize("text", ["한국어 데이터", "公民数据", "नागरिक", "citizen data 2030"])
def test_fold_keeps_text_of_other_scripts_whole(text):
    """Hangul syllables decompose into jamo that are no marks: they are composed back, not left in pieces."""
    assert fold(text) == text
    assert len(fold(text)) == len(text)


def test_fold_gives_one_result_for_composed_and_decomposed_input():
    composed, decomposed = "Participación", unicodedata.normalize("NFD", "Participación")
    assert composed != decomposed
    assert fold(composed) == fold(decomposed) == "Participacion"


def test_fold_is_idempotent():
    text = "Évaluation participative — مُشَارَكَة — Ελληνικά — 한국어"
    assert fold(fold(text)) == fold(text)


# ---------------------------------------------------------------- natural_key
def test_sdg_targets_sort_numbers_as_numbers_then_letter_targets():
    codes = ["16.a", "16.10", "16.9", "16.b", "16", "16.1", "2.1", "15.10"]
    assert sorted(codes, key=natural_key) == ["2.1", "15.10", "16", "16.1", "16.9", "16.10", "16.a", "16.b"]


def test_indicators_sort_by_goal_then_target_then_number():
    codes = ["16.10.2", "16.9.1", "16.a.1", "16.10.1", "1.1.1", "10.1.1"]
    assert sorted(codes, key=natural_key) == ["1.1.1", "10.1.1", "16.9.1", "16.10.1", "16.10.2", "16.a.1"]


@pytest.mark.parametrize("smaller, larger", [("a-9", "a-10"), ("X_9", "X_10"), ("1.9", "1.10"), ("9", "10")])
def test_hyphen_and_underscore_separate_parts_like_the_dot(smaller, larger):
    assert natural_key(smaller) < natural_key(larger)
    assert smaller > larger  # as plain text they sort the other way


def test_a_shorter_code_sorts_before_the_codes_it_begins():
    assert natural_key("16") < natural_key("16.1") < natural_key("16.1.1")


def test_digits_that_are_no_decimal_numbers_sort_as_text():
    assert sorted(["16.²", "16.2"], key=natural_key) == ["16.2", "16.²"]


@pytest.mark.parametrize("text, found", [
    ("water", None), ("", None), ("é ﷺ 𝔸 \ufffd", None),
    ("a\x00b", "a NUL character (U+0000) at position 2"),
    ("\udc80", "a lone surrogate (U+DC80) at position 1"),
    ("ab\ud800\x00", "a lone surrogate (U+D800) at position 3"),
])
def test_unreadable_names_the_first_character_no_field_can_hold(text, found):
    assert unreadable(text) == found
