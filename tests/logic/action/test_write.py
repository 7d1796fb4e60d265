"""logic/action/write.py: package_create / package_update (and package_patch, which ends in package_update)
refuse what no dataset may hold with a 409 naming the field and the rule, before anything is written: an
unregistered type, NUL characters and lone surrogates, text over the limits, numbers beyond a bigint, a
``private`` that is not true or false. After each refusal the database holds the previous state."""
import json

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.lib import search
from ckan.tests import factories

from ckanext.citizendata.logic import registered
from ckanext.citizendata.logic.action import write
from ckanext.citizendata.testing import MINIMAL_ENGAGEMENT

API = "/api/3/action/"
TYPES = {"dataset", "dataset_series", "harvest"}


def problems(data, text_limit=100, field_limits=None):
    return write.problems(data, TYPES, text_limit, field_limits or {})


# ---------------------------------------------------------------- the checks, on dicts
def test_a_clean_dataset_has_no_problems():
    assert problems({"type": "dataset", "title": "Water", "private": "False", "tags": [{"name": "a"}],
                     "sample_size": 2 ** 63 - 1, "resources": [{"size": -(2 ** 63)}]}) == {}


def test_an_unregistered_type_is_named_with_the_allowed_ones():
    assert problems({"type": "anything"}) == {
        "type": ['type: "anything" is not a registered dataset type; allowed: dataset, dataset_series, harvest']}


def test_nul_and_lone_surrogates_are_named_with_their_path():
    found = problems({"title": "a\x00b", "notes": "x\udc80", "tags": [{"name": "ok"}, {"name": "t\x00"}],
                      "engagement": [{"description": "\ud800"}]})
    assert found == {
        "title": ["title: contains a NUL character (U+0000) at position 2, which cannot be stored"],
        "notes": ["notes: contains a lone surrogate (U+DC80) at position 2, which cannot be stored"],
        "tags": ["tags[1].name: contains a NUL character (U+0000) at position 2, which cannot be stored"],
        "engagement": ["engagement[0].description: contains a lone surrogate (U+D800) at position 1, which cannot "
                       "be stored"]}


def test_text_over_the_limit_names_the_field_the_limit_and_the_option():
    found = problems({"notes": "n" * 101, "title": "t" * 11, "url": "u" * 100}, 100, {"title": 10})
    assert found == {
        "notes": ["notes: 101 characters, longer than the limit of 100 (ckanext.citizendata.limits.text_chars)"],
        "title": ["title: 11 characters, longer than the limit of 10 (ckanext.citizendata.limits.field_chars)"]}


@pytest.mark.parametrize("number, words", [
    (1e30, "1e+30 is outside the range -9223372036854775808 to 9223372036854775807"),
    (2 ** 63, "9223372036854775808 is outside the range -9223372036854775808 to 9223372036854775807"),
    (float("inf"), "inf is not a finite number"),
    (float("nan"), "nan is not a finite number"),
])
def test_numbers_a_bigint_cannot_hold_are_named_with_the_range(number, words):
    assert problems({"resources": [{"size": number}]}) == {"resources": [f"resources[0].size: {words}"]}


@pytest.mark.parametrize("value", ["maybe", 2, ["true"], {"a": 1}])
def test_private_must_be_true_or_false(value):
    assert problems({"private": value})["private"][0].startswith("private: must be true or false, got ")


@pytest.mark.parametrize("value", [True, False, "True", "false", "on", "0", "", None])
def test_private_accepts_what_ckan_reads_as_a_boolean(value):
    assert problems({"private": value}) == {}


# ---------------------------------------------------------------- through CKAN
@pytest.fixture
def editor(clean_db):
    user = factories.UserWithToken()
    org = factories.Organization(name="write-org", users=[{"name": user["name"], "capacity": "editor"}])
    return {"org": org, "headers": {"Authorization": user["token"]}}


def record(**changes):
    data = {"name": "write-test", "title": "Water points", "notes": "Citizens map water points.",
            "owner_org": "write-org", "initiative_type": "community-survey", "sample_size": 120,
            "engagement": [dict(e) for e in MINIMAL_ENGAGEMENT], "tags": [{"name": "water"}]}
    data.update(changes)
    return data


def state(name):
    """The package row, its extras (a JSONB column since CKAN 2.12) and its index row, as stored."""
    with model.meta.engine.connect() as conn:
        package = conn.execute(sa.text("SELECT id, title, notes, private, type, extras FROM package "
                                       "WHERE name = :n"), {"n": name}).mappings().first()
        if package is None:
            index = conn.execute(sa.text("SELECT count(*) FROM citizendata_search_index WHERE name = :n"),
                                 {"n": name}).scalar()
            return None, index
        index = conn.execute(sa.text("SELECT title, validated_data_dict FROM citizendata_search_index "
                                     "WHERE id = :i"), {"i": package["id"]}).all()
    return dict(package), dict(package["extras"]), [tuple(row) for row in index]


def test_the_actions_are_chained():
    actions = registered()["actions"]
    assert actions["package_create"] is write.package_create and actions["package_update"] is write.package_update


def test_registered_types_are_those_of_the_dataset_forms(clean_db):
    assert write.registered_types() == TYPES  # ours (scheming) and ckanext-harvest's


