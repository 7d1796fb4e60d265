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
