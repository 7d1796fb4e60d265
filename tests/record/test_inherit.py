"""record/inherit.py: initiatives as DCAT dataset series; their datasets inherit initiative-level fields unless
they state their own; initiatives and their members read from the package table."""
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories, helpers

from ckanext.citizendata.model import search_index_table
from ckanext.citizendata.record.fields import INHERITED
from ckanext.citizendata.record.inherit import (Series, SeriesLookup, gives_to, inherit, members, public_members, series_ids,
                                                still_inherited)

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.fixture
def setup(app):
    user = factories.UserWithToken()
    # a national statistical office: its records may state their recognition status (assessment/recognition.py)
    org = factories.Organization(name="gss", users=[{"name": user["name"], "capacity": "editor"}],
                                 actor_type="nso", jurisdiction=["GHA"])
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
    ids.append(round_dataset(setup, "draft-member")["id"])
    set_state(ids[-1], "draft")
    round_dataset(setup, "elsewhere", in_series=[], initiative_type="social-audit",
                  engagement=[{"stage": "collect", "level": 3}])
    model.Session.execute(sa.delete(search_index_table))
    assert sorted(members(setup["series"]["id"])) == sorted(ids)
    assert public_members(setup["series"]["id"]) == sorted(ids[:3])  # neither the private nor the draft one


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


def set_state(package_id, state):
    model.Session.execute(sa.update(model.package_table).where(model.package_table.c.id == package_id)
                          .values(state=state))
    model.Session.expire_all()


def test_members_of_an_initiative_without_datasets_or_of_a_plain_dataset(setup):
    plain = round_dataset(setup, "plain", in_series=[], initiative_type="social-audit",
                          engagement=[{"stage": "collect", "level": 3}])
    assert members(setup["series"]["id"]) == [] and public_members(setup["series"]["id"]) == []
    member = round_dataset(setup, "member")
    assert members(setup["series"]["id"]) == [member["id"]]
    assert members(plain["id"]) == []
    set_state(member["id"], "deleted")
    assert members(setup["series"]["id"]) == [member["id"]] and public_members(setup["series"]["id"]) == []


# ---------------------------------------------------------------- inherit(), still_inherited(), series_ids()
PARENTS = [
    {"initiative_type": "social-audit", "countries": [], "sample_size": 10},
    {"initiative_type": "community-survey", "countries": ["GHA"], "recognition_status": "official",
     "sample_size": 20},
]


def test_the_first_initiative_with_a_value_gives_it():
    record = {"engagement": [{"stage": "use", "level": 2}], "recognition_status": ""}
    effective, taken = inherit(record, PARENTS)
    assert effective == {"engagement": [{"stage": "use", "level": 2}], "initiative_type": "social-audit",
                         "countries": ["GHA"], "recognition_status": "official"}
    assert taken == ["initiative_type", "countries", "recognition_status"]  # in the field table's order
    assert record == {"engagement": [{"stage": "use", "level": 2}], "recognition_status": ""}  # not changed


def test_only_inherited_fields_are_taken_and_stated_ones_kept():
    assert "sample_size" not in INHERITED
    effective, taken = inherit({"initiative_type": "citizen-science"}, PARENTS)
    assert effective["initiative_type"] == "citizen-science" and "sample_size" not in effective
    assert "initiative_type" not in taken
    assert inherit({"countries": ["COL"]}, []) == ({"countries": ["COL"]}, [])


def test_still_inherited_fields_are_those_sent_back_unchanged():
    submitted = {"countries": '["GHA"]', "initiative_type": "citizen-science", "sample_size": "20",
                 "recognition_status": "official", "partners": []}
    names = ["countries", "initiative_type", "sample_size", "recognition_status", "partners"]
    # countries: the same list (as stored text); initiative_type: changed; sample_size: never inherited;
    # partners: no initiative gives it
    assert still_inherited(submitted, names, PARENTS) == ["countries", "recognition_status"]
    assert still_inherited({"countries": "GHA"}, ["countries"], PARENTS) == ["countries"]
    assert still_inherited({"countries": ["GHA", "COL"]}, ["countries"], PARENTS) == []
    assert still_inherited(submitted, [], PARENTS) == []


@pytest.mark.parametrize("value, refs", [
    (["a", "b"], ["a", "b"]), ('["a", "b"]', ["a", "b"]), ("a, b", ["a", "b"]), ("a", ["a"]), (None, []),
    ("", []), ([], []), ({"id": "a"}, []),
])
def test_series_ids(value, refs):
    assert series_ids(value) == refs


# ---------------------------------------------------------------- SeriesLookup
@pytest.fixture
def series_reads():
    """Statements that read initiatives from the package table."""
    reads = []

    def count(conn, cursor, statement, parameters, *args):
        if "FROM package" in statement and "dataset_series" in str(parameters):
            reads.append(statement)
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", count)
    yield reads
    sa.event.remove(sa.engine.Engine, "before_cursor_execute", count)


