"""logic/action/suggest.py: search-box suggestions, datasets and concepts, with the facet field each concept is a
value of and counts that are what the asker may see."""
import pytest
from ckan.plugins import toolkit
from ckan.tests import factories, helpers

from ckanext.citizendata.logic.action.suggest import FIELDS_OF_SCHEME, facet_field, kinds, kinds_in
from ckanext.citizendata.testing import CitizenDataset

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.fixture
def catalog():
    """A public social audit with an SDG indicator; a private social audit and a private participatory budget."""
    editor = factories.UserWithToken()
    org = factories.Organization(users=[{"name": editor["name"], "capacity": "editor"}])
    CitizenDataset(name="clinic-audit", title="Clinic audit", owner_org=org["id"], initiative_type="social-audit",
                   sdg_indicators=["16.6.2"])
    CitizenDataset(name="school-audit", title="School audit", owner_org=org["id"], initiative_type="social-audit",
                   private=True)
    CitizenDataset(name="secret-budget", title="Secret budget", owner_org=org["id"], private=True,
                   initiative_type="participatory-budgeting")
    return {"Authorization": editor["token"]}


def suggest(app, headers=None, status=200, **params):
    response = app.get("/api/3/action/citizendata_suggest", query_string=params, headers=headers or {},
                       status=status)
    return response.json["result"] if status == 200 else response.json["error"]


def concepts(result):
    return {concept["value"]: concept for concept in result["concepts"]}


def test_datasets_and_concepts(app, catalog):
    result = suggest(app, q="clinic")
    assert [d["name"] for d in result["datasets"]] == ["clinic-audit"]
    assert concepts(suggest(app, q="social"))["social-audit"] == {
        "field": "initiative_type", "value": "social-audit", "label": "Social audit", "count": 1,
        "kind": "Initiative type", "url": "/dataset/?initiative_type=social-audit"}


def test_labels_in_the_language_asked(app, catalog):
    assert concepts(suggest(app, q="auditor", lang="es"))["social-audit"]["label"] == "Auditoría social"
    assert concepts(suggest(app, q="audit", lang="fr"))["social-audit"]["label"] == "Audit social"


def test_concepts_no_dataset_uses_are_not_suggested(app, catalog):
    assert "citizen-science" not in concepts(suggest(app, q="citizen"))


@pytest.mark.parametrize("scheme, notation, field", [
    ("sdg", "16", "sdg_goals"), ("sdg", "16.6", "sdg_targets"), ("sdg", "16.b", "sdg_targets"),
    ("sdg", "16.6.2", "sdg_indicators"), ("sdg", "1.a.1", "sdg_indicators"),
    ("initiative-types", "social-audit", "initiative_type"), ("engagement-stages", "design", "engagement_stage"),
    ("engagement-levels", "4", "engagement_level_max"), ("iso-3166-1-alpha-3", "GHA", "countries"),
])
def test_the_facet_field_of_a_concept(scheme, notation, field):
    assert facet_field(scheme, notation) == field


def test_sdg_concepts_are_suggested_with_their_facet_field(app, catalog):
    found = concepts(suggest(app, q="16.6", limit=10))
    assert {value: (c["field"], c["count"]) for value, c in found.items()} == {
        "16.6": ("sdg_targets", 1), "16.6.2": ("sdg_indicators", 1)}  # 16.6.1: no dataset
    assert found["16.6"]["url"] == "/dataset/?sdg_targets=16.6"
    first = suggest(app, q="16")["concepts"][0]
    assert (first["field"], first["value"], first["count"]) == ("sdg_goals", "16", 1)


def test_a_visitor_gets_no_dataset_and_no_count_of_a_private_dataset(app, catalog):
    assert suggest(app, q="secret")["datasets"] == [] and suggest(app, q="school")["datasets"] == []
    assert "participatory-budgeting" not in concepts(suggest(app, q="particip"))
    assert concepts(suggest(app, q="social"))["social-audit"]["count"] == 1


