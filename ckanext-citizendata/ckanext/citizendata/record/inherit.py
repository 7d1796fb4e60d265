"""Initiatives and their datasets: a dataset in a series (``in_series``) inherits the initiative-level fields
(``x-inherited`` in the JSON Schema) it does not state itself.

Initiatives are read straight from the package table, all the ones a request names in one query, and kept for
the rest of the request (:class:`SeriesLookup`); members are found from the same table, not from the search
index, so that what the catalog states of an initiative never depends on the state of the index.

Example::

    lookup = SeriesLookup.for_request()
    effective, taken = inherit(record, lookup.records(["<series id>"]))    # taken == ["engagement", ...]
"""
from __future__ import annotations

import dataclasses
from typing import Any, Iterable, Optional

import flask
import sqlalchemy as sa
from ckan import model

from .coerce import coerce, record_from_flat, to_list
from .fields import INHERITED
from .schema import property_schema

SERIES_TYPE = "dataset_series"
_REQUEST_KEY = "citizendata_series"


def series_ids(value: Any) -> list[str]:
    """The initiative references of an ``in_series`` value (a list, JSON text or comma-separated text)."""
    refs = to_list(value) if value not in (None, "") else []
    return [str(r) for r in refs] if isinstance(refs, list) else []


def _empty(value: Any) -> bool:
    return value in (None, "", [], {})


@dataclasses.dataclass(frozen=True)
class Series:
    """One initiative as inheritance and links need it."""
    id: str
    name: str
    title: str
    notes: str
    private: bool
    owner_org: Optional[str]
    record: dict[str, Any]    # its citizen-data fields, in the record's JSON types


class SeriesLookup:
    """Initiatives by id or name, read in one query for all the references asked at once and kept; ``forget``
    drops one after it changed."""

    def __init__(self) -> None:
        self._found: dict[str, Optional[Series]] = {}

    @classmethod
    def for_request(cls) -> "SeriesLookup":
        """The lookup of the current request (a fresh one outside a request: CLI, jobs)."""
        if not flask.has_app_context():
            return cls()
        lookup = flask.g.get(_REQUEST_KEY)
        if lookup is None:
            lookup = cls()
            setattr(flask.g, _REQUEST_KEY, lookup)
        return lookup

    def get(self, ref: str) -> Optional[Series]:
        return self.many([ref])[0]

    def many(self, refs: Iterable[str]) -> list[Optional[Series]]:
        refs = [str(r) for r in refs]
        missing = [r for r in refs if r not in self._found]
        if missing:
            self._read(missing)
        return [self._found.get(r) for r in refs]

    def records(self, refs: Iterable[str]) -> list[dict[str, Any]]:
        """The citizen-data fields of the initiatives that exist, in the order given."""
        return [s.record for s in self.many(refs) if s is not None]

    def forget(self, *refs: str) -> None:
        for ref in refs:
            series = self._found.pop(ref, None)
            if series is not None:
                self._found.pop(series.id, None)
                self._found.pop(series.name, None)

    def _read(self, refs: list[str]) -> None:
        p = model.package_table
        rows = model.Session.execute(
            sa.select(p.c.id, p.c.name, p.c.title, p.c.notes, p.c.private, p.c.owner_org, p.c.extras)
            .where(sa.or_(p.c.id.in_(refs), p.c.name.in_(refs)), p.c.type == SERIES_TYPE, p.c.state != "deleted"))
        for row in rows:
            series = Series(id=row.id, name=row.name, title=row.title or row.name, notes=row.notes or "",
                            private=bool(row.private),
                            owner_org=row.owner_org, record=record_from_flat(row.extras or {}))
            self._found[row.id] = self._found[row.name] = series
        for ref in refs:
            self._found.setdefault(ref, None)


def inherit(record: dict[str, Any], series: list[dict[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    """(effective record, names of the inherited fields): the first series that has a value gives it."""
    effective, taken = dict(record), []
    for name in INHERITED:
        if not _empty(effective.get(name)):
            continue
        value = _first(series, name)
        if value is not None:
            effective[name] = value
            taken.append(name)
    return effective, taken


def _first(series: list[dict[str, Any]], name: str) -> Any:
    return next((parent[name] for parent in series if not _empty(parent.get(name))), None)


def still_inherited(submitted: dict[str, Any], names: list[str], series: list[dict[str, Any]]) -> list[str]:
    """Of the fields a client got as inherited and sends back, those still equal to the initiative's value
    (a show-then-update round trip must not turn them into the dataset's own values)."""
    return [name for name in names if name in INHERITED and _first(series, name) is not None
            and coerce(submitted.get(name), property_schema(name)) == _first(series, name)]


def members_of(initiatives: Iterable[str], public: bool = False) -> dict[str, list[str]]:
    """Each initiative's datasets (every state and visibility; with ``public`` only the active public ones),
    ids sorted, read from the package table in one pass for all the initiatives asked."""
    wanted = set(initiatives)
    found: dict[str, list[str]] = {series_id: [] for series_id in wanted}
    if not wanted:
        return found
    p = model.package_table
    stated = p.c.extras["in_series"].astext
    query = sa.select(p.c.id, stated).where(p.c.extras.has_key("in_series"), p.c.type != SERIES_TYPE)
    if public:
        query = query.where(p.c.state == "active", p.c.private.is_(False))
    for package_id, value in model.Session.execute(query):
        for series_id in wanted.intersection(series_ids(value)):
            found[series_id].append(package_id)
    return {series_id: sorted(ids) for series_id, ids in found.items()}


def members(series_id: str) -> list[str]:
    """Ids of every dataset (any state and visibility) whose ``in_series`` names this series."""
    return members_of([series_id])[series_id]


def public_members(series_id: str) -> list[str]:
    """Ids of the active public datasets in a series, sorted: the members a DCAT catalog states."""
    return members_of([series_id], public=True)[series_id]
