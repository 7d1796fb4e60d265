"""ingest/harvest/dcat_endpoint.py: DCAT catalogs read page by page from a local server (recorded, real-shaped
fixtures in harvesters/fixtures/dcat/): each format, Hydra paging and its loops, broken pages, dirty values kept
out with warnings, language preferences, dataset subclasses and series, our citizen-data terms."""
from __future__ import annotations

import datetime
import doctest
import itertools
import pathlib

import ckan.plugins
import pytest
import yaml

from ckanext.citizendata import harvesters, schemas
from ckanext.citizendata.ingest.harvest import dcat_endpoint
from ckanext.citizendata.ingest.harvest.fetch import Client
from ckanext.citizendata.ingest.harvest.listing import DATASET, SERIES, SourceSpec
from ckanext.citizendata.ingest.harvest.replay import Replay, Reply
from ckanext.citizendata.record.schema import INPUT_FIELDS

from tests.rdf.test_profile_records import RICH_RECORD, canonical

FIXTURES = pathlib.Path(harvesters.__file__).parent / "fixtures" / "dcat"
GOLDEN = pathlib.Path(__file__).resolve().parents[2] / "rdf" / "golden"
SITE = "https://data.partner.example/dataset/3f6c0b7e-1a11-4c55-9a51-00000000000"
TYPES = {"ttl": "text/turtle", "rdf": "application/rdf+xml", "jsonld": "application/ld+json",
         "nt": "application/n-triples"}


@pytest.fixture(scope="module", autouse=True)
def plugins():
    """ckanext-dcat's parser reads our scheming schema through the plugins (no database needed)."""
    loaded_here = not ckan.plugins.plugin_loaded("citizendata")
    if loaded_here:
        ckan.plugins.load_all()
    yield
    if loaded_here:
        ckan.plugins.unload_all()


@pytest.fixture
def server():
    with Replay() as replay:
        yield replay


def fixture(name: str, server=None) -> bytes:
    body = (FIXTURES / name).read_bytes()
    return body.replace(b"http://replay.test", server.base.encode()) if server else body


def spec(url: str, **options) -> SourceSpec:
    languages = options.pop("languages", ["en"])
    return SourceSpec(name="partner", type="dcat", url=url, organization="partner", languages=languages,
                      options=options)


def listing(source: SourceSpec, since=None, limit: int = 20, lazy: bool = False) -> list:
    """The pages of a listing, at most ``limit`` (a paging loop the code missed ends the test, not the run); the
    sightings mapped (the listing maps a dataset only when asked) unless ``lazy``."""
    pages = list(itertools.islice(dcat_endpoint.pages(source, Client(), since=since), limit))
    for page in pages if not lazy else []:
        built = [s.materialized() for s in page.sightings]
        page.sightings = [b for b in built if not isinstance(b, tuple)]
        page.errors += [b for b in built if isinstance(b, tuple)]
    return pages


def serve_catalog(server, path: str = "/catalog.ttl") -> str:
    server.add(path, fixture("catalog-page-1.ttl", server), "text/turtle")
    server.add(path, fixture("catalog-page-2.ttl", server), "text/turtle", query={"page": "2"})
    return server.url(path)


def by_guid(pages) -> dict:
    return {s.guid: s for page in pages for s in page.sightings}


def read(name: str, content_type: str = "", url: str = "", **options):
    """read_page of one fixture file, as if served at ``url``."""
    url = url or f"https://catalog.example/{name}"
    return dcat_endpoint.read_page((FIXTURES / name).read_bytes(), content_type, url, spec(url, **options))


def scheming_keys(name: str) -> set:
    schema = yaml.safe_load((pathlib.Path(schemas.__file__).parent / name).read_text(encoding="utf-8"))
    return {f["field_name"] for f in schema["dataset_fields"]} - {"name", "owner_org"} | {"tags", "resources"}


