"""ingest/harvest/odk_central.py: an ODK Central server listed as its projects (archived ones skipped) and their
published forms (drafts skipped), with extended metadata and Basic or Bearer credentials; refused credentials and
forms that cannot be read make a failed page naming the secret by its variable, never its value; projects and
forms mapped to initiatives and datasets in them (pure functions, every field, warnings), through the mapping
table odk-central.yaml; never a data endpoint, asked directly or through a redirect; a real job writes the
initiatives and their datasets, a rerun writes nothing, a changed server withdraws a gone form."""
from __future__ import annotations

import base64
import json
import pathlib
import re

import pytest
from ckan import model
from ckan.plugins import toolkit
from ckan.tests import factories
from ckanext.harvest.model import HarvestSource

from ckanext.citizendata.ingest.harvest import dcat_record, fetch, jobs, kinds, mapping, odk_central, provenance
from ckanext.citizendata.ingest.harvest.listing import DATASET, SERIES, SourceSpec
from ckanext.citizendata.ingest.harvest.odk_central import ETHICS_WARNING, MappingError, map_form, map_project, pages
from ckanext.citizendata.ingest.harvest.replay import Replay, Reply

ROOT = pathlib.Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "harvesters" / "fixtures" / "odk"
VOCABULARIES = ROOT / "vocabularies"
EMAIL, PASSWORD, TOKEN = "harvest@example.org", "correct-horse-battery-staple", "lSpAIeksRu1CNZs7qjAot2T17dPzkrw9"
SECRETS = {"email": "ODK_EMAIL", "password": "ODK_PASSWORD"}
PROJECT_1_FORMS = ["project:1/form:water-point-check", "project:1/form:water-point-repair-followup"]
PROJECT_4_FORMS = ["project:4/form:market_prices_2023", "project:4/form:market_prices_2024"]
DATA_PATHS = [
    "/v1/projects/1/forms/water-point-check/submissions",
    "/v1/projects/1/forms/water-point-check/submissions.csv.zip",
    "/v1/projects/1/forms/water-point-check.svc",
    "/v1/projects/1/forms/water-point-check.svc/Submissions",
    "/v1/projects/1/forms/water-point-check/attachments/photo.jpg",
    "/v1/projects/1/forms/water-point-check/draft/submissions",
    "/v1/projects/1/forms/water-point-check/draft",
    "/v1/projects/4/datasets/trees/entities",
    "/v1/projects/4/datasets/trees.svc/Entities",
    "/v1/projects/4/datasets/trees/entities.csv",
    "/v1/audits",
    "/v1/projects/1/app-users",
    "/v1/projects/1/forms/water-point-check/public-links",
    "/v1/projects/1/assignments",
    "/v1/users",
    "/v1/key/abc/projects/1/forms/water-point-check/submissions",
]

# no waits between requests: what is tested is what the listing asks, not how long it waits
pytestmark = [pytest.mark.ckan_config("ckanext.citizendata.harvest.requests_per_second", "0"),
              pytest.mark.ckan_config("ckanext.citizendata.harvest.backoff_seconds", "0")]


