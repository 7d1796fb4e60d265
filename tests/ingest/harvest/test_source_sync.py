"""ingest/harvest/source_sync.py: the harvest sources of a folder of source files created, updated, left alone
and deactivated (never deleted) through ckanext-harvest's actions; hand-made sources untouched.

Until the harvesters of the citizendata source types are registered, ckanext-harvest's validator
(harvest_source_type_exists) knows no such type: these tests register stand-ins that only answer info(), through
CKAN's own test mechanism (the ``with_plugins`` mark with a name -> plugin class, which loads the class without an
entry point, for this test only). With the real harvesters registered, the stand-ins add duplicate names, which
the validator accepts.
"""
import json

import pytest
from ckan import model
from ckan import plugins
from ckan.plugins import toolkit
from ckan.tests import factories
from ckanext.harvest.interfaces import IHarvester
from ckanext.harvest.model import HarvestSource

from ckanext.citizendata.ingest.harvest import kinds, source_sync, sources
from ckanext.citizendata.testing import CitizenDataset


class StandInHarvester(plugins.SingletonPlugin):
    """Answers info() for one source type, nothing else."""
    plugins.implements(IHarvester, inherit=True)
    source_type = ""

    def info(self):
        return {"name": self.source_type, "title": self.source_type, "description": "test stand-in"}


STAND_INS = {f"citizendata_test_{kind}": type(f"StandIn_{kind}", (StandInHarvester,),
                                                {"source_type": kinds.PREFIX + kind})
             for kind in ("ckan", "dcat", "sdmx")}

pytestmark = [pytest.mark.with_plugins(STAND_INS), pytest.mark.usefixtures("clean_db")]

PORTAL = """\
name: city-portal
title: City portal
type: ckan
url: http://127.0.0.1:8765/ckan
organization: city
schedule: WEEKLY
rules:
  - when: {keyword: public services}
    set: {sdg_indicators: ["16.6.2"]}
secrets:
  api_token: CITY_TOKEN
"""
CATALOG = """\
name: nso-catalog
title: NSO catalog
type: dcat
url: http://127.0.0.1:8765/dcat/catalog.ttl
organization: nso
"""


@pytest.fixture
def orgs():
    return {name: factories.Organization(name=name) for name in ("city", "nso")}


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "portal.yaml").write_text(PORTAL, encoding="utf-8")
    (tmp_path / "catalog.yaml").write_text(CATALOG, encoding="utf-8")
    return tmp_path


def row(name):
    """(package, HarvestSource) of a source, read from the tables."""
    package = model.Session.query(model.Package).filter_by(name=name, type="harvest").one()
    model.Session.refresh(package)
    source = model.Session.get(HarvestSource, package.id)
    model.Session.refresh(source)
    return package, source


def report(result):
    return {kind: getattr(result, kind) for kind in ("created", "updated", "unchanged", "deactivated")}


def source_count():
    return model.Session.query(HarvestSource).count()


def hand_made(org_id, name="hand-made", url="http://127.0.0.1:8765/other"):
    site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    return toolkit.get_action("harvest_source_create")(
        {"user": site_user["name"], "ignore_auth": True},
        {"name": name, "title": "Made by hand", "url": url, "source_type": "citizendata_ckan",
         "owner_org": org_id, "config": json.dumps({"languages": ["fr"]})})


def test_sync_creates_the_missing_sources(folder, orgs):
    assert report(source_sync.sync(folder)) == {"created": ["nso-catalog", "city-portal"], "updated": [],
                                                "unchanged": [], "deactivated": []}
    package, source = row("city-portal")
    assert (package.title, package.url, package.owner_org, package.state) == \
        ("City portal", "http://127.0.0.1:8765/ckan", orgs["city"]["id"], "active")
    assert (source.type, source.frequency, source.active) == ("citizendata_ckan", "WEEKLY", True)
    config = json.loads(source.config)
    assert config["managed_by"] == "citizendata-sources" and config["file"] == "portal.yaml"
    assert config["rules"] == [{"when": {"keyword": "public services"}, "set": {"sdg_indicators": ["16.6.2"]}}]
    assert row("nso-catalog")[1].type == "citizendata_dcat"


def test_the_stored_source_gives_back_the_files_spec(folder, orgs):
    source_sync.sync(folder)
    assert sources.spec_from_source(row("city-portal")[1]) == sources.load(folder / "portal.yaml")


def test_a_secrets_value_is_never_stored(folder, orgs, monkeypatch):
    monkeypatch.setenv("CITY_TOKEN", "city-secret-4d2a9f")
    source_sync.sync(folder)
    stored = row("city-portal")[1].config
    assert "city-secret-4d2a9f" not in stored and json.loads(stored)["secrets"] == {"api_token": "CITY_TOKEN"}


