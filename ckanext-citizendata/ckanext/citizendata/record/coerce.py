"""From what CKAN holds (strings in extras, JSON text, form values) to the record's JSON types, guided by the
JSON Schema. Values that cannot be converted are left as they are, so the validator reports them.

Example::

    >>> record_from_flat({"sample_size": "120", "sdg_indicators": '["16.6.2"]',
    ...                   "engagement": [{"stage": "design", "level": "4", "actors": '["cso"]'}]})
    {'engagement': [{'stage': 'design', 'level': 4, 'actors': ['cso']}], 'sdg_indicators': ['16.6.2'], 'sample_size': 120}
"""
from __future__ import annotations

import json
import re
from typing import Any

from .schema import INPUT_FIELDS, property_schema

TRUE = {"true", "yes", "on", "1", "y"}
FALSE = {"false", "no", "off", "0", "n"}
# what CKAN's own boolean readers (asbool, boolean_validator) also take: "t" and "f"
CKAN_BOOLEAN_WORDS = frozenset(TRUE | FALSE | {"t", "f"})


def _missing(value: Any) -> bool:
    return value is None or value == "" or type(value).__name__ == "Missing"


def from_json_text(value: Any) -> Any:
    if isinstance(value, str) and (value[:1] in ("[", "{") or value in ("true", "false")):
        try:
            return json.loads(value)
        except ValueError:
            return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    return value


def to_list(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [v for v in value if not _missing(v)]
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            parsed = from_json_text(text)
            return parsed if isinstance(parsed, list) else value
        return [part.strip() for part in re.split(r"[,\n]", text) if part.strip()]
    return value


def to_int(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    return value


def to_bool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE | FALSE:
        return value.strip().lower() in TRUE
    return value


def to_object(value: Any) -> Any:
    if isinstance(value, str):
        return from_json_text(value)
    return value


def coerce(value: Any, schema: dict[str, Any]) -> Any:
    """One value, converted toward ``schema``'s type."""
    kind = schema.get("type")
    if kind == "array":
        items = to_list(value)
        return [coerce(v, schema.get("items", {})) for v in items] if isinstance(items, list) else items
    if kind == "object":
        obj = to_object(value)
        if isinstance(obj, dict):
            props = schema.get("properties", {})
            return {k: coerce(v, props.get(k, {})) for k, v in obj.items()
                    if not _missing(v) and not str(k).startswith("__")}
        return obj
    if kind == "integer":
        return to_int(value)
    if kind == "boolean":
        return to_bool(value)
    return value


def record_from_flat(data: dict[str, Any]) -> dict[str, Any]:
    """The citizen-data fields of an (unflattened) CKAN data dict, in the record's JSON types."""
    record = {}
    for field in INPUT_FIELDS:
        value = data.get(field)
        if _missing(value) or value == []:
            continue
        record[field] = coerce(value, property_schema(field))
    return record
