"""Harvest jobs that always end: run a source synchronously (``ckan citizendata harvest run``), end jobs that
stopped making progress, finish a queue job when its last object is imported, prune old objects.

A synchronous run holds a PostgreSQL advisory lock for its source on a connection of its own: a second run of
the same source waits for nothing and is refused, and a run whose process was killed releases the lock with its
connection, so the next run ends the orphaned job (Failed, with the reason) and starts afresh. Jobs of the queue
consumers are ended when idle longer than ``idle_job_minutes``.

Example::

    summary = run(HarvestSource.get(source_id), full=True)
    summary.line()   # 'Finished: 12 added, 0 updated, 3 unchanged, 1 withdrawn, 0 errors'
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime
import hashlib
from typing import Any, Callable, Iterator, Optional

import sqlalchemy as sa
from ckan import model
from ckanext.harvest.model import HarvestGatherError, HarvestJob, HarvestObject, HarvestObjectError, \
    HarvestObjectExtra, HarvestSource

from ckanext.citizendata import config as cd_config

from . import engine, fetch, kinds
from .listing import Lister, SourceSpec

FINISHED, FAILED, RUNNING, NEW = "Finished", "Failed", "Running", "New"



class Busy(Exception):
    """A harvest of this source is running in another process."""


@dataclasses.dataclass
class Summary:
    status: str = RUNNING
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    errors: int = 0
    reasons: list[str] = dataclasses.field(default_factory=list)
    job_id: str = ""
    source: str = ""          # the source's name

    def line(self) -> str:
        return (f"{self.status}: {self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
                f"{self.withdrawn} withdrawn, {self.errors} errors")


def utcnow() -> datetime.datetime:
    return datetime.datetime.utcnow()


# ---------------------------------------------------------------- the lock of a source
def _lock_key(source_id: str) -> int:
    return int.from_bytes(hashlib.sha256(f"citizendata-harvest:{source_id}".encode()).digest()[:8], "big",
                          signed=True)


@contextlib.contextmanager
def source_lock(source_id: str) -> Iterator[None]:
    """Hold the source's advisory lock for the block; Busy when another process holds it."""
    connection = model.meta.engine.connect()
    connection.detach()      # out of the pool: closing it ends its database session, and with it the lock
    key = {"k": _lock_key(source_id)}
    try:
        if not connection.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), key).scalar():
            raise Busy(f"a harvest of source {source_id} is running in another process")
        try:
            yield
        finally:   # at once: a closed session's locks go only when its server process has ended
            connection.execute(sa.text("SELECT pg_advisory_unlock(:k)"), key)
    finally:
        connection.close()


# ---------------------------------------------------------------- ending jobs
def fail(job: HarvestJob, reason: str) -> None:
    """End a job Failed, its reason a gather error (shown on its page)."""
    HarvestGatherError(message=reason, job=job).save()
    job.status, job.finished = FAILED, utcnow()
    job.save()


def end_stale(source_id: Optional[str] = None, idle_minutes: Optional[int] = None) -> list[str]:
    """End (Failed) the New or Running jobs that made no progress for ``idle_minutes``; their ids."""
    minutes = cd_config.harvest_number("idle_job_minutes") if idle_minutes is None else idle_minutes
    query = model.Session.query(HarvestJob).filter(HarvestJob.status.in_([NEW, RUNNING]))
    if source_id:
        query = query.filter(HarvestJob.source_id == source_id)
    ended = []
    for job in query.all():
        if utcnow() - job.get_last_action_time() >= datetime.timedelta(minutes=minutes):
            fail(job, f"ended after {minutes} minutes without progress (its worker stopped?); the next run of "
                       f"the source starts afresh")
            ended.append(job.id)
    return ended


def _end_orphans(source_id: str) -> None:
    """Under the source's lock no other synchronous run is alive: its unfinished jobs are orphans."""
    for job in model.Session.query(HarvestJob).filter(HarvestJob.source_id == source_id,
                                                      HarvestJob.status.in_([NEW, RUNNING])).all():
        fail(job, "interrupted (its process stopped); a new run of the source started afresh")


