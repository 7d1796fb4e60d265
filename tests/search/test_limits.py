"""search/limits.py: the bounds on what a search may ask (characters, terms, nesting of q and fq; readable text;
boolean flags), each refusal naming the parameter, the limit's configuration key and the rule; checked through
CKAN's package_search (the hook) and at the seam, before either backend compiles."""
import doctest

import pytest
from ckan.lib.search.common import SearchQueryError
from ckan.plugins import toolkit
from ckan.tests import helpers
from luqum.parser import parser

from ckanext.citizendata.search import limits, lucene
from ckanext.citizendata.testing import CitizenDataset

KEY = "ckanext.citizendata.limits."


# ---------------------------------------------------------------- check_text
@pytest.mark.parametrize("value, rule", [
    ("a\x00b", "q: a NUL character (U+0000) at position 2, which no query can hold"),
    ("ab\udc80", "q: a lone surrogate (U+DC80) at position 3, which no query can hold"),
    ("x" * 11, f"q: 11 characters, more than the limit of 10 ({KEY}q_chars)"),
])
def test_check_text_refuses_unreadable_and_long_text_naming_the_rule(value, rule):
    with pytest.raises(limits.LimitExceeded) as err:
        limits.check_text("q", value, 10, "q_chars")
    assert str(err.value) == rule


def test_check_text_passes_text_at_the_limit_and_reads_none_as_empty():
    assert limits.check_text("q", "x" * 10, 10, "q_chars") == "x" * 10
    assert limits.check_text("q", None) == ""
    assert limits.check_text("q", 5) == "5"


# ---------------------------------------------------------------- shape of a parsed query
@pytest.mark.parametrize("query, depth, terms", [
    ("a", 0, 1),
    ("(a)", 1, 1),
    ("a b c", 1, 3),
    ("a AND (b OR NOT c)", 4, 3),
    ("tags:(a OR b)", 3, 2),
    ("num_resources:[1 TO 2]", 2, 1),
    ('+capacity:public +permission_labels:("public" OR "member-1")', 5, 3),
])
def test_shape_counts_depth_and_terms(query, depth, terms):
    assert lucene.shape(parser.parse(query)) == (depth, terms)


def test_shape_measures_a_query_deeper_than_python_s_stack():
    deep = parser.parse("(" * 5000 + "a" + ")" * 5000)
    assert lucene.shape(deep) == (5000, 1)
    assert lucene.shape(deep, stop_at_depth=33) == (33, 0)


@pytest.mark.parametrize("query, rule", [
    ("(" * 40 + "a" + ")" * 40, f"q: nested more than 32 deep (parentheses, NOT, +/-, fields and operators each "
                                f"add one), the limit ({KEY}query_depth)"),
    ("NOT " * 40 + "a", f"({KEY}query_depth)"),
    (" OR ".join(["w"] * 300), f"q: 300 terms, more than the limit of 256 ({KEY}query_clauses)"),
])
def test_tree_check_refuses_deep_and_wide_queries(query, rule):
    with pytest.raises(limits.LimitExceeded, match=rule.replace("(", r"\(").replace(")", r"\)")
                       .replace("+", r"\+").replace(".", r"\.")):
        lucene.parse(query, check=limits.tree_check("q", 32, 256))


def test_tree_check_passes_a_query_at_the_limits():
    at_depth = "(" * 32 + "a" + ")" * 32
    assert lucene.parse(at_depth, check=limits.tree_check("q", 32, 256)) is not None
    assert lucene.parse(" OR ".join(["w"] * 256), check=limits.tree_check("q", 32, 256)) is not None


# ---------------------------------------------------------------- the package_search hook
def test_check_search_params_passes_ordinary_parameters_unchanged():
    params = {"q": "water quality", "fq": 'tags:"economy"', "sort": "score desc", "include_private": "True",
              "include_drafts": False, "facet.field": ["tags"]}
    assert limits.check_search_params(dict(params)) == params


@pytest.mark.parametrize("params, name", [
    ({"q": "x" * 2001}, "q: 2001 characters"),
    ({"fq": "x" * 8001}, "fq: 8001 characters"),
    ({"fq_list": ["x" * 8001]}, "fq_list: 8001 characters"),
    ({"fq": " ".join(["w"] * 257)}, "fq: 257 terms"),
    ({"q": "a\x00"}, "q: a NUL character"),
    ({"sort": "name\udc80 asc"}, "sort: a lone surrogate"),
    ({"facet.field": ["tags\x00"]}, "facet.field: a NUL character"),
])
def test_check_search_params_refuses_what_the_client_sent_beyond_the_bounds(params, name):
    with pytest.raises(SearchQueryError, match=name):
        limits.check_search_params(params)


@pytest.mark.parametrize("flag", limits.FLAGS)
def test_a_flag_that_is_not_a_boolean_is_a_validation_error_naming_it(flag):
    with pytest.raises(toolkit.ValidationError) as err:
        limits.check_search_params({flag: "maybe"})
    assert err.value.error_dict == {flag: ["'maybe' is not true or false"]}


@pytest.mark.ckan_config(KEY + "q_chars", "5")
def test_the_configured_limit_is_the_one_applied():
    assert limits.check_search_params({"q": "water"}) == {"q": "water"}
    with pytest.raises(SearchQueryError, match=f"q: 6 characters, more than the limit of 5 \\({KEY}q_chars\\)"):
        limits.check_search_params({"q": "waters"})


# ---------------------------------------------------------------- through CKAN
@pytest.mark.usefixtures("clean_db")
def test_package_search_applies_the_hook():
    CitizenDataset(title="Water wells")
    assert helpers.call_action("package_search", q="water")["count"] == 1
    with pytest.raises(SearchQueryError, match="q: 2400 characters, more than the limit of 2000"):
        helpers.call_action("package_search", q="water " * 400)
    with pytest.raises(toolkit.ValidationError):
        helpers.call_action("package_search", q="water", include_private="maybe")


def test_docstring_examples_run():
    result = doctest.testmod(limits)
    assert result.failed == 0 and result.attempted >= 2
