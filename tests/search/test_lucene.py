"""Lucene syntax -> neutral nodes, for the queries CKAN core, ckanext-dcat and ckanext-harvest send."""
import datetime
import doctest
import threading

import pytest

from ckanext.citizendata.search import lucene
from ckanext.citizendata.search.interface import (Bool, Exists, MatchAll, Phrase, Prefix, Range, Term,
                                                  Wildcard)

NOW = datetime.datetime(2026, 11, 21, 15, 30, 45, tzinfo=datetime.timezone.utc)


def parse(q, **kw):
    return lucene.parse(q, now=NOW, **kw)


@pytest.mark.parametrize("q", [None, "", "  ", '""', "''", "*:*"])
def test_empty_and_match_all(q):
    assert parse(q) == MatchAll()


def test_ckan_filter_query_with_plus_minus_and_field_group():
    node = parse('+capacity:public +state:(active OR draft) -dataset_type:harvest')
    assert node == Bool(
        must=(Term("capacity", "public"),
              Bool(should=(Term("state", "active"), Term("state", "draft")), minimum_should_match=1)),
        must_not=(Term("dataset_type", "harvest"),))


def test_permission_labels_filter():
    node = parse('+permission_labels:("public" OR "creator-123" OR "member-9")')
    assert node == Bool(should=(Phrase("permission_labels", "public"), Phrase("permission_labels", "creator-123"),
                                Phrase("permission_labels", "member-9")), minimum_should_match=1)


def test_package_show_lookup():
    assert parse('name:"abc" OR id:"abc"') == Bool(should=(Phrase("name", "abc"), Phrase("id", "abc")),
                                                    minimum_should_match=1)


def test_implicit_operator_is_and_by_default_and_or_on_request():
    assert parse("water quality") == Bool(must=(Term(None, "water"), Term(None, "quality")))
    assert parse("water quality", default_and=False) == Bool(
        should=(Term(None, "water"), Term(None, "quality")), minimum_should_match=1)


def test_explicit_and_not():
    assert parse("tags:a AND NOT tags:b") == Bool(
        must=(Term("tags", "a"), ), must_not=(Term("tags", "b"),))
    assert parse("-tags:b") == Bool(must=(MatchAll(),), must_not=(Term("tags", "b"),))
    assert parse("NOT tags:b") == Bool(must=(MatchAll(),), must_not=(Term("tags", "b"),))


def test_dcat_modified_since_range_with_now():
    node = parse("metadata_modified:[2024-01-02T03:04:05Z TO NOW]")
    assert node == Range("metadata_modified", datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
                         NOW, True, True)


@pytest.mark.parametrize("expr, expected", [
    ("NOW", NOW),
    ("NOW-1DAY", NOW - datetime.timedelta(days=1)),
    ("NOW/DAY", datetime.datetime(2026, 11, 21, tzinfo=datetime.timezone.utc)),
    ("NOW-7DAYS/DAY", datetime.datetime(2026, 11, 14, tzinfo=datetime.timezone.utc)),
    ("NOW+2HOURS", NOW + datetime.timedelta(hours=2)),
    ("NOW-1MONTH/MONTH", datetime.datetime(2026, 10, 1, tzinfo=datetime.timezone.utc)),
    ("2020-05-06", datetime.datetime(2020, 5, 6, tzinfo=datetime.timezone.utc)),
])
def test_date_math(expr, expected):
    assert lucene.resolve_date(expr, NOW) == expected


def test_open_and_exclusive_ranges():
    assert parse("num_resources:[1 TO *]") == Range("num_resources", "1", None, True, True)
    assert parse("num_resources:{* TO 5}") == Range("num_resources", None, "5", False, False)


def test_prefix_wildcard_exists():
    assert parse("tags:eco*") == Prefix("tags", "eco")
    assert parse("wat*") == Prefix(None, "wat")
    assert parse("name:te?t*") == Wildcard("name", "te?t*")
    assert parse("extras_sdg:*") == Exists("extras_sdg")


@pytest.mark.parametrize("q, node", [
    (r"name:a\*", Term("name", "a*")),                 # an escaped star is a character
    (r"name:a\?b", Term("name", "a?b")),
    (r"name:a\**", Prefix("name", "a*")),              # then a real one: the prefix "a*"
    (r"name:a\*?", Wildcard("name", r"a\*?")),
    ("name:*a", Wildcard("name", "*a")),                # not only at the end: a pattern
    ("name_ngram:wat*", Prefix("name_ngram", "wat")),
    ("name_ngram:wat", Prefix("name_ngram", "wat")),    # every word of an ngram field is a prefix
])
def test_wildcards_and_escapes(q, node):
    assert parse(q) == node


def test_ngram_fields_are_prefix_queries():
    node = parse('name_ngram:"water qu" OR title_ngram:"water qu"')
    assert node.should == (Prefix("name_ngram", "water qu"), Prefix("title_ngram", "water qu"))


