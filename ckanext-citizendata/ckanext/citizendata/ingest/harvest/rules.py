"""Mapping rules of a source file: citizen-data fields that a partner's records do not state, set from what they do
state (keywords, tags, themes, title), applied to each mapped record before it is hashed.

A rule is ``{"when": condition, "set": {field: value}}``. A condition holds when every key it gives holds:

- ``keyword``: a tag that holds the words, case-insensitively (``"health"`` matches ``"Public Health"``, not
  ``"healthy"``): DCAT's keywords are CKAN's tags;
- ``tag``: a tag equal to it, case-insensitively (``"health"`` matches ``"Health"``, not ``"Public health"``);
- ``title_contains``: text within the title, case-insensitively;
- ``theme``: a theme IRI equal to it (exactly);
- ``any``: a list of conditions, one of which holds.

Each of the first four takes one value or a list (one of which must match). An empty condition matches nothing
(what every record of a source should get goes in its ``defaults``). Conditions read the record as the source
gave it, never what an earlier rule set.

Precedence, source > rules > defaults: a list value (``sdg_indicators: [16.6.2]``) is added to what the record
has (its own values first, in order, no duplicates); a scalar (``initiative_type: social-audit``) is set only
when the record lacks one, so the source's own value wins, and of two matching rules the first wins; then each
field still empty takes the source file's ``defaults``. Vocabulary values are not checked here: the record
validator checks the whole record afterwards.

Example::

    rules = [{"when": {"keyword": "public services"}, "set": {"sdg_indicators": ["16.6.2"]}}]
    apply({"title": "Clinics", "tags": [{"name": "Public services"}], "sdg_indicators": ["3.8.1"]}, rules,
          {"initiative_type": "public-service-feedback"})
    # {"title": "Clinics", "tags": [...], "sdg_indicators": ["3.8.1", "16.6.2"],
    #  "initiative_type": "public-service-feedback"}
"""
from __future__ import annotations

import copy
import importlib.resources
import re
from functools import lru_cache
from typing import Any, Iterable, Iterator

import yaml

from ckanext.citizendata.record import fields

from .listing import canonical

SCHEMING_FILES = ("dataset.yaml", "initiative.yaml")
# set by the harvest engine, never by a source file
ENGINE_FIELDS = frozenset({"id", "name", "owner_org", "type", "state", "private"})
Path = tuple[Any, ...]


# ---------------------------------------------------------------- the fields a rule or a default may set
@lru_cache(maxsize=1)
def scheming_fields() -> frozenset[str]:
    """The top-level dataset fields of our scheming schemas (dataset and initiative)."""
    folder = importlib.resources.files("ckanext.citizendata.schemas")
    names: set[str] = set()
    for name in SCHEMING_FILES:
        schema = yaml.safe_load((folder / name).read_text(encoding="utf-8"))
        names.update(field["field_name"] for field in schema["dataset_fields"])
    return frozenset(names)


def settable_fields() -> frozenset[str]:
    """Fields a rule or a default may set: the record's input fields and the scheming dataset fields, less what
    the engine sets and what is derived."""
    derived = {name for name, field in fields.FIELDS.items() if field.derived}
    return (scheming_fields() | set(fields.FIELDS)) - derived - ENGINE_FIELDS


def field_problems(values: Any, path: Path) -> Iterator[tuple[Path, str]]:
    """(path, why) of each key of ``values`` (a ``set`` or ``defaults`` object) that names no settable field, or
    whose value is a list where the record holds one value or the reverse."""
    if not isinstance(values, dict):
        return
    allowed = settable_fields()
    for key, value in values.items():
        field = fields.FIELDS.get(key)
        if key not in allowed:
            yield (*path, key), f'"{key}" {_why_not(key)}'
        elif field is not None and field.multiple != isinstance(value, list):
            yield (*path, key), f'"{key}" takes {"a list" if field.multiple else "one value, not a list"}'


