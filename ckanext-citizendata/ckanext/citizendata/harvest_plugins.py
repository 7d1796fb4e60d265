"""The source types as ckanext-harvest harvesters (``IHarvester``), wiring only: each stage hands off to the
harvest engine (ingest/harvest/jobs.py) with the source's settings (its YAML, as synced into the source's config)
and the source type's listing. Enabled as ``citizendata_<type>_harvester`` in ``ckan.plugins``, one per source type
(ingest/harvest/kinds.py): ckan, dcat, sdmx, ppsr, eucs, kobo, odk.

Example (ckan.ini)::

    ckan.plugins = ... harvest citizendata_ckan_harvester citizendata_dcat_harvester citizendata_sdmx_harvester
        citizendata_ppsr_harvester citizendata_eucs_harvester citizendata_kobo_harvester citizendata_odk_harvester
"""
from __future__ import annotations

import ckan.plugins as p
from ckanext.harvest.interfaces import IHarvester

from ckanext.citizendata.ingest.harvest import kinds, sources
from ckanext.citizendata.logic import harvest


class _Harvester(p.SingletonPlugin):
    p.implements(IHarvester)
    kind = ""

    def info(self):
        kind = kinds.SOURCE_TYPES[self.kind]
        return {"name": kind.harvester, "title": kind.title, "description": kind.description}

    def validate_config(self, config):
        return sources.validate_config(config, self.kind)

    def gather_stage(self, harvest_job):
        return harvest.gather_stage(harvest_job, self.kind)

    def fetch_stage(self, harvest_object):
        return True   # gather read the content already (a listing page holds the records)

    def import_stage(self, harvest_object):
        return harvest.import_stage(harvest_object)


class CkanPortalHarvester(_Harvester):
    kind = "ckan"


class DcatEndpointHarvester(_Harvester):
    kind = "dcat"


class SdmxRegistryHarvester(_Harvester):
    kind = "sdmx"


class PpsrCoreHarvester(_Harvester):
    kind = "ppsr"


class EuCitizenScienceHarvester(_Harvester):
    kind = "eucs"


class KoboToolboxHarvester(_Harvester):
    kind = "kobo"


class OdkCentralHarvester(_Harvester):
    kind = "odk"
