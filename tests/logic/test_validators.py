"""logic/validators.py: the registered validators convert what comes in and what goes out; the record itself is
checked once, by citizendata_record."""
import json

import pytest
from ckan.lib.navl.dictization_functions import StopOnError, missing
from ckan.plugins.toolkit import ValidationError
from ckan.tests import factories, helpers

from ckanext.citizendata.logic import registered
from ckanext.citizendata.logic import validators as v
from ckanext.citizendata.record.validate import Words

from ..record.test_inherit import round_dataset, setup  # noqa: F401


def test_every_validator_is_registered_by_its_name():
    table = registered()["validators"]
    assert {"citizendata_list", "citizendata_json", "citizendata_int", "citizendata_bool", "citizendata_load_json",
            "citizendata_derived", "citizendata_form_quirks", "citizendata_in_series", "citizendata_record",
            "citizendata_flag", "citizendata_recognition", "citizendata_organization", "citizendata_drop_empty"} == \
        set(table)
    assert table["citizendata_list"] is v.citizendata_list and table["citizendata_record"] is v.citizendata_record


# ---------------------------------------------------------------- conversions
@pytest.mark.parametrize("value, stored", [
    (["16.6.2", "", "16.7.2"], '["16.6.2", "16.7.2"]'),
    ('["16.6.2"]', '["16.6.2"]'),
    ("GHA, COL", '["GHA", "COL"]'),
    (["Côte"], '["Côte"]'),                      # stored as it is, not \\u-escaped
])
def test_citizendata_list(value, stored):
    assert v.citizendata_list(value) == stored


@pytest.mark.parametrize("validator", [v.citizendata_list, v.citizendata_json, v.citizendata_int, v.citizendata_bool])
@pytest.mark.parametrize("empty", [missing, None, ""])
def test_empty_input_is_missing(validator, empty):
    assert validator(empty) is missing


@pytest.mark.parametrize("value, stored", [
    ({"anonymised": True}, '{"anonymised": true}'), ([1, 2], "[1, 2]"), ('{"a": 1}', '{"a": 1}'),
    ("not json", "not json"),                    # kept for the record validator to report
])
def test_citizendata_json(value, stored):
    assert v.citizendata_json(value) == stored


@pytest.mark.parametrize("value, result", [("120", 120), (" 7 ", 7), (3, 3), ("lots", "lots"), ("1.5", "1.5")])
def test_citizendata_int(value, result):
    assert v.citizendata_int(value) == result and type(v.citizendata_int(value)) is type(result)


@pytest.mark.parametrize("value, result", [("yes", True), ("False", False), (True, True), ("maybe", "maybe")])
def test_citizendata_bool(value, result):
    assert v.citizendata_bool(value) is result if isinstance(result, bool) else v.citizendata_bool(value) == result


@pytest.mark.parametrize("stored, shown", [
    ('["16.6.2"]', ["16.6.2"]), ('{"anonymised": true}', {"anonymised": True}), ("4", 4), ("true", True),
    ("social-audit", "social-audit"), ("{broken", "{broken"), (["already"], ["already"]),
])
def test_citizendata_load_json(stored, shown):
    assert v.citizendata_load_json(stored) == shown


def test_citizendata_derived_drops_what_is_sent():
    data = {("sdg_goals",): '["1"]', ("title",): "T"}
    with pytest.raises(StopOnError):
        v.citizendata_derived(("sdg_goals",), data, {}, {})
    assert data == {("title",): "T"}


BAD_INPUT = [
    ({"probability_sample": "maybe"}, "probability_sample", 'probability_sample: expected true or false, got "maybe"'),
    ({"sample_size": "1.5"}, "sample_size", 'sample_size: expected a whole number, got "1.5"'),
    ({"ethics": "yes"}, "ethics", 'ethics: expected an object, got "yes"'),
]


@pytest.mark.usefixtures("clean_db")
@pytest.mark.parametrize("changes, field, message", BAD_INPUT, ids=[f for _, f, _ in BAD_INPUT])
def test_bad_input_is_left_for_the_record_validator_to_report(setup, changes, field, message):
    with pytest.raises(helpers.logic.ValidationError) as err:
        round_dataset(setup, "bad-input", **changes)
    assert err.value.error_dict[field][0].startswith(message), err.value.error_dict


