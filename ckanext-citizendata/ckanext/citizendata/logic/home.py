"""The home page's figures and the site's main navigation.

The entry points' counts come from ONE ``package_search`` with facets, run as the requesting user (private records
are counted only for those who may see them) over the records the dataset search page lists, so that each count
is what its link shows. A second search lists the latest initiatives. Nothing here is cached: it depends on the user.

Example::

    figures({"user": "ana"})["goals"][15]
    # {"notation": "16", "label": "Peace, justice and strong institutions", "count": 3,
    #  "url": "/dataset/?sdg_goals=16"}
"""
from __future__ import annotations

import json
from typing import Any

from ckan.plugins import toolkit
from flask import request

from ckanext.citizendata import config as cd_config
from ckanext.citizendata.record import fields
from ckanext.citizendata.vocab import registry

from .registry import register_helper

GOALS, COUNTRIES, STAGES, TYPES = "sdg_goals", "countries", "engagement_stage", "initiative_type"
ENTRY_FACETS = (GOALS, COUNTRIES, STAGES, TYPES)
SERIES = "dataset_series"
LATEST_INITIATIVES = 5
COUNTRIES_SHOWN = 12


def _search(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    return toolkit.get_action("package_search")(dict(context), {"include_private": True, **data_dict})


def _counts(searched: dict[str, Any], name: str) -> dict[str, int]:
    items = (searched.get("search_facets") or {}).get(name, {}).get("items", [])
    return {str(item["name"]): item["count"] for item in items}


def _every(name: str, counts: dict[str, int], lang: str) -> list[dict[str, Any]]:
    """Every concept the facet field takes, in the scheme's order, with its count (0 when none)."""
    field = fields.facet_fields()[name]
    return [{"notation": notation, "label": text, "count": counts.get(notation, 0),
             "url": toolkit.h.url_for("dataset.search", **{name: notation})}
            for notation, text in registry.labels(field.vocabulary, lang).items() if field.takes(notation)]


def _most(name: str, counts: dict[str, int], lang: str, limit: int) -> list[dict[str, Any]]:
    """The concepts with the most records (ties by name), at most ``limit``."""
    names = registry.labels(fields.facet_fields()[name].vocabulary, lang)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], names.get(item[0], item[0])))[:limit]
    return [{"notation": notation, "label": names.get(notation, notation), "count": count,
             "url": toolkit.h.url_for("dataset.search", **{name: notation})} for notation, count in ranked]


def figures(context: dict[str, Any]) -> dict[str, Any]:
    """The counts and lists of the home page, for the user the context names."""
    lang = toolkit.h.lang() or "en"
    searched = _search(context, {"q": "", "fq": cd_config.dataset_search_filter(), "rows": 0,
                                 "facet.field": json.dumps(ENTRY_FACETS), "facet.limit": -1})
    latest = _search(context, {"q": "", "fq": f"+dataset_type:{SERIES}", "rows": LATEST_INITIATIVES,
                               "sort": "metadata_created desc"})
    counts = {name: _counts(searched, name) for name in ENTRY_FACETS}
    return {
        "records": searched["count"],
        "initiatives": latest["count"],
        "latest": latest["results"],
        "goals": _every(GOALS, counts[GOALS], lang),
        "stages": _every(STAGES, counts[STAGES], lang),
        "initiative_types": _every(TYPES, counts[TYPES], lang),
        "countries": _most(COUNTRIES, counts[COUNTRIES], lang, COUNTRIES_SHOWN),
        "country_count": len(counts[COUNTRIES]),
    }


# ---------------------------------------------------------------- the main navigation
def _navigation() -> list[tuple[str, str, str]]:
    """(label, where it leads: a route or a path, the path it stands for) of each header link."""
    return [
        (toolkit._("Datasets"), "dataset.search", "/dataset"),
        (toolkit._("Initiatives"), f"{SERIES}.search", f"/{SERIES}"),
        (toolkit._("Vocabularies"), "citizendata_vocabulary.index", "/vocabulary"),
        (toolkit._("SDG dashboard"), "/sdg/", "/sdg"),
        (toolkit._("Quality"), "citizendata_quality.catalog_dashboard", "/quality"),
        (toolkit._("About"), "home.about", "/about"),
    ]


def _is_under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


@register_helper
def citizendata_main_nav() -> list[dict[str, Any]]:
    """The header's links: ``[{"label": "Datasets", "url": "/dataset/", "active": True}, ...]`` (labels in the
    user's language; the link of the section the page is in is active)."""
    path = request.path if request else ""
    return [{"label": label, "url": toolkit.h.url_for(target), "active": _is_under(path, prefix)}
            for label, target, prefix in _navigation()]