# ---------------------------------------------------------------- Hydra paging
AIR_QUALITY = {
    "title": "Community air-quality sensor readings (test data)",
    "notes": "Hourly PM2.5 readings from volunteer-run low-cost sensors (test data).",
    "tags": [{"name": "air quality"}, {"name": "citizen science"}, {"name": "pm2.5"}],
    "license_id": "cc-by",
    "identifier": "3f6c0b7e-1a11-4c55-9a51-000000000001",
    "issued": "2023-02-01T09:30:00",
    "modified": "2024-01-15T16:02:11",
    "frequency": "http://publications.europa.eu/resource/authority/frequency/MONTHLY",
    "language": ["http://publications.europa.eu/resource/authority/language/ENG"],
    "theme": ["http://publications.europa.eu/resource/authority/data-theme/ENVI"],
    "url": "https://data.partner.example/dataset/air-quality-sensors",
    "publisher": [{"name": "Clean Air Network (test)", "email": "info@clean-air.example",
                   "uri": "https://data.partner.example/organization/clean-air-network"}],
    "contact": [{"name": "Clean Air Network data desk", "email": "data@clean-air.example"}],
    "temporal_coverage": [{"start": "2023-01-01", "end": "2023-12-31"}],
    "resources": [{"name": "Readings 2023", "format": "CSV", "mimetype": "text/csv",
                   "url": "https://data.partner.example/files/air-quality-2023.csv"}],
}


def test_a_turtle_catalog_is_read_along_its_two_hydra_pages(server):
    pages = listing(spec(serve_catalog(server)))
    assert [p.failed for p in pages] == [None, None]
    assert server.log == ["/catalog.ttl", "/catalog.ttl?page=2"]
    assert [sorted(s.guid for s in p.sightings) for p in pages] == [[SITE + "1", SITE + "2"], [SITE + "3", SITE + "4"]]
    found = by_guid(pages)
    first = found[SITE + "1"]
    assert first.record == AIR_QUALITY
    assert (first.kind, first.original_uri, first.identifier) == (DATASET, SITE + "1", AIR_QUALITY["identifier"])
    assert first.publisher == "https://data.partner.example/organization/clean-air-network"
    assert first.upstream_modified == "2024-01-15T16:02:11"
    assert first.warnings == []
    assert found[SITE + "2"].record["license_id"] == "odc-odbl"
    assert found[SITE + "4"].kind == SERIES


@pytest.mark.parametrize("name", ["catalog.rdf", "catalog.jsonld", "catalog.nt"])
def test_the_same_datasets_in_each_format_give_the_same_records(server, name):
    turtle = by_guid(listing(spec(serve_catalog(server))))
    server.add("/" + name, fixture(name), TYPES[name.rsplit(".", 1)[1]])
    [page] = listing(spec(server.url("/" + name)))
    assert page.failed is None and page.errors == []
    other = by_guid([page])
    assert sorted(other) == sorted(turtle)
    for guid, sighting in other.items():
        assert sighting.record == turtle[guid].record, guid
        assert sighting.content_hash() == turtle[guid].content_hash()
        assert (sighting.kind, sighting.identifier, sighting.warnings) == \
            (turtle[guid].kind, turtle[guid].identifier, turtle[guid].warnings)


@pytest.mark.parametrize("name", ["catalog.rdf", "catalog.jsonld", "catalog.nt"])
def test_the_digest_of_what_a_dataset_states_is_the_same_in_each_format(server, name):
    turtle = by_guid(listing(spec(serve_catalog(server)), lazy=True))
    server.add("/" + name, fixture(name), TYPES[name.rsplit(".", 1)[1]])
    other = by_guid(listing(spec(server.url("/" + name)), lazy=True))
    assert sorted(other) == sorted(turtle)
    for guid, sighting in other.items():
        assert sighting.raw is not None and sighting.record == {}   # nothing mapped until asked
        assert sighting.content_hash() == turtle[guid].content_hash(), guid
    assert len({s.content_hash() for s in turtle.values()}) == len(turtle)


def test_a_lazy_sighting_maps_to_what_an_eager_read_gives(server):
    url = serve_catalog(server)
    lazy, eager = by_guid(listing(spec(url), lazy=True)), by_guid(listing(spec(url)))
    for guid, sighting in lazy.items():
        assert sighting.materialized().record == eager[guid].record


