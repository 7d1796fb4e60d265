"""Fields derived from the record, never accepted from input, and the index fields derived from it
(``x-index-fields`` of the JSON Schema).

Example::

    >>> derive({"engagement": [{"stage": "design", "level": 4}], "sdg_indicators": ["16.6.2"], "countries": ["GHA"]})
    {'meets_copenhagen_definition': True, 'sdg_targets': ['16.6'], 'sdg_goals': ['16'], 'm49': ['288']}
    >>> index_values({"engagement": [{"stage": "design", "level": 4}, {"stage": "collect", "level": 5}]})
    {'engagement_stage': ['collect', 'design'], 'engagement_level_max': 5, 'needs_classification': ['initiative_type', \
'sdg_indicators', 'countries', 'population_groups']}
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from ckanext.citizendata.text import natural_key

from . import countries
from .schema import SCHEMA

DEFINING_STAGES = ("design", "collect")
DEFINING_LEVEL = 4


def _entries(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in record.get("engagement") or [] if isinstance(e, dict)]


def _level(entry: dict[str, Any]) -> int:
    try:
        return int(entry.get("level") or 0)
    except (TypeError, ValueError):
        return 0


def safeguarded(ethics: Any) -> bool:
    """Personal or sensitive data, when a record holds them, come with informed consent or an ethics review.
    Validation asks it of every record a person publishes; a harvested record may lack it (a field tool says only
    that a form collects personal data), and then does not meet the definition until it is stated."""
    if not isinstance(ethics, dict) or ethics.get("personal_data") is not True:
        return True
    return ethics.get("informed_consent") is True or ethics.get("ethics_review") is True


# what a record may lack to meet the definition (definition_gaps)
NOT_ENGAGED, NOT_SAFEGUARDED = "engagement", "safeguard"


def definition_gaps(engagement: list[dict[str, Any]], ethics: Any = None) -> list[str]:
    """What keeps a record from the Copenhagen definition, [] when it meets it: ``"engagement"`` (no stage design
    or collect at level 4 or 5), ``"safeguard"`` (personal data without informed consent or an ethics review)."""
    engaged = any(e.get("stage") in DEFINING_STAGES and _level(e) >= DEFINING_LEVEL for e in engagement or [])
    return ([] if engaged else [NOT_ENGAGED]) + ([] if safeguarded(ethics) else [NOT_SAFEGUARDED])


def meets_copenhagen_definition(engagement: list[dict[str, Any]], ethics: Any = None) -> bool:
    """Level 4 (collaborate) or 5 (citizen-led) at the design or collect stage, its personal data safeguarded."""
    return not definition_gaps(engagement, ethics)


def sdg_parents(indicators: list[str]) -> tuple[list[str], list[str]]:
    targets = {".".join(code.split(".")[:2]) for code in indicators or [] if code.count(".") == 2}
    goals = {code.split(".")[0] for code in targets}
    return sorted(targets, key=natural_key), sorted(goals, key=natural_key)


def m49_codes(countries_: list[str]) -> list[str]:
    return [code for code in (countries.m49(alpha3) for alpha3 in countries_ or []) if code]


def derive(record: dict[str, Any]) -> dict[str, Any]:
    """The record's readOnly fields, computed from its other fields."""
    targets, goals = sdg_parents(record.get("sdg_indicators") or [])
    return {
        "meets_copenhagen_definition": meets_copenhagen_definition(_entries(record), record.get("ethics")),
        "sdg_targets": targets,
        "sdg_goals": goals,
        "m49": m49_codes(record.get("countries") or []),
    }


def _engaged_stages(record: dict[str, Any]) -> list[str]:
    return sorted({str(e["stage"]) for e in _entries(record) if e.get("stage")})


def _deepest_level(record: dict[str, Any]) -> Optional[int]:
    levels = [_level(e) for e in _entries(record)]
    return max(levels) if levels else None


# the facts a record is classified by (the x-derived-from of the index field needs_classification)
CLASSIFYING: tuple[str, ...] = tuple(SCHEMA["x-index-fields"]["needs_classification"]["x-derived-from"])


def _missing_facts(record: dict[str, Any]) -> list[str]:
    """The classifying facts the record does not state (own or inherited), in the schema's order."""
    return [name for name in CLASSIFYING if record.get(name) in (None, "", [], {})]


# one function per index field of the schema's x-index-fields (a test holds the two together)
INDEX_DERIVATIONS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "engagement_stage": _engaged_stages,
    "engagement_level_max": _deepest_level,
    "needs_classification": _missing_facts,
}


def index_values(record: dict[str, Any]) -> dict[str, Any]:
    """The index fields computed from the record."""
    return {name: compute(record) for name, compute in INDEX_DERIVATIONS.items()}
