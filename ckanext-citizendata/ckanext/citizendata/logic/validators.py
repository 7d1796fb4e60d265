"""Validators named in schemas/dataset.yaml. Field validators only convert between what comes in (API JSON,
form strings) and what CKAN stores (strings in extras); the checking of the citizen-data fields happens once,
in ``citizendata_record``, which runs ckanext.citizendata.record.validate on the whole (effective) record.

Example (scheming YAML)::

    after_validators: citizendata_record
"""
from __future__ import annotations

import json
from typing import Any

from ckan.lib.navl.dictization_functions import StopOnError, missing, unflatten

from ckanext.citizendata.assessment import recognition, roles
from ckanext.citizendata.ingest.harvest import provenance
from ckanext.citizendata.rdf import catalog_record
from ckanext.citizendata.record import coerce, inherit, view
from ckanext.citizendata.record import schema as record_schema
from ckanext.citizendata.record.fields import INHERITED
from ckanext.citizendata.record.validate import EMAIL_FIELDS
from ckanext.citizendata.record.validate import validate as validate_record

from . import form_errors, membership
from .registry import register_validator


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@register_validator
def citizendata_list(value: Any) -> Any:
    """A list (or a JSON list, or comma/line separated text) stored as a JSON list."""
    if value is missing or value is None or value == "":
        return missing
    items = coerce.to_list(value)
    return _dump(items) if isinstance(items, list) else value  # not a list: the record validator says so


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
def citizendata_drop_empty(key, data, errors, context):
    """A value left empty ("Not stated" in the form, an empty text) is no value: the field is not stored (CKAN's
    ignore_empty would also drop ``false`` and ``0``)."""
    if data.get(key, missing) in (missing, None, ""):
        data.pop(key, None)
        raise StopOnError


@register_validator
def citizendata_flag(key, data, errors, context):
    """A yes/no setting of the catalog (not a record field): true or false, stored as JSON ``true``/``false``;
    anything else is refused, never read as false."""
    value = data.get(key, missing)
    if value is missing or value is None or value == "":
        data[key] = missing
        return
    flag = coerce.to_bool(value)
    if isinstance(flag, bool):
        data[key] = _dump(flag)
    else:
        errors[key].append(f"{key[-1]}: {_dump(value)} is not true or false")


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
    """What navl has put aside in ``__extras`` (keys the dataset type's scheming schema does not list): the web
    form's ethics object as four yes/no fields ``ethics-<name>``; the ``inherited_fields`` of a show-then-update
    round trip; and record fields this dataset type does not hold, which are refused instead of dropped."""
    _drop_empty_entries(data)
    extras = data.get(("__extras",))
    if not isinstance(extras, dict):
        return
    _refuse_fields_of_another_type(data, errors, extras)
    flags = {}
    for name in record_schema.property_schema("ethics")["properties"]:
        raw = extras.pop(f"ethics-{name}", missing)
        if raw not in (missing, None, ""):
            flags[name] = coerce.to_bool(raw)
    if flags and data.get(("ethics",), missing) in (missing, None, ""):
        data[("ethics",)] = _dump(flags)
    _keep_inherited(data, extras)


# the repeating fields whose entries (a block of the form) are dropped when every value of them is empty
REPEATING = ("contact", "publisher", "temporal_coverage", "engagement", "partners")


def _empty(value: Any) -> bool:
    return value is missing or value is None or value == [] or (isinstance(value, str) and not value.strip())


def _drop_empty_entries(data: dict) -> None:
    """An entry of a repeating field left empty (a block of the form nobody filled in) is no entry: it is dropped
    and the others numbered from 0 again, so an untouched optional block is not an error."""
    for name in REPEATING:
        kept = [entry for entry in _entries(data, name) if not all(_empty(v) for v in entry.values())]
        for index, entry in enumerate(kept):
            data.update({(name, index, sub): value for sub, value in entry.items()})


def _entries(data: dict, name: str) -> list[dict]:
    """The entries of a repeating field, taken out of the flattened ``data``, in their order."""
    entries: dict[int, dict] = {}
    for key in [k for k in data if len(k) == 3 and k[0] == name and isinstance(k[1], int)]:
        entries.setdefault(key[1], {})[key[2]] = data.pop(key)
    return [entry for _, entry in sorted(entries.items())]


