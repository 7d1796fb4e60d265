"""The harvest engine: from a source's listing to records, exactly and incrementally, on ckanext-harvest's model.

Gather reads the listing page by page and keeps, of each sighting, only its guid: a sighting whose content hash
(of what the source states, and of the source's mapping settings) equals the stored one is unchanged and costs
nothing more (no object, no write, no activity, no reindex). New and changed ones become harvest objects. Only
after a complete, error-free, full listing are the records missing from it withdrawn, and not when the listing
shrank below the source's threshold.

Import writes one object through CKAN's package_create / package_update (the record's one validation path), as
the owner of the dataset or, when a source of higher priority owns the same dataset, as "also listed at" only.

Example::

    ids = gather(job, spec, ckan_portal.pages, fetch.Client(), full=True)   # objects of new/changed/gone records
    for obj in objects(ids):
        import_object(obj, spec)                                            # True, "unchanged" or False
"""
from __future__ import annotations

import dataclasses
import json
import logging
from typing import Any, Callable, Iterable, Optional

import sqlalchemy as sa
from ckan import model
from ckan.lib import search
from ckan.plugins import toolkit
from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import HarvestGatherError, HarvestObject, HarvestObjectError, HarvestObjectExtra, \
    HarvestSource

from .. import bulk
from . import provenance, rules, sources
from .listing import Lister, Sighting, SourceSpec, digest

log = logging.getLogger(__name__)
DELETE = "delete"
INCOMPLETE = "the listing stopped at"   # the start of the gather error that makes a job Failed


def mapping_digest(spec: SourceSpec) -> str:
    """What of a source's settings changes what its records become: a change re-imports every record."""
    return digest({"rules": spec.rules, "defaults": spec.defaults, "languages": spec.languages,
                   "organization": spec.organization, "options": spec.options})


def content_hash(sighting: Sighting, mapping: str) -> str:
    return digest([sighting.content_hash(), mapping])


@dataclasses.dataclass
class Gathered:
    """What gather saw: guids listed, objects made, and whether the listing was complete."""
    seen: int = 0
    unchanged: int = 0
    objects: list[str] = dataclasses.field(default_factory=list)
    complete: bool = True
    withdrawals: int = 0
    reasons: list[str] = dataclasses.field(default_factory=list)   # why the job failed or withdrew nothing


def _gather_error(job, message: str) -> None:
    HarvestGatherError(message=message, job=job).save()


def gather(job, spec: SourceSpec, lister: Lister, fetcher, *, full: bool = True, since=None,
           report: Optional[Callable[[int], None]] = None) -> Gathered:
    """Read the listing; make objects for new and changed records and, after a complete full listing, for the
    records gone from it. ``report(n)`` is told how many sightings each page held (a progress bar)."""
    mapping, seen, result = mapping_digest(spec), set(), Gathered()
    for page in lister(spec, fetcher, None if full else since):
        for where, why in page.errors:
            _gather_error(job, f"record {where} at {page.url} could not be read: {why}")
        if page.failed:
            result.complete = False
            result.reasons.append(f"{page.url}: {page.failed}")
            _gather_error(job, f"{INCOMPLETE} {page.url}: {page.failed}; nothing is withdrawn")
            break
        fresh = [s for s in page.sightings if s.guid not in seen]
        seen.update(s.guid for s in fresh)
        result.objects += _objects_for(job, fresh, mapping, result)
        model.Session.commit()
        if report:
            report(len(page.sightings))
    result.seen = len(seen)
    if full and result.complete:
        result.objects += _withdrawals(job, spec, seen, result)
        model.Session.commit()
    return result


def _objects_for(job, sightings: list[Sighting], mapping: str, result: Gathered) -> list[str]:
    rows = provenance.by_guid(job.source.id, [s.guid for s in sightings])
    made = []
    for sighting in sightings:
        row, hashed = rows.get(sighting.guid), content_hash(sighting, mapping)
        if row is not None and row.content_hash == hashed and not row.withdrawn:
            result.unchanged += 1
            continue
        full = sighting.materialized()
        if isinstance(full, tuple):
            _gather_error(job, f"record {full[0]} could not be read: {full[1]}")
            continue
        payload = {"hash": hashed, "sighting": full.stored()}
        obj = HarvestObject(guid=sighting.guid, job=job, source=job.source, content=json.dumps(payload))
        model.Session.add(obj)
        model.Session.flush()
        made.append(obj.id)
    return made


