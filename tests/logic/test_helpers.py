"""logic/helpers.py: template helpers (vocabulary choices and labels, engagement rows, initiative links)."""
import contextlib
import re

import flask
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories, helpers

from ckanext.citizendata.logic import helpers as h
from ckanext.citizendata.logic import registered
from ckanext.citizendata.model import concept_table
from ckanext.citizendata.vocab import registry

from ..record.test_inherit import round_dataset, setup  # noqa: F401

pytestmark = pytest.mark.usefixtures("clean_db")

INDICATOR = r"[0-9]{1,2}\.[0-9a-z]{1,2}\.[0-9]{1,2}"


@pytest.fixture
def request_as(app):
    """A request of the web app in a language, as a user (None: a visitor), as CKAN's middleware would set it."""
    @contextlib.contextmanager
    def request(lang="en", user=None):
        with app.flask_app.test_request_context(f"/{lang}/dataset/", environ_overrides={"CKAN_LANG": lang}):
            flask.g.user = user or ""
            yield
    return request


def choices(field_name):
    return {c["value"]: c["label"] for c in h.citizendata_vocab_choices({"field_name": field_name})}


@pytest.mark.parametrize("value, chosen", [
    (["16.6.2", "16.6.1"], ["16.6.2", "16.6.1"]),   # a list (stored, or sent back by the form)
    ('["16.6.2"]', ["16.6.2"]),                       # JSON text (stored)
    ("16.6.2", ["16.6.2"]),                           # one value sent back: not matched as a substring of it
    (None, []), ("", []),
])
def test_form_values_are_whole_values(value, chosen):
    assert h.citizendata_form_values(value) == chosen
    assert "16.6" not in h.citizendata_form_values(value)


def test_a_repeating_subfield_gets_its_vocabulary_as_the_form_names_it(request_as):
    with request_as():
        assert choices("engagement-0-stage") == choices("stage") and "collect" in choices("engagement-0-stage")
        assert choices("partners-REPEATING-INDEX0-role") == choices("role") != {}


def test_every_helper_is_registered_by_its_name():
    assert {name for name, func in registered()["helpers"].items() if func.__module__ == h.__name__} == {
        "citizendata_lang_value", "citizendata_vocab_choices", "citizendata_concept_label",
        "citizendata_engagement_rows", "citizendata_ethics_value", "citizendata_form_values", "citizendata_series_ids",
        "citizendata_series_choices", "citizendata_series_links", "citizendata_series_members",
        "citizendata_states_recognition"}


@pytest.mark.usefixtures("clean_db")
def test_only_an_nsos_records_state_their_status_and_an_organization_field_names_its_scheme(request_as):
    gss = factories.Organization(name="gss", actor_type="nso", jurisdiction=["GHA"])
    factories.Organization(name="cso", actor_type="cso")
    assert [h.citizendata_states_recognition(o) for o in ("gss", gss["id"], "cso", None)] == [True, True, False,
                                                                                              False]
    with request_as("en"):
        offered = h.citizendata_vocab_choices({"field_name": "actor_type", "vocabulary": "actor-types"})
    assert {"value": "nso", "label": "National statistical office"} in offered and len(offered) == 7


# ---------------------------------------------------------------- vocabulary choices and labels
def test_sdg_indicator_choices_are_the_indicators_only(request_as):
    with request_as("en"):
        offered = choices("sdg_indicators")
    indicators = [c["notation"] for c in registry.concepts("sdg") if re.fullmatch(INDICATOR, c["notation"])]
    assert len(indicators) > 200 and sorted(offered) == sorted(indicators)
    assert "16" not in offered and "16.6" not in offered  # goals and targets are derived, never chosen
    assert offered["16.6.2"] == \
        "16.6.2 Proportion of population satisfied with their last experience of public services"


@pytest.mark.parametrize("lang, label", [("en", "Social audit"), ("es", "Auditoría social"), ("fr", "Audit social"),
                                         ("ar", "التدقيق الاجتماعي")])
def test_choices_are_named_in_the_request_language(request_as, lang, label):
    with request_as(lang):
        offered = choices("initiative_type")
    assert offered["social-audit"] == label
    assert set(offered) == set(registry.notations("initiative-types"))


@pytest.mark.parametrize("field_name, lang, value, label", [
    ("stage", "es", "design", "Diseñar"),                               # engagement's subfields
    ("level", "fr", "4", "4 Collaboration"),                            # numbered concepts lead with the number
    ("actors", "ar", "cso", "منظمة مجتمع مدني"),
    ("actor_type", "en", "cso", "Civil society organisation"),          # partners' subfields
    ("role", "es", "funder", None),
])
def test_choices_of_subfields_come_from_their_vocabulary(request_as, field_name, lang, value, label):
    with request_as(lang):
        offered = choices(field_name)
    scheme = {"stage": "engagement-stages", "level": "engagement-levels", "actors": "actor-types",
              "actor_type": "actor-types", "role": "partner-roles"}[field_name]
    assert set(offered) == set(registry.notations(scheme)) and value in offered
    if label:
        assert offered[value] == label


