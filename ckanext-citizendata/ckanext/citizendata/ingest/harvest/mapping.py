"""Mapping tables: how a platform's own vocabularies (participation tasks, scientific processes, statuses, party
roles) become our concepts (engagement stages and levels, partner roles, actor types, initiative types), as data in
``harvesters/mappings/<platform>.yaml``, never as code.

A table file::

    platform: EU-Citizen.Science
    tables:
      participationTask:                  # the source's field
        label: participation tasks        # the page says "derived from the source's participation tasks"
        to: engagement                    # engagement | partner-roles | actor-types | initiative-types | status
        values:
          Data collection: {stage: collect, level: 3, actors: [community]}
          Other: null                     # seen, and deliberately mapped to nothing (said in a comment)

An engagement entry a table derives names its rule (``derived_from``), so a reader knows the catalog did not
invent it: the stage's level is the highest level any stated value gives it.

Example::

    entries, warnings = engagement("eu-citizen-science", {"participationTask": ["Data collection", "Observation"]})
    entries[0]      # {"stage": "collect", "level": 3, "actors": ["community"],
                    #  "derived_from": "derived from the source's participation tasks: Data collection,
                    #                   Observation (mapping table eu-citizen-science.yaml: participationTask)"}
    concept("ppsr-core", "projectAssociatedParty.role", "Sponsor/funder")   # ('funder', None)
"""
from __future__ import annotations

import dataclasses
import functools
import pathlib
from typing import Any, Iterable, Optional

import yaml

from .listing import packaged_folder

FOLDER = "mappings"
ENGAGEMENT = "engagement"
STATUS = "status"
TARGETS = (ENGAGEMENT, "partner-roles", "actor-types", "initiative-types", "collection-methods", STATUS)
# a platform's project statuses, as our records state them (in the description: our record has no status field)
STATUSES = ("planned", "active", "paused", "completed", "abandoned")


class MappingTableError(ValueError):
    """A table that cannot be read or has an entry of the wrong shape; the message names the file and entry."""


@dataclasses.dataclass(frozen=True)
class Table:
    platform: str            # the file's stem, e.g. "eu-citizen-science"
    field: str               # the source's field, e.g. "participationTask"
    label: str               # how a page names the field ("participation tasks")
    to: str                  # one of TARGETS
    values: dict[str, Any]   # folded source value -> mapped value (None: deliberately nothing)
    spelled: dict[str, str]  # folded source value -> the value as the table spells it

    def lookup(self, value: Any) -> tuple[bool, Any]:
        """(known, mapped) for a source value (case and spacing folded)."""
        key = fold(value)
        return key in self.values, self.values.get(key)


def fold(value: Any) -> str:
    return " ".join(str(value).split()).casefold()


def folder() -> pathlib.Path:
    return packaged_folder() / FOLDER


@functools.lru_cache(maxsize=None)
def tables(platform: str) -> dict[str, Table]:
    """The tables of a platform's file, by source field; MappingTableError when the file is missing or bad."""
    path = folder() / f"{platform}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise MappingTableError(f"{path.name}: cannot be read ({type(err).__name__})") from err
    found = data.get("tables") if isinstance(data, dict) else None
    if not isinstance(found, dict):
        raise MappingTableError(f"{path.name}: has no `tables` mapping")
    return {field: _table(platform, field, spec, path.name) for field, spec in found.items()}


def _table(platform: str, field: str, spec: Any, file: str) -> Table:
    where = f"{file}: tables.{field}"
    if not isinstance(spec, dict) or spec.get("to") not in TARGETS or not isinstance(spec.get("values"), dict):
        raise MappingTableError(f"{where}: needs `to` (one of {', '.join(TARGETS)}), `label` and `values`")
    values, spelled = {}, {}
    for value, mapped in spec["values"].items():
        problem = None if mapped is None else _wrong_target(spec["to"], mapped)
        if problem:
            raise MappingTableError(f"{where}.values.{value}: must be null or {problem}")
        values[fold(value)], spelled[fold(value)] = mapped, str(value)
    return Table(platform, field, str(spec.get("label") or field), spec["to"], values, spelled)


def _wrong_target(to: str, mapped: Any) -> Optional[str]:
    """What a mapped value should be, when it is not that (None when it is)."""
    if to == ENGAGEMENT:
        return None if _is_stage(mapped) else "{stage, level, actors (optional)}"
    if not isinstance(mapped, str):
        return "a concept's notation"
    if to == STATUS and mapped not in STATUSES:
        return f"one of {', '.join(STATUSES)}"
    return None


