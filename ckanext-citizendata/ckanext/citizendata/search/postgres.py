"""PostgreSQL search backend: CKAN's index documents in one table of the CKAN database.

Writes go through CKAN's SQLAlchemy session, so a dataset and its index row commit (or roll back) together.
Queries are compiled from the neutral nodes of :mod:`.interface` into SQLAlchemy expressions: every value a
user typed travels as a bound parameter.

Example::

    backend = PostgresBackend()
    backend.search(SearchRequest(query=lucene.parse("tags:economy"), facet_fields=("organization",)))
"""
from __future__ import annotations

import datetime
import re
from functools import lru_cache
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, REGCONFIG, TSQUERY, insert

from ckan import model

from ckanext.citizendata import config as cd_config
from ckanext.citizendata.model import search_index_table

from . import fields as F
from .facet_store import FacetStore, facetable_fields
from ckanext.citizendata.text import fold

from .lucene import resolve_date, unescape
from .interface import (Bool, Exists, MatchAll, Node, Phrase, Prefix, Range, SearchRequest, SearchResult,
                        SortKey, Term, Wildcard)

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_WORD = re.compile(r"\w+(?:\.\w+)*")  # "water-po" -> water, po; "16.6" stays whole
# '{a}'::"char"[] etc.: constant SQL for ts_filter, chosen from this fixed map only
_WEIGHT_FILTER = {w: sa.literal_column(f"'{{{w.lower()}}}'::\"char\"[]") for w in "ABCD"}


