"""ingest/harvest/kinds.py: each source type a YAML file may name is a ckanext-harvest source type of ours (a
loaded harvester answering info() with its name) with its listing; other source types are not ours."""
import pytest
from ckan.plugins import PluginImplementations
from ckanext.harvest import queue
from ckanext.harvest.interfaces import IHarvester

from ckanext.citizendata.ingest.harvest import ckan_portal, dcat_endpoint, eu_citizen_science, kinds, kobotoolbox, \
    odk_central, ppsr_core, sdmx_registry, sources
from ckanext.citizendata.ingest.harvest.listing import SourceSpec

EXPECTED = {"ckan": ("citizendata_ckan", ckan_portal.pages, True),
            "dcat": ("citizendata_dcat", dcat_endpoint.pages, False),
            "sdmx": ("citizendata_sdmx", sdmx_registry.pages, False),
            "ppsr": ("citizendata_ppsr", ppsr_core.pages, False),
            "eucs": ("citizendata_eucs", eu_citizen_science.pages, False),
            "kobo": ("citizendata_kobo", kobotoolbox.pages, False),
            "odk": ("citizendata_odk", odk_central.pages, False)}


def test_every_type_of_the_source_schema_is_a_source_type_and_no_other():
    assert sorted(kinds.SOURCE_TYPES) == sorted(sources.schema()["properties"]["type"]["enum"]) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_type_maps_to_its_harvester_name_and_listing(name):
    kind = kinds.SOURCE_TYPES[name]
    harvester, pages, incremental = EXPECTED[name]
    assert (kind.name, kind.harvester, kind.pages, kind.incremental) == (name, harvester, pages, incremental)
    assert kind.harvester == sources.source_type(sources.spec_from_data(
        {"name": "x", "type": name, "url": "https://x.example/", "organization": "o"}))
    assert kinds.by_harvester(harvester) is kind
    assert kind.title and kind.description


@pytest.mark.parametrize("foreign", ["ckan", "dcat", "harvest_ckan", "citizendata_csw", "citizendata_", "",
                                     "CITIZENDATA_ckan", "xcitizendata_ckan"])
def test_by_harvester_refuses_types_that_are_not_ours(foreign):
    with pytest.raises(KeyError):
        kinds.by_harvester(foreign)


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_types_harvester_is_a_loaded_plugin_answering_with_its_name(name):
    kind = kinds.SOURCE_TYPES[name]
    harvester = queue.get_harvester(kind.harvester)
    assert harvester is not None, [h.info()["name"] for h in PluginImplementations(IHarvester)]
    assert harvester.info() == {"name": kind.harvester, "title": kind.title, "description": kind.description}
    assert [h for h in PluginImplementations(IHarvester) if h.info()["name"] == kind.harvester] == [harvester]


def spec_with_token(kind: str, token) -> SourceSpec:
    return SourceSpec(name="s", type=kind, url="https://x.example/", organization="o",
                      secrets={"api_token": token} if token else {}, secret_names={"api_token": "TOKEN"})


@pytest.mark.parametrize("name", ["ckan", "dcat", "sdmx", "ppsr", "eucs"])
def test_a_portals_token_is_sent_as_it_is_and_nothing_without_one(name):
    kind = kinds.SOURCE_TYPES[name]
    assert kind.authorize(spec_with_token(name, "abc123")) == {"Authorization": "abc123"}
    assert kind.authorize(spec_with_token(name, None)) == {}


@pytest.mark.parametrize("name", ["kobo", "odk"])
def test_the_field_tools_refuse_their_data_paths(name):
    assert kinds.SOURCE_TYPES[name].refuse_paths
    assert not kinds.SOURCE_TYPES["ckan"].refuse_paths
