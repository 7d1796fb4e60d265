"""Partner sources as files: one YAML file per source in a folder (the packaged ``harvesters/``, or the folder
``ckanext.citizendata.harvest.sources_dir`` names), checked against ``harvesters/source.schema.json`` (JSON
Schema 2020-12) and the rules' field check (rules.py), read into :class:`listing.SourceSpec`, and turned into
what a ckanext-harvest source stores (its ``config`` JSON) and back. source_sync.py writes them into CKAN.

Every problem names the file, the line and column, the place in the file and what was expected::

    harvesters/hdx.yaml:7:3: languages[1]: "english" does not have the expected form (^[a-z]{2}$)

A secret (an API token) never stands in a file or in a stored config: the file names the environment variable
(or the ini option ``ckanext.citizendata.harvest.secret.<NAME>``) that holds it, and :func:`resolve_secrets`
reads it when a harvest runs.

Example::

    spec = load("harvesters/demo-ckan-portal.yaml")       # SourceSpec(name="demo-ckan-portal", type="ckan", ...)
    specs = load_all()                                     # every file of the folder, or SourceFileError
    config = harvest_config(spec)                          # {"file": "demo-ckan-portal.yaml", "languages": [...]}
    resolve_secrets(spec).secrets                          # {"api_token": "<the value of HDX_TOKEN>"}
"""
from __future__ import annotations

import dataclasses
import json
import os
import pathlib
from functools import lru_cache
from typing import Any, Iterable, Iterator, Optional, Union

import yaml
from ckan import model
from jsonschema import Draft202012Validator, ValidationError

from ckanext.citizendata import config
from ckanext.citizendata.record.validate import error_words

from . import kinds, rules
from .listing import SourceSpec, packaged_folder

SCHEMA_FILE = "source.schema.json"
SUFFIXES = (".yaml", ".yml")
ROUTES_FILE = "replay.yaml"                 # a folder's recorded responses (replay.py's add_recorded), not a source

# what the stored config holds beside the source's settings (written by source_sync.py)
FILE_KEY, MANAGED_KEY = "file", "managed_by"
CONFIG_KEYS = ("languages", "priority", "delete_threshold", "defaults", "rules", "options")
VALUE_CHARS = 60
Node = Optional[yaml.Node]


