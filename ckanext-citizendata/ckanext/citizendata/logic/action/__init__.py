"""Actions, one module per kind (dcat, delete, suggest, vocab), and what they share: reading a number, a
boolean or a text parameter into a clear validation error.

Example::

    whole_number({"limit": "20"}, "limit", 10, 1, 100)     # 20; "many" or 500: a ValidationError naming limit
    boolean({"include_concepts": "maybe"}, "include_concepts", True)   # a ValidationError naming it
    text({"q": "a\x00"}, "q", 2000)                        # a ValidationError: a NUL character ...
"""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit

from ckanext.citizendata.record.coerce import to_bool
from ckanext.citizendata.text import unreadable


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


def boolean(data_dict: dict[str, Any], key: str, default: bool) -> bool:
    """The parameter ``key`` as true or false (the words the record reads so: ``true``/``false``, ``1``/``0``,
    ``yes``/``no``, ``y``/``n``, ``on``/``off``), else a ValidationError saying so."""
    raw = data_dict.get(key, default)
    value = to_bool(raw if isinstance(raw, bool) else str(raw))
    if not isinstance(value, bool):
        raise toolkit.ValidationError({key: [f"{raw!r} is not true or false"]})
    return value


def text(data_dict: dict[str, Any], key: str, max_chars: int, required: bool = False) -> str:
    """The parameter ``key`` as text of at most ``max_chars`` characters with no NUL or lone surrogate ("" when
    absent; with ``required`` a missing one is an error), else a ValidationError saying which rule it breaks."""
    if required:
        toolkit.get_or_bust(data_dict, key)
    raw = data_dict.get(key)
    value = "" if raw is None else str(raw)
    bad = unreadable(value)
    if bad:
        raise toolkit.ValidationError({key: [f"{bad}, which no parameter can hold"]})
    if len(value) > max_chars:
        raise toolkit.ValidationError({key: [f"{len(value)} characters, more than the limit of {max_chars}"]})
    return value