def _failed_listing(job: HarvestJob) -> list[str]:
    return [e.message for e in model.Session.query(HarvestGatherError).filter_by(harvest_job_id=job.id)
            if e.message.startswith(engine.INCOMPLETE)]


def finish(job: HarvestJob, after: Optional[Callable[[list[str]], None]] = None) -> str:
    """End a job whose objects are all done: Finished, or Failed when its listing could not be completed; prune
    old objects; hand the packages it changed to ``after`` (warming their DCAT fragments)."""
    job.status = FAILED if _failed_listing(job) else FINISHED
    job.finished = utcnow()
    job.save()
    prune(job.source_id)
    changed = [pid for (pid,) in model.Session.query(HarvestObject.package_id).filter(
        HarvestObject.harvest_job_id == job.id, HarvestObject.package_id.isnot(None),
        HarvestObject.current.is_(True))]   # the objects this job wrote packages from
    if after and changed:
        after(changed)
    return job.status


def finish_if_done(job: HarvestJob, importing: Optional[str] = None,
                   after: Optional[Callable[[list[str]], None]] = None) -> bool:
    """Queue mode: end the job when no object but ``importing`` (being imported now) is left to do."""
    pending = model.Session.query(HarvestObject.id).filter(
        HarvestObject.harvest_job_id == job.id, HarvestObject.state.notin_(["COMPLETE", "ERROR"]),
        HarvestObject.id != (importing or "")).count()
    if pending or job.status != RUNNING or not job.gather_finished:
        return False
    finish(job, after)
    return True


def prune(source_id: str, keep: Optional[int] = None) -> int:
    """Delete the objects of a source that are not current and belong to jobs older than its last ``keep``."""
    keep = cd_config.harvest_number("keep_jobs") if keep is None else keep
    old_jobs = [jid for (jid,) in model.Session.query(HarvestJob.id).filter(HarvestJob.source_id == source_id)
                .order_by(HarvestJob.created.desc()).offset(keep)]
    if not old_jobs:
        return 0
    stale = model.Session.query(HarvestObject.id).filter(HarvestObject.harvest_job_id.in_(old_jobs),
                                                         HarvestObject.current.isnot(True))
    ids = [oid for (oid,) in stale]
    for table in (HarvestObjectError, HarvestObjectExtra):
        model.Session.query(table).filter(table.harvest_object_id.in_(ids)).delete(synchronize_session=False)
    model.Session.query(HarvestObject).filter(HarvestObject.id.in_(ids)).delete(synchronize_session=False)
    model.Session.commit()
    return len(ids)


def last_complete_start(source_id: str) -> Optional[datetime.datetime]:
    """When the last job of the source that read a complete listing and imported every record of it started
    (incremental runs ask for what changed since then; a record that failed is read again by the next run)."""
    for job in model.Session.query(HarvestJob).filter(HarvestJob.source_id == source_id,
                                                      HarvestJob.status == FINISHED) \
            .order_by(HarvestJob.gather_started.desc()).limit(20):
        if job.gather_started and _error_free(job):
            return job.gather_started
    return None


def _error_free(job: HarvestJob) -> bool:
    """No record of the job failed: no gather error (a page or a record that could not be read) and no object
    error."""
    gathered = model.Session.query(HarvestGatherError.id).filter_by(harvest_job_id=job.id).first()
    errored = model.Session.query(HarvestObject.id).filter(HarvestObject.harvest_job_id == job.id,
                                                           HarvestObject.state == "ERROR").first()
    return gathered is None and errored is None


# ---------------------------------------------------------------- a synchronous run
def client_for(spec: SourceSpec, **options: Any) -> fetch.Client:
    """The source's HTTP client: its request rate (its YAML may ask for fewer than the configured rate), the
    headers its secrets give (a CKAN portal's token, a KoboToolbox token, ...; never sent past a redirect
    elsewhere) and the paths its type never reads (a field tool's submissions)."""
    kind = kinds.SOURCE_TYPES[spec.type]
    rate = spec.options.get("requests_per_second")
    return fetch.Client(rate=rate, headers=kind.authorize(spec) or None, refuse_paths=kind.refuse_paths,
                        **options)


