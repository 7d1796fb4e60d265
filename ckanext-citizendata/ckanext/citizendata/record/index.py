"""What the search index holds of a record: the effective citizen-data fields (own, inherited, derived) as
plain values, taken from the validated dict CKAN indexes, instead of the stored JSON text of the extras.

Example::

    before_dataset_index({"validated_data_dict": '{"sdg_goals": ["16"], ...}', "sdg_goals": '["16"]'})
    # -> {"sdg_goals": ["16"], ...}
"""
from __future__ import annotations

import json
from typing import Any

from .schema import FIELDS

EXTRA_FIELDS = ("in_series", "inherited_fields")


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
    return pkg_dict
