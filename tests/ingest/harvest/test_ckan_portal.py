"""ingest/harvest/ckan_portal.py: a CKAN portal listed through package_search (pages in creation order, restarts
when the count changes, each id once, a failed page ends the listing, the incremental fq) and its datasets
mapped to records of our schema, HDX's fields included; bad optional values become warnings, not lost datasets."""
import copy
import datetime
import json
import pathlib
import urllib.parse

import pytest
import yaml

from ckanext.citizendata.ingest.harvest import ckan_portal
from ckanext.citizendata.ingest.harvest.ckan_portal import MappingError, map_dataset, pages
from ckanext.citizendata.ingest.harvest.fetch import Client
from ckanext.citizendata.ingest.harvest.listing import SourceSpec
from ckanext.citizendata.ingest.harvest.replay import Replay, Reply

ROOT = pathlib.Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "harvesters" / "fixtures" / "ckan"
API = "/api/3/action/package_search"
EU = "http://publications.europa.eu/resource/authority/frequency/"
UTC = datetime.timezone.utc


def fixture(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def fixture_bytes(name):
    return (FIXTURES / name).read_bytes()


def city_packages():
    return [p for start in (0, 2, 4) for p in fixture(f"city-package_search-start-{start}.json")["result"]["results"]]


def hdx_packages():
    return fixture("hdx-package_search.json")["result"]["results"]


def answer(results, count=None):
    body = {"help": "http://portal/api/3/action/help_show?name=package_search", "success": True,
            "result": {"count": len(results) if count is None else count, "results": results}}
    return Reply(body=json.dumps(body).encode(), content_type="application/json")


def spec_for(url, **options):
    return SourceSpec(name="portal", type="ckan", url=url, organization="partner", options=options)


def queries(server):
    """The package_search queries the server was asked, as dicts."""
    return [dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(line).query)) for line in server.log
            if line.startswith(API)]


def listed(pages_):
    return [s.guid for page in pages_ for s in page.sightings]


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def server():
    with Replay() as replay:
        yield replay


def serve_city(server):
    for start in (0, 2, 4):
        server.add(API, body=fixture_bytes(f"city-package_search-start-{start}.json"),
                   content_type="application/json", query={"start": str(start)})


def sliced(datasets):
    """A handler that answers package_search from ``datasets()`` by start and rows, its count theirs."""
    def handler(request):
        current = datasets()
        start, rows = int(request.query["start"]), int(request.query["rows"])
        return answer(current[start:start + rows], count=len(current))
    return handler


# ------------------------------------------------------------------ listing


def test_a_full_listing_reads_every_page_in_creation_order(server, client):
    serve_city(server)
    found = list(pages(spec_for(server.base, page_size=2), client))
    assert [p.failed for p in found] == [None, None, None]
    assert listed(found) == [p["id"] for p in city_packages()]
    asked = queries(server)
    assert [q["start"] for q in asked] == ["0", "2", "4"]
    assert {(q["rows"], q["sort"]) for q in asked} == {("2", "metadata_created asc, id asc")}
    assert all("fq" not in q for q in asked)
    assert found[1].url == server.base + API + "?rows=2&start=2&sort=metadata_created+asc%2C+id+asc"


def test_the_page_size_is_100_by_default_and_at_most_1000(server, client):
    server.add(API, handler=sliced(city_packages))
    list(pages(spec_for(server.base), client))
    list(pages(spec_for(server.base, page_size=5000), client))
    assert [q["rows"] for q in queries(server)] == ["100", "1000"]
    assert ckan_portal.page_size(spec_for("http://x", page_size=0)) == 1
    assert ckan_portal.page_size(spec_for("http://x", page_size="many")) == 100


def test_an_empty_portal_is_one_empty_page(server, client):
    server.add(API, handler=lambda request: answer([]))
    found = list(pages(spec_for(server.base), client))
    assert [(p.failed, p.sightings, p.errors) for p in found] == [(None, [], [])]