def import_one(obj: HarvestObject, spec: SourceSpec) -> str:
    """Import one object with ckanext-harvest's bookkeeping (state, times, report status); the report status."""
    obj.state, obj.import_started = "IMPORT", utcnow()
    model.Session.add(obj)
    outcome = engine.import_object(obj, spec)
    obj = model.Session.merge(obj)
    obj.import_finished = utcnow()
    obj.state = "ERROR" if outcome is False else "COMPLETE"
    obj.report_status = report_status(obj, outcome)
    obj.save()
    return obj.report_status


def report_status(obj: HarvestObject, outcome: Any) -> str:
    if outcome is False:
        return "errored"
    if outcome == "unchanged":
        return "not modified"
    if obj.current is False and engine.DELETE in [e.value for e in obj.extras]:
        return "deleted"
    earlier = model.Session.query(HarvestObject.id).filter(HarvestObject.package_id == obj.package_id,
                                                           HarvestObject.id != obj.id).first()
    return "updated" if earlier else "added"


_TALLY = {"added": "added", "updated": "updated", "not modified": "unchanged", "deleted": "withdrawn",
          "errored": "errors"}


def _since(source_id: str, full: bool, incremental: bool) -> Optional[datetime.datetime]:
    """Where an incremental run starts: None (a full listing, which may withdraw records) when asked for, when
    the source type cannot list changes only, or when no complete job exists yet."""
    return None if full or not incremental else last_complete_start(source_id)


def run(source: HarvestSource, spec: SourceSpec, lister: Lister, *, full: bool = False, incremental: bool = True,
        fetcher: Optional[Any] = None, progress: Optional[Callable[[str, int, Optional[int]], None]] = None,
        after: Optional[Callable[[list[str]], None]] = None) -> Summary:
    """Run one source now, in this process: gather, import every object, end the job. Incremental (records
    changed since the last complete job, no withdrawals) unless ``full``, the source type lists everything
    every time (``incremental`` False), or no complete job exists. ``progress(stage, done, total)`` is told how
    far the listing (``"listing"``, records read, no total) and the import (``"importing"``) are."""
    tell = progress or (lambda stage, done, total: None)
    with source_lock(source.id):
        _end_orphans(source.id)
        since = _since(source.id, full, incremental)
        job = HarvestJob(source=source, status=RUNNING, gather_started=utcnow())
        job.save()
        summary, listed = Summary(job_id=job.id, source=spec.name), [0]

        def count(n: int) -> None:
            listed[0] += n
            tell("listing", listed[0], None)

        gathered = engine.gather(job, spec, lister, fetcher or client_for(spec), full=since is None, since=since,
                                 report=count)
        job.gather_finished = utcnow()
        job.save()
        summary.unchanged, summary.reasons = gathered.unchanged, gathered.reasons
        summary.errors = model.Session.query(HarvestGatherError).filter_by(harvest_job_id=job.id).count() \
            - len(gathered.reasons)
        for done, obj in enumerate(engine.objects(gathered.objects), start=1):
            status = import_one(obj, spec)
            setattr(summary, _TALLY[status], getattr(summary, _TALLY[status]) + 1)
            tell("importing", done, len(gathered.objects))
        summary.status = finish(job, after)
        return summary


# ---------------------------------------------------------------- ckanext-harvest's queue consumers
def queue_gather(job: HarvestJob, spec: SourceSpec, lister: Lister, *, incremental: bool = True,
                 after: Optional[Callable[[list[str]], None]] = None) -> list[str]:
    """IHarvester.gather_stage: the objects to import; a job with none is ended here (no cron needed)."""
    end_stale()
    since = _since(job.source_id, False, incremental)
    gathered = engine.gather(job, spec, lister, client_for(spec), full=since is None, since=since)
    if not gathered.objects:
        job.gather_finished = utcnow()
        finish(job, after)
    return gathered.objects


def queue_import(obj: HarvestObject, spec: SourceSpec,
                 after: Optional[Callable[[list[str]], None]] = None) -> Any:
    """IHarvester.import_stage: import one object; the job ends with its last object (no cron needed)."""
    outcome = engine.import_object(obj, spec)
    obj = model.Session.merge(obj)
    finish_if_done(obj.job, importing=obj.id, after=after)
    return outcome
