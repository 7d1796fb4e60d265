"""Template helpers of the record page (a dataset or an initiative): its concepts as links to the search and to
their vocabulary, the reason a record does not meet the Copenhagen definition in plain words, the quality it is
given, its languages by name and the DCAT fields it states. Registered by decorator.

Example::

    citizendata_concept_links("sdg_indicators", ["16.6.2"])
    # [{"notation": "16.6.2", "text": "Proportion of population satisfied ...", "coded": True,
    #   "search": "/dataset/?sdg_indicators=16.6.2", "vocabulary": "/vocabulary/sdg#16.6.2"}]
    citizendata_definition_reasons({"engagement": [{"stage": "collect", "level": 2}]})
    # ["Citizens' highest engagement in design or collection is level 2 (Consult); the definition needs ..."]
"""
from __future__ import annotations

from typing import Any, Optional

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from ckan.plugins import toolkit

from ckanext.citizendata.record import derive, fields
from ckanext.citizendata.record.coerce import to_object
from ckanext.citizendata.vocab import registry

from .helpers import REQUEST_USER
from .quality import BAND_LABELS
from .registry import register_helper

LEVELS = "engagement-levels"
# a subfield whose values are searched under another name (the index field derived from it)
SEARCHED_AS = {"stage": "engagement_stage"}
# fields CKAN's page shows itself (heading, description, tags, licence, organization)
SHOWN_BY_CKAN = ("id", "title", "name", "notes", "tag_string", "license_id", "owner_org")
# the page's own sections show these; the rest of a schema is "more metadata"
SHOWN_IN_SECTIONS = ("in_series",)


def _lang() -> str:
    return toolkit.h.lang() or "en"


def _values(value: Any) -> list[Any]:
    parsed = to_object(value) if isinstance(value, str) and value[:1] == "[" else value
    if parsed in (None, "", [], {}):
        return []
    return [v for v in (parsed if isinstance(parsed, list) else [parsed]) if v not in (None, "")]


@register_helper
def citizendata_concept_links(field_name: str, value: Any) -> list[dict[str, Any]]:
    """The concepts of a (sub)field's value, each with its label in the user's language, whether its notation is a
    code shown beside the label (SDG codes, levels), and links to the search filtered by it (when the field is a
    facet) and to its entry in the vocabulary page."""
    scheme = fields.leaf_vocabulary(field_name)
    labels = registry.labels(scheme, _lang()) if scheme else {}
    facet = SEARCHED_AS.get(field_name, field_name)
    searched = facet in fields.facet_fields()
    links = []
    for notation in map(str, _values(value)):
        text = labels.get(notation, notation)
        links.append({
            "notation": notation, "text": text, "coded": notation[:1].isdigit() and text != notation,
            "search": toolkit.url_for("dataset.search", **{facet: notation}) if searched else None,
            "vocabulary": (toolkit.url_for("citizendata_vocabulary.scheme", scheme_id=scheme, _anchor=notation)
                           if scheme and notation in labels else None)})
    return links


@register_helper
def citizendata_level_scale() -> list[dict[str, Any]]:
    """The engagement levels in order (1 inform ... 5 citizen-led), named in the user's language."""
    lang = _lang()
    return [{"level": int(c["notation"]), "text": registry.label(c, lang)} for c in registry.concepts(LEVELS)
            if str(c["notation"]).isdigit()]


def _level_text(level: Optional[int]) -> str:
    return registry.labels(LEVELS, _lang()).get(str(level), str(level))


def _reason(gap: dict[str, Any]) -> str:
    if gap["rule"] == "safeguards":
        return toolkit._("The data hold personal or sensitive information, and neither informed consent nor an "
                         "ethics review is stated.")
    top = max((s["level"] for s in citizendata_level_scale()), default=gap["needed"])
    needs = {"needed": gap["needed"], "needed_label": _level_text(gap["needed"]), "top": top,
             "top_label": _level_text(top)}
    if gap["level"] is None:
        return toolkit._("No level of citizen engagement is stated for the design or the collection of the data; "
                         "the definition needs level {needed} ({needed_label}) or {top} ({top_label}) in one of "
                         "them.").format(**needs)
    return toolkit._("Citizens' highest engagement in design or collection is level {level} ({label}); the "
                     "definition needs level {needed} ({needed_label}) or {top} ({top_label}).").format(
        level=gap["level"], label=_level_text(gap["level"]), **needs)