@pytest.mark.usefixtures("clean_db")
@pytest.mark.parametrize("field, value, expected", [
    ("sdg_indicators", "[16.6.2", 'sdg_indicators: expected a list, got "[16.6.2"'),
    ("countries", {"code": "GHA"}, 'countries: expected a list, got {"code": "GHA"}'),
])
def test_what_is_no_list_reaches_the_record_validator_as_sent(setup, field, value, expected):
    with pytest.raises(helpers.logic.ValidationError) as err:
        round_dataset(setup, "bad-list", **{field: value})
    assert err.value.error_dict[field] == [expected]


# ---------------------------------------------------------------- in_series
@pytest.mark.usefixtures("clean_db")
def test_in_series_must_name_an_initiative(setup):
    plain = helpers.call_action("package_create", context=dict(setup["context"]), name="plain", notes="x",
                                owner_org=setup["org"]["id"], initiative_type="social-audit",
                                engagement=[{"stage": "collect", "level": 3}])
    with pytest.raises(helpers.logic.ValidationError) as err:
        round_dataset(setup, "bad-round", in_series=[plain["name"]])
    assert 'in_series: "plain" is not an initiative' in err.value.error_dict["in_series"][0]


def in_series(value, context=None):
    """(what citizendata_in_series leaves in the data, its errors), run as navl runs it."""
    data, errors = {("in_series",): value}, {("in_series",): []}
    v.citizendata_in_series(("in_series",), data, errors, context or {"ignore_auth": True})
    return data[("in_series",)], errors[("in_series",)]


@pytest.mark.usefixtures("clean_db")
def test_in_series_stores_the_ids_of_initiatives_named_or_given_by_id(setup):
    other = helpers.call_action("package_create", context=dict(setup["context"]), type="dataset_series",
                                name="second-initiative", notes="x", owner_org=setup["org"]["id"],
                                initiative_type="social-audit", engagement=[{"stage": "collect", "level": 3}])
    series_id = setup["series"]["id"]
    assert json.loads(in_series(["ghana-pss-app"])[0]) == [series_id]
    assert json.loads(in_series(f'["{other["id"]}", "ghana-pss-app"]')[0]) == [other["id"], series_id]
    assert json.loads(in_series("second-initiative, " + series_id)[0]) == [other["id"], series_id]
    for empty in (missing, None, "", []):
        assert in_series(empty) == (missing, [])
    assert in_series(["ghana-pss-app", "nope"])[1] == [
        'in_series: "nope" is not an initiative (a dataset series of this catalog)']


def as_user(user):
    """A context that checks the user's rights (ckan.tests.helpers.call_action ignores them by default)."""
    return {"user": user["name"], "ignore_auth": False}


@pytest.fixture
def outsider():
    """An editor of another organization: (user, organization)."""
    user = factories.User()
    return user, factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])


def outsiders_dataset(outsider, **fields):
    user, org = outsider
    return helpers.call_action("package_create", context=as_user(user), name="outsiders-round",
                               notes="x", owner_org=org["id"], initiative_type="social-audit",
                               engagement=[{"stage": "collect", "level": 3}], **fields)


@pytest.mark.usefixtures("clean_db")
def test_in_series_refuses_a_private_initiative_the_user_may_not_see_as_if_it_did_not_exist(setup, outsider):
    helpers.call_action("package_patch", context=dict(setup["context"]), id="ghana-pss-app", private=True)
    for ref in ("ghana-pss-app", setup["series"]["id"]):
        with pytest.raises(helpers.logic.ValidationError) as err:
            outsiders_dataset(outsider, in_series=[ref])
        assert err.value.error_dict["in_series"] == [
            f'in_series: "{ref}" is not an initiative (a dataset series of this catalog)']
    assert "Public Service" not in str(err.value.error_dict)


