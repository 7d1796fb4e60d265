"""Validators named in schemas/dataset.yaml. Field validators only convert between what comes in (API JSON,
form strings) and what CKAN stores (strings in extras); the checking of the citizen-data fields happens once,
in ``citizendata_record``, which runs ckanext.citizendata.record.validate on the whole record.

Example (scheming YAML)::

    after_validators: citizendata_record
"""
from __future__ import annotations

import json
from typing import Any

from ckan.lib.navl.dictization_functions import StopOnError, missing, unflatten
from ckan.logic.converters import convert_to_extras

from ckanext.citizendata.record import coerce, derive, schema as record_schema
from ckanext.citizendata.record.validate import validate as validate_record

from . import register_validator


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@register_validator
def citizendata_list(value: Any) -> Any:
    """A list (or a JSON list, or comma/line separated text) stored as a JSON list."""
    if value is missing or value is None or value == "":
        return missing
    return _dump(coerce.to_list(value))


@register_validator
def citizendata_json(value: Any) -> Any:
    """An object or list stored as JSON; text that is not JSON is kept for the record validator to report."""
    if value is missing or value is None or value == "":
        return missing
    return value if isinstance(value, str) else _dump(value)


@register_validator
def citizendata_int(value: Any) -> Any:
    if value is missing or value is None or value == "":
        return missing
    return coerce.to_int(value)


@register_validator
def citizendata_bool(value: Any) -> Any:
    if value is missing or value is None or value == "":
        return missing
    return coerce.to_bool(value)


@register_validator
def citizendata_load_json(value: Any) -> Any:
    """Output: stored JSON text back to lists, objects, numbers and booleans."""
    return coerce.from_json_text(value)


@register_validator
def citizendata_derived(key, data, errors, context):
    """Derived fields are computed, never taken from input."""
    data.pop(key, None)
    raise StopOnError


@register_validator
def citizendata_form_quirks(key, data, errors, context):
    """The web form sends the ethics object as four yes/no fields ``ethics-<name>``; navl has already put
    these unknown keys aside in ``__extras``."""
    extras = data.get(("__extras",))
    if not isinstance(extras, dict):
        return
    flags = {}
    for name in record_schema.property_schema("ethics")["properties"]:
        raw = extras.pop(f"ethics-{name}", missing)
        if raw not in (missing, None, ""):
            flags[name] = coerce.to_bool(raw)
    if flags and data.get(("ethics",), missing) in (missing, None, ""):
        data[("ethics",)] = _dump(flags)


def error_key(errors: dict, path: list) -> tuple:
    """Where navl keeps errors for ``path``: the flattened key itself, or (for repeating subfields, whose
    errors are kept per subfield) the nearest subfield key of the same item."""
    path = tuple(path)
    if path in errors:
        return path
    deeper = sorted((k for k in errors if len(k) > 1 and k[0] == path[0]), key=str)
    if not deeper:
        return path[:1]
    same_item = [k for k in deeper if k[:2] == path[:2]]
    return (same_item or deeper)[0]


@register_validator
def citizendata_record(key, data, errors, context):
    """Check the whole record once (JSON Schema, vocabularies, cross-field rules); when it is valid, add the
    derived fields."""
    record = coerce.record_from_flat(unflatten(data))
    found = validate_record(record, with_paths=True)
    for path, message in found:
        errors.setdefault(error_key(errors, path), []).append(message)
    if found:
        return
    for field, value in derive.derive(record).items():
        data[(field,)] = _dump(value)
        convert_to_extras((field,), data, errors, context)
        del data[(field,)]