def test_the_digest_changes_with_a_statement_of_a_node_the_dataset_reaches():
    body = (FIXTURES / "catalog-page-1.ttl").read_text(encoding="utf-8")
    url = "https://catalog.example/catalog.ttl"
    before = {s.guid: s.raw for s in dcat_endpoint.read_page(body.encode(), "text/turtle", url, spec(url),
                                                             lazy=True)[0]}
    changed = body.replace("Readings 2023", "Readings of 2023")
    assert changed != body
    after = {s.guid: s.raw for s in dcat_endpoint.read_page(changed.encode(), "text/turtle", url, spec(url),
                                                            lazy=True)[0]}
    assert [guid for guid in before if before[guid] != after[guid]] == [SITE + "1"]


def test_the_format_comes_from_the_content_type_else_the_option_else_the_extension(server):
    server.add("/export", fixture("catalog.rdf"), "application/octet-stream")
    server.add("/catalog.nt", fixture("catalog.nt"), "text/plain")
    server.add("/dump", fixture("catalog.jsonld"), "application/ld+json")
    assert len(listing(spec(server.url("/export"), format="rdf"))[0].sightings) == 4
    assert len(listing(spec(server.url("/catalog.nt")))[0].sightings) == 4
    assert len(listing(spec(server.url("/dump"), format="turtle"))[0].sightings) == 4   # the header wins
    [page] = listing(spec(server.url("/export")))
    assert page.failed.startswith("cannot tell the RDF format")


def test_a_cyclic_next_page_ends_the_listing_with_a_failed_page(server):
    server.add("/cyclic.ttl", fixture("cyclic-page-1.ttl", server), "text/turtle", query={"page": "1"})
    server.add("/cyclic.ttl", fixture("cyclic-page-2.ttl", server), "text/turtle", query={"page": "2"})
    pages = listing(spec(server.url("/cyclic.ttl?page=1")))
    assert [len(p.sightings) for p in pages] == [1, 1, 0]
    assert pages[-1].url == server.url("/cyclic.ttl?page=1")     # page 2's relative nextPage, resolved
    assert "the paging loops" in pages[-1].failed
    assert server.log == ["/cyclic.ttl?page=1", "/cyclic.ttl?page=2"]


def test_a_page_repeating_an_earlier_one_ends_the_listing(server):
    """A server that ignores the page parameter answers page 2 with page 1 again."""
    server.add("/p", fixture("cyclic-page-1.ttl", server).replace(b"cyclic.ttl?page=2", b"p?page=2"),
               "text/turtle")
    pages = listing(spec(server.url("/p")))
    assert [len(p.sightings) for p in pages] == [1, 0]
    assert pages[-1].failed == f"the paging loops: this page repeats {server.url('/p')}"
    assert server.log == ["/p", "/p?page=2"]


def test_max_pages_caps_the_listing(server):
    def endless(request):
        number = int(request.query.get("page", "1"))
        body = (f'<{server.base}/e?page={number}> a <http://www.w3.org/ns/hydra/core#PagedCollection> ; '
                f'<http://www.w3.org/ns/hydra/core#nextPage> "{server.base}/e?page={number + 1}" .\n'
                f'<https://endless.example/{number}> a <http://www.w3.org/ns/dcat#Dataset> .').encode()
        return Reply(body=body, content_type="text/turtle")
    server.add("/e", handler=endless)
    pages = listing(spec(server.url("/e"), max_pages=3))
    assert [len(p.sightings) for p in pages] == [1, 1, 1, 0]
    assert "max_pages" in pages[-1].failed
    assert len(server.log) == 3


def test_a_truncated_page_fails_and_ends_the_listing(server):
    server.add("/t.ttl", fixture("catalog-page-1.ttl", server).replace(b"catalog.ttl?page=2", b"t.ttl?page=2"),
               "text/turtle")
    server.add("/t.ttl", fixture("truncated-page.ttl"), "text/turtle", query={"page": "2"})
    pages = listing(spec(server.url("/t.ttl")))
    assert [p.failed for p in pages][0] is None
    assert pages[1].failed.startswith("the page is not valid Turtle")
    assert pages[1].sightings == [] and len(pages) == 2


def test_a_page_the_server_refuses_fails(server):
    server.add("/gone.ttl", b"", "text/plain", status=404)
    [page] = listing(spec(server.url("/gone.ttl")))
    assert page.failed == "the source answered with HTTP status 404"


