"""What the search index holds of a record: the effective citizen-data fields (own, inherited, derived) as
plain values, taken from the validated dict CKAN indexes, instead of the stored JSON text of the extras.

Example::

    before_dataset_index({"validated_data_dict": '{"sdg_goals": ["16"], ...}', "sdg_goals": '["16"]'})
    # -> {"sdg_goals": ["16"], ...}
"""
from __future__ import annotations

import json
from typing import Any

from ckanext.citizendata.vocab import registry

from . import countries
from .schema import FIELDS

EXTRA_FIELDS = ("in_series", "inherited_fields")
# fields whose concepts' labels (every language) are indexed as keywords, so a label finds the record
LABELLED = {"initiative_type": "initiative-types", "population_groups": "population-groups",
            "disaggregation": "disaggregation", "collection_methods": "collection-methods",
            "recognition_status": "recognition-status", "engagement_stage": "engagement-stages",
            "sdg_goals": "sdg", "unit_measure": "cl-unit-measure"}


def concept_labels(pkg_dict: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for field, scheme in LABELLED.items():
        values = pkg_dict.get(field)
        labels = registry.labels_all(scheme) if values else {}
        for value in values if isinstance(values, list) else [values] if values else []:
            found += labels.get(str(value), [])
    found += [countries.name(code) for code in pkg_dict.get("countries") or [] if code in countries.codes()]
    return found


def before_dataset_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    try:
        validated = json.loads(pkg_dict.get("validated_data_dict") or "{}")
    except ValueError:
        return pkg_dict
    for name in FIELDS + EXTRA_FIELDS:
        value = validated.get(name)
        pkg_dict.pop(f"extras_{name}", None)
        if value in (None, "", [], {}):
            pkg_dict.pop(name, None)
        elif name in ("engagement", "partners", "ethics"):
            pkg_dict[name] = json.dumps(value, ensure_ascii=False)
            if name == "engagement":
                pkg_dict["engagement_stage"] = sorted({e.get("stage") for e in value if isinstance(e, dict)})
                levels = [int(e.get("level") or 0) for e in value if isinstance(e, dict)]
                pkg_dict["engagement_level_max"] = max(levels) if levels else None
        else:
            pkg_dict[name] = value
    labels = concept_labels(pkg_dict)
    if labels:
        pkg_dict["concept_labels"] = labels
    return pkg_dict
