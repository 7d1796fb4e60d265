"""ingest/synthetic.py: synthetic records are deterministic for a seed (whatever order they are made in), vary with
the seed, use only the notations they are given, and every one passes the record validator."""
import json

import pytest

from ckan.tests import factories

from ckanext.citizendata.ingest import bulk
from ckanext.citizendata.record.fields import input_vocabularies
from ckanext.citizendata.ingest.synthetic import RecordMaker
from ckanext.citizendata.record.validate import RegistryVocabularies, validate
from ckanext.citizendata.text import natural_key
from ckanext.citizendata.vocab import registry

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.fixture
def notations():
    found = {scheme: sorted(registry.notations(scheme), key=natural_key) for scheme in input_vocabularies()}
    assert all(found.values())
    return found


def test_the_same_seed_gives_the_same_records(notations):
    first = [RecordMaker(notations, seed=5).record(i) for i in range(50)]
    again = RecordMaker(notations, seed=5)
    backwards = {i: again.record(i) for i in reversed(range(50))}  # record i does not depend on the ones before
    assert [backwards[i] for i in range(50)] == first
    assert len({r["name"] for r in first}) == 50 and first[7]["name"] == "synthetic-5-000007"


def without_name(record):
    return json.dumps({k: v for k, v in record.items() if k != "name"}, sort_keys=True)


def test_the_records_of_a_seed_differ(notations):
    maker = RecordMaker(notations, seed=5)
    assert len({without_name(maker.record(i)) for i in range(50)}) == 50


def test_another_seed_gives_other_records(notations):
    five = [RecordMaker(notations, seed=5).record(i) for i in range(20)]
    six = [RecordMaker(notations, seed=6).record(i) for i in range(20)]
    assert not {without_name(r) for r in five} & {without_name(r) for r in six}
    assert RecordMaker(notations, seed=5, prefix="scale").record(3)["name"] == "scale-5-000003"


def test_every_record_passes_the_record_validator(notations):
    vocabularies = RegistryVocabularies()
    for seed in (0, 1, 42):
        maker = RecordMaker(notations, seed=seed)
        for i in range(150):
            record = maker.record(i)
            assert validate(record, vocabularies) == {}, (seed, i, record)
            assert [] not in record.values()  # empty lists are left out, not written


def test_records_pass_ckans_whole_validation_path(notations):
    org = factories.Organization()
    maker = RecordMaker(notations, seed=9)
    for i in range(5):
        assert bulk.check(maker.record(i), org["name"]) == {}, i


def test_only_the_given_notations_are_used(notations):
    narrow = dict(notations, **{"initiative-types": ["social-audit"], "actor-types": ["cso", "nso", "academia"],
                                "sdg": ["16", "16.6", "16.6.1", "16.6.2", "16.7", "16.7.2"]})
    records = [RecordMaker(narrow, seed=3).record(i) for i in range(40)]
    assert {r["initiative_type"] for r in records} == {"social-audit"}
    assert {a for r in records for e in r["engagement"] for a in e["actors"]} == {"cso", "nso", "academia"}
    assert {s for r in records for s in r["sdg_indicators"]} == {"16.6.1", "16.6.2", "16.7.2"}  # indicators only
    assert {e["stage"] for r in records for e in r["engagement"]} <= set(notations["engagement-stages"])


def test_a_small_vocabulary_is_sampled_within_its_size(notations):
    narrow = dict(notations, **{"actor-types": ["cso"], "engagement-stages": ["design", "collect"],
                                "sdg": ["16", "16.6", "16.6.2"]})
    records = [RecordMaker(narrow, seed=3).record(i) for i in range(20)]
    assert {a for r in records for e in r["engagement"] for a in e["actors"]} == {"cso"}
