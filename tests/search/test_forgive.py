"""search/forgive.py: which queries do not parse (in the mode CKAN reads them: free text without a colon, Lucene
syntax with one), and the plain words they are read as; the words always parse."""
import pytest

from ckanext.citizendata.search import forgive


@pytest.mark.parametrize("q, words", [
    ('"unclosed', ["unclosed"]),
    ("survey -", ["survey"]),
    ("16.6.2 OR", ["16.6.2"]),
    ("(unbalanced", ["unbalanced"]),
    ("title:(water", ["title", "water"]),
    ("women AND (girls OR", ["women", "girls"]),
    ("x^2 AND", ["x", "2"]),
    ('"(', []),
])
def test_an_unreadable_query_is_read_as_its_words_which_parse(q, words):
    assert forgive.unreadable(q, {}) is not None
    assert forgive.plain_words(q) == words
    assert forgive.unreadable(" ".join(words), {}) is None


@pytest.mark.parametrize("q", ["water", "16.6.2", "co-design water", "l'eau", "title:water", "a AND b", "", None,
                               '"a phrase"', "mujeres y niñas", "المياه"])
def test_a_readable_query_is_left_alone(q):
    assert forgive.unreadable(q, {}) is None


def test_words_keep_codes_letters_of_every_script_and_inner_hyphens():
    assert forgive.plain_words("16.b.1 NOT co-design +niñas -المياه!") == ["16.b.1", "co-design", "niñas", "المياه"]


def test_the_mode_follows_ckan_free_text_without_a_colon_lucene_with_one():
    assert forgive.mode("water", {})["defType"] == "dismax"
    assert forgive.mode("title:water", {})["defType"] is None
    assert forgive.mode("title:water", {"defType": "edismax"})["defType"] == "edismax"
