"""One validation path for the action API, the web form, bulk files and harvesters.

JSON Schema (draft 2020-12) first, then vocabulary membership (``x-vocabulary``), then cross-field rules.
Errors are CKAN-style: a dict from top-level field to messages; each message starts with the path of the value
and says what was wrong and what is allowed.

Example::

    >>> errors = validate({"initiative_type": "community-survey",
    ...                    "engagement": [{"stage": "design", "level": 4}],
    ...                    "sdg_indicators": ["16.6.2", "16.6.9"]}, StaticVocabularies({...}))
    >>> errors["sdg_indicators"]
    ['sdg_indicators[1]: "16.6.9" is not an SDG indicator; close matches: 16.6.1, 16.6.2']
"""
from __future__ import annotations

import difflib
import json
import os
from typing import Any, Callable, Iterable, Optional, Protocol

from jsonschema import Draft202012Validator, FormatChecker

from ckanext.citizendata.text import EMAIL, natural_key
from ckanext.citizendata.vocab import registry

from . import derive
from .schema import READ_ONLY, SCHEMA

_VALIDATOR = Draft202012Validator(SCHEMA, format_checker=FormatChecker())


class Vocabularies(Protocol):
    """Where notations come from: ``notations("sdg") -> frozenset({"1", "1.1", "1.1.1", ...})``."""

    def notations(self, scheme: str) -> frozenset: ...


class StaticVocabularies:
    """Notations given as a dict (for tests and offline use): ``StaticVocabularies({"sdg": {...}})``."""

    def __init__(self, schemes: dict[str, Iterable[str]]):
        self.schemes = {k: frozenset(v) for k, v in schemes.items()}

    def notations(self, scheme: str) -> frozenset:
        return self.schemes.get(scheme, frozenset())


class RegistryVocabularies:
    """Notations from the vocabulary registry in the database (cached per registry revision)."""

    def notations(self, scheme: str) -> frozenset:
        return registry.notations(scheme)


class Words(str):
    """A message, with the rule that gave it and the values it names (for the web form's plain wording,
    logic/form_errors.py); as text it is the API's precise wording::

        >>> w = Words('"collect" appears twice; one entry per stage', "unique_stage", stage="collect")
        >>> (w, w.rule, w.params)
        ('"collect" appears twice; one entry per stage', 'unique_stage', {'stage': 'collect'})
    """

    rule: str
    params: dict[str, Any]

    def __new__(cls, text: str, rule: str = "", **params: Any) -> "Words":
        words = super().__new__(cls, text)
        words.rule, words.params = rule, params
        return words


