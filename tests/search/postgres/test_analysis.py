"""Free-text terms analysed by PostgreSQL: the words as written, accent-free, OR-ed with every stemmer's forms."""
import pytest
from ckan import model

from ckanext.citizendata import config as cd_config
from ckanext.citizendata.search import lucene
from ckanext.citizendata.search.postgres.analysis import _query_text, analyse_words


def forms(query_text):
    """The OR-ed forms of one analysed term: ``"('water') | ('wat')"`` -> ``["'water'", "'wat'"]``."""
    assert query_text.startswith("(") and query_text.endswith(")")
    return query_text[1:-1].split(") | (")


def test_each_free_text_term_is_analysed_once_in_one_round_trip():
    analysed = analyse_words(model.Session, lucene.parse('water "public service" water tags:economy'))
    assert set(analysed) == {("plain", "water"), ("phrase", "public service")}  # tags is not a text field
    water = forms(analysed[("plain", "water")])
    assert water[0] == "'water'"                      # as written first
    assert len(water) == len(set(water))              # each form once
    assert "<->" in analysed[("phrase", "public service")]  # a phrase keeps its word order


def test_accents_are_dropped_from_the_words_as_written():
    analysed = analyse_words(model.Session, lucene.parse("discriminación"))
    assert forms(analysed[("plain", "discriminación")])[0] == "'discriminacion'"


def test_stop_words_of_the_default_language_leave_nothing():
    assert cd_config.text_search_config() == "english"
    assert analyse_words(model.Session, lucene.parse("the")) == {("plain", "the"): ""}


def test_a_query_without_free_text_makes_no_round_trip():
    assert analyse_words(None, lucene.parse("+tags:water -capacity:private")) == {}


@pytest.mark.parametrize("by_config, expected", [
    ({1: "'water'", 2: "'water'", 3: "'wat'", 4: "'water'"}, "('water') | ('wat')"),
    ({3: "'wat'", 2: "'water'", 1: "'water'"}, "('water') | ('wat')"),      # in the order of the configurations
    ({1: "'the'", 2: "", 3: "'the'"}, ""),                                    # a stop word in the default language
    ({}, ""),
    ({1: "'x'", 2: "'x'", 3: ""}, "('x')"),                                   # no form under one stemmer
])
def test_query_text_joins_distinct_forms(by_config, expected):
    assert _query_text(by_config) == expected