@pytest.mark.usefixtures("clean_db")
def test_a_public_initiative_takes_datasets_of_other_organizations_only_when_it_opens_membership(setup, outsider):
    with pytest.raises(helpers.logic.ValidationError) as err:
        outsiders_dataset(outsider, in_series=["ghana-pss-app"])
    assert err.value.error_dict["in_series"] == [
        'in_series: the initiative "ghana-pss-app" takes datasets only from its own organization (its editors may '
        'open it to others: open_membership)']
    helpers.call_action("package_patch", context=dict(setup["context"]), id="ghana-pss-app", open_membership=True)
    joined = outsiders_dataset(outsider, in_series=["ghana-pss-app"])
    assert joined["in_series"] == [setup["series"]["id"]] and joined["countries"] == ["GHA"]


@pytest.mark.usefixtures("clean_db")
def test_a_dataset_keeps_an_initiative_it_is_in_after_membership_closes(setup, outsider):
    """Closing an initiative stops new members; its members can still be edited."""
    helpers.call_action("package_patch", context=dict(setup["context"]), id="ghana-pss-app", open_membership=True)
    joined = outsiders_dataset(outsider, in_series=["ghana-pss-app"])
    helpers.call_action("package_patch", context=dict(setup["context"]), id="ghana-pss-app", open_membership=False)
    user, _org = outsider
    patched = helpers.call_action("package_patch", context=as_user(user), id=joined["id"], title="Renamed")
    assert patched["title"] == "Renamed" and patched["in_series"] == [setup["series"]["id"]]


@pytest.mark.usefixtures("clean_db")
def test_editors_of_the_initiatives_organization_and_sysadmins_may_always_join(setup):
    helpers.call_action("package_patch", context=dict(setup["context"]), id="ghana-pss-app", private=True)
    own = helpers.call_action("package_create", context=as_user(setup["user"]), name="own-round", notes="x",
                              owner_org=setup["org"]["id"], private=True, in_series=["ghana-pss-app"])
    assert own["in_series"] == [setup["series"]["id"]] and own["countries"] == ["GHA"]
    sysadmin = factories.Sysadmin()
    other_org = factories.Organization()
    made = helpers.call_action("package_create", context=as_user(sysadmin), name="sysadmins-round",
                               notes="x", owner_org=other_org["id"], in_series=["ghana-pss-app"],
                               initiative_type="social-audit", engagement=[{"stage": "collect", "level": 3}])
    assert made["in_series"] == [setup["series"]["id"]]


@pytest.mark.usefixtures("clean_db")
def test_a_missing_value_an_initiative_may_not_give_is_explained_to_the_editor(setup):
    """A public dataset in its organization's private initiative takes nothing from it, and is told why."""
    helpers.call_action("package_patch", context=dict(setup["context"]), id="ghana-pss-app", private=True)
    with pytest.raises(helpers.logic.ValidationError) as err:
        round_dataset(setup, "public-round", private=False)
    message = err.value.error_dict["initiative_type"][0]
    assert message.startswith("initiative_type: required")
    assert f"not taken from initiative {setup['series']['id']}: a dataset shows only values" in message


@pytest.mark.usefixtures("clean_db")
@pytest.mark.parametrize("value", ["maybe", 2, "sometimes"])
def test_open_membership_is_true_or_false_and_nothing_else(setup, value):
    with pytest.raises(helpers.logic.ValidationError) as err:
        helpers.call_action("package_patch", context=dict(setup["context"]), id="ghana-pss-app",
                            open_membership=value)
    assert err.value.error_dict["open_membership"] == [f"open_membership: {json.dumps(value)} is not true or false"]
    assert helpers.call_action("package_show", id="ghana-pss-app").get("open_membership") in (None, False)


# ---------------------------------------------------------------- the web form's quirks
def test_form_quirks_turn_ethics_fields_into_the_ethics_object():
    data = {("title",): "T", ("__extras",): {"ethics-informed_consent": "yes", "ethics-personal_data": "false",
                                              "ethics-anonymised": "", "other": "x"}}
    v.citizendata_form_quirks(("__before",), data, {}, {})
    assert json.loads(data[("ethics",)]) == {"informed_consent": True, "personal_data": False}
    assert data[("__extras",)] == {"other": "x"}  # the form fields are gone, anything else stays


