"""The bulk path: many synthetic records at once, for benchmarks and scale tests.

Every record is checked by the same record validator as any other way in (JSON Schema + vocabularies +
cross-field rules) and gets the same derived fields; what is skipped is CKAN's per-record machinery (action
layer, activity stream, one transaction and one package_show per record). Rows are written with SQLAlchemy
Core in batches, stored exactly as CKAN stores them (a test compares with package_create), and indexed with
CKAN's own ``index_package`` from documents shaped by a real package_show of the first record.

Example::

    report = generate(1000, seed=1)        # Report(created=1000, kept=0, seconds=...)
"""
from __future__ import annotations

import copy
import dataclasses
import datetime
import json
import time
import uuid
from typing import Any, Callable, Optional

import sqlalchemy as sa
from ckan import logic, model
from ckan.lib import search
from ckan.plugins import toolkit

from ckanext.citizendata.record import fields, view
from ckanext.citizendata.record.derive import derive
from ckanext.citizendata.record.schema import FIELDS, INPUT_FIELDS
from ckanext.citizendata.record.validate import StaticVocabularies, validate
from ckanext.citizendata.search import seam
from ckanext.citizendata.text import natural_key
from ckanext.citizendata.vocab import registry

from . import bulk
from .synthetic import RecordMaker

ORGS = [{"name": f"synthetic-publisher-{i}", "title": f"Synthetic publisher {i}"} for i in range(1, 6)]


class GenerateError(RuntimeError):
    """A generated record failed validation (a bug in the generator, reported with its errors)."""


@dataclasses.dataclass
class Report:
    created: int
    kept: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.created / self.seconds if self.seconds else 0.0


