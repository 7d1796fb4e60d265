"""Citizen-data facets: which fields (the record's field table, or ``ckanext.citizendata.facets``), their
headings, and their values named in the user's language.

Example::

    add_facets(OrderedDict(organization="Organizations"))   # our facets first, then CKAN's
    label_values(search_results)                              # "16" -> "16 Peace, justice and strong institutions"
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable

from ckan.plugins import toolkit

from ckanext.citizendata import config as cd_config
from ckanext.citizendata.record import fields
from ckanext.citizendata.vocab import registry


def shown() -> list[str]:
    """The facet fields shown, in order: the configured ones, else the field table's."""
    return cd_config.facets() or [f.name for f in fields.facets()]


def title(name: str) -> str:
    field = fields.facet_fields().get(name)
    return field.facet.title if field is not None else name


def add_facets(facets_dict: "OrderedDict[str, Any]") -> "OrderedDict[str, Any]":
    ours = OrderedDict((name, toolkit._(title(name))) for name in shown())
    ours.update((k, v) for k, v in facets_dict.items() if k not in ours)
    return ours


def _language() -> str:
    try:
        return toolkit.h.lang() or "en"
    except RuntimeError:  # outside a request (CLI, tests without a request): English
        return "en"


def _yes_no(value: str) -> str:
    return {"true": toolkit._("Yes"), "false": toolkit._("No")}.get(value, value)


def _field_title(value: str) -> str:
    """A record field's title (the values of an index field derived from several fields are field names)."""
    field = fields.FIELDS.get(value)
    return toolkit._(field.title) if field is not None else value


def _labeller(field: fields.Field, lang: str) -> Callable[[str], str]:
    if field.kind == "boolean":
        return _yes_no
    if isinstance(field.derived_from, list):
        return _field_title
    if field.vocabulary is None:
        return str
    labels = registry.display_labels(field.vocabulary, lang)
    return lambda value: labels.get(value, value)


def label_values(search_results: dict[str, Any]) -> dict[str, Any]:
    """after_dataset_search: display names of our facet values from the vocabularies."""
    lang = _language()
    known = fields.facet_fields()
    for name, facet in (search_results.get("search_facets") or {}).items():
        if name not in known:
            continue
        label = _labeller(known[name], lang)
        for item in facet.get("items", []):
            item["display_name"] = label(str(item["name"]))
    return search_results
