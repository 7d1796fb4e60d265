"""parse(serialize(record)) == record, field by field, in every format, for generated records (hypothesis) and for
the demo records as the catalog stores and shows them."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from ckanext.citizendata.record.derive import derive
from ckanext.citizendata.record.schema import INPUT_FIELDS, READ_ONLY
from ckanext.citizendata.rdf import profile_in
from ckanext.citizendata.rdf.profile import _vocab_base

from .test_profile_records import (FORMATS, as_shown, canonical, demo_shown, parse, profile_env,  # noqa: F401
                                   records, registry_db, serialize)

pytestmark = pytest.mark.usefixtures("profile_env")
EXAMPLES = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def assert_same_fields(got: dict, expected: dict, fields=INPUT_FIELDS) -> None:
    got, expected = canonical(got, fields), canonical(expected, fields)
    for name in fields:
        assert got.get(name) == expected.get(name), f"{name}: {got.get(name)!r} != {expected.get(name)!r}"


@pytest.mark.parametrize("fmt", FORMATS)
@EXAMPLES
@given(record=records())
def test_generated_records_come_back_field_by_field(fmt, record):
    [parsed] = parse(serialize(as_shown(record), fmt), fmt)
    assert_same_fields(parsed, record)
    assert not READ_ONLY & set(parsed), "derived fields are recomputed, not read"


@pytest.mark.parametrize("fmt", ["turtle", "json-ld"])
@EXAMPLES
@given(record=records())
def test_derived_fields_are_in_the_graph(fmt, record):
    import rdflib
    from rdflib.namespace import DCAT, RDF
    graph = rdflib.Graph().parse(data=serialize(as_shown(record), fmt), format=fmt)
    [ref] = graph.subjects(RDF.type, DCAT.Dataset)
    read = profile_in.Reader(graph, _vocab_base()).dataset(ref)
    assert_same_fields(read, derive(record), fields=sorted(READ_ONLY))


def test_series_membership_comes_back():
    record = {"initiative_type": "social-audit", "engagement": [{"stage": "collect", "level": 5}]}
    shown = as_shown(record, in_series=["0b6c1a7e-series-id"])
    [parsed] = parse(serialize(shown, "turtle"), "turtle")
    assert parsed["in_series"] == ["0b6c1a7e-series-id"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_demo_records_come_back_and_validate_again(demo_shown, fmt):
    from ckanext.citizendata.record.validate import validate
    for shown in demo_shown:
        [parsed] = parse(serialize(shown, fmt), fmt)
        assert_same_fields(parsed, shown)
        assert validate({k: parsed[k] for k in INPUT_FIELDS if k in parsed}) == {}, shown["name"]
        assert sorted(parsed.get("in_series") or []) == sorted(shown.get("in_series") or [])
