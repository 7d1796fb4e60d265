"""Solr request parameters as CKAN sends them -> SearchRequest, and the errors for what we cannot honour."""
import doctest

import pytest

from ckanext.citizendata.search import request as request_module
from ckanext.citizendata.search.interface import Bool, MatchAll, Phrase, SortKey, Term
from ckanext.citizendata.search.request import RequestError, parse_sort, to_request


def test_package_search_shape():
    request = to_request({
        "q": "water", "defType": "dismax", "mm": "2<-1 5<80%", "qf": "name^4 title^4 tags^2 groups^2 text",
        "fq": ['+capacity:public +state:(active)', '+site_id:"default"'], "rows": 21, "start": 20,
        "sort": "score desc, metadata_modified desc", "fl": "id validated_data_dict",
        "facet": "true", "facet.field": ["tags", "organization"], "facet.limit": 50, "facet.mincount": 1,
        "wt": "json", "df": "text", "q.op": "AND", "tie": "0.1",
    })
    assert request.query == Bool(must=(
        Term(None, "water"),
        Bool(must=(Term("capacity", "public"), Term("state", "active"))),
        Phrase("site_id", "default")))
    assert (request.rows, request.start) == (21, 20)
    assert request.sort == (SortKey("score", True), SortKey("metadata_modified", True))
    assert request.fields == ("id", "validated_data_dict")
    assert request.facet_fields == ("tags", "organization")


def test_defaults_and_comma_separated_fl():
    request = to_request({"fl": "name,title"}, q="*:*")
    assert request.query == MatchAll() and request.fields == ("name", "title")
    assert (request.rows, request.start, request.facet_fields, request.facet_limit) == (10, 0, (), 50)


def test_facet_field_as_json_string_and_unlimited():
    request = to_request({"facet.field": '["groups", "owner_org"]', "facet.limit": -1})
    assert request.facet_fields == ("groups", "owner_org") and request.facet_limit == -1


@pytest.mark.parametrize("params, message", [
    ({"rows": -1}, "rows: -1 is below the minimum 0"),
    ({"start": "ten"}, "start: 'ten' is not a whole number"),
    ({"facet.field": "[oops"}, "facet.field: not a JSON list"),
    ({"sort": "name"}, 'sort: "name" is not'),
    ({"sort": "name; drop asc"}, "sort:"),
    ({"fq": "title:(open"}, "cannot parse query"),
    ({"q": "water", "defType": "dismax", "mm": "x<1"}, "invalid mm"),
])
def test_errors_name_the_parameter(params, message):
    with pytest.raises(RequestError, match=message.replace("(", r"\(").replace("[", r"\[")):
        to_request(params)


def test_parse_sort():
    assert parse_sort("title_string asc, name DESC") == (SortKey("title_string", False), SortKey("name", True))
    assert parse_sort("") == ()


def test_docstring_examples_run():
    result = doctest.testmod(request_module)
    assert result.attempted > 0
    assert result.failed == 0


# ---------------------------------------------------------------- bounds at the seam
LIMITS = {"q_chars": 50, "fq_chars": 100, "query_clauses": 4, "query_depth": 6, "search_statement_timeout_ms": 750}


@pytest.mark.parametrize("params, message", [
    ({"q": "x" * 51}, "q: 51 characters, more than the limit of 50 (ckanext.citizendata.limits.q_chars)"),
    ({"q": "a b c d e"}, "q: 5 terms, more than the limit of 4"),
    ({"q": "((((((((a))))))))"}, "q: nested more than 6 deep"),
    ({"fq": ["+capacity:public", "((((((((a))))))))"]}, "fq: nested more than 6 deep"),
    ({"q": "water", "defType": "dismax", "mm": "2<-1", "fq": "a\x00"}, "fq: a NUL character (U+0000)"),
    ({"sort": "name\udc80 asc"}, "sort: a lone surrogate (U+DC80)"),
    ({"facet.field": ["tags\x00"]}, "facet.field: a NUL character"),
    ({"fl": "id\x00"}, "fl: a NUL character"),
])
def test_the_bounds_apply_before_a_backend_compiles(params, message):
    with pytest.raises(RequestError) as err:
        to_request(params, bounds=LIMITS)
    assert message in str(err.value)


def test_ckan_s_own_filters_count_only_for_nesting():
    """A member of 400 organizations: CKAN's permission filter is 17 kB and 400 terms, over the client's fq
    bounds, and is still searched (the client's fq is bounded in before_dataset_search)."""
    labels = " OR ".join(f'"member-{i:036d}"' for i in range(400))
    request = to_request({"fq": ["+capacity:public", f"+permission_labels:({labels})"]}, bounds=LIMITS)
    assert len(request.query.must[1].should) == 400
    assert request.timeout_ms == 750


def test_without_bounds_the_configured_ones_apply():
    assert to_request({}).timeout_ms == 10000
    with pytest.raises(RequestError, match="ckanext.citizendata.limits.query_depth"):
        to_request({"fq": "(" * 33 + "a" + ")" * 33})