def definition_reasons(pkg: dict[str, Any]) -> list[dict[str, str]]:
    """Why the record (its engagement and ethics, as shown: inherited ones included) does not meet the Copenhagen
    definition: one ``{"rule": "engagement" | "safeguards", "text": <plain words>}`` a rule; empty when it meets it."""
    engagement = [e for e in _values(pkg.get("engagement")) if isinstance(e, dict)]
    ethics = to_object(pkg["ethics"]) if isinstance(pkg.get("ethics"), str) else pkg.get("ethics")
    return [{"rule": gap["rule"], "text": _reason(gap)} for gap in derive.definition_gaps(engagement, ethics)]


@register_helper
def citizendata_definition_reasons(pkg: dict[str, Any]) -> list[str]:
    """The sentences of :func:`definition_reasons`, e.g. for the record page's badge."""
    return [reason["text"] for reason in definition_reasons(pkg)]


@register_helper
def citizendata_field_labels(names: Any, schema: Optional[dict[str, Any]]) -> list[str]:
    """The labels of fields (``inherited_fields``) as the page names them, in the user's language."""
    by_name = {f["field_name"]: f for f in (schema or {}).get("dataset_fields", [])}
    found = []
    for name in _values(names):
        field = by_name.get(name)
        if field is not None:
            found.append(toolkit.h.scheming_language_text(field.get("label")))
        else:
            known = fields.FIELDS.get(name)
            found.append(toolkit._(known.title) if known else name)
    return found


@register_helper
def citizendata_language_name(code: Any) -> str:
    """A language's name in the user's language, from its code (``es``, ``fra``, or an EU authority IRI ending
    in ``/ENG``); the code when it is no known language.

    >>> citizendata_language_name("http://publications.europa.eu/resource/authority/language/FRA")   # English page
    'French'
    """
    text = str(code or "").strip()
    key = text.rstrip("/").rsplit("/", 1)[-1].lower()
    try:
        locale = Locale.parse(_lang())
    except (UnknownLocaleError, ValueError):
        locale = Locale("en")
    key = get_global("language_aliases").get(key, key)   # ISO 639-2/3 codes (eng, fra) to CLDR's (en, fr)
    return locale.languages.get(key) or text


def _empty(value: Any) -> bool:
    if isinstance(value, list):
        return all(_empty(item) for item in value)
    if isinstance(value, dict):
        return all(_empty(item) for item in value.values())
    return value in (None, "")


def _stated_items(field: dict[str, Any], value: Any) -> list[dict[str, Any]]:
    """The non-empty items of a repeating field, each with its subfields that hold a value."""
    return [{"data": item, "subfields": [sub for sub in field["repeating_subfields"]
                                         if not _empty(item.get(sub["field_name"]))]}
            for item in value if isinstance(item, dict) and not _empty(item)]


@register_helper
def citizendata_more_metadata(pkg: dict[str, Any], schema: Optional[dict[str, Any]]) -> list[dict[str, Any]]:
    """The schema's fields outside the citizen-data sections that the record states (empty ones left out), in the
    schema's order, each with its non-empty ``entries`` (a repeating field's subfields that hold a value)."""
    skipped = set(SHOWN_BY_CKAN) | set(SHOWN_IN_SECTIONS) | set(fields.FIELDS)
    shown = []
    for field in (schema or {}).get("dataset_fields", []):
        value = pkg.get(field["field_name"])
        if field["field_name"] in skipped or field.get("display_snippet", "") is None or _empty(value):
            continue
        entry: dict[str, Any] = {"field": field, "value": value}
        if field.get("repeating_subfields"):
            entry["entries"] = _stated_items(field, value)
        shown.append(entry)
    return shown


@register_helper
def citizendata_quality_summary(pkg: dict[str, Any]) -> Optional[dict[str, Any]]:
    """The record's stored metadata-quality score and band named for people, when it has one the user may read."""
    try:
        score = toolkit.get_action("citizendata_quality_show")(dict(REQUEST_USER), {"id": pkg.get("id")})
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized, toolkit.ValidationError):
        return None
    return {**score, "band_label": toolkit._(BAND_LABELS.get(score.get("band"), score.get("band") or ""))}
