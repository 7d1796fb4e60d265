"""The record view: a package dict's citizen-data fields coerced to the record's JSON types, completed from its
initiatives and with the derived fields, made once and then read by everything that shows it (package_show,
the search index, the DCAT profile).

Initiatives whose values the record may not show (:func:`~.inherit.gives_to`: a private initiative and a public
dataset, or an initiative of another organization that is private) give nothing; their ids are listed in
``series_withheld`` so that the record's editors can be told why.

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
WITHHELD = "series_withheld"   # initiatives named in in_series that may not give to this record (see inherit.gives_to)
RECORD_TYPES = ("dataset", SERIES_TYPE)


def is_made(pkg_dict: dict[str, Any]) -> bool:
    return MARK in pkg_dict


def make(pkg_dict: dict[str, Any], lookup: Optional[SeriesLookup] = None) -> dict[str, Any]:
    """Make the record view of ``pkg_dict`` in place (once: a made dict is returned as it is) and return it."""
    if is_made(pkg_dict) or pkg_dict.get("type", "dataset") not in RECORD_TYPES:
        return pkg_dict
    record = record_from_flat(pkg_dict)
    taken: list[str] = []
    withheld: list[str] = []
    refs = series_ids(pkg_dict.get("in_series"))
    if refs and pkg_dict.get("type", "dataset") == "dataset":
        record, taken, withheld = _inherited(record, refs, pkg_dict, lookup)
    pkg_dict.update(record)
    pkg_dict.update(derive(record))
    pkg_dict[MARK] = taken
    if withheld:
        pkg_dict[WITHHELD] = withheld
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


def effective(record: dict[str, Any], refs: list[str], member: dict[str, Any],
              lookup: Optional[SeriesLookup] = None) -> tuple[dict[str, Any], list[str]]:
    """(the record a validator checks: its own fields and, for a dataset in initiatives, what they give it;
    the ids of the initiatives that may not give to it). ``member`` holds the dataset's ``private`` and
    ``owner_org``."""
    if not refs:
        return record, []
    effective_record, _taken, withheld = _inherited(record, refs, member, lookup)
    return effective_record, withheld


def _inherited(record: dict[str, Any], refs: list[str], member: dict[str, Any],
               lookup: Optional[SeriesLookup]) -> tuple[dict, list[str], list[str]]:
    givers, withheld = (lookup or SeriesLookup.for_request()).givers(refs, member)
    return (*inherit(record, givers), withheld)