def test_a_second_sync_changes_nothing(folder, orgs):
    source_sync.sync(folder)
    before = row("city-portal")[0].metadata_modified
    assert report(source_sync.sync(folder))["unchanged"] == ["nso-catalog", "city-portal"]
    assert row("city-portal")[0].metadata_modified == before


def test_a_changed_file_updates_its_source_only(folder, orgs):
    source_sync.sync(folder)
    portal_id = row("city-portal")[0].id
    (folder / "portal.yaml").write_text(PORTAL.replace("WEEKLY", "DAILY").replace("City portal", "City data"),
                                        encoding="utf-8")
    assert report(source_sync.sync(folder)) == {"created": [], "updated": ["city-portal"],
                                                "unchanged": ["nso-catalog"], "deactivated": []}
    package, source = row("city-portal")
    assert (package.id, package.title, source.frequency, source.title) == (portal_id, "City data", "DAILY",
                                                                           "City data")


def test_a_source_renamed_in_its_file_keeps_its_id(folder, orgs):
    source_sync.sync(folder)
    portal_id = row("city-portal")[0].id
    (folder / "portal.yaml").write_text(PORTAL.replace("name: city-portal", "name: city-ckan"), encoding="utf-8")
    assert report(source_sync.sync(folder))["updated"] == ["city-ckan"]
    assert row("city-ckan")[0].id == portal_id


def test_a_gone_file_deactivates_its_source_and_its_return_brings_it_back(folder, orgs):
    source_sync.sync(folder)
    (folder / "portal.yaml").unlink()
    assert report(source_sync.sync(folder)) == {"created": [], "updated": [], "unchanged": ["nso-catalog"],
                                                "deactivated": ["city-portal"]}
    package, source = row("city-portal")
    assert (package.state, source.active, source_count()) == ("deleted", False, 2)
    assert report(source_sync.sync(folder))["deactivated"] == []      # once
    (folder / "portal.yaml").write_text(PORTAL, encoding="utf-8")
    assert report(source_sync.sync(folder))["updated"] == ["city-portal"]
    package, source = row("city-portal")
    assert (package.state, source.active) == ("active", True)


def test_a_file_may_keep_its_source_inactive(folder, orgs):
    (folder / "catalog.yaml").write_text(CATALOG + "active: false\n", encoding="utf-8")
    source_sync.sync(folder)
    assert row("nso-catalog")[1].active is False
    assert row("city-portal")[1].active is True
    assert report(source_sync.sync(folder))["unchanged"] == ["nso-catalog", "city-portal"]


def test_hand_made_sources_are_left_alone(folder, orgs):
    made = hand_made(orgs["city"]["id"])
    source_sync.sync(folder)
    (folder / "portal.yaml").unlink()
    result = source_sync.sync(folder)
    assert "hand-made" not in result.deactivated + result.updated
    package, source = row("hand-made")
    assert (package.id, package.state, source.active, json.loads(source.config)) == \
        (made["id"], "active", True, {"languages": ["fr"]})


def test_a_name_held_by_a_hand_made_source_is_refused_and_nothing_written(folder, orgs):
    hand_made(orgs["city"]["id"], name="city-portal")
    with pytest.raises(sources.SourceFileError) as caught:
        source_sync.sync(folder)
    assert caught.value.problems == [
        "portal.yaml: name: 'city-portal' is a harvest source that sync did not create (rename one of them)"]
    assert source_count() == 1


def test_a_name_held_by_a_dataset_is_refused(folder, orgs):
    dataset = CitizenDataset(name="nso-catalog", owner_org=orgs["nso"]["id"])
    with pytest.raises(sources.SourceFileError) as caught:
        source_sync.sync(folder)
    assert caught.value.problems == [f"catalog.yaml: name: 'nso-catalog' is taken by the dataset {dataset['id']}"]


def test_a_missing_organization_is_named_with_its_file_and_nothing_written(folder):
    factories.Organization(name="city")
    with pytest.raises(sources.SourceFileError) as caught:
        source_sync.sync(folder)
    assert caught.value.problems == [
        "catalog.yaml: organization: 'nso' is not an organization of this site (create it first, or name another)"]
    assert source_count() == 0


def test_a_dry_run_reports_and_writes_nothing(folder, orgs):
    assert report(source_sync.sync(folder, dry_run=True))["created"] == ["nso-catalog", "city-portal"]
    assert source_count() == 0
    source_sync.sync(folder)
    (folder / "portal.yaml").unlink()
    assert report(source_sync.sync(folder, dry_run=True))["deactivated"] == ["city-portal"]
    assert row("city-portal")[1].active is True