class PostgresBackend:
    """The default backend (``ckanext.citizendata.search.backend = postgres``)."""

    name = "postgres"

    def __init__(self, table: sa.Table = search_index_table):
        self.table = table
        self.facets = FacetStore(table)

    # ------------------------------------------------------------------ writes
    def add(self, docs: list[dict[str, Any]]) -> None:
        if not docs:
            return
        session = model.Session
        rows = [self._row(doc) for doc in docs]
        self.facets.prepare(session, rows)
        deltas = self.facets.before_replace(session, [row["index_id"] for row in rows])
        session.execute(self._upsert(), rows)
        deltas.update(self.facets.added(rows))
        self.facets.apply(session, deltas)

    @staticmethod
    @lru_cache(maxsize=1)
    def _upsert_for(table: sa.Table):
        """One parameterised upsert, compiled once and run with executemany; the tsvector is built in SQL
        from the four weight classes."""
        simple = sa.literal_column("'simple'::regconfig")
        stemmers = [sa.bindparam(name, type_=REGCONFIG) for name in ("cfg_1", "cfg_2")]
        vector = None
        for weight in "ABCD":
            # the words as written without accents, then the record's stemmers on the text as written
            # (stemmers need the accents: Spanish stems "discriminación", not "discriminacion")
            parts = [(simple, sa.bindparam(f"folded_{weight}", type_=sa.Text))]
            parts += [(cfg, sa.bindparam(f"text_{weight}", type_=sa.Text)) for cfg in stemmers]
            for cfg, text in parts:
                part = sa.func.setweight(sa.func.to_tsvector(cfg, text), weight)
                vector = part if vector is None else vector.op("||")(part)
        values = {c.name: sa.bindparam(c.name, type_=c.type) for c in table.columns if c.name != "search_vector"}
        stmt = insert(table).values({**values, "search_vector": vector})
        updated = {c.name: stmt.excluded[c.name] for c in table.columns if c.name != "index_id"}
        return stmt.on_conflict_do_update(index_elements=["index_id"], set_=updated)

    def _upsert(self):
        return self._upsert_for(self.table)

    def delete(self, query: Node) -> int:
        t = self.table
        where = self._compiler(model.Session, query).where(query)
        returned = model.Session.execute(sa.delete(t).where(where).returning(
            t.c.facet_ids, t.c.site_id, t.c.dataset_type, t.c.public)).all()
        self.facets.apply(model.Session, self.facets.deleted(returned))
        return len(returned)

    def commit(self) -> None:
        model.Session.commit()

    def _compiler(self, session, query: Node) -> "_Compiler":
        """A compiler for ``query`` with its words analysed and its facet filters resolved to value ids."""
        facetable = facetable_fields()
        filters = self.facets.lookup(session, set(_facet_terms(query, facetable)))
        return _Compiler(self.table, self._cfg(), analyse_words(session, query), (facetable, filters))

    def _cfg(self):
        return sa.bindparam("cfg", cd_config.text_search_config(), type_=REGCONFIG)

    def _row(self, doc: dict[str, Any]) -> dict[str, Any]:
        doc = F.strip_nul(doc)
        classes = F.text_classes(doc)
        stored = {k: v for k, v in doc.items() if k not in F.BIG_TEXT}
        return {
            "index_id": doc.get("index_id") or f"{doc['id']}@{doc.get('site_id', cd_config.site_id())}",
            "site_id": doc.get("site_id") or cd_config.site_id(),
            "id": doc["id"],
            "name": doc.get("name") or doc["id"],
            "entity_type": doc.get("entity_type"),
            "dataset_type": doc.get("dataset_type"),
            "state": doc.get("state"),
            "capacity": doc.get("capacity"),
            "owner_org": doc.get("owner_org"),
            "title": doc.get("title"),
            "metadata_created": F.as_datetime(doc.get("metadata_created")),
            "metadata_modified": F.as_datetime(doc.get("metadata_modified")),
            "permission_labels": [str(x) for x in doc.get("permission_labels") or []],
            "fields": F.normalise(doc),
            "doc": stored,
            "data_dict": doc.get("data_dict"),
            "validated_data_dict": doc.get("validated_data_dict"),
            **dict(zip(("cfg_1", "cfg_2"), F.record_configs(doc, cd_config.text_search_config()))),
            **{f"text_{weight}": text for weight, text in classes.items()},
            **{f"folded_{weight}": fold(text) for weight, text in classes.items()},
        }

    # ------------------------------------------------------------------ reads
    def search(self, request: SearchRequest) -> SearchResult:
        session = model.Session
        with session.begin_nested():  # a failing query must not poison the caller's transaction
            cost = cd_config.random_page_cost()
            if cost:
                session.execute(sa.select(sa.func.set_config("random_page_cost", cost, True)))
            compiler = self._compiler(session, request.query)
            where = compiler.where(request.query)
            if compiler.words:
                # The planner does not count the de-TOASTing of each row's ~4 kB tsvector that a sequential
                # scan needs to test ``@@``; the GIN index answers plain word queries without reading them.
                # So a text query that matches most rows must not fall back to reading every vector.
                session.execute(sa.select(sa.func.set_config("enable_seqscan", "off", True)))
            rank = compiler.rank(cd_config.rank_weights())
            return self._search(session, request, where, rank)

    def _search(self, session, request: SearchRequest, where, rank) -> SearchResult:
        hits = session.execute(sa.select(sa.func.count()).select_from(self.table).where(where)).scalar_one()
        docs = self._docs(session, request, where, rank) if request.rows > 0 and hits > request.start else []
        facetable = facetable_fields()
        fast = [f for f in request.facet_fields if f in facetable]
        facets = self.facets.count(session, fast, request, where) if fast else {}
        facets.update({f: self._facet(session, f, where, request) for f in request.facet_fields if f not in facetable})
        facets = {f: facets[f] for f in request.facet_fields}
        return SearchResult(hits=hits, docs=docs, facets=facets)

    def _docs(self, session, request, where, rank) -> list[dict[str, Any]]:
        t = self.table
        wanted = set(request.fields)
        if "*" in wanted or not wanted <= PLAIN_FIELDS | set(F.BIG_TEXT):
            columns = [t.c.doc]
        else:  # e.g. CKAN's own "id validated_data_dict": the large jsonb document is not read
            columns = [t.c[name] for name in sorted(wanted & PLAIN_FIELDS)]
        columns += [t.c[name] for name in F.BIG_TEXT if "*" in wanted or name in wanted]
        if "score" in wanted:
            columns.append((rank if rank is not None else sa.literal(1.0, sa.Float)).label("score"))
        order = [self._order(key, rank) for key in request.sort if key.field != "score" or rank is not None]
        order.append(t.c.index_id.asc())
        stmt = sa.select(*columns).where(where).order_by(*order).limit(request.rows).offset(request.start)
        return [_pick(dict(row._mapping), wanted) for row in session.execute(stmt)]

    def _order(self, key: SortKey, rank):
        expr = self._sort_expr(key.field, rank)
        return (expr.desc() if key.descending else expr.asc()).nulls_last()

    def _sort_expr(self, field: str, rank):
        t = self.table
        if field == "score":
            return rank
        if field in ("title_string", "title"):
            return sa.func.lower(t.c.title)
        if field in F.COLUMNS or field in F.DATE_COLUMNS:
            return t.c[field]
        return t.c.fields[field].op("->>")(0)

    def _facet(self, session, field: str, where, request: SearchRequest) -> list[tuple[str, int]]:
        t = self.table
        if field in F.COLUMNS:
            value = t.c[field]
            source = sa.select(value.label("value")).where(where, value.isnot(None)).subquery()
        elif field in F.ARRAY_COLUMNS:
            source = sa.select(sa.func.unnest(t.c[field]).label("value")).where(where).subquery()
        else:
            elements = sa.func.jsonb_array_elements_text(t.c.fields[field]).table_valued("value")
            source = sa.select(elements.c.value).select_from(t).join(elements, sa.true()).where(where).subquery()
        count = sa.func.count().label("count")
        stmt = (sa.select(source.c.value, count).group_by(source.c.value)
                .having(sa.func.count() >= max(request.facet_mincount, 0))
                .order_by(count.desc(), source.c.value.asc()))
        if request.facet_limit >= 0:
            stmt = stmt.limit(request.facet_limit)
        return [(str(value), int(n)) for value, n in session.execute(stmt)]


