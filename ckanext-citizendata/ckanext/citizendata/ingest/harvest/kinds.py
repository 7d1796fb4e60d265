"""The source types: what a source's YAML ``type`` names, the ckanext-harvest source type it becomes, how it is
listed, and whether it can list only what changed since a date.

Example::

    kind = SOURCE_TYPES["ckan"]
    kind.harvester              # 'citizendata_ckan' (the IHarvester's info()["name"])
    by_harvester("citizendata_dcat").pages   # dcat_endpoint.pages
"""
from __future__ import annotations

import dataclasses
from typing import Callable

from . import ckan_portal, dcat_endpoint, eu_citizen_science, kobotoolbox, odk_central, ppsr_core, sdmx_registry
from .listing import Lister, SourceSpec

PREFIX = "citizendata_"


def token_header(spec: SourceSpec) -> dict[str, str]:
    """A CKAN portal's (or any source's) ``api_token`` secret, sent as the ``Authorization`` header as it is."""
    token = spec.secrets.get("api_token")
    return {"Authorization": token} if token else {}


@dataclasses.dataclass(frozen=True)
class SourceType:
    name: str                 # the YAML type
    title: str
    description: str
    pages: Lister
    incremental: bool         # lists records changed since a date (an incremental run withdraws nothing)
    authorize: Callable[[SourceSpec], dict[str, str]] = token_header   # the headers its secrets give
    refuse_paths: tuple[str, ...] = ()    # paths never requested (fetch.Client's refuse_paths)

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
    SourceType("ppsr", "PPSR Core feed (citizen science)",
               "Projects described in PPSR Core (Project Metadata Model 2020.0), one JSON document or an array, as "
               "initiatives.", ppsr_core.pages, incremental=False),
    SourceType("eucs", "EU-Citizen.Science (citizen science)",
               "The approved projects of the EU-Citizen.Science platform's API, as initiatives.",
               eu_citizen_science.pages, incremental=False),
    SourceType("kobo", "KoboToolbox server (metadata only)",
               "Deployed surveys of a KoboToolbox server (KPI API v2) as datasets; never a submission.",
               kobotoolbox.pages, incremental=False, authorize=kobotoolbox.authorize,
               refuse_paths=kobotoolbox.REFUSED_PATHS),
    SourceType("odk", "ODK Central server (metadata only)",
               "Projects of an ODK Central server as initiatives and their published forms as datasets; never a "
               "submission.", odk_central.pages, incremental=False, authorize=odk_central.authorize,
               refuse_paths=odk_central.REFUSED_PATHS),
)}


def by_harvester(source_type: str) -> SourceType:
    """The source type of a ckanext-harvest source type name; KeyError for one that is not ours."""
    if not source_type.startswith(PREFIX):
        raise KeyError(source_type)
    return SOURCE_TYPES[source_type[len(PREFIX):]]