def test_a_count_change_restarts_the_listing_and_yields_each_id_once(server, client):
    datasets = city_packages()
    late = dict(copy.deepcopy(datasets[0]), id="99999999-0000-4000-8000-000000000000", name="late-arrival")
    state = {"asked": 0}

    def current():
        state["asked"] += 1
        if state["asked"] == 2:           # a dataset is created while the second page is asked
            datasets.append(late)
        return datasets

    server.add(API, handler=sliced(current))
    found = list(pages(spec_for(server.base, page_size=2), client))
    assert [p.failed for p in found] == [None] * len(found)
    ids = listed(found)
    assert sorted(ids) == sorted(p["id"] for p in datasets) and len(ids) == 6 == len(set(ids))
    assert [q["start"] for q in queries(server)] == ["0", "2", "0", "2", "4"]


def test_a_listing_that_keeps_changing_fails_after_five_restarts(server, client):
    datasets = city_packages()
    state = {"asked": 0}

    def handler(request):
        state["asked"] += 1
        start = int(request.query["start"])
        return answer(datasets[start:start + 2], count=100 + state["asked"])   # a new count on every page

    server.add(API, handler=handler)
    found = list(pages(spec_for(server.base, page_size=2), client))
    assert found[-1].failed and "kept changing" in found[-1].failed
    assert [p.failed for p in found[:-1]] == [None] * 6          # the first page of each of the 6 attempts
    assert len(queries(server)) == 12
    assert len(set(listed(found))) == len(listed(found)) == 2


def test_repeated_ids_across_pages_are_dropped(server, client):
    a, b, c = city_packages()[:3]
    server.add(API, handler=lambda request: answer([a, b], count=4), query={"start": "0"})
    server.add(API, handler=lambda request: answer([b, c], count=4), query={"start": "2"})
    found = list(pages(spec_for(server.base, page_size=2), client))
    assert listed(found) == [a["id"], b["id"], c["id"]]
    assert [p.errors for p in found] == [[], []]


def test_a_failing_page_ends_the_listing_as_failed(server, client):
    serve_city(server)
    server.add(API, status=500, body=b"Internal Server Error", content_type="text/html", query={"start": "2"})
    found = list(pages(spec_for(server.base, page_size=2), client))
    assert len(found) == 2 and found[0].failed is None and found[1].failed
    assert "start=2" in found[1].url and found[1].sightings == []
    assert "4" not in [q["start"] for q in queries(server)]


@pytest.mark.parametrize("body, why", [
    (b'{"help": "", "success": true, "result": {"count": 5, "resul', "not JSON"),
    (b'{"help": "", "success": false, "error": {"__type": "Search Query Error", "message": "bad"}}',
     "success: false (Search Query Error)"),
    (b'{"help": "", "success": true}', "no result"),
    (b'{"help": "", "success": true, "result": {"results": []}}', "no count"),
    (b'{"help": "", "success": true, "result": {"count": 3, "results": {}}}', "no list of results"),
    (b'[1, 2]', "not a JSON object"),
])
def test_an_unreadable_answer_is_a_failed_page(server, client, body, why):
    serve_city(server)
    server.add(API, body=body, content_type="application/json", query={"start": "2"})
    found = list(pages(spec_for(server.base, page_size=2), client))
    assert [p.failed is None for p in found] == [True, False]
    assert why in found[1].failed


def test_an_empty_page_before_the_count_is_reached_fails(server, client):
    server.add(API, handler=lambda request: answer(city_packages()[:2], count=5), query={"start": "0"})
    server.add(API, handler=lambda request: answer([], count=5), query={"start": "2"})
    found = list(pages(spec_for(server.base, page_size=2), client))
    assert found[-1].failed == "an empty page at start 2 of 5 datasets"