def _refuse_fields_of_another_type(data: dict, errors: dict, extras: dict) -> None:
    """A citizen-data field the record accepts but this dataset type's schema lacks (``unit_measure`` on an
    initiative) would be dropped silently: an error names the field and the type."""
    kind = data.get(("type",)) or "dataset"
    for name in sorted(set(extras) & set(record_schema.INPUT_FIELDS)):
        errors[(name,)] = [f"{name}: not a field of dataset type {kind!r}; set it on the datasets of the "
                           f"initiative instead" if kind == inherit.SERIES_TYPE else
                           f"{name}: not a field of dataset type {kind!r}"]


def _keep_inherited(data: dict, extras: dict) -> None:
    """Fields sent back unchanged from what the initiative gives stay inherited, not copied."""
    names = coerce.to_list(extras.pop(view.MARK, None) or [])
    extras.pop(view.WITHHELD, None)   # computed at show time, as inherited_fields
    extras.pop(catalog_record.KEY, None)   # a harvested record's provenance: kept by the harvest engine
    refs = inherit.series_ids(data.get(("in_series",)))
    if not names or not refs or not isinstance(names, list):
        return
    flat = unflatten(data)
    series = inherit.SeriesLookup.for_request().records(refs)
    for name in inherit.still_inherited(flat, names, series):
        for key in [k for k in data if k[0] == name]:
            del data[key]


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
def citizendata_in_series(key, data, errors, context):
    """The initiatives (DCAT dataset series) a dataset belongs to, by name or id; stored as a list of ids.
    An initiative the dataset did not state before must be one the user may join (logic/membership.py); one
    the user may not see is answered as if it did not exist."""
    value = data.get(key, missing)
    if value is missing or value is None or value == "" or value == []:
        data[key] = missing
        return
    refs = inherit.series_ids(value)
    found = inherit.SeriesLookup.for_request().many(refs)
    stated = set(inherit.series_ids(_stored_in_series(context)))
    for ref, series in zip(refs, found):
        message = _refusal(ref, series, stated, context)
        if message:
            errors[key].append(message)
    if not errors[key]:
        data[key] = _dump([series.id for series in found])


def _stored_in_series(context: dict) -> Any:
    """The in_series the dataset being updated has now (none for a new one)."""
    package = context.get("package")
    extras = getattr(package, "extras", None) or {}
    return extras.get("in_series") if getattr(package, "type", None) == "dataset" else None


def _refusal(ref: str, series: Any, stated: set, context: dict) -> str:
    if series is None or (series.id not in stated and not membership.may_see(series, context)):
        return f"in_series: {_dump(ref)} is not an initiative (a dataset series of this catalog)"
    if series.id in stated or membership.may_join(series, context):
        return ""
    return (f"in_series: the initiative {_dump(series.name)} takes datasets only from its own organization "
            f"(its editors may open it to others: {inherit.OPEN_MEMBERSHIP})")


@register_validator
def citizendata_record(key, data, errors, context):
    """Check the whole effective record once (its own fields, and for a dataset in an initiative the fields it
    inherits): JSON Schema, vocabularies, cross-field rules. Derived fields are computed at show time. A harvested
    record (written by the harvest engine, or owned by a source) need not state the record's required fields."""
    if not context.get(provenance.CONTEXT_FLAG):
        _keep_only_unchanged_derivations(data, context)
    flat = unflatten(data)
    harvested = bool(context.get(provenance.CONTEXT_FLAG)) or provenance.is_harvested(flat.get("id"))
    refs = inherit.series_ids(flat.get("in_series")) if not errors.get(("in_series",)) else []
    member = {"private": flat.get("private"), "owner_org": flat.get("owner_org")}
    record, withheld = view.effective(coerce.record_from_flat(flat), refs, member)
    record.update({name: flat[name] for name in EMAIL_FIELDS if name in flat})
    _add_errors(errors, validate_record(record, with_paths=True, harvested=harvested), _why_withheld(withheld),
                form_errors.from_form(context))


def _add_errors(errors: dict, found: list, why: str, in_form: bool) -> None:
    """The record validator's errors, each once, where navl keeps them: in the API's precise wording, or for the
    web form in plain words (logic/form_errors.py)."""
    for path, message in found:
        note = why if path and path[0] in INHERITED else ""
        text = (form_errors.plain(path, message) if in_form else message) + note
        kept = errors.setdefault(error_key(errors, path), [])
        if text not in kept:
            kept.append(text)


DERIVED_FROM = "derived_from"


