"""Template helpers, registered by decorator."""
from __future__ import annotations

from typing import Any, Optional

import pycountry
from ckan import model
from ckan.plugins import toolkit

from ckanext.citizendata.record import countries
from ckanext.citizendata.record.coerce import to_object
from ckanext.citizendata.record.inherit import resolve_series, series_ids
from ckanext.citizendata.record.validate import COUNTRY_SCHEME
from ckanext.citizendata.vocab import registry

from .registry import register_helper


@register_helper
def citizendata_lang_value(values: Optional[dict[str, Any]], lang: Optional[str] = None) -> str:
    """The value for the user's language, else English, else any: ``{"en": "Design", "es": "Diseño"}``."""
    if not values:
        return ""
    lang = lang or toolkit.h.lang() or "en"
    return values.get(lang) or values.get(lang.split("_")[0]) or values.get("en") or next(iter(values.values()))


@register_helper
def citizendata_vocab_choices(field: dict[str, Any]) -> list[dict[str, str]]:
    """Scheming choices for a field naming a ``vocabulary`` (labels in the user's language)."""
    scheme = field.get("vocabulary")
    if scheme == COUNTRY_SCHEME:
        return sorted(({"value": c.alpha_3, "label": f"{c.name} ({c.alpha_3})"} for c in pycountry.countries),
                      key=lambda c: c["label"])
    concepts = registry.concepts(scheme) if scheme else []
    if field.get("vocabulary_filter") == "indicators":
        concepts = [c for c in concepts if c["notation"].count(".") == 2]
    lang = toolkit.h.lang()
    coded = scheme in ("sdg", "engagement-levels") or scheme.startswith("cl-")
    return [{"value": c["notation"],
             "label": f"{c['notation']} {registry.label(c, lang)}" if coded else registry.label(c, lang)}
            for c in concepts]


@register_helper
def citizendata_concept_label(scheme: str, notation: Any) -> str:
    """The label of a concept in the user's language (the notation when unknown)."""
    if notation in (None, ""):
        return ""
    if scheme == COUNTRY_SCHEME:
        return countries.name(notation)
    concept = registry.get_concept(scheme, str(notation))
    return registry.label(concept, toolkit.h.lang()) if concept else str(notation)


@register_helper
def citizendata_engagement_rows(entries: Any) -> list[dict[str, Any]]:
    """Every stage of the value chain in order, with the record's entry for it (or None)."""
    by_stage = {e.get("stage"): e for e in entries or [] if isinstance(e, dict)}
    lang = toolkit.h.lang()
    return [{"stage": c["notation"], "label": registry.label(c, lang), "entry": by_stage.get(c["notation"])}
            for c in registry.concepts("engagement-stages")]


@register_helper
def citizendata_ethics_value(value: Any) -> dict[str, Any]:
    parsed = to_object(value) if value else {}
    return parsed if isinstance(parsed, dict) else {}


@register_helper
def citizendata_series_ids(value: Any) -> list[str]:
    return series_ids(value)


@register_helper
def citizendata_series_choices() -> list[dict[str, str]]:
    """Initiatives (dataset series) the user may attach a dataset to."""
    rows = (model.Session.query(model.Package.id, model.Package.title)
            .filter(model.Package.type == "dataset_series", model.Package.state == "active")
            .order_by(model.Package.title).all())
    return [{"value": pid, "text": title} for pid, title in rows]


@register_helper
def citizendata_series_links(value: Any) -> list[dict[str, str]]:
    found = [resolve_series(ref) for ref in series_ids(value)]
    return [{"id": p.id, "name": p.name, "title": p.title or p.name} for p in found if p is not None]


@register_helper
def citizendata_series_members(series_id: str) -> list[dict[str, Any]]:
    """The datasets of an initiative the current user may see."""
    result = toolkit.get_action("package_search")(
        {}, {"fq": f'in_series:"{series_id}"', "rows": 200, "sort": "title_string asc"})
    return result["results"]
