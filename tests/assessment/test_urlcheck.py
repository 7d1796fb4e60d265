"""assessment/urlcheck.py against a local HTTP server on 127.0.0.1 (the harvest's replay server): 200, 404, a
timeout, redirects (to a 200, in a loop), HEAD refused then GET, the private-address guard, caching, storage
and the records naming an address."""
from __future__ import annotations

import datetime
import time

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories

from ckanext.citizendata.assessment import urlcheck
from ckanext.citizendata.ingest.harvest.replay import Replay, Reply
from ckanext.citizendata.model.assessment import url_check_table
from ckanext.citizendata.testing import CitizenDataset

TIMEOUT = 1


@pytest.fixture
def server():
    with Replay() as replay:
        replay.add("/ok.csv", body=b"a,b\n1,2\n", content_type="text/csv")
        replay.add("/slow", handler=lambda request: time.sleep(TIMEOUT * 2.5) or Reply(body=b"late"))
        replay.add("/moved", status=302, headers={"Location": "/ok.csv"})
        replay.add("/loop-a", status=302, headers={"Location": "/loop-b"})
        replay.add("/loop-b", status=302, headers={"Location": "/loop-a"})
        replay.add("/get-only", handler=lambda request: Reply(status=405) if request.method == "HEAD"
                   else Reply(body=b"x" * 500_000, content_type="text/csv"))
        for hop in range(8):
            replay.add(f"/hop{hop}", status=302, headers={"Location": f"/hop{hop + 1}"})
        yield replay


def check(url):
    with urlcheck.client() as http:
        return urlcheck.check(url, http)


pytestmark = [pytest.mark.ckan_config("ckanext.citizendata.quality.url_check_timeout_seconds", str(TIMEOUT)),
              pytest.mark.usefixtures("with_plugins")]


def test_an_address_that_answers_200_is_ok_by_head(server):
    row = check(server.url("/ok.csv"))
    assert (row["ok"], row["status"], row["method"], row["error"]) == (True, 200, "HEAD", None)
    assert server.log == ["/ok.csv"]


def test_a_404_is_not_ok_and_says_so_in_plain_words(server):
    row = check(server.url("/missing"))
    assert (row["ok"], row["status"], row["method"]) == (False, 404, "HEAD")
    assert row["error"] == "the address answered with HTTP status 404"


def test_an_address_that_does_not_answer_in_time_fails_with_the_timeout(server):
    row = check(server.url("/slow"))
    assert (row["ok"], row["status"], row["method"]) == (False, None, "GET")   # HEAD, then GET: both unanswered
    assert row["error"] == f"127.0.0.1 did not answer within {TIMEOUT} seconds"


def test_a_redirect_is_followed_to_its_answer(server):
    row = check(server.url("/moved"))
    assert (row["ok"], row["status"], row["final_url"]) == (True, 200, server.url("/ok.csv"))


def test_a_redirect_loop_is_refused_at_once(server):
    row = check(server.url("/loop-a"))
    assert (row["ok"], row["error"]) == (False, "the address redirects in a loop")
    assert server.log == ["/loop-a", "/loop-b"]


@pytest.mark.ckan_config("ckanext.citizendata.harvest.max_redirects", "3")
def test_a_long_redirect_chain_is_cut_at_the_harvest_s_limit(server):
    row = check(server.url("/hop0"))
    assert (row["ok"], row["error"]) == (False, "the address redirects too many times")
    assert server.log == ["/hop0", "/hop1", "/hop2", "/hop3"]


def test_head_refused_then_get_answers_and_the_body_is_not_read(server):
    row = check(server.url("/get-only"))
    assert (row["ok"], row["status"], row["method"]) == (True, 200, "GET")
    assert server.log == ["/get-only", "/get-only"]                          # HEAD, then GET


@pytest.mark.ckan_config("ckanext.citizendata.harvest.allow_addresses", "")
def test_a_private_address_is_refused_when_the_guard_is_on(server):
    row = check(server.url("/ok.csv"))
    assert (row["ok"], row["status"]) == (False, None)
    assert row["error"].startswith("the address is not a public web address")
    assert server.log == []          # never asked


def test_not_http_is_refused():
    row = check("file:///etc/passwd")
    assert row["ok"] is False and "not a public web address" in row["error"]


@pytest.mark.usefixtures("clean_db")
def test_checks_are_stored_and_not_repeated_within_the_maximum_age(server):
    ok, missing = server.url("/ok.csv"), server.url("/missing")
    assert sorted(urlcheck.check_and_store([ok, missing])) == sorted([ok, missing])   # first outcome: changed
    rows = {r.url: r for r in model.Session.execute(sa.select(url_check_table)).all()}
    assert (rows[ok].ok, rows[missing].status) == (True, 404)

    assert urlcheck.check_and_store([ok, missing]) == []          # fresh: not asked again
    assert server.log.count("/ok.csv") == 1

    model.Session.execute(sa.update(url_check_table).values(
        checked_at=datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=30)))
    model.Session.commit()
    assert urlcheck.due([ok]) == [ok]
    server.add("/ok.csv", status=404)
    assert urlcheck.check_and_store([ok, missing]) == [ok]        # rechecked; only ok's outcome changed


@pytest.mark.usefixtures("clean_db")
def test_records_naming_an_address_by_access_or_download_url():
    org = factories.Organization()
    a = CitizenDataset(owner_org=org["id"], resources=[{"url": "https://x.example.org/a"}])
    b = CitizenDataset(owner_org=org["id"], resources=[{"url": "https://x.example.org/page",
                                                       "download_url": "https://x.example.org/a"}])
    CitizenDataset(owner_org=org["id"], resources=[{"url": "https://x.example.org/other"}])
    assert urlcheck.records_naming(["https://x.example.org/a"]) == sorted([a["id"], b["id"]])
    assert urlcheck.records_naming([]) == []
