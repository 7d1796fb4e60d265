"""Records from files that CSOs prepare offline: JSON (a record or a list), JSON Lines, CSV.

CSV cells: lists separated by ";" (``SEX;AGE``) or JSON (``["SEX","AGE"]``); objects as JSON; engagement as
``stage:level:actor|actor`` items separated by ";" (``design:4:community|cso; collect:5:community``);
tags as keywords separated by ";".

Example::

    for number, record in read_records("records.csv"):
        ...
"""
from __future__ import annotations

import csv
import json
import os
from typing import Any, Iterator

from ckanext.citizendata.record.schema import property_schema

LIST_SEPARATOR = ";"


class FileError(ValueError):
    """A file that cannot be read as records; the message names the file, the line and the problem."""


def read_records(path: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(record number from 1, record) pairs."""
    ext = os.path.splitext(path)[1].lower()
    readers = {".json": _json, ".jsonl": _jsonl, ".ndjson": _jsonl, ".csv": _csv}
    if ext not in readers:
        raise FileError(f"{path}: unknown file type {ext!r}; use .json, .jsonl or .csv")
    yield from readers[ext](path)


def _json(path):
    with open(path, encoding="utf-8") as handle:
        try:
            data = json.load(handle)
        except ValueError as err:
            raise FileError(f"{path}: not JSON: {err}") from err
    records = data if isinstance(data, list) else data.get("records", [data]) if isinstance(data, dict) else None
    if records is None:
        raise FileError(f"{path}: expected a record, a list of records or {{\"records\": [...]}}")
    for number, record in enumerate(records, 1):
        yield number, _checked(path, number, record)


def _jsonl(path):
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate((l for l in handle if l.strip()), 1):
            try:
                record = json.loads(line)
            except ValueError as err:
                raise FileError(f"{path}: record {number}: not JSON: {err}") from err
            yield number, _checked(path, number, record)


def _checked(path, number, record):
    if not isinstance(record, dict):
        raise FileError(f"{path}: record {number}: expected an object, got {type(record).__name__}")
    return record


def _csv(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), 1):
            try:
                yield number, _row(row)
            except FileError as err:
                raise FileError(f"{path}: record {number}: {err}") from err


def _row(row: dict) -> dict[str, Any]:
    extra = [cell for cell in row.get(None) or [] if cell.strip()]  # csv.DictReader's cells beyond the header
    if extra:
        raise FileError(f"{len(extra)} cell(s) more than the header has columns: {extra!r}")
    return {key: _cell(key, value) for key, value in row.items() if key and value not in (None, "")}


def _cell(key: str, value: str) -> Any:
    """A CSV cell as the record's value: JSON when it looks like JSON, else read by its column
    (``_cell("tags", "a; b") == [{"name": "a"}, {"name": "b"}]``), else a list for array properties."""
    text = value.strip()
    if text[:1] in ("[", "{"):
        return _json_or_text(text)
    read = _COLUMN_READERS.get(key) or (_list if _schema_type(key) == "array" else _verbatim)
    return read(text)


def _json_or_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _schema_type(key: str):
    """The JSON Schema type of a record property; None for a column that is not one."""
    try:
        return property_schema(key).get("type")
    except KeyError:
        return None


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]


def _verbatim(text: str) -> str:
    return text


def _engagement(text: str) -> list[dict[str, Any]]:
    return [_engagement_item(item) for item in _list(text)]


def _tags(text: str) -> list[dict[str, str]]:
    return [{"name": name} for name in _list(text)]


# columns read their own way, whatever the record schema says
_COLUMN_READERS = {"engagement": _engagement, "tags": _tags, "tag_string": _verbatim}


def _engagement_item(text: str) -> dict[str, Any]:
    parts = [p.strip() for p in text.split(":")]
    if len(parts) > 3:
        raise FileError(f"engagement item {text!r}: expected stage:level:actor|actor (actors separated by |)")
    item: dict[str, Any] = {"stage": parts[0]}
    if len(parts) > 1 and parts[1]:
        item["level"] = parts[1]
    if len(parts) > 2 and parts[2]:
        item["actors"] = [a.strip() for a in parts[2].split("|") if a.strip()]
    return item