def test_xml_declaring_entities_is_refused_before_parsing(server):
    bomb = (b'<?xml version="1.0"?><!DOCTYPE rdf:RDF [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>')
    server.add("/bomb.rdf", bomb, "application/rdf+xml")
    [page] = listing(spec(server.url("/bomb.rdf")))
    assert "entit" in page.failed.lower()


def test_a_remote_json_ld_context_is_not_fetched(server):
    body = b'{"@context": "http://169.254.169.254/latest/meta-data/", "@id": "https://x.example/d"}'
    server.add("/remote.jsonld", body, "application/ld+json")
    [page] = listing(spec(server.url("/remote.jsonld")))
    assert "remote JSON-LD @context" in page.failed


def test_modified_since_goes_to_the_named_parameter_only(server):
    url = serve_catalog(server)
    since = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    listing(spec(url, modified_since_param="modified_since"), since=since)
    assert server.log == ["/catalog.ttl?modified_since=2024-01-01T00%3A00%3A00%2B00%3A00",
                          "/catalog.ttl?page=2&modified_since=2024-01-01T00%3A00%3A00%2B00%3A00"]
    server.log.clear()
    listing(spec(url), since=since)
    assert server.log == ["/catalog.ttl", "/catalog.ttl?page=2"]


def test_a_dataset_listed_again_on_a_later_page_is_skipped(server):
    url = serve_catalog(server)
    server.add("/catalog.ttl", fixture("catalog.rdf"), "application/rdf+xml", query={"page": "2"})  # all four
    pages = listing(spec(url))
    assert sorted(pages[1].errors) == [(SITE + "1", f"listed before on {url}; this copy is skipped"),
                                       (SITE + "2", f"listed before on {url}; this copy is skipped")]
    assert sorted(s.guid for s in pages[1].sightings) == [SITE + "3", SITE + "4"]


def test_a_dataset_whose_mapping_fails_is_a_page_error_and_the_rest_is_kept(server, monkeypatch):
    real = dcat_endpoint.to_record

    def failing(parsed, graph, ref, kind, languages):
        if str(ref).endswith("000000000002"):
            raise KeyError("boom")
        return real(parsed, graph, ref, kind, languages)
    monkeypatch.setattr(dcat_endpoint, "to_record", failing)
    first = listing(spec(serve_catalog(server)))[0]
    assert first.failed is None
    assert [s.guid for s in first.sightings] == [SITE + "1"]
    assert first.errors == [(SITE + "2", "could not be mapped (KeyError)")]


# ---------------------------------------------------------------- dirty catalogs
def test_dirty_values_are_left_out_with_warnings_and_the_datasets_kept(server):
    server.add("/dirty/catalog.ttl", fixture("dirty-catalog.ttl"), "text/turtle")
    [page] = listing(spec(server.url("/dirty/catalog.ttl")))
    assert page.failed is None
    [(where, why)] = page.errors                 # blank nodes come last, in no fixed order
    assert where in ("#3", "#4") and why == "a dataset without an IRI or dct:identifier: no guid to follow it by"
    found = by_guid([page])
    one, two = found[server.url("/dirty/dataset/dirty-1")], found[server.url("/dirty/dataset/dirty-2")]
    assert one.record == {
        "title": "Noise complaints by district (test data)", "identifier": "dirty-1",
        "tags": [{"name": "noise"}], "temporal_coverage": [{"end": "2020-12-31"}],
        "publisher": [{"name": "Agency of Test Data", "uri": "https://agency.example/id/7"}],
        "resources": [{"name": "Complaints", "format": "CSV", "url": server.url("/files/noise.csv")}]}
    assert sorted(one.warnings) == sorted([
        "dcat:landingPage: empty IRI <>; dropped",
        "dct:license: empty value; dropped",
        "dct:description: empty value; dropped",
        "dcat:distribution/dct:license: empty IRI <>; dropped",
        "publisher: <https://agency.example/id/7> has a second name 'Test Data Agency' in the same language; dropped",
        "tags: keyword 'Lärm & Ruhe' is not a CKAN tag (2 to 100 letters, digits, spaces, - _ .); dropped",
        "tags: keyword 'x' is not a CKAN tag (2 to 100 letters, digits, spaces, - _ .); dropped",
        "issued: '2021-04-31' is not an ISO 8601 date; dropped",
        "modified: 'unknown' is not an ISO 8601 date; dropped",
        "temporal_coverage: start '2020-02-30' is not an ISO 8601 date; dropped",
        "sample_size: 'many' is not of type 'integer'; dropped"])
    assert one.upstream_modified is None
    assert two.record["url"] == server.url("/dirty/street-lights")
    assert two.record["license_id"] == "cc-zero"
    assert two.record["publisher"] == one.record["publisher"]
    blank = found["dirty-3"]
    assert (blank.original_uri, blank.identifier) == (None, "dirty-3")


