"""harvest_plugins.py: our source types as ckanext-harvest harvesters: what they answer to info(), the source
config they accept (what the source files give, through sources.harvest_config) and refuse (naming the setting,
on ckanext-harvest's form and API too), and a fetch stage that has nothing left to fetch. Their gather and import
stages are tested through ckanext-harvest's queue stages in tests/ingest/harvest/test_jobs.py."""
import json

import pytest
from ckan import plugins
from ckan.plugins import toolkit
from ckan.tests import factories
from ckanext.harvest import queue
from ckanext.harvest.model import HarvestObject

from ckanext.citizendata import harvest_plugins
from ckanext.citizendata.ingest.harvest import kinds, sources
from ckanext.citizendata.ingest.harvest.listing import SourceSpec

PLUGINS = {"ckan": ("citizendata_ckan_harvester", harvest_plugins.CkanPortalHarvester),
           "dcat": ("citizendata_dcat_harvester", harvest_plugins.DcatEndpointHarvester),
           "sdmx": ("citizendata_sdmx_harvester", harvest_plugins.SdmxRegistryHarvester),
           "ppsr": ("citizendata_ppsr_harvester", harvest_plugins.PpsrCoreHarvester),
           "eucs": ("citizendata_eucs_harvester", harvest_plugins.EuCitizenScienceHarvester),
           "kobo": ("citizendata_kobo_harvester", harvest_plugins.KoboToolboxHarvester),
           "odk": ("citizendata_odk_harvester", harvest_plugins.OdkCentralHarvester)}
OPTIONS = {"ckan": {"page_size": 50, "fq": "organization:city", "requests_per_second": 2},
           "dcat": {"format": "turtle", "max_pages": 100},
           "sdmx": {"api": "v2", "agency": "IAEG-SDGs", "id": "DF_SDG_GLH"},
           "ppsr": {"registry": "SciStarter"},
           "eucs": {"requests_per_second": 1},
           "kobo": {"page_size": 100, "submissions_are_respondents": True},
           "odk": {"requests_per_second": 2}}

pytestmark = pytest.mark.usefixtures("with_plugins")


def harvester(kind):
    return plugins.get_plugin(PLUGINS[kind][0])


def spec(kind, **more) -> SourceSpec:
    return SourceSpec(name=f"{kind}-source", type=kind, url="https://portal.example/", organization="cso",
                      languages=["en", "fr"], priority=5, defaults={"countries": ["BRA"]},
                      rules=[{"when": {"keyword": "public services"}, "set": {"sdg_indicators": ["16.6.2"]}}],
                      options=OPTIONS[kind], secret_names={"api_token": "PORTAL_TOKEN"}, delete_threshold=0.5,
                      file=f"{kind}.yaml", **more)


@pytest.mark.parametrize("kind", sorted(PLUGINS))
def test_each_plugin_is_loaded_and_answers_info_with_its_source_type(kind):
    plugin = harvester(kind)
    assert isinstance(plugin, PLUGINS[kind][1])
    source_type = kinds.SOURCE_TYPES[kind]
    assert plugin.info() == {"name": f"citizendata_{kind}", "title": source_type.title,
                             "description": source_type.description}
    assert queue.get_harvester(f"citizendata_{kind}") is plugin


@pytest.mark.parametrize("kind", sorted(PLUGINS))
def test_a_config_made_from_a_source_file_is_accepted_as_it_is(kind):
    text = json.dumps(sources.harvest_config(spec(kind)))
    assert harvester(kind).validate_config(text) == text
    managed = json.dumps(dict(sources.harvest_config(spec(kind)), managed_by="citizendata-sources"))
    assert harvester(kind).validate_config(managed) == managed
    assert harvester(kind).validate_config("") == ""                # a hand-made source may give none


@pytest.mark.parametrize("kind, config, named", [
    ("ckan", {"colour": "blue"}, "config: colour: unknown setting"),
    ("ckan", {"priority": "high"}, 'config: priority: expected a whole number, got "high"'),
    ("ckan", {"languages": ["english"]}, "config: languages[0]:"),
    ("ckan", {"delete_threshold": 120}, "config: delete_threshold: 120 is above the maximum 100"),
    ("ckan", {"options": {"page_size": 0}}, "config: options.page_size: 0 is below the minimum 1"),
    ("dcat", {"options": {"fq": "x"}}, "config: options.fq: unknown key"),      # a ckan option
    ("sdmx", {"options": {"api": "v3"}}, 'config: options.api: "v3" is not allowed; allowed: v1, v2'),
    ("kobo", {"options": {"fq": "x"}}, "config: options.fq: unknown key"),
    ("kobo", {"options": {"submissions_are_respondents": "yes"}}, "config: options.submissions_are_respondents"),
    ("ppsr", {"options": {"registry": ""}}, "config: options.registry"),
    ("ckan", {"secrets": {"api_token": "s3cr3t-token-value"}}, "config: secrets.api_token: must be the NAME"),
])
def test_a_bad_config_is_refused_naming_the_setting(kind, config, named):
    with pytest.raises(ValueError) as err:
        harvester(kind).validate_config(json.dumps(config))
    assert named in str(err.value)
    assert "s3cr3t-token-value" not in str(err.value)


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", '"text"'])
def test_a_config_that_is_no_json_object_is_refused(text):
    with pytest.raises(ValueError, match="config: not a JSON object"):
        harvester("ckan").validate_config(text)


@pytest.mark.usefixtures("clean_db")
def test_ckanext_harvest_refuses_a_source_with_a_bad_config_naming_the_setting():
    org = factories.Organization()
    context = {"user": factories.Sysadmin()["name"]}
    data = {"name": "city-portal", "title": "City portal", "url": "https://portal.example/",
            "source_type": "citizendata_ckan", "frequency": "MANUAL", "owner_org": org["id"]}
    with pytest.raises(toolkit.ValidationError) as err:
        toolkit.get_action("harvest_source_create")(dict(context), dict(data, config='{"priority": "high"}'))
    assert "priority" in str(err.value.error_dict["config"])
    good = json.dumps(sources.harvest_config(spec("ckan")))
    created = toolkit.get_action("harvest_source_create")(dict(context), dict(data, config=good))
    assert json.loads(created["config"]) == json.loads(good)


@pytest.mark.parametrize("kind", sorted(PLUGINS))
def test_the_fetch_stage_has_nothing_to_fetch(kind):
    assert harvester(kind).fetch_stage(HarvestObject(guid="g", content="{}")) is True