def test_form_quirks_keep_an_ethics_object_that_was_sent():
    data = {("ethics",): '{"anonymised": true}', ("__extras",): {"ethics-anonymised": "no"}}
    v.citizendata_form_quirks(("__before",), data, {}, {})
    assert data[("ethics",)] == '{"anonymised": true}' and data[("__extras",)] == {}


def test_form_quirks_without_form_fields_change_nothing():
    data = {("title",): "T", ("__extras",): {}}
    v.citizendata_form_quirks(("__before",), data, {}, {})
    assert data == {("title",): "T", ("__extras",): {}}
    assert v.citizendata_form_quirks(("__before",), {("title",): "T"}, {}, {}) is None


@pytest.mark.usefixtures("clean_db")
def test_form_quirks_drop_fields_sent_back_unchanged_from_the_initiative(setup):
    data = {("in_series",): json.dumps([setup["series"]["id"]]), ("countries",): ["GHA"],
            ("initiative_type",): "social-audit",
            ("engagement", 0, "stage"): "design", ("engagement", 0, "level"): "4",
            ("engagement", 0, "actors"): ["nso", "cso"],
            ("__extras",): {"inherited_fields": "countries,initiative_type,engagement"}}
    v.citizendata_form_quirks(("__before",), data, {}, {})
    # countries and engagement as the initiative gives them: inherited again; initiative_type changed: its own
    assert data == {("in_series",): json.dumps([setup["series"]["id"]]), ("initiative_type",): "social-audit",
                    ("__extras",): {}}


# ---------------------------------------------------------------- where errors of repeating subfields go
ERRORS = {("engagement", 0, "stage"): [], ("engagement", 0, "level"): [], ("engagement", 1, "stage"): [],
          ("sample_size",): []}


@pytest.mark.parametrize("path, key", [
    (["sample_size"], ("sample_size",)),                               # a plain field: its own key
    (["engagement", 0, "level"], ("engagement", 0, "level")),          # a subfield navl keeps
    (["engagement", 1, "level"], ("engagement", 1, "stage")),          # same item, the subfield navl keeps
    (["engagement", 1, "actors", 0], ("engagement", 1, "stage")),
    (["engagement", 2, "stage"], ("engagement", 0, "level")),          # no such item: the first subfield key
    (["engagement"], ("engagement", 0, "level")),
    (["ethics", "personal_data"], ("ethics",)),                        # an object field: the field
])
def test_error_key(path, key):
    assert v.error_key(ERRORS, path) == key


# ---------------------------------------------------------------- fields of no schema of this type
@pytest.mark.usefixtures("clean_db")
def test_a_record_field_the_dataset_type_lacks_is_refused_naming_the_field_and_the_type(setup):
    """unit_measure is a field of the record, not of an initiative: refused, where scheming would drop it."""
    with pytest.raises(helpers.logic.ValidationError) as err:
        helpers.call_action("package_create", context=dict(setup["context"]), type="dataset_series",
                            name="with-units", title="Initiative with units", notes="x",
                            owner_org=setup["org"]["id"], initiative_type="social-audit",
                            engagement=[{"stage": "collect", "level": 3}], unit_measure=["PT"], sample_size=30)
    assert sorted(err.value.error_dict) == ["sample_size", "unit_measure"]
    assert err.value.error_dict["unit_measure"][0].startswith(
        "unit_measure: not a field of dataset type 'dataset_series'")
    assert helpers.call_action("package_search", fq="name:with-units", include_private=True)["count"] == 0


@pytest.mark.usefixtures("clean_db")
def test_keys_that_are_no_record_field_are_left_to_ckan(setup):
    created = helpers.call_action("package_create", context=dict(setup["context"]), type="dataset_series",
                                  name="with-extra", title="Initiative", notes="x", owner_org=setup["org"]["id"],
                                  initiative_type="social-audit", engagement=[{"stage": "collect", "level": 3}],
                                  no_such_field="kept aside by scheming")
    assert created["name"] == "with-extra"


