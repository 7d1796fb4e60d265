"""The bulk path: valid, varied, deterministic records, stored and indexed exactly as the normal path would."""
import json

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.tests import helpers

from ckanext.citizendata.ingest import bulk, bulkload
from ckanext.citizendata.record.derive import derive
from ckanext.citizendata.ingest.synthetic import RecordMaker

pytestmark = pytest.mark.usefixtures("clean_db")


def extras(name):
    value = model.Session.execute(sa.select(model.package_table.c.extras)
                                  .where(model.package_table.c.name == name)).scalar()
    return {k: json.loads(v) if v[:1] in "[{" or v in ("true", "false") else v for k, v in value.items()}


def test_generate_creates_valid_searchable_records():
    report = bulkload.generate(40, seed=3, batch_size=15)
    assert (report.created, report.kept) == (40, 0)
    assert helpers.call_action("package_search", q="name:synthetic-3-*", rows=0)["count"] == 40
    shown = helpers.call_action("package_show", id="synthetic-3-000017")
    maker = RecordMaker(bulkload._notations(), seed=3)
    expected = maker.record(17)
    for field in ("initiative_type", "engagement", "sdg_indicators", "countries"):
        assert shown[field] == expected[field], field
    assert shown["sdg_goals"] == derive(expected)["sdg_goals"]
    # every generated record passes CKAN's own validation path as an update would
    for i in (5, 17, 39):
        record = {k: v for k, v in helpers.call_action("package_show", id=f"synthetic-3-{i:06d}").items()}
        assert bulk.check(record) == {}, i
    again = bulkload.generate(45, seed=3)
    assert (again.created, again.kept) == (5, 40)


def test_bulk_storage_equals_package_create_storage():
    bulkload.generate(3, seed=11)  # record 0 goes through package_create, 1 and 2 through the bulk path
    maker = RecordMaker(bulkload._notations(), seed=11)
    # store record 2 the normal way under another name and compare what CKAN keeps
    record = maker.record(2)
    bulk.save(dict(record, name="normal-path-copy"), "synthetic-publisher-1")
    assert extras("synthetic-11-000002") == extras("normal-path-copy")
    normal = helpers.call_action("package_show", id="normal-path-copy")
    bulk_made = helpers.call_action("package_show", id="synthetic-11-000002")
    for field in ("engagement", "ethics", "partners", "sample_size", "probability_sample",
                  "meets_copenhagen_definition", "m49", "sdg_targets"):
        assert bulk_made.get(field) == normal.get(field), field


def test_variety_and_determinism():
    maker = RecordMaker(bulkload._notations(), seed=1)
    records = [maker.record(i) for i in range(200)]
    assert len({r["initiative_type"] for r in records}) >= 8
    assert len({r["countries"][0] for r in records}) >= 100
    assert any(derive(r)["meets_copenhagen_definition"] for r in records)
    assert not all(derive(r)["meets_copenhagen_definition"] for r in records)
    assert RecordMaker(bulkload._notations(), seed=1).record(7) == records[7]
    assert RecordMaker(bulkload._notations(), seed=2).record(7) != records[7]
