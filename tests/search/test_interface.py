"""The backend-neutral query nodes are values: equal by kind and fields, hashable, immutable."""
import dataclasses
import doctest

import pytest

from ckanext.citizendata.search import interface
from ckanext.citizendata.search.interface import (
    Bool,
    Exists,
    MatchAll,
    Phrase,
    Prefix,
    Range,
    SearchRequest,
    Term,
    Wildcard,
)

NODES = [MatchAll(), Term("tags", "water"), Phrase(None, "water quality"), Prefix("name", "wat"),
         Wildcard(None, "te?t"), Range("num_resources", "1", None, include_low=False), Exists("extras_sdg"),
         Bool(must=(Term("a", "1"),), should=(Term("b", "2"),), minimum_should_match=1)]


@pytest.mark.parametrize("node", NODES, ids=lambda node: type(node).__name__)
def test_a_node_equals_its_copy_and_hashes_alike(node):
    copy = dataclasses.replace(node)
    assert copy == node and copy is not node
    assert hash(copy) == hash(node)


@pytest.mark.parametrize("node", NODES[1:], ids=lambda node: type(node).__name__)
def test_nodes_are_immutable(node):
    name = dataclasses.fields(node)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(node, name, "changed")


def test_nodes_of_different_kinds_are_never_equal():
    assert Term("name", "wat") != Prefix("name", "wat")
    assert len({Term("name", "wat"), Prefix("name", "wat"), Term("name", "wat")}) == 2


def test_fields_keep_their_names_and_order():
    assert [f.name for f in dataclasses.fields(Term)] == ["field", "value"]
    assert [f.name for f in dataclasses.fields(Phrase)] == ["field", "text"]
    assert [f.name for f in dataclasses.fields(Prefix)] == ["field", "value"]
    assert [f.name for f in dataclasses.fields(Wildcard)] == ["field", "pattern"]
    assert Range("f", None, "9") == Range(field="f", low=None, high="9", include_low=True, include_high=True)
    assert Bool() == Bool(must=(), should=(), must_not=(), minimum_should_match=0)


def test_a_request_defaults_to_the_first_ten_whole_documents():
    request = SearchRequest(query=MatchAll())
    assert (request.rows, request.start, request.fields, request.facet_fields) == (10, 0, ("*",), ())


def test_docstring_examples_run():
    result = doctest.testmod(interface)
    assert result.attempted > 0
    assert result.failed == 0
