"""logic/harvest.py as the rest of the catalog meets harvested records: their provenance in package_show (only for
harvested records, only where the record itself may be seen), on the dataset page, never stored as a field; their
DCAT fragments built in the background for public records only, and a queue that is down costs nothing but the
warm start."""
from __future__ import annotations

from collections import OrderedDict

import pytest
import redis
import sqlalchemy as sa
from bs4 import BeautifulSoup
from ckan import model
from ckan.plugins import toolkit
from ckan.tests import factories

from ckanext.citizendata.ingest.harvest import provenance
from ckanext.citizendata.ingest.harvest.listing import Sighting
from ckanext.citizendata.logic import harvest as logic_harvest
from ckanext.citizendata.model.rdf_cache import rdf_cache_table
from ckanext.citizendata.rdf import cache
from ckanext.citizendata.rdf.assemble import JOIN
from ckanext.citizendata.rdf.catalog_record import KEY
from ckanext.citizendata.testing import CitizenDataset

from ..ingest.harvest.test_engine import harvest, make_source, page, sightings, spec_of

GUID = "https://portal.example/dataset/{}"


@pytest.fixture
def people(clean_db):
    """The owner organization with an editor, another organization with its own editor, a sysadmin."""
    editor, outsider = factories.UserWithToken(), factories.UserWithToken()
    org = factories.Organization(name="cso-harvested", users=[{"name": editor["name"], "capacity": "editor"}])
    factories.Organization(name="cso-other", users=[{"name": outsider["name"], "capacity": "editor"}])
    return {"org": org, "editor": editor, "outsider": outsider, "sysadmin": factories.Sysadmin()}


def harvested(org, numbers=(1,), name="alpha") -> list[str]:
    """Harvest sightings ``numbers`` from a new source into ``org``; their package ids."""
    source = make_source(name)
    items = sightings(numbers)
    summary = harvest(source, spec_of(source, org), page(items))
    assert (summary.status, summary.errors) == ("Finished", 0), summary.reasons
    return [provenance.get(source.id, item.guid).package_id for item in items]


def make_private(package_id: str, sysadmin: dict) -> None:
    toolkit.get_action("package_patch")({"user": sysadmin["name"]}, {"id": package_id, "private": True})


def show_as(user: str, package_id: str) -> dict:
    return toolkit.get_action("package_show")({"user": user, "ignore_auth": False}, {"id": package_id})


def site_show(package_id: str) -> dict:
    return toolkit.get_action("package_show")({"ignore_auth": True}, {"id": package_id})


# ---------------------------------------------------------------- after_dataset_show
def test_provenance_is_added_to_harvested_records_only(people):
    [package_id] = harvested(people["org"])
    typed_in = CitizenDataset(owner_org=people["org"]["id"])
    [listed] = site_show(package_id)[KEY]
    assert (listed["source_title"], listed["original_uri"], listed["identifier"], listed["owner"]) == \
        ("ALPHA", GUID.format(1), "ds-1", True)
    assert listed["content_hash"].startswith("sha256:") and listed["retrieved_at"]
    assert KEY not in site_show(typed_in["id"])


def test_after_dataset_show_takes_a_stale_key_out_and_leaves_dicts_without_an_id_alone(people):
    [package_id] = harvested(people["org"])
    typed_in = CitizenDataset(owner_org=people["org"]["id"])
    stale = {"id": typed_in["id"], KEY: [{"source_title": "Not a source"}]}
    logic_harvest.after_dataset_show(stale)
    assert stale == {"id": typed_in["id"]}
    no_id = {"name": "x", KEY: "kept as it is"}
    logic_harvest.after_dataset_show(no_id)
    assert no_id == {"name": "x"}
    shown = {"id": package_id}
    logic_harvest.after_dataset_show(shown)
    assert [e["source_title"] for e in shown[KEY]] == ["ALPHA"]


def test_a_withdrawn_record_has_no_provenance_any_more(people):
    source = make_source("alpha")
    spec = spec_of(source, people["org"])
    harvest(source, spec, page(sightings(range(1, 11))))
    harvest(source, spec, page(sightings(range(1, 10))))   # 10 gone from a complete listing
    gone = provenance.get(source.id, GUID.format(10))
    assert gone.withdrawn
    assert KEY not in site_show(gone.package_id)
    assert KEY in site_show(provenance.get(source.id, GUID.format(9)).package_id)


