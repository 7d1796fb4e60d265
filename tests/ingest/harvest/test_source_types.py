"""Each source type end to end: a source file synced into CKAN (source_sync), a local server answering with the
recorded fixtures (harvesters/fixtures/{ckan,dcat,sdmx}/), ``logic.harvest.run_source`` in full. Records land in
the source's organization as the source states them, with their provenance, in the index's facets; an unchanged
run writes nothing, a changed record is the only one written; a listing that fails or empties withdraws nothing;
a source on a loopback address is refused unless allowed."""
from __future__ import annotations

import json
import pathlib

import pytest
import sqlalchemy as sa
import yaml
from ckan import model
from ckan.plugins import toolkit
from ckan.tests import factories
from ckanext.harvest.model import HarvestGatherError, HarvestJob, HarvestObjectError, HarvestSource

from ckanext.citizendata import harvesters
from ckanext.citizendata.ingest.harvest import fetch, provenance, source_sync
from ckanext.citizendata.ingest.harvest.replay import Replay
from ckanext.citizendata.logic import harvest

FIXTURES = pathlib.Path(harvesters.__file__).parent / "fixtures"
ORG = "partner-sources"
API = "/api/3/action/package_search"

# no waits between requests or before retries: what is tested is what the run does, not how long it waits
pytestmark = [pytest.mark.usefixtures("clean_db"),
              pytest.mark.ckan_config("ckanext.citizendata.harvest.requests_per_second", "0"),
              pytest.mark.ckan_config("ckanext.citizendata.harvest.backoff_seconds", "0")]

HDX_TITLES = {"unesco-data-for-zimbabwe": "Zimbabwe - Education Indicators",
              "ghana-community-scorecards-public-services": "Ghana - Community scorecards on public services",
              "togo-perception-survey-local-services": "Togo - Perception survey on local services"}
CITY_TITLES = ["Resident satisfaction survey 2023", "311 service requests", "Participatory budgeting votes 2024",
               "Street tree inventory", "Bicycle counts"]
DCAT_SITE = "https://data.partner.example/dataset/3f6c0b7e-1a11-4c55-9a51-00000000000"
DCAT_TITLES = {DCAT_SITE + "1": "Community air-quality sensor readings (test data)",
               DCAT_SITE + "2": "Household water point survey (test data)",
               DCAT_SITE + "3": "Public service satisfaction, round 3 (test data)",
               DCAT_SITE + "4": "Public service satisfaction surveys (test data)"}
SDG_FLOW = "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=IAEG-SDGs:DF_SDG_GLH(1.22)"
NAMAIN_FLOW = "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=SDMX:NAMAIN_IDC_N(1.0)"
TABLES = ("package", "activity", "harvest_object", "citizendata_harvest_record",
          "citizendata_search_index")


# ---------------------------------------------------------------- helpers
@pytest.fixture
def org():
    return factories.Organization(name=ORG, title="Partner sources")


@pytest.fixture
def server():
    with Replay() as replay:
        yield replay


def fixture(path: str, server: Replay | None = None) -> bytes:
    body = (FIXTURES / path).read_bytes()
    return body.replace(b"http://replay.test", server.base.encode()) if server else body


