"""The harvest engine with a source type made of plain lists: hashing, identity, curator edits, withdrawals,
two sources listing one dataset. (Each source type's own listing is tested in its own module.)"""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.tests import factories
from ckanext.harvest.model import HarvestGatherError, HarvestObject, HarvestSource

from ckanext.citizendata.ingest.harvest import engine, jobs, provenance
from ckanext.citizendata.ingest.harvest.listing import SERIES, Page, Sighting, SourceSpec
from ckanext.citizendata.model import harvest_record_table


def record(n: int, **more) -> dict:
    return {"title": f"Water points survey {n}", "notes": f"Community survey of water points, round {n}.", **more}


def sightings(numbers, **more) -> list[Sighting]:
    return [Sighting(guid=f"https://portal.example/dataset/{n}", record=record(n, **more),
                     original_uri=f"https://portal.example/dataset/{n}", identifier=f"ds-{n}",
                     publisher="https://portal.example/org/cso") for n in numbers]


class Listing:
    """A source type whose pages are given by the test (a page may fail)."""

    def __init__(self, *pages):
        self.pages = list(pages)
        self.since = "unset"

    def __call__(self, spec, fetcher, since=None):
        self.since = since
        for page in self.pages:
            yield page


def page(items, failed=None, errors=()) -> Page:
    return Page(url="https://portal.example/page", sightings=items, failed=failed, errors=list(errors))


@pytest.fixture
def org():
    return factories.Organization(name="cso-harvested")


def make_source(name: str, priority: int = 0) -> HarvestSource:
    source = HarvestSource(url=f"https://{name}.example/", title=name.upper(), type="citizendata_ckan",
                           config=json.dumps({"priority": priority}))
    source.save()
    return source


def spec_of(source, org, priority=0, **more) -> SourceSpec:
    return SourceSpec(name=source.title.lower(), type="ckan", url=source.url, organization=org["name"],
                      priority=priority, **more)


def harvest(source, spec, *pages, full=True):
    return jobs.run(source, spec, Listing(*pages), full=full, fetcher=object())


def counts() -> dict[str, int]:
    query = "SELECT (SELECT count(*) FROM package WHERE type = 'dataset'), (SELECT count(*) FROM activity), " \
            "(SELECT count(*) FROM harvest_object), (SELECT count(*) FROM citizendata_harvest_record), " \
            "(SELECT max(metadata_modified) FROM package WHERE type = 'dataset')"
    row = model.Session.execute(sa.text(query)).first()
    return dict(zip(["packages", "activities", "objects", "provenance", "modified"], row))


def as_admin() -> dict:
    return {"ignore_auth": True, "user": factories.Sysadmin()["name"]}


def shown(guid: str, source) -> dict:
    row = provenance.get(source.id, guid)
    return toolkit.get_action("package_show")({"ignore_auth": True}, {"id": row.package_id})


