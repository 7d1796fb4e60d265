"""Fast facets for the PostgreSQL backend.

Each index row carries the ids of its facet values (``facet_ids``, a small int array kept inline, so counting
never decompresses the big jsonb columns); ``citizendata_facet_count`` keeps, on every write, the counts over the
rows anyone may see (per site and dataset type). A search then counts facets:

- for the view of a visitor with no other filter (the /dataset page): from the kept counts;
- otherwise: in one pass over the matching rows' ``facet_ids``, all facet fields at once;
- for a field outside the facetable set: from the jsonb ``fields`` column (the general path).

Example::

    store = FacetStore(search_index_table)
    store.prepare(rows)             # ids and the public flag, before the rows are written
    store.count(session, ["sdg_goals"], request, where)
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Callable, Iterable, Optional

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from ckanext.citizendata import config as cd_config
from ckanext.citizendata.model import facet_count_table, facet_value_table

from . import facets
from .interface import Bool, MatchAll, Node, Phrase, SearchRequest, Term

ALWAYS_FACETABLE = ("organization", "groups", "tags", "res_format", "license_id", "dataset_type", "capacity")


def facetable_fields() -> frozenset:
    """Fields whose values get ids: our facets, CKAN's ``search.facets`` and a few of CKAN's own."""
    return frozenset(facets.shown()) | frozenset(cd_config.ckan_search_facets()) | frozenset(ALWAYS_FACETABLE)


def is_public(row: dict[str, Any]) -> bool:
    return row.get("state") == "active" and row.get("capacity") == "public"


class FacetStore:
    def __init__(self, table: sa.Table):
        self.t = table

    # ------------------------------------------------------------------ writes
    def prepare(self, session, rows: list[dict[str, Any]]) -> None:
        """Set ``facet_ids`` and ``public`` on rows about to be written."""
        facetable = facetable_fields()
        pairs = {(f, v) for row in rows for f in facetable for v in row["fields"].get(f, [])}
        ids = self._ids(session, pairs)
        for row in rows:
            row["facet_ids"] = sorted(ids[(f, v)] for f in facetable for v in row["fields"].get(f, []))
            row["public"] = is_public(row)

    def _ids(self, session, pairs: set) -> dict[tuple, int]:
        if not pairs:
            return {}
        ordered = sorted(pairs)
        session.execute(insert(facet_value_table).values([{"field": f, "value": v} for f, v in ordered])
                        .on_conflict_do_nothing())
        return self.lookup(session, pairs)

    @staticmethod
    def lookup(session, pairs: set) -> dict[tuple, int]:
        """Ids of known (field, value) pairs, for filters; read only (an unknown value matches nothing)."""
        if not pairs:
            return {}
        v = facet_value_table.c
        found = session.execute(sa.select(v.id, v.field, v.value).where(sa.tuple_(v.field, v.value).in_(sorted(pairs))))
        return {(field, value): id_ for id_, field, value in found}

    def before_replace(self, session, index_ids: list[str]) -> Counter:
        """Counts to take back for rows about to be replaced."""
        t = self.t
        old = session.execute(sa.select(t.c.facet_ids, t.c.site_id, t.c.dataset_type)
                              .where(t.c.index_id.in_(index_ids), t.c.public))
        return self._deltas(old, -1)

    def added(self, rows: Iterable[dict[str, Any]]) -> Counter:
        return self._deltas(((r["facet_ids"], r["site_id"], r["dataset_type"]) for r in rows if r["public"]), 1)

    @staticmethod
    def _deltas(rows, sign: int) -> Counter:
        deltas: Counter = Counter()
        for facet_ids, site_id, dataset_type in rows:
            for value_id in facet_ids or []:
                deltas[(value_id, site_id, dataset_type or "")] += sign
        return deltas

    def deleted(self, returned) -> Counter:
        return self._deltas(((ids, site, kind) for ids, site, kind, public in returned if public), -1)

    def apply(self, session, deltas: Counter) -> None:
        values = [{"value_id": k[0], "site_id": k[1], "dataset_type": k[2], "count": n}
                  for k, n in sorted(deltas.items()) if n]
        if not values:
            return
        stmt = insert(facet_count_table).values(values)
        session.execute(stmt.on_conflict_do_update(
            index_elements=["value_id", "site_id", "dataset_type"],
            set_={"count": facet_count_table.c.count + stmt.excluded["count"]}))

    # ------------------------------------------------------------------ reads
    def count(self, session, names: list[str], request: SearchRequest, where, hits: Optional[int] = None,
              compile_where: Optional[Callable[[Node], Any]] = None) -> dict[str, list[tuple[str, int]]]:
        """The top values of the facets ``names`` over the ``hits`` rows ``where`` selects, ``request.query``
        compiled (``compile_where`` compiles a part of it)."""
        scope = public_scope(request.query)
        if scope is not None:
            counts = self._kept(names, scope)
        else:
            counts = self._by_complement(session, names, request.query, hits, compile_where)
            if counts is None:
                counts = self._single_pass(names, where)
        return self._top(session, counts, names, request)

    def _by_complement(self, session, names, query: Node, hits, compile_where):
        """For a query that keeps most of what anyone may see (a common word, with no other filter): the kept
        counts less the counts over the few visible rows it leaves out, found by an anti-join against its
        matches, so the many matches' facet ids are not counted one by one. None for any other query."""
        split = split_scope(query)
        if split is None or hits is None or compile_where is None:
            return None
        scope, visible, narrowing = split
        total = session.execute(sa.select(sa.func.coalesce(sa.func.sum(self._kept(["dataset_type"], scope)
                                                                      .subquery().c.n), 0))).scalar_one()
        if (total - hits) * 10 >= hits:   # measured at 100k: a gain when a twentieth is left out, a loss at a fifth
            return None
        # rows compared by their physical address (ctid): no text keys to hash or sort
        matched = (sa.select(sa.literal_column("ctid").label("row")).select_from(self.t)
                   .where(compile_where(narrowing)).cte("matched").prefix_with("MATERIALIZED"))
        left_out = sa.and_(compile_where(visible),
                           ~sa.exists().where(matched.c.row == sa.literal_column(f"{self.t.name}.ctid")))
        kept, fewer = self._kept(names, scope).subquery(), self._single_pass(names, left_out).subquery()
        return (sa.select(kept.c.field, kept.c.value, (kept.c.n - sa.func.coalesce(fewer.c.n, 0)).label("n"))
                .select_from(kept.outerjoin(fewer, sa.and_(fewer.c.field == kept.c.field,
                                                           fewer.c.value == kept.c.value))))

    def _kept(self, names, scope):
        c, v = facet_count_table.c, facet_value_table.c
        conditions = [v.field.in_(names)]
        site, include, exclude = scope
        if site is not None:
            conditions.append(c.site_id == site)
        if include is not None:
            conditions.append(c.dataset_type.in_(sorted(include)))
        if exclude:
            conditions.append(c.dataset_type.notin_(sorted(exclude)))
        total = sa.func.sum(c.count)
        return (sa.select(v.field, v.value, total.label("n"))
                .select_from(facet_count_table.join(facet_value_table, v.id == c.value_id))
                .where(*conditions).group_by(v.field, v.value))

    def _single_pass(self, names, where):
        v = facet_value_table.c
        # over many matching rows with tens of ids each: unnest in the select list (one ProjectSet, not a lateral
        # function scan per row), count every id, then choose the fields asked for among the few hundred counts
        ids = sa.select(sa.func.unnest(self.t.c.facet_ids).label("value_id")).where(where).subquery("ids")
        counted = sa.select(ids.c.value_id, sa.func.count().label("n")).group_by(ids.c.value_id).subquery()
        return (sa.select(v.field, v.value, counted.c.n)
                .select_from(counted.join(facet_value_table, v.id == counted.c.value_id)).where(v.field.in_(names)))

    @staticmethod
    def _top(session, counts, names, request: SearchRequest):
        counts = counts.subquery()
        rank = sa.func.row_number().over(partition_by=counts.c.field,
                                         order_by=(counts.c.n.desc(), counts.c.value.asc())).label("rank")
        ranked = (sa.select(counts.c.field, counts.c.value, counts.c.n, rank)
                  .where(counts.c.n >= max(request.facet_mincount, 1)).subquery())
        stmt = sa.select(ranked.c.field, ranked.c.value, ranked.c.n).order_by(ranked.c.field, ranked.c.rank)
        if request.facet_limit >= 0:
            stmt = stmt.where(ranked.c.rank <= request.facet_limit)
        out: dict[str, list] = {name: [] for name in names}
        for field, value, n in session.execute(stmt):
            out[field].append((value, int(n)))
        return out