def stored(value: Any) -> str:
    """A field value as CKAN keeps it in ``package.extras`` (scheming's storage)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return json.dumps([{k: stored(v) for k, v in item.items()} for item in value])
    return json.dumps(value)


def _notations() -> dict[str, list[str]]:
    found = {scheme: sorted(registry.notations(scheme), key=natural_key) for scheme in fields.input_vocabularies()}
    missing = [scheme for scheme, values in found.items() if not values]
    if missing:
        raise GenerateError(f"vocabularies not loaded: {', '.join(missing)} (run: ckan citizendata vocab load)")
    return found


def _org_ids(org: Optional[str]) -> list[str]:
    if org:
        group = model.Group.get(org)
        if group is None:
            raise GenerateError(f"organization {org!r} not found")
        return [group.id]
    for spec in ORGS:
        bulk.ensure_organization(spec)
    return [model.Group.get(spec["name"]).id for spec in ORGS]


class _Template:
    """Index documents shaped like package_show output, from one record created the normal way."""

    def __init__(self, record: dict[str, Any]):
        context = bulk.site_context()
        self.default, self.custom = logic.package_show_default_and_custom_schemas(context, record["name"])

    def documents(self, row: dict[str, Any], record: dict[str, Any], org: model.Group):
        default, custom = copy.deepcopy(self.default), copy.deepcopy(self.custom)
        stamp = row["metadata_modified"].isoformat()
        common = {"id": row["id"], "name": row["name"], "title": row["title"], "notes": row["notes"],
                  "owner_org": org.id, "metadata_created": stamp, "metadata_modified": stamp,
                  "organization": dict(default["organization"], id=org.id, name=org.name, title=org.title)}
        default.update(common)
        custom.update(common)
        default["extras"] = [{"key": k, "value": v} for k, v in sorted(row["extras"].items())]
        for field in FIELDS:
            custom.pop(field, None)
        custom.update({k: v for k, v in record.items() if k in FIELDS})
        custom[view.MARK] = []
        return default, custom


def _prepare(maker, vocabularies, i: int):
    record = maker.record(i)
    errors = validate(record, vocabularies)
    if errors:
        raise GenerateError(f"generated record {record['name']} is invalid: {errors}")
    record.update(derive(record))
    return record


def _row(record: dict[str, Any], org_id: str, creator: str, now: datetime.datetime) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "name": record["name"], "title": record["title"], "notes": record["notes"],
            "type": "dataset", "state": "active", "owner_org": org_id, "private": False, "license_id": "cc-by",
            "metadata_created": now, "metadata_modified": now, "creator_user_id": creator,
            "extras": {k: stored(v) for k, v in record.items() if k in INPUT_FIELDS}}


def _write_batch(rows, records, orgs, template, index):
    session = model.Session
    session.execute(sa.insert(model.package_table), rows)
    session.execute(sa.insert(model.member_table), [
        {"id": str(uuid.uuid4()), "group_id": row["owner_org"], "table_id": row["id"], "state": "active",
         "table_name": "package", "capacity": "organization"} for row in rows])
    # load the new packages into the session once: index_package looks each up for its permission labels
    session.query(model.Package).filter(model.Package.id.in_([row["id"] for row in rows])).all()
    with seam.batched_writes():
        for row, record in zip(rows, records):
            default, custom = template.documents(row, record, orgs[row["owner_org"]])
            index.index_package(dict(default, with_custom_schema=custom), defer_commit=True)
    session.commit()


def generate(count: int, seed: int = 0, org: Optional[str] = None, batch_size: int = 500,
             progress: Optional[Callable[[int], None]] = None) -> Report:
    """Create ``count`` synthetic records ``synthetic-<seed>-<i>``; records that exist already are kept.

    Example::

        generate(1000, seed=1, progress=print)   # Report(created=1000, kept=0, seconds=...)
    """
    started = time.perf_counter()
    run = _Generation(seed, org)
    for start in range(0, count, batch_size):
        numbers = range(start, min(count, start + batch_size))
        run.add(numbers)
        if progress:
            progress(len(numbers))
    if run.created:  # fresh statistics, so the planner knows the new rows (autovacuum would, later)
        _analyze()
    return Report(run.created, run.kept, time.perf_counter() - started)


class _Generation:
    """One run of :func:`generate`: what it makes records with, where it puts them, and what it counted."""

    def __init__(self, seed: int, org: Optional[str]):
        self.maker = RecordMaker(_notations(), seed=seed)
        self.vocabularies = StaticVocabularies({s: v for s, v in self.maker.n.items()})
        self.org_ids = _org_ids(org)
        self.orgs = {oid: model.Group.get(oid) for oid in self.org_ids}
        self.creator = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
        self.index = search.index_for(model.Package)
        self.template: Optional[_Template] = None
        self.created = self.kept = 0

    def add(self, numbers: range) -> None:
        """Create the records ``numbers`` that do not exist yet; the first one the normal way (its package_show
        then shapes the index documents of all the others)."""
        names = [self.maker.name(i) for i in numbers]
        existing = _existing(names)
        records = [_prepare(self.maker, self.vocabularies, i)
                   for i, name in zip(numbers, names) if name not in existing]
        self.kept += len(existing)
        if records and self.template is None:
            self._save_template(records.pop(0))
        if records:
            self._write(records)

    def _save_template(self, first: dict[str, Any]) -> None:
        bulk.save({k: v for k, v in first.items() if k not in derive({})}, model.Group.get(self.org_ids[0]).name)
        self.template = _Template(first)
        self.created += 1

    def _write(self, records: list[dict[str, Any]]) -> None:
        now = datetime.datetime.utcnow()
        owners = [self.org_ids[(self.created + n) % len(self.org_ids)] for n in range(len(records))]
        rows = [_row(record, owner, self.creator["id"], now) for record, owner in zip(records, owners)]
        _write_batch(rows, records, self.orgs, self.template, self.index)
        self.created += len(records)


def _existing(names: list[str]) -> set[str]:
    """Those of ``names`` that are names of packages already."""
    names_column = model.package_table.c.name
    return {r[0] for r in model.Session.execute(sa.select(names_column).where(names_column.in_(names)))}


# the tables whose statistics a run changes
_ANALYZED_TABLES = ("citizendata_search_index", "citizendata_facet_value", "citizendata_facet_count", "package")


def _analyze() -> None:
    for table in _ANALYZED_TABLES:
        model.Session.execute(sa.text(f"ANALYZE {table}"))
    model.Session.commit()