def test_a_member_of_the_organization_gets_its_private_datasets(app, catalog):
    assert [d["name"] for d in suggest(app, catalog, q="secret")["datasets"]] == ["secret-budget"]
    assert sorted(d["name"] for d in suggest(app, catalog, q="audit")["datasets"]) == ["clinic-audit", "school-audit"]


def test_a_member_of_the_organization_gets_counts_of_its_private_datasets(app, catalog):
    assert concepts(suggest(app, catalog, q="social"))["social-audit"]["count"] == 2
    assert concepts(suggest(app, catalog, q="particip"))["participatory-budgeting"]["count"] == 1


def test_limit_applies_to_datasets_and_to_concepts(app, catalog):
    result = suggest(app, catalog, q="audit", limit=1)
    assert len(result["datasets"]) == 1 and len(result["concepts"]) == 1
    assert len(suggest(app, catalog, q="audit")["datasets"]) == 2
    assert len(suggest(app, q="audit")["datasets"]) == 1  # a visitor: the public one only


def test_q_is_required(app, catalog):
    assert suggest(app, status=409)["q"] == ["Missing value"]


def test_access_is_checked(app, catalog, monkeypatch):
    checked, original = [], toolkit.check_access

    def counting(action, context=None, data_dict=None):
        checked.append(action)
        return original(action, context, data_dict)
    monkeypatch.setattr(toolkit, "check_access", counting)
    helpers.call_action("citizendata_suggest", context={"user": "", "ignore_auth": False}, q="audit")
    assert checked.count("citizendata_suggest") == 1


@pytest.mark.parametrize("limit", ["many", "1.5"])
def test_a_bad_limit_is_a_validation_error(app, catalog, limit):
    with pytest.raises(toolkit.ValidationError) as err:
        helpers.call_action("citizendata_suggest", q="audit", limit=limit)
    assert "limit" in err.value.error_dict


def test_limit_abc_through_the_api_is_a_409_naming_it(app, catalog):
    assert suggest(app, status=409, q="audit", limit="abc")["limit"] == ["'abc' is not a whole number"]


@pytest.mark.parametrize("params, name", [({"q": "au\x00dit"}, "q"), ({"q": "audit\udc80"}, "q"),
                                          ({"q": "x" * 2001}, "q"), ({"q": "audit", "lang": "e\x00"}, "lang")])
def test_unreadable_or_long_text_is_a_validation_error_naming_it(catalog, params, name):
    with pytest.raises(toolkit.ValidationError) as err:
        helpers.call_action("citizendata_suggest", **params)
    assert list(err.value.error_dict) == [name]


def test_each_suggestion_says_what_kind_of_thing_it_is(app, catalog):
    sysadmin = factories.Sysadmin()
    helpers.call_action("package_create", context={"user": sysadmin["name"]}, type="dataset_series",
                        name="clinic-initiative", title="Clinic initiative", notes="An initiative",
                        owner_org=factories.Organization()["id"], initiative_type="social-audit",
                        engagement=[{"stage": "design", "level": 4}])
    datasets = {d["name"]: d for d in suggest(app, q="clinic")["datasets"]}
    assert (datasets["clinic-audit"]["kind"], datasets["clinic-audit"]["url"]) == ("Dataset", "/dataset/clinic-audit")
    assert (datasets["clinic-initiative"]["kind"], datasets["clinic-initiative"]["url"]) == (
        "Initiative", "/dataset_series/clinic-initiative")
    found = concepts(suggest(app, q="16.6", limit=10))
    assert (found["16.6"]["kind"], found["16.6.2"]["kind"]) == ("SDG target", "SDG indicator")


def test_every_field_a_concept_can_be_suggested_for_has_a_kind():
    fields_with_concepts = {f.name for candidates in FIELDS_OF_SCHEME.values() for f in candidates}
    assert fields_with_concepts <= set(kinds_in(None))


@pytest.mark.parametrize("lang", ["es", "fr", "ar", "e\u0301", "not-a-language"])
def test_kinds_in_any_language_asked_never_fail(app, lang):
    with app.flask_app.test_request_context("/"):
        assert set(kinds_in(lang)) == set(kinds())
