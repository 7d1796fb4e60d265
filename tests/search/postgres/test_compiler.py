"""Query nodes into SQL over the index table, compiled without a database."""
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from ckanext.citizendata.model import search_index_table
from ckanext.citizendata.search import lucene
from ckanext.citizendata.search.interface import Bool, Term
from ckanext.citizendata.search.postgres.compiler import (
    Compiler,
    _wildcard_to_like,
    facet_terms,
)


def compiled(node, words=None):
    """The SELECT of the rows matching ``node``, compiled for PostgreSQL."""
    compiler = Compiler(search_index_table, sa.bindparam("cfg", "english"), words)
    stmt = sa.select(search_index_table.c.id).where(compiler.where(node))
    return stmt.compile(dialect=postgresql.dialect())


def test_user_values_travel_as_bound_parameters():
    hostile = "x'); DROP TABLE package; --"
    for q in [f'title:"{hostile}"', f'tags:"{hostile}"', f'name:"{hostile}"', f'"{hostile}"',
              f'permission_labels:"{hostile}"', 'tags:x\\\'\\)*']:
        sql = compiled(lucene.parse(q))
        assert "DROP TABLE" not in str(sql), q
        assert "x'" not in str(sql), q
        assert any("DROP TABLE" in repr(v) or "x'" in repr(v) for v in sql.params.values()), q


SHOULD = tuple(Term("name", name) for name in ("a", "b", "c"))


@pytest.mark.parametrize("minimum, or_, counted", [
    (1, True, False),      # any one: OR
    (2, True, True),       # some: any one (for the indexes), then the count of those that match
    (3, False, False),     # all: a plain AND
])
def test_minimum_should_match(minimum, or_, counted):
    sql = str(compiled(Bool(should=SHOULD, minimum_should_match=minimum)))
    where = sql.split("WHERE")[1]
    assert (" OR " in where) == or_
    assert ("CASE WHEN" in where) == counted
    assert where.count("citizendata_search_index.name =") == (6 if counted else 3)


def test_should_clauses_are_optional_beside_a_must_clause():
    sql = str(compiled(Bool(must=(Term("name", "a"),), should=(Term("name", "b"),))))
    assert sql.count("citizendata_search_index.name =") == 1


def test_analysed_words_are_used_and_stop_words_dropped():
    words = {("plain", "water"): "('water') | ('wat')", ("plain", "the"): ""}
    sql = compiled(lucene.parse("water the"), words)
    assert "('water') | ('wat')" in sql.params.values()
    assert "the" not in sql.params.values() and str(sql).count("@@") == 1


def test_words_not_analysed_beforehand_are_analysed_in_sql():
    sql = compiled(lucene.parse("discriminación"))
    assert "plainto_tsquery" in str(sql)
    assert {"discriminacion", "discriminación"} <= set(sql.params.values())


def test_facet_terms_are_the_exact_values_of_facetable_fields():
    node = lucene.parse('tags:water AND countries:"GHA" AND title:water AND name:x AND notes:y')
    assert sorted(facet_terms(node, frozenset({"tags", "countries", "title", "name"}))) == [
        ("countries", "GHA"), ("tags", "water")]


def test_facetable_filters_test_the_value_ids():
    compiler = Compiler(search_index_table, sa.bindparam("cfg", "english"),
                        facet_filters=(frozenset({"tags"}), {("tags", "water"): 7}))
    known = str(compiler.where(Term("tags", "water")).compile(dialect=postgresql.dialect()))
    assert "facet_ids @>" in known
    assert str(compiler.where(Term("tags", "unknown")).compile(dialect=postgresql.dialect())) == "false"


def test_wildcards_become_like_patterns_with_the_rest_escaped():
    assert _wildcard_to_like("te?t*") == "te_t%"
    assert _wildcard_to_like("100%*") == "100\\%%"
    assert _wildcard_to_like("a\\*b*") == "a*b%"          # an escaped star is a character
    assert _wildcard_to_like("snake_case") == "snake\\_case"