def test_one_query_for_several_references_by_id_and_by_name(setup, series_reads):
    plain = round_dataset(setup, "plain", in_series=[], initiative_type="social-audit",
                          engagement=[{"stage": "collect", "level": 3}])
    series_id = setup["series"]["id"]
    lookup = SeriesLookup()
    series_reads.clear()
    by_id, by_name, unknown, not_series = lookup.many([series_id, "ghana-pss-app", "no-such-thing", plain["name"]])
    assert len(series_reads) == 1
    assert by_id is by_name and unknown is None and not_series is None
    assert (by_id.id, by_id.name, by_id.title, by_id.notes, by_id.private, by_id.owner_org) == \
        (series_id, "ghana-pss-app", "Public Service Satisfaction Survey App", "Initiative 2019-2024", False,
         setup["org"]["id"])
    assert by_id.record["engagement"] == [{"stage": "design", "level": 4, "actors": ["nso", "cso"]}]
    assert by_id.record["countries"] == ["GHA"]
    assert lookup.get(series_id) is by_id and lookup.get("no-such-thing") is None
    assert lookup.records(["no-such-thing", "ghana-pss-app"]) == [by_id.record]
    assert len(series_reads) == 1  # all kept, the unknown reference too


def test_forget_drops_an_initiative_by_either_reference(setup, series_reads):
    series_id = setup["series"]["id"]
    lookup = SeriesLookup()
    assert lookup.get(series_id).record["recognition_status"] == "complementary-source"
    helpers.call_action("package_patch", context=dict(setup["context"]), id="ghana-pss-app",
                        recognition_status="official")
    series_reads.clear()
    assert lookup.get("ghana-pss-app").record["recognition_status"] == "complementary-source"  # kept
    assert series_reads == []
    lookup.forget("ghana-pss-app")
    assert lookup.get(series_id).record["recognition_status"] == "official"  # read again, by id
    assert lookup.get("ghana-pss-app").record["recognition_status"] == "official"
    assert len(series_reads) == 1


def test_a_deleted_initiative_is_not_found(setup):
    helpers.call_action("package_delete", context={"user": factories.Sysadmin()["name"]}, id="ghana-pss-app")
    assert SeriesLookup().get("ghana-pss-app") is None and SeriesLookup().get(setup["series"]["id"]) is None


def test_one_lookup_per_request(app):
    with app.flask_app.test_request_context("/one"):
        first = SeriesLookup.for_request()
        assert SeriesLookup.for_request() is first
    with app.flask_app.test_request_context("/two"):
        assert SeriesLookup.for_request() is not first


# ---------------------------------------------------------------- gives_to, givers
def _series(private=False, state="active", owner_org="org-a", open_membership=False):
    return Series(id="s", name="s", title="S", notes="", private=private, owner_org=owner_org, record={},
                  state=state, open_membership=open_membership)


@pytest.mark.parametrize("series, member, gives", [
    (_series(), {"private": False, "owner_org": "org-b"}, True),                       # public: to everyone
    (_series(private=True), {"private": True, "owner_org": "org-a"}, True),            # private, same org, private
    (_series(private=True), {"private": "True", "owner_org": "org-a"}, True),          # as CKAN's form sends it
    (_series(private=True), {"private": False, "owner_org": "org-a"}, False),          # a public member
    (_series(private=True), {"private": True, "owner_org": "org-b"}, False),           # another organization
    (_series(private=True, owner_org=None), {"private": True, "owner_org": None}, False),   # no organization
    (_series(state="draft"), {"private": False, "owner_org": "org-a"}, False),         # a draft is not public
    (_series(private=True, state="draft"), {"private": True, "owner_org": "org-a"}, False),
])
def test_an_initiative_gives_only_what_every_reader_of_the_member_may_read(series, member, gives):
    assert gives_to(series, member) is gives


def test_givers_keep_the_order_and_name_the_withheld(setup):
    helpers.call_action("package_create", context=dict(setup["context"]), type="dataset_series", name="hidden",
                        notes="x", owner_org=setup["org"]["id"], private=True, countries=["ISL"],
                        initiative_type="social-audit", engagement=[{"stage": "collect", "level": 3}])
    lookup = SeriesLookup()
    hidden = lookup.get("hidden")
    givers, withheld = lookup.givers(["hidden", "ghana-pss-app", "nope"], {"private": False,
                                                                          "owner_org": setup["org"]["id"]})
    assert [g["countries"] for g in givers] == [["GHA"]] and withheld == [hidden.id]
    givers, withheld = lookup.givers(["hidden", "ghana-pss-app"], {"private": True, "owner_org": setup["org"]["id"]})
    assert [g["countries"] for g in givers] == [["ISL"], ["GHA"]] and withheld == []
    assert hidden.private and not hidden.public and not hidden.open_membership


def test_the_open_membership_flag_is_read_with_the_initiative(setup):
    helpers.call_action("package_patch", context=dict(setup["context"]), id="ghana-pss-app", open_membership=True)
    assert SeriesLookup().get("ghana-pss-app").open_membership is True
    assert helpers.call_action("package_show", id="ghana-pss-app")["open_membership"] is True
