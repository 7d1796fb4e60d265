"""The record's JSON Schema (schemas/citizen-data-record.schema.json), loaded once.

Example::

    >>> "engagement" in FIELDS and "sdg_goals" in READ_ONLY
    True
"""
from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import Any

from ckanext.citizendata import schemas


def schema_path() -> str:
    return os.path.join(os.path.dirname(schemas.__file__), "citizen-data-record.schema.json")


@lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    with open(schema_path(), encoding="utf-8") as handle:
        return json.load(handle)


SCHEMA = load_schema()
FIELDS: tuple[str, ...] = tuple(SCHEMA["properties"])
READ_ONLY = frozenset(name for name, prop in SCHEMA["properties"].items() if prop.get("readOnly"))
INPUT_FIELDS = tuple(name for name in FIELDS if name not in READ_ONLY)


def property_schema(name: str) -> dict[str, Any]:
    return SCHEMA["properties"][name]