# ---------------------------------------------------------------- who sees it
@pytest.mark.parametrize("private", [False, True])
def test_provenance_is_seen_exactly_where_the_record_is(people, private):
    [package_id] = harvested(people["org"])
    if private:
        make_private(package_id, people["sysadmin"])
    assert site_show(package_id)["private"] is private
    for who, user in (("anonymous", ""), ("outsider", people["outsider"]["name"]),
                      ("editor", people["editor"]["name"]), ("sysadmin", people["sysadmin"]["name"])):
        if private and who in ("anonymous", "outsider"):
            with pytest.raises(toolkit.NotAuthorized):
                show_as(user, package_id)
            continue
        shown = show_as(user, package_id)
        assert [e["source_title"] for e in shown[KEY]] == ["ALPHA"], who


@pytest.mark.parametrize("private", [False, True])
def test_the_dataset_page_shows_provenance_exactly_where_the_record_is(app, people, private):
    [package_id] = harvested(people["org"])
    if private:
        make_private(package_id, people["sysadmin"])
    name = site_show(package_id)["name"]
    for who, headers in (("anonymous", {}), ("outsider", {"Authorization": people["outsider"]["token"]}),
                         ("editor", {"Authorization": people["editor"]["token"]})):
        hidden = private and who != "editor"
        response = app.get(f"/dataset/{name}", headers=headers, status=404 if hidden else 200)
        assert ("Where this record comes from" in response.body) is not hidden, who
        assert (GUID.format(1) in response.body) is not hidden, who


def test_the_public_dataset_page_names_the_source_the_original_record_and_its_identifier(app, people):
    [package_id] = harvested(people["org"])
    source_id = site_show(package_id)[KEY][0]["source_id"]
    typed_in = CitizenDataset(owner_org=people["org"]["id"])
    page_ = BeautifulSoup(app.get(f"/dataset/{site_show(package_id)['name']}", status=200).body, "html.parser")
    [section] = page_.select("section#provenance")
    assert section.find("h2").get_text(strip=True) == "Where this record comes from"
    [listing] = section.select("dl.citizendata-provenance-source")
    pairs = {dt.get_text(strip=True): dt.find_next_sibling("dd") for dt in listing.find_all("dt")}
    source = pairs["Harvested from"].find("a")
    assert source.get_text(strip=True) == "ALPHA" and source["href"].endswith(source_id)
    original = pairs["Original record"].find("a")
    assert original["href"] == original.get_text(strip=True) == GUID.format(1)
    assert "nofollow" in original["rel"]
    assert pairs["Identifier at the source"].find("code").get_text(strip=True) == "ds-1"
    assert pairs["Content hash"].find("code")["title"].startswith("sha256:")
    assert "Also listed at" not in pairs
    typed_in_page = BeautifulSoup(app.get(f"/dataset/{typed_in['name']}", status=200).body, "html.parser")
    assert not typed_in_page.select("section#provenance")


def test_the_dataset_page_lists_a_second_source_as_also_listed_at(app, people):
    [package_id] = harvested(people["org"], name="alpha")
    harvested(people["org"], name="beta")   # same dataset, same priority, later: also listed
    page_ = BeautifulSoup(app.get(f"/dataset/{site_show(package_id)['name']}", status=200).body, "html.parser")
    labels = [dl.find("dt").get_text(strip=True) for dl in page_.select("section#provenance dl")]
    names = [dl.find("dd").get_text(strip=True) for dl in page_.select("section#provenance dl")]
    assert (labels, names) == (["Harvested from", "Also listed at"], ["ALPHA", "BETA"])


# ---------------------------------------------------------------- DCAT fragments in the background
def cached() -> set[tuple[str, str]]:
    return {(r.package_id, r.format) for r in
            model.Session.execute(sa.select(rdf_cache_table.c.package_id, rdf_cache_table.c.format))}


def test_warm_fragments_builds_every_format_of_public_harvested_records_only(app, people):
    public, private = harvested(people["org"], numbers=(1, 2))
    make_private(private, people["sysadmin"])
    assert cached() == set()
    assert logic_harvest.warm_fragments([public, private, "no-such-package"]) == 1
    assert cached() == {(public, fmt) for fmt in JOIN}
    before = dict(cache.STATS)
    app.get("/catalog.ttl", status=200)
    app.get("/catalog.jsonld", status=200)
    built = {k: cache.STATS[k] - before.get(k, 0) for k in ("built_turtle", "built_jsonld")}
    read = {k: cache.STATS[k] - before.get(k, 0) for k in ("read_turtle", "read_jsonld")}
    assert built == {"built_turtle": 0, "built_jsonld": 0}   # the catalog found them warm
    assert read == {"read_turtle": 1, "read_jsonld": 1}


