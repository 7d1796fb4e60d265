"""ingest/harvest/eu_citizen_science.py: the platform's project array listed in one request (under the client's
size cap; bad answers, refusals and oversize bodies are failed pages), each project mapped to an initiative of our
schema (notes sections, tags, dates, countries, publisher and partners, engagement and status through the mapping
table, identity in the registry it was copied from), dropped values as warnings; the mapping table covers the
platform's vocabularies; and a real job writes, keeps and withdraws dataset_series records."""
from __future__ import annotations

import copy
import datetime
import json
import pathlib
import re

import pytest
import yaml
from ckan import model
from ckan.plugins import toolkit
from ckan.tests import factories
from ckanext.harvest.model import HarvestSource

from ckanext.citizendata.ingest.harvest import eu_citizen_science, jobs, mapping, provenance
from ckanext.citizendata.ingest.harvest.eu_citizen_science import MappingError, map_project, pages, plain_text, \
    tag_name
from ckanext.citizendata.ingest.harvest.fetch import Client
from ckanext.citizendata.ingest.harvest.listing import SERIES, SourceSpec, access_refused, registry_key
from ckanext.citizendata.ingest.harvest.replay import Replay, Reply

ROOT = pathlib.Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "harvesters" / "fixtures" / "eucs"
API = "/api/projects/"
PLATFORM = "eu-citizen-science"
SITE = "https://eu-citizen.science"
GLOBE, MOSQUITO, CURIEUZE, PIRATES, LOST, NOISE = "98", "31", "140", "212", "256", "301"
STATUSES = {"planned", "active", "paused", "completed", "abandoned"}


