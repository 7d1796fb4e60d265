"""Harvested records as the rest of the catalog sees them: their provenance in package_show (so the dataset
page, the API, the index and the DCAT profile all read it from the one record view), and their DCAT fragments
built in the background after a harvest job, so the first catalog walk after a harvest is warm.

Example::

    after_dataset_show(pkg_dict)      # pkg_dict["harvest_provenance"] == [{"source_title": "HDX", ...}]
    enqueue_warm(["<package id>", ...])
"""
from __future__ import annotations

import logging
from typing import Any

from ckan.plugins import toolkit

from ckanext.citizendata.ingest.harvest import provenance
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
