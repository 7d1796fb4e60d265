"""The record through CKAN: API, web form and pages share the one validation path; invalid records are
refused whole (a 409 naming the field, nothing written)."""
import pytest
import sqlalchemy as sa

from ckan import model
from ckan.tests import factories, helpers

from ckanext.citizendata.testing import CitizenDataset

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.fixture
def publisher(app):
    user = factories.UserWithToken()
    org = factories.Organization(name="cso-publisher", users=[{"name": user["name"], "capacity": "editor"}])
    return {"user": user, "org": org, "headers": {"Authorization": user["token"]}}


def record(**changes):
    data = {
        "name": "ghana-pss-round-3", "title": "Public service satisfaction, round 3",
        "notes": "Citizens rate public services.", "owner_org": "cso-publisher",
        "initiative_type": "public-service-feedback",
        "engagement": [{"stage": "design", "level": 4, "actors": ["nso", "cso"]},
                       {"stage": "collect", "level": 5, "actors": ["community"], "description": "App users"}],
        "sdg_indicators": ["16.6.2"], "population_groups": ["youth", "women-girls"],
        "disaggregation": ["SEX", "AGE"], "countries": ["GHA"], "collection_methods": ["mobile-app"],
        "sample_size": 1500, "probability_sample": False,
        "ethics": {"informed_consent": True, "anonymised": True, "personal_data": False},
        "partners": [{"name": "UNDP", "role": "technical-partner", "actor_type": "international"}],
        "recognition_status": "not-assessed",   # a CSO's record states only what its NSO assessments derive
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def messages(value):
    """Every message of a CKAN error value (repeating subfields give lists of dicts)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [m for v in value.values() for m in messages(v)]
    return [m for v in value or [] for m in messages(v)]


def rows(name):
    with model.meta.engine.connect() as conn:
        packages = conn.execute(sa.text("SELECT count(*) FROM package WHERE name = :n"), {"n": name}).scalar()
        index = conn.execute(sa.text("SELECT count(*) FROM citizendata_search_index WHERE name = :n"),
                             {"n": name}).scalar()
    return packages, index


def test_a_valid_record_is_stored_with_its_derived_fields(app, publisher):
    created = app.post("/api/3/action/package_create", json=record(), headers=publisher["headers"]).json["result"]
    assert created["meets_copenhagen_definition"] is True
    assert created["sdg_targets"] == ["16.6"] and created["sdg_goals"] == ["16"] and created["m49"] == ["288"]
    shown = app.get("/api/3/action/package_show", query_string={"id": "ghana-pss-round-3"}).json["result"]
    assert shown["engagement"][1] == {"stage": "collect", "level": 5, "actors": ["community"],
                                      "description": "App users"}
    assert shown["ethics"] == {"informed_consent": True, "anonymised": True, "personal_data": False}
    assert shown["sample_size"] == 1500 and shown["probability_sample"] is False
    assert shown["partners"][0]["role"] == "technical-partner"
    assert rows("ghana-pss-round-3") == (1, 1)


INVALID = [
    ({"sdg_indicators": ["16.6.2", "16.6.9"]}, "sdg_indicators",
     'sdg_indicators[1]: "16.6.9" is not an SDG indicator; close matches: 16.6.1, 16.6.2'),
    ({"initiative_type": None}, "initiative_type", "initiative_type: required"),
    ({"engagement": None}, "engagement", "engagement: required"),
    ({"engagement": [{"stage": "design", "level": 9}]}, "engagement", "engagement[0].level: 9 is above the maximum 5"),
    ({"countries": ["XXX"]}, "countries", 'countries[0]: "XXX" is not an ISO 3166-1 alpha-3 country code'),
    ({"sample_size": "lots"}, "sample_size", 'sample_size: expected a whole number, got "lots"'),
    ({"ethics": {"personal_data": True}}, "ethics",
     "ethics.personal_data: personal or sensitive data need informed_consent or ethics_review to be true"),
    ({"recognition_status": "approved"}, "recognition_status", 'recognition_status: "approved" is not a recognition status'),
]


@pytest.mark.parametrize("changes, field, message", INVALID, ids=[f for _, f, _ in INVALID])
def test_invalid_record_gets_409_naming_the_field_and_nothing_is_written(app, publisher, changes, field, message):
    response = app.post("/api/3/action/package_create", json=record(**changes), headers=publisher["headers"],
                        status=409)
    error = response.json["error"]
    assert error["__type"] == "Validation Error"
    assert any(m.startswith(message) for m in messages(error[field])), error
    assert rows("ghana-pss-round-3") == (0, 0)


def test_dcat_mandatory_fields_are_required(app, publisher):
    error = app.post("/api/3/action/package_create", json=record(notes=None),
                     headers=publisher["headers"], status=409).json["error"]
    assert error["notes"] == ["Missing value"]
    # CKAN's title preset falls back to the URL name, so a record always has a title
    created = app.post("/api/3/action/package_create", json=record(title=None), headers=publisher["headers"])
    assert created.json["result"]["title"] == "ghana-pss-round-3"


def test_update_goes_through_the_same_path(app, publisher):
    app.post("/api/3/action/package_create", json=record(), headers=publisher["headers"])
    app.post("/api/3/action/package_patch", json={"id": "ghana-pss-round-3", "sdg_indicators": ["16.6.9"]},
             headers=publisher["headers"], status=409)
    patched = app.post("/api/3/action/package_patch",
                       json={"id": "ghana-pss-round-3", "engagement": [{"stage": "use", "level": 5}]},
                       headers=publisher["headers"]).json["result"]
    assert patched["meets_copenhagen_definition"] is False
    assert patched["sdg_indicators"] == ["16.6.2"]


def test_derived_fields_cannot_be_forced(app, publisher):
    created = app.post("/api/3/action/package_create",
                       json=record(engagement=[{"stage": "use", "level": 5}], meets_copenhagen_definition=True,
                                   sdg_goals=["1"]),
                       headers=publisher["headers"]).json["result"]
    assert created["meets_copenhagen_definition"] is False and created["sdg_goals"] == ["16"]


def test_dataset_page_shows_engagement_stage_by_stage(app, publisher):
    app.post("/api/3/action/package_create", json=record(), headers=publisher["headers"])
    page = app.get("/dataset/ghana-pss-round-3").body
    assert "citizendata-engagement" in page
    assert page.count("citizendata-engaged") == 2 and page.count("citizendata-not-engaged") == 5
    assert "citizendata-meets" in page
    assert "Public-service feedback platform" in page or "public-service-feedback" in page


def test_new_dataset_form_offers_vocabulary_choices(app, publisher):
    page = app.get("/dataset/new", headers=publisher["headers"]).body
    assert 'name="initiative_type"' in page and 'value="participatory-mapping"' in page
    assert 'name="ethics-informed_consent"' in page
    assert 'value="16.6.2"' in page


def test_web_form_ethics_fields_become_the_ethics_object():
    user = factories.User()
    org = factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    data = record(owner_org=org["id"], ethics=None)
    data.update({"ethics-informed_consent": "true", "ethics-personal_data": "false"})
    created = helpers.call_action("package_create", context={"user": user["name"]}, **data)
    assert created["ethics"] == {"informed_consent": True, "personal_data": False}


def test_factory_minimal_record_is_valid():
    dataset = CitizenDataset()
    assert dataset["meets_copenhagen_definition"] is True


def test_form_groups_the_fields_in_sections(app, publisher):
    page = app.get("/dataset/new", headers=publisher["headers"]).body
    order = [page.index(f'id="section-{name}"') for name in
             ("in_series", "engagement", "sdg_indicators", "collection_methods", "partners")]
    assert order == sorted(order)
    assert page.index('id="section-engagement"') < page.index('name="engagement-0-stage"') < \
        page.index('id="section-sdg_indicators"')
    assert page.index('id="section-collection_methods"') < page.index('name="ethics-anonymised"') < \
        page.index('id="section-partners"')


@pytest.mark.parametrize("lang, label", [("es", "Cartografía participativa"), ("fr", "Cartographie participative")])
def test_vocabulary_choices_in_the_users_language(app, publisher, lang, label):
    page = app.get(f"/{lang}/dataset/new", headers=publisher["headers"]).body
    assert label in page


@pytest.mark.parametrize("sent", [
    {},                                                   # title and name only: the repeating fields are missing
    {"engagement-0-stage": "", "engagement-0-level": ""},  # an empty engagement block
])
def test_an_edit_form_missing_repeating_fields_answers_with_the_errors_not_a_500(app, publisher, sent):
    helpers.call_action("package_create", context={"user": publisher["user"]["name"]}, **record(name="form-edit"))
    form = {"name": "form-edit", "title": "Renamed", "owner_org": publisher["org"]["id"], "save": "", **sent}
    page = app.post("/dataset/edit/form-edit", data=form, headers=publisher["headers"], status=200).body
    assert "The form contains invalid entries" in page
    assert "Give at least one stage of the data value chain" in page or "Required: please give a value." in page
    assert "engagement: required" not in page   # the API's wording stays in the API
    assert helpers.call_action("package_show", id="form-edit")["title"] == "Public service satisfaction, round 3"
