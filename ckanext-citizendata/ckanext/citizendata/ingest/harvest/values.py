"""What every source type's mapping does with a source's values: read a value as text (or drop it with a warning
naming the field), tell an empty value, fill the source's defaults, and the rules of a web address, an e-mail
address and a CKAN tag; ``MappingError`` for a record that cannot be mapped at all.

Example::

    warnings = []
    as_text(" Water points ", "title", warnings)      # 'Water points'
    as_text({"a": 1}, "title", warnings)               # None; warnings == ['title: a dict is not text; dropped']
    record = {"title": "x", "ethics": {"personal_data": True}}
    fill(record, {"countries": ["GHA"], "ethics": {"informed_consent": True}})
    record["ethics"]                                   # {'personal_data': True, 'informed_consent': True}
"""
from __future__ import annotations

import copy
import datetime
import re
from typing import Any, Optional

from ckanext.citizendata import text

WEB = ("http://", "https://")
EMAIL = text.EMAIL
TAG = re.compile(r"^[\w \-.]{2,100}$")          # CKAN's tag name rules (length 2-100, word characters, " -.")
NOT_IN_TAG = re.compile(r"[^\w \-.]+")          # the characters a CKAN tag cannot hold


class MappingError(ValueError):
    """A record that cannot be mapped (no id, no title, ...); the reason is safe to show."""


def as_text(value: Any, field: str, warnings: list[str]) -> Optional[str]:
    """A value as stripped text, None when empty; other shapes and unreadable text are dropped with a warning."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        warnings.append(f"{field}: a {type(value).__name__} is not text; dropped")
        return None
    value = str(value).strip()
    problem = text.unreadable(value)
    if problem:
        warnings.append(f"{field}: {problem}; dropped")
        return None
    return value or None


def web_address(value: Any, field: str, warnings: list[str]) -> Optional[str]:
    """An http(s) address as text; any other value is dropped with a warning."""
    url = as_text(value, field, warnings)
    if url and not url.lower().startswith(WEB):
        warnings.append(f"{field}: {url[:200]!r} is not an http(s) address; dropped")
        return None
    return url


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def fill(record: dict[str, Any], defaults: dict[str, Any]) -> None:
    """The source's defaults for the keys the record leaves empty, and for the empty sub-keys of an object it
    states (a source file's ``ethics.informed_consent`` beside a form's ``ethics.personal_data``)."""
    for key, value in defaults.items():
        if is_empty(record.get(key)):
            record[key] = copy.deepcopy(value)
        elif isinstance(record[key], dict) and isinstance(value, dict):
            for sub, sub_value in value.items():
                if is_empty(record[key].get(sub)):
                    record[key][sub] = copy.deepcopy(sub_value)


def tag_list(tags: Any, warnings: list[str]) -> dict[str, Any]:
    """``{"tags": [{"name": ...}]}`` of a list of tag names (or CKAN tag dicts), each once, in order; a name that is
    no CKAN tag is dropped with a warning."""
    if not isinstance(tags, list):
        return {}
    names: list[str] = []
    for tag in tags:
        name = as_text(tag.get("name") if isinstance(tag, dict) else tag, "tags", warnings)
        if name and not TAG.match(name):
            warnings.append(f"tags: {name[:200]!r} is not a CKAN tag (2-100 letters, digits, spaces, - _ .); "
                            "dropped")
        elif name and name not in names:
            names.append(name)
    return {"tags": [{"name": name} for name in names]} if names else {}


def timestamps(item: dict[str, Any], pairs: tuple[tuple[str, str], ...], warnings: list[str],
               field: Optional[str] = None) -> dict[str, str]:
    """The ISO 8601 timestamps of ``item``'s keys (source key -> our key), as the source writes them; a value that
    is not one is dropped with a warning (naming ``field``, else our key).

    Example: ``timestamps({"date_created": "2024-05-01T09:00:00Z"}, (("date_created", "issued"),), [])``
    -> ``{"issued": "2024-05-01T09:00:00Z"}``
    """
    found = {}
    for source, key in pairs:
        value = as_text(item.get(source), field or key, warnings)
        if value is None:
            continue
        try:
            datetime.datetime.fromisoformat(value)
        except ValueError:
            warnings.append(f"{field or key}: {source} {value[:100]!r} is not an ISO 8601 date; dropped")
            continue
        found[key] = value
    return found
