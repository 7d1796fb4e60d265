"""Harvested records as the rest of the catalog sees them: their provenance in package_show (so the dataset
page, the API, the index and the DCAT profile all read it from the one record view), and their DCAT fragments
built in the background after a harvest job, so the first catalog walk after a harvest is warm.

Example::

    after_dataset_show(pkg_dict)      # pkg_dict["harvest_provenance"] == [{"source_title": "HDX", ...}]
    enqueue_warm(["<package id>", ...])
"""
from __future__ import annotations

import dataclasses
import logging
import os
import resource
from typing import Any, Callable, Iterator, Optional

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestObjectError, HarvestSource

from ckanext.citizendata import config as cd_config
from ckanext.citizendata.ingest.harvest import jobs, kinds, provenance, replay, source_sync, sources
from ckanext.citizendata.rdf import cache
from ckanext.citizendata.rdf.assemble import JOIN
from ckanext.citizendata.rdf.catalog_record import KEY

from .action.dcat import SEARCH_FIELDS, TEXT_FIELDS

log = logging.getLogger(__name__)
BATCH = 50


def after_dataset_show(pkg_dict: dict[str, Any]) -> None:
    """Add where a harvested record comes from; nothing for a record no source lists."""
    listed = provenance.listed_at(pkg_dict["id"]) if pkg_dict.get("id") else []
    if listed:
        pkg_dict[KEY] = listed
    else:
        pkg_dict.pop(KEY, None)


# the facet of the harvest source a record comes from (ckanext-harvest puts its title in the record's index row)
SOURCE_FACET = "harvest_source_title"


def with_source_facet(facets_dict: dict[str, Any]) -> dict[str, Any]:
    """The facets, and the harvest sources' when the site has any (a curator finds each source's records)."""
    if SOURCE_FACET not in facets_dict and model.Session.query(HarvestSource.id).first() is not None:
        facets_dict[SOURCE_FACET] = toolkit._("Harvest sources")
    return facets_dict


def warm_fragments(package_ids: list[str]) -> int:
    """Build the DCAT fragments (every format) of the public ones of these packages, as a catalog page reads them
    from the index; the number of packages."""
    done = 0
    site = {"ignore_auth": True, SEARCH_FIELDS: TEXT_FIELDS}
    for start in range(0, len(package_ids), BATCH):
        ids = package_ids[start:start + BATCH]
        found = toolkit.get_action("package_search")(dict(site), {
            "fq": "id:(" + " OR ".join(f'"{i}"' for i in ids) + ")", "rows": len(ids)})
        sources = [cache.Source(row["id"], row["validated_data_dict"]) for row in found["results"]
                   if row.get("validated_data_dict")]
        for fmt in JOIN:   # every format we assemble
            cache.fragments(sources, fmt, cache.configured_profiles())
        done += len(sources)
    return done


def enqueue_warm(package_ids: list[str]) -> None:
    """Queue :func:`warm_fragments` on CKAN's job queue; a queue that is down only costs the warm start."""
    try:
        toolkit.enqueue_job(warm_fragments, [list(package_ids)],
                            title=f"citizendata: DCAT fragments of {len(package_ids)} harvested records")
    except Exception as error:  # the harvest is done either way; the catalog builds fragments when asked
        log.warning("DCAT fragments of harvested records not queued: %s", type(error).__name__)


# ---------------------------------------------------------------- running sources (the CLI's harvest commands)
class UnknownSource(ValueError):
    """No harvest source has this id or name."""


def find_source(ref: str) -> HarvestSource:
    """A harvest source by id or name; UnknownSource (a ValueError) naming ``ref`` when there is none."""
    source = HarvestSource.get(ref)
    if source is None:
        package = model.Package.get(ref)
        source = HarvestSource.get(package.id) if package is not None and package.type == "harvest" else None
    if source is None:
        raise UnknownSource(f"no harvest source {ref!r} (see: ckan citizendata harvest status)")
    return source


def run_source(ref: str, full: bool = False, fetcher: Optional[Any] = None,
               progress: Optional[Callable[[str, int, Optional[int]], None]] = None) -> jobs.Summary:
    """Run one of our sources now, in this process; the job's summary."""
    source = find_source(ref)
    spec = sources.resolve_secrets(sources.spec_from_source(source))
    kind = kinds.by_harvester(source.type)
    return jobs.run(source, spec, kind.pages, full=full, incremental=kind.incremental, fetcher=fetcher,
                    progress=progress, after=enqueue_warm)