def _why_not(key: str) -> str:
    if key in ENGINE_FIELDS:
        return "is set by the harvest engine, not by a source file"
    if key in fields.FIELDS:
        return "is derived from other fields"
    return "is not a field of the record (citizen-data-record.schema.json) or of the dataset schema"


def rule_problems(rules: Any) -> list[tuple[Path, str]]:
    """(path, why) of each ``set`` key that no rule may set; the shape is the source file schema's concern."""
    if not isinstance(rules, list):
        return []
    found = []
    for index, rule in enumerate(rules):
        if isinstance(rule, dict):
            found += field_problems(rule.get("set"), ("rules", index, "set"))
    return found


def path_text(path: Iterable[Any]) -> str:
    """``("rules", 0, "set", "x")`` -> ``rules[0].set.x``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def check_rules(rules: Any) -> list[str]:
    """``['rules[0].set.sdg_goals: "sdg_goals" is derived from other fields']``; [] when every rule may apply."""
    return [f"{path_text(path)}: {why}" for path, why in rule_problems(rules)]


# ---------------------------------------------------------------- matching
def _texts(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else [str(v) for v in value or []]


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def record_tags(record: dict[str, Any]) -> list[str]:
    """The record's tags, folded: ``tags`` as CKAN gives them (``[{"name": ...}]`` or strings) and ``tag_string``."""
    tags = [t.get("name", "") if isinstance(t, dict) else str(t) for t in record.get("tags") or []]
    tag_string = record.get("tag_string")
    if isinstance(tag_string, str):
        tags += tag_string.split(",")
    return [_fold(t) for t in tags if t.strip()]


def _has_words(words: str, text: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(words) + r"(?!\w)", text) is not None


def _keyword(record: dict[str, Any], wanted: Any) -> bool:
    tags = record_tags(record)
    return any(_has_words(_fold(word), tag) for word in _texts(wanted) for tag in tags)


def _tag(record: dict[str, Any], wanted: Any) -> bool:
    return bool({_fold(t) for t in _texts(wanted)} & set(record_tags(record)))


def _title_contains(record: dict[str, Any], wanted: Any) -> bool:
    title = _fold(str(record.get("title") or ""))
    return any(_fold(text) in title for text in _texts(wanted))


def _theme(record: dict[str, Any], wanted: Any) -> bool:
    return bool(set(_texts(wanted)) & set(_texts(record.get("theme"))))


def _any(record: dict[str, Any], conditions: Any) -> bool:
    return any(matches(record, condition) for condition in conditions or [])


TESTS = {"keyword": _keyword, "tag": _tag, "title_contains": _title_contains, "theme": _theme, "any": _any}


def matches(record: dict[str, Any], condition: dict[str, Any]) -> bool:
    """Whether every key of the condition holds for the record (an empty condition never holds)."""
    return bool(condition) and all(TESTS[key](record, wanted) for key, wanted in condition.items())


# ---------------------------------------------------------------- setting
def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _union(current: Any, added: list[Any]) -> list[Any]:
    merged = list(current) if isinstance(current, list) else ([] if _empty(current) else [current])
    seen = {canonical(item) for item in merged}
    for item in added:
        if canonical(item) not in seen:
            seen.add(canonical(item))
            merged.append(copy.deepcopy(item))
    return merged


def _set(record: dict[str, Any], values: dict[str, Any]) -> None:
    for key, value in values.items():
        if isinstance(value, list):
            record[key] = _union(record.get(key), value)
        elif _empty(record.get(key)):
            record[key] = copy.deepcopy(value)


def apply(record: dict[str, Any], rules: list[dict[str, Any]], defaults: dict[str, Any]) -> dict[str, Any]:
    """A new record: the matching rules' values added (lists) or filled in (scalars), then the defaults for the
    fields still empty. ``record`` is left as it was."""
    result = copy.deepcopy(record)
    for rule in rules:
        if matches(record, rule.get("when") or {}):
            _set(result, rule.get("set") or {})
    for key, value in (defaults or {}).items():
        if _empty(result.get(key)):
            result[key] = copy.deepcopy(value)
    return result