DERIVED = "derived from the source's participation tasks: Observation (mapping table example.yaml: task)"


def _engagement_of(package_id: str) -> list:
    return helpers.call_action("package_show", id=package_id)["engagement"]


@pytest.mark.usefixtures("clean_db")
def test_a_person_cannot_state_that_a_stage_was_derived_by_a_harvester(setup):
    sent = [{"stage": "collect", "level": 3, "actors": ["community"], "derived_from": DERIVED}]
    created = round_dataset(setup, "typed-derivation", in_series=[], engagement=sent, initiative_type="social-audit")
    assert _engagement_of(created["id"]) == [{"stage": "collect", "level": 3, "actors": ["community"]}]


@pytest.mark.usefixtures("clean_db")
def test_a_derived_stage_keeps_its_derivation_until_a_person_changes_it(setup):
    from ckanext.citizendata.ingest.harvest import provenance
    harvester = {"ignore_auth": True, "user": setup["user"]["name"], provenance.CONTEXT_FLAG: True}
    derived = [{"stage": "collect", "level": 3, "actors": ["community"], "derived_from": DERIVED},
               {"stage": "process", "level": 3, "actors": ["community"], "derived_from": DERIVED}]
    created = helpers.call_action("package_create", context=harvester, name="harvested", title="Harvested",
                                  notes="From a registry", owner_org=setup["org"]["id"], engagement=derived,
                                  initiative_type="citizen-science")
    assert _engagement_of(created["id"]) == derived
    person = dict(setup["context"])
    shown = helpers.call_action("package_show", id=created["id"])
    helpers.call_action("package_update", context=dict(person), **shown)        # saved as it is: both kept
    assert _engagement_of(created["id"]) == derived
    shown = helpers.call_action("package_show", id=created["id"])
    shown["engagement"][0]["level"] = 5                                        # the person raises collect
    helpers.call_action("package_update", context=dict(person), **shown)
    assert _engagement_of(created["id"]) == [{"stage": "collect", "level": 5, "actors": ["community"]},
                                             derived[1]]


# ---------------------------------------------------------------- the organization schema (citizendata_organization)
@pytest.mark.usefixtures("clean_db")
def test_an_organization_states_its_actor_type_and_an_nso_its_jurisdiction():
    org = factories.Organization(name="gss", actor_type="nso", jurisdiction=["GHA", "TGO"])
    shown = helpers.call_action("organization_show", id="gss")
    assert (shown["actor_type"], shown["jurisdiction"]) == ("nso", ["GHA", "TGO"])
    assert helpers.call_action("organization_show", id=factories.Organization()["id"]).get("actor_type") is None
    assert org["actor_type"] == "nso"


@pytest.mark.usefixtures("clean_db")
@pytest.mark.parametrize("fields, field, message", [
    ({"actor_type": "cso", "jurisdiction": ["GHA"]}, "jurisdiction",
     "jurisdiction: only a national statistical office (actor type nso) has a jurisdiction; this one is cso"),
    ({"jurisdiction": ["GHA"]}, "jurisdiction",
     "jurisdiction: only a national statistical office (actor type nso) has a jurisdiction; this one is of no "
     "stated type"),
    ({"actor_type": "nso", "jurisdiction": ["GHX"]}, "jurisdiction",
     'jurisdiction[0]: "GHX" is not an ISO 3166-1 alpha-3 country code; close matches: GHA'),
    ({"actor_type": "statistics-office"}, "actor_type", 'actor_type: "statistics-office" is not an actor type'),
    # an extras entry of the API is checked as the field is
    ({"extras": [{"key": "actor_type", "value": "cso"}, {"key": "jurisdiction", "value": '["GHA"]'}]},
     "jurisdiction", "jurisdiction: only a national statistical office"),
])
def test_a_wrong_actor_type_or_jurisdiction_is_refused_naming_the_field(fields, field, message):
    with pytest.raises(ValidationError) as raised:
        helpers.call_action("organization_create", context={"user": factories.Sysadmin()["name"]}, name="org",
                            **fields)
    assert raised.value.error_dict[field][0].startswith(message)
    assert helpers.call_action("organization_list") == []   # nothing written