def test_a_field_without_a_vocabulary_has_no_choices(request_as):
    with request_as("en"):
        assert h.citizendata_vocab_choices({"field_name": "sample_size"}) == []
        assert h.citizendata_vocab_choices({"field_name": "title"}) == []


def test_choices_come_in_the_order_of_the_vocabulary(request_as):
    ordered = [c["notation"] for c in registry.concepts("engagement-stages")]
    assert ordered[0] == "identify-needs" and ordered[-1] == "use"
    try:
        for notation in reversed(ordered):  # rewrite each row: same content, written anew
            model.Session.execute(sa.update(concept_table).values(position=concept_table.c.position).where(
                concept_table.c.scheme_id == "engagement-stages", concept_table.c.notation == notation))
        registry.clear_caches()
        with request_as("en"):
            assert list(choices("stage")) == ordered
    finally:
        model.Session.rollback()
        registry.clear_caches()


@pytest.mark.parametrize("lang, field_name, notation, label", [
    ("fr", "initiative_type", "social-audit", "Audit social"),
    ("es", "actors", "cso", "Organización de la sociedad civil"),
    ("en", "level", 4, "4 Collaborate"),
    ("en", "sdg_goals", "16", "16 Peace, justice and strong institutions"),
    ("es", "countries", "GHA", "Ghana"),
    ("en", "initiative_type", "not-a-concept", "not-a-concept"),
    ("en", "sample_size", 120, "120"),
    ("en", "initiative_type", None, ""),
    ("en", "initiative_type", "", ""),
])
def test_concept_label(request_as, lang, field_name, notation, label):
    with request_as(lang):
        assert h.citizendata_concept_label(field_name, notation) == label


def test_engagement_rows_every_stage_in_order_with_the_records_entries(request_as):
    design = {"stage": "design", "level": 4}
    use = {"stage": "use", "level": 2}
    with request_as("es"):
        rows = h.citizendata_engagement_rows([use, design, "not an entry"])
    assert [r["stage"] for r in rows] == ["identify-needs", "design", "collect", "process", "analyse",
                                          "disseminate", "use"]
    assert [r["entry"] for r in rows] == [None, design, None, None, None, None, use]
    assert rows[1]["label"] == "Diseñar"
    with request_as("en"):
        assert [r["entry"] for r in h.citizendata_engagement_rows(None)] == [None] * 7


@pytest.mark.parametrize("values, lang, text", [
    ({"en": "Design", "es": "Diseño"}, "es", "Diseño"), ({"en": "Design", "es": "Diseño"}, "es_MX", "Diseño"),
    ({"en": "Design", "es": "Diseño"}, "pt", "Design"), ({"fr": "Conception"}, "es", "Conception"),
    (None, "en", ""), ({}, "en", ""),
])
def test_lang_value(values, lang, text):
    assert h.citizendata_lang_value(values, lang) == text


def test_ethics_value_and_series_ids():
    assert h.citizendata_ethics_value('{"anonymised": true}') == {"anonymised": True}
    assert h.citizendata_ethics_value({"anonymised": False}) == {"anonymised": False}
    assert h.citizendata_ethics_value("garbage") == {} and h.citizendata_ethics_value(None) == {}
    assert h.citizendata_series_ids('["a", "b"]') == ["a", "b"] and h.citizendata_series_ids(None) == []


# ---------------------------------------------------------------- initiatives
def test_pages_link_initiative_and_datasets(app, setup):
    round_dataset(setup, "round-2023")
    series_page = app.get("/dataset_series/ghana-pss-app").body
    assert "Datasets of this initiative" in series_page and "/dataset/round-2023" in series_page
    dataset_page = app.get("/dataset/round-2023").body
    assert "/dataset_series/ghana-pss-app" in dataset_page
    assert "Taken from the initiative" in dataset_page


def series(setup, name, title, **fields):
    return helpers.call_action("package_create", context=dict(setup["context"]), type="dataset_series", name=name,
                               title=title, notes="x", owner_org=setup["org"]["id"], initiative_type="social-audit",
                               engagement=[{"stage": "collect", "level": 3}], **fields)