def fixture(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def spec_for(url, secrets=None, secret_names=None, **more) -> SourceSpec:
    """An ODK source with Basic credentials (email and password), unless told otherwise."""
    values = {"email": EMAIL, "password": PASSWORD} if secrets is None else secrets
    names = dict(SECRETS) if secret_names is None else secret_names
    more.setdefault("organization", "partner")
    return SourceSpec(name="field-server", type="odk", url=url, secrets=values, secret_names=names,
                      file="field-server.yaml", **more)


def token_spec(url) -> SourceSpec:
    return spec_for(url, secrets={"api_token": TOKEN}, secret_names={"api_token": "ODK_TOKEN"})


def served(server, *extra):
    server.add_recorded(str(FIXTURES))
    for routes in extra:
        server.add_recorded(str(FIXTURES), routes)
    return server


def listed(pages_):
    return [s.guid for page in pages_ for s in page.sightings]


def client_for(spec, **options):
    return jobs.client_for(spec, allow=["127.0.0.1"], retries=0, **options)


def published(name):
    return [form for form in fixture(name) if odk_central.is_published(form)]


@pytest.fixture
def server():
    with Replay() as replay:
        yield replay


@pytest.fixture
def spec(server):
    return spec_for(server.base)


# ---------------------------------------------------------------- listing
def test_the_projects_then_each_active_projects_forms_one_page_per_project_the_project_first(server, spec):
    served(server)
    found = list(pages(spec, client_for(spec)))
    assert server.log == ["/v1/projects", "/v1/projects/1/forms", "/v1/projects/4/forms"]   # project 7: archived
    assert [page.url for page in found] == [server.url("/v1/projects/1/forms"), server.url("/v1/projects/4/forms")]
    assert [[s.guid for s in page.sightings] for page in found] == [["project:1", *PROJECT_1_FORMS],
                                                                    ["project:4", *PROJECT_4_FORMS]]
    assert [s.kind for s in found[0].sightings] == [SERIES, DATASET, DATASET]
    assert all(not page.failed and not page.errors for page in found)
    assert "project:1/form:household-water-use" not in listed(found)     # a draft, never published
    assert "project:7" not in listed(found)


def test_closed_published_forms_are_listed_and_a_project_without_published_forms_has_no_engagement(server, spec):
    drafts = [form for form in fixture("project-1-forms.json") if not odk_central.is_published(form)]
    served(server)
    server.add("/v1/projects/1/forms", body=json.dumps(drafts).encode(), content_type="application/json")
    found = list(pages(spec, client_for(spec)))
    assert listed(found) == ["project:1", "project:4", *PROJECT_4_FORMS]
    assert "engagement" not in found[0].sightings[0].record
    assert "Status: completed" in found[1].sightings[1].record["notes"]     # market_prices_2023 is closed


def test_basic_credentials_and_extended_metadata_are_sent_with_every_request(server, spec):
    seen = {}

    def recorder(name):
        def handler(request):
            seen[request.path] = request.headers
            return Reply(body=(FIXTURES / name).read_bytes(), content_type="application/json")
        return handler

    server.add("/v1/projects", handler=recorder("projects.json"))
    server.add("/v1/projects/1/forms", handler=recorder("project-1-forms.json"))
    server.add("/v1/projects/4/forms", handler=recorder("project-4-forms.json"))
    list(pages(spec, client_for(spec)))
    basic = "Basic " + base64.b64encode(f"{EMAIL}:{PASSWORD}".encode()).decode()
    assert sorted(seen) == ["/v1/projects", "/v1/projects/1/forms", "/v1/projects/4/forms"]
    for headers in seen.values():
        assert headers.get("Authorization") == basic
        assert headers.get("X-Extended-Metadata") == "true"


def test_a_named_api_token_is_sent_as_a_bearer_token_instead(server):
    spec = token_spec(server.base)
    seen = []
    server.add_recorded(str(FIXTURES))
    server.add("/v1/projects", handler=lambda request: seen.append(request.headers) or Reply(
        body=(FIXTURES / "projects.json").read_bytes(), content_type="application/json"))
    assert listed(pages(spec, client_for(spec)))
    assert seen[0]["Authorization"] == f"Bearer {TOKEN}" and seen[0]["X-Extended-Metadata"] == "true"


def test_authorize_gives_basic_bearer_or_nothing():
    assert odk_central.authorize(spec_for("https://odk.example")) == {
        "Authorization": "Basic " + base64.b64encode(f"{EMAIL}:{PASSWORD}".encode()).decode()}
    assert odk_central.authorize(token_spec("https://odk.example")) == {"Authorization": f"Bearer {TOKEN}"}
    both = spec_for("https://odk.example", secrets={"email": EMAIL, "password": PASSWORD, "api_token": TOKEN},
                    secret_names={**SECRETS, "api_token": "ODK_TOKEN"})
    assert odk_central.authorize(both) == {"Authorization": f"Bearer {TOKEN}"}
    assert odk_central.authorize(spec_for("https://odk.example", secrets={}, secret_names={})) == {}
    assert odk_central.authorize(spec_for("https://odk.example", secrets={"email": EMAIL})) == {}
    assert kinds.SOURCE_TYPES["odk"].authorize is odk_central.authorize


def test_refused_credentials_fail_the_listing_naming_the_source_and_the_secrets_variable_never_its_value(server,
                                                                                                         spec):
    served(server, "replay-unauthorized.yaml")
    found = list(pages(spec, client_for(spec)))
    assert len(found) == 1 and found[0].url == server.url("/v1/projects") and not found[0].sightings
    why = found[0].failed
    assert why.startswith("source field-server: the source refused access (HTTP 401)")
    assert "password (ODK_PASSWORD)" in why and PASSWORD not in why and EMAIL not in why


def test_forms_refused_to_a_token_fail_the_listing_naming_the_token_variable(server):
    served(server)
    server.add("/v1/projects/4/forms", body=(FIXTURES / "forbidden.json").read_bytes(), status=403,
               content_type="application/json")
    spec = token_spec(server.base)
    found = list(pages(spec, client_for(spec)))
    assert listed(found) == ["project:1", *PROJECT_1_FORMS]
    assert found[-1].url == server.url("/v1/projects/4/forms")
    assert "(HTTP 403)" in found[-1].failed and "api_token (ODK_TOKEN)" in found[-1].failed
    assert TOKEN not in found[-1].failed


def test_a_secret_named_but_not_set_is_said(server):
    served(server, "replay-unauthorized.yaml")
    spec = spec_for(server.base, secrets={})
    found = list(pages(spec, client_for(spec)))
    assert "the secret password (ODK_PASSWORD) is not set" in found[0].failed


def test_a_project_whose_forms_cannot_be_read_is_a_failed_page_after_the_others(server, spec):
    served(server)
    server.add("/v1/projects/1/forms", status=500, body=b"Internal Server Error", content_type="text/plain")
    found = list(pages(spec, client_for(spec)))
    assert [bool(page.failed) for page in found] == [False, True]
    assert listed(found) == ["project:4", *PROJECT_4_FORMS]       # nothing of project 1
    assert found[-1].url == server.url("/v1/projects/1/forms")
    assert "HTTP status 500" in found[-1].failed and "/v1/projects/1/forms" in found[-1].failed


@pytest.mark.parametrize("body", [b'{"message": "not a list"}', b"[1, 2", b'"projects"'])
def test_a_projects_answer_that_is_not_a_list_fails_the_listing(server, spec, body):
    server.add("/v1/projects", body=body, content_type="application/json")
    found = list(pages(spec, client_for(spec)))
    assert len(found) == 1 and found[0].failed and not found[0].sightings
    assert server.log == ["/v1/projects"]


def test_a_forms_answer_that_is_not_a_list_and_a_project_without_id_fail_the_listing(server, spec):
    projects = fixture("projects.json")
    del projects[1]["id"]
    served(server)
    server.add("/v1/projects", body=json.dumps(projects).encode(), content_type="application/json")
    server.add("/v1/projects/1/forms", body=b'{"code": 404.1}', content_type="application/json")
    found = list(pages(spec, client_for(spec)))
    assert len(found) == 1 and not found[0].sightings
    assert "the forms of 2 project(s) could not be read" in found[0].failed
    assert "not a JSON array of forms" in found[0].failed and "project #2 has no id" in found[0].failed


def test_an_empty_listing_without_credentials_is_no_listing(server):
    server.add("/v1/projects", body=b"[]", content_type="application/json")
    anonymous = spec_for(server.base, secrets={}, secret_names={})
    found = list(pages(anonymous, client_for(anonymous)))
    assert found[0].failed and "lists no project to a client without credentials" in found[0].failed
    assert list(pages(spec_for(server.base), client_for(spec_for(server.base)))) == []   # with: an empty server


def test_a_project_or_form_that_cannot_be_mapped_is_a_page_error_and_the_rest_is_kept(server, spec):
    projects, forms = fixture("projects.json"), fixture("project-1-forms.json")
    projects[0]["name"] = None
    forms[0]["xmlFormId"] = None
    served(server)
    server.add("/v1/projects", body=json.dumps(projects).encode(), content_type="application/json")
    server.add("/v1/projects/1/forms", body=json.dumps(forms).encode(), content_type="application/json")
    found = list(pages(spec, client_for(spec)))
    assert found[0].errors == [("project:1", "the project has no readable name"),
                               ("project:1/form #1", "the form has no xmlFormId")]
    assert [s.guid for s in found[0].sightings] == ["project:1/form:water-point-repair-followup"]


# ---------------------------------------------------------------- never a data endpoint
@pytest.mark.parametrize("path", DATA_PATHS)
def test_the_client_of_an_odk_source_refuses_every_data_path(path):
    client = jobs.client_for(spec_for("https://central.example.org"))
    with pytest.raises(fetch.PathRefused):
        client.get("https://central.example.org" + path)


def test_the_client_refuses_submissions_odata_and_a_redirect_to_either_and_asks_the_listing(server, spec):
    for pattern in odk_central.REFUSED_PATHS:
        server.forbid(pattern)
    client = client_for(spec)
    for path in ("/v1/projects/1/forms/water-point-check/submissions", "/v1/projects/1/forms/water-point-check.svc"):
        with pytest.raises(fetch.PathRefused):
            client.get(server.url(path))
        server.add("/v1/redirect" + str(len(path)), status=302, headers={"Location": path})
        with pytest.raises(fetch.PathRefused):
            client.get(server.url("/v1/redirect" + str(len(path))))
    assert server.violations == [] and all("submissions" not in line and ".svc" not in line for line in server.log)
    served(server)
    server.add("/v1/projects/4/forms", status=302, headers={"Location": "/v1/projects/4/forms/x/submissions"})
    found = list(pages(spec, client))
    assert "never reads this path" in found[-1].failed
    server.check()


def test_the_listing_paths_are_not_refused_and_the_source_type_uses_the_modules_paths():
    assert kinds.SOURCE_TYPES["odk"].refuse_paths == odk_central.REFUSED_PATHS
    assert kinds.SOURCE_TYPES["odk"].pages is odk_central.pages
    for path in ("/v1/projects", "/v1/projects/1/forms", "/v1/projects/12/forms"):
        assert not any(re.search(pattern, path) for pattern in odk_central.REFUSED_PATHS)


# ---------------------------------------------------------------- mapping: projects
def test_a_project_maps_every_field():
    spec = spec_for("https://central.example.org/")
    project = fixture("projects.json")[0]
    sighting = map_project(project, spec, published("project-1-forms.json"))
    assert (sighting.guid, sighting.kind, sighting.identifier) == ("project:1", SERIES, "1")
    assert sighting.original_uri == "https://central.example.org/#/projects/1"
    assert sighting.series_guid is None and sighting.publisher is None and sighting.warnings == []
    assert sighting.upstream_modified == "2024-05-02T11:03:10.556Z"
    assert sighting.record == {
        "title": "Community water point monitoring (example)",
        "notes": project["description"],
        "issued": "2023-02-14T09:12:44.201Z",
        "modified": "2024-05-02T11:03:10.556Z",
        "engagement": [{"stage": "collect", "level": 3, "actors": ["cso"],
                        "derived_from": "derived from the source's states of the project's published forms: open, "
                                        "closing (mapping table odk-central.yaml: form state)"}],
    }
    assert set(sighting.record) <= set(dcat_record.shape(SERIES).fields)


def test_a_project_without_description_or_update_states_neither_and_without_published_forms_no_engagement():
    project = fixture("projects.json")[1]
    sighting = map_project(project, spec_for("https://central.example.org"), [])
    assert sighting.record == {"title": "Market price survey (example)", "issued": "2023-01-09T07:30:00.000Z"}
    assert sighting.upstream_modified == "2023-01-09T07:30:00.000Z"


def test_a_projects_bad_values_are_dropped_with_warnings_and_without_id_or_name_it_cannot_be_mapped():
    spec = spec_for("https://central.example.org")
    project = dict(fixture("projects.json")[0], description={"md": "x"}, createdAt="last spring",
                   updatedAt="2024-13-45")
    sighting = map_project(project, spec, [{"state": "paused"}, {"state": "open"}])
    assert sighting.warnings == ["notes: a dict is not text; dropped",
                                 "issued: createdAt 'last spring' is not an ISO 8601 date; dropped",
                                 "modified: updatedAt '2024-13-45' is not an ISO 8601 date; dropped",
                                 "form state: 'paused' is not in the mapping table odk-central.yaml; ignored"]
    assert set(sighting.record) == {"title", "engagement"}
    assert "paused" not in sighting.record["engagement"][0]["derived_from"]
    for bad in ({"name": "No id"}, {"id": "1", "name": "Text id"}, {"id": 2, "name": " "}, {"id": 3}, [1]):
        with pytest.raises(MappingError):
            map_project(bad, spec)


def test_defaults_fill_only_empty_keys_the_kind_takes():
    spec = spec_for("https://central.example.org", defaults={
        "initiative_type": "community-based-monitoring", "notes": "Described by the source file.",
        "collection_methods": ["observation"], "ethics": {"personal_data": False}, "title": "Never"})
    project = map_project(fixture("projects.json")[1], spec, [])
    assert project.record["initiative_type"] == "community-based-monitoring"
    assert project.record["notes"] == "Described by the source file." and project.record["title"] != "Never"
    assert "collection_methods" not in project.record          # not a field of an initiative
    form = map_form(fixture("project-4-forms.json")[0], fixture("projects.json")[1], spec)
    assert form.record["collection_methods"] == ["digital-form-survey"]       # stated: kept
    assert form.record["ethics"] == {"personal_data": False} and ETHICS_WARNING not in form.warnings


# ---------------------------------------------------------------- mapping: forms
def test_an_open_form_maps_every_field():
    spec = spec_for("https://central.example.org")
    project, form = fixture("projects.json")[0], fixture("project-1-forms.json")[0]
    sighting = map_form(form, project, spec)
    assert (sighting.guid, sighting.kind, sighting.identifier) == ("project:1/form:water-point-check", DATASET,
                                                                    "water-point-check")
    assert sighting.series_guid == "project:1"
    assert sighting.original_uri == "https://central.example.org/#/projects/1/forms/water-point-check"
    assert sighting.upstream_modified == "2024-05-02T11:03:10.556Z"
    assert sighting.record == {
        "title": "Water point check",
        "notes": "A form of the project Community water point monitoring (example) on an ODK Central server "
                 "(form id water-point-check, version 2024050201).\n\n"
                 "Status: active (form state at the source: open).\n\n"
                 "412 submissions at the time of harvest.",
        "issued": "2023-03-01T08:15:27.410Z",
        "modified": "2024-05-02T11:03:10.556Z",
        "collection_methods": ["digital-form-survey"],
        "temporal_coverage": [{"start": "2023-03-01", "end": "2024-11-18"}],
    }
    assert sighting.warnings == [ETHICS_WARNING]
    assert set(sighting.record) <= set(dcat_record.shape(DATASET).fields)
    assert "sample_size" not in sighting.record and "ethics" not in sighting.record


def test_a_closing_form_without_update_and_a_closed_encrypted_form():
    spec = spec_for("https://central.example.org")
    closing = map_form(fixture("project-1-forms.json")[1], fixture("projects.json")[0], spec)
    assert closing.record["modified"] == closing.record["issued"] == "2023-06-12T10:00:03.001Z"
    assert "Status: active (form state at the source: closing)." in closing.record["notes"]
    assert "\n\n1 submission at the time of harvest." in closing.record["notes"]
    closed = map_form(fixture("project-4-forms.json")[0], fixture("projects.json")[1], spec)
    assert closed.record["notes"].split("\n\n")[1:] == [
        "Status: completed (form state at the source: closed).", "2210 submissions at the time of harvest.",
        "Its submissions are encrypted on the server (the form has an encryption key)."]
    assert closed.record["temporal_coverage"] == [{"start": "2023-01-16", "end": "2023-12-22"}]
    assert closed.series_guid == "project:4" and closed.identifier == "market_prices_2023"


def test_a_form_without_submissions_has_no_collection_period_and_a_form_without_name_is_titled_by_its_id():
    spec = spec_for("https://central.example.org")
    form = dict(fixture("project-4-forms.json")[1], name=None, version="")
    sighting = map_form(form, fixture("projects.json")[1], spec)
    assert sighting.record["title"] == "market_prices_2024"
    assert "temporal_coverage" not in sighting.record
    assert sighting.record["notes"].startswith("A form of the project Market price survey (example) on an ODK "
                                               "Central server (form id market_prices_2024).\n\n")
    assert "0 submissions at the time of harvest." in sighting.record["notes"]


def test_an_odd_form_id_is_encoded_in_its_page_address():
    form = dict(fixture("project-1-forms.json")[0], xmlFormId="survey v2/round#1")
    sighting = map_form(form, fixture("projects.json")[0], spec_for("https://central.example.org"))
    assert sighting.original_uri == "https://central.example.org/#/projects/1/forms/survey%20v2%2Fround%231"
    assert sighting.guid == "project:1/form:survey v2/round#1"


def test_a_forms_bad_values_are_dropped_with_warnings():
    spec = spec_for("https://central.example.org")
    form = dict(fixture("project-1-forms.json")[0], name=["Water"], state="paused", submissions="many",
                updatedAt="yesterday", version={"v": 1})
    sighting = map_form(form, fixture("projects.json")[0], spec)
    assert sighting.record["title"] == "water-point-check"
    assert sighting.warnings == [
        "title: a list is not text; dropped",
        "notes: a dict is not text; dropped",
        "state: 'paused' is not in the mapping table odk-central.yaml; ignored",
        "notes: submissions 'many' is not a count; dropped",
        "modified: updatedAt 'yesterday' is not an ISO 8601 date; dropped",
        ETHICS_WARNING]
    assert "Status" not in sighting.record["notes"] and "submissions at" not in sighting.record["notes"]
    assert sighting.record["modified"] == sighting.record["issued"]


def test_a_form_published_again_after_its_last_submission_has_no_collection_period_with_a_warning():
    form = fixture("project-1-forms-changed.json")[0]
    sighting = map_form(form, fixture("projects.json")[0], spec_for("https://central.example.org"))
    assert "temporal_coverage" not in sighting.record
    assert ("temporal_coverage: the last submission (2024-11-18) is before the form's last publication "
            "(2024-12-01); dropped") in sighting.warnings
    bad = dict(form, lastSubmission="soon")
    assert "temporal_coverage: lastSubmission 'soon' is not an ISO 8601 date; dropped" in map_form(
        bad, fixture("projects.json")[0], spec_for("https://central.example.org")).warnings


def test_a_form_that_cannot_be_mapped_raises_mapping_error():
    spec, project = spec_for("https://central.example.org"), fixture("projects.json")[0]
    for bad in (None, [], {"name": "No id"}, {"xmlFormId": "  "}):
        with pytest.raises(MappingError):
            map_form(bad, project, spec)
    with pytest.raises(MappingError):
        map_form(fixture("project-1-forms.json")[0], {"name": "no id"}, spec)


def test_no_person_is_ever_mapped():
    spec = spec_for("https://central.example.org")
    projects = fixture("projects.json")
    for project, forms in ((projects[0], "project-1-forms.json"), (projects[1], "project-4-forms.json")):
        text = json.dumps([map_project(project, spec, published(forms)).stored()]
                          + [map_form(form, project, spec).stored() for form in published(forms)])
        assert "Example Form Designer" not in text and "createdBy" not in text


# ---------------------------------------------------------------- the mapping table
def fixture_forms():
    return [form for name in ("project-1-forms.json", "project-1-forms-changed.json", "project-4-forms.json")
            for form in fixture(name)]


def notations(vocabulary: str) -> set[str]:
    return set(re.findall(r'skos:notation "([^"]+)"', (VOCABULARIES / f"{vocabulary}.ttl").read_text("utf-8")))


def test_the_mapping_table_lists_every_value_of_the_fixtures_and_maps_every_state_to_collect():
    states = [form["state"] for form in fixture_forms()]
    published_states = [form["state"] for form in fixture_forms() if odk_central.is_published(form)]
    assert mapping.unknown("odk-central", "state", states) == []
    assert mapping.unknown("odk-central", "form state", published_states) == []
    assert mapping.unknown("odk-central", "kind", [odk_central.FORM]) == []
    assert mapping.coverage("odk-central", "form state", published_states) == (3, 3)
    assert mapping.coverage("odk-central", "state", states) == (3, 3)


def test_the_mapping_tables_targets_are_notations_of_our_vocabularies():
    tables = mapping.tables("odk-central")
    assert {tables["form state"].to, tables["state"].to, tables["kind"].to} == {"engagement", "status",
                                                                               "collection-methods"}
    for entry in tables["form state"].values.values():
        assert entry["stage"] in notations("engagement-stages")
        assert str(entry["level"]) in notations("engagement-levels") and entry["level"] < 4
        assert set(entry["actors"]) <= notations("actor-types")
    assert set(tables["kind"].values.values()) <= notations("collection-methods")
    assert set(tables["state"].values.values()) == {"active", "completed"}


# ---------------------------------------------------------------- a real job
def make_source() -> HarvestSource:
    source = HarvestSource(url="https://central.example.org/", title="FIELD-SERVER", type="citizendata_odk",
                           config="{}")
    source.save()
    return source


def shown(source, guid: str) -> dict:
    row = provenance.get(source.id, guid)
    assert row is not None, guid
    return toolkit.get_action("package_show")({"ignore_auth": True}, {"id": row.package_id})


def harvest(source, spec):
    return jobs.run(source, spec, odk_central.pages, full=True, incremental=False,
                    fetcher=jobs.client_for(spec, allow=["127.0.0.1"]))


def first_run(server):
    """A source of the replayed server, its first full run (every data path forbidden at the server)."""
    org = factories.Organization(name="field-partner")
    source = make_source()
    spec = spec_for(server.base, organization=org["name"])
    for pattern in (r"/submissions|\.svc", *odk_central.REFUSED_PATHS, r"^/v1/projects/7"):
        server.forbid(pattern)
    served(server)
    return source, spec, harvest(source, spec)


def check_form(source, guid: str, series: dict) -> None:
    """A form's dataset: in its project's initiative, the initiative's engagement inherited."""
    form = shown(source, guid)
    assert form["type"] == "dataset" and form["organization"]["name"] == "field-partner"
    assert form["in_series"] == [series["id"]]
    assert [(e["stage"], e["level"]) for e in form["engagement"]] == [("collect", 3)]
    assert form["engagement"][0]["derived_from"] == series["engagement"][0]["derived_from"]
    assert "engagement" in form["inherited_fields"]
    assert form["collection_methods"] == ["digital-form-survey"]


@pytest.mark.usefixtures("clean_db")
def test_a_real_job_writes_an_initiative_per_active_project_and_a_dataset_per_published_form_and_no_data(server):
    source, spec, summary = first_run(server)
    assert (summary.status, summary.added, summary.errors) == ("Finished", 6, 0), summary.reasons
    assert server.violations == [] and len(server.log) == 3
    server.check()
    projects = {guid: shown(source, guid) for guid in ("project:1", "project:4")}
    assert {p["type"] for p in projects.values()} == {"dataset_series"}
    assert projects["project:1"]["title"] == "Community water point monitoring (example)"
    assert projects["project:1"]["engagement"][0]["stage"] == "collect"
    assert projects["project:4"]["notes"].endswith("the source gives no description.")   # described by the engine
    for guid in PROJECT_1_FORMS + PROJECT_4_FORMS:
        check_form(source, guid, projects[guid.split("/")[0]])
    assert provenance.get(source.id, "project:1/form:household-water-use") is None
    assert provenance.get(source.id, "project:7") is None
    assert ETHICS_WARNING in provenance.listed_at(shown(source, PROJECT_1_FORMS[0])["id"])[0]["warnings"]


@pytest.mark.usefixtures("clean_db")
def test_a_rerun_changes_nothing_and_a_changed_server_withdraws_the_gone_form_and_updates_the_renamed(server):
    source, spec, _ = first_run(server)
    project = shown(source, "project:1")
    again = harvest(source, spec)
    assert (again.status, again.added, again.updated, again.unchanged, again.withdrawn) == ("Finished", 0, 0, 6, 0)

    server.add_recorded(str(FIXTURES), "replay-changed.yaml")
    changed = harvest(source, spec)
    assert (changed.status, changed.added, changed.withdrawn, changed.errors) == ("Finished", 0, 1, 0)
    # the renamed form, and its project (the states of its published forms are now "open" only)
    assert (changed.updated, changed.unchanged) == (2, 3)
    renamed = shown(source, "project:1/form:water-point-check")
    assert renamed["title"] == "Water point functionality check" and renamed["in_series"] == [project["id"]]
    assert "temporal_coverage" not in renamed or not renamed["temporal_coverage"]
    assert "derived from the source's states of the project's published forms: open (" in shown(
        source, "project:1")["engagement"][0]["derived_from"]
    gone = provenance.get(source.id, "project:1/form:water-point-repair-followup")
    assert gone.withdrawn and model.Package.get(gone.package_id).state == "deleted"
    assert server.violations == []
