"""ingest/harvest/ppsr_core.py: a PPSR Core feed (one project, an array, or ``{"Project": [...]}``) listed as one
page over a local server (failures and refused access as failed pages), each project mapped to an initiative of
our schema: every PMM field it maps, a warning for every value it drops, a project without id or name a page
error; engagement, partner roles and statuses only through the mapping table harvesters/mappings/ppsr-core.yaml,
which lists every value of the recorded feeds; and a real job that writes the initiatives, changes nothing when
run again, and updates and withdraws what the feed changed."""
from __future__ import annotations

import copy
import json
import pathlib
import re

import pytest
import sqlalchemy as sa
import yaml
from ckan import model
from ckan.plugins import toolkit
from ckan.tests import factories
from ckanext.harvest.model import HarvestSource

from ckanext.citizendata.ingest.harvest import eu_citizen_science, jobs, mapping, provenance
from ckanext.citizendata.ingest.harvest.fetch import Client
from ckanext.citizendata.ingest.harvest.listing import SERIES, SourceSpec, registry_key
from ckanext.citizendata.ingest.harvest.ppsr_core import MappingError, country_code, language_code, map_project, \
    pages, read_page
from ckanext.citizendata.ingest.harvest.replay import Replay, Reply
from ckanext.citizendata.model import harvest_record_table

ROOT = pathlib.Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "harvesters" / "fixtures" / "ppsr"
PLATFORM = "ppsr-core"
FEED = "/ppsr/projects.json"
# the PMM 2020.0 scientificProcessInvolved terms (docs/project/vocabulary.md of citizen-science-association/ppsr-core)
PMM_PROCESSES = ["Annotation", "Audio or video recording", "Classification or tagging", "DIY hacking/making",
                 "Data analysis", "Data entry", "Download software for distributed computing", "Finding entities",
                 "Geolocation", "Identification", "Learning", "Measurement", "Observation", "Photography",
                 "Problem solving", "Sample analysis", "Site selection and/or description",
                 "Specimen/sample collection", "Transcription"]
PMM_STATUSES = ["Not yet started", "Active", "Periodically active", "On hold", "Completed", "Abandoned"]
PMM_ROLES = ["Agent", "Collaborator", "Partner", "Sponsor/funder", "Stakeholder"]
DERIVED = "(mapping table ppsr-core.yaml: "


