"""PPSR Core's JSON Schema, applied to one project of a feed: what ``ppsr_core`` maps is the project without the
values that break the standard, each named in a warning.

The schema is the standard's own (draft-07, ``harvesters/standards/ppsr-core/PPSR_JSONSchema.json``, vendored
unchanged; see ATTRIBUTION.md beside it): its Project item schema, widened by the PMM 2020.0 extension attributes
(``PMM_extensions.schema.json``, ours), because the vendored schema lists only the core attributes and forbids any
other. ``check(project)``:

- a project that is not an object, or whose ``projectId`` or ``projectName`` is missing or breaks the schema, raises
  MappingError (the reason names the path and the rule);
- every other violation drops the offending value, with a warning naming its path and the rule (``enum``,
  ``type``, ``format``, ``pattern``, ``additionalProperties`` for an attribute PMM does not have); the mandatory
  attributes a project lacks are one warning;
- deliberate readings: a date alone passes as an ISO 8601 ``date-time`` (reduced precision); an ``unRegions``
  value outside the schema's list that carries an M49 code (a bare code, or the list's names spelled otherwise)
  is kept, to be read by its code; a numeric ``projectId`` is read as its text, with a warning.

Example::

    project, warnings = check({"projectId": "17000", "projectName": "Globe at Night", "projectStatus": "Ongoing"})
    "projectStatus" in project      # False
    warnings[-1]                    # 'projectStatus: "Ongoing" is not one of the values PMM 2020.0 allows (enum);
                                    #  dropped'
    check({"projectId": "17000"})   # MappingError: projectName: missing; PMM 2020.0 requires it (required)
"""
from __future__ import annotations

import copy
import datetime
import functools
import json
import re
from typing import Any, Iterable, Iterator, Optional

import jsonschema

from .listing import packaged_folder
from .values import MappingError

STANDARD = ("standards", "ppsr-core")        # under harvesters/
SCHEMA_FILE = "PPSR_JSONSchema.json"         # vendored, unchanged
EXTENSIONS_FILE = "PMM_extensions.schema.json"
ESSENTIAL = ("projectId", "projectName")     # a project without them cannot be a record
PMM = "PMM 2020.0"
PROJECT = "(project)"                        # the path of the project itself

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+(?:\.\d+)?D)?"
                       r"(T(?=\d)(\d+H)?(\d+M)?(\d+(?:\.\d+)?S)?)?$")
_M49 = re.compile(r"^(?:.*\D)?(\d{1,3})\)?$")      # "Europe - Western Europe (155)", "Asia 143)", "840"
_DROPPED = object()



# ---------------------------------------------------------------- the schema


def _decoded(raw: bytes) -> str:
    """The schema file's text: UTF-8, with a stray Windows-1252 byte (the vendored file has two) read as such."""
    found = raw.decode("utf-8", errors="surrogateescape")
    return re.sub("[\udc80-\udcff]",
                  lambda m: bytes([ord(m.group()) - 0xDC00]).decode("cp1252", errors="replace"), found)


@functools.lru_cache(maxsize=1)
def project_schema() -> dict[str, Any]:
    """The schema of one project: the vendored schema's Project item, with the PMM extension attributes added."""
    folder = packaged_folder().joinpath(*STANDARD)
    standard = json.loads(_decoded((folder / SCHEMA_FILE).read_bytes()))
    extensions = json.loads((folder / EXTENSIONS_FILE).read_text(encoding="utf-8"))
    item = copy.deepcopy(standard["properties"]["Project"]["items"])
    item["properties"].update(extensions["properties"])
    return {"$schema": standard["$schema"], **item}


def _is_date_time(value: Any) -> bool:
    """ISO 8601 date and time, or a date alone (reduced precision)."""
    if not isinstance(value, str):
        return True
    try:
        datetime.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_uri(value: Any) -> bool:
    return not isinstance(value, str) or bool(_URI.match(value))


def _is_duration(value: Any) -> bool:
    return not isinstance(value, str) or bool(_DURATION.match(value))


FORMATS = jsonschema.FormatChecker(formats=())
FORMATS.checks("date-time")(_is_date_time)
FORMATS.checks("uri")(_is_uri)
FORMATS.checks("duration")(_is_duration)


@functools.lru_cache(maxsize=1)
def validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(project_schema(), format_checker=FORMATS)


# ---------------------------------------------------------------- words


def json_path(path: Iterable[Any]) -> str:
    """``unRegions[2]``, ``contactPoint.meansOfContact``; ``(project)`` for the project itself."""
    found = ""
    for part in path:
        found += f"[{part}]" if isinstance(part, int) else (f".{part}" if found else str(part))
    return found or PROJECT