def gather_stage(job: HarvestJob, kind_name: str) -> list[str]:
    """IHarvester.gather_stage for the queue consumers: a source whose settings cannot be used, or a listing that
    stops with an error of ours, ends its job Failed with the reason instead of stopping the consumer."""
    kind = kinds.SOURCE_TYPES[kind_name]
    try:
        spec = sources.resolve_secrets(sources.spec_from_source(job.source))
    except sources.SourceFileError as err:
        jobs.fail(job, "; ".join(err.problems))
        return []
    try:
        return jobs.queue_gather(job, spec, kind.pages, incremental=kind.incremental, after=enqueue_warm)
    except Exception as err:  # noqa: BLE001 - the consumer serves every source: one source's fault ends its job
        log.warning("gather of harvest job %s stopped", job.id, exc_info=True)
        model.Session.rollback()
        jobs.fail(job, f"the gather stage stopped ({type(err).__name__}); see the log")
        return []


def import_stage(obj: HarvestObject) -> Any:
    """IHarvester.import_stage for the queue consumers; False (an object error) when the source's settings
    cannot be read any more."""
    try:
        spec = sources.spec_from_source(obj.source)
    except sources.SourceFileError as err:
        HarvestObjectError(message="; ".join(err.problems), object=obj, stage="Import").save()
        return False
    return jobs.queue_import(obj, spec, after=enqueue_warm)


def peak_memory_mb() -> float:
    """The most memory this process has held (resident), in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _last_job(source_id: str) -> Optional[HarvestJob]:
    return model.Session.query(HarvestJob).filter_by(source_id=source_id) \
        .order_by(HarvestJob.created.desc()).first()


def _counts(job: HarvestJob) -> str:
    rows = model.Session.query(HarvestObject.report_status, sa.func.count()).filter(
        HarvestObject.harvest_job_id == job.id).group_by(HarvestObject.report_status).all()
    return ", ".join(f"{count} {status or 'pending'}" for status, count in sorted(rows, key=lambda r: str(r[0])))


def status_lines() -> Iterator[str]:
    """One line per harvest source: name, type, active, records, last job (status, when, object counts)."""
    jobs.end_stale()
    for source in model.Session.query(HarvestSource).order_by(HarvestSource.title):
        package = model.Package.get(source.id)
        name = package.name if package is not None else source.id
        job = _last_job(source.id)
        last = (f"{job.status} {job.finished or job.created:%Y-%m-%d %H:%M} ({_counts(job) or 'nothing changed'})"
                if job else "never run")
        active = "active" if source.active else "inactive"
        yield f"{name:32} {source.type:22} {active:8} {provenance.count(source.id):6} records  last job: {last}"


DEMO_BASE = "http://127.0.0.1:8765"     # where the demo's source files and recorded responses say they are served
# the secrets the demo's source files name, with demo values (the recorded servers take any token); a variable
# already set in the environment or the ini wins
DEMO_SECRETS = {"CITIZENDATA_DEMO_KOBO_TOKEN": "demo-token-of-the-recorded-kobo-server"}


def demo_folder() -> str:
    """The demo sources (harvesters/demo/): their YAML files and the recorded responses they are read from."""
    return str(sources.packaged_folder() / "demo")


def run_demo(port: int) -> list[jobs.Summary]:
    """Serve the demo sources' recorded responses on 127.0.0.1:``port`` (0: a free port), sync the demo source
    files (leaving the site's other sources as they are), and harvest each source in full; this process alone may
    reach 127.0.0.1. The files and responses name DEMO_BASE; on another port they are read with its address."""
    folder = demo_folder()
    for name, value in DEMO_SECRETS.items():
        if not cd_config.secret(name):
            os.environ[name] = value
    with replay.Replay(port=port) as server:
        server.add_recorded(folder, recorded_base=DEMO_BASE)
        specs = [dataclasses.replace(spec, url=spec.url.replace(DEMO_BASE, server.base))
                 for spec in sources.load_all(folder)]
        source_sync.sync_specs(specs, deactivate=False)
        return [run_source(spec.name, full=True,
                           fetcher=jobs.client_for(sources.resolve_secrets(spec), allow=["127.0.0.1"]))
                for spec in specs]