def test_since_asks_for_datasets_modified_an_hour_before(server, client):
    server.add(API, handler=sliced(city_packages))
    since = datetime.datetime(2024, 3, 1, 12, 30, tzinfo=UTC)
    list(pages(spec_for(server.base), client, since=since))
    list(pages(spec_for(server.base, fq="organization:resident-services"), client, since=since))
    plus_two = datetime.timezone(datetime.timedelta(hours=2))
    list(pages(spec_for(server.base), client, since=datetime.datetime(2024, 3, 1, 14, 30, 5, tzinfo=plus_two)))
    list(pages(spec_for(server.base), client, since=datetime.datetime(2024, 3, 1, 12, 30)))   # naive: UTC
    list(pages(spec_for(server.base, fq="organization:resident-services"), client))
    assert [q.get("fq") for q in queries(server)] == [
        "metadata_modified:[2024-03-01T11:30:00Z TO *]",
        "+(organization:resident-services) +metadata_modified:[2024-03-01T11:30:00Z TO *]",
        "metadata_modified:[2024-03-01T11:30:05Z TO *]",
        "metadata_modified:[2024-03-01T11:30:00Z TO *]",
        "organization:resident-services",
    ]


def test_a_dataset_that_cannot_be_mapped_is_a_page_error_and_the_rest_is_kept(server, client):
    server.add(API, body=fixture_bytes("hdx-package_search-bad-values.json"), content_type="application/json")
    [page] = list(pages(spec_for(server.base), client))
    assert page.failed is None
    assert [s.guid for s in page.sightings] == ["6f0c2b9d-3e4a-4b5c-8d7e-9f0a1b2c3d4e"]
    assert page.errors == [("#2", "the dataset has no id"),
                           ("1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "the dataset has no readable title")]


# ------------------------------------------------------------------ mapping: a plain CKAN portal


def test_a_plain_ckan_dataset_maps_to_our_fields():
    spec = spec_for("https://data.city.example/")
    sighting = map_dataset(city_packages()[0], spec)
    assert sighting.guid == "0e4c6a8b-1d3f-4b5a-9c7e-2f4a6c8e0b1d"
    assert sighting.original_uri == "https://data.city.example/dataset/resident-satisfaction-survey-2023"
    assert (sighting.identifier, sighting.publisher) == ("RSS-2023", "Resident Services Department")
    assert sighting.upstream_modified == "2024-01-15T10:03:58.904120"
    assert sighting.warnings == []
    record = sighting.record
    assert record["title"] == "Resident satisfaction survey 2023"
    assert record["notes"].startswith("Answers of 1,850 residents")
    assert record["url"] == "https://www.city.example/resident-survey"
    assert record["tags"] == [{"name": "survey"}, {"name": "public services"}, {"name": "satisfaction"}]
    assert record["license_id"] == "cc-by"
    assert (record["issued"], record["modified"]) == ("2023-11-20T16:41:02.317455", "2024-01-15T10:03:58.904120")
    assert record["identifier"] == "RSS-2023"
    assert record["contact"] == [{"name": "Open Data Team", "email": "opendata@city.example"}]
    assert record["publisher"] == [{"name": "Resident Services Department"}]
    assert record["resources"][1] == {"url": "https://www.city.example/media/survey-2023-questionnaire.pdf",
                                      "name": "Questionnaire", "format": "PDF"}
    assert "countries" not in record and "frequency" not in record


def test_plain_ckan_fallbacks_author_portal_page_and_id():
    spec = spec_for("https://data.city.example")
    by_name = {p["name"]: map_dataset(p, spec) for p in city_packages()}
    budget = by_name["participatory-budgeting-votes-2024"]
    assert budget.record["contact"] == [{"name": "Participatory Budget Office", "email": "budget@city.example"}]
    assert budget.record["url"] == "https://data.city.example/dataset/participatory-budgeting-votes-2024"
    assert budget.identifier == budget.record["identifier"] == budget.guid
    assert "contact" not in by_name["bicycle-counts"].record


def test_theme_groups_of_a_plain_portal_are_not_countries():
    package = dict(city_packages()[3], groups=[{"name": "fra", "title": "Fresh air"}])
    assert "countries" not in map_dataset(package, spec_for("https://data.city.example")).record
    hdx_profile = spec_for("https://data.city.example", profile="hdx")
    assert map_dataset(package, hdx_profile).record["countries"] == ["FRA"]


# ------------------------------------------------------------------ mapping: HDX


def test_an_hdx_dataset_maps_every_field():
    spec = spec_for("https://data.humdata.org")
    sighting = map_dataset(hdx_packages()[1], spec)
    record = sighting.record
    assert sighting.guid == "3c9e7d21-6b0f-4a55-9f0e-1d2b7a4c8e60"
    assert sighting.original_uri == "https://data.humdata.org/dataset/ghana-community-scorecards-public-services"
    assert sighting.publisher == "Example Community Monitoring Network"
    assert record["notes"] == (
        "Satisfaction of residents with local public services (health, water, education), rated by service users "
        "in community scorecard meetings and a household survey, by district and sex.\n\n"
        "Methodology: Community scorecards in 24 districts: service users scored health, water and education "
        "services in facilitated meetings, followed by 2,400 face-to-face household interviews on a stratified "
        "random sample.\n\n"
        "Caveats: District results rest on small samples; read the methodology note before comparing districts."
        "\n\nSource: Example Community Monitoring Network; district assemblies")
    assert record["countries"] == ["GHA"]
    assert record["frequency"] == EU + "ANNUAL"
    assert record["temporal_coverage"] == [{"start": "2019-01-01", "end": "2024-12-31"}]
    assert record["tags"] == [{"name": n} for n in ("education", "health", "hxl", "indicators")]
    assert record["license_id"] == "cc-by"
    assert record["url"] == sighting.original_uri
    assert [r["format"] for r in record["resources"]] == ["CSV", "PDF"]
    assert record["resources"][0]["url"].endswith("/download/scorecards_gha_2019_2024.csv")
    assert "collection_methods" not in record and "partners" not in record
    # HDX's maintainer is an account id: not a contact name
    assert "contact" not in record
    assert sighting.warnings == ["contact: maintainer '7d3f2a10-4b5c-4d6e-8f70-81a2b3c4d5e6' is an account id at "
                                 "the source, not a name; dropped"]


def test_hdx_public_dataset_and_hdx_connect_dataset():
    spec = spec_for("https://data.humdata.org")
    unesco, _, connect = (map_dataset(p, spec) for p in hdx_packages())
    assert unesco.record["countries"] == ["ZWE"]
    assert unesco.record["frequency"] == EU + "QUARTERLY"
    assert unesco.record["temporal_coverage"] == [{"start": "1970-01-01", "end": "2019-12-31"}]
    assert "\n\nMethodology: Registry\n\nSource: UNESCO Institute for Statistics (UIS)" in unesco.record["notes"]
    assert "Caveats" not in unesco.record["notes"]
    assert unesco.record["license_id"] == "cc-by-igo" and unesco.publisher == "UNESCO"
    assert connect.record["frequency"] == EU + "IRREG"
    assert connect.record["temporal_coverage"] == [{"start": "2023-06-01"}]
    assert "Methodology: Sample Survey" in connect.record["notes"]
    assert "resources" not in connect.record


@pytest.mark.parametrize("days, code", [
    ("-2", "IRREG"), ("-1", "NEVER"), ("0", "UPDATE_CONT"), ("1", "DAILY"), ("7", "WEEKLY"), ("14", "BIWEEKLY"),
    ("30", "MONTHLY"), ("90", "QUARTERLY"), ("180", "BIANNUAL"), ("365", "ANNUAL"), (365, "ANNUAL"),
])
def test_hdx_update_frequencies_become_eu_frequencies(days, code):
    package = dict(hdx_packages()[1], data_update_frequency=days)
    assert map_dataset(package, spec_for("https://data.humdata.org")).record["frequency"] == EU + code


def test_bad_optional_values_become_warnings_not_lost_datasets():
    bad = fixture("hdx-package_search-bad-values.json")["result"]["results"][0]
    sighting = map_dataset(bad, spec_for("https://data.humdata.org"))
    record = sighting.record
    assert record["title"] == "Kosovo and Ghana - Community survey pilot"
    assert record["countries"] == ["GHA"]
    assert record["tags"] == [{"name": "education"}]
    assert record["contact"] == [{"name": "Pilot team"}]
    assert record["url"] == "https://data.humdata.org/dataset/kosovo-ghana-community-survey-pilot"
    assert [r["name"] for r in record["resources"]] == ["Methodology note"]
    assert "issued" not in record and record["modified"] == "2024-05-02T11:00:00.000000"
    assert "frequency" not in record and "temporal_coverage" not in record
    fields = [w.split(":", 1)[0] for w in sighting.warnings]
    assert sorted(fields) == sorted(["url", "tags", "issued", "contact", "resources", "resources", "frequency",
                                     "temporal_coverage", "countries"])
    assert "countries: the location 'xkx' (Kosovo) is not an ISO 3166-1 alpha-3 country; dropped" \
        in sighting.warnings
    assert "frequency: an update frequency of '45' days has no EU frequency; dropped" in sighting.warnings


@pytest.mark.parametrize("change, field", [
    ({"dataset_date": "[2024-12-31T00:00:00 TO 2019-01-01T00:00:00]"}, "temporal_coverage"),
    ({"dataset_date": "[sometime TO *]"}, "temporal_coverage"),
    ({"data_update_frequency": "weekly"}, "frequency"),
    ({"notes": "Half\x00a description"}, "notes"),
    ({"tags": [{"name": "fine"}, {"name": {"nested": "x"}}]}, "tags"),
    ({"resources": ["not an object"]}, "resources"),
    ({"groups": [{"title": "No name"}]}, "countries"),
])
def test_each_bad_value_names_its_field(change, field):
    sighting = map_dataset(dict(hdx_packages()[1], **change), spec_for("https://data.humdata.org"))
    assert any(w.startswith(field + ":") for w in sighting.warnings)
    assert sighting.record["title"]


@pytest.mark.parametrize("package, why", [
    ({"title": "No id"}, "no id"),
    ({"id": "abc", "title": "   "}, "no readable title"),
    ({"id": "abc", "title": "Bad\x00title"}, "no readable title"),
    ("not a dict", "not a JSON object"),
])
def test_a_dataset_without_id_or_title_cannot_be_mapped(package, why):
    with pytest.raises(MappingError, match=why):
        map_dataset(package, spec_for("https://data.humdata.org"))


def test_defaults_fill_only_what_the_source_leaves_empty():
    spec = spec_for("https://data.humdata.org")
    spec.defaults = {"initiative_type": "community-survey", "license_id": "cc-zero",
                     "engagement": [{"stage": "collect", "level": 3}], "countries": ["TGO"]}
    record = map_dataset(hdx_packages()[1], spec).record
    assert record["initiative_type"] == "community-survey"
    assert record["engagement"] == [{"stage": "collect", "level": 3}]
    assert record["license_id"] == "cc-by" and record["countries"] == ["GHA"]
    record["engagement"][0]["level"] = 5
    assert spec.defaults["engagement"][0]["level"] == 3


def test_mapping_is_pure_the_same_dataset_gives_the_same_hash():
    spec = spec_for("https://data.humdata.org")
    package = hdx_packages()[1]
    before = copy.deepcopy(package)
    assert map_dataset(package, spec).content_hash() == map_dataset(package, spec).content_hash()
    assert package == before


def test_mapped_records_only_use_our_scheming_fields():
    schema = yaml.safe_load((ROOT / "schemas" / "dataset.yaml").read_text(encoding="utf-8"))
    allowed = {f["field_name"] for f in schema["dataset_fields"]} - {"name", "owner_org"} | {"tags", "resources"}
    resource_fields = {f["field_name"] for f in schema["resource_fields"]}
    packages = city_packages() + hdx_packages() + fixture("hdx-package_search-bad-values.json")["result"]["results"][:1]
    spec = spec_for("https://portal.example")
    for package in packages:
        record = map_dataset(package, spec).record
        assert set(record) <= allowed, package["name"]
        assert all(set(resource) <= resource_fields for resource in record.get("resources", []))
        assert {"id", "name", "owner_org"}.isdisjoint(record)
