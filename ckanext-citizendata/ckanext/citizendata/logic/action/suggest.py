"""Search-box suggestions: datasets by name or title, and vocabulary concepts that are search facets, each with
the filter that selects its datasets.

Example (API)::

    GET /api/3/action/citizendata_suggest?q=particip&lang=es
    {"datasets": [...package_autocomplete...],
     "concepts": [{"field": "initiative_type", "value": "participatory-mapping",
                   "label": "Cartografía participativa", "count": 3, "url": "/dataset/?initiative_type=..."}]}
"""
from __future__ import annotations

from urllib.parse import urlencode

from ckan.plugins import toolkit

from ckanext.citizendata.search.facets import FACETS
from ckanext.citizendata.vocab import registry

from ..registry import register_action

# vocabulary scheme -> the index field its concepts facet on (first one listed in FACETS)
FIELD_OF_SCHEME = {}
for _field, (_title, _scheme) in FACETS.items():
    if _scheme and _scheme not in FIELD_OF_SCHEME:
        FIELD_OF_SCHEME[_scheme] = _field


@register_action
@toolkit.side_effect_free
def citizendata_suggest(context, data_dict):
    """Datasets and concepts matching the start of ``q`` (``lang`` for labels, ``limit`` each, default 5)."""
    toolkit.check_access("citizendata_suggest", context, data_dict)
    q = str(toolkit.get_or_bust(data_dict, "q")).strip()
    limit = int(data_dict.get("limit", 5))
    datasets = toolkit.get_action("package_autocomplete")(dict(context), {"q": q, "limit": limit})
    concepts = []
    for concept in registry.search(q, schemes=list(FIELD_OF_SCHEME), lang=data_dict.get("lang"), limit=limit * 3):
        field = FIELD_OF_SCHEME[concept["scheme_id"]]
        if field == "sdg_goals" and concept["notation"].count(".") == 1:
            field = "sdg_targets"
        elif field == "sdg_goals" and concept["notation"].count(".") == 2:
            field = "sdg_indicators"
        result = toolkit.get_action("package_search")(
            dict(context), {"fq": f'{field}:"{concept["notation"]}"', "rows": 0})
        if result["count"]:
            concepts.append({"field": field, "value": concept["notation"], "label": concept["label"],
                             "count": result["count"],
                             "url": "/dataset/?" + urlencode({field: concept["notation"]})})
        if len(concepts) >= limit:
            break
    return {"datasets": datasets, "concepts": concepts}
