"""Checks in front of CKAN's dataset writes (``package_create`` and ``package_update``, chained; ``package_patch``
and the resource actions end in ``package_update``): what no dataset schema may let through, whatever its type.

- ``type`` must be one that a dataset form registers (our scheming schemas, ckanext-harvest's ``harvest``):
  CKAN would otherwise store the dataset with its default schema, skipping the citizen-data validation, and no
  page could link to it (``<type>.read`` has no blueprint).
- every text value is at most ``ckanext.citizendata.limits.text_chars`` characters (``field_chars`` per field),
  and holds no NUL character (PostgreSQL cannot store it) and no lone surrogate (not text);
- every number fits a PostgreSQL bigint and is finite;
- ``private`` is true or false (CKAN's boolean_validator reads any other word as false: public).

A check runs before CKAN's action, so a refused write changes nothing. The seam is the chained action, not a
validator of our scheming presets, because an unregistered type never reaches our schemas (CKAN validates it
with its default schema), and because one walk over the input covers every field of every type.

Example::

    >>> problems({"type": "anything", "title": "a\\x00b"}, {"dataset", "harvest"}, 100, {})
    {'type': ['type: "anything" is not a registered dataset type; allowed: dataset, harvest'],
     'title': ['title: contains a NUL character (U+0000) at position 2, which cannot be stored']}
"""
from __future__ import annotations

import json
import math
from typing import Any, Iterable, Iterator

from ckan import model
from ckan import plugins as p
from ckan.plugins import toolkit

from ckanext.citizendata import config
from ckanext.citizendata.record import coerce
from ckanext.citizendata.record.validate import path_text
from ckanext.citizendata.text import unreadable

from ..registry import register_action

DEFAULT_TYPE = "dataset"
BIGINT = (-(2 ** 63), 2 ** 63 - 1)


def registered_types() -> set[str]:
    """Dataset types that some dataset form registers, e.g. ``{"dataset", "initiative", "harvest"}``."""
    types = {DEFAULT_TYPE}
    for plugin in p.PluginImplementations(p.IDatasetForm):
        types.update(plugin.package_types())
    return types


def _leaves(value: Any, path: list) -> Iterator[tuple[list, Any]]:
    """(path, value) of every text and number in a dataset dict, walked without recursion."""
    stack = [(path, value)]
    while stack:
        here, item = stack.pop()
        if isinstance(item, dict):
            stack.extend((here + [str(k)], v) for k, v in item.items())
        elif isinstance(item, (list, tuple)):
            stack.extend((here + [i], v) for i, v in enumerate(item))
        elif isinstance(item, (str, int, float)) and not isinstance(item, bool):
            yield here, item


def _text_problem(text: str, limit: int, limit_key: str) -> str | None:
    if len(text) > limit:
        return f"{len(text)} characters, longer than the limit of {limit} ({limit_key})"
    bad = unreadable(text)
    return f"contains {bad}, which cannot be stored" if bad else None


def _number_problem(number: int | float) -> str | None:
    if isinstance(number, float) and not math.isfinite(number):
        return f"{number} is not a finite number"
    if not BIGINT[0] <= number <= BIGINT[1]:
        return f"{json.dumps(number)} is outside the range {BIGINT[0]} to {BIGINT[1]}"
    return None


def _private_problem(data_dict: dict) -> str | None:
    value = data_dict.get("private")
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().lower() in coerce.CKAN_BOOLEAN_WORDS:
        return None
    return f"must be true or false, got {json.dumps(value, ensure_ascii=False)[:80]}"


def _type_problem(kind: Any, allowed: Iterable[str]) -> str | None:
    if kind in (None, "") or kind in allowed:
        return None
    shown = json.dumps(kind, ensure_ascii=False)[:80] if isinstance(kind, str) else type(kind).__name__
    return f"{shown} is not a registered dataset type; allowed: {', '.join(sorted(allowed))}"


def problems(data_dict: dict, allowed_types: Iterable[str], text_limit: int,
             field_limits: dict[str, int]) -> dict[str, list[str]]:
    """What in ``data_dict`` no dataset may hold, CKAN-style: top-level field -> messages ({} when none)."""
    errors: dict[str, list[str]] = {}
    for field, problem in (("type", _type_problem(data_dict.get("type"), set(allowed_types))),
                           ("private", _private_problem(data_dict))):
        if problem:
            errors[field] = [f"{field}: {problem}"]
    for path, value in sorted(_leaves(data_dict, []), key=lambda item: list(map(str, item[0]))):
        field = path[0]
        if isinstance(value, str):
            limit_key = config.LIMITS + ("field_chars" if field in field_limits else "text_chars")
            problem = _text_problem(value, field_limits.get(field, text_limit), limit_key)
        else:
            problem = _number_problem(value)
        if problem:
            errors.setdefault(field, []).append(f"{path_text(path)}: {problem}")
    return errors


UPDATE_HINT = ("; an update keeps a dataset's type (CKAN's package_update): delete the dataset and create it "
               "again with a registered type")


def refuse_unstorable(data_dict: dict, current_type: str | None = None) -> None:
    """Raise CKAN's ValidationError (409 on the API) naming every field no dataset may hold. For an update,
    ``current_type`` is the stored dataset's type, which CKAN keeps whatever ``type`` the update sends."""
    checked = dict(data_dict)
    if current_type is not None:
        checked["type"] = current_type
    errors: dict[str, Any] = problems(checked, registered_types(), config.text_chars(), config.field_chars())
    if current_type is not None and "type" in errors:
        errors["type"] = [errors["type"][0] + UPDATE_HINT]
    if "tags" in errors:  # CKAN's ValidationError expects tag errors as [{"name": [...]}]
        errors["tags"] = [{"name": [message]} for message in errors["tags"]]
    if errors:
        raise toolkit.ValidationError(errors)


def _current_type(data_dict: dict) -> str | None:
    ref = data_dict.get("id") or data_dict.get("name")
    storable = isinstance(ref, str) and ref and not unreadable(ref)  # else refused by the checks
    package = model.Package.get(ref) if storable else None
    return package.type if package is not None else None


@register_action
@toolkit.chained_action
def package_create(original, context, data_dict):
    refuse_unstorable(data_dict)
    return original(context, data_dict)


@register_action
@toolkit.chained_action
def package_update(original, context, data_dict):
    refuse_unstorable(data_dict, _current_type(data_dict))
    return original(context, data_dict)
