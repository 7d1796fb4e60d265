"""ingest/harvest/provenance.py: the provenance rows of harvested records, one per (source, guid): found by guid,
by the identity of a dataset across sources (its URI, or identifier and publisher), by package; written once
and replaced; read as where a record is listed."""
from __future__ import annotations

import datetime

import pytest
import sqlalchemy as sa
from ckan import model
from ckanext.harvest.model import HarvestSource

from ckanext.citizendata.ingest.harvest import provenance
from ckanext.citizendata.ingest.harvest.listing import Sighting
from ckanext.citizendata.model import harvest_record_table as table

pytestmark = pytest.mark.usefixtures("clean_db")
UTC = datetime.timezone.utc


def make_source(name: str) -> HarvestSource:
    source = HarvestSource(url=f"https://{name}.example/", title=name.upper(), type="citizendata_ckan", config="{}")
    source.save()
    return source


def sighting(guid: str, uri=None, identifier=None, publisher=None, **record) -> Sighting:
    return Sighting(guid=guid, record=record or {"title": guid}, original_uri=uri, identifier=identifier,
                    publisher=publisher)


def save(item: Sighting, source, package_id="pkg-1", owner=True, content_hash="sha256:1", **more):
    provenance.save(item, source.id, package_id=package_id, owner=owner, content_hash=content_hash,
                    job_id="job-1", **more)


@pytest.fixture
def alpha():
    return make_source("alpha")


@pytest.fixture
def beta():
    return make_source("beta")


def test_rows_are_found_by_guid_of_their_source_only(alpha, beta):
    save(sighting("a"), alpha, package_id="pkg-a")
    save(sighting("b"), alpha, package_id="pkg-b")
    save(sighting("a"), beta, package_id="pkg-x", owner=False)
    found = provenance.by_guid(alpha.id, ["a", "b", "missing"])
    assert sorted(found) == ["a", "b"]
    assert (found["a"].source_id, found["a"].package_id, found["a"].owner) == (alpha.id, "pkg-a", True)
    assert provenance.by_guid(alpha.id, []) == {}
    assert provenance.get(beta.id, "a").package_id == "pkg-x"
    assert provenance.get(beta.id, "b") is None


def test_saving_again_replaces_the_row(alpha):
    first = sighting("a", "https://alpha.example/a", "A-1", "cso", title="A", notes="n")
    first.warnings = ["tags[0]: dropped"]
    save(first, alpha, content_hash="sha256:1", now=datetime.datetime(2024, 1, 1, tzinfo=UTC))
    provenance.withdraw(alpha.id, "a")
    assert provenance.get(alpha.id, "a").withdrawn
    second = sighting("a", "https://alpha.example/a2", title="A, revised", url="https://x.example")
    save(second, alpha, package_id="pkg-2", owner=False, content_hash="sha256:2",
         now=datetime.datetime(2024, 5, 1, tzinfo=UTC))
    row = provenance.get(alpha.id, "a")
    assert (row.package_id, row.owner, row.content_hash, row.withdrawn) == ("pkg-2", False, "sha256:2", False)
    assert row.source_fields == ["title", "url"]                      # what the source states now, sorted
    stored = model.Session.execute(sa.select(table).where(table.c.guid == "a")).one()
    assert stored.identity == ["uri:https://alpha.example/a2"] and stored.identifier is None
    assert stored.warnings == "[]" and stored.retrieved_at == datetime.datetime(2024, 5, 1, tzinfo=UTC)
    assert provenance.count() == 1


def test_the_same_dataset_is_found_at_other_sources_by_uri_or_identifier_and_publisher(alpha, beta):
    gamma, delta = make_source("gamma"), make_source("delta")
    save(sighting("b1", "https://data.example/ds/1"), beta, package_id="pkg-1", owner=False)
    save(sighting("g1", None, "DS-1", "https://nso.example"), gamma, package_id="pkg-1", owner=True)
    save(sighting("d1", "https://data.example/ds/1"), delta, package_id="pkg-1")
    provenance.withdraw(delta.id, "d1")                                # withdrawn: not the same dataset now
    save(sighting("a1", "https://data.example/ds/1"), alpha, package_id="pkg-own")   # our own row

    found = provenance.same_dataset(sighting("new", "https://data.example/ds/1", "DS-1", "https://nso.example"),
                                    alpha.id)
    assert [(r.source_id, r.owner) for r in found] == [(gamma.id, True), (beta.id, False)]   # the owner first
    by_uri = provenance.same_dataset(sighting("new", "https://data.example/ds/1"), alpha.id)
    assert [r.source_id for r in by_uri] == [beta.id]
    by_identifier = provenance.same_dataset(sighting("new", None, "DS-1", "https://nso.example"), alpha.id)
    assert [r.source_id for r in by_identifier] == [gamma.id]