def _text(node: Node) -> str:
    """The value a Term or Phrase compares with."""
    return node.value if isinstance(node, Term) else node.text


def _is(node: Node, field: str, value: Optional[str] = None) -> bool:
    return isinstance(node, (Term, Phrase)) and node.field == field and (value is None or _text(node) == value)


def _conjuncts(node: Node):
    """(required, excluded) leaves of a tree that is only a conjunction; None if it is anything else."""
    if isinstance(node, MatchAll):
        return [], []
    if isinstance(node, (Term, Phrase)):
        return [node], []
    if not isinstance(node, Bool):
        return None
    return _label_choice(node) if node.should else _all_of(node)


def _label_choice(node: Bool):
    """A choice of permission labels and nothing else, as one required leaf (a Bool when several); else None."""
    labels = [n for n in node.should if _is(n, "permission_labels")]
    if len(labels) != len(node.should) or node.must or node.must_not:
        return None
    return ([labels[0]] if len(labels) == 1 else [Bool(should=tuple(labels))]), []


def _all_of(node: Bool):
    """(required, excluded) of a Bool with no should clause: its must clauses' own, then its leaves to exclude."""
    required, excluded = [], []
    for child in node.must:
        parts = _conjuncts(child)
        if parts is None:
            return None
        required += parts[0]
        excluded += parts[1]
    if not all(isinstance(child, (Term, Phrase)) for child in node.must_not):
        return None
    return required, excluded + list(node.must_not)


