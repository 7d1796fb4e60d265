"""What an assessment must state: its JSON Schema (schemas/assessment.schema.json), checked in the record's words
(record/validate.py), the cross-field rules of a criterion's comment and of experimental statistics, and what an
assessment needs before it may be published (``x-publish-required``) or published as official (``x-official``).

Example::

    >>> errors({"framework": "un-nqaf-2019", "intended_use": "SDG 16.6.2",
    ...         "criteria": [{"criterion": "Method documented", "dimension": "relevance", "answer": "no",
    ...                       "rating": 1}]}, StaticVocabularies({...}))
    {'criteria': ['criteria[0].comment: required when the answer is not-applicable or the rating is 0 or 1']}
    >>> publish_errors({"verdict": "endorse-official", "criteria": [...]})   # {"criteria": [...]} when not met
"""
from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import Any, Optional

from jsonschema import Draft202012Validator, FormatChecker

from ckanext.citizendata import schemas
from ckanext.citizendata.record.schema import SCHEMA as RECORD_SCHEMA
from ckanext.citizendata.record.validate import Vocabularies, validate_other
from ckanext.citizendata.text import unreadable

EXPERIMENTAL = "endorse-experimental"
LOW_RATINGS = (0, 1)


def _inline_record_refs(node: Any) -> Any:
    """The schema with its references into the record's schema replaced by what they point at (so that a value
    the record also holds, such as an SDG indicator, is described once and its ``x-vocabulary`` is seen)."""
    if isinstance(node, list):
        return [_inline_record_refs(item) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref", "")
    if ref.startswith(RECORD_SCHEMA["$id"] + "#/"):
        target: Any = RECORD_SCHEMA
        for part in ref.split("#/", 1)[1].split("/"):
            target = target[part]
        return target
    return {key: _inline_record_refs(value) for key, value in node.items()}


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The assessment's JSON Schema, references into the record's schema inlined."""
    with open(os.path.join(os.path.dirname(schemas.__file__), "assessment.schema.json"), encoding="utf-8") as handle:
        return _inline_record_refs(json.load(handle))


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(schema(), format_checker=FormatChecker())


def input_fields() -> tuple[str, ...]:
    """The fields an assessor states (``framework``, ``intended_use``, ...)."""
    return tuple(schema()["properties"])


def _criteria(data: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    items = data.get("criteria")
    return [(i, c) for i, c in enumerate(items) if isinstance(c, dict)] if isinstance(items, list) else []


def _comment_needed(data: dict[str, Any]) -> list[tuple[list, str]]:
    found = []
    for index, criterion in _criteria(data):
        low = criterion.get("answer") == "not-applicable" or (
            criterion.get("rating") in LOW_RATINGS and not isinstance(criterion.get("rating"), bool))
        comment = criterion.get("comment")
        if low and not (isinstance(comment, str) and comment.strip()):
            found.append((["criteria", index, "comment"],
                          "required when the answer is not-applicable or the rating is 0 or 1"))
    return found


def _plan_needed(data: dict[str, Any]) -> list[tuple[list, str]]:
    if data.get("verdict") == EXPERIMENTAL and not data.get("development_plan_url"):
        return [(["development_plan_url"], f"required when the verdict is {EXPERIMENTAL}")]
    return []


def _strings(value: Any, path: list) -> Any:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield path, str(key)
            yield from _strings(item, path + [str(key)])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, path + [index])


def _readable(data: dict[str, Any]) -> list[tuple[list, str]]:
    """Text no field can hold (a NUL character, a lone surrogate), wherever it stands."""
    found = []
    for path, text in _strings(data, []):
        bad = unreadable(text)
        if bad and path:
            found.append((path, f"{bad}, which no field can hold"))
    return found


RULES = (_comment_needed, _plan_needed, _readable)


def errors(data: dict[str, Any], vocabularies: Optional[Vocabularies] = None) -> dict[str, list[str]]:
    """Errors of an assessment's stated fields, keyed by field ({} when valid)."""
    return validate_other(data, _validator(), vocabularies, RULES)


def _dimension_error(dimension: str, ratings: list[Any], minimum: int) -> Optional[str]:
    need = f"an official endorsement needs every output dimension rated {minimum} or more"
    if not ratings:
        return f"criteria: the output dimension {dimension} is not assessed; {need}"
    if min(r if isinstance(r, int) else -1 for r in ratings) < minimum:
        return f"criteria: the output dimension {dimension} is rated below {minimum}; {need}"
    return None


def _official_errors(data: dict[str, Any]) -> dict[str, list[str]]:
    rule = schema()["x-official"]
    criteria = [c for _, c in _criteria(data)]
    found = [f"criteria[{i}]: a mandatory criterion must be answered (an official endorsement needs every one)"
             for i, c in enumerate(criteria) if c.get("mandatory") and not c.get("answer")]
    for dimension in rule["output-dimensions"]:
        ratings = [c.get("rating") for c in criteria if c.get("dimension") == dimension]
        found.append(_dimension_error(dimension, ratings, rule["minimum-rating"]))
    found = [message for message in found if message]
    return {"criteria": found} if found else {}


def publish_errors(data: dict[str, Any]) -> dict[str, list[str]]:
    """What a valid draft lacks to be published: the fields of ``x-publish-required``, and for an official
    endorsement (``x-official``) every mandatory criterion answered and every output dimension rated high enough.
    The conflict of interest (approver = assessor) is the auth function's (roles), not checked here."""
    found: dict[str, list[str]] = {}
    for name in schema()["x-publish-required"]:
        if data.get(name) in (None, "", {}, []):
            found[name] = [f"{name}: required to publish"]
    if data.get("verdict") == schema()["x-official"]["verdict"]:
        found.update(_official_errors(data))
    return found
