"""Provenance rows of harvested records (model/harvest.py): one per (source, guid).

Reads and writes of the table live here, so the engine, the record's validation (is this record harvested?),
the dataset page and the DCAT profile all read one place.

Example::

    rows = by_guid(source_id, ["https://portal.example/dataset/a", "..."])   # {guid: Row}
    is_harvested(package_id)                                              # True for a record a source owns
    listed_at(package_id)    # [{"source": "hdx", "title": "HDX", "original_uri": ..., "owner": True, ...}]
"""
from __future__ import annotations

import dataclasses
import datetime
import json
from typing import Any, Iterable, Optional

import sqlalchemy as sa
from ckan import model
from ckanext.harvest.model import HarvestSource
from sqlalchemy.dialects import postgresql

from ckanext.citizendata import primed
from ckanext.citizendata.model import harvest_record_table as table

from .listing import Sighting

# the context key the engine's writes carry: the record comes from a source (validation then asks only DCAT-AP's
# mandatory fields of it)
CONTEXT_FLAG = "citizendata_harvest"


@dataclasses.dataclass
class Row:
    source_id: str
    guid: str
    package_id: Optional[str]
    owner: bool
    content_hash: Optional[str]
    source_fields: list[str]
    withdrawn: bool


def _row(found) -> Row:
    return Row(found.source_id, found.guid, found.package_id, found.owner, found.content_hash,
               json.loads(found.source_fields or "[]"), found.withdrawn)


_COLUMNS = (table.c.source_id, table.c.guid, table.c.package_id, table.c.owner, table.c.content_hash,
            table.c.source_fields, table.c.withdrawn)


def by_guid(source_id: str, guids: Iterable[str]) -> dict[str, Row]:
    """The rows of these guids of one source (one query)."""
    guids = list(guids)
    if not guids:
        return {}
    query = sa.select(*_COLUMNS).where(table.c.source_id == source_id, table.c.guid.in_(guids))
    return {found.guid: _row(found) for found in model.Session.execute(query)}


def get(source_id: str, guid: str) -> Optional[Row]:
    return by_guid(source_id, [guid]).get(guid)


def same_dataset(sighting: Sighting, source_id: str) -> list[Row]:
    """Rows of other sources that saw the same dataset (same URI, or same identifier and publisher) and are not
    withdrawn, the owner first."""
    keys = sighting.identity_keys()
    if not keys:
        return []
    query = (sa.select(*_COLUMNS)
             .where(table.c.identity.overlap(sa.cast(keys, postgresql.ARRAY(sa.Text))),
                    table.c.source_id != source_id, table.c.withdrawn.is_(False),
                    table.c.package_id.isnot(None))
             .order_by(table.c.owner.desc()))
    return [_row(found) for found in model.Session.execute(query)]


def others_of(package_id: str, source_id: str) -> list[Row]:
    """The other sources' current rows of a package (who may take it over when its owner withdraws it)."""
    query = sa.select(*_COLUMNS).where(table.c.package_id == package_id, table.c.source_id != source_id,
                                       table.c.withdrawn.is_(False))
    return [_row(found) for found in model.Session.execute(query)]


def current_guids(source_id: str) -> set[str]:
    """The guids of a source that are not withdrawn (what a complete listing is compared with)."""
    query = sa.select(table.c.guid).where(table.c.source_id == source_id, table.c.withdrawn.is_(False),
                                          table.c.package_id.isnot(None))
    return {guid for (guid,) in model.Session.execute(query)}


def save(sighting: Sighting, source_id: str, *, package_id: str, owner: bool, content_hash: Optional[str],
         job_id: str, now: Optional[datetime.datetime] = None) -> None:
    """Insert or replace the row of (source, sighting.guid): what was read, when, and what became of it."""
    values = {
        "source_id": source_id, "guid": sighting.guid, "package_id": package_id, "owner": owner,
        "content_hash": content_hash, "original_uri": sighting.original_uri, "identifier": sighting.identifier,
        "identity": sighting.identity_keys(), "upstream_modified": sighting.upstream_modified,
        "retrieved_at": now or datetime.datetime.now(datetime.timezone.utc), "job_id": job_id,
        "source_fields": json.dumps(sorted(sighting.record or {})), "warnings": json.dumps(sighting.warnings),
        "withdrawn": False,
    }
    insert = postgresql.insert(table).values(**values)
    model.Session.execute(insert.on_conflict_do_update(
        index_elements=[table.c.source_id, table.c.guid],
        set_={k: v for k, v in values.items() if k not in ("source_id", "guid")}))


def update(source_id: str, guid: str, **values: Any) -> None:
    model.Session.execute(sa.update(table).where(table.c.source_id == source_id, table.c.guid == guid)
                          .values(**values))


def withdraw(source_id: str, guid: str) -> None:
    update(source_id, guid, withdrawn=True, owner=False)


def is_harvested(package_id: Optional[str]) -> bool:
    """Whether a source owns the record (its validation then asks only what DCAT-AP makes mandatory)."""
    if not package_id:
        return False
    query = sa.select(table.c.guid).where(table.c.package_id == package_id, table.c.owner.is_(True),
                                          table.c.withdrawn.is_(False)).limit(1)
    return model.Session.execute(query).first() is not None


def listed_at(package_id: str) -> list[dict[str, Any]]:
    """Where a record comes from: each source that lists it (the owner first), with the original URI and
    identifier, when it was read, the upstream modified date, the content hash, the job and the warnings of
    values that were dropped."""
    return primed.lookup(LISTED_AT, package_id, lambda: _listings([package_id])[package_id])


LISTED_AT = "harvest.listed_at"  # the kind of answer a bulk job reads ahead (ckanext.citizendata.primed)


def prime(package_ids: list[str]) -> dict[str, dict]:
    """Where these packages come from, for :func:`ckanext.citizendata.primed.batch`."""
    return {LISTED_AT: _listings(package_ids)}


def _listings(package_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    query = (sa.select(table, HarvestSource.title, HarvestSource.url)
             .join(HarvestSource.__table__, HarvestSource.id == table.c.source_id)
             .where(table.c.package_id.in_(package_ids), table.c.withdrawn.is_(False))
             .order_by(table.c.package_id, table.c.owner.desc(), table.c.retrieved_at))
    found: dict[str, list[dict[str, Any]]] = {i: [] for i in package_ids}
    for row in model.Session.execute(query):
        found[row.package_id].append(_described(row))
    return found


def _described(found) -> dict[str, Any]:
    return {
        "source_id": found.source_id, "source_title": found.title, "source_url": found.url, "guid": found.guid,
        "owner": found.owner, "original_uri": found.original_uri, "identifier": found.identifier,
        "retrieved_at": found.retrieved_at.isoformat() if found.retrieved_at else None,
        "upstream_modified": found.upstream_modified, "content_hash": found.content_hash,
        "job_id": found.job_id, "warnings": json.loads(found.warnings or "[]"),
    }


def count(source_id: Optional[str] = None) -> int:
    query = sa.select(sa.func.count()).select_from(table)
    if source_id:
        query = query.where(table.c.source_id == source_id)
    return model.Session.execute(query).scalar_one()
