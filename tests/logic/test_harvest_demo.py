"""logic/harvest.py run_demo: the demo sources (harvesters/demo/) harvested from their recorded responses, served
on a port of the test's choosing (not the 8765 their files name), into the demo organization of records.json; the
harvest pages of ckanext-harvest show them."""
from __future__ import annotations

import json
from importlib import resources

import pytest
from bs4 import BeautifulSoup
from ckan import model
from ckan.plugins import toolkit
from ckanext.harvest.model import HarvestJob, HarvestSource

from ckanext.citizendata.ingest import bulk
from ckanext.citizendata.ingest.harvest import provenance, replay, source_sync, sources
from ckanext.citizendata.logic import harvest
from ckanext.citizendata.testing import free_port

pytestmark = pytest.mark.usefixtures("clean_db")

DEMO_ORG = "demo-partner-sources"
TITLES = {"demo-ckan-portal": "HDX-shaped CKAN portal (demo: recorded responses)",
          "demo-dcat-catalog": "Partner DCAT catalog (demo: recorded responses)",
          "demo-eu-citizen-science": "EU-Citizen.Science projects (demo: partly made up)",
          "demo-kobotoolbox": "CSO KoboToolbox server (demo: made up)",
          "demo-ppsr-core": "PPSR Core registry feed (demo: partly made up)"}
# the first request of each source type's listing: (path after the source's URL, query)
FIRST_REQUEST = {"ckan": ("/api/3/action/package_search", {"start": "0"}), "dcat": ("", {}), "ppsr": ("", {}),
                 "eucs": ("/api/projects/", {}), "kobo": ("/api/v2/assets/", {"q": "asset_type:survey", "start": "0"})}
CKAN_TITLES = {"Zimbabwe - Education Indicators",
               "Ghana - Community scorecards on public services (made up for the demo)",
               "Togo - Perception survey on local services (made up for the demo)"}
DCAT_TITLES = {"Community air-quality sensor readings (test data)", "Household water point survey (test data)",
               "Public service satisfaction, round 3 (test data)", "Public service satisfaction surveys (test data)"}


def demo_organizations() -> list[dict]:
    data = json.loads(resources.files("ckanext.citizendata.demo").joinpath("records.json").read_text("utf-8"))
    return data["organizations"]


@pytest.fixture
def seeded():
    """The demo's organizations, as seed-demo writes them."""
    for org in demo_organizations():
        bulk.ensure_organization(org)


def source_of(name: str) -> HarvestSource:
    return HarvestSource.get(model.Package.get(name).id)


def shown_records(source: HarvestSource) -> list[dict]:
    ids = [row.package_id for row in provenance.by_guid(source.id, provenance.current_guids(source.id)).values()]
    return [toolkit.get_action("package_show")({"ignore_auth": True}, {"id": i}) for i in ids]


def test_the_demo_sources_organization_is_one_of_the_demo_organizations():
    names = {org["name"] for org in demo_organizations()}
    specs = sources.load_all(harvest.demo_folder())
    assert {spec.name: spec.organization for spec in specs} == {name: DEMO_ORG for name in TITLES}
    assert DEMO_ORG in names
    assert {spec.name: spec.title for spec in specs} == TITLES
    assert all(spec.url.startswith(harvest.DEMO_BASE + "/") for spec in specs)


def test_every_demo_source_url_is_served_by_the_recorded_routes():
    with replay.Replay() as server:
        assert server.add_recorded(harvest.demo_folder(), recorded_base=harvest.DEMO_BASE) == 9
        for spec in sources.load_all(harvest.demo_folder()):
            suffix, query = FIRST_REQUEST[spec.type]
            answer = server.answer(spec.url.replace(harvest.DEMO_BASE, "") + suffix, query, {})
            assert answer.status == 200, spec.name
        page_1 = server.answer("/dcat/catalog.ttl", {}, {}).body
        kobo_1 = server.answer("/kobo/api/v2/assets/", FIRST_REQUEST["kobo"][1], {}).body
    assert server.base.encode() in kobo_1 and harvest.DEMO_BASE.encode() not in kobo_1
    # the recorded next-page link names the server actually serving
    assert f'hydra:next "{server.base}/dcat/catalog.ttl?page=2"'.encode() in page_1
    assert harvest.DEMO_BASE.encode() not in page_1


