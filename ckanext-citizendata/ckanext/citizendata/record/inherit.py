"""Initiatives and their datasets: a dataset in a series (``in_series``) inherits the initiative-level fields
(``x-inherited`` in the JSON Schema) it does not state itself. The effective values are what is validated,
shown, indexed and serialized; derived fields are computed from them at show time.

Example::

    effective_record({"name": "round-3", "in_series": [series_id]})   # engagement etc. from the series
"""
from __future__ import annotations

from typing import Any, Iterable, Optional

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit

from .coerce import coerce, to_list
from .derive import derive
from .schema import SCHEMA, property_schema

INHERITED = tuple(name for name, prop in SCHEMA["properties"].items() if prop.get("x-inherited"))
SERIES_TYPE = "dataset_series"


def series_ids(value: Any) -> list[str]:
    refs = to_list(value) if value not in (None, "") else []
    return [str(r) for r in refs] if isinstance(refs, list) else []


def resolve_series(ref: str) -> Optional[model.Package]:
    package = model.Package.get(ref)
    if package is None or package.type != SERIES_TYPE or package.state == "deleted":
        return None
    return package


def series_dicts(refs: Iterable[str]) -> list[dict[str, Any]]:
    context = {"ignore_auth": True, "citizendata_no_inherit": True}
    found = []
    for ref in refs:
        if resolve_series(ref) is not None:
            found.append(toolkit.get_action("package_show")(dict(context), {"id": ref}))
    return found


def inherit(record: dict[str, Any], series: list[dict[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    """(effective record, names of the inherited fields): the first series that has a value gives it."""
    effective, taken = dict(record), []
    for name in INHERITED:
        if effective.get(name) not in (None, "", [], {}):
            continue
        for parent in series:
            if parent.get(name) not in (None, "", [], {}):
                effective[name] = parent[name]
                taken.append(name)
                break
    return effective, taken


def apply_to_shown(pkg_dict: dict[str, Any], context: dict[str, Any]) -> None:
    """after_dataset_show: fill inherited fields, record which, and compute the derived fields."""
    if context.get("citizendata_no_inherit") or pkg_dict.get("type") not in ("dataset", SERIES_TYPE):
        return
    taken: list[str] = []
    for name in pkg_dict.get("inherited_fields") or []:  # a dict from the index cache: inherit afresh
        if name in INHERITED:
            pkg_dict.pop(name, None)
    refs = series_ids(pkg_dict.get("in_series"))
    if refs and pkg_dict.get("type") == "dataset":
        effective, taken = inherit(pkg_dict, series_dicts(refs))
        pkg_dict.update({name: effective[name] for name in taken})
    pkg_dict["inherited_fields"] = taken
    pkg_dict.update(derive(pkg_dict))


def members(series_id: str, page: int = 1000) -> list[str]:
    """Ids of all the datasets whose in_series names this series (paged through the index)."""
    found: list[str] = []
    while True:
        result = toolkit.get_action("package_search")(
            {"ignore_auth": True}, {"fq": f'in_series:"{series_id}"', "rows": page, "start": len(found),
                                    "fl": "id", "sort": "name asc", "include_private": True,
                                    "include_drafts": True})
        batch = [r["id"] if isinstance(r, dict) else r for r in result["results"]]
        found += batch
        if len(batch) < page:
            return found


def public_members(series_id: str) -> list[str]:
    """Ids of the active public datasets in a series, sorted: the members a DCAT catalog states (one query
    for all of them after the index lookup)."""
    member_ids = members(series_id)
    if not member_ids:
        return []
    p = model.package_table
    return sorted(model.Session.execute(
        sa.select(p.c.id).where(p.c.id.in_(member_ids), p.c.state == "active", p.c.private.is_(False))).scalars())


def still_inherited(submitted: dict[str, Any], names: list[str], series: list[dict[str, Any]]) -> list[str]:
    """Of the fields a client got as inherited and sends back, those still equal to the initiative's value
    (a show-then-update round trip must not turn them into the dataset's own values)."""
    parents = {}
    for name in INHERITED:
        for parent in series:
            if parent.get(name) not in (None, "", [], {}):
                parents[name] = parent[name]
                break
    return [name for name in names if name in parents
            and coerce(submitted.get(name), property_schema(name)) == parents[name]]
