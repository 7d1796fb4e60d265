"""Actions, one module per kind (dcat, delete, suggest, vocab), and what they share: reading a number
parameter into a clear validation error.

Example::

    whole_number({"limit": "20"}, "limit", 10, 1, 100)     # 20; "many" or 500: a ValidationError naming limit
"""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit


def whole_number(data_dict: dict[str, Any], key: str, default: int, low: int, high: int) -> int:
    """The parameter ``key`` as a whole number between ``low`` and ``high``, else a ValidationError saying so."""
    raw = data_dict.get(key, default)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise toolkit.ValidationError({key: [f"{raw!r} is not a whole number"]})
    if isinstance(raw, float) and raw != value:
        raise toolkit.ValidationError({key: [f"{raw!r} is not a whole number"]})
    if not low <= value <= high:
        raise toolkit.ValidationError({key: [f"must be between {low} and {high}, got {value}"]})
    return value
