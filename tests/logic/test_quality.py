"""logic/quality.py: a write scores the record at once and queues its checks on CKAN's job queue (Redis); a
worker runs the job (URL checks against a local server, the DCAT-AP check) and every record naming an address
whose outcome changed is recomputed; the band is a facet."""
from __future__ import annotations

import datetime
from collections import OrderedDict

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.lib import jobs as ckan_jobs
from ckan.tests import factories
from rq import SimpleWorker

from ckanext.citizendata.assessment import store
from ckanext.citizendata.ingest.harvest.replay import Replay
from ckanext.citizendata.logic import quality
from ckanext.citizendata.model.assessment import url_check_table
from ckanext.citizendata.testing import CitizenDataset, forget_score

pytestmark = [pytest.mark.usefixtures("clean_db", "clean_redis"),
              pytest.mark.ckan_config("ckanext.citizendata.quality.url_check_timeout_seconds", "2")]


@pytest.fixture
def server():
    with Replay() as replay:
        replay.add("/a.csv", body=b"a,b\n", content_type="text/csv")
        yield replay


def queued():
    return [job for job in ckan_jobs.get_queue().jobs if job.meta.get("title", "").startswith("citizendata: quality")]


def run_worker():
    queue = ckan_jobs.get_queue()
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def measurement(package_id, key):
    return next(m for m in store.scores([package_id])[package_id]["measurements"] if m["metric"] == key)


def test_a_write_queues_the_checks_and_a_worker_runs_them(server):
    org = factories.Organization()
    url = server.url("/a.csv")
    pkg = CitizenDataset(owner_org=org["id"], resources=[{"url": url, "format": "CSV"}])
    assert measurement(pkg["id"], "accessUrlStatusCode")["earned"] == 0     # scored at once, nothing checked yet
    assert measurement(pkg["id"], "dcatApCompliance")["value"] is False
    [job] = queued()
    assert job.args == [pkg["id"], [url]] and server.log == []             # never during the request

    run_worker()

    assert queued() == [] and server.log == ["/a.csv"]
    row = model.Session.execute(sa.select(url_check_table).where(url_check_table.c.url == url)).first()
    assert (row.ok, row.status, row.method) == (True, 200, "HEAD")
    assert measurement(pkg["id"], "accessUrlStatusCode")["earned"] == 50
    assert measurement(pkg["id"], "dcatApCompliance")["value"] is True    # its DCAT checked by the job
    assert quality.mqa.recompute([pkg["id"]]) == 1                          # the same version: result kept
    assert measurement(pkg["id"], "dcatApCompliance")["value"] is True


def test_a_fresh_check_is_not_queued_again(server):
    org = factories.Organization()
    url = server.url("/a.csv")
    CitizenDataset(owner_org=org["id"], resources=[{"url": url}])
    run_worker()
    CitizenDataset(owner_org=org["id"], resources=[{"url": url}])
    [job] = queued()
    assert job.args[1] == []                  # only the DCAT-AP check: the address was checked just now


def test_a_changed_check_recomputes_every_record_naming_the_address(server):
    org = factories.Organization()
    url = server.url("/gone.csv")
    first = CitizenDataset(owner_org=org["id"], resources=[{"url": url}])
    second = CitizenDataset(owner_org=org["id"], resources=[{"url": "https://x.example.org/p", "download_url": url}])
    run_worker()
    assert measurement(second["id"], "downloadUrlStatusCode")["earned"] == 0
    server.add("/gone.csv", body=b"back")
    model.Session.execute(sa.update(url_check_table).values(
        checked_at=datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=30)))
    model.Session.commit()

    assert quality.check_record(first["id"], [url]) == 2

    assert measurement(first["id"], "accessUrlStatusCode")["earned"] == 50
    assert measurement(second["id"], "downloadUrlStatusCode")["earned"] == 30


def test_the_band_is_a_facet_named_for_people():
    facets = quality.with_band_facet(OrderedDict(organization="Organizations"))
    assert list(facets) == ["organization", "quality_band"]
    results = quality.label_bands({"search_facets": {"quality_band": {"items": [{"name": "good", "count": 2}]}}})
    assert results["search_facets"]["quality_band"]["items"][0]["display_name"] == "Good"


def test_record_ids_by_organization():
    org, other = factories.Organization(name="cso-a"), factories.Organization()
    mine = CitizenDataset(owner_org=org["id"])
    CitizenDataset(owner_org=other["id"])
    assert quality.record_ids("cso-a") == [mine["id"]]
    assert len(quality.record_ids()) == 2
    with pytest.raises(Exception, match="No organization is named 'nope'"):
        quality.record_ids("nope")


def test_record_ids_never_scored_are_those_without_a_stored_score():
    older, newer = CitizenDataset(), CitizenDataset()     # both scored by the write hook
    assert quality.record_ids(unscored=True) == []
    forget_score(older["id"])                              # as a record written before the score existed
    model.Session.commit()
    assert quality.record_ids(unscored=True) == [older["id"]]
    assert newer["id"] in quality.record_ids()


def test_a_score_that_fails_never_undoes_the_write(monkeypatch):
    def broken(*args, **kwargs):
        model.Session.execute(sa.text("SELECT no_such_column FROM package"))   # a failing statement

    monkeypatch.setattr(quality.mqa, "recompute", broken)
    org = factories.Organization()
    pkg = CitizenDataset(owner_org=org["id"], title="Still written")
    assert model.Package.get(pkg["id"]).title == "Still written"
    assert store.scores([pkg["id"]]) == {} and queued() == []


def test_a_changed_initiative_rescores_its_datasets_in_the_background():
    from ckan.tests import helpers
    editor = factories.User()
    org = factories.Organization(users=[{"name": editor["name"], "capacity": "editor"}])
    context = {"user": editor["name"]}
    helpers.call_action("package_create", context=dict(context), type="dataset_series", name="pss-app",
                        title="PSS app", notes="Initiative", owner_org=org["id"],
                        initiative_type="public-service-feedback",
                        engagement=[{"stage": "design", "level": 4, "actors": ["nso", "cso"]}])
    member = helpers.call_action("package_create", context=dict(context), name="round-1", title="Round 1",
                                 notes="A round", owner_org=org["id"], in_series=["pss-app"])
    run_worker()
    assert measurement(member["id"], "partnersGiven")["earned"] == 0

    helpers.call_action("package_patch", context=dict(context), id="pss-app",
                        partners=[{"name": "UNDP", "role": "technical-partner"}])
    assert measurement(member["id"], "partnersGiven")["earned"] == 0          # not during the request
    assert [job.args for job in queued() if "datasets of" in job.meta["title"]] == [[
        model.Package.get("pss-app").id]]
    run_worker()
    assert measurement(member["id"], "partnersGiven")["earned"] == 10         # inherited from the initiative