@pytest.mark.usefixtures("clean_db")
def test_the_organization_pages_render_with_the_new_fields(app, sysadmin_env):
    _user, env = sysadmin_env
    page = app.get("/organization/new", headers=env, status=200).body
    assert 'name="actor_type"' in page and 'name="jurisdiction"' in page
    factories.Organization(name="gss", actor_type="nso", jurisdiction=["GHA"])
    page = app.get("/organization/edit/gss", headers=env, status=200).body
    assert 'value="nso" selected' in page.replace('selected="selected"', "selected")


@pytest.mark.usefixtures("clean_db")
def test_only_a_sysadmin_makes_an_organization_an_nso_or_changes_its_jurisdiction(app):
    admin = factories.UserWithToken()
    headers = {"Authorization": admin["token"]}
    factories.Organization(name="cso", actor_type="cso", users=[{"name": admin["name"], "capacity": "admin"}])
    factories.Organization(name="nso", actor_type="nso", jurisdiction=["GHA"],
                           users=[{"name": admin["name"], "capacity": "admin"}])
    errors = app.post("/api/3/action/organization_patch", json={"id": "cso", "actor_type": "nso",
                      "jurisdiction": ["GHA"]}, headers=headers, status=409).json["error"]
    assert errors["actor_type"] == [
        "actor_type: only a sysadmin may make an organization a national statistical office or no longer one"]
    assert errors["jurisdiction"] == ["jurisdiction: only a sysadmin may change the jurisdiction of an organization"]
    assert helpers.call_action("organization_show", id="cso")["actor_type"] == "cso"   # nothing written
    # its admin edits the NSO's other fields; its type and jurisdiction go back as they were
    app.post("/api/3/action/organization_patch", json={"id": "nso", "description": "Statistics"}, headers=headers,
             status=200)
    app.post("/api/3/action/organization_patch", json={"id": "cso", "actor_type": "academia"}, headers=headers,
             status=200)
    sysadmin = factories.SysadminWithToken()
    app.post("/api/3/action/organization_patch", json={"id": "nso", "jurisdiction": ["GHA", "TGO"]},
             headers={"Authorization": sysadmin["token"]}, status=200)
    assert helpers.call_action("organization_show", id="nso")["jurisdiction"] == ["GHA", "TGO"]


def test_form_quirks_drop_empty_blocks_and_number_the_others_from_0():
    data = {("title",): "T", ("partners", 0, "name"): "", ("partners", 0, "role"): "",
            ("partners", 1, "name"): "UNDP", ("partners", 1, "role"): "technical-partner",
            ("contact", 0, "email"): "  ", ("contact", 0, "name"): missing,
            ("engagement", 0, "stage"): "collect", ("engagement", 0, "level"): "4"}
    v.citizendata_form_quirks(("__before",), data, {}, {})
    assert data == {("title",): "T", ("partners", 0, "name"): "UNDP", ("partners", 0, "role"): "technical-partner",
                    ("engagement", 0, "stage"): "collect", ("engagement", 0, "level"): "4"}


def test_the_api_gets_the_validators_wording_each_message_once():
    words = Words('engagement[1].stage: "collect" appears twice; one entry per stage', "unique_stage", stage="collect")
    errors = {}
    v._add_errors(errors, [(["engagement", 1, "stage"], words), (["engagement", 1, "stage"], words)], "", in_form=False)
    assert errors == {("engagement",): ['engagement[1].stage: "collect" appears twice; one entry per stage']}


@pytest.mark.parametrize("value, kept", [("", False), (None, False), (missing, False), (False, True), ("false", True),
                                         (0, True)])
def test_drop_empty_drops_only_what_is_empty(value, kept):
    data = {("probability_sample",): value}
    if kept:
        v.citizendata_drop_empty(("probability_sample",), data, {}, {})
        assert data == {("probability_sample",): value}
    else:
        with pytest.raises(StopOnError):
            v.citizendata_drop_empty(("probability_sample",), data, {}, {})
        assert data == {}
