"""PostgreSQL search backend: CKAN's index documents in one table of the CKAN database.

Writes go through CKAN's SQLAlchemy session, so a dataset and its index row commit (or roll back) together.
Queries are compiled by :mod:`.compiler` from the neutral nodes of :mod:`..interface`; free-text terms are
analysed by :mod:`.analysis`; facets are counted by :mod:`..facet_store`.

Example::

    backend = PostgresBackend()
    backend.search(SearchRequest(query=lucene.parse("tags:economy"), facet_fields=("organization",)))
"""
from __future__ import annotations

import contextlib
from functools import lru_cache
from typing import Any, Optional

import sqlalchemy as sa
from ckan import model
from sqlalchemy.dialects.postgresql import REGCONFIG, insert

from ckanext.citizendata import config as cd_config
from ckanext.citizendata.model import facet_count_table, search_index_table
from ckanext.citizendata.text import fold

from .. import fields as F
from ..facet_store import FacetStore, facetable_fields
from ..interface import Bool, Node, Phrase, QueryTooCostly, SearchRequest, SearchResult, SortKey, Term
from .analysis import analyse_words
from .compiler import Compiler, facet_terms


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
        # a row written again as it was (a rebuild of unchanged records) is left alone: no new row version, so
        # no index entries (a RUM insert costs as much as the rest of the write) and no bloat
        changed = sa.or_(*(table.c[name].is_distinct_from(value) for name, value in updated.items()))
        return stmt.on_conflict_do_update(index_elements=["index_id"], set_=updated, where=changed)

    def _upsert(self):
        return self._upsert_for(self.table)

    @contextlib.contextmanager
    def bulk_load(self):
        """While an emptied index is filled again (``ckan citizendata reindex --clear``): the text index is
        dropped, then built in one pass at the end. Keeping a RUM index up row by row costs as much as the rest of
        the write (at 10k records a rebuild ran at 53 records/s with it, 104 without), and leaves it about 2.6
        times larger and slower to search. Text queries are slow until it is back; a run that was stopped midway
        leaves it missing, and the next one builds it."""
        session = model.Session
        name, definition = text_index(session)
        session.execute(sa.text(f"DROP INDEX IF EXISTS {name}"))
        session.commit()
        try:
            yield
        finally:
            session.rollback()
            session.execute(sa.text(definition))
            session.commit()
            forget_index_kind()

    def delete(self, query: Node) -> int:
        t = self.table
        site = _whole_site(query)
        if site is not None and not model.Session.execute(sa.select(t.c.index_id).where(t.c.site_id != site)
                                                          .limit(1)).first():
            emptied = self._truncate(site)
            if emptied is not None:
                return emptied
        where = self._compiler(model.Session, query).where(query)
        returned = model.Session.execute(sa.delete(t).where(where).returning(
            t.c.facet_ids, t.c.site_id, t.c.dataset_type, t.c.public)).all()
        self.facets.apply(model.Session, self.facets.deleted(returned))
        return len(returned)

    def _truncate(self, site: str) -> Optional[int]:
        """Every row gone at once (CKAN's clear of the whole index, when it holds no other site): no dead rows
        and no dead TOAST left to vacuum, as a row-by-row delete of 100k records leaves (the table twice its size
        after a rebuild). Its kept counts go with it. None, with nothing done, when another transaction holds
        the table for longer than ``TRUNCATE_WAIT`` (TRUNCATE must have it alone): the rows are deleted instead."""
        session = model.Session
        count = session.execute(sa.select(sa.func.count()).select_from(self.table)).scalar_one()
        try:
            with session.begin_nested():
                previous = set_local(session, "lock_timeout", TRUNCATE_WAIT)
                session.execute(sa.text(f"TRUNCATE {self.table.name}"))
                set_local(session, "lock_timeout", previous)
        except sa.exc.OperationalError as err:
            if getattr(err.orig, "pgcode", None) != "55P03":   # lock_not_available
                raise
            return None
        session.execute(sa.delete(facet_count_table).where(facet_count_table.c.site_id == site))
        return count

    def commit(self) -> None:
        model.Session.commit()

    def _compiler(self, session, query: Node) -> "Compiler":
        """A compiler for ``query`` with its words analysed and its facet filters resolved to value ids."""
        facetable = facetable_fields()
        filters = self.facets.lookup(session, set(facet_terms(query, facetable)))
        return Compiler(self.table, self._cfg(), analyse_words(session, query), (facetable, filters))

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
        # a failing query must not poison the caller's transaction; none runs longer than the request allows
        with session.begin_nested(), statement_timeout(session, request.timeout_ms):
            planner = {"random_page_cost": cd_config.random_page_cost(), "work_mem": cd_config.work_mem()}
            settings = [sa.func.set_config(name, value, True) for name, value in planner.items() if value]
            if settings:
                session.execute(sa.select(*settings))
            compiler = self._compiler(session, request.query)
            where = compiler.where(request.query)
            if compiler.words:
                # The planner does not count the de-TOASTing of each row's ~4 kB tsvector that a sequential
                # scan needs to test ``@@``; the GIN index answers plain word queries without reading them.
                # So a text query that matches most rows must not fall back to reading every vector.
                session.execute(sa.select(sa.func.set_config("enable_seqscan", "off", True)))
            weights = cd_config.rank_weights()
            rank = compiler.rank(weights)
            # the rank order read from a RUM index, which ranks with PostgreSQL's default weights only
            in_index = compiler.distance() if ranks_in_index(session) and list(weights) == DEFAULT_WEIGHTS else None
            return self._search(session, request, where, (rank, in_index))

    def _search(self, session, request: SearchRequest, where, ranking) -> SearchResult:
        hits = session.execute(sa.select(sa.func.count()).select_from(self.table).where(where)).scalar_one()
        docs = self._docs(session, request, where, ranking) if request.rows > 0 and hits > request.start else []
        facetable = facetable_fields()
        fast = [f for f in request.facet_fields if f in facetable]
        facets = self.facets.count(session, fast, request, where, hits,
                                   lambda part: self._compiler(session, part).where(part)) if fast else {}
        facets.update({f: self._facet(session, f, where, request) for f in request.facet_fields if f not in facetable})
        facets = {f: facets[f] for f in request.facet_fields}
        return SearchResult(hits=hits, docs=docs, facets=facets)

    def _docs(self, session, request, where, ranking) -> list[dict[str, Any]]:
        wanted, (rank, in_index) = set(request.fields), ranking
        keys = request.sort
        if in_index is not None and keys and keys[0].field == "score" and keys[0].descending:
            return self._docs_in_rank_order(session, request, where, ranking)
        stmt = (sa.select(*self._columns(wanted, rank)).where(where).order_by(*self._ordering(keys, rank))
                .limit(request.rows).offset(request.start))
        return [_pick(dict(row._mapping), wanted) for row in session.execute(stmt)]

    def _docs_in_rank_order(self, session, request, where, ranking) -> list[dict[str, Any]]:
        """The best first, read from the RUM index in distance order (it cannot give a second sort key): the
        page's rows and ``TIE_MARGIN`` more, then ordered by every sort key. Rows of equal score beyond the
        margin are not looked at: on a page whose last score more than ``TIE_MARGIN`` rows share, which of them
        are shown is the index's choice."""
        rank, in_index = ranking
        t, wanted = self.table, set(request.fields)
        best = (sa.select(t.c.index_id, in_index.label("distance")).where(where).order_by(in_index)
                .limit(request.start + request.rows + TIE_MARGIN).subquery())
        stmt = (sa.select(*self._columns(wanted, rank)).select_from(t.join(best, best.c.index_id == t.c.index_id))
                .order_by(best.c.distance, *self._ordering(request.sort[1:], rank))
                .limit(request.rows).offset(request.start))
        return [_pick(dict(row._mapping), wanted) for row in session.execute(stmt)]

    def _columns(self, wanted: set, rank) -> list:
        """The columns that give the ``wanted`` fields: the stored document, or only plain columns when they are
        enough; the big texts asked for; the score."""
        t = self.table
        if "*" in wanted or not wanted <= PLAIN_FIELDS | set(F.BIG_TEXT):
            columns = [t.c.doc]
        else:  # e.g. CKAN's own "id validated_data_dict": the large jsonb document is not read
            columns = [t.c[name] for name in sorted(wanted & PLAIN_FIELDS)]
        columns += [t.c[name] for name in F.BIG_TEXT if "*" in wanted or name in wanted]
        if "score" in wanted:
            columns.append((rank if rank is not None else sa.literal(1.0, sa.Float)).label("score"))
        return columns

    def _ordering(self, keys: tuple, rank) -> list:
        """ORDER BY of the sort keys (a score without words to rank by is left out), then ``index_id``."""
        order = [self._order(key, rank) for key in keys if key.field != "score" or rank is not None]
        order.append(self.table.c.index_id.asc())
        return order

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