def path_text(path: Iterable[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# ---------------------------------------------------------------- JSON Schema errors, in words
def _allowed(values: Iterable[Any]) -> str:
    return ", ".join(str(v) for v in values)


# a JSON Schema error in words: (error, how to show a value) -> text; the record's and the harvest source files'
_MESSAGES: dict[str, Callable[[Any, Callable[[Any], str]], str]] = {
    "type": lambda e, show: f"expected {_type_words(e.validator_value)}, got {show(e.instance)}",
    "enum": lambda e, show: f"{show(e.instance)} is not allowed; allowed: {_allowed(e.validator_value)}",
    "const": lambda e, show: f"{show(e.instance)} is not allowed; allowed: {show(e.validator_value)}",
    "minimum": lambda e, show: f"{show(e.instance)} is below the minimum {e.validator_value}",
    "maximum": lambda e, show: f"{show(e.instance)} is above the maximum {e.validator_value}",
    "pattern": lambda e, show: f"{show(e.instance)} does not have the expected form ({e.validator_value})",
    "minItems": lambda e, show: f"at least {e.validator_value} item(s) required",
    "minProperties": lambda e, show: f"at least {e.validator_value} key(s) required",
    "uniqueItems": lambda e, show: "values must be unique; a value is repeated",
    "minLength": lambda e, show: f"must not be shorter than {e.validator_value} character(s)",
    "maxLength": lambda e, show: f"must not be longer than {e.validator_value} characters",
    "format": lambda e, show: f"{show(e.instance)} is not a valid {e.validator_value}",
}
_TYPE_WORDS = {"integer": "a whole number", "number": "a number", "string": "text", "boolean": "true or false",
               "array": "a list", "object": "an object"}


def _type_words(value) -> str:
    values = value if isinstance(value, list) else [value]
    return " or ".join(_TYPE_WORDS.get(v, v) for v in values)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def error_words(error: Any, show: Callable[[Any], str] = _json) -> str:
    """A jsonschema error of a value in words (``"16.6.9" does not have the expected form (...)``); ``show``
    writes the values (the harvest source files shorten long ones)."""
    words = _MESSAGES.get(error.validator)
    return words(error, show) if words else error.message


def _schema_errors(record: dict[str, Any], validator: Draft202012Validator = _VALIDATOR) -> list[tuple[list, str]]:
    found = []
    for error in sorted(validator.iter_errors(record), key=lambda e: list(map(str, e.absolute_path))):
        path = list(error.absolute_path)
        if error.validator == "required":
            missing = error.message.split("'")[1]
            found.append((path + [missing], Words("required", "required")))
        elif error.validator == "additionalProperties":
            allowed = _allowed(error.schema.get("properties", {}))
            for extra in sorted(set(error.instance) - set(error.schema.get("properties", {}))):
                found.append((path + [extra], Words(f"unknown field; allowed: {allowed}", "unknown")))
        else:
            found.append((path, Words(error_words(error), error.validator, value=error.instance,
                                      limit=error.validator_value)))
    return found


# ---------------------------------------------------------------- vocabulary membership
def _vocab_values(schema: dict, value: Any, path: list) -> Iterable[tuple[list, dict, Any]]:
    if "x-vocabulary" in schema and isinstance(value, (str, int)) and not isinstance(value, bool):
        yield path, schema, value
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            yield from _vocab_values(schema["items"], item, path + [index])
    if isinstance(value, dict) and "properties" in schema:
        for key, sub in schema["properties"].items():
            if key in value:
                yield from _vocab_values(sub, value[key], path + [key])


def close_matches(value: str, candidates: frozenset, limit: int = 5) -> list[str]:
    """Candidates sharing the longest prefix with ``value`` (``16.6.9`` -> ``16.6.1, 16.6.2``), else
    the most similar ones."""
    best, scored = 0, []
    for candidate in candidates:
        common = len(os.path.commonprefix([value.lower(), candidate.lower()]))
        best = max(best, common)
        scored.append((common, candidate))
    if best >= max(2, len(value) // 2):
        return sorted((c for n, c in scored if n == best), key=natural_key)[:limit]
    return sorted(difflib.get_close_matches(value, list(candidates), n=3, cutoff=0.6), key=natural_key)


def _vocab_errors(record: dict[str, Any], vocabularies: Vocabularies, taken: set,
                  properties: Optional[dict[str, Any]] = None) -> list[tuple[list, str]]:
    found = []
    for path, schema, value in _walk_record(record, SCHEMA["properties"] if properties is None else properties):
        if tuple(path) in taken:
            continue
        allowed = vocabularies.notations(schema["x-vocabulary"])
        if str(value) in allowed:
            continue
        noun = schema.get("x-vocabulary-noun", f"in {schema['x-vocabulary']}")
        hint = close_matches(str(value), allowed)
        if not allowed:
            words = f"{_json(value)} cannot be checked: vocabulary {schema['x-vocabulary']} is not loaded"
        elif hint:
            words = f"{_json(value)} is not {noun}; close matches: {', '.join(hint)}"
        elif len(allowed) <= 12:
            words = f"{_json(value)} is not {noun}; allowed: {', '.join(sorted(allowed, key=natural_key))}"
        else:
            words = f"{_json(value)} is not {noun}"
        found.append((path, Words(words, "vocabulary", value=value, scheme=schema["x-vocabulary"])))
    return found


def _walk_record(record: dict[str, Any], properties: dict[str, Any]):
    for key, sub in properties.items():
        if key in record:
            yield from _vocab_values(sub, record[key], [key])


# ---------------------------------------------------------------- cross-field rules
def _unique_stages(record) -> list[tuple[list, str]]:
    seen, found = set(), []
    for index, entry in enumerate(record.get("engagement") or []):
        stage = entry.get("stage") if isinstance(entry, dict) else None
        if stage in seen:
            found.append((["engagement", index, "stage"],
                          Words(f"{_json(stage)} appears twice; one entry per stage", "unique_stage", stage=stage)))
        seen.add(stage)
    return found


def _probability_needs_size(record) -> list[tuple[list, str]]:
    if record.get("probability_sample") is True and record.get("sample_size") in (None, ""):
        return [(["sample_size"], Words("required when probability_sample is true", "needs_size"))]
    return []


def _personal_data_needs_safeguard(record) -> list[tuple[list, str]]:
    if not derive.safeguarded(record.get("ethics")):
        return [(["ethics", "personal_data"],
                 Words("personal or sensitive data need informed_consent or ethics_review to be true", "safeguard"))]
    return []


# the DCAT fields (repeating subfields, not in the record's JSON Schema) whose entries hold an e-mail address
EMAIL_FIELDS = ("contact", "publisher")


def _emails_are_addresses(record) -> list[tuple[list, str]]:
    """``contact[0].email: "not-an-email" is not an e-mail address``: the harvest mappings' rule (text.EMAIL)."""
    found = []
    for field in EMAIL_FIELDS:
        entries = record.get(field)
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            email = entry.get("email") if isinstance(entry, dict) else None
            if email in (None, "") or (isinstance(email, str) and EMAIL.match(email.strip())):
                continue
            found.append(([field, index, "email"],
                          Words(f"{_json(email)} is not an e-mail address (name@domain.example)", "email",
                                value=email)))
    return found


RULES: tuple[Callable[[dict], list], ...] = (_unique_stages, _probability_needs_size, _personal_data_needs_safeguard,
                                             _emails_are_addresses)
# what a harvested record may lack: its source (a field tool) may say that a form collects personal data and not
# whether consent was asked; the record is kept, and does not meet the definition until a curator states it. Nor is
# it refused for an e-mail address: the harvest mappings drop one that is not (ingest/harvest/values.py EMAIL)
HARVESTED_RULES = (_unique_stages, _probability_needs_size)


def _rule_errors(record: dict[str, Any], harvested: bool) -> list[tuple[list, str]]:
    return [item for rule in (HARVESTED_RULES if harvested else RULES) for item in rule(record)]


def _without_required_fields(found: list[tuple[list, str]]) -> list[tuple[list, str]]:
    """The errors but those of a missing required top-level field (what a harvested record may lack)."""
    return [(path, words) for path, words in found if not (len(path) == 1 and words == "required")]


# ---------------------------------------------------------------- entry point
def validate(record: dict[str, Any], vocabularies: Optional[Vocabularies] = None,
             with_paths: bool = False, harvested: bool = False) -> Any:
    """Errors of one record's citizen-data fields, keyed by top-level field ({} when valid); with
    ``with_paths`` a list of (path, message) instead. Read-only (derived) fields in the input are ignored.
    A ``harvested`` record need not state the record's required fields (a partner portal rarely has them), nor
    the consent its personal data need (it then does not meet the definition: derive.safeguarded): what it
    states is checked as always, and the index lists what it lacks (``needs_classification``)."""
    vocabularies = vocabularies or RegistryVocabularies()
    record = {k: v for k, v in record.items() if k not in READ_ONLY}
    found = _schema_errors(record)
    if harvested:
        found = _without_required_fields(found)
    taken = {tuple(path) for path, _ in found}
    found += _vocab_errors(record, vocabularies, taken)
    found += _rule_errors(record, harvested)
    return _grouped(found, with_paths)


def _grouped(found: list[tuple[list, str]], with_paths: bool) -> Any:
    """Errors as messages naming their path, once each: a list of (path, message), or a dict of them by
    top-level field."""
    messages = []
    for path, words in found:
        item = (list(path), Words(f"{path_text(path)}: {words}", getattr(words, "rule", ""),
                                  **getattr(words, "params", {})))
        if item not in messages:
            messages.append(item)
    if with_paths:
        return messages
    errors: dict[str, list[str]] = {}
    for path, message in messages:
        errors.setdefault(str(path[0]), []).append(message)
    return errors


def validate_other(data: dict[str, Any], validator: Draft202012Validator, vocabularies: Optional[Vocabularies] = None,
                   rules: Iterable[Callable[[dict], list]] = (), with_paths: bool = False) -> Any:
    """Errors of data of another of our JSON Schemas (``x-vocabulary`` included) in the record's words, keyed by
    top-level field, then those of the cross-field ``rules`` (each: data -> [(path, words)]; it must
    bear values of any type: they run on input the schema refused too).

    Example::

        validate_other({"framework": "nqaf"}, Draft202012Validator(ASSESSMENT_SCHEMA))
        # {"framework": ['framework: "nqaf" is not an assessment framework; close matches: ...'], ...}
    """
    vocabularies = vocabularies or RegistryVocabularies()
    found = _schema_errors(data, validator)
    taken = {tuple(path) for path, _ in found}
    found += _vocab_errors(data, vocabularies, taken, validator.schema.get("properties", {}))
    found += [item for rule in rules for item in rule(data)]
    return _grouped(found, with_paths)
