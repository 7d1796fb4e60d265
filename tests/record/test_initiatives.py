"""Initiatives as DCAT dataset series: their datasets inherit initiative-level fields unless they state their own."""
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


def test_without_an_initiative_the_required_fields_are_required(setup):
    with pytest.raises(helpers.logic.ValidationError) as err:
        helpers.call_action("package_create", context=dict(setup["context"]), name="orphan", notes="x",
                            owner_org=setup["org"]["id"])
    assert err.value.error_dict["engagement"] == ["engagement: required"]
    assert err.value.error_dict["initiative_type"] == ["initiative_type: required"]


def test_in_series_must_name_an_initiative(setup):
    plain = helpers.call_action("package_create", context=dict(setup["context"]), name="plain", notes="x",
                                owner_org=setup["org"]["id"], initiative_type="social-audit",
                                engagement=[{"stage": "collect", "level": 3}])
    with pytest.raises(helpers.logic.ValidationError) as err:
        round_dataset(setup, "bad-round", **{"in_series": [plain["name"]]})
    assert 'in_series: "plain" is not an initiative' in err.value.error_dict["in_series"][0]


def test_changing_the_initiative_changes_its_datasets(setup):
    round_dataset(setup, "round-2022")
    helpers.call_action("package_patch", context=dict(setup["context"]), id="ghana-pss-app",
                        engagement=[{"stage": "collect", "level": 2}], recognition_status="official")
    shown = helpers.call_action("package_show", id="round-2022")
    assert shown["engagement"] == [{"stage": "collect", "level": 2}]
    assert shown["meets_copenhagen_definition"] is False
    found = helpers.call_action("package_search", fq="recognition_status:official")
    assert [d["name"] for d in found["results"]] == ["ghana-pss-app", "round-2022"] or \
        sorted(d["name"] for d in found["results"]) == ["ghana-pss-app", "round-2022"]


def test_pages_link_initiative_and_datasets(app, setup):
    round_dataset(setup, "round-2023")
    series_page = app.get("/dataset_series/ghana-pss-app").body
    assert "Datasets of this initiative" in series_page and "/dataset/round-2023" in series_page
    dataset_page = app.get("/dataset/round-2023").body
    assert "/dataset_series/ghana-pss-app" in dataset_page
    assert "Taken from the initiative" in dataset_page


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


@pytest.mark.parametrize("action", ["package_delete", "dataset_purge"])
def test_deleting_or_purging_the_initiative_takes_its_values_from_its_datasets(setup, action):
    round_dataset(setup, "round-gone")
    sysadmin = factories.Sysadmin()
    helpers.call_action(action, context={"user": sysadmin["name"]}, id="ghana-pss-app")
    shown = helpers.call_action("package_show", id="round-gone")
    assert shown["inherited_fields"] == [] and "initiative_type" not in shown
    found = helpers.call_action("package_search", fq='initiative_type:"public-service-feedback"')
    assert found["count"] == 0
    found = helpers.call_action("package_search", fq="name:round-gone")
    assert found["count"] == 1 and "initiative_type" not in found["results"][0]


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