def test_warm_fragments_of_many_records_goes_in_batches(people, monkeypatch):
    monkeypatch.setattr(logic_harvest, "BATCH", 2)
    ids = harvested(people["org"], numbers=(1, 2, 3))
    assert logic_harvest.warm_fragments(ids) == 3
    assert {pid for pid, _ in cached()} == set(ids)


def test_enqueue_warm_queues_warm_fragments_with_the_ids(monkeypatch):
    queued = []
    monkeypatch.setattr(toolkit, "enqueue_job", lambda fn, args, **kw: queued.append((fn, args, kw)))
    logic_harvest.enqueue_warm(["a", "b"])
    [(fn, args, kw)] = queued
    assert (fn, args) == (logic_harvest.warm_fragments, [["a", "b"]])
    assert "2 harvested records" in kw["title"]


def test_enqueue_warm_never_raises_when_the_queue_is_unreachable(monkeypatch):
    def unreachable(*args, **kwargs):
        raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    warned = []
    monkeypatch.setattr(toolkit, "enqueue_job", unreachable)
    monkeypatch.setattr(logic_harvest.log, "warning", lambda message, *args: warned.append(message % args))
    logic_harvest.enqueue_warm(["a"])
    assert warned == ["DCAT fragments of harvested records not queued: ConnectionError"]


# ---------------------------------------------------------------- provenance is never a field
def stored_fields(package_id: str) -> dict:
    package = model.Package.get(package_id)
    return {**package.extras, **{k: v for k, v in package.as_dict().items() if k != "extras"}}


@pytest.mark.parametrize("who", ["sysadmin", "editor"])
def test_show_then_update_of_a_harvested_record_works_and_stores_no_provenance(people, who):
    [package_id] = harvested(people["org"])
    context = {"user": people[who]["name"], "ignore_auth": False}
    shown = toolkit.get_action("package_show")(dict(context), {"id": package_id})
    assert KEY in shown
    shown["notes"] = "Checked by a curator."
    updated = toolkit.get_action("package_update")(dict(context), shown)
    assert updated["notes"] == "Checked by a curator."
    assert updated[KEY] == site_show(package_id)[KEY] and len(updated[KEY]) == 1
    assert KEY not in stored_fields(package_id)
    again = toolkit.get_action("package_update")(dict(context), toolkit.get_action("package_show")(
        dict(context), {"id": package_id}))   # twice: nothing accumulates
    assert len(again[KEY]) == 1 and again["notes"] == "Checked by a curator."


def test_provenance_sent_with_an_update_is_not_taken_from_the_request(people):
    [package_id] = harvested(people["org"])
    shown = site_show(package_id)
    shown[KEY] = [{"source_title": "Forged", "original_uri": "https://forged.example/"}]
    updated = toolkit.get_action("package_update")({"user": people["sysadmin"]["name"]}, shown)
    assert [e["source_title"] for e in updated[KEY]] == ["ALPHA"]
    assert "Forged" not in str(stored_fields(package_id))


@pytest.mark.usefixtures("clean_db")
def test_the_harvest_source_facet_is_offered_once_the_site_has_a_source(app):
    assert "harvest_source_title" not in logic_harvest.with_source_facet(OrderedDict(tags="Tags"))
    make_source("portal")
    facets = logic_harvest.with_source_facet(OrderedDict(tags="Tags"))
    assert list(facets) == ["tags", "harvest_source_title"]
    assert "Harvest sources" in app.get("/dataset/").body


def test_an_original_record_that_is_not_a_web_address_is_shown_not_linked(app, people):
    source = make_source("alpha")
    item = Sighting(guid="urn:x-source:7", record={"title": "Water points", "notes": "Survey."},
                    original_uri="javascript:alert(document.cookie)")
    harvest(source, spec_of(source, people["org"]), page([item]))
    package_id = provenance.get(source.id, item.guid).package_id
    page_ = BeautifulSoup(app.get(f"/dataset/{site_show(package_id)['name']}", status=200).body, "html.parser")
    [section] = page_.select("section#provenance")
    assert not [a for a in section.find_all("a") if "javascript" in a.get("href", "")]
    assert "javascript:alert(document.cookie)" in [c.get_text() for c in section.find_all("code")]
