"""Neutral query nodes (:mod:`..interface`) into SQLAlchemy boolean expressions over the index table. Every
value a user typed travels as a bound parameter; the only SQL written as text are the fixed weight filters.

Example::

    compiler = Compiler(search_index_table, cfg, words=analyse_words(session, node))
    session.execute(sa.select(search_index_table.c.id).where(compiler.where(node)))
"""
from __future__ import annotations

import datetime
import re
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY

from ckanext.citizendata.text import fold

from .. import fields as F
from ..interface import Bool, Exists, Node, Phrase, Prefix, Range, Term, Wildcard
from ..lucene import resolve_date, unescape
from .analysis import combined_query_sql

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_NOT_A_CHOICE = re.compile(r"[&<!:]")   # AND, phrase, NOT, prefix or weight in a tsquery's text
_WORD = re.compile(r"\w+(?:\.\w+)*")  # "water-po" -> water, po; "16.6" stays whole
# '{a}'::"char"[] etc.: constant SQL for ts_filter, chosen from this fixed map only
_WEIGHT_FILTER = {w: sa.literal_column(f"'{{{w.lower()}}}'::\"char\"[]") for w in "ABCD"}


class Compiler:
    """Neutral nodes -> SQL boolean expressions over the index table; collects the text queries for ranking."""

    def __init__(self, table: sa.Table, cfg, words: Optional[dict] = None,
                 facet_filters: Optional[tuple[frozenset, dict]] = None):
        self.t = table
        self.cfg = cfg
        self.words = words or {}
        # (facetable fields, {(field, value): value id}): such filters test the small inline facet_ids array
        # (GIN-indexed) instead of the large jsonb ``fields`` column
        self.facetable, self.facet_ids = facet_filters or (frozenset(), {})
        self.rank_queries: list = []
        # whether every ranked query is a choice of single words, the only queries RUM's distance orders as
        # ts_rank does (it scores AND and phrases otherwise)
        self.choices_only = True

    def where(self, node: Node, positive: bool = True):
        handler = getattr(self, "_" + type(node).__name__)
        return handler(node, positive)

    def rank(self, weights: list[float]):
        if not self.rank_queries:
            return None  # no words to rank by: every match scores the same
        weights_param = sa.bindparam("rank_weights", weights, type_=ARRAY(sa.REAL))
        return sa.func.ts_rank(weights_param, self.t.c.search_vector, self._rank_query())

    def distance(self):
        """RUM's ``search_vector <=> query``: 1 / the rank with PostgreSQL's default weights, which a RUM index
        returns in order (None without words to rank by)."""
        if not self.rank_queries or not self.choices_only:
            return None
        return self.t.c.search_vector.op("<=>", return_type=sa.Float)(self._rank_query())

    def _rank_query(self):
        query = self.rank_queries[0]
        for other in self.rank_queries[1:]:
            query = query.op("||")(other)
        return query

    # --- structure
    def _MatchAll(self, node, positive):
        return sa.true()

    def _Bool(self, node: Bool, positive):
        parts = [self.where(n, positive) for n in node.must]
        parts += [sa.not_(self.where(n, not positive)) for n in node.must_not]
        should = [self.where(n, positive) for n in node.should]
        if should:
            parts += _at_least(node.minimum_should_match or (0 if node.must else 1), should)
        return sa.and_(sa.true(), *parts)

    # --- leaves
    def _Term(self, node: Term, positive):
        if F.kind(node.field) == F.TEXT:
            return self._analysed(node.field, ("plain", node.value), positive)
        return self._equals(node.field, node.value)

    def _Phrase(self, node: Phrase, positive):
        if F.kind(node.field) == F.TEXT:
            return self._analysed(node.field, ("phrase", node.text), positive)
        return self._equals(node.field, node.text)

    def _analysed(self, field, key, positive):
        query_text = self.words.get(key)
        if query_text is None:  # not analysed (no database round trip was made): analyse in SQL
            return self._text(field, combined_query_sql(*key), positive)
        if query_text == "":  # only stop words of the default language: the clause is dropped, as Solr does
            return sa.true()
        return self._text(field, sa.cast(sa.literal(query_text, sa.Text), TSQUERY), positive,
                          choice=not _NOT_A_CHOICE.search(query_text))

    def _Prefix(self, node: Prefix, positive):
        if F.kind(node.field) == F.TEXT:
            words = _WORD.findall(node.value)
            if not words:
                return sa.true()
            expression = " & ".join(_tsquery_literal(fold(w).lower()) + ":*" for w in words)
            return self._text(node.field, sa.func.to_tsquery(sa.literal_column("'simple'::regconfig"), expression),
                              positive)
        return self._like(node.field, _escape_like(node.value) + "%")

    def _Wildcard(self, node: Wildcard, positive):
        if F.kind(node.field) == F.TEXT:
            head = re.split(r"(?<!\\)[*?]", node.pattern, maxsplit=1)[0]
            return self._Prefix(Prefix(node.field, unescape(head)), positive) if head else sa.true()
        return self._like(node.field, _wildcard_to_like(node.pattern))

    def _Range(self, node: Range, positive):
        kind = F.kind(node.field)
        if kind in (F.COLUMN, F.DATE):
            column = self.t.c[node.field]
            return sa.and_(sa.true(), *_bounds(column, node))
        numeric = all(b is None or (isinstance(b, str) and _NUMBER.match(b)) for b in (node.low, node.high))
        if not numeric:
            node = Range(node.field, _iso(node.low), _iso(node.high), node.include_low, node.include_high)

        def within(value):
            # non-numbers become NULL (no match) instead of failing the cast
            target = sa.case((value.op("~")(_NUMBER.pattern), sa.cast(value, sa.Numeric))) if numeric else value
            return sa.and_(sa.true(), *_bounds(target, node))

        return self._any_element(node.field, within)

    def _Exists(self, node: Exists, positive):
        kind = F.kind(node.field)
        if kind in (F.COLUMN, F.DATE):
            return self.t.c[node.field].isnot(None)
        if kind == F.ARRAY:
            return sa.func.cardinality(self.t.c[node.field]) > 0
        return self.t.c.fields.has_key(node.field)

    # --- helpers
    def _text(self, field: Optional[str], tsquery, positive: bool, choice: bool = False):
        if positive:
            self.rank_queries.append(tsquery)
            self.choices_only = self.choices_only and choice
        vector = self.t.c.search_vector
        condition = vector.op("@@")(tsquery)
        weight = F.TEXT_WEIGHT.get(field)
        if weight:
            condition = sa.and_(condition, sa.func.ts_filter(vector, _WEIGHT_FILTER[weight]).op("@@")(tsquery))
        elif field not in (None, "text"):
            raw = sa.func.coalesce(self.t.c.fields[field].astext, "")
            own = sa.func.to_tsvector(sa.literal_column("'simple'::regconfig"), raw).op("||")(
                sa.func.to_tsvector(self.cfg, raw))
            condition = sa.and_(condition, own.op("@@")(tsquery))
        return condition

    def _equals(self, field: str, value: str):
        kind = F.kind(field)
        if kind == F.COLUMN:
            return self.t.c[field] == value
        if kind == F.DATE:
            return self.t.c[field] == resolve_date(value, datetime.datetime.now(datetime.timezone.utc))
        if kind == F.ARRAY:
            return self.t.c[field].contains([value])
        if field in self.facetable:
            value_id = self.facet_ids.get((field, value))
            return self.t.c.facet_ids.contains([value_id]) if value_id is not None else sa.false()
        return self.t.c.fields.contains({field: [value]})

    def _like(self, field: str, pattern: str):
        kind = F.kind(field)
        if kind in (F.COLUMN, F.DATE):
            return sa.cast(self.t.c[field], sa.Text).like(pattern, escape="\\")
        if kind == F.ARRAY:
            value = sa.func.unnest(self.t.c[field]).table_valued("value").render_derived(name="v")
            return sa.select(1).select_from(value).where(value.c.value.like(pattern, escape="\\")).exists()
        return self._any_element(field, lambda value: value.like(pattern, escape="\\"))

    def _any_element(self, field: str, condition):
        """True when one of the field's values satisfies ``condition(value_column)``."""
        values = sa.func.jsonb_array_elements_text(self.t.c.fields[field]).table_valued("value").alias("v")
        return sa.select(1).select_from(values).where(condition(values.c.value)).exists()


