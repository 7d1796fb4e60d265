"""The source types: what a source's YAML ``type`` names, the ckanext-harvest source type it becomes, how it is
listed, and whether it can list only what changed since a date.

Example::

    kind = SOURCE_TYPES["ckan"]
    kind.harvester              # 'citizendata_ckan' (the IHarvester's info()["name"])
    by_harvester("citizendata_dcat").pages   # dcat_endpoint.pages
"""
from __future__ import annotations

import dataclasses

from . import ckan_portal, dcat_endpoint, sdmx_registry
from .listing import Lister

PREFIX = "citizendata_"


@dataclasses.dataclass(frozen=True)
class SourceType:
    name: str                 # the YAML type
    title: str
    description: str
    pages: Lister
    incremental: bool         # lists records changed since a date (an incremental run withdraws nothing)

    @property
    def harvester(self) -> str:
        return PREFIX + self.name


SOURCE_TYPES: dict[str, SourceType] = {kind.name: kind for kind in (
    SourceType("ckan", "CKAN portal (citizen data)",
               "A CKAN site's action API (HDX too): stable paging, incremental by metadata_modified, HDX fields.",
               ckan_portal.pages, incremental=True),
    SourceType("dcat", "DCAT endpoint (citizen data)",
               "A DCAT-AP catalog (Turtle, RDF/XML, JSON-LD, N-Triples) with Hydra paging; national variants.",
               dcat_endpoint.pages, incremental=False),
    SourceType("sdmx", "SDMX registry (citizen data)",
               "Dataflows of an SDMX REST registry (v1 or v2) as records, as StatDCAT-AP maps them.",
               sdmx_registry.pages, incremental=False),
)}


def by_harvester(source_type: str) -> SourceType:
    """The source type of a ckanext-harvest source type name; KeyError for one that is not ours."""
    if not source_type.startswith(PREFIX):
        raise KeyError(source_type)
    return SOURCE_TYPES[source_type[len(PREFIX):]]