def test_an_identifier_alone_or_of_another_publisher_is_not_the_same_dataset(alpha, beta):
    save(sighting("b1", None, "DS-1", "https://nso.example"), beta)
    assert provenance.same_dataset(sighting("x", None, "DS-1", None), alpha.id) == []
    assert provenance.same_dataset(sighting("x", None, "DS-1", "https://other.example"), alpha.id) == []
    assert provenance.same_dataset(sighting("x"), alpha.id) == []


def test_a_row_without_a_package_is_not_the_same_dataset(alpha, beta):
    save(sighting("b1", "https://data.example/ds/1"), beta, package_id=None)
    assert provenance.same_dataset(sighting("x", "https://data.example/ds/1"), alpha.id) == []


def test_others_of_a_package_are_the_other_sources_current_rows(alpha, beta):
    gamma = make_source("gamma")
    save(sighting("a1"), alpha, package_id="pkg-1")
    save(sighting("b1"), beta, package_id="pkg-1", owner=False)
    save(sighting("g1"), gamma, package_id="pkg-1", owner=False)
    save(sighting("b2"), beta, package_id="pkg-2", owner=False)
    provenance.withdraw(gamma.id, "g1")
    assert [(r.source_id, r.guid) for r in provenance.others_of("pkg-1", alpha.id)] == [(beta.id, "b1")]
    assert {r.source_id for r in provenance.others_of("pkg-1", gamma.id)} == {alpha.id, beta.id}


def test_current_guids_are_those_neither_withdrawn_nor_without_a_package(alpha, beta):
    save(sighting("a1"), alpha)
    save(sighting("a2"), alpha)
    save(sighting("a3"), alpha, package_id=None)
    save(sighting("b1"), beta)
    provenance.withdraw(alpha.id, "a2")
    assert provenance.current_guids(alpha.id) == {"a1"}


def test_a_record_is_harvested_while_a_source_owns_it(alpha, beta):
    save(sighting("a1"), alpha, package_id="owned")
    save(sighting("b1"), beta, package_id="listed", owner=False)
    assert provenance.is_harvested("owned")
    assert not provenance.is_harvested("listed")                     # only "also listed at" a source
    assert not provenance.is_harvested("typed-in")
    assert not provenance.is_harvested(None) and not provenance.is_harvested("")
    provenance.withdraw(alpha.id, "a1")
    assert not provenance.is_harvested("owned")


def test_listed_at_names_each_source_the_owner_first(alpha, beta):
    listed = sighting("b1", "https://beta.example/d/1", "B-1", "cso", title="t")
    listed.upstream_modified, listed.warnings = "2024-02-01T00:00:00", ["contact: not an address"]
    save(listed, beta, package_id="pkg-1", owner=False, content_hash="sha256:b",
         now=datetime.datetime(2024, 1, 1, tzinfo=UTC))
    save(sighting("a1", "https://alpha.example/d/1"), alpha, package_id="pkg-1", owner=True,
         now=datetime.datetime(2024, 3, 1, tzinfo=UTC))
    save(sighting("a2"), alpha, package_id="pkg-2")
    found = provenance.listed_at("pkg-1")
    assert [(p["source_title"], p["owner"]) for p in found] == [("ALPHA", True), ("BETA", False)]
    assert found[1] == {
        "source_id": beta.id, "source_title": "BETA", "source_url": "https://beta.example/", "guid": "b1",
        "owner": False, "original_uri": "https://beta.example/d/1", "identifier": "B-1",
        "retrieved_at": datetime.datetime(2024, 1, 1, tzinfo=UTC).isoformat(),
        "upstream_modified": "2024-02-01T00:00:00", "content_hash": "sha256:b", "job_id": "job-1",
        "warnings": ["contact: not an address"]}
    provenance.withdraw(beta.id, "b1")
    assert [p["source_title"] for p in provenance.listed_at("pkg-1")] == ["ALPHA"]
    assert provenance.listed_at("nowhere") == []


def test_count_counts_rows_of_a_source_or_of_all(alpha, beta):
    assert provenance.count() == 0
    save(sighting("a1"), alpha)
    save(sighting("a2"), alpha)
    save(sighting("b1"), beta)
    assert (provenance.count(alpha.id), provenance.count(beta.id), provenance.count()) == (2, 1, 3)
