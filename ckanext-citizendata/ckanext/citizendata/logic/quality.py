"""The metadata-quality score wired into CKAN: recomputed when a record is written, its URL checks and DCAT-AP
check queued as background jobs, its band in the index and as a search facet.

On a write (``after_dataset_create`` / ``_update``) the score is recomputed at once from the stored checks (cheap:
no request leaves the site), in the write's own transaction, so CKAN's indexing of the write already holds the new
band. The addresses that were never checked, or not lately, and the DCAT-AP check (pySHACL, ~10 ms a record: more
than a write should pay) go to CKAN's job queue; the job stores the checks, recomputes this record with its DCAT-AP
result, and recomputes every other record naming an address whose outcome changed.

Example::

    after_dataset_change(context, {"id": "<package id>", "type": "dataset"})   # scored; a job queued
    check_record("<package id>", ["https://data.example.org/a.csv"])       # what the job does
"""
from __future__ import annotations

import logging
from typing import Any, Iterable, Optional

from ckan import model
from ckan.plugins import toolkit

from ckanext.citizendata.assessment import mqa, urlcheck
from ckanext.citizendata.model.assessment import quality_score_table
from ckanext.citizendata.rdf import shacl
from ckanext.citizendata.rdf.shacl_cli import dataset_graph
from ckanext.citizendata.record import inherit
from ckanext.citizendata.text import N_

log = logging.getLogger(__name__)

SCORED_TYPES = ("dataset",)
FACET = mqa.INDEX_FIELD
BAND_LABELS = {"excellent": N_("Excellent"), "good": N_("Good"), "sufficient": N_("Sufficient"), "bad": N_("Bad")}


def after_dataset_change(context: dict[str, Any], pkg_dict: dict[str, Any]) -> None:
    """A record was created or updated: recompute its score (not committed: the write commits it) and queue the
    checks it needs. An initiative: its datasets' scores are recomputed in the background (they inherit from it;
    their index rows are rebuilt by the write, and the job reads them once committed)."""
    if pkg_dict.get("type") == inherit.SERIES_TYPE and pkg_dict.get("id"):
        enqueue_members(pkg_dict["id"])
    if pkg_dict.get("type", "dataset") not in SCORED_TYPES or not pkg_dict.get("id"):
        return
    try:
        with model.Session.begin_nested():   # a score that cannot be stored never undoes the write
            record = toolkit.get_action("package_show")({"ignore_auth": True, "use_cache": False},
                                                        {"id": pkg_dict["id"]})
            mqa.recompute([record["id"]], records=[record], reindex=False, commit=False)
            urls = urlcheck.due(mqa.record_urls(record))
    except Exception:  # the record is written either way; `ckan citizendata quality recompute` scores it later
        log.exception("quality score of %s not computed", pkg_dict["id"])
        return
    enqueue_checks(record["id"], urls)


def enqueue_checks(package_id: str, urls: list[str]) -> None:
    """Queue :func:`check_record`; a queue that is down costs only the checks (the score stands meanwhile)."""
    try:
        toolkit.enqueue_job(check_record, [package_id, list(urls)],
                            title=f"citizendata: quality checks of {package_id} ({len(urls)} addresses)")
    except Exception as error:  # the write is done either way; `ckan citizendata quality recompute --check-urls`
        log.warning("quality checks of %s not queued: %s", package_id, type(error).__name__)


def enqueue_members(series_id: str) -> None:
    """Queue :func:`recompute_members` (a queue that is down costs only the members' fresh scores)."""
    try:
        toolkit.enqueue_job(recompute_members, [series_id],
                            title=f"citizendata: quality scores of the datasets of {series_id}")
    except Exception as error:
        log.warning("quality scores of the datasets of %s not queued: %s", series_id, type(error).__name__)


def recompute_members(series_id: str) -> int:
    """Recompute the scores of an initiative's datasets; the number recomputed."""
    ids = inherit.members(series_id)
    return mqa.recompute(ids) if ids else 0


def dcat_conforms(package_id: str) -> Optional[bool]:
    """Whether the record's DCAT has no violation of the DCAT-AP 3 shapes (warnings allowed); None when it has
    no DCAT (gone)."""
    try:
        graph = dataset_graph(package_id)
    except toolkit.ObjectNotFound:
        return None
    return not shacl.failures(shacl.validate(graph, "official"), {"Violation"})


def check_record(package_id: str, urls: Iterable[str]) -> int:
    """The background job of a write: check the addresses, check the DCAT, recompute this record and every
    record naming an address whose outcome changed; the number of records recomputed."""
    changed = urlcheck.check_and_store(urls)
    conforms = dcat_conforms(package_id)
    done = mqa.recompute([package_id], conformance={package_id: conforms} if conforms is not None else None)
    others = [i for i in urlcheck.records_naming(changed) if i != package_id]
    return done + (mqa.recompute(others) if others else 0)


def check_records(package_ids: list[str], progress=None) -> int:
    """What ``recompute --check-urls`` does, in its own process: the due addresses and the DCAT of each record,
    then its score; the number of records recomputed."""
    done = 0
    for record, _ in mqa.read_records(package_ids):
        done += check_record(record["id"], urlcheck.due(mqa.record_urls(record)))
        if progress:
            progress(1)
    return done


def record_ids(org: Optional[str] = None, unscored: bool = False) -> list[str]:
    """Ids of the active records (of the organization ``org``, name or id; ObjectNotFound naming it when there
    is none; only those never scored with ``unscored``, such as records written before the score existed),
    oldest first."""
    query = model.Session.query(model.Package.id).filter(model.Package.state == "active",
                                                         model.Package.type.in_(SCORED_TYPES))
    if unscored:
        query = query.filter(~model.Package.id.in_(model.Session.query(quality_score_table.c.package_id)))
    if org:
        group = model.Group.get(org)
        if group is None or not group.is_organization:
            raise toolkit.ObjectNotFound(f"No organization is named {org!r}")
        query = query.filter(model.Package.owner_org == group.id)
    return [row.id for row in query.order_by(model.Package.metadata_created, model.Package.id)]


# ---------------------------------------------------------------- search
def index_band(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    return mqa.index_band(pkg_dict)


def with_band_facet(facets_dict: dict[str, Any]) -> dict[str, Any]:
    """The facets, and the quality band's."""
    facets_dict.setdefault(FACET, toolkit._("Metadata quality"))
    return facets_dict


def label_bands(search_results: dict[str, Any]) -> dict[str, Any]:
    """after_dataset_search: the band facet's values named for people."""
    for item in ((search_results.get("search_facets") or {}).get(FACET) or {}).get("items", []):
        item["display_name"] = toolkit._(BAND_LABELS.get(item["name"], item["name"]))
    return search_results