def test_the_demo_harvests_every_source_from_recorded_responses(seeded):
    port = free_port()
    summaries = harvest.run_demo(port)
    assert [(s.status, s.added, s.updated, s.errors) for s in summaries] == [
        ("Finished", 3, 0, 0), ("Finished", 4, 0, 0), ("Finished", 6, 0, 0), ("Finished", 3, 0, 0),
        ("Finished", 8, 1, 0)]     # PPSR Core lists Globe at Night too, and owns it (priority 10 over 5)
    for name, titles in (("demo-ckan-portal", CKAN_TITLES), ("demo-dcat-catalog", DCAT_TITLES)):
        source = source_of(name)
        assert source.url.startswith(f"http://127.0.0.1:{port}/") and source.title == TITLES[name]
        records = shown_records(source)
        assert {r["title"] for r in records} == titles     # page 2 of the catalog too: its link was rewritten
        assert {r["organization"]["name"] for r in records} == {DEMO_ORG}
        for record in records:
            [listed] = record["harvest_provenance"]
            assert listed["source_title"] == TITLES[name] and listed["owner"] is True
            assert listed["job_id"] == summaries[list(TITLES).index(name)].job_id
    scorecards = next(r for r in shown_records(source_of("demo-ckan-portal")) if "scorecards" in r["title"])
    assert scorecards["initiative_type"] == "community-based-monitoring"   # the source file's rule
    assert scorecards["countries"] == ["GHA"]
    air = next(r for r in shown_records(source_of("demo-dcat-catalog")) if r["title"].startswith("Community air"))
    assert (air["initiative_type"], air["sdg_indicators"]) == ("citizen-science", ["11.6.2"])


def test_registries_and_field_tools_give_initiatives_and_datasets_whose_pages_say_where_engagement_came_from(
        seeded, app):
    harvest.run_demo(free_port())
    registry, eucs, kobo = (shown_records(source_of(name))
                            for name in ("demo-ppsr-core", "demo-eu-citizen-science", "demo-kobotoolbox"))
    assert len(registry) == 9 and len(eucs) == 6 and len(kobo) == 3
    assert {r["type"] for r in registry + eucs} == {"dataset_series"} and {r["type"] for r in kobo} == {"dataset"}
    # one record for the project both registries list, owned by the PPSR Core feed, also listed at EU-Citizen.Science
    [globe] = [r for r in registry if r["title"] == "Globe at Night"]
    assert [r["id"] for r in eucs if r["title"] == "Globe at Night"] == [globe["id"]]
    assert [(p["source_title"], p["owner"]) for p in globe["harvest_provenance"]] == [
        (TITLES["demo-ppsr-core"], True), (TITLES["demo-eu-citizen-science"], False)]
    # every engagement stage of a harvested record names the table that derived it
    for record in registry + eucs + kobo:
        assert record["engagement"], record["title"]
        for entry in record["engagement"]:
            assert entry["derived_from"].startswith("derived from the source's "), record["title"]
            assert entry["level"] <= 3            # the tables never claim collaboration or leadership
    survey = next(r for r in kobo if r["title"].startswith("Public service satisfaction"))
    assert survey["collection_methods"] == ["digital-form-survey"] and survey["sdg_indicators"] == ["16.6.2"]
    assert survey["ethics"] == {"personal_data": False}
    page = app.get(f"/dataset_series/{next(r for r in eucs if r['title'] == 'Mosquito Alert')['name']}").body
    derived = BeautifulSoup(page, "html.parser").select_one(".citizendata-derived-from").get_text(" ", strip=True)
    assert derived.startswith("Not stated by a person: derived from the source's participation tasks")
    assert "Where this record comes from" in page
    found = toolkit.get_action("package_search")({"ignore_auth": True}, {
        "fq": "harvest_source_title:*", "facet.field": '["initiative_type", "harvest_source_title", "type"]',
        "rows": 0})
    facets = found["facets"]
    others = [r for name in ("demo-ckan-portal", "demo-dcat-catalog") for r in shown_records(source_of(name))
              if r.get("initiative_type") == "citizen-science"]
    assert facets["initiative_type"]["citizen-science"] == 14 + len(others)   # the registries' 14 projects
    assert facets["harvest_source_title"][TITLES["demo-kobotoolbox"]] == 3


def test_a_second_demo_run_changes_nothing_and_leaves_other_sources_alone(seeded, tmp_path):
    other = tmp_path / "partner.yaml"
    other.write_text("name: partner-catalog\ntitle: Partner\ntype: dcat\nurl: https://data.partner.example/c.ttl\n"
                     f"organization: {DEMO_ORG}\n", encoding="utf-8")
    assert source_sync.sync(tmp_path).created == ["partner-catalog"]
    port = free_port()
    harvest.run_demo(port)
    again = harvest.run_demo(port)
    assert [(s.status, s.added, s.updated, s.withdrawn, s.unchanged) for s in again] == [
        ("Finished", 0, 0, 0, 3), ("Finished", 0, 0, 0, 4), ("Finished", 0, 0, 0, 6), ("Finished", 0, 0, 0, 3),
        ("Finished", 0, 0, 0, 9)]
    assert source_of("partner-catalog").active   # the demo's sync deactivates no source of the site


def test_the_harvest_pages_list_the_demo_sources_and_their_jobs(seeded, app, sysadmin_env):
    summaries = harvest.run_demo(free_port())
    listing = app.get("/harvest", status=200).body
    for title in TITLES.values():
        assert title in listing
    _user, environ = sysadmin_env
    job = model.Session.get(HarvestJob, summaries[1].job_id)
    page = app.get(f"/harvest/demo-dcat-catalog/job/{job.id}", headers=environ, status=200).body
    assert "Finished" in page and job.id in page
