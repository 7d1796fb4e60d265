"""Template helpers, registered by decorator."""
from __future__ import annotations

from typing import Any, Optional

from ckan.plugins import toolkit

from ckanext.citizendata.assessment import roles
from ckanext.citizendata.record import fields
from ckanext.citizendata.record.coerce import to_list, to_object
from ckanext.citizendata.record.inherit import SeriesLookup, series_ids
from ckanext.citizendata.vocab import registry

from . import membership
from .registry import register_helper

# the asker of a helper is the request's user, whom CKAN's check_access reads when the context names none
REQUEST_USER: dict[str, Any] = {}


@register_helper
def citizendata_lang_value(values: Optional[dict[str, Any]], lang: Optional[str] = None) -> str:
    """The value for the user's language, else English through our catalogs (the generated schemes' titles are in
    English only; translations.extract_scheme_titles extracts them), else any: ``{"en": "Design", "es": "Diseño"}``."""
    if not values:
        return ""
    lang = lang or toolkit.h.lang() or "en"
    found = values.get(lang) or values.get(lang.split("_")[0])
    if found:
        return found
    english = values.get("en")
    return toolkit._(english) if english else next(iter(values.values()))


@register_helper
def citizendata_vocab_choices(field: dict[str, Any]) -> list[dict[str, str]]:
    """Scheming choices of a (sub)field: the concepts of its vocabulary in the record's field table that its
    pattern allows (``sdg_indicators``: the indicators of the SDG scheme), named in the user's language."""
    name = field.get("field_name", "").rsplit("-", 1)[-1]   # a repeating subfield: engagement-0-stage
    scheme = fields.leaf_vocabulary(name) or field.get("vocabulary")   # an organization field names its own
    field_of_record = fields.FIELDS.get(name)
    labels = registry.display_labels(scheme, toolkit.h.lang()) if scheme else {}
    return [{"value": notation, "label": text} for notation, text in labels.items()
            if field_of_record is None or field_of_record.takes(notation)]


@register_helper
def citizendata_concept_label(field_name: str, notation: Any) -> str:
    """The name of a value of a (sub)field in the user's language (the value itself when it is no concept)."""
    if notation in (None, ""):
        return ""
    scheme = fields.leaf_vocabulary(field_name)
    labels = registry.display_labels(scheme, toolkit.h.lang()) if scheme else {}
    return labels.get(str(notation), str(notation))


@register_helper
def citizendata_engagement_rows(entries: Any) -> list[dict[str, Any]]:
    """Every stage of the value chain in order, with the record's entry for it (or None)."""
    by_stage = {e.get("stage"): e for e in entries or [] if isinstance(e, dict)}
    lang = toolkit.h.lang()
    return [{"stage": c["notation"], "label": registry.label(c, lang), "entry": by_stage.get(c["notation"])}
            for c in registry.concepts("engagement-stages")]


@register_helper
def citizendata_form_values(value: Any) -> list[str]:
    """The values of a many-valued field as the form shows them chosen, from what is stored (a list, JSON text) or
    what the form sent back after an error (a list, or one value): ``'["16.6.2"]' -> ["16.6.2"]``."""
    if value is None or type(value).__name__ == "Undefined":
        return []
    items = to_list(value)
    return [str(item) for item in items] if isinstance(items, list) else [str(items)]


@register_helper
def citizendata_ethics_value(value: Any) -> dict[str, Any]:
    parsed = to_object(value) if value else {}
    return parsed if isinstance(parsed, dict) else {}


@register_helper
def citizendata_series_ids(value: Any) -> list[str]:
    return series_ids(value)


@register_helper
def citizendata_series_choices(current: Any = None) -> list[dict[str, str]]:
    """Initiatives (dataset series) the user may attach a dataset to (logic/membership.py), and those the dataset
    is in already (``current``: its ``in_series``), so that saving the form keeps them; one the user may not see
    is offered without its title."""
    offered = [{"value": s.id, "text": s.title} for s in membership.joinable(dict(REQUEST_USER))]
    known = {choice["value"] for choice in offered}
    for series in SeriesLookup.for_request().many(series_ids(current)):
        if series is not None and series.id not in known:
            visible = membership.may_see(series, dict(REQUEST_USER))
            offered.append({"value": series.id, "text": series.title if visible else
                            toolkit._("An initiative you may not see")})
    return offered


@register_helper
def citizendata_series_links(value: Any) -> list[dict[str, str]]:
    """The initiatives of an ``in_series`` value that the user may see."""
    found = SeriesLookup.for_request().many(series_ids(value))
    return [{"id": s.id, "name": s.name, "title": s.title} for s in found
            if s is not None and membership.may_see(s, dict(REQUEST_USER))]


@register_helper
def citizendata_series_members(series_id: str) -> list[dict[str, Any]]:
    """The datasets of an initiative the current user may see."""
    result = toolkit.get_action("package_search")(
        {}, {"fq": f'in_series:"{series_id}"', "rows": 200, "sort": "title_string asc", "include_private": True})
    return result["results"]


@register_helper
def citizendata_states_recognition(owner_org: Optional[str]) -> bool:
    """Whether the records of this organization state their own recognition status (a national statistical
    office's do; any other's follow published NSO assessments), e.g. ``False`` for a CSO."""
    return roles.actor_type(owner_org) == roles.NSO