def _is_stage(mapped: Any) -> bool:
    return (isinstance(mapped, dict) and isinstance(mapped.get("stage"), str)
            and isinstance(mapped.get("level"), int) and not isinstance(mapped.get("level"), bool)
            and set(mapped) <= {"stage", "level", "actors"}
            and isinstance(mapped.get("actors", []), list))


def table(platform: str, field: str) -> Table:
    found = tables(platform).get(field)
    if found is None:
        raise MappingTableError(f"{platform}.yaml: has no table for {field}")
    return found


def _texts(values: Iterable[Any]) -> list[str]:
    """The stated values as texts (spacing normalised), once each (case folded), in their order."""
    found: dict[str, str] = {}
    for value in values:
        if value is None or isinstance(value, (dict, list, bool)) or not str(value).strip():
            continue
        found.setdefault(fold(value), " ".join(str(value).split()))
    return list(found.values())


def unknown(platform: str, field: str, values: Iterable[Any]) -> list[str]:
    """The values the table does not list (neither mapped nor deliberately left out)."""
    rows = table(platform, field)
    return [value for value in _texts(values) if not rows.lookup(value)[0]]


def _warn_unknown(rows: Table, values: list[str]) -> list[str]:
    return [f"{rows.field}: {value[:100]!r} is not in the mapping table {rows.platform}.yaml; ignored"
            for value in values if not rows.lookup(value)[0]]


def engagement(platform: str, stated: dict[str, Iterable[Any]],
               actors: Optional[list[str]] = None) -> tuple[list[dict[str, Any]], list[str]]:
    """The engagement entries that the stated values (source field -> its values) derive through the platform's
    tables, one per stage in the order first derived, each with its ``derived_from``; and a warning per value a
    table does not know. ``actors`` (when given) replace the tables'. Values a table maps to null derive nothing.

    Example: ``engagement("ppsr-core", {"scientificProcessInvolved": ["Data entry"], "projectTask": []})``
    """
    by_stage: dict[str, dict[str, Any]] = {}
    reasons: dict[str, dict[str, list[str]]] = {}      # stage -> field -> the values that derived it
    warnings: list[str] = []
    for field, values in stated.items():
        rows, texts = table(platform, field), _texts(values)
        warnings += _warn_unknown(rows, texts)
        for value in texts:
            mapped = rows.lookup(value)[1]
            if mapped is not None:
                _add_stage(by_stage, mapped, actors)
                reasons.setdefault(mapped["stage"], {}).setdefault(field, []).append(value)
    for stage, entry in by_stage.items():
        entry["derived_from"] = derivation(platform, reasons[stage])
    return list(by_stage.values()), warnings


def _add_stage(by_stage: dict[str, dict[str, Any]], mapped: dict[str, Any], actors: Optional[list[str]]) -> None:
    entry = by_stage.setdefault(mapped["stage"], {"stage": mapped["stage"], "level": mapped["level"]})
    entry["level"] = max(entry["level"], mapped["level"])
    who = actors if actors is not None else mapped.get("actors") or []
    if who:
        entry["actors"] = list(dict.fromkeys(entry.get("actors", []) + list(who)))


def derivation(platform: str, by_field: dict[str, list[str]]) -> str:
    """The text an engagement entry carries to say which rule derived it (shown on the page, in DCAT).

    Example: ``"derived from the source's participation tasks: Data collection, Observation (mapping table
    eu-citizen-science.yaml: participationTask)"``
    """
    rows = tables(platform)
    said = "; ".join(f"{rows[field].label}: {', '.join(values)}" for field, values in by_field.items())
    return f"derived from the source's {said} (mapping table {platform}.yaml: {', '.join(by_field)})"[:2000]


def concept(platform: str, field: str, value: Any) -> tuple[Optional[str], Optional[str]]:
    """(our concept's notation or None, a warning or None) for one source value of a concept table."""
    rows = table(platform, field)
    texts = _texts([value])
    if not texts:
        return None, None
    known, mapped = rows.lookup(texts[0])
    return mapped, None if known else _warn_unknown(rows, texts)[0]


def coverage(platform: str, field: str, values: Iterable[Any]) -> tuple[int, int]:
    """(how many of the distinct values map to something, how many there are)."""
    rows, stated = table(platform, field), _texts(values)
    return sum(1 for value in stated if rows.lookup(value)[1] is not None), len(stated)


def targets() -> Iterable[tuple[Table, str, Any]]:
    """Every (table, source value, mapped value) of every platform's file: what a test checks against the
    vocabularies."""
    for path in sorted(folder().glob("*.yaml")):
        for rows in tables(path.stem).values():
            for key, mapped in rows.values.items():
                yield rows, rows.spelled[key], mapped