def test_empty_elements_of_rdf_xml_are_left_out_with_warnings(server):
    server.add("/dirty.rdf", fixture("dirty-catalog.rdf"), "application/rdf+xml")
    [page] = listing(spec(server.url("/dirty.rdf")))
    found = by_guid([page])
    one = found["https://dirty-xml.example/dataset/1"]
    assert one.record == {"title": "Bus stop accessibility audit (test data)", "identifier": "dirty-xml-1",
                          "resources": [{"url": "https://dirty-xml.example/files/1.csv"}]}
    assert sorted(one.warnings) == ["dcat:distribution/dct:license: empty IRI <>; dropped",
                                    "dcat:distribution/dct:rights: empty value; dropped",
                                    "dcat:landingPage: empty IRI <>; dropped",
                                    "dct:license: empty value; dropped"]
    itself = found["dirty-xml-2"]
    assert itself.original_uri is None
    assert itself.warnings == ["the dataset's IRI is empty (<>, the page itself); it is followed by its "
                               "dct:identifier"]


# ---------------------------------------------------------------- languages, subclasses, national variants
CH = "https://opendata.partner-ch.example/perma/"


def test_the_preferred_language_gives_title_description_keywords_and_names():
    sightings, errors, next_url = read("dcat-ap-ch.rdf", languages=["fr", "de"])
    assert errors == [] and next_url is None
    found = {s.guid: s for s in sightings}
    velo = found[CH + "velozaehlung-2021@statistik-test"]
    assert velo.record["title"] == "Comptage des vélos 2021 (données de test)"
    assert velo.record["notes"] == "Postes de comptage des vélos, valeurs horaires (données de test)."
    assert velo.record["tags"] == [{"name": "fahrrad"}, {"name": "vélo"}]
    assert velo.record["publisher"][0]["name"] == "Office de la statistique (test)"
    assert velo.record["resources"][0]["name"] == "Données de comptage (CSV)"
    assert velo.record["temporal_coverage"] == [{"start": "2021-01-01", "end": "2021-12-31"}]
    assert velo.record["language"] == ["de", "fr"]
    assert velo.identifier == "velozaehlung-2021@statistik-test"
    assert velo.warnings == ["license_id: <http://dcat-ap.ch/vocabulary/licenses/terms_by> is not a licence of "
                             "this catalog's licence register; dropped"]
    rain = found[CH + "precipitazioni-2022@meteo-test"]
    assert rain.record["title"] == "Precipitazioni giornaliere 2022 (dati di test)"   # the only title there is
    assert rain.record["temporal_coverage"] == [{"start": "2022-01-01"}]
    assert "tags" not in rain.record                                                   # Italian keywords only


@pytest.mark.parametrize("languages, title", [
    (["en"], "Bicycle count 2021 (test data)"),
    (["it", "fr"], "Conteggio delle biciclette 2021 (dati di test)"),
    (["rm"], "Velozählung 2021 (Testdaten)"),      # none preferred, none untagged: any language, always the same
])
def test_the_first_preferred_language_present_wins(languages, title):
    sightings, _, _ = read("dcat-ap-ch.rdf", languages=languages)
    [velo] = [s for s in sightings if s.guid.endswith("statistik-test")]
    assert velo.record["title"] == title


