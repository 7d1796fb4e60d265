"""record/inherit.py: initiatives as DCAT dataset series; their datasets inherit initiative-level fields unless
they state their own; initiatives and their members read from the package table."""
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories, helpers

from ckanext.citizendata.model import search_index_table
from ckanext.citizendata.record.inherit import members, public_members

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.fixture
def setup(app):
    user = factories.UserWithToken()
    org = factories.Organization(name="gss", users=[{"name": user["name"], "capacity": "editor"}])
    context = {"user": user["name"]}
    series = helpers.call_action("package_create", context=dict(context), type="dataset_series",
                                 name="ghana-pss-app", title="Public Service Satisfaction Survey App",
                                 notes="Initiative 2019-2024", owner_org=org["id"],
                                 initiative_type="public-service-feedback",
                                 engagement=[{"stage": "design", "level": 4, "actors": ["nso", "cso"]}],
                                 sdg_indicators=["16.6.2"], countries=["GHA"],
                                 partners=[{"name": "UNDP", "role": "technical-partner"}],
                                 recognition_status="complementary-source")
    return {"user": user, "org": org, "context": context, "series": series,
            "headers": {"Authorization": user["token"]}}


def round_dataset(setup, name, **fields):
    fields.setdefault("in_series", ["ghana-pss-app"])
    return helpers.call_action("package_create", context=dict(setup["context"]), name=name, title=name,
                               notes="A survey round", owner_org=setup["org"]["id"], **fields)


def test_a_dataset_in_an_initiative_inherits_what_it_does_not_state(setup):
    dataset = round_dataset(setup, "round-2021", sdg_indicators=["16.6.1"])
    assert dataset["in_series"] == [setup["series"]["id"]]
    assert dataset["initiative_type"] == "public-service-feedback"
    assert dataset["engagement"] == [{"stage": "design", "level": 4, "actors": ["nso", "cso"]}]
    assert dataset["sdg_indicators"] == ["16.6.1"]  # its own
    assert set(dataset["inherited_fields"]) == {"initiative_type", "engagement", "countries", "partners",
                                                "recognition_status"}
    assert dataset["meets_copenhagen_definition"] is True and dataset["m49"] == ["288"]
    found = helpers.call_action("package_search", fq='+initiative_type:"public-service-feedback" +countries:GHA')
    assert "round-2021" in [d["name"] for d in found["results"]]


def test_show_then_update_keeps_inherited_fields_inherited(setup):
    round_dataset(setup, "round-2024")
    shown = helpers.call_action("package_show", id="round-2024")
    shown["title"] = "Round 2024 (revised)"
    helpers.call_action("package_update", context=dict(setup["context"]), **shown)
    helpers.call_action("package_patch", context=dict(setup["context"]), id="ghana-pss-app",
                        countries=["GHA", "TGO"])
    again = helpers.call_action("package_show", id="round-2024")
    assert again["title"] == "Round 2024 (revised)"
    assert again["countries"] == ["GHA", "TGO"] and "countries" in again["inherited_fields"]


def test_a_stated_value_overrides_the_initiative(setup):
    dataset = round_dataset(setup, "own-engagement", engagement=[{"stage": "collect", "level": 5}])
    assert dataset["engagement"] == [{"stage": "collect", "level": 5}]
    assert "engagement" not in dataset["inherited_fields"]


def test_members_are_read_from_the_package_table_not_the_search_index(setup):
    """Every member, private and draft ones too, whatever the index holds (it may be stale or rebuilding)."""
    ids = [round_dataset(setup, f"member-{i}")["id"] for i in range(3)]
    ids.append(round_dataset(setup, "private-member", private=True)["id"])
    round_dataset(setup, "elsewhere", in_series=[], initiative_type="social-audit",
                  engagement=[{"stage": "collect", "level": 3}])
    model.Session.execute(sa.delete(search_index_table))
    assert sorted(members(setup["series"]["id"])) == sorted(ids)
    assert public_members(setup["series"]["id"]) == sorted(ids[:3])


def test_an_initiative_is_read_once_per_request_whatever_the_number_of_its_datasets(app, setup):
    names = [round_dataset(setup, f"per-request-{i}")["name"] for i in range(4)]
    reads = []

    def count(conn, cursor, statement, parameters, *args):
        if "FROM package" in statement and "dataset_series" in str(parameters):
            reads.append(statement)
    with app.flask_app.app_context(), app.flask_app.test_request_context():  # a request of its own
        sa.event.listen(sa.engine.Engine, "before_cursor_execute", count)
        try:
            shown = [helpers.call_action("package_show", context={"use_cache": False}, id=name) for name in names]
        finally:
            sa.event.remove(sa.engine.Engine, "before_cursor_execute", count)
    assert all(s["initiative_type"] == "public-service-feedback" for s in shown)
    assert len(reads) == 1, reads