@pytest.mark.usefixtures("clean_db")
class TestHarvestEngine:
    def test_a_first_harvest_imports_records_without_citizen_data_fields_and_says_what_they_lack(self, org):
        source = make_source("alpha")
        summary = harvest(source, spec_of(source, org), page(sightings([1, 2])), page(sightings([3])))
        assert (summary.status, summary.added, summary.errors) == ("Finished", 3, 0)
        dataset = shown("https://portal.example/dataset/1", source)
        assert dataset["title"] == "Water points survey 1" and dataset["organization"]["name"] == "cso-harvested"
        found = toolkit.get_action("package_search")({"ignore_auth": True}, {
            "fq": "needs_classification:initiative_type", "facet.field": '["harvest_source_title"]'})
        assert found["count"] == 3
        assert found["facets"]["harvest_source_title"] == {"ALPHA": 3}

    def test_a_record_is_placed_in_the_initiative_its_source_names_and_not_in_one_it_lacks(self, org):
        source = make_source("alpha")
        series = Sighting(guid="project:1", record={"title": "Water monitoring", "notes": "An initiative."},
                          kind=SERIES)
        form = Sighting(guid="project:1/form:w", record=record(1), series_guid="project:1")
        orphan = Sighting(guid="project:9/form:x", record=record(2), series_guid="project:9")
        summary = harvest(source, spec_of(source, org), page([series, form, orphan]))
        assert (summary.added, summary.errors) == (3, 0)
        initiative = shown("project:1", source)
        assert initiative["type"] == "dataset_series"
        assert shown("project:1/form:w", source)["in_series"] == [initiative["id"]]
        assert not shown("project:9/form:x", source).get("in_series")
        orphan_shown = shown("project:9/form:x", source)
        warnings = provenance.listed_at(orphan_shown["id"])[0]["warnings"]
        assert any(w.startswith("in_series: the source's initiative 'project:9' is not in the catalog")
                   for w in warnings)

    def test_an_unchanged_reharvest_writes_nothing(self, org):
        source = make_source("alpha")
        spec = spec_of(source, org)
        harvest(source, spec, page(sightings([1, 2, 3])))
        before = counts()
        summary = harvest(source, spec, page(sightings([3, 2, 1])))
        assert (summary.unchanged, summary.added, summary.updated) == (3, 0, 0)
        assert counts() == before

    def test_a_changed_record_is_updated_and_a_curators_edit_of_another_field_survives(self, org):
        source = make_source("alpha")
        spec = spec_of(source, org)
        harvest(source, spec, page(sightings([1])))
        dataset = shown("https://portal.example/dataset/1", source)
        toolkit.get_action("package_patch")(as_admin(), {
            "id": dataset["id"], "sdg_indicators": ["16.6.2"], "initiative_type": "community-survey"})
        changed = sightings([1])
        changed[0].record["title"] = "Water points survey, revised"
        summary = harvest(source, spec, page(changed))
        assert (summary.updated, summary.added) == (1, 0)
        after = shown("https://portal.example/dataset/1", source)
        assert after["title"] == "Water points survey, revised" and after["id"] == dataset["id"]
        assert after["sdg_indicators"] == ["16.6.2"] and after["initiative_type"] == "community-survey"

    def test_an_invalid_value_fails_its_record_only_and_the_next_run_tries_it_again(self, org):
        source = make_source("alpha")
        spec = spec_of(source, org)
        items = sightings([1, 2])
        items[1].record["sdg_indicators"] = ["16.6.9"]
        summary = harvest(source, spec, page(items))
        assert (summary.added, summary.errors) == (1, 1)
        errored = model.Session.query(HarvestObject).filter_by(report_status="errored").one()
        assert "sdg_indicators" in errored.errors[0].message and "16.6.9" in errored.errors[0].message
        assert provenance.get(source.id, items[1].guid) is None
        assert harvest(source, spec, page(items)).errors == 1   # not skipped as unchanged

    def test_a_record_whose_write_fails_for_another_reason_is_an_object_error_and_the_rest_import(self, org,
                                                                                                   monkeypatch):
        source = make_source("alpha")
        write = engine._write

        def failing(obj, record, *args):
            if record["title"].endswith(" 2"):
                raise RuntimeError("the database went away")
            return write(obj, record, *args)
        monkeypatch.setattr(engine, "_write", failing)
        summary = harvest(source, spec_of(source, org), page(sightings([1, 2, 3])))
        assert (summary.status, summary.added, summary.errors) == ("Finished", 2, 1)
        errored = model.Session.query(HarvestObject).filter_by(report_status="errored").one()
        assert errored.errors[0].message == "could not be imported (RuntimeError); see the log"
        assert provenance.get(source.id, "https://portal.example/dataset/2") is None

    def test_records_gone_from_a_complete_listing_are_withdrawn_recoverably(self, org):
        source = make_source("alpha")
        spec = spec_of(source, org)
        harvest(source, spec, page(sightings(range(1, 11))))
        summary = harvest(source, spec, page(sightings(range(1, 10))))
        assert summary.withdrawn == 1
        gone = provenance.get(source.id, "https://portal.example/dataset/10")
        assert gone.withdrawn and model.Package.get(gone.package_id).state == "deleted"
        summary = harvest(source, spec, page(sightings(range(1, 11))))   # back upstream: back here
        assert summary.updated == 1 and model.Package.get(gone.package_id).state == "active"

    @pytest.mark.parametrize("listing", ["truncated", "emptied", "failed"])
    def test_no_withdrawal_from_a_shrunken_empty_or_failed_listing(self, org, listing):
        source = make_source("alpha")
        spec = spec_of(source, org)
        harvest(source, spec, page(sightings(range(1, 11))))
        pages = {"truncated": [page(sightings(range(1, 6)))], "emptied": [page([])],
                 "failed": [page(sightings(range(1, 6))), page([], failed="HTTP 500")]}[listing]
        summary = harvest(source, spec, *pages)
        assert summary.withdrawn == 0
        assert model.Session.query(model.Package).filter_by(type="dataset", state="active").count() == 10
        assert summary.status == ("Failed" if listing == "failed" else "Finished")
        messages = [e.message for e in model.Session.query(HarvestGatherError)]
        assert any("nothing is withdrawn" in m for m in messages), messages

    def test_an_incremental_run_never_withdraws(self, org):
        source = make_source("alpha")
        spec = spec_of(source, org)
        harvest(source, spec, page(sightings(range(1, 4))))
        listing = Listing(page(sightings([1])))
        summary = jobs.run(source, spec, listing, full=False, fetcher=object())
        assert listing.since is not None and summary.withdrawn == 0 and summary.unchanged == 1

    @pytest.mark.parametrize("order", ["low first", "high first"])
    def test_one_dataset_from_two_sources_is_one_record_owned_by_the_higher_priority(self, org, order):
        low, high = make_source("low", priority=1), make_source("high", priority=5)
        runs = {"low": (low, spec_of(low, org, priority=1), "low copy"),
                "high": (high, spec_of(high, org, priority=5), "high copy")}
        names = ["low", "high"] if order == "low first" else ["high", "low"]
        for _ in range(2):
            for name in names:
                source, spec, title = runs[name]
                items = sightings([1, 2])
                for item in items:
                    item.record["title"] += f" ({title})"
                harvest(source, spec, page(items))
        assert model.Session.query(model.Package).filter_by(type="dataset").count() == 2
        dataset = shown("https://portal.example/dataset/1", high)
        assert dataset["title"].endswith("(high copy)")
        rows = model.Session.execute(sa.select(harvest_record_table.c.source_id, harvest_record_table.c.owner)
                                     .where(harvest_record_table.c.package_id == dataset["id"])).all()
        assert sorted((r.source_id == high.id, r.owner) for r in rows) == [(False, False), (True, True)]

    def test_when_the_owner_withdraws_a_dataset_the_other_source_takes_it_over(self, org):
        low, high = make_source("low", priority=1), make_source("high", priority=5)
        low_spec, high_spec = spec_of(low, org, priority=1), spec_of(high, org, priority=5)
        harvest(high, high_spec, page(sightings(range(1, 11))))
        harvest(low, low_spec, page(sightings([1])))
        harvest(high, high_spec, page(sightings(range(2, 11))))       # 1 gone from the owner
        package_id = provenance.get(high.id, "https://portal.example/dataset/1").package_id
        assert model.Package.get(package_id).state == "active"
        assert provenance.get(low.id, "https://portal.example/dataset/1").owner
        summary = harvest(low, low_spec, page(sightings([1], notes="As the low source states it.")))
        assert summary.updated == 1 and model.Package.get(package_id).notes == "As the low source states it."

    def test_the_curator_may_edit_a_harvested_record_without_classifying_it(self, org):
        source = make_source("alpha")
        harvest(source, spec_of(source, org), page(sightings([1])))
        dataset = shown("https://portal.example/dataset/1", source)
        edited = toolkit.get_action("package_patch")(as_admin(),
                                                     {"id": dataset["id"], "notes": "Checked by a curator."})
        assert edited["notes"] == "Checked by a curator."
        with pytest.raises(toolkit.ValidationError) as err:   # a record typed in still needs them
            toolkit.get_action("package_create")(as_admin(),
                                                 {"name": "typed-in", "title": "Typed in", "owner_org": org["id"]})
        assert "initiative_type" in err.value.error_dict

    def test_merge_keeps_fields_the_source_does_not_state_and_resource_ids(self):
        current = {"title": "Old", "sdg_indicators": ["16.6.2"], "url": "https://old.example",
                   "resources": [{"id": "r1", "url": "https://x.example/a.csv"}]}
        merged = engine.merge(current, {"title": "New", "resources": [{"url": "https://x.example/a.csv"},
                                                                     {"url": "https://x.example/b.csv"}]},
                              ["title", "url"])
        assert merged["title"] == "New" and merged["sdg_indicators"] == ["16.6.2"] and "url" not in merged
        assert merged["resources"] == [{"url": "https://x.example/a.csv", "id": "r1"},
                                       {"url": "https://x.example/b.csv"}]