def test_datasets_typed_with_declared_subclasses_of_dcat_dataset_are_found():
    german, errors, _ = read("dcat-ap-de.ttl", languages=["de"])
    assert errors == []
    assert sorted((s.guid.rsplit("/", 1)[1], s.kind) for s in german) == [
        ("fahrradunfaelle-2022", DATASET), ("zensus-haushalte-test", DATASET)]   # the second, two levels down
    accidents = next(s for s in german if s.guid.endswith("2022"))
    assert accidents.record["temporal_coverage"] == [{"start": "2022-01-01", "end": "2022-12-31"}]
    assert accidents.record["tags"] == [{"name": "Unfälle"}, {"name": "Verkehr"}]
    assert accidents.publisher == "https://daten.partner-de.example/organization/statistikamt-test"
    italian, errors, _ = read("dcat-ap-it.rdf", languages=["en"])
    [air] = italian
    assert errors == [] and air.kind == DATASET
    assert air.record["title"] == "Qualità dell'aria 2022 (dati di test)"
    assert air.record["temporal_coverage"] == [{"start": "2022-01-01", "end": "2022-12-31"}]
    assert air.identifier == "c_test:qualita-aria-2022"
    assert air.warnings == ["license_id: <https://w3id.org/italia/controlled-vocabulary/licences/A21_CCBY40> is "
                            "not a licence of this catalog's licence register; dropped"]


# ---------------------------------------------------------------- citizen-data terms, series, record keys
def test_our_citizen_data_terms_come_back_as_record_fields(server):
    found = by_guid(listing(spec(serve_catalog(server))))
    survey = found[SITE + "3"]
    assert {k: v for k, v in survey.record.items() if k in INPUT_FIELDS} == {
        "initiative_type": "public-service-feedback",
        "engagement": [{"stage": "design", "level": 4,
                        "description": "Questions co-written with residents' associations."},
                       {"stage": "collect", "level": 5, "actors": ["community"]}],
        "sdg_indicators": ["16.6.2"], "collection_methods": ["sms"], "sample_size": 1200,
        "probability_sample": True}
    assert not {"sdg_targets", "sdg_goals", "meets_copenhagen_definition", "in_series"} & set(survey.record)
    assert survey.warnings == [f"in_series: {SITE}4 is a series of the source; membership is not harvested"]
    series = found[SITE + "4"]
    assert series.record == {"title": "Public service satisfaction surveys (test data)",
                             "notes": "An initiative of repeated citizen feedback rounds (test data).",
                             "identifier": "3f6c0b7e-1a11-4c55-9a51-000000000004",
                             "initiative_type": "public-service-feedback"}


def test_a_record_our_profile_wrote_comes_back_field_by_field():
    """tests/rdf/golden/rich-dataset.ttl is our profile's output for RICH_RECORD (tests/rdf)."""
    body = (GOLDEN / "rich-dataset.ttl").read_bytes()
    url = "http://test.ckan.net/catalog.ttl"
    [rich], errors, _ = dcat_endpoint.read_page(body, "text/turtle", url, spec(url))
    assert errors == []
    assert canonical(rich.record) == canonical(RICH_RECORD)
    assert rich.record["title"] == "Public service satisfaction, round 3"
    assert rich.record["publisher"] == [{"name": "Ghana Statistical Service", "uri": "https://statsghana.gov.gh/"}]


def test_every_record_has_only_keys_our_scheming_schemas_take(server):
    dataset, initiative = scheming_keys("dataset.yaml"), scheming_keys("initiative.yaml")
    sightings = [s for p in listing(spec(serve_catalog(server))) for s in p.sightings]
    for name in ("dcat-ap-ch.rdf", "dcat-ap-de.ttl", "dcat-ap-it.rdf", "dirty-catalog.ttl", "dirty-catalog.rdf"):
        sightings += read(name)[0]
    assert len(sightings) == 14
    for sighting in sightings:
        allowed = initiative if sighting.kind == SERIES else dataset
        assert set(sighting.record) <= allowed - {"in_series", "tag_string"}, sighting.guid
        assert sighting.record["title"]


def test_the_examples_in_the_docstrings_hold():
    result = doctest.testmod(dcat_endpoint)
    assert result.attempted >= 1 and result.failed == 0