TRUNCATE_WAIT = "3s"   # how long emptying the index waits for other transactions to let go of it


def _whole_site(query: Node) -> Optional[str]:
    """The site a query selects when it says only ``+site_id:"<site>"`` (CKAN's clear of the whole index)."""
    while isinstance(query, Bool) and len(query.must) == 1 and not query.should and not query.must_not:
        query = query.must[0]
    if isinstance(query, Term) and query.field == "site_id":
        return query.value
    if isinstance(query, Phrase) and query.field == "site_id":
        return query.text
    return None


# ts_rank's default weights (D, C, B, A), the only ones RUM's distance ranks with
DEFAULT_WEIGHTS = [0.1, 0.2, 0.4, 1.0]
RUM_INDEX = "citizendata_search_index_vector_rum_idx"   # migration c9e1a3b50009, when the server has RUM
# rows read past the page from the RUM index, so that equal scores at the page's end are ordered by the next keys
TIE_MARGIN = 100
_index_kind: dict[str, bool] = {}


def ranks_in_index(session) -> bool:
    """Whether the text index of this database is the RUM one (read once per database and process;
    :func:`forget_index_kind` after changing it)."""
    key = str(session.get_bind().url)
    if key not in _index_kind:
        _index_kind[key] = session.execute(sa.text("SELECT 1 FROM pg_indexes WHERE indexname = :name"),
                                           {"name": RUM_INDEX}).first() is not None
    return _index_kind[key]