BAD_INPUT = [
    ({"type": "anything"}, "type", "is not a registered dataset type; allowed: dataset, dataset_series, harvest"),
    ({"title": "Water\x00points"}, "title", "title: contains a NUL character (U+0000)"),
    ({"notes": "Citizens\ud800"}, "notes", "notes: contains a lone surrogate (U+D800)"),
    ({"tags": [{"name": "wa\x00ter"}]}, "tags", "tags[0].name: contains a NUL character"),
    ({"engagement": [dict(MINIMAL_ENGAGEMENT[0], description="a\x00")]}, "engagement",
     "engagement[0].description: contains a NUL character"),
    ({"sample_size": 1e30}, "sample_size", "sample_size: 1e+30 is outside the range -9223372036854775808 to "),
    ({"private": "maybe"}, "private", 'private: must be true or false, got "maybe"'),
]


@pytest.mark.parametrize("change, field, words", BAD_INPUT)
def test_a_refused_create_writes_nothing(app, editor, change, field, words):
    response = app.post(API + "package_create", json=record(**change), headers=editor["headers"], status=409)
    error = response.json["error"]
    assert error["__type"] == "Validation Error" and words in " ".join(error[field])
    assert state("write-test") == (None, 0)


@pytest.mark.parametrize("action", ["package_update", "package_patch"])
@pytest.mark.parametrize("change, field, words", BAD_INPUT[1:])  # an update keeps the type: below
def test_a_refused_update_leaves_the_previous_state(app, editor, action, change, field, words):
    app.post(API + "package_create", json=record(), headers=editor["headers"], status=200)
    before = state("write-test")
    sent = record(**change) if action == "package_update" else {"id": "write-test", **change}
    response = app.post(API + action, json=sent, headers=editor["headers"], status=409)
    assert words in " ".join(response.json["error"][field])
    assert state("write-test") == before
    assert before[1]["sample_size"] == "120" and before[2][0][0] == "Water points"


def test_an_update_sending_another_type_keeps_the_registered_one(app, editor):
    app.post(API + "package_create", json=record(), headers=editor["headers"], status=200)
    updated = app.post(API + "package_patch", json={"id": "write-test", "type": "anything", "notes": "changed"},
                       headers=editor["headers"], status=200).json["result"]
    assert updated["type"] == "dataset" and updated["notes"] == "changed"


@pytest.mark.ckan_config("ckanext.citizendata.limits.body_bytes", "40000000")
def test_a_20_megabyte_description_is_refused_naming_the_limit(app, editor):
    response = app.post(API + "package_create", json=record(notes="n" * 20_000_000), headers=editor["headers"],
                        status=409)
    assert response.json["error"]["notes"] == [
        "notes: 20000000 characters, longer than the limit of 100000 (ckanext.citizendata.limits.text_chars)"]
    assert state("write-test") == (None, 0)


def test_with_the_default_body_limit_a_20_megabyte_description_is_not_even_read(app, editor):
    response = app.post(API + "package_create", json=record(notes="n" * 20_000_000), headers=editor["headers"],
                        status=413)
    assert "limits.body_bytes" in response.json["error"]["message"]
    assert state("write-test") == (None, 0)


def test_the_default_title_limit_applies(app, editor):
    response = app.post(API + "package_create", json=record(title="t" * 1001), headers=editor["headers"], status=409)
    assert "longer than the limit of 1000 (ckanext.citizendata.limits.field_chars)" in \
        response.json["error"]["title"][0]


def test_a_resource_size_beyond_a_bigint_is_refused(app, editor):
    app.post(API + "package_create", json=record(), headers=editor["headers"], status=200)
    response = app.post(API + "resource_create", json={"package_id": "write-test", "url": "http://x/a.csv",
                                                      "size": 1e30}, headers=editor["headers"], status=409)
    assert "resources[0].size: 1e+30 is outside the range" in json.dumps(response.json["error"])


def test_private_written_as_a_word_still_works(app, editor):
    created = app.post(API + "package_create", json=record(private="True"), headers=editor["headers"],
                       status=200).json["result"]
    assert created["private"] is True


def test_an_old_row_of_an_unregistered_type_is_not_updated_unchecked(app, editor):
    app.post(API + "package_create", json=record(), headers=editor["headers"], status=200)
    with model.meta.engine.begin() as conn:
        conn.execute(sa.text("UPDATE package SET type = 'anything' WHERE name = 'write-test'"))
    model.Session.expire_all()
    search.rebuild("write-test")  # indexed as it is (package_show answers from the index)
    before = state("write-test")
    for sent in ({"notes": "changed"}, {"type": "dataset", "notes": "changed"}):  # CKAN keeps the stored type
        response = app.post(API + "package_patch", json={"id": "write-test", **sent}, headers=editor["headers"],
                            status=409)
        assert response.json["error"]["type"] == [
            'type: "anything" is not a registered dataset type; allowed: dataset, dataset_series, harvest'
            + write.UPDATE_HINT]
        assert state("write-test") == before
    app.post(API + "package_delete", json={"id": "write-test"}, headers=editor["headers"], status=200)