def _withdrawals(job, spec: SourceSpec, seen: set[str], result: Gathered) -> list[str]:
    current = provenance.current_guids(job.source.id)
    gone = sorted(current - seen)
    if not gone:
        return []
    if len(current & seen) < len(current) * spec.delete_threshold:
        why = (f"the listing holds {len(current & seen)} of the {len(current)} current records, below the "
               f"threshold of {spec.delete_threshold:.0%}: nothing is withdrawn ({len(gone)} records missing)")
        result.reasons.append(why)
        _gather_error(job, why)
        return []
    made = []
    for guid in gone:
        obj = HarvestObject(guid=guid, job=job, source=job.source,
                            extras=[HarvestObjectExtra(key="status", value=DELETE)])
        model.Session.add(obj)
        model.Session.flush()
        made.append(obj.id)
    result.withdrawals = len(made)
    return made


# ---------------------------------------------------------------- import
def _site_context() -> dict[str, Any]:
    """The site's write context, marked as a harvest's (validation then asks only DCAT-AP's mandatory fields)."""
    return dict(bulk.site_context(), **{provenance.CONTEXT_FLAG: True})


def _status(obj) -> Optional[str]:
    return next((e.value for e in obj.extras if e.key == "status"), None)


def import_object(obj, spec: SourceSpec) -> Any:
    """Import one object: True (written or withdrawn), "unchanged" (another source owns the dataset), False
    (an error, recorded on the object; the provenance row is left as it was, so the next run tries again). A
    write is committed by the caller, with the object's own bookkeeping (ckanext-harvest saves the object after
    its import stage)."""
    try:
        if _status(obj) == DELETE:
            return _withdraw(obj)
        payload = json.loads(obj.content)
        return _import(obj, spec, Sighting(**payload["sighting"]), payload["hash"])
    except toolkit.ValidationError as err:
        model.Session.rollback()
        HarvestObjectError(message=_error_text(err.error_dict), object=obj, stage="Import").save()
        return False
    except Exception as err:  # noqa: BLE001 - one record that cannot be written must not stop the others
        model.Session.rollback()
        log.warning("harvest object %s (guid %s) not imported", obj.id, obj.guid, exc_info=True)
        HarvestObjectError(message=f"could not be imported ({type(err).__name__}); see the log", object=obj,
                           stage="Import").save()
        return False


def _error_text(errors: dict[str, Any]) -> str:
    lines = []
    for field, messages in sorted(errors.items()):
        for message in messages if isinstance(messages, list) else [messages]:
            lines.append(message if str(message).startswith(field) else f"{field}: {message}")
    return "; ".join(str(line) for line in lines)


def _priority(source_id: str) -> int:
    try:
        return int(sources.settings_of(HarvestSource.get(source_id)).get("priority", 0))
    except (TypeError, ValueError):
        return 0


def _live_package(package_id: Optional[str]) -> Optional[model.Package]:
    package = model.Package.get(package_id) if package_id else None
    return package if package is not None and package.state != "purged" else None


def _import(obj, spec: SourceSpec, sighting: Sighting, hashed: str) -> Any:
    source_id = obj.source.id
    row = provenance.get(source_id, sighting.guid)
    package = _live_package(row.package_id if row else None)
    others = provenance.others_of(package.id, source_id) if package else provenance.same_dataset(sighting, source_id)
    owner = next((o for o in others if o.owner), None)
    if owner is not None and _priority(owner.source_id) >= spec.priority:
        return _also_listed(obj, sighting, hashed, row, owner)
    if owner is not None:
        provenance.update(owner.source_id, owner.guid, owner=False)
        package = _live_package(owner.package_id)
    elif package is None and others:
        package = _live_package(others[0].package_id)   # listed elsewhere, owned by none: ours now
    record = prepared(sighting, spec)
    record.update(_series_of(source_id, sighting))
    # the row first: the write indexes the record, and its index row carries its provenance
    package_id = package.id if package is not None else model.types.make_uuid()
    provenance.save(sighting, source_id, package_id=package_id, owner=True, content_hash=hashed,
                    job_id=obj.harvest_job_id)
    _write(obj, record, sighting.kind, spec, package, package_id, row)
    return True   # the caller commits the record with its object's bookkeeping: one transaction