def fixture(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def projects():
    return fixture("projects.json")


def by_id(project_id, name="projects.json"):
    return copy.deepcopy(next(p for p in fixture(name) if isinstance(p, dict) and p.get("projectId") == project_id))


def spec_for(url="https://registry.example/ppsr/projects.json", **options):
    return SourceSpec(name="scistarter-ppsr", type="ppsr", url=url, organization="citizen-science",
                      options=options, file="scistarter-ppsr.yaml")


def all_fixture_projects():
    """Every project object of every recorded feed."""
    found = []
    for path in sorted(FIXTURES.glob("*.json")):
        body = json.loads(path.read_text(encoding="utf-8"))
        items = body["Project"] if isinstance(body, dict) and "Project" in body else \
            body if isinstance(body, list) else [body]
        found += [item for item in items if isinstance(item, dict)]
    return found


def stated(field):
    """The values the recorded feeds state for a table's field."""
    values = []
    for project in all_fixture_projects():
        if field == "projectAssociatedParty.role":
            values += [p.get("projectAssociatedPartyRole") for p in project.get("projectAssociatedParty") or []]
        elif field == "projectFunding.projectFundingSourceType":
            kinds = [f.get("projectFundingSourceType") or {} for f in project.get("projectFunding") or []]
            values += [k.get("fundingSourceTypeSubsetA") or k.get("fundingSourceTypeSubsetB") for k in kinds]
        else:
            value = project.get(field)
            values += value if isinstance(value, list) else [value]
    return [v for v in values if v is not None]


def notations(scheme):
    text = (ROOT / "vocabularies" / f"{scheme}.ttl").read_text(encoding="utf-8")
    return set(re.findall(r'skos:notation "([^"]+)"', text))


@pytest.fixture
def server():
    with Replay() as replay:
        replay.add_recorded(str(FIXTURES))
        yield replay


@pytest.fixture
def client():
    return Client(allow=["127.0.0.1"], retries=0, rate=0)


def listed(server, client, path, **more):
    spec = SourceSpec(name="scistarter-ppsr", type="ppsr", url=server.url(path), organization="citizen-science",
                      **more)
    return list(pages(spec, client))


# ------------------------------------------------------------------ listing
def test_an_array_feed_is_one_page_of_initiatives_in_its_order(server, client):
    [page] = listed(server, client, FEED)
    assert (page.url, page.failed, page.errors) == (server.url(FEED), None, [])
    assert [s.guid for s in page.sightings] == [p["projectId"] for p in projects()]
    assert {s.kind for s in page.sightings} == {SERIES}
    assert server.log == [FEED]


def test_a_single_project_document_is_a_feed_of_one(server, client):
    [page] = listed(server, client, "/ppsr/project.json")
    assert [(s.guid, s.record["title"]) for s in page.sightings] == [("17000", "Globe at Night")]


def test_the_json_schemas_own_shape_project_array_is_read(server, client):
    [page] = listed(server, client, "/ppsr/wrapped.json")
    assert [s.record["title"] for s in page.sightings] == ["eBird", "Galaxy Zoo"]


@pytest.mark.parametrize("body, why", [
    (b"<html>not json</html>", "the response is not JSON"),
    (b'"a text"', "the feed is not a PPSR Core project, an array of projects or an object with a Project array "
                  "(a JSON str)"),
    (b'{"Project": {"projectId": "1"}}', "the feed's Project key does not hold an array of projects"),
    (b'{"error": "maintenance"}', "the feed is not a PPSR Core project, an array of projects or an object with a "
                                  "Project array (an object without projectId, projectName or Project)"),
])
def test_a_body_that_is_not_a_feed_is_a_failed_page(server, client, body, why):
    server.add("/ppsr/bad.json", body=body, content_type="application/json")
    [page] = listed(server, client, "/ppsr/bad.json")
    assert (page.failed, page.sightings) == (why, [])


def test_a_server_error_is_a_failed_page(server, client):
    server.add("/ppsr/down.json", status=500, body=b"Internal Server Error", content_type="text/html")
    [page] = listed(server, client, "/ppsr/down.json")
    assert page.failed == "the source answered with HTTP status 500"


@pytest.mark.parametrize("status, secrets, names, why", [
    (401, {}, {}, "no secret is named for it: add secrets.api_token (the name of an environment variable or ini "
                  "secret) to scistarter-ppsr.yaml"),
    (401, {}, {"api_token": "SCISTARTER_TOKEN"}, "the secret api_token (SCISTARTER_TOKEN) is not set"),
    (403, {"api_token": "t0ken"}, {"api_token": "SCISTARTER_TOKEN"},
     "the secret api_token (SCISTARTER_TOKEN) was refused: check its value and its rights at the source"),
])
def test_refused_access_names_the_secret_or_its_absence(server, client, status, secrets, names, why):
    server.add("/ppsr/closed.json", status=status, body=b"denied", content_type="text/plain")
    [page] = listed(server, client, "/ppsr/closed.json", secrets=secrets, secret_names=names,
                    file="scistarter-ppsr.yaml")
    assert page.failed == f"source scistarter-ppsr: the source refused access (HTTP {status}); {why}"
    assert "t0ken" not in page.failed


def test_the_sources_token_is_sent_as_its_authorization_header(server):
    server.add("/ppsr/closed.json", handler=lambda request: Reply(
        body=(FIXTURES / "project-single.json").read_bytes(), content_type="application/json")
        if request.headers.get("Authorization") == "t0ken" else Reply(status=401))
    spec = SourceSpec(name="scistarter-ppsr", type="ppsr", url=server.url("/ppsr/closed.json"),
                      organization="citizen-science", secrets={"api_token": "t0ken"},
                      secret_names={"api_token": "SCISTARTER_TOKEN"})
    [page] = list(pages(spec, jobs.client_for(spec, allow=["127.0.0.1"], retries=0)))
    assert [s.guid for s in page.sightings] == ["17000"]


def test_an_invalid_project_is_a_page_error_and_the_rest_is_kept(server, client):
    [page] = listed(server, client, "/ppsr/invalid.json")
    assert page.failed is None
    assert [s.guid for s in page.sightings] == ["17000", "17901"]
    assert page.errors == [("17001", "projectName: missing; PMM 2020.0 requires it (required)"),
                           ("17005", "projectName: empty; PMM 2020.0 requires it (required)"),
                           ("#5", "the project is not a JSON object (type)")]


def test_a_repeated_project_id_is_a_page_error_and_the_first_is_kept():
    first, second = by_id("17000"), by_id("17000")
    second["projectName"] = "Globe at Night (copy)"
    page = read_page("https://registry.example/feed", [first, second], spec_for())
    assert [s.record["title"] for s in page.sightings] == ["Globe at Night"]
    assert page.errors == [("17000", "projectId repeated at #2; only the first is kept")]


# ------------------------------------------------------------------ mapping
def test_globe_at_night_maps_every_field():
    sighting = map_project(by_id("17000"), spec_for(registry="SciStarter"))
    processes = "Observation, Measurement, Data entry, Geolocation"
    assert sighting.record == {
        "title": "Globe at Night",
        "identifier": "17000",
        "notes": "Raise public awareness of light pollution by inviting people everywhere to measure the brightness "
                 "of their night sky.\n\n"
                 + by_id("17000")["projectDescription"] + "\n\n"
                 "How to participate: " + by_id("17000")["projectHowToParticipate"] + "\n\n"
                 "Status: Active",
        "tags": [{"name": "light pollution"}, {"name": "astronomy"}, {"name": "night sky"}, {"name": "dark skies"},
                 {"name": "Suitable for children"}, {"name": "Teaching materials available"}],
        "url": "https://globeatnight.org",
        "issued": "2014-04-09T15:20:00+00:00",
        "modified": "2024-01-15T10:00:00+00:00",
        "temporal_coverage": [{"start": "2006-03-01"}],
        "language": ["en"],
        "contact": [{"name": "NSF NOIRLab", "email": "info@example.org"},
                    {"name": "Globe at Night team", "email": "globe-at-night@example.org"}],
        "publisher": [{"name": "NSF NOIRLab"}],
        "partners": [{"name": "U.S. National Science Foundation", "role": "funder"}],
        "engagement": [{"stage": "collect", "level": 3, "actors": ["community"],
                        "derived_from": f"derived from the source's scientific processes involved: {processes}; "
                                        "participant tasks: Measurement (mapping table ppsr-core.yaml: "
                                        "scientificProcessInvolved, projectTask)"}],
    }
    assert (sighting.guid, sighting.kind, sighting.identifier) == ("17000", SERIES, "17000")
    assert (sighting.original_uri, sighting.publisher) == ("https://globeatnight.org", "SciStarter")
    assert sighting.upstream_modified == "2024-01-15T10:00:00+00:00"
    assert sighting.same_as == [registry_key("SciStarter", "17000")] == ["id:scistarter\x1f17000"]
    assert sighting.warnings == [
        'unRegions[0]: "World (001)" (M49 001) is not a country (a region or an unknown code); dropped',
        "projectGeographicLocation: an initiative has no spatial field, so the location is not kept (its countries "
        "come from projectCountry and unRegions); dropped",
        "projectAssociatedParty[1]: 'DarkSky International' is not kept as a partner (projectAssociatedParty.role: "
        "'Partner' maps to no partner role (mapping table ppsr-core.yaml))"]


def test_the_same_project_seen_by_eu_citizen_science_has_the_same_identity_key():
    sighting = map_project(by_id("17000"), spec_for(registry="SciStarter"))
    # EU-Citizen.Science states originDatabase "SciStarter" and originUID "17000" for it
    assert registry_key(" SciStarter ", 17000) in sighting.identity_keys()


def test_globe_at_night_listed_by_eu_citizen_science_is_recognised_as_the_same_project():
    listing = json.loads((ROOT / "harvesters" / "fixtures" / "eucs" / "projects.json").read_text(encoding="utf-8"))
    copied = next(p for p in listing if p.get("originUID") == "17000")
    theirs = eu_citizen_science.map_project(copied, SourceSpec(name="eucs", type="eucs", url="https://eu-citizen.science",
                                                               organization="ecsa"))
    ours = map_project(by_id("17000"), spec_for(registry="SciStarter"))
    assert theirs.record["title"] == ours.record["title"] == "Globe at Night"
    assert registry_key("SciStarter", "17000") in set(theirs.identity_keys()) & set(ours.identity_keys())


def test_without_a_registry_the_project_is_known_by_its_url_only():
    sighting = map_project(by_id("17000"), spec_for())
    assert (sighting.same_as, sighting.publisher) == ([], None)
    assert sighting.identity_keys() == ["uri:https://globeatnight.org"]


def test_the_repository_a_project_came_from_adds_its_key():
    sighting = map_project(by_id("17002"), spec_for(registry="SciStarter"))
    assert sighting.same_as == ["id:scistarter\x1f17002", "id:zooniverse\x1fzookeeper/galaxy-zoo"]
    several = {**by_id("17002"), "projectOriginalRepository": ["Zooniverse", "SciStarter"],
               "projectExternalId": ["zookeeper/galaxy-zoo", "3071"]}
    assert map_project(several, spec_for()).same_as == ["id:zooniverse\x1fzookeeper/galaxy-zoo",
                                                        "id:scistarter\x1f3071"]


def test_countries_come_from_m49_country_codes_and_pmm_country_names():
    assert map_project(by_id("17004"), spec_for()).record["countries"] == ["GBR", "USA"]
    assert map_project(by_id("17005"), spec_for()).record["countries"] == ["USA"]          # unRegions "840"
    assert map_project(by_id("17006"), spec_for()).record["countries"] == ["DEU", "BGR"]   # "DE", "Bulgaria"
    mixed = {**by_id("17007"), "unRegions": ["404", 288, "Africa - Sub-Saharan Africa (202)"],
             "projectCountry": ["Kenya", "Tanzania, the United Republic of", "Côte d'Ivoire"]}
    sighting = map_project(mixed, spec_for())
    assert sighting.record["countries"] == ["KEN", "GHA", "TZA", "CIV"]
    assert 'unRegions[2]: "Africa - Sub-Saharan Africa (202)" (M49 202) is not a country (a region or an unknown ' \
           'code); dropped' in sighting.warnings


def test_every_country_name_of_the_pmm_vocabulary_is_read():
    # a sample of PMM's spellings of ISO 3166 names (docs/project/vocabulary.md)
    names = {"Bahamas (the)": "BHS", "Bolivia (Plurinational State of)": "BOL", "Congo (the Democratic Republic of "
             "the)": "COD", "Falkland Islands (the) [Malvinas]": "FLK", "Holy See (the)": "VAT",
             "Korea (the Democratic People's Republic of)": "PRK", "Korea (the Republic of)": "KOR",
             "Lao People's Democratic Republic (the)": "LAO", "Palestine, State of": "PSE",
             "Saint Martin (French part)": "MAF", "Tanzania, the United Republic of": "TZA", "Turkey": "TUR",
             "United Kingdom of Great Britain and Northern Ireland (the)": "GBR", "Virgin Islands (U.S.)": "VIR",
             "Western Sahara*": "ESH", "Åland Islands": "ALA", "Réunion": "REU", "GH": "GHA", "gha": "GHA"}
    assert {name: country_code(name) for name in names} == names
    assert country_code("Atlantis") is None and country_code("Europe") is None


@pytest.mark.parametrize("value, code", [("English", "en"), ("en", "en"), ("EN", "en"), ("eng", "en"),
                                         ("ger", "de"), ("en-GB", "en"), ("pt_BR", "pt"), ("Spanish", "es"),
                                         ("UTF-8", None), ("utf8", None), ("Klingon-ish", None)])
def test_languages_are_iso_639_codes_and_encodings_are_not_languages(value, code):
    assert language_code(value) == code


def test_notes_hold_aim_description_and_the_labelled_sections():
    project = {**by_id("17004"), "projectHowToParticipate": "Sign up and transcribe a page.",
               "projectLocality": "Ships' logbooks from all oceans"}
    notes = map_project(project, spec_for()).record["notes"].split("\n\n")
    assert notes[0] == project["projectAim"] and notes[1] == project["projectDescription"]
    assert notes[2:] == ["How to participate: Sign up and transcribe a page.",
                         "Intended outcomes: Historical weather observations for climate reconstructions; The "
                         "voyages of the ships, for historians",
                         "Locality: Ships' logbooks from all oceans",
                         "Status: Periodically active"]


def test_an_aim_repeated_as_description_is_said_once():
    project = {**by_id("17005"), "projectDescription": by_id("17005")["projectAim"]}
    assert map_project(project, spec_for()).record["notes"] == project["projectAim"] + "\n\nStatus: On hold"


def test_an_end_date_gives_a_closed_temporal_coverage():
    assert map_project(by_id("17008"), spec_for()).record["temporal_coverage"] == \
        [{"start": "2022-07-01", "end": "2023-06-30"}]


def test_partners_take_their_roles_from_the_table_and_funders_their_funding_type():
    assert map_project(by_id("17004"), spec_for()).record["partners"] == [
        {"name": "Met Office", "role": "technical-partner"},
        {"name": "National Oceanic and Atmospheric Administration", "role": "technical-partner"}]
    river = map_project(by_id("17007"), spec_for())
    assert river.record["partners"] == [{"name": "County council (made-up)", "role": "funder"}]
    assert "projectAssociatedParty[0]: 'County water department (made-up)' is not kept as a partner " \
           "(projectAssociatedParty.role: 'Stakeholder' maps to no partner role (mapping table ppsr-core.yaml))" \
           in river.warnings


def test_contact_points_give_an_email_or_a_web_page():
    galaxy = map_project(by_id("17002"), spec_for()).record
    assert galaxy["contact"] == [{"name": "Zooniverse", "email": "contact@example.org"},
                                 {"name": "Zooniverse", "url": "https://www.zooniverse.org/about/contact"}]
    points = [{"contactName": "Foldit team", "contactDetails": "foldit@example.org"},
              {"contactName": "Forum", "contactDetails": "https://fold.it/forum"}]
    several = {**by_id("17003"), "contactPoint": points}
    assert map_project(several, spec_for()).record["contact"] == [
        {"name": "University of Washington Center for Game Science", "email": "foldit@example.org"},
        {"name": "Foldit team", "email": "foldit@example.org"},
        {"name": "Forum", "url": "https://fold.it/forum"}]


BASE = "17006"      # Sensor.Community: a project without warnings of its own but the missing contactPoint


@pytest.mark.parametrize("change, warning", [
    ({"projectUrl": "ftp://sensor.example/"}, "projectUrl: 'ftp://sensor.example/' is not an http(s) address; dropped"),
    ({"projectUrl": "sensor.community"}, 'projectUrl: "sensor.community" is not a uri (format); dropped'),
    ({"projectStatus": "Ongoing"}, 'projectStatus: "Ongoing" is not one of the values PMM 2020.0 allows (enum); '
                                   'dropped'),
    ({"projectStartDate": "spring 2015"}, 'projectStartDate: "spring 2015" is not a date-time (format); dropped'),
    ({"projectEndDate": "2014-12-31", "projectDuration": "P1Y"},
     "temporal_coverage: projectEndDate '2014-12-31' is before projectStartDate '2015-01-01T00:00:00+00:00'; "
     "dropped"),
    ({"projectDateCreated": "yesterday"}, 'projectDateCreated: "yesterday" is not a date-time (format); dropped'),
    ({"keyword": "air, x"}, "tags: 'x' is not a CKAN tag (2-100 letters, digits, spaces, - _ .); dropped"),
    ({"hasTag": ["Free pizza"]}, 'hasTag[0]: "Free pizza" is not one of the values PMM 2020.0 allows (enum); dropped'),
    ({"language": "UTF-8"}, "language: 'UTF-8' is not an ISO 639 language code or name (PMM 2020.0 also uses this "
                            "attribute for the character encoding); dropped"),
    ({"unRegions": ["150"]}, 'unRegions[0]: "150" (M49 150) is not a country (a region or an unknown code); dropped'),
    ({"unRegions": ["Narnia"]}, 'unRegions[0]: "Narnia" is not one of the values PMM 2020.0 allows (enum); dropped'),
    ({"projectCountry": ["DE", "Atlantis"]},
     "projectCountry[1]: 'Atlantis' is not an ISO 3166 country name or code; dropped"),
    ({"projectGeographicLocation": {"projectGeographicCoverageCentroidLatitude": 48.78}},
     "projectGeographicLocation: an initiative has no spatial field, so the location is not kept (its countries "
     "come from projectCountry and unRegions); dropped"),
    ({"projectResponsiblePartyContactEmail": "contact at sensor.community"},
     "projectResponsiblePartyContactEmail: 'contact at sensor.community' is not an e-mail address; dropped"),
    ({"contactPoint": {"contactName": "Desk", "meansOfContact": "Phone", "contactDetails": "+00 0000",
                       "contactPointType": "General enquiries"}},
     "contactPoint.contactDetails: a phone is not kept (a contact point holds a name, an e-mail address or a web "
     "page); dropped"),
    ({"contactPoint": {"contactName": "Desk", "meansOfContact": "Fax", "contactDetails": "+00 0000",
                       "contactPointType": "General enquiries"}},
     'contactPoint.meansOfContact: "Fax" is not one of the values PMM 2020.0 allows (enum); dropped'),
    ({"projectAssociatedParty": [{"projectAssociatedPartyName": "OK Lab", "projectAssociatedPartyRole": "Janitor"}]},
     "projectAssociatedParty[0]: 'OK Lab' is not kept as a partner (projectAssociatedParty.role: 'Janitor' is not in "
     "the mapping table ppsr-core.yaml; ignored)"),
    ({"projectAssociatedParty": [{"projectAssociatedPartyRole": "Sponsor/funder"}]},
     "projectAssociatedParty[0]: a party without a name; dropped"),
    ({"projectAssociatedParty": [{"projectAssociatedPartyName": "OK Lab"}]},
     "projectAssociatedParty[0]: 'OK Lab' is not kept as a partner (projectAssociatedParty.role: none stated)"),
    ({"projectFunding": [{"projectFundingSource": "Crowd", "projectFundingSourceType": {}}]},
     "projectFunding[0]: 'Crowd' is not kept as a partner (projectFunding.projectFundingSourceType: none stated)"),
    ({"projectFunding": [{"projectFundingSource": "Crowd",
                          "projectFundingSourceType": {"fundingSourceTypeSubsetA": "Crowdfunding"}}]},
     "projectFunding[0]: 'Crowd' is not kept as a partner (projectFunding.projectFundingSourceType: 'Crowdfunding' "
     "is not in the mapping table ppsr-core.yaml; ignored)"),
    ({"projectFunding": [{"projectFundingSource": "Crowd"}]},
     "projectFunding[0]: missing the attributes PMM 2020.0 makes mandatory (required): projectFundingSourceType"),
    ({"scientificProcessInvolved": ["Measurement", "Dancing"]},
     "scientificProcessInvolved: 'Dancing' is not in the mapping table ppsr-core.yaml; ignored"),
    ({"projectTask": "Count the frogs you hear after dark"},
     "projectTask: 'Count the frogs you hear after dark' is not in the mapping table ppsr-core.yaml; ignored"),
    ({"projectColour": "green"}, "projectColour: not an attribute of PPSR Core PMM 2020.0 (additionalProperties); "
                                 "dropped"),
    ({"projectExternalId": "4242"}, "projectExternalId: 1 id(s) for 0 projectOriginalRepository value(s) cannot be "
                                    "paired; not used to recognise the project elsewhere"),
    ({"projectId": 17006}, "projectId: 17006 is a number; PMM 2020.0 makes it text (type); read as '17006'"),
    ({"projectName": "Sensor.Community\u200b", "projectDescription": "Bad \x00 text"},
     "projectDescription: a NUL character (U+0000) at position 5; dropped"),
])
def test_each_dropped_value_is_a_warning_naming_its_field_and_the_project_is_kept(change, warning):
    sighting = map_project({**by_id(BASE), **change}, spec_for())
    assert warning in sighting.warnings, sighting.warnings
    assert sighting.guid == "17006" and sighting.record["title"].startswith("Sensor.Community")


def test_values_the_table_maps_to_nothing_or_does_not_know_derive_no_engagement():
    for processes in ([], ["Dancing"]):
        project = {**by_id(BASE), "scientificProcessInvolved": processes}
        project.pop("projectTask", None)
        assert "engagement" not in map_project(project, spec_for()).record
    free_text = {**by_id(BASE), "scientificProcessInvolved": [], "projectTask": "Build a sensor and host it"}
    assert "engagement" not in map_project(free_text, spec_for()).record


def test_a_comma_separated_process_text_is_read_as_terms():
    project = {**by_id(BASE), "scientificProcessInvolved": "Measurement, DIY hacking/making"}
    stages = [e["stage"] for e in map_project(project, spec_for()).record["engagement"]]
    assert stages == ["collect", "design"]


def test_engagement_entries_say_which_table_derived_them():
    for project in projects():
        for entry in map_project(project, spec_for()).record.get("engagement", []):
            assert entry["derived_from"].startswith("derived from the source's ")
            assert DERIVED in entry["derived_from"], entry
            assert entry["actors"] == ["community"]


@pytest.mark.parametrize("change, why", [
    ({"projectName": None}, "projectName: null is not of the type PMM 2020.0 gives it, string (type)"),
    ({"projectName": "   "}, "projectName: empty; PMM 2020.0 requires it (required)"),
    ({"projectName": "Globe\x00at Night"}, "projectName: a NUL character (U+0000) at position 6; the project cannot "
                                           "be read without it"),
    ({"projectId": ""}, "projectId: empty; PMM 2020.0 requires it (required)"),
    ({"projectId": ["17000"]}, 'projectId: ["17000"] is not of the type PMM 2020.0 gives it, string (type)'),
])
def test_a_project_without_a_usable_id_or_name_cannot_be_mapped(change, why):
    with pytest.raises(MappingError) as raised:
        map_project({**by_id("17000"), **change}, spec_for())
    assert str(raised.value) == why


def test_defaults_fill_only_what_the_project_leaves_empty():
    spec = spec_for()
    spec.defaults = {"initiative_type": "citizen-science", "countries": ["ZAF"], "language": ["fr"]}
    record = map_project(by_id("17005"), spec).record
    assert record["initiative_type"] == "citizen-science"
    assert record["countries"] == ["USA"] and record["language"] == ["en"]


def test_mapping_is_pure():
    project = by_id("17000")
    before = copy.deepcopy(project)
    spec = spec_for(registry="SciStarter")
    assert map_project(project, spec).content_hash() == map_project(project, spec).content_hash()
    assert project == before


def test_mapped_records_only_use_our_scheming_fields():
    schema = yaml.safe_load((ROOT / "schemas" / "initiative.yaml").read_text(encoding="utf-8"))
    allowed = {f["field_name"] for f in schema["dataset_fields"]} - {"name", "owner_org"} | {"tags"}
    subfields = {f["field_name"]: {s["field_name"] for s in f.get("repeating_subfields", [])}
                 for f in schema["dataset_fields"]}
    mapped = []
    for project in all_fixture_projects():
        try:
            mapped.append(map_project(project, spec_for(registry="SciStarter")))
        except MappingError:
            continue
    assert len(mapped) >= 20
    for sighting in mapped:
        record = sighting.record
        assert set(record) <= allowed, sighting.guid
        for field in ("contact", "publisher", "partners", "engagement", "temporal_coverage"):
            assert all(set(item) <= subfields[field] for item in record.get(field, [])), (sighting.guid, field)
        assert {"id", "name", "owner_org"}.isdisjoint(record)


# ------------------------------------------------------------------ the mapping table
TABLE_FIELDS = ["scientificProcessInvolved", "projectTask", "projectAssociatedParty.role",
                "projectFunding.projectFundingSourceType", "projectStatus"]


@pytest.mark.parametrize("field", TABLE_FIELDS)
def test_the_table_lists_every_value_of_the_recorded_feeds(field):
    values = stated(field)
    assert values, field
    assert mapping.unknown(PLATFORM, field, values) == []


def test_the_recorded_feeds_hold_every_pmm_process_role_and_status():
    assert set(stated("scientificProcessInvolved")) == set(PMM_PROCESSES)
    assert set(stated("projectAssociatedParty.role")) == set(PMM_ROLES)
    assert set(stated("projectStatus")) == set(PMM_STATUSES)


@pytest.mark.parametrize("field", ["scientificProcessInvolved", "projectTask"])
def test_at_least_90_percent_of_the_process_values_seen_map_to_a_stage(field):
    mapped, seen = mapping.coverage(PLATFORM, field, stated(field))
    assert seen and mapped / seen >= 0.9, f"{field}: {mapped} of {seen} distinct values map to a stage " \
                                          f"({mapped / seen:.0%})"
    print(f"{field}: {mapped}/{seen} distinct values map to a stage")


def test_the_table_maps_every_pmm_term_to_our_concepts():
    tables = mapping.tables(PLATFORM)
    processes = tables["scientificProcessInvolved"]
    assert sorted(processes.spelled.values()) == sorted(PMM_PROCESSES)
    stages, levels, actors = notations("engagement-stages"), notations("engagement-levels"), notations("actor-types")
    for key, entry in processes.values.items():
        assert entry["stage"] in stages and str(entry["level"]) in levels and set(entry["actors"]) <= actors, key
    assert tables["projectTask"].values == processes.values
    roles = notations("partner-roles")
    for field in ("projectAssociatedParty.role", "projectFunding.projectFundingSourceType"):
        assert {v for v in tables[field].values.values() if v is not None} <= roles, field
    assert sorted(tables["projectAssociatedParty.role"].spelled.values()) == sorted(PMM_ROLES)
    statuses = tables["projectStatus"]
    assert sorted(statuses.spelled.values()) == sorted(PMM_STATUSES)
    assert set(statuses.values.values()) <= {"planned", "active", "paused", "completed", "abandoned"}


def test_no_pmm_term_alone_claims_that_participants_decide():
    levels = {entry["level"] for entry in mapping.tables(PLATFORM)["scientificProcessInvolved"].values.values()}
    assert max(levels) == 3                      # involve at most: see the comments of the table


# ------------------------------------------------------------------ a real job
TABLES = ("package", "activity", "harvest_object", "citizendata_harvest_record", "citizendata_search_index")


def counts() -> dict[str, int]:
    query = ", ".join(f"(SELECT count(*) FROM {table})" for table in TABLES)
    return dict(zip(TABLES, model.Session.execute(sa.text(f"SELECT {query}")).first()))


def shown(source: HarvestSource, guid: str) -> dict:
    row = provenance.get(source.id, guid)
    assert row is not None and not row.withdrawn, guid
    return toolkit.get_action("package_show")({"ignore_auth": True}, {"id": row.package_id})


@pytest.mark.usefixtures("clean_db")
@pytest.mark.ckan_config("ckanext.citizendata.harvest.requests_per_second", "0")
def test_a_job_writes_initiatives_changes_nothing_when_run_again_and_follows_the_feed(server):
    org = factories.Organization(name="citizen-science")
    source = HarvestSource(url=server.url(FEED), title="SciStarter (PPSR)", type="citizendata_ppsr", config="{}")
    source.save()
    spec = SourceSpec(name="scistarter-ppsr", type="ppsr", url=server.url(FEED), organization=org["name"],
                      options={"registry": "SciStarter"})

    def run():
        return jobs.run(source, spec, pages, incremental=False, fetcher=Client(allow=["127.0.0.1"], retries=0))

    first = run()
    assert (first.status, first.added, first.errors) == ("Finished", 9, 0), first.reasons
    globe = shown(source, "17000")
    assert (globe["type"], globe["title"], globe["organization"]["name"]) == \
        ("dataset_series", "Globe at Night", "citizen-science")
    assert globe["engagement"] == [{"stage": "collect", "level": 3, "actors": ["community"],
                                    "derived_from": "derived from the source's scientific processes involved: "
                                                    "Observation, Measurement, Data entry, Geolocation; participant "
                                                    "tasks: Measurement (mapping table ppsr-core.yaml: "
                                                    "scientificProcessInvolved, projectTask)"}]
    assert globe["partners"] == [{"name": "U.S. National Science Foundation", "role": "funder"}]
    weather = shown(source, "17004")
    assert weather["countries"] == ["GBR", "USA"]
    assert [p["role"] for p in weather["partners"]] == ["technical-partner", "technical-partner"]
    assert {e["stage"]: e["level"] for e in weather["engagement"]} == {"collect": 3, "process": 3}
    assert all(DERIVED in e["derived_from"] for e in weather["engagement"])
    identity = model.Session.execute(sa.select(harvest_record_table.c.identity).where(
        harvest_record_table.c.source_id == source.id, harvest_record_table.c.guid == "17000")).scalar()
    assert registry_key("SciStarter", "17000") in identity       # how EU-Citizen.Science's copy is recognised

    before = counts()
    second = run()
    assert (second.status, second.unchanged, second.added, second.updated, second.withdrawn) == \
        ("Finished", 9, 0, 0, 0)
    assert counts() == before

    server.add(FEED, body=(FIXTURES / "projects-changed.json").read_bytes(), content_type="application/json")
    third = run()
    assert (third.status, third.added, third.updated, third.unchanged, third.withdrawn) == \
        ("Finished", 0, 1, 7, 1), third.reasons
    assert shown(source, "17002")["notes"].startswith(by_id("17002", "projects-changed.json")["projectAim"])
    assert "Euclid" in shown(source, "17002")["notes"]
    gone = provenance.get(source.id, "17008")
    assert gone.withdrawn and model.Package.get(gone.package_id).state == "deleted"