def forget_index_kind() -> None:
    _index_kind.clear()


GIN_INDEX = "citizendata_search_index_vector_idx"   # migration a1c3e5f70001, kept where the server lacks RUM
_TEXT_INDEX_METHODS = {RUM_INDEX: "rum (search_vector rum_tsvector_ops)", GIN_INDEX: "gin (search_vector)"}


def text_index_statement(name: str) -> str:
    """The CREATE INDEX statement of the text index ``name`` (:data:`RUM_INDEX` or :data:`GIN_INDEX`)."""
    return f"CREATE INDEX {name} ON {search_index_table.name} USING {_TEXT_INDEX_METHODS[name]}"


def has_rum_extension(session) -> bool:
    return session.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'rum'")).first() is not None


def text_index(session) -> tuple[str, str]:
    """(name, CREATE INDEX statement) of the index on the text vectors: the one there is, else the one the
    migrations would make (RUM when the database has the extension, else GIN)."""
    found = session.execute(sa.text("SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN (:rum, :gin)"),
                            {"rum": RUM_INDEX, "gin": GIN_INDEX}).first()
    if found is not None:
        return found[0], found[1]
    name = RUM_INDEX if has_rum_extension(session) else GIN_INDEX
    return name, text_index_statement(name)


def set_local(session, name: str, value: str) -> str:
    """``SET LOCAL name = value`` (until the transaction ends); returns the value it replaces, to put back."""
    return session.execute(sa.select(sa.func.current_setting(name), sa.func.set_config(name, value, True))).first()[0]


# PostgreSQL's codes for a statement stopped by statement_timeout and for one too deep for its stack
_TOO_COSTLY = {"57014": "took longer than the limit of {ms} ms ({key})",
               "54001": "is too complex for the database (nested too deep)"}


@contextlib.contextmanager
def statement_timeout(session, ms: int):
    """Run the block's statements under ``SET LOCAL statement_timeout`` (none when ``ms`` is 0), then put the
    previous value back; a statement stopped by it (or by the server's stack depth limit) raises
    :class:`~..interface.QueryTooCostly` with our own message. Use inside a savepoint: rolling it back after
    the error leaves the caller's transaction usable.

    Example::

        with session.begin_nested(), statement_timeout(session, 10000):
            session.execute(...)
    """
    previous = set_local(session, "statement_timeout", f"{int(ms)}ms") if ms else None
    try:
        yield
    except sa.exc.DBAPIError as err:
        rule = _TOO_COSTLY.get(getattr(err.orig, "pgcode", None))
        if rule is None:
            raise
        raise QueryTooCostly("the search " + rule.format(ms=ms, key=cd_config.LIMITS + "search_statement_timeout_ms")
                             + "; ask for less (fewer terms, no leading wildcards)") from err
    if previous is not None:
        set_local(session, "statement_timeout", previous)


# fields whose own column holds exactly the document's value
PLAIN_FIELDS = frozenset({"id", "name", "index_id", "site_id"})


def _pick(row: dict[str, Any], wanted: set) -> dict[str, Any]:
    doc = dict(row.pop("doc", None) or {})
    doc.update(row)
    return F.pick(doc, wanted)

