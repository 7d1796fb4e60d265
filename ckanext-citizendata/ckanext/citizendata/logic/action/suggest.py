"""Search-box suggestions: datasets by name or title, and vocabulary concepts that are search facets, each with
the filter that selects its datasets and what kind of thing it is (``kind``: "SDG indicator", "Country",
"Initiative", ... in the language asked).

Example (API)::

    GET /api/3/action/citizendata_suggest?q=particip&lang=es
    {"datasets": [{...package_autocomplete..., "type": "dataset", "kind": "Conjunto de datos",
                   "url": "/dataset/..."}],
     "concepts": [{"field": "initiative_type", "value": "participatory-mapping", "kind": "Tipo de iniciativa",
                   "label": "Cartografía participativa", "count": 3, "url": "/dataset/?initiative_type=..."}]}
"""
from __future__ import annotations

from urllib.parse import urlencode

from babel.core import UnknownLocaleError
from ckan import model
from ckan.plugins import toolkit
from flask_babel import force_locale

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


def kinds() -> dict[str, str]:
    """What each suggestion is, by facet field (concepts) or dataset type, in the current language."""
    return {
        "dataset": toolkit._("Dataset"), "dataset_series": toolkit._("Initiative"),
        "initiative_type": toolkit._("Initiative type"), "sdg_goals": toolkit._("SDG goal"),
        "sdg_targets": toolkit._("SDG target"), "sdg_indicators": toolkit._("SDG indicator"),
        "population_groups": toolkit._("Population group"), "disaggregation": toolkit._("Disaggregation dimension"),
        "countries": toolkit._("Country"), "collection_methods": toolkit._("Collection method"),
        "recognition_status": toolkit._("Recognition status"), "engagement_stage": toolkit._("Engagement stage"),
        "engagement_level_max": toolkit._("Engagement level"),
    }


def kinds_in(lang: str | None) -> dict[str, str]:
    """:func:`kinds` in ``lang`` (the page's language, which an API call does not carry); unknown: the request's."""
    if not lang:
        return kinds()
    try:
        with force_locale(lang):
            return kinds()
    except (ValueError, UnknownLocaleError):
        return kinds()


def _with_kinds(datasets: list[dict], kind: dict[str, str]) -> list[dict]:
    types = dict(model.Session.query(model.Package.name, model.Package.type)
                 .filter(model.Package.name.in_([d["name"] for d in datasets])))
    for found in datasets:
        found["type"] = types.get(found["name"]) or "dataset"
        found["kind"] = kind.get(found["type"], kind["dataset"])
        found["url"] = f"/{found['type']}/{found['name']}"   # the dataset or initiative page
    return datasets


@register_action
@toolkit.side_effect_free
def citizendata_suggest(context, data_dict):
    """Datasets and concepts matching the start of ``q`` (``lang`` for labels, ``limit`` each, default 5)."""
    toolkit.check_access("citizendata_suggest", context, data_dict)
    q = text(data_dict, "q", cd_config.query_limits()["q_chars"], required=True).strip()
    limit = whole_number(data_dict, "limit", 5, 1, 100)
    lang = text(data_dict, "lang", 200) or None
    kind = kinds_in(lang)
    datasets = _with_kinds(toolkit.get_action("package_autocomplete")(dict(context), {"q": q, "limit": limit}),
                           kind)
    concepts = []
    for concept in registry.search(q, schemes=list(FIELDS_OF_SCHEME), lang=lang, limit=limit * 3):
        field = facet_field(concept["scheme_id"], concept["notation"])
        result = toolkit.get_action("package_search")(  # counts of what the asker may see, private included
            dict(context), {"fq": f'{field}:"{concept["notation"]}"', "rows": 0, "include_private": True})
        if result["count"]:
            concepts.append({"field": field, "value": concept["notation"], "label": concept["label"],
                             "kind": kind.get(field, field),
                             "count": result["count"],
                             "url": "/dataset/?" + urlencode({field: concept["notation"]})})
        if len(concepts) >= limit:
            break
    return {"datasets": datasets, "concepts": concepts}