# fields whose own column holds exactly the document's value
PLAIN_FIELDS = frozenset({"id", "name", "index_id", "site_id"})


def _pick(row: dict[str, Any], wanted: set) -> dict[str, Any]:
    doc = dict(row.pop("doc", None) or {})
    doc.update(row)
    if "*" in wanted:
        return doc
    return {name: doc[name] for name in wanted if name in doc}


class _Compiler:
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

    def where(self, node: Node, positive: bool = True):
        handler = getattr(self, "_" + type(node).__name__)
        return handler(node, positive)

    def rank(self, weights: list[float]):
        if not self.rank_queries:
            return None  # no words to rank by: every match scores the same
        query = self.rank_queries[0]
        for other in self.rank_queries[1:]:
            query = query.op("||")(other)
        weights_param = sa.bindparam("rank_weights", weights, type_=ARRAY(sa.REAL))
        return sa.func.ts_rank(weights_param, self.t.c.search_vector, query)

    # --- structure
    def _MatchAll(self, node, positive):
        return sa.true()

    def _Bool(self, node: Bool, positive):
        parts = [self.where(n, positive) for n in node.must]
        parts += [sa.not_(self.where(n, not positive)) for n in node.must_not]
        should = [self.where(n, positive) for n in node.should]
        if should:
            minimum = node.minimum_should_match or (0 if node.must else 1)
            if minimum >= len(should):  # every clause needed: a plain AND, which the indexes answer
                parts.extend(should)
            elif minimum == 1:
                parts.append(sa.or_(*should))
            elif minimum > 1:
                # "any of them" first, which the indexes answer, then the count on those rows only
                matched = sum((sa.case((cond, 1), else_=0) for cond in should), sa.literal(0))
                parts.extend([sa.or_(*should), matched >= minimum])
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
        return self._text(field, sa.cast(sa.literal(query_text, sa.Text), TSQUERY), positive)

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
    def _text(self, field: Optional[str], tsquery, positive: bool):
        if positive:
            self.rank_queries.append(tsquery)
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