def facet_terms(node: Node, facetable: frozenset):
    """(field, value) of every exact-value leaf on a facetable field stored in ``fields``."""
    if isinstance(node, Bool):
        for child in node.must + node.should + node.must_not:
            yield from facet_terms(child, facetable)
    elif isinstance(node, (Term, Phrase)) and node.field in facetable and F.kind(node.field) == F.STRING:
        yield node.field, node.value if isinstance(node, Term) else node.text


def _at_least(minimum: int, should: list) -> list:
    """The conditions that ``minimum`` of the ``should`` conditions hold (none when 0 of them must)."""
    if minimum >= len(should):  # every clause needed: a plain AND, which the indexes answer
        return should
    if minimum == 1:
        return [sa.or_(*should)]
    if minimum > 1:
        # "any of them" first, which the indexes answer, then the count on those rows only
        matched = sum((sa.case((cond, 1), else_=0) for cond in should), sa.literal(0))
        return [sa.or_(*should), matched >= minimum]
    return []


def _bounds(column, node: Range) -> list:
    conditions = []
    if node.low is not None:
        conditions.append(column >= node.low if node.include_low else column > node.low)
    if node.high is not None:
        conditions.append(column <= node.high if node.include_high else column < node.high)
    return conditions


def _iso(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def _tsquery_literal(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _wildcard_to_like(pattern: str) -> str:
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            out.append(_escape_like(pattern[i + 1]))
            i += 2
            continue
        out.append({"*": "%", "?": "_"}.get(char, _escape_like(char)))
        i += 1
    return "".join(out)

