"""record/hooks.py: the IPackageController work; an initiative's change re-indexes its members."""
import json

import pytest
import sqlalchemy as sa
from ckan import logic, model
from ckan.tests import helpers

from ckanext.citizendata.model import search_index_table
from ckanext.citizendata.record import hooks, index

from .test_inherit import round_dataset, setup  # noqa: F401

pytestmark = pytest.mark.usefixtures("clean_db")


def index_doc(name):
    """The index row's document, with the made record it was built from."""
    t = search_index_table
    doc, made = model.Session.execute(sa.select(t.c.doc, t.c.validated_data_dict).where(t.c.name == name)).one()
    return dict(doc, validated_data_dict=json.loads(made))


@pytest.fixture
def reindexed(monkeypatch):
    """Ids CKAN's index_update_package is called with (the calls are counted, not replaced)."""
    ids, original = [], logic.index_update_package

    def counting(context, id_, defer_commit=False):
        ids.append(id_)
        return original(context, id_, defer_commit=defer_commit)
    monkeypatch.setattr(logic, "index_update_package", counting)
    return ids


def change_stored_extras(package_id, **changes):
    """Change a dataset in the package table only: no action, no hook, no re-index."""
    p = model.package_table
    extras = dict(model.Session.execute(sa.select(p.c.extras).where(p.c.id == package_id)).scalar())
    extras.update(changes)
    model.Session.execute(sa.update(p).where(p.c.id == package_id).values(extras=extras))
    model.Session.expire_all()


def test_changing_the_initiative_changes_its_datasets(setup):
    round_dataset(setup, "round-2022")
    helpers.call_action("package_patch", context=dict(setup["context"]), id="ghana-pss-app",
                        engagement=[{"stage": "collect", "level": 2}], recognition_status="official")
    shown = helpers.call_action("package_show", id="round-2022")
    assert shown["engagement"] == [{"stage": "collect", "level": 2}]
    assert shown["meets_copenhagen_definition"] is False
    found = helpers.call_action("package_search", fq="recognition_status:official")
    assert sorted(d["name"] for d in found["results"]) == ["ghana-pss-app", "round-2022"]


def test_after_an_initiative_is_updated_the_index_rows_of_its_members_change(setup):
    members = [round_dataset(setup, name) for name in ("round-a", "round-b")]
    round_dataset(setup, "own-status", recognition_status="experimental-statistics")
    assert {index_doc(m["name"])["recognition_status"] for m in members} == {"complementary-source"}
    change_stored_extras(setup["series"]["id"], recognition_status="official", initiative_type="social-audit")
    assert index_doc("round-a")["recognition_status"] == "complementary-source"  # nothing re-indexed it yet
    hooks.after_dataset_update({}, setup["series"])  # the dict CKAN hands the hook
    for member in members:
        doc = index_doc(member["name"])
        assert (doc["recognition_status"], doc["initiative_type"]) == ("official", "social-audit"), member["name"]
        assert "Social audit" in doc["concept_labels"]
        assert doc["validated_data_dict"]["recognition_status"] == "official"
    own = index_doc("own-status")  # states its own status; takes the initiative type
    assert (own["recognition_status"], own["initiative_type"]) == ("experimental-statistics", "social-audit")


def test_updating_an_initiative_reindexes_each_member_updating_a_plain_dataset_none(setup, reindexed):
    ids = sorted(round_dataset(setup, name)["id"] for name in ("round-a", "round-b"))
    plain = round_dataset(setup, "plain", in_series=[], initiative_type="social-audit",
                          engagement=[{"stage": "collect", "level": 3}])
    reindexed.clear()
    helpers.call_action("package_patch", context=dict(setup["context"]), id=plain["id"], title="Plain, renamed")
    assert reindexed == []
    helpers.call_action("package_patch", context=dict(setup["context"]), id="round-a", title="A member, renamed")
    assert reindexed == []  # a member changing re-indexes only itself (CKAN's own indexing)
    helpers.call_action("package_patch", context=dict(setup["context"]), id="ghana-pss-app", title="Renamed")
    assert sorted(reindexed) == ids


def test_reindexing_members_does_not_start_again_from_a_reindex(setup, reindexed):
    round_dataset(setup, "round-a")
    reindexed.clear()
    hooks.reindex_members(setup["series"]["id"], {hooks.REINDEXING: True})
    assert reindexed == []
    hooks.reindex_members(setup["series"]["id"], {})
    assert len(reindexed) == 1


def test_members_of_a_purged_initiative_are_reindexed_from_the_ids_given(setup, reindexed):
    member = round_dataset(setup, "round-a")
    round_dataset(setup, "round-b")
    reindexed.clear()
    hooks.reindex_members("no-longer-there", {}, [member["id"]])
    assert reindexed == [member["id"]]


def test_before_dataset_index_delegates_to_the_index_module(monkeypatch):
    calls, original = [], index.before_dataset_index

    def counting(pkg_dict):
        calls.append(pkg_dict)
        return original(pkg_dict)
    monkeypatch.setattr(index, "before_dataset_index", counting)
    doc = {"validated_data_dict": json.dumps({"engagement": [{"stage": "use", "level": 3}]}),
           "extras_engagement": "[]"}
    result = hooks.before_dataset_index(doc)
    assert calls == [doc] and result is doc
    assert result["engagement_level_max"] == 3 and "extras_engagement" not in result


def test_after_dataset_show_makes_the_record_view():
    shown = {"type": "dataset", "sample_size": "120", "sdg_indicators": '["16.6.2"]'}
    hooks.after_dataset_show({}, shown)
    assert shown["sample_size"] == 120 and shown["sdg_goals"] == ["16"] and shown["inherited_fields"] == []