def fixture(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def projects(name="projects.json"):
    return fixture(name)


def project(guid, name="projects.json"):
    return copy.deepcopy(next(p for p in projects(name) if str(p["id"]) == guid))


def spec_for(url=SITE, **more):
    return SourceSpec(name="eucs", type="eucs", url=url, organization="ecsa", **more)


def mapped(guid, **spec):
    return map_project(project(guid), spec_for(**spec))


def json_reply(value, status=200):
    return Reply(status=status, body=json.dumps(value).encode(), content_type="application/json")


def notations(vocabulary):
    text = (ROOT / "vocabularies" / f"{vocabulary}.ttl").read_text(encoding="utf-8")
    return set(re.findall(r'skos:notation "([^"]+)"', text))


def values(items, field, key):
    """Every name a field of the projects states (the English copy)."""
    found = []
    for item in items:
        entries = item.get(field) or []
        for entry in entries if isinstance(entries, list) else [entries]:
            found.append(entry.get(f"{key}_en") or entry.get(key))
    return found


@pytest.fixture
def client():
    return Client(retries=0, rate=0)


@pytest.fixture
def server():
    with Replay() as replay:
        yield replay


# ------------------------------------------------------------------ listing


def test_the_listing_is_one_request_and_one_page_of_every_project(server, client):
    assert server.add_recorded(str(FIXTURES)) == 6
    found = list(pages(spec_for(server.base), client))
    assert [(p.url, p.failed, p.errors) for p in found] == [(server.base + API, None, [])]
    assert [s.guid for s in found[0].sightings] == [MOSQUITO, GLOBE, CURIEUZE, PIRATES, LOST, NOISE]
    assert {s.kind for s in found[0].sightings} == {SERIES}
    # the list holds every field (the detail has the same serializer) and nests the vocabularies' names: no
    # vocabulary and no detail request
    assert server.log == [API]


def test_the_listing_asks_for_english_and_ignores_since(server, client):
    asked = []

    def handler(request):
        asked.append(request.headers.get("Accept-Language"))
        return json_reply([project(GLOBE)])

    server.add(API, handler=handler)
    since = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    assert [s.guid for p in pages(spec_for(server.base + "/"), client, since=since) for s in p.sightings] == [GLOBE]
    assert asked == ["en"] and server.log == [API]


def test_an_empty_platform_is_one_empty_page(server, client):
    server.add(API, handler=lambda request: json_reply([]))
    assert [(p.failed, p.sightings, p.errors) for p in pages(spec_for(server.base), client)] == [(None, [], [])]


@pytest.mark.parametrize("body, why", [
    (b"<html><body>Server Error</body></html>", "JSON"),
    (b'{"detail": "Not found."}', "the answer is not a JSON array of projects"),
])
def test_an_answer_that_is_not_a_json_array_is_a_failed_page(server, client, body, why):
    server.add(API, body=body, content_type="application/json")
    [page] = pages(spec_for(server.base), client)
    assert page.failed and why in page.failed and page.sightings == []


@pytest.mark.parametrize("status", [401, 403])
def test_a_refusal_says_which_secret_is_missing_or_refused(server, client, status):
    server.add(API, status=status, body=b'{"detail": "Authentication credentials were not provided."}',
               content_type="application/json")
    spec = spec_for(server.base)
    [page] = pages(spec, client)
    assert page.failed == access_refused(spec, status)
    assert page.failed.startswith(f"source eucs: the source refused access (HTTP {status})")
    named = spec_for(server.base, secret_names={"api_token": "EUCS_TOKEN"}, secrets={"api_token": "Token x"})
    [page] = pages(named, client)
    assert "the secret api_token (EUCS_TOKEN) was refused" in page.failed and "Token x" not in page.failed


def test_another_http_failure_is_a_failed_page(server, client):
    server.add(API, status=500, body=b"oops", content_type="text/plain")
    [page] = pages(spec_for(server.base), client)
    assert page.failed == "the source answered with HTTP status 500" and page.sightings == []


def test_a_body_over_the_size_cap_is_a_failed_page_naming_the_cap(server):
    server.add_recorded(str(FIXTURES))
    [page] = pages(spec_for(server.base), Client(max_bytes=1000, retries=0, rate=0))
    assert page.sightings == [] and "1000" in page.failed
    assert "ckanext.citizendata.harvest.max_response_bytes" in page.failed


def test_projects_that_cannot_be_read_are_page_errors_and_the_others_are_kept(server, client):
    nameless = dict(project(MOSQUITO), id=7, name="  ")
    odd = dict(project(CURIEUZE), id=8, topic=42)        # an id where the platform nests a topic
    server.add(API, handler=lambda request: json_reply(
        ["not a project", {"name": "No id"}, project(GLOBE), project(GLOBE), nameless, odd]))
    [page] = pages(spec_for(server.base), client)
    assert page.failed is None
    assert [s.guid for s in page.sightings] == [GLOBE, "8"]
    assert page.errors == [("#1", "the project has no id"), ("#2", "the project has no id"),
                           (GLOBE, "listed twice; this copy is skipped"), ("7", "the project has no readable name")]
    assert "topic: a int is not text; dropped" not in page.sightings[1].warnings
    assert "topic: 42 is an id of the platform's topic table, not its name; dropped" in page.sightings[1].warnings


# ------------------------------------------------------------------ mapping


def test_a_project_maps_every_field_globe_at_night():
    sighting = mapped(GLOBE)
    assert sighting.guid == sighting.identifier == GLOBE
    assert sighting.kind == SERIES
    assert sighting.original_uri == SITE + "/project/98"
    assert sighting.upstream_modified == "2023-02-07T16:20:05.772910Z"
    assert sighting.publisher is None          # the platform's id is not the organisation's identifier
    assert sighting.record == {
        "title": "Globe at Night",
        "identifier": GLOBE,
        "notes": "Globe at Night is an international citizen-science campaign to raise public awareness of the "
                 "impact of light pollution by inviting citizen scientists to measure and submit their night sky "
                 "brightness observations.\n\n"
                 "Aim: To measure the brightness of the night sky around the world, year after year, and show how "
                 "light pollution changes.\n\n"
                 "How to participate:\n"
                 "- Find the campaign's constellation (Orion, for example) about an hour after sunset.\n"
                 "- Match what you see with the magnitude charts.\n"
                 "- Report your observation with its date, time and place.\n\n"
                 "Equipment: Your eyes, or a sky quality meter; a phone or a computer to report.\n\n"
                 "Difficulty level: Easy\n\n"
                 "Locality: Anywhere with a view of the night sky\n\n"
                 "Status: active",
        "url": "https://globeatnight.org",
        "tags": [{"name": "light pollution"}, {"name": "night sky"}, {"name": "dark skies"},
                 {"name": "Astronomy and Space"}, {"name": "Ecology and Environment"},
                 {"name": "Suitable for children"}, {"name": "Teaching materials available"},
                 {"name": "Participate from home"}],
        "issued": "2020-03-11T10:15:42.108311Z",
        "modified": "2023-02-07T16:20:05.772910Z",
        "temporal_coverage": [{"start": "2006-03-01"}],
        "contact": [{"name": "Globe at Night team", "email": "info@example.org"}],
        "publisher": [{"name": "NSF NOIRLab", "url": "https://noirlab.edu"}],
        "partners": [{"name": "NSF NOIRLab", "role": "initiator", "uri": "https://noirlab.edu"},
                     {"name": "U.S. National Science Foundation", "role": "funder"}],
        "engagement": [{"stage": "collect", "level": 3, "actors": ["community"],
                        "derived_from": "derived from the source's participation tasks: Observation, Measurement "
                                        "(mapping table eu-citizen-science.yaml: participationTask)"}],
    }
    assert sighting.warnings == ["geographicextend: 'Global' has no field in the initiative schema; dropped"]


def test_the_same_project_from_a_ppsr_feed_is_recognised_by_its_registry_id():
    sighting = mapped(GLOBE)
    assert sighting.same_as == ["id:scistarter\x1f17000", "uri:https://scistarter.org/globe-at-night"]
    # what the PPSR Core harvester states for the same project (options.registry SciStarter, projectId 17000)
    assert registry_key("SciStarter", "17000") in sighting.identity_keys()
    assert registry_key(" scistarter ", 17000) in sighting.identity_keys()
    assert "uri:" + SITE + "/project/98" in sighting.identity_keys()


def test_other_organisations_without_a_role_funding_and_status_are_sections_of_the_notes():
    sighting = mapped(MOSQUITO)
    record = sighting.record
    assert record["notes"].endswith("Equipment: A smartphone.\n\n"
                                    "Open data: Validated reports are published as open data through GBIF.\n\n"
                                    "Difficulty level: Easy\n\n"
                                    "Other organisations: CREAF, Universitat Pompeu Fabra, ICREA\n\n"
                                    "Status: active")
    assert record["partners"] == [{"name": "Centre d'Estudis Avançats de Blanes (CEAB-CSIC)", "role": "initiator",
                                   "uri": "https://www.ceab.csic.es"}]
    assert record["countries"] == ["ESP"]
    assert sighting.same_as == []
    assert sighting.warnings == [
        "organisation.url: 'www.icrea.cat' is not an http(s) address; dropped",
        "projectCountry: 63: ids of the platform's country table, which its API does not describe; dropped",
        "geographicextend: 'National' has no field in the initiative schema; dropped",
        "projectGeographicLocation: the initiative schema has no field for an area (spatial); the project's "
        "MultiPolygon is dropped",
        "description, aim, howToParticipate, equipment: the translations (es) are dropped; the record holds one "
        "language (English where the project gives it)",
    ]
    pirates = mapped(PIRATES).record
    assert pirates["notes"].endswith("Status: active (Periodically active)")
    assert "Status: completed" in mapped(CURIEUZE).record["notes"]
    assert mapped(CURIEUZE).record["temporal_coverage"] == [{"start": "2018-04-28", "end": "2018-05-26"}]
    assert "modified" not in mapped(CURIEUZE).record and mapped(CURIEUZE).upstream_modified is None


def test_bad_values_are_dropped_with_a_warning_each_and_the_project_is_kept():
    sighting = mapped(NOISE)
    record = sighting.record
    assert record["url"] == SITE + "/project/301"
    assert record["tags"] == [{"name": "noise"}, {"name": "soundscape urban"}, {"name": "Sound"},
                              {"name": "Social sciences"}, {"name": "Do-it-yourself"}, {"name": "Fees applicable"}]
    assert "temporal_coverage" not in record
    assert record["contact"] == [{"name": "Project team"}]
    assert record["countries"] == ["NLD"]
    assert "Residents choose the questions" not in record["notes"]         # moderation text, not published
    assert record["notes"].endswith("Results: Maps will be shown at a public meeting.\n\n"
                                    "Other organisations: Example City Council\n\n"
                                    "Funding programme: Small grants 2024\n\n"
                                    "Status: planned (Not yet started)")
    assert "Difficulty level" not in record["notes"]                        # "Not Indicated"
    assert [e["stage"] for e in record["engagement"]] == ["collect", "analyse", "disseminate"]
    assert sighting.same_as == []
    assert sighting.warnings == [
        "url: 'www.noise-watch.example' is not an http(s) address; the project's page on the platform is used",
        "tags: keywords 'x' is not a CKAN tag (2-100 letters, digits, spaces, - _ .); dropped",
        "tags: keywords 'soundscape/urban' is kept as 'soundscape urban' (CKAN tags take letters, digits, spaces "
        "and - _ .)",
        "temporal_coverage: the project ends (2024-12-31) before it starts (2025-03-01); dropped",
        "projectCountry: 7: ids of the platform's country table, which its API does not describe; dropped",
        "contact: author_email 'not-an-address' is not an email address; dropped",
        "citizen_science_aspects_description: the platform asks it for moderation only and tells its authors it "
        "does not appear on the platform; not published",
        "geographicextend: 'Neighbourhood' has no field in the initiative schema; dropped",
        "originUID: 'abc-42' names no originDatabase, so no registry to recognise it in; dropped",
    ]


def test_topics_become_tags_that_source_rules_can_match():
    record = mapped(PIRATES).record
    assert {"name": "Ocean Water Marine and Terrestrial"} in record["tags"]
    assert {"name": "schools and youth"} in record["tags"]
    assert tag_name("Climate & Weather", "topic", warnings := []) == "Climate and Weather" and warnings == []
    assert tag_name("DIY hacking/making", "keywords", warnings := []) == "DIY hacking making"
    assert warnings == ["tags: keywords 'DIY hacking/making' is kept as 'DIY hacking making' (CKAN tags take "
                        "letters, digits, spaces and - _ .)"]
    assert tag_name("#", "keywords", warnings := []) is None and "dropped" in warnings[0]


def test_keywords_as_comma_separated_text_and_tags_once_each():
    item = dict(project(GLOBE), keywords="light pollution, Night sky,,astronomy", hasTag=[], topic=[])
    assert mapped_item(item)["tags"] == [{"name": "light pollution"}, {"name": "Night sky"},
                                         {"name": "astronomy"}]
    item = dict(project(GLOBE), keywords=[{"id": 1, "keyword": "Astronomy and space"}], hasTag=[])
    assert mapped_item(item)["tags"] == [{"name": "Astronomy and space"}, {"name": "Ecology and Environment"}]


def mapped_item(item, **spec):
    return map_project(item, spec_for(**spec)).record


def test_the_english_copy_of_a_translated_value_is_read_first():
    item = project(GLOBE)
    item.update(description="<p>Globe at Night es una campaña internacional.</p>", aim=None, aim_en="<p>Aim.</p>")
    item["participationTask"] = [{"id": 13, "participationTask": "Observación", "participationTask_en": "Observation"}]
    item["status"] = {"id": 5, "status": "Completado", "status_en": "Completed", "status_code": "completed"}
    record = mapped_item(item)
    assert record["notes"].startswith("Globe at Night is an international citizen-science campaign")
    assert "Aim: Aim." in record["notes"] and record["notes"].endswith("Status: completed")
    assert [e["stage"] for e in record["engagement"]] == ["collect"]


@pytest.mark.parametrize("stated, codes, warning", [
    (["ES", "Portugal", {"country": "FR", "country_name": "France"}, "DEU", "BE"],
     ["ESP", "PRT", "FRA", "DEU", "BEL"], None),
    (["Atlantis"], ["BEL"], "projectCountry: 'Atlantis' is not an ISO 3166-1 country; dropped"),
    ([7, 9], ["BEL"], "projectCountry: 7, 9: ids of the platform's country table, which its API does not "
                      "describe; dropped"),
])
def test_countries_from_codes_or_names_then_the_older_country(stated, codes, warning):
    sighting = map_project(dict(project(CURIEUZE), projectCountry=stated), spec_for())   # its country: BE
    assert sighting.record["countries"] == codes
    country_warnings = [w for w in sighting.warnings if w.startswith(("projectCountry", "country"))]
    assert country_warnings == ([warning] if warning else [])


def test_no_engagement_without_a_mapped_participation_task():
    for tasks in ([], [{"id": 20, "participationTask": "Other"}]):
        sighting = map_project(dict(project(GLOBE), participationTask=tasks), spec_for())
        assert "engagement" not in sighting.record and not any("participationTask" in w for w in sighting.warnings)
    sighting = map_project(dict(project(GLOBE), participationTask=[{"id": 99, "participationTask": "Dancing"}]),
                           spec_for())
    assert "engagement" not in sighting.record
    assert sighting.warnings[0] == ("participationTask: 'Dancing' is not in the mapping table "
                                    "eu-citizen-science.yaml; ignored")


def test_engagement_takes_the_highest_level_of_a_stage_and_says_where_from():
    tasks = [{"id": 7, "participationTask": "Download software for distributed computing"},
             {"id": 3, "participationTask": "Classification or tagging"}]
    [entry] = map_project(dict(project(GLOBE), participationTask=tasks), spec_for()).record["engagement"]
    assert entry == {"stage": "process", "level": 3, "actors": ["community"],
                     "derived_from": "derived from the source's participation tasks: Download software for "
                                     "distributed computing, Classification or tagging (mapping table "
                                     "eu-citizen-science.yaml: participationTask)"}


def test_an_unknown_status_is_a_warning_and_no_status_section():
    sighting = map_project(dict(project(GLOBE), status={"id": 9, "status": "Sleeping"}), spec_for())
    assert "Status:" not in sighting.record["notes"]
    assert "status: 'Sleeping' is not in the mapping table eu-citizen-science.yaml; ignored" in sighting.warnings


def test_the_source_defaults_fill_only_empty_keys():
    spec = {"defaults": {"initiative_type": "citizen-science", "countries": ["ESP"], "url": "https://x.example"}}
    record = mapped(CURIEUZE, **spec).record
    assert record["initiative_type"] == "citizen-science"
    assert record["countries"] == ["BEL"] and record["url"] == "https://curieuzeneuzen.be"
    assert mapped(GLOBE, **spec).record["countries"] == ["ESP"]


def test_mapping_is_pure_and_its_hash_stable():
    item = project(PIRATES)
    before = copy.deepcopy(item)
    assert map_project(item, spec_for()).content_hash() == map_project(item, spec_for()).content_hash()
    assert item == before


def test_a_project_without_id_or_name_is_a_mapping_error():
    with pytest.raises(MappingError, match="no id"):
        map_project({"name": "x"}, spec_for())
    with pytest.raises(MappingError, match="no readable name"):
        map_project({"id": 3, "name": None}, spec_for())
    with pytest.raises(MappingError, match="not a JSON object"):
        map_project(["id", 3], spec_for())


def test_plain_text_of_the_platform_html():
    assert plain_text("<p>Count&nbsp;stars</p><p>Report <b>them</b></p>") == "Count stars\n\nReport them"
    assert plain_text("<ul><li>one</li><li>two &amp; three</li></ul>") == "- one\n- two & three"
    assert plain_text("<script>alert(1)</script><p>kept</p>") == "kept"
    assert plain_text("  plain  ") == "plain"


def test_a_changed_listing_changes_only_the_edited_project():
    before = {str(p["id"]): map_project(p, spec_for()).content_hash() for p in projects()}
    after = {str(p["id"]): map_project(p, spec_for()).content_hash() for p in projects("projects-changed.json")}
    assert set(before) - set(after) == {LOST}
    assert [guid for guid in after if after[guid] != before[guid]] == [GLOBE]   # counters moved: nothing changed


def test_mapped_records_only_use_our_scheming_fields():
    schema = yaml.safe_load((ROOT / "schemas" / "initiative.yaml").read_text(encoding="utf-8"))
    allowed = {f["field_name"] for f in schema["dataset_fields"]} - {"name", "owner_org"} | {"tags"}
    subfields = {f["field_name"]: {s["field_name"] for s in f.get("repeating_subfields", [])}
                 for f in schema["dataset_fields"]}
    for item in projects():
        record = map_project(item, spec_for()).record
        assert set(record) <= allowed, item["name"]
        for field, entries in record.items():
            if subfields.get(field):
                assert all(set(entry) <= subfields[field] for entry in entries), (item["name"], field)


# ------------------------------------------------------------------ the mapping table


def test_the_table_lists_every_value_of_the_fixtures_and_of_the_vocabularies():
    vocabulary = [e["participationTask"] for e in fixture("participationTask.json")]
    stated = values(projects(), "participationTask", "participationTask")
    assert mapping.unknown(PLATFORM, "participationTask", vocabulary + stated) == []
    statuses = [e["status"] for e in fixture("status.json")] + values(projects(), "status", "status")
    assert mapping.unknown(PLATFORM, "status", statuses) == []
    assert len(set(vocabulary)) == 20 and len(set(statuses)) == 6


def test_at_least_90_percent_of_the_participation_tasks_map_to_a_stage():
    for label, tasks in (("fixture projects", values(projects(), "participationTask", "participationTask")),
                         ("platform vocabulary", [e["participationTask"] for e in fixture("participationTask.json")])):
        done, seen = mapping.coverage(PLATFORM, "participationTask", tasks)
        assert seen >= 10 and done / seen >= 0.9, f"{label}: {done} of {seen} participation tasks map to a stage"
    assert mapping.coverage(PLATFORM, "participationTask", values(projects(), "participationTask",
                                                                   "participationTask")) == (12, 13)


def test_every_target_of_the_table_is_a_concept_of_our_vocabularies():
    stages, levels, actors = notations("engagement-stages"), notations("engagement-levels"), notations("actor-types")
    roles = notations("partner-roles")
    rows = mapping.tables(PLATFORM)
    for value, target in rows["participationTask"].values.items():
        if target is not None:
            assert target["stage"] in stages and str(target["level"]) in levels, value
            assert set(target["actors"]) <= actors, value
    assert set(rows["status"].values.values()) <= STATUSES
    assert {field: rows[field].values for field in ("mainOrganisation", "organisation", "fundingBody")} == {
        "mainOrganisation": {"mainorganisation": "initiator"}, "organisation": {"organisation": None},
        "fundingBody": {"fundingbody": "funder"}}
    assert {"initiator", "funder"} <= roles


def test_every_engagement_entry_says_which_rule_derived_it():
    entries = [e for p in projects() for e in map_project(p, spec_for()).record.get("engagement", [])]
    assert len(entries) >= 8
    assert all(e["derived_from"].startswith("derived from the source's participation tasks: ")
               and e["derived_from"].endswith("(mapping table eu-citizen-science.yaml: participationTask)")
               for e in entries)


# ------------------------------------------------------------------ a real job


def make_source(url: str) -> HarvestSource:
    source = HarvestSource(url=url, title="EUCS", type="citizendata_eucs", config="{}")
    source.save()
    return source


def series(title: str) -> dict:
    found = model.Session.query(model.Package).filter_by(title=title, type="dataset_series").one()
    return toolkit.get_action("package_show")({"ignore_auth": True}, {"id": found.id})


@pytest.mark.usefixtures("clean_db")
@pytest.mark.ckan_config("ckanext.citizendata.harvest.requests_per_second", "0")
def test_a_job_writes_initiatives_keeps_them_and_updates_and_withdraws_what_changed(server):
    org = factories.Organization(name="ecsa-harvested")
    server.add_recorded(str(FIXTURES))
    source = make_source(server.base + "/")
    spec = SourceSpec(name="eucs", type="eucs", url=server.base, organization=org["name"])

    def run():
        return jobs.run(source, spec, eu_citizen_science.pages, full=True,
                        fetcher=Client(allow=["127.0.0.1"], rate=0, retries=0))

    first = run()
    assert (first.status, first.added, first.updated, first.withdrawn, first.errors) == ("Finished", 6, 0, 0, 0)
    globe = series("Globe at Night")
    assert globe["type"] == "dataset_series" and globe["owner_org"] == org["id"]
    assert globe["engagement"][0]["stage"] == "collect" and "participation tasks" in \
        globe["engagement"][0]["derived_from"]
    assert [p["role"] for p in globe["partners"]] == ["initiator", "funder"]
    assert {t["name"] for t in globe["tags"]} >= {"light pollution", "Astronomy and Space"}
    row = provenance.get(source.id, GLOBE)
    assert row is not None and row.owner

    again = run()
    assert (again.added, again.updated, again.unchanged, again.withdrawn, again.errors) == (0, 0, 6, 0, 0)

    server.add(API, body=(FIXTURES / "projects-changed.json").read_bytes(), content_type="application/json")
    changed = run()
    assert (changed.added, changed.updated, changed.unchanged, changed.withdrawn, changed.errors) == (0, 1, 4, 1, 0)
    assert "since 2024 observations can also be reported" in series("Globe at Night")["notes"]
    lost = model.Session.query(model.Package).filter_by(title="Lost at Night").one()
    assert lost.state == "deleted"