def _facet_terms(node: Node, facetable: frozenset):
    """(field, value) of every exact-value leaf on a facetable field stored in ``fields``."""
    if isinstance(node, Bool):
        for child in node.must + node.should + node.must_not:
            yield from _facet_terms(child, facetable)
    elif isinstance(node, (Term, Phrase)) and node.field in facetable and F.kind(node.field) == F.STRING:
        yield node.field, node.value if isinstance(node, Term) else node.text


def _text_terms(node: Node):
    """("plain" | "phrase", text) of every free-text term of a query tree."""
    if isinstance(node, Bool):
        for child in node.must + node.should + node.must_not:
            yield from _text_terms(child)
    elif isinstance(node, Term) and F.kind(node.field) == F.TEXT:
        yield "plain", node.value
    elif isinstance(node, Phrase) and F.kind(node.field) == F.TEXT:
        yield "phrase", node.text


def _stemmers() -> list[str]:
    return [name for name in cd_config.query_configs() if name != cd_config.text_search_config()]


def combined_query_sql(kind: str, text: str):
    """The query of one term in SQL: the accent-free words as written, OR-ed with each stemmer's forms."""
    make = sa.func.plainto_tsquery if kind == "plain" else sa.func.phraseto_tsquery
    query = make(sa.literal_column("'simple'::regconfig"), sa.literal(fold(text), sa.Text))
    for name in [cd_config.text_search_config()] + _stemmers():
        query = query.op("||")(make(sa.cast(sa.literal(name), REGCONFIG), sa.literal(text, sa.Text)))
    return query


# each term (as written; accent-free for the simple configuration) under each configuration, in one statement
_ANALYSE = sa.text("""
    SELECT t.n, c.m,
           CASE WHEN t.kind = 'phrase'
                THEN phraseto_tsquery(c.cfg::regconfig, CASE WHEN c.cfg = 'simple' THEN t.folded ELSE t.text END)
                ELSE plainto_tsquery(c.cfg::regconfig, CASE WHEN c.cfg = 'simple' THEN t.folded ELSE t.text END)
           END::text
    FROM unnest(CAST(:texts AS text[]), CAST(:folded AS text[]), CAST(:kinds AS text[]))
         WITH ORDINALITY AS t(text, folded, kind, n)
    CROSS JOIN unnest(CAST(:configs AS text[])) WITH ORDINALITY AS c(cfg, m)
""")


def analyse_words(session, node: Node) -> dict[tuple, str]:
    """One round trip for all free-text terms: each term's query text, with duplicate forms removed
    ('water' | 'wat' instead of six copies, which would skew the planner's estimate); "" when the term has
    only stop words of the default language."""
    terms = sorted(set(_text_terms(node)))
    if not terms:
        return {}
    configs = ["simple", cd_config.text_search_config()] + _stemmers()
    rows = session.execute(_ANALYSE, {"texts": [t for _, t in terms], "folded": [fold(t) for _, t in terms],
                                      "kinds": [k for k, _ in terms], "configs": configs})
    forms: dict[int, dict[int, str]] = {}
    for n, m, query_text in rows:
        forms.setdefault(n, {})[m] = query_text or ""
    out = {}
    for index, key in enumerate(terms, 1):
        by_config = forms.get(index, {})
        if not by_config.get(2):  # nothing left in the default language: stop words only
            out[key] = ""
            continue
        parts = []
        for m in sorted(by_config):
            if by_config[m] and by_config[m] not in parts:
                parts.append(by_config[m])
        out[key] = " | ".join(f"({p})" for p in parts)
    return out


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