def add_source(folder: pathlib.Path, name: str, kind: str, url: str, **more) -> HarvestSource:
    """Write a source file into ``folder``, sync the folder, and return the source."""
    data = {"name": name, "title": f"{name} (test)", "type": kind, "url": url, "organization": ORG, **more}
    (folder / f"{name}.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    assert name in source_sync.sync(folder).created
    return HarvestSource.get(model.Package.get(name).id)


def run(name: str):
    return harvest.run_source(name, full=True)


def counts() -> dict[str, object]:
    """Rows of the tables a harvest writes (CKAN 2.11+ keeps a package's extras in its row), a digest of every
    package's extras, the latest metadata_modified."""
    query = ", ".join(f"(SELECT count(*) FROM {table})" for table in TABLES)
    row = model.Session.execute(sa.text(
        f"SELECT {query}, (SELECT md5(string_agg(coalesce(extras::text, ''), ',' ORDER BY id)) FROM package), "
        "(SELECT max(metadata_modified) FROM package)")).first()
    return dict(zip([*TABLES, "extras", "max(metadata_modified)"], row))


def modified_times(source: HarvestSource) -> dict[str, object]:
    """package id -> metadata_modified of the source's records, as the table holds them now."""
    ids = [r.package_id for r in provenance.by_guid(source.id, provenance.current_guids(source.id)).values()]
    rows = model.Session.execute(sa.select(model.package_table.c.id, model.package_table.c.metadata_modified)
                                 .where(model.package_table.c.id.in_(ids)))
    return dict(rows.all())


def shown(source: HarvestSource, guid: str) -> dict:
    row = provenance.get(source.id, guid)
    assert row is not None and not row.withdrawn, guid
    return toolkit.get_action("package_show")({"ignore_auth": True}, {"id": row.package_id})


def active_records(source: HarvestSource) -> int:
    ids = [r.package_id for r in provenance.by_guid(source.id, provenance.current_guids(source.id)).values()]
    return model.Session.query(model.Package).filter(model.Package.id.in_(ids),
                                                     model.Package.state == "active").count()


def facets(field: str, **query) -> dict[str, int]:
    found = toolkit.get_action("package_search")({"ignore_auth": True}, {
        "facet.field": json.dumps([field]), "rows": 0, "include_private": True, **query})
    return found["facets"][field]


def job_of(summary) -> HarvestJob:
    job = model.Session.get(HarvestJob, summary.job_id)
    model.Session.refresh(job)
    return job


def gather_errors(summary) -> list[str]:
    return [e.message for e in model.Session.query(HarvestGatherError).filter_by(harvest_job_id=summary.job_id)]


def serve_city(server: Replay, changed: dict[str, str] | None = None) -> None:
    """The city portal's three pages (two datasets each, start 0, 2, 4); ``changed``: a dataset name -> new title."""
    for start in (0, 2, 4):
        answer = json.loads(fixture(f"ckan/city-package_search-start-{start}.json"))
        for package in answer["result"]["results"]:
            package["title"] = (changed or {}).get(package["name"], package["title"])
        server.add("/city" + API, body=json.dumps(answer).encode(), content_type="application/json",
                   query={"start": str(start)})


def serve_catalog(server: Replay, page_2: bytes | None = None) -> str:
    server.add("/catalog.ttl", fixture("dcat/catalog-page-1.ttl", server), "text/turtle")
    server.add("/catalog.ttl", page_2 or fixture("dcat/catalog-page-2.ttl", server), "text/turtle",
               query={"page": "2"})
    return server.url("/catalog.ttl")


# ---------------------------------------------------------------- CKAN portals
def test_an_hdx_portal_gives_records_in_the_sources_organization_as_the_source_states_them(org, server, tmp_path):
    server.add("/hdx" + API, body=fixture("ckan/hdx-package_search.json"), content_type="application/json",
               query={"start": "0"})
    source = add_source(tmp_path, "hdx", "ckan", server.url("/hdx"))
    summary = run("hdx")
    assert (summary.status, summary.added, summary.errors, summary.withdrawn) == ("Finished", 3, 0, 0)
    answer = json.loads(fixture("ckan/hdx-package_search.json"))
    for package in answer["result"]["results"]:
        record = shown(source, package["id"])
        assert record["title"] == HDX_TITLES[package["name"]]
        assert record["organization"]["name"] == ORG
        [listed] = record["harvest_provenance"]
        assert listed["source_title"] == "hdx (test)" and listed["owner"] is True
        assert listed["original_uri"] == server.url(f"/hdx/dataset/{package['name']}")
        assert listed["job_id"] == summary.job_id
    zimbabwe = shown(source, answer["result"]["results"][0]["id"])
    assert zimbabwe["countries"] == ["ZWE"]
    assert provenance.count(source.id) == 3
    assert facets("harvest_source_title") == {"hdx (test)": 3}
    assert facets("needs_classification")["initiative_type"] == 3   # none states an initiative type


def test_a_city_portal_read_in_pages_then_reread_writes_nothing_then_one_change_writes_one(org, server, tmp_path):
    serve_city(server)
    source = add_source(tmp_path, "city", "ckan", server.url("/city"), options={"page_size": 2})
    first = run("city")
    assert (first.status, first.added, first.errors) == ("Finished", 5, 0)
    assert sorted(r["title"] for r in toolkit.get_action("package_search")(
        {"ignore_auth": True}, {"fq": f"organization:{ORG}", "rows": 10})["results"]) == sorted(CITY_TITLES)
    assert [line.split("&sort")[0] for line in server.log] == [
        f"/city{API}?rows=2&start={start}" for start in (0, 2, 4)]

    before, times = counts(), modified_times(source)
    second = run("city")
    assert (second.status, second.added, second.updated, second.unchanged, second.withdrawn) == \
        ("Finished", 0, 0, 5, 0)
    assert counts() == before and modified_times(source) == times

    serve_city(server, changed={"street-tree-inventory": "Street tree inventory, 2024 edition"})
    third = run("city")
    assert (third.status, third.added, third.updated, third.unchanged) == ("Finished", 0, 1, 4)
    after = modified_times(source)
    [changed] = [pid for pid in after if after[pid] != times[pid]]
    assert model.Package.get(changed).title == "Street tree inventory, 2024 edition"


def test_a_listing_that_fails_mid_paging_withdraws_nothing_and_fails_the_job(org, server, tmp_path):
    serve_city(server)
    source = add_source(tmp_path, "city", "ckan", server.url("/city"), options={"page_size": 2})
    run("city")
    server.add("/city" + API, status=500, body=b"Internal Server Error", content_type="text/html",
               query={"start": "2"})
    summary = run("city")
    assert (summary.status, summary.withdrawn) == ("Failed", 0)
    assert summary.reasons == [f"{server.url('/city' + API)}?rows=2&start=2&sort=metadata_created+asc%2C+id+asc: "
                               "the source answered with HTTP status 500"]
    assert job_of(summary).status == "Failed"
    assert active_records(source) == 5


def test_an_emptied_listing_withdraws_nothing(org, server, tmp_path):
    serve_city(server)
    source = add_source(tmp_path, "city", "ckan", server.url("/city"), options={"page_size": 2})
    run("city")
    empty = {"help": "", "success": True, "result": {"count": 0, "results": [], "facets": {}, "search_facets": {}}}
    server.add("/city" + API, body=json.dumps(empty).encode(), content_type="application/json", query={"start": "0"})
    summary = run("city")
    assert (summary.withdrawn, summary.added, summary.updated) == (0, 0, 0)
    [reason] = summary.reasons
    assert "holds 0 of the 5 current records, below the threshold of 80%: nothing is withdrawn" in reason
    assert any("nothing is withdrawn" in message for message in gather_errors(summary))
    assert active_records(source) == 5


# ---------------------------------------------------------------- DCAT catalogs
def test_a_turtle_catalog_in_two_pages_gives_its_datasets_and_series(org, server, tmp_path):
    source = add_source(tmp_path, "partner", "dcat", serve_catalog(server))
    summary = run("partner")
    assert (summary.status, summary.added, summary.errors) == ("Finished", 4, 0)
    for guid, title in DCAT_TITLES.items():
        record = shown(source, guid)
        assert record["title"] == title and record["organization"]["name"] == ORG
        assert record["harvest_provenance"][0]["original_uri"] == guid
    assert shown(source, DCAT_SITE + "4")["type"] == "dataset_series"
    round_3 = shown(source, DCAT_SITE + "3")
    assert round_3["initiative_type"] == "public-service-feedback"     # stated by the catalog (cdt: terms)
    assert facets("harvest_source_title") == {"partner (test)": 4}
    classify = facets("needs_classification")
    assert classify["initiative_type"] == 2          # the two page-1 datasets state none

    before = counts()
    again = run("partner")
    assert (again.status, again.unchanged, again.added, again.updated) == ("Finished", 4, 0, 0)
    assert counts() == before


def test_a_changed_dataset_of_a_catalog_is_the_only_one_written(org, server, tmp_path):
    source = add_source(tmp_path, "partner", "dcat", serve_catalog(server))
    run("partner")
    times = modified_times(source)
    page_2 = fixture("dcat/catalog-page-2.ttl", server).replace(b"Citizens rate public services they used",
                                                                 b"Citizens rate the public services they used")
    serve_catalog(server, page_2=page_2)
    summary = run("partner")
    assert (summary.updated, summary.unchanged, summary.added) == (1, 3, 0)
    after = modified_times(source)
    assert [pid for pid in after if after[pid] != times[pid]] == [shown(source, DCAT_SITE + "3")["id"]]
    assert shown(source, DCAT_SITE + "3")["notes"].startswith("Citizens rate the public services they used")


def test_a_truncated_page_withdraws_nothing_and_fails_the_job(org, server, tmp_path):
    source = add_source(tmp_path, "partner", "dcat", serve_catalog(server))
    run("partner")
    serve_catalog(server, page_2=fixture("dcat/truncated-page.ttl", server))
    summary = run("partner")
    assert (summary.status, summary.withdrawn) == ("Failed", 0)
    [reason] = summary.reasons
    assert "the page is not valid Turtle" in reason
    assert job_of(summary).status == "Failed"
    assert active_records(source) == 4


def test_a_dirty_catalog_keeps_its_datasets_and_the_warnings_in_their_provenance(org, server, tmp_path):
    server.add("/dirty/catalog.ttl", fixture("dcat/dirty-catalog.ttl"), "text/turtle")
    source = add_source(tmp_path, "dirty", "dcat", server.url("/dirty/catalog.ttl"))
    summary = run("dirty")
    assert (summary.status, summary.added) == ("Finished", 3)
    two = shown(source, server.url("/dirty/dataset/dirty-2"))
    assert two["title"] == "Street light outages (test data)" and two["url"] == server.url("/dirty/street-lights")
    assert two["harvest_provenance"][0]["warnings"] == [
        "publisher: <https://agency.example/id/7> has a second name 'Test Data Agency' in the same language; dropped"]
    # without a description (dirty-1's is empty, dirty-3 has none) a record still arrives, described from what the
    # source states, and says so; the dataset without identifier has no guid and is a gather error
    one = shown(source, server.url("/dirty/dataset/dirty-1"))
    assert "the source gives no description" in one["notes"] and one["title"] in one["notes"]
    assert any(w.startswith("notes: the source gives no description") for w in
               one["harvest_provenance"][0]["warnings"])
    assert provenance.get(source.id, "dirty-3") is not None
    assert model.Session.query(HarvestObjectError).count() == 0
    assert gather_errors(summary) == [f"record #4 at {server.url('/dirty/catalog.ttl')} could not be read: a dataset "
                                      "without an IRI or dct:identifier: no guid to follow it by"]
    assert summary.errors == 1
    assert run("dirty").unchanged == 3


# ---------------------------------------------------------------- SDMX registries
def test_a_v1_registry_gives_its_dataflow_described_from_its_structure(org, server, tmp_path):
    server.add("/ws/rest/dataflow/IAEG-SDGs/all/latest", fixture("sdmx/IAEG-SDGs_DF_SDG_GLH-structure-2.1.xml"),
               "application/xml")
    source = add_source(tmp_path, "unsd", "sdmx", server.url("/ws/rest"), options={"agency": "IAEG-SDGs"})
    summary = run("unsd")
    assert (summary.status, summary.added, summary.errors) == ("Finished", 1, 0)
    assert server.log == ["/ws/rest/dataflow/IAEG-SDGs/all/latest?references=descendants"]
    record = shown(source, SDG_FLOW)
    assert record["title"] == "SDG Harmonized Global Dataflow" and record["organization"]["name"] == ORG
    assert record["disaggregation"][:2] == ["REF_AREA", "SEX"]
    assert (record["sdg_series"], record["sdg_indicators"], record["unit_measure"]) == \
        (["SI_POV_DAY1"], ["1.1.1"], ["PT"])
    assert record["harvest_provenance"][0]["identifier"] == "IAEG-SDGs:DF_SDG_GLH(1.22)"
    before = counts()
    assert run("unsd").unchanged == 1 and counts() == before


def test_a_v2_registry_dataflow_without_description_is_described_by_its_structure(org, server, tmp_path):
    server.add("/ws/rest/structure/dataflow/*/*/~", fixture("sdmx/SDMX_NAMAIN_IDC_N-structure-3.0.xml"),
               "application/xml")
    source = add_source(tmp_path, "global", "sdmx", server.url("/ws/rest"), options={"api": "v2"})
    summary = run("global")
    assert (summary.status, summary.added) == ("Finished", 1)
    record = shown(source, NAMAIN_FLOW)
    assert record["title"] == "NAMAIN_IDC_N"
    assert record["notes"].startswith("SDMX dataflow NAMAIN_IDC_N of SDMX, version 1.0. Structure NA_MAIN (ESTAT, "
                                      "version 1.6): dimensions ")


# ---------------------------------------------------------------- the address guard
@pytest.mark.ckan_config("ckanext.citizendata.harvest.allow_addresses", "")
def test_a_source_on_a_loopback_address_is_refused_unless_allowed(org, server, tmp_path):
    server.add("/hdx" + API, body=fixture("ckan/hdx-package_search.json"), content_type="application/json")
    source = add_source(tmp_path, "hdx", "ckan", server.url("/hdx"))
    summary = run("hdx")
    assert (summary.status, summary.added) == ("Failed", 0)
    [reason] = summary.reasons
    assert f"127.0.0.1 is not a public address: {fetch.NOT_PUBLIC}" in reason
    assert job_of(summary).status == "Failed"
    assert any("127.0.0.1 is not a public address" in message for message in gather_errors(summary))
    assert server.log == [] and provenance.count(source.id) == 0
