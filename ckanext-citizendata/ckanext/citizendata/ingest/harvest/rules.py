"""Mapping rules of a source (placeholder until the rules module lands): defaults fill what the record lacks."""
from __future__ import annotations

from typing import Any


def apply(record: dict[str, Any], rules: list[dict[str, Any]], defaults: dict[str, Any]) -> dict[str, Any]:
    return {**defaults, **record}