# the required leaves that say "what anyone may see" (labels alone, or state and capacity together)
_VISIBLE = {("state", "active"): "state", ("capacity", "public"): "capacity",
            ("permission_labels", "public"): "labels"}


def public_scope(node: Node):
    """(site_id or None, dataset types to include or None, dataset types to exclude) when the query asks for
    exactly the rows anyone may see, with no other filter; else None.

    Example::

        >>> public_scope(Bool(must=(Term("permission_labels", "public"), Phrase("site_id", "default"))))
        ('default', None, set())
    """
    parts = _conjuncts(node)
    if parts is None:
        return None
    required, excluded = parts
    scope = _required_scope(required)
    if scope is None or not all(_is(leaf, "dataset_type") for leaf in excluded):
        return None
    site, include, visible = scope
    if "labels" not in visible and not {"state", "capacity"} <= visible:
        return None
    return site, include, {_text(leaf) for leaf in excluded}


def split_scope(node: Node):
    """(scope as :func:`public_scope` gives it, the part of ``node`` that says so, the rest) when ``node`` is a
    conjunction of what anyone may see and other required conditions; else None.

    Example::

        >>> split_scope(Bool(must=(Term(None, "survey"), Term("permission_labels", "public"))))[2]
        Bool(must=(Term(field=None, value='survey'),), should=(), must_not=(), minimum_should_match=0)
    """
    parts = _conjuncts(node)
    if parts is None:
        return None
    required, excluded = parts
    visible = [leaf for leaf in required if _required_scope([leaf]) is not None]
    narrowing = [leaf for leaf in required if _required_scope([leaf]) is None]
    if not narrowing:
        return None
    visible_node = Bool(must=tuple(visible), must_not=tuple(excluded))
    scope = public_scope(visible_node)
    return None if scope is None else (scope, visible_node, Bool(must=tuple(narrowing)))


def _required_scope(required: list):
    """(site_id, dataset types to include, which of _VISIBLE's conditions are met) of the required leaves;
    None when one of them is any other filter."""
    site, include, visible = None, None, set()
    for leaf in required:
        if isinstance(leaf, Bool):
            return None  # several labels: a signed-in user, whose view is not the kept one
        key = (leaf.field, _text(leaf))
        if key in _VISIBLE:
            visible.add(_VISIBLE[key])
        elif leaf.field == "site_id":
            site = key[1]
        elif leaf.field == "dataset_type":
            include = {key[1]} if include is None else include & {key[1]}
        else:
            return None
    return site, include, visible