def test_series_links_name_the_initiatives_in_the_order_given(request_as, setup):
    other = series(setup, "another", "Another initiative")
    with request_as():
        links = h.citizendata_series_links(f'["{other["id"]}", "no-such-initiative", "ghana-pss-app"]')
    assert links == [{"id": other["id"], "name": "another", "title": "Another initiative"},
                     {"id": setup["series"]["id"], "name": "ghana-pss-app",
                      "title": "Public Service Satisfaction Survey App"}]


def test_series_choices_are_the_active_initiatives_by_title(request_as, setup):
    first = series(setup, "aaa", "A first initiative")
    gone = series(setup, "gone", "Gone initiative")
    helpers.call_action("package_delete", context={"user": factories.Sysadmin()["name"]}, id=gone["id"])
    round_dataset(setup, "a-dataset")
    with request_as(user=setup["user"]["name"]):
        offered = h.citizendata_series_choices()
    assert offered == [{"value": first["id"], "text": "A first initiative"},
                       {"value": setup["series"]["id"], "text": "Public Service Satisfaction Survey App"}]


def test_series_choices_are_the_initiatives_the_user_may_join(request_as, setup):
    hidden = series(setup, "hidden", "Hidden initiative", private=True)
    opened = series(setup, "opened", "Opened initiative", open_membership=True)
    series(setup, "opened-private", "Opened but private", open_membership=True, private=True)
    outsider = factories.User()
    factories.Organization(users=[{"name": outsider["name"], "capacity": "editor"}])
    with request_as(user=setup["user"]["name"]):
        assert hidden["id"] in [c["value"] for c in h.citizendata_series_choices()]
    for who in (outsider["name"], None):    # another organization's editor; anonymous
        with request_as(user=who):
            assert h.citizendata_series_choices() == [{"value": opened["id"], "text": "Opened initiative"}]


def test_series_choices_keep_the_initiatives_a_dataset_is_in_already(request_as, setup):
    hidden = series(setup, "hidden", "Hidden initiative", private=True)
    outsider = factories.User()
    factories.Organization(users=[{"name": outsider["name"], "capacity": "editor"}])
    with request_as(user=outsider["name"]):
        offered = h.citizendata_series_choices([hidden["id"], setup["series"]["id"], "no-such-initiative"])
    assert offered == [{"value": hidden["id"], "text": "An initiative you may not see"},
                       {"value": setup["series"]["id"], "text": "Public Service Satisfaction Survey App"}]


def test_series_links_leave_out_initiatives_the_user_may_not_see(request_as, setup):
    hidden = series(setup, "hidden", "Hidden initiative", private=True)
    outsider = factories.User()
    factories.Organization(users=[{"name": outsider["name"], "capacity": "editor"}])
    value = [hidden["id"], setup["series"]["id"]]
    with request_as(user=setup["user"]["name"]):
        assert [link["name"] for link in h.citizendata_series_links(value)] == ["hidden", "ghana-pss-app"]
    for who in (outsider["name"], None):
        with request_as(user=who):
            assert [link["name"] for link in h.citizendata_series_links(value)] == ["ghana-pss-app"]


@pytest.fixture
def members_of_three_kinds(setup):
    """A public member, a private one of the initiative's organization, a private one of another organization."""
    stranger = factories.User()
    stranger_org = factories.Organization(users=[{"name": stranger["name"], "capacity": "editor"}])
    made = {"public": round_dataset(setup, "public-round")["name"],
            "own_private": round_dataset(setup, "own-private-round", private=True)["name"],
            "strangers_private": helpers.call_action(
                "package_create", context={"user": stranger["name"]}, name="strangers-private-round", notes="x",
                owner_org=stranger_org["id"], private=True, in_series=["ghana-pss-app"])["name"]}
    return made, stranger


def member_names(request_as, series_id, user=None):
    with request_as(user=user):
        return sorted(d["name"] for d in h.citizendata_series_members(series_id))


def test_series_members_leave_out_private_datasets_a_user_may_not_see(request_as, setup, members_of_three_kinds):
    made, stranger = members_of_three_kinds
    series_id = setup["series"]["id"]
    assert member_names(request_as, series_id) == [made["public"]]  # a visitor
    assert made["strangers_private"] not in member_names(request_as, series_id, setup["user"]["name"])
    assert made["own_private"] not in member_names(request_as, series_id, stranger["name"])


def test_series_members_include_the_private_datasets_a_user_may_see(request_as, setup, members_of_three_kinds):
    made, stranger = members_of_three_kinds
    series_id = setup["series"]["id"]
    assert member_names(request_as, series_id, setup["user"]["name"]) == sorted([made["public"], made["own_private"]])
    assert member_names(request_as, series_id, stranger["name"]) == sorted([made["public"], made["strangers_private"]])
    assert member_names(request_as, series_id, factories.Sysadmin()["name"]) == sorted(made.values())