def _keep_only_unchanged_derivations(data: dict, context: dict) -> None:
    """A person's write keeps an engagement stage's ``derived_from`` (which a harvester wrote: "derived from the
    source's participation tasks ...") only while the stage is as the harvester wrote it; a stage a person changed,
    or a derivation a person typed, is the person's statement and loses it."""
    stored = _stored_engagement(context)
    for key in [k for k in data if len(k) == 3 and k[0] == "engagement" and k[2] == DERIVED_FROM]:
        entry = {name: data.get(("engagement", key[1], name)) for name in ("stage", "level", "actors")}
        if not any(_same_stage(entry, data[key], kept) for kept in stored):
            data.pop(key)


def _same_stage(entry: dict, derived_from: Any, stored: Any) -> bool:
    if not isinstance(stored, dict) or not derived_from or stored.get(DERIVED_FROM) != derived_from:
        return False
    as_stored = coerce.record_from_flat({"engagement": [dict(stored)]}).get("engagement") or [{}]
    as_sent = coerce.record_from_flat({"engagement": [entry]}).get("engagement") or [{}]
    return all(as_sent[0].get(name) == as_stored[0].get(name) for name in ("stage", "level", "actors"))


def _stored_engagement(context: dict) -> list:
    """The engagement the record being updated holds now (none for a new record)."""
    extras = getattr(context.get("package"), "extras", None) or {}
    value = coerce.from_json_text(extras.get("engagement"))
    return value if isinstance(value, list) else []


def _why_withheld(withheld: list[str]) -> str:
    """What an editor is told when a field an initiative would give is missing because it may not give it."""
    if not withheld:
        return ""
    return (f" (not taken from initiative {', '.join(withheld)}: a dataset shows only values that everyone who "
            f"may read it may read, so a public dataset takes nothing from a private initiative, nor any dataset "
            f"from a private initiative of another organization)")


@register_validator
def citizendata_recognition(key, data, errors, context):
    """A person's write may not state a ``recognition_status`` other than the derived one (it follows published
    NSO assessments; an NSO's own records may state it): the write is refused with an error on the field.
    Writes of the site itself (harvest, bulk import, demo: ``ignore_auth``) are kept, and not shown."""
    if context.get("ignore_auth") or errors.get((recognition.FIELD,)):
        return
    stated = data.get((recognition.FIELD,), missing)
    if stated in (missing, None, ""):
        return
    flat = unflatten(data)
    refs = inherit.series_ids(flat.get("in_series")) if not errors.get(("in_series",)) else []
    member = {"private": flat.get("private"), "owner_org": flat.get("owner_org")}
    record, _withheld = view.effective(coerce.record_from_flat(flat), refs, member)
    refusal = recognition.write_refusal({**member, "id": flat.get("id"), "type": flat.get("type"), "in_series": refs,
                                         "countries": record.get("countries"), recognition.FIELD: stated})
    if refusal:
        errors.setdefault((recognition.FIELD,), []).append(refusal)


def _organization_value(data: dict, name: str) -> Any:
    """An organization field, as the form sends it or as an ``extras`` entry of the API."""
    value = data.get((name,), missing)
    if value not in (missing, None, ""):
        return value
    keys = [k for k in data if len(k) == 3 and k[0] == "extras" and k[2] == "key" and data[k] == name]
    return data.get(("extras", keys[0][1], "value"), missing) if keys else missing


@register_validator
def citizendata_organization(key, data, errors, context):
    """An organization's actor type (a notation of actor-types) and jurisdiction (ISO 3166-1 alpha-3 codes,
    only for a national statistical office): schemas/organization.yaml."""
    kind = _organization_value(data, roles.ACTOR_TYPE)
    raw = _organization_value(data, roles.JURISDICTION)
    countries = coerce.to_list(raw) if raw not in (missing, None, "") else []
    kind = None if kind in (missing, None, "") else str(kind)
    countries = [str(c) for c in countries] if isinstance(countries, list) else [str(countries)]
    found = roles.organization_errors(kind, countries)
    if not context.get("ignore_auth") and not roles.is_sysadmin(context.get("user")):
        stored = getattr(context.get("group"), "extras", None) or {}   # the organization being updated
        before = (stored.get(roles.ACTOR_TYPE) or None, roles.jurisdiction_of(stored))
        for name, messages in roles.change_errors(before, (kind, tuple(countries))).items():
            found.setdefault(name, []).extend(messages)
    for name, messages in found.items():
        errors.setdefault((name,), []).extend(messages)