def test_a_record_without_a_description_is_described_from_what_its_source_states():
    sighting = Sighting(guid="urn:x", record={"title": "Poverty headcount", "tags": [{"name": "poverty"}]},
                        original_uri="https://registry.example/dataflow/UNSD/DF_POV/1.0", identifier="UNSD:DF_POV(1.0)",
                        publisher="UNSD")
    record = engine.prepared(sighting, SourceSpec(name="r", type="sdmx", url="https://registry.example",
                                                  organization="o"))
    assert record["notes"] == ("Poverty headcount. Published by UNSD. Identifier at the source: UNSD:DF_POV(1.0). "
                               "Keywords: poverty. Harvested from https://registry.example/dataflow/UNSD/DF_POV/1.0; "
                               "the source gives no description.")
    assert sighting.warnings and sighting.warnings[0].startswith("notes:")
    described = Sighting(guid="urn:y", record={"title": "T", "notes": "Stated."})
    assert engine.prepared(described, SourceSpec(name="r", type="sdmx", url="u", organization="o"))["notes"] == \
        "Stated."


def test_links_a_reader_could_not_follow_safely_are_dropped_with_a_warning():
    sighting = Sighting(guid="urn:z", record={
        "title": "T", "notes": "N", "url": "javascript:alert(1)",
        "resources": [{"url": "data:text/html,<script>x</script>", "name": "bad"},
                      {"url": "https://portal.example/a.csv", "name": "good"}],
        "publisher": [{"name": "P", "uri": "JAVASCRIPT:alert(2)"}, {"name": "Q", "url": "ftp://files.example/q"}]})
    record = engine.prepared(sighting, SourceSpec(name="r", type="dcat", url="u", organization="o"))
    assert "url" not in record
    assert record["resources"] == [{"name": "bad"}, {"url": "https://portal.example/a.csv", "name": "good"}]
    assert record["publisher"] == [{"name": "P"}, {"name": "Q", "url": "ftp://files.example/q"}]
    assert sighting.warnings == [
        "url: 'javascript:alert(1)' is not an http(s) or ftp link; dropped",
        "resources[0].url: 'data:text/html,<script>x</script>' is not an http(s) or ftp link; dropped",
        "publisher[0].uri: 'JAVASCRIPT:alert(2)' is not an http(s) or ftp link; dropped"]
    assert sighting.record["url"] == "javascript:alert(1)"   # what the source stated is kept as it was read
