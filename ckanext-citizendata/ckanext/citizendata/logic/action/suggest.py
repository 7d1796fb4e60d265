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

from ckanext.citizendata import config as cd_config
from ckanext.citizendata.record import fields
from ckanext.citizendata.vocab import registry

from ..registry import register_action
from . import text, whole_number

# vocabulary scheme -> the facet fields whose values are its concepts (SDG: goals, targets, indicators)
FIELDS_OF_SCHEME: dict[str, list[fields.Field]] = {}
for _field in fields.facet_fields().values():
    if _field.vocabulary:
        FIELDS_OF_SCHEME.setdefault(_field.vocabulary, []).append(_field)


def facet_field(scheme: str, notation: str) -> str:
    """The facet field a concept of ``scheme`` is a value of: the first whose pattern it fits
    (``facet_field("sdg", "16.6") == "sdg_targets"``)."""
    candidates = FIELDS_OF_SCHEME[scheme]
    fitting = [f for f in candidates if f.takes(notation)]
    return (fitting or candidates)[0].name


@register_action
@toolkit.side_effect_free
def citizendata_suggest(context, data_dict):
    """Datasets and concepts matching the start of ``q`` (``lang`` for labels, ``limit`` each, default 5)."""
    toolkit.check_access("citizendata_suggest", context, data_dict)
    q = text(data_dict, "q", cd_config.query_limits()["q_chars"], required=True).strip()
    limit = whole_number(data_dict, "limit", 5, 1, 100)
    lang = text(data_dict, "lang", 200) or None
    datasets = toolkit.get_action("package_autocomplete")(dict(context), {"q": q, "limit": limit})
    concepts = []
    for concept in registry.search(q, schemes=list(FIELDS_OF_SCHEME), lang=lang, limit=limit * 3):
        field = facet_field(concept["scheme_id"], concept["notation"])
        result = toolkit.get_action("package_search")(  # counts of what the asker may see, private included
            dict(context), {"fq": f'{field}:"{concept["notation"]}"', "rows": 0, "include_private": True})
        if result["count"]:
            concepts.append({"field": field, "value": concept["notation"], "label": concept["label"],
                             "count": result["count"],
                             "url": "/dataset/?" + urlencode({field: concept["notation"]})})
        if len(concepts) >= limit:
            break
    return {"datasets": datasets, "concepts": concepts}