def shown(value: Any) -> str:
    """A value as JSON, cut at 100 characters."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 100 else text[:99] + "…"


def _broken_rule(error: jsonschema.ValidationError) -> str:
    """What rule a value breaks, in words, with the rule's keyword."""
    rule, value = error.validator, error.instance
    if rule == "enum":
        return f"{shown(value)} is not one of the values {PMM} allows (enum)"
    if rule == "type":
        return f"{shown(value)} is not of the type {PMM} gives it, {error.validator_value} (type)"
    if rule == "format":
        return f"{shown(value)} is not a {error.validator_value} (format)"
    if rule == "pattern":
        return f"{shown(value)} does not match {error.validator_value} (pattern)"
    return f"{shown(value)} breaks the schema's {rule} rule ({rule})"


# ---------------------------------------------------------------- the check


def m49_code(value: Any) -> Optional[int]:
    """The M49 code an unRegions value carries: ``"Europe - Western Europe (155)"`` -> 155, ``"840"`` -> 840."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    match = _M49.match(str(value).strip())
    return int(match.group(1)) if match else None


def _leaves(errors: Iterable[jsonschema.ValidationError]) -> Iterator[jsonschema.ValidationError]:
    """The errors that name a value: those inside oneOf / if-then-else rather than the combinator's own."""
    for error in errors:
        if error.context:
            yield from _leaves(error.context)
        else:
            yield error


def _excused(error: jsonschema.ValidationError) -> bool:
    """An unRegions value outside the schema's list that carries an M49 code (read by its code when mapped)."""
    path = list(error.absolute_path)
    return (error.validator == "enum" and len(path) == 2 and path[0] == "unRegions"
            and m49_code(error.instance) is not None)


def _extra_keys(error: jsonschema.ValidationError) -> list[str]:
    """The properties of an object that its schema does not have (additionalProperties: false)."""
    schema, instance = error.schema, error.instance
    patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
    return [key for key in instance if key not in schema.get("properties", {})
            and not any(p.search(key) for p in patterns)]


def _numeric_id(project: dict[str, Any], warnings: list[str]) -> None:
    """A numeric projectId (some registries' ids are numbers) read as its text, with a warning."""
    value = project.get("projectId")
    if isinstance(value, int) and not isinstance(value, bool):
        project["projectId"] = str(value)
        warnings.append(f"projectId: {value} is a number; {PMM} makes it text (type); read as {str(value)!r}")


def check(project: Any) -> tuple[dict[str, Any], list[str]]:
    """A copy of the project without the values that break the schema, and a warning for each; MappingError when
    it is not an object, or projectId or projectName is missing or breaks the schema."""
    if not isinstance(project, dict):
        raise MappingError("the project is not a JSON object (type)")
    project, warnings = copy.deepcopy(project), []
    _numeric_id(project, warnings)
    seen, drops, missing = set(), [], {}
    for error in _leaves(validator().iter_errors(project)):
        path = list(error.absolute_path)
        key = (json_path(path), error.validator, shown(error.validator_value))
        if key in seen or _excused(error):
            continue
        seen.add(key)
        if error.validator == "required":
            missing.setdefault(json_path(path), set()).update(
                name for name in error.validator_value if name not in error.instance)
        elif error.validator == "additionalProperties":
            drops += [(path + [extra], f"not an attribute of PPSR Core {PMM} (additionalProperties)")
                      for extra in _extra_keys(error)]
        else:
            drops.append((path, _broken_rule(error)))
    _refuse_essential(drops, missing)
    warnings += _warn_missing(missing)
    warnings += _drop(project, drops)
    return project, warnings


def _refuse_essential(drops: list[tuple[list[Any], str]], missing: dict[str, set[str]]) -> None:
    for path, why in drops:
        if path and path[0] in ESSENTIAL:
            raise MappingError(f"{json_path(path)}: {why}")
    for name in ESSENTIAL:
        if name in missing.get(PROJECT, ()):
            raise MappingError(f"{name}: missing; {PMM} requires it (required)")


def _warn_missing(missing: dict[str, set[str]]) -> list[str]:
    return [f"{where}: missing the attributes {PMM} makes mandatory (required): {', '.join(sorted(names))}"
            for where, names in sorted(missing.items()) if names]


def _drop(project: dict[str, Any], drops: list[tuple[list[Any], str]]) -> list[str]:
    """Remove the values at the paths (deepest first), then the holes they leave; a warning for each."""
    warnings = []
    for path, why in sorted(drops, key=lambda drop: -len(drop[0])):
        parent = project
        for part in path[:-1]:
            parent = parent[part]
        parent[path[-1]] = _DROPPED
        warnings.append(f"{json_path(path)}: {why}; dropped")
    _sweep(project)
    return sorted(warnings)


def _sweep(value: Any) -> None:
    """Remove the dropped values' places: their keys, their list items."""
    if isinstance(value, dict):
        for key in [k for k, v in value.items() if v is _DROPPED]:
            del value[key]
        children = list(value.values())
    elif isinstance(value, list):
        value[:] = [item for item in value if item is not _DROPPED]
        children = value
    else:
        return
    for child in children:
        _sweep(child)
