"""Initiatives and their datasets: a dataset in a series (``in_series``) inherits the initiative-level fields
(``x-inherited`` in the JSON Schema) it does not state itself.

Initiatives are read straight from the package table, all the ones a request names in one query, and kept for
the rest of the request (:class:`SeriesLookup`); members are found from the same table, not from the search
index, so that what the catalog states of an initiative never depends on the state of the index.

A member shows only what every reader of the member may see (:func:`gives_to`): values come from a public
initiative, or from a private one of the member's own organization into a private member (whose readers are
that organization's members). The rule depends on the two records only, never on who asks, so the index row
and the cached DCAT fragment of a member hold the same values for everyone.

Example::

    lookup = SeriesLookup.for_request()
    givers, withheld = lookup.givers(["<series id>"], {"private": False, "owner_org": "<org id>"})
    effective, taken = inherit(record, givers)    # taken == ["engagement", ...]
"""
from __future__ import annotations

import dataclasses
from typing import Any, Iterable, Optional

import flask
import sqlalchemy as sa
from ckan import model

from .coerce import coerce, record_from_flat, to_bool, to_list
from .fields import INHERITED
from .schema import property_schema

SERIES_TYPE = "dataset_series"
OPEN_MEMBERSHIP = "open_membership"   # an initiative's flag: datasets of other organizations may join it
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
    state: str = "active"
    open_membership: bool = False

    @property
    def public(self) -> bool:
        """Anyone may see it: active and not private."""
        return self.state == "active" and not self.private


def gives_to(series: Series, member: dict[str, Any]) -> bool:
    """Whether the initiative's values may be shown in ``member`` (a dict with ``private`` and ``owner_org``):
    whoever may read the member may read the initiative. A public initiative gives to every member; an active
    private one only to the private members of its own organization.

    >>> gives_to(Series("s", "s", "S", "", True, "org-a", {}), {"private": True, "owner_org": "org-a"})
    True
    >>> gives_to(Series("s", "s", "S", "", True, "org-a", {}), {"private": False, "owner_org": "org-a"})
    False
    """
    if series.public:
        return True
    return (series.state == "active" and bool(series.owner_org) and series.owner_org == member.get("owner_org")
            and to_bool(member.get("private")) is True)


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

    def givers(self, refs: Iterable[str], member: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
        """(the citizen-data fields of the initiatives that give to ``member``, in the order given; the ids of
        those that exist but may not give to it: see :func:`gives_to`)."""
        givers, withheld = [], []
        for series in self.many(refs):
            if series is not None and gives_to(series, member):
                givers.append(series.record)
            elif series is not None:
                withheld.append(series.id)
        return givers, withheld

    def forget(self, *refs: str) -> None:
        for ref in refs:
            series = self._found.pop(ref, None)
            if series is not None:
                self._found.pop(series.id, None)
                self._found.pop(series.name, None)

    def _read(self, refs: list[str]) -> None:
        p = model.package_table
        rows = model.Session.execute(
            sa.select(p.c.id, p.c.name, p.c.title, p.c.notes, p.c.private, p.c.owner_org, p.c.extras, p.c.state)
            .where(sa.or_(p.c.id.in_(refs), p.c.name.in_(refs)), p.c.type == SERIES_TYPE, p.c.state != "deleted"))
        for row in rows:
            extras = row.extras or {}
            series = Series(id=row.id, name=row.name, title=row.title or row.name, notes=row.notes or "",
                            private=bool(row.private), owner_org=row.owner_org, record=record_from_flat(extras),
                            state=row.state, open_membership=to_bool(extras.get(OPEN_MEMBERSHIP)) is True)
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