class SourceFileError(ValueError):
    """Source files that cannot be used; ``problems`` holds one line per problem."""

    def __init__(self, problems: Iterable[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# ---------------------------------------------------------------- where the files are
def sources_folder(folder: Union[str, os.PathLike, None] = None) -> pathlib.Path:
    """``folder``, else the configured folder, else the packaged harvesters/."""
    return pathlib.Path(folder or config.harvest_sources_dir() or packaged_folder())


def source_files(folder: Union[str, os.PathLike, None] = None) -> list[pathlib.Path]:
    """The source files of a folder (not of its sub-folders, nor its recorded responses' ``replay.yaml``), sorted by
    name."""
    found = sources_folder(folder)
    if not found.is_dir():
        raise SourceFileError([f"{found}: no such folder of source files"])
    return sorted(p for p in found.iterdir() if p.suffix in SUFFIXES and p.name != ROUTES_FILE and p.is_file())


def shown_name(path: pathlib.Path) -> str:
    """How problems name a file: ``harvesters/<name>`` for a packaged one, else the path as given."""
    try:
        return "harvesters/" + path.resolve().relative_to(packaged_folder().resolve()).as_posix()
    except ValueError:
        return str(path)


# ---------------------------------------------------------------- the schema and the messages
@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    return json.loads((packaged_folder() / SCHEMA_FILE).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def validator() -> Draft202012Validator:
    Draft202012Validator.check_schema(schema())
    return Draft202012Validator(schema())


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= VALUE_CHARS else text[:VALUE_CHARS - 1] + "…"


def _problems_of_error(error: ValidationError) -> Iterator[tuple[tuple, bool, str]]:
    """(path, at the key rather than the value, message) of one schema error; several for missing and unknown
    keys (one each)."""
    path = tuple(error.absolute_path)
    if error.validator == "required":
        for key in (k for k in error.validator_value if k not in error.instance):
            yield (*path, key), False, "is required but missing"
    elif error.validator == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        for key in (k for k in error.instance if k not in known):
            allowed = f" (allowed: {', '.join(sorted(known))})" if known else ""
            yield (*path, key), True, f"unknown key{allowed}"
    elif "propertyNames" in error.relative_schema_path:
        yield (*path, error.instance), True, f"key {error_words(error, _show)}"
    elif "x-message" in error.schema:
        yield path, False, error.schema["x-message"]
    else:
        yield path, False, error_words(error, _show)


def _semantic_problems(data: dict[str, Any]) -> Iterator[tuple[tuple, bool, str]]:
    """What the schema cannot say: the fields rules and defaults set, and options that are also secrets."""
    for path, why in [*rules.rule_problems(data.get("rules")), *rules.field_problems(data.get("defaults"),
                                                                                       ("defaults",))]:
        yield path, True, why
    secrets, options = data.get("secrets"), data.get("options")
    if isinstance(secrets, dict) and isinstance(options, dict):
        for key in sorted(set(secrets) & set(options)):
            yield ("options", key), True, f'"{key}" is a secret: its value never goes into the file'


# ---------------------------------------------------------------- YAML with line numbers
def node_at(node: Node, path: Iterable[Any], at_key: bool = False) -> Node:
    """The YAML node at ``path`` (the key's node for the last step when ``at_key``); the deepest node reached
    when the path goes further than the document."""
    steps = list(path)
    for index, step in enumerate(steps):
        last = index == len(steps) - 1
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == str(step)), None)
            if pair is None:
                return node
            node = pair[0] if (last and at_key) else pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        else:
            return node
    return node


def where(shown: str, node: Node) -> str:
    """``harvesters/x.yaml:7:3`` (1-based), or the name alone without a node."""
    if node is None:
        return shown
    return f"{shown}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"


def _mark(node: Node) -> tuple[int, int]:
    return (node.start_mark.line, node.start_mark.column) if node is not None else (-1, -1)


def _duplicate_keys(node: Node) -> Iterator[tuple[Node, str]]:
    """(key node, problem) of each key given twice in one mapping."""
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for key, value in node.value:
            if key.value in seen:
                yield key, f"{key.value}: the key is given twice"
            seen.add(key.value)
            yield from _duplicate_keys(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _duplicate_keys(item)


def parse(text: str, shown: str) -> tuple[Any, Node]:
    """The document and its node tree, or SourceFileError (YAML errors with their line and column)."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        at = f"{shown}:{mark.line + 1}:{mark.column + 1}" if mark else shown
        raise SourceFileError([f"{at}: not valid YAML: {err.problem or err.context}"]) from err
    except yaml.YAMLError as err:
        raise SourceFileError([f"{shown}: not valid YAML: {err}"]) from err
    finally:
        loader.dispose()
    return plain(data), root


def plain(data: Any) -> Any:
    """The document as JSON holds it (what the config will store): dates and other YAML-only values as text."""
    return json.loads(json.dumps(data, default=str))


def check(data: Any, root: Node, shown: str) -> list[str]:
    """Every problem of a parsed source file, in the order of the file; [] when it is valid."""
    if data is None:
        return [f"{shown}:1:1: the file holds no source"]
    located = list(_duplicate_keys(root))
    found = [*_semantic_problems(data)] if isinstance(data, dict) else []
    for error in validator().iter_errors(data):
        found += _problems_of_error(error)
    for path, at_key, message in found:
        place = rules.path_text(path)
        located.append((node_at(root, path, at_key), f"{place + ': ' if place else ''}{message}"))
    ordered = sorted(located, key=lambda item: (*_mark(item[0]), item[1]))
    return list(dict.fromkeys(f"{where(shown, node)}: {text}" for node, text in ordered))


# ---------------------------------------------------------------- SourceSpec
def default_threshold() -> float:
    return config.harvest_number("delete_threshold")


def spec_from_data(data: dict[str, Any], file: str = "") -> SourceSpec:
    """A SourceSpec from a valid document (the schema's defaults filled in); ``delete_threshold`` is a percent in
    files and configs and a share in the spec."""
    threshold = data.get("delete_threshold", default_threshold())
    return SourceSpec(name=data["name"], type=data["type"], url=data["url"], organization=data["organization"],
                      title=data.get("title", ""), schedule=data.get("schedule", "MANUAL"),
                      languages=list(data.get("languages", ["en"])), priority=data.get("priority", 0),
                      defaults=dict(data.get("defaults", {})), rules=list(data.get("rules", [])),
                      options=dict(data.get("options", {})), secret_names=dict(data.get("secrets", {})),
                      delete_threshold=threshold / 100, active=data.get("active", True), file=file)


def _read(path: pathlib.Path) -> tuple[SourceSpec, Node]:
    shown = shown_name(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise SourceFileError([f"{shown}: cannot be read: {err}"]) from err
    data, root = parse(text, shown)
    problems = check(data, root, shown)
    if problems:
        raise SourceFileError(problems)
    return spec_from_data(data, path.name), root


def load(path: Union[str, os.PathLike]) -> SourceSpec:
    """The source a file defines, or SourceFileError with every problem of the file."""
    return _read(pathlib.Path(path))[0]


def load_all(folder: Union[str, os.PathLike, None] = None) -> list[SourceSpec]:
    """Every source of the folder, in the order of their file names, or SourceFileError with every problem of
    every file (two files may not define one name)."""
    specs, problems, first = [], [], {}
    for path in source_files(folder):
        try:
            spec, root = _read(path)
        except SourceFileError as err:
            problems += err.problems
            continue
        if spec.name in first:
            problems.append(f"{where(shown_name(path), node_at(root, ('name',)))}: name: {_show(spec.name)} is also "
                            f"the name of the source in {first[spec.name]}")
        first.setdefault(spec.name, shown_name(path))
        specs.append(spec)
    if problems:
        raise SourceFileError(problems)
    return specs


def resolve_secrets(spec: SourceSpec) -> SourceSpec:
    """A copy whose ``secrets`` holds each secret's value (option -> value), read through config.secret; a
    secret that is not set is a SourceFileError naming its variable."""
    values, missing = {}, []
    for option, name in sorted(spec.secret_names.items()):
        value = config.secret(name)
        if value is None:
            missing.append(f"{spec.file or spec.name}: secrets.{option}: neither the environment variable {name} "
                           f"nor the ini option {config.HARVEST}secret.{name} is set")
        values[option] = value
    if missing:
        raise SourceFileError(missing)
    return dataclasses.replace(spec, secrets=values)


# ---------------------------------------------------------------- the harvest source's stored config
def harvest_config(spec: SourceSpec) -> dict[str, Any]:
    """What the harvest source's ``config`` JSON holds: the source's settings for a run (secrets by name only,
    ``delete_threshold`` as a percent) and the source file's name."""
    return {FILE_KEY: spec.file, "languages": list(spec.languages), "priority": spec.priority,
            "delete_threshold": percent(spec.delete_threshold), "defaults": spec.defaults,
            "rules": spec.rules, "options": spec.options, "secrets": dict(spec.secret_names)}


def percent(share: float) -> Union[int, float]:
    """0.8 -> 80 (a whole number when it is one)."""
    value = round(share * 100, 6)
    return int(value) if float(value).is_integer() else value


def source_type(spec: SourceSpec) -> str:
    """The ckanext-harvest source type, e.g. ``citizendata_ckan``."""
    return kinds.PREFIX + spec.type


def _field(source: Any, key: str, attribute: Optional[str] = None) -> Any:
    return source.get(key) if isinstance(source, dict) else getattr(source, attribute or key, None)


def _package_and_org(source: Any) -> tuple[str, str]:
    """The source's name and its organization's name, from a package dict or from the rows."""
    org = _field(source, "organization") or {}
    if isinstance(source, dict) and source.get("name") and org.get("name"):
        return source["name"], org["name"]
    package = model.Package.get(_field(source, "id"))
    owner = model.Group.get(package.owner_org) if package is not None and package.owner_org else None
    return (package.name if package else ""), (owner.name if owner else "")


def spec_from_source(source: Any) -> SourceSpec:
    """The SourceSpec of a harvest source: a package dict of type ``harvest`` (as harvest_source_show gives it)
    or a ``ckanext.harvest.model.HarvestSource`` row. Its config is checked as a source file would be
    (SourceFileError naming the source)."""
    name, organization = _package_and_org(source)
    kind = str(_field(source, "source_type", "type") or "")
    raw = _field(source, "config") or "{}"
    stored = json.loads(raw) if isinstance(raw, str) else dict(raw)
    shown = f"harvest source {name or _field(source, 'id')}"
    if not kind.startswith(kinds.PREFIX):
        raise SourceFileError([f"{shown}: type: {_show(kind)} is not a citizendata source type"])
    data = {key: stored[key] for key in (*CONFIG_KEYS, "secrets") if key in stored}
    data.update(name=name, type=kind[len(kinds.PREFIX):], url=_field(source, "url"), organization=organization,
                title=_field(source, "title") or name, schedule=_field(source, "frequency") or "MANUAL")
    problems = check(data, None, shown)
    if problems:
        raise SourceFileError(problems)
    return dataclasses.replace(spec_from_data(data, stored.get(FILE_KEY, "")), active=_active(source))


def _active(source: Any) -> bool:
    """HarvestSource.active; for a package dict its ``active``, else its state (ckanext-harvest keeps the two
    together: an inactive source is a package in state ``deleted``)."""
    if isinstance(source, dict):
        return bool(source.get("active", source.get("state", "active") == "active"))
    return bool(source.active)


def validate_config(text: Any, kind: str) -> str:
    """IHarvester.validate_config of a source of ``kind`` (``ckan``, ``dcat``, ``sdmx``): its config JSON as the
    source's page or API gives it, checked as a source file's settings would be. Returns it; ValueError naming
    each problem (ckanext-harvest shows it on the form)."""
    try:
        stored = json.loads(text or "{}") if isinstance(text, str) else dict(text or {})
    except (TypeError, ValueError) as err:
        raise ValueError("config: not a JSON object") from err
    if not isinstance(stored, dict):
        raise ValueError("config: not a JSON object")
    unknown = sorted(set(stored) - {*CONFIG_KEYS, "secrets", FILE_KEY, MANAGED_KEY})
    data = {key: stored[key] for key in (*CONFIG_KEYS, "secrets") if key in stored}
    data.update(name="config-check", title="config check", type=kind, url="https://source.example/",
                organization="organization")
    problems = [f"config: {key}: unknown setting" for key in unknown] + check(data, None, "config")
    if problems:
        raise ValueError("; ".join(problems))
    return text if isinstance(text, str) else json.dumps(stored)


def settings_of(source: Any) -> dict[str, Any]:
    """A harvest source's stored settings: the JSON object of ckanext-harvest's ``config`` column of a
    HarvestSource row (not CKAN's configuration); {} when there is none or it is not an object."""
    try:
        value = json.loads(getattr(source, "config", None) or "{}")
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}
