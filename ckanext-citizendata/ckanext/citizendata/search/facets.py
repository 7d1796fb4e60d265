"""Citizen-data facets: which fields, their titles, and their values' labels in the user's language.

Example::

    add_facets(OrderedDict(organization="Organizations"))   # our facets first, then CKAN's
    label_values(search_results)                              # "16" -> "Goal 16. Peace, justice and ..."
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable, Optional

from ckan.plugins import toolkit

from ckanext.citizendata import config as cd_config
from ckanext.citizendata.record import countries
from ckanext.citizendata.record.validate import COUNTRY_SCHEME
from ckanext.citizendata.vocab import registry

# facet field -> (title, scheme whose labels name the values)
FACETS: dict[str, tuple[str, Optional[str]]] = {
    "initiative_type": ("Initiative types", "initiative-types"),
    "engagement_stage": ("Engaged stages", "engagement-stages"),
    "engagement_level_max": ("Deepest engagement", "engagement-levels"),
    "meets_copenhagen_definition": ("Meets the Copenhagen definition", None),
    "sdg_goals": ("SDG goals", "sdg"),
    "sdg_targets": ("SDG targets", "sdg"),
    "sdg_indicators": ("SDG indicators", "sdg"),
    "population_groups": ("Population groups", "population-groups"),
    "disaggregation": ("Disaggregation", "disaggregation"),
    "countries": ("Countries", "iso-3166-1-alpha-3"),
    "recognition_status": ("Recognition status", "recognition-status"),
    "collection_methods": ("Collection methods", "collection-methods"),
}


def add_facets(facets_dict: "OrderedDict[str, Any]") -> "OrderedDict[str, Any]":
    ours = OrderedDict((field, toolkit._(FACETS.get(field, (field,))[0])) for field in cd_config.facets())
    ours.update((k, v) for k, v in facets_dict.items() if k not in ours)
    return ours


def _language() -> str:
    try:
        return toolkit.h.lang() or "en"
    except Exception:  # outside a request (CLI, tests without a request): English
        return "en"


def _labeller(scheme: Optional[str], field: str, lang: str) -> Callable[[str], str]:
    if field == "meets_copenhagen_definition":
        return lambda v: toolkit._("Yes") if v == "true" else toolkit._("No") if v == "false" else v
    if scheme is None:
        return lambda v: v
    if scheme == COUNTRY_SCHEME:
        return countries.name
    labels = registry.labels(scheme, lang)
    coded = scheme == "sdg"
    return lambda v: (f"{v} {labels[v]}" if coded else labels[v]) if v in labels else v


def label_values(search_results: dict[str, Any]) -> dict[str, Any]:
    """after_dataset_search: display names of our facet values from the vocabularies."""
    lang = _language()
    for field, facet in (search_results.get("search_facets") or {}).items():
        if field not in FACETS:
            continue
        label = _labeller(FACETS[field][1], field, lang)
        for item in facet.get("items", []):
            item["display_name"] = label(str(item["name"]))
    return search_results