def _series_of(source_id: str, sighting: Sighting) -> dict[str, Any]:
    """``in_series`` for a record the source places in one of its initiatives (``series_guid``): the initiative's
    package, when this source holds it; else nothing, with a warning."""
    if not sighting.series_guid:
        return {}
    row = provenance.get(source_id, sighting.series_guid)
    series = _live_package(row.package_id if row is not None and not row.withdrawn else None)
    if series is None or series.type != "dataset_series" or series.state != "active":
        sighting.warnings.append(f"in_series: the source's initiative {sighting.series_guid!r} is not in the "
                                 "catalog (not harvested, or withdrawn); the record is not placed in it")
        return {}
    return {"in_series": [series.id]}


def _also_listed(obj, sighting: Sighting, hashed: str, row, owner) -> str:
    """Another source of higher (or equal, earlier) priority owns this dataset: ours is kept as "also listed at"
    and never overwrites it."""
    provenance.save(sighting, obj.source.id, package_id=owner.package_id, owner=False, content_hash=hashed,
                    job_id=obj.harvest_job_id)
    model.Session.commit()
    if row is None or row.package_id != owner.package_id:
        search.rebuild(owner.package_id)   # its provenance (in its index row and DCAT) lists one more source
    return "unchanged"


def _make_current(obj, package_id: str) -> None:
    """ckanext-harvest's rule: the object a package was last written from is the current one of its guid."""
    model.Session.query(HarvestObject).filter(
        HarvestObject.guid == obj.guid, HarvestObject.harvest_source_id == obj.source.id,
        HarvestObject.id != obj.id, HarvestObject.current.is_(True)).update({"current": False})
    obj.package_id, obj.current = package_id, True
    model.Session.add(obj)
    # the package of a new record is made after this (its index row reads the current object), as
    # ckanext-harvest's own harvesters do
    model.Session.execute(sa.text("SET CONSTRAINTS harvest_object_package_id_fkey DEFERRED"))
    model.Session.flush()


def prepared(sighting: Sighting, spec: SourceSpec) -> dict[str, Any]:
    """The record to write: the source's statements, then its rules and defaults; a record the source gives no
    description is described from what the source states (DCAT-AP makes a description mandatory), and says so
    in its warnings.

    Example: a dataflow named "Poverty headcount" of agency UNSD, without a description, gets ``"Poverty headcount.
    Published by UNSD. Identifier at the source: UNSD:DF_POV(1.0). ..."``
    """
    record = rules.apply(sighting.record, spec.rules, spec.defaults)
    sighting.warnings.extend(drop_unsafe_links(record))
    if not str(record.get("notes") or "").strip():
        record["notes"] = described(sighting, record)
        sighting.warnings.append("notes: the source gives no description; one was written from its title, "
                                 "publisher, identifier and keywords")
    return record


# keys whose values pages turn into links, and the schemes a link of a harvested record may have
LINK_KEYS = frozenset({"url", "uri", "access_url", "download_url", "landing_page"})
LINK_SCHEMES = ("http://", "https://", "ftp://", "ftps://")


def drop_unsafe_links(value: Any, path: str = "") -> list[str]:
    """Remove, in place, every link value whose scheme is not http(s) or ftp(s) (a source's ``javascript:`` or
    ``data:`` link would run in a reader's browser); one warning per value removed."""
    warnings = []
    if isinstance(value, list):
        for index, item in enumerate(value):
            warnings += drop_unsafe_links(item, f"{path}[{index}]")
    elif isinstance(value, dict):
        for key in list(value):
            here = f"{path}.{key}" if path else key
            link = value[key]
            if key in LINK_KEYS and isinstance(link, str) and link and not link.lower().startswith(LINK_SCHEMES):
                del value[key]
                warnings.append(f"{here}: {link[:80]!r} is not an http(s) or ftp link; dropped")
            else:
                warnings += drop_unsafe_links(link, here)
    return warnings