def test_escapes_boost_fuzzy_proximity():
    assert parse(r"name:foo\:bar") == Term("name", "foo:bar")
    assert parse('title:"a b"^2') == Phrase("title", "a b")
    assert parse("flood~1") == Term(None, "flood")
    assert parse('"water quality"~3') == Phrase(None, "water quality")


def test_sdg_code_is_one_term():
    assert parse("16.6.2") == Term(None, "16.6.2")


@pytest.mark.parametrize("q", ["title:(a", "/re.ex/", "a:b:c", "[1 TO 2]", "AND", "NOW-1FORTNIGHT"])
def test_errors_name_the_problem(q):
    with pytest.raises(lucene.QuerySyntaxError) as err:
        lucene.parse(q if q != "NOW-1FORTNIGHT" else "metadata_modified:[NOW-1FORTNIGHT TO NOW]", now=NOW)
    assert str(err.value)


@pytest.mark.parametrize("spec, clauses, required", [
    ("2<-1 5<80%", 1, 1), ("2<-1 5<80%", 2, 2), ("2<-1 5<80%", 3, 2), ("2<-1 5<80%", 5, 4),
    ("2<-1 5<80%", 10, 8), ("100%", 4, 4), ("1", 4, 1), ("-1", 4, 3), ("-25%", 4, 3), ("75%", 3, 2),
])
def test_minimum_should_match(spec, clauses, required):
    assert lucene.min_should_match(spec, clauses) == required


def test_dismax_applies_mm_to_plain_words_and_keeps_plus_minus():
    node = lucene.parse_dismax("water quality survey -draft", "2<-1 5<80%", now=NOW)
    assert node == Bool(should=(Term(None, "water"), Term(None, "quality"), Term(None, "survey")),
                        must_not=(Term(None, "draft"),), minimum_should_match=2)
    assert lucene.parse_dismax("water", "2<-1 5<80%", now=NOW) == Term(None, "water")


def test_docstring_examples_run():
    result = doctest.testmod(lucene)
    assert result.attempted > 0
    assert result.failed == 0


# ---------------------------------------------------------------- hostile input: clear errors, never a crash
def test_a_negative_range_bound_is_a_number_not_an_operator():
    assert parse("num_resources:[-1 TO 1]") == Range("num_resources", "-1", "1")
    assert parse("num_resources:{-5 TO *]") == Range("num_resources", "-5", None, False, True)


@pytest.mark.parametrize("q", [
    "metadata_modified:[NOW-99999999999DAYS TO NOW]",
    "metadata_modified:[NOW+99999999999DAYS TO *]",
    "metadata_modified:[NOW+9999YEARS TO NOW]",
    "metadata_modified:[NOW-99999999999999999999999999MILLIS TO NOW]",
])
def test_date_math_beyond_the_calendar_is_a_syntax_error(q):
    with pytest.raises(lucene.QuerySyntaxError, match="is outside the calendar"):
        parse(q)


def test_millisecond_date_math():
    node = parse("metadata_modified:[NOW-1500MILLIS TO NOW]")
    assert node.low == NOW - datetime.timedelta(milliseconds=1500) and node.high == NOW


def test_the_check_sees_the_tree_before_it_is_converted():
    seen = []
    parse("a AND (b OR c)", check=lambda ast: seen.append(lucene.shape(ast)))
    assert seen == [(3, 3)]


def test_a_deep_query_is_refused_by_its_check_not_by_python_s_stack():
    def refuse(ast):
        raise lucene.QuerySyntaxError("too deep")
    with pytest.raises(lucene.QuerySyntaxError, match="too deep"):
        parse("(" * 3000 + "a" + ")" * 3000, check=refuse)
    with pytest.raises(lucene.QuerySyntaxError, match="too deep"):
        lucene.parse_dismax("NOT " * 3000 + "a", "2<-1 5<80%", check=refuse)


def test_threads_parsing_at_once_each_get_their_own_query():
    """gunicorn's gthread workers and `ckan run --threaded` parse in several threads: luqum's one PLY lexer is shared
    state, so without the lock valid queries failed ("unexpected end of expression") or came back as another's."""
    queries = [f'+permission_labels:("public") +site_id:"default" organization:"org-{i}" -dataset_type:harvest'
               for i in range(8)]
    expected = {q: repr(lucene._luqum(q)) for q in queries}
    failures = []

    def work(query):
        for _ in range(300):
            try:
                if repr(lucene._luqum(query)) != expected[query]:
                    failures.append("another query's tree")
            except lucene.QuerySyntaxError as err:
                failures.append(str(err))

    threads = [threading.Thread(target=work, args=(q,)) for q in queries]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_check_syntax_runs_the_check_on_the_parsed_tree_and_converts_nothing():
    seen = []
    assert lucene.check_syntax("a AND (b OR c)", lambda ast: seen.append(lucene.shape(ast))) is None
    assert seen == [(3, 3)]
    with pytest.raises(lucene.QuerySyntaxError):
        lucene.check_syntax("(water", lambda ast: None)
