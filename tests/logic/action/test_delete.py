"""logic/action/delete.py: deleting or purging a dataset drops its DCAT fragments; deleting or purging an
initiative re-indexes the datasets in it."""
import pytest
import sqlalchemy as sa
from ckan import logic, model
from ckan.tests import factories, helpers

from ckanext.citizendata.model.rdf_cache import rdf_cache_table
from ckanext.citizendata.testing import CitizenDataset

from ...record.test_inherit import round_dataset, setup  # noqa: F401

pytestmark = pytest.mark.usefixtures("clean_db")
ACTIONS = ["package_delete", "dataset_purge"]


def fragments(package_id):
    """Formats of the ready DCAT fragments of a dataset."""
    return sorted(model.Session.execute(sa.select(rdf_cache_table.c.format)
                                        .where(rdf_cache_table.c.package_id == package_id)).scalars())


@pytest.mark.parametrize("action", ACTIONS)
def test_deleting_or_purging_a_dataset_drops_its_fragments(app, action):
    org = factories.Organization()
    gone, kept = (CitizenDataset(name=name, owner_org=org["id"]) for name in ("gone", "kept"))
    for name in ("gone", "kept"):
        app.get(f"/dataset/{name}.ttl", status=200)
        app.get(f"/dataset/{name}.rdf", status=200)
    assert len(fragments(gone["id"])) == len(fragments(kept["id"])) == 2, fragments(gone["id"])
    helpers.call_action(action, context={"user": factories.Sysadmin()["name"]}, id="gone")
    assert fragments(gone["id"]) == []
    assert len(fragments(kept["id"])) == 2
    assert "gone" not in app.get("/catalog.ttl", status=200).body


@pytest.mark.parametrize("action", ACTIONS)
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


@pytest.mark.parametrize("action", ACTIONS)
def test_a_dataset_that_states_its_own_values_keeps_them(setup, action):
    round_dataset(setup, "round-own", initiative_type="social-audit", countries=["COL"],
                  engagement=[{"stage": "collect", "level": 5}])
    helpers.call_action(action, context={"user": factories.Sysadmin()["name"]}, id="ghana-pss-app")
    shown = helpers.call_action("package_show", id="round-own")
    assert (shown["initiative_type"], shown["countries"], shown["inherited_fields"]) == ("social-audit", ["COL"], [])
    assert "partners" not in shown  # it had it only from the initiative; its status is now its own (derived)
    assert shown["recognition_status"] == "not-assessed"
    [found] = helpers.call_action("package_search", fq="name:round-own")["results"]
    assert found["initiative_type"] == "social-audit" and found["recognition_status"] == "not-assessed"


@pytest.mark.parametrize("action", ACTIONS)
def test_removing_a_plain_dataset_reindexes_no_other(setup, action, monkeypatch):
    member = round_dataset(setup, "member")
    plain = round_dataset(setup, "plain", in_series=[], initiative_type="social-audit",
                          engagement=[{"stage": "collect", "level": 3}])
    reindexed, original = [], logic.index_update_package

    def counting(context, id_, defer_commit=False):
        reindexed.append(id_)
        return original(context, id_, defer_commit=defer_commit)
    monkeypatch.setattr(logic, "index_update_package", counting)
    helpers.call_action(action, context={"user": factories.Sysadmin()["name"]}, id=plain["id"])
    assert set(reindexed) <= {plain["id"]}  # CKAN's package_delete re-indexes the deleted dataset itself
    reindexed.clear()
    helpers.call_action(action, context={"user": factories.Sysadmin()["name"]}, id=setup["series"]["id"])
    assert set(reindexed) - {setup["series"]["id"]} == {member["id"]}


def test_deleting_what_does_not_exist_is_ckans_not_found():
    with pytest.raises(logic.NotFound):
        helpers.call_action("package_delete", context={"user": factories.Sysadmin()["name"]}, id="no-such-dataset")