def described(sighting: Sighting, record: dict[str, Any]) -> str:
    """A description made only of what the source states about the record."""
    parts = [str(record.get("title") or sighting.guid).rstrip(".") + "."]
    if sighting.publisher:
        parts.append(f"Published by {sighting.publisher}.")
    if sighting.identifier:
        parts.append(f"Identifier at the source: {sighting.identifier}.")
    keywords = [t.get("name") if isinstance(t, dict) else str(t) for t in record.get("tags") or []]
    if keywords:
        parts.append(f"Keywords: {', '.join(k for k in keywords if k)}.")
    parts.append(f"Harvested from {sighting.original_uri or sighting.guid}; the source gives no description.")
    return " ".join(parts)


def _write(obj, record: dict[str, Any], kind: str, spec: SourceSpec, package: Optional[model.Package],
           package_id: str, row) -> None:
    context = _site_context()
    _make_current(obj, package_id)
    if package is None:
        data = {**record, "id": package_id, "type": kind, "owner_org": spec.organization,
                "name": HarvesterBase._gen_new_name(record.get("title") or package_id)}
        toolkit.get_action("package_create")(context, data)
        return
    current = toolkit.get_action("package_show")(dict(context), {"id": package.id})
    data = merge(current, record, row.source_fields if row else [])
    toolkit.get_action("package_update")(context, data)


def merge(current: dict[str, Any], record: dict[str, Any], stated_before: Iterable[str]) -> dict[str, Any]:
    """The package after a harvest: the source's fields as it states them now, the fields it stated before and
    no longer does removed, every other field as it is (a curator's edits survive); resources matched by URL
    keep their ids.

    Example: ``merge({"title": "Old", "sdg_indicators": ["16.6.2"]}, {"title": "New"}, ["title"])``
    -> ``{"title": "New", "sdg_indicators": ["16.6.2"], "state": "active"}``
    """
    data = {k: v for k, v in current.items() if k not in set(stated_before) - set(record)}
    data.pop("metadata_modified", None)   # as package_patch does: CKAN keeps a metadata_modified it is given
    data.update(record)
    if "resources" in record:
        ids = {r.get("url"): r.get("id") for r in current.get("resources") or [] if r.get("url")}
        data["resources"] = [{**r, "id": ids[r["url"]]} if r.get("url") in ids else r for r in record["resources"]]
    data["state"] = "active"
    return data


def _withdraw(obj) -> Any:
    """A record gone from a complete listing: CKAN-deleted (recoverable), or handed to another source that lists
    it too."""
    source_id = obj.source.id
    row = provenance.get(source_id, obj.guid)
    if row is None or row.withdrawn:
        return "unchanged"
    if row.owner and _live_package(row.package_id) is not None:
        heirs = sorted(provenance.others_of(row.package_id, source_id), key=lambda r: -_priority(r.source_id))
        if heirs:
            # the next harvest of the heir writes its own content (its hash is forgotten)
            provenance.update(heirs[0].source_id, heirs[0].guid, owner=True, content_hash=None)
        else:
            toolkit.get_action("package_delete")(_site_context(), {"id": row.package_id})
    provenance.withdraw(source_id, obj.guid)
    obj.package_id, obj.current = row.package_id, False
    model.Session.query(HarvestObject).filter(
        HarvestObject.guid == obj.guid, HarvestObject.harvest_source_id == source_id,
        HarvestObject.current.is_(True)).update({"current": False})
    model.Session.add(obj)
    model.Session.commit()
    return True


def objects(ids: Iterable[str]) -> Iterable[HarvestObject]:
    for object_id in ids:
        obj = HarvestObject.get(object_id)
        if obj is not None:
            yield obj

