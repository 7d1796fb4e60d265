"""The record view: a package dict's citizen-data fields coerced to the record's JSON types, completed from its
initiatives and with the derived fields, made once and then read by everything that shows it (package_show,
the search index, the DCAT profile).

A dict that carries ``inherited_fields`` has been made (only :func:`make` writes that key; a stored package never
holds it: the form's copy is dropped on input), so it is taken as it is: package_show's copy from the search
index, the index's own document and the DCAT profile's input are not made a second time. Initiatives come from
the request's :class:`~.inherit.SeriesLookup`, read once per request.

Example::

    shown = make({"type": "dataset", "in_series": ["<series id>"], "sample_size": "120"})
    shown["sample_size"], shown["inherited_fields"]     # (120, ["engagement", "initiative_type", ...])
"""
from __future__ import annotations

from typing import Any, Optional

from .coerce import coerce, record_from_flat
from .derive import derive
from .fields import FIELDS
from .inherit import SERIES_TYPE, SeriesLookup, inherit, series_ids
from .schema import property_schema

MARK = "inherited_fields"
RECORD_TYPES = ("dataset", SERIES_TYPE)


def is_made(pkg_dict: dict[str, Any]) -> bool:
    return MARK in pkg_dict


def make(pkg_dict: dict[str, Any], lookup: Optional[SeriesLookup] = None) -> dict[str, Any]:
    """Make the record view of ``pkg_dict`` in place (once: a made dict is returned as it is) and return it."""
    if is_made(pkg_dict) or pkg_dict.get("type", "dataset") not in RECORD_TYPES:
        return pkg_dict
    record = record_from_flat(pkg_dict)
    taken: list[str] = []
    refs = series_ids(pkg_dict.get("in_series"))
    if refs and pkg_dict.get("type", "dataset") == "dataset":
        record, taken = _inherited(record, refs, lookup)
    pkg_dict.update(record)
    pkg_dict.update(derive(record))
    pkg_dict[MARK] = taken
    return pkg_dict


def record_of(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """The citizen-data fields of a dict in the record's JSON types: a made dict's as they are; any other's
    (a record read from RDF, a dict built by hand) coerced, with the derived fields computed where it lacks them
    (no initiative is read).

    >>> record_of({"sdg_indicators": '["16.6.2"]', "engagement": []})["sdg_goals"]
    ['16']
    """
    if is_made(pkg_dict):
        return {name: pkg_dict[name] for name in FIELDS if not _empty(pkg_dict.get(name))}
    record = {name: coerce(pkg_dict[name], property_schema(name)) for name in FIELDS
              if not _empty(pkg_dict.get(name))}
    for name, value in derive(record).items():
        record.setdefault(name, value)
    return record


def _empty(value: Any) -> bool:
    return value in (None, "", [], {})


def effective(record: dict[str, Any], refs: list[str], lookup: Optional[SeriesLookup] = None) -> dict[str, Any]:
    """The record a validator checks: its own fields and, for a dataset in initiatives, what they give it."""
    return _inherited(record, refs, lookup)[0] if refs else record


def _inherited(record: dict[str, Any], refs: list[str], lookup: Optional[SeriesLookup]) -> tuple[dict, list[str]]:
    return inherit(record, (lookup or SeriesLookup.for_request()).records(refs))

