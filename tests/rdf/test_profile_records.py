"""Records for the profile tests: hypothesis strategies built from the record's JSON Schema and the vocabulary
files, the dicts ckanext-dcat receives, serialize / parse through ckanext-dcat with our profiles, and a canonical
form to compare records field by field. The tests here prove the generated records are valid records."""
from __future__ import annotations

import copy
import importlib.resources
import json
import os
import re
import uuid
from functools import lru_cache
from typing import Any

import pytest
import rdflib
from hypothesis import given, settings, strategies as st
from rdflib.namespace import SKOS

from ckanext.citizendata.record.derive import derive
from ckanext.citizendata.record.schema import INPUT_FIELDS, READ_ONLY, SCHEMA, property_schema
from ckanext.citizendata.record.validate import StaticVocabularies, validate
from ckanext.citizendata.text import natural_key

PROFILES = ["euro_dcat_ap_3", "citizendata"]
FORMATS = ["turtle", "xml", "json-ld", "nt"]
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40).map(str.strip).filter(bool)


# a record with every field, two partners (with and without an agent IRI), an engagement description
RICH_RECORD: dict[str, Any] = {
    "initiative_type": "public-service-feedback",
    "engagement": [
        {"stage": "design", "level": 4, "actors": ["community", "cso"], "description": "Questions co-written."},
        {"stage": "collect", "level": 5, "actors": ["community"]},
        {"stage": "use", "level": 2, "actors": ["nso", "public-body"],
         "derived_from": "derived from the source's participation tasks: Data use (mapping table example.yaml: task)"},
    ],
    "sdg_indicators": ["16.6.2", "16.7.2"],
    "sdg_series": ["SI_POV_DAY1"],
    "population_groups": ["youth", "women-girls"],
    "disaggregation": ["SEX", "AGE", "URBANISATION"],
    "unit_measure": ["PT"],
    "countries": ["GHA", "TGO"],
    "collection_methods": ["mobile-app", "sms"],
    "sample_size": 1200,
    "probability_sample": True,
    "ethics": {"informed_consent": True, "ethics_review": True, "anonymised": True, "personal_data": False},
    "partners": [
        {"name": "Ghana Statistical Service", "role": "initiator", "actor_type": "nso",
         "uri": "https://statsghana.gov.gh/"},
        {"name": "Community radio network", "role": "collector"},
    ],
    "recognition_status": "complementary-source",
}


# ---------------------------------------------------------------- vocabularies, from the files
def _schemes(schema: dict[str, Any]) -> set[str]:
    found = {schema["x-vocabulary"]} if "x-vocabulary" in schema else set()
    for sub in list(schema.get("properties", {}).values()) + ([schema["items"]] if "items" in schema else []):
        found |= _schemes(sub)
    return found


@lru_cache(maxsize=1)
def notations() -> dict[str, list[str]]:
    """scheme id -> its notations, read from vocabularies/*.ttl (every scheme the schema names)."""
    found = {}
    for scheme in _schemes(SCHEMA):
        text = (importlib.resources.files("ckanext.citizendata.vocabularies") / f"{scheme}.ttl").read_text("utf-8")
        graph = rdflib.Graph().parse(data=text, format="turtle")
        found[scheme] = sorted((str(n) for n in graph.objects(None, SKOS.notation)), key=natural_key)
    return found


# ---------------------------------------------------------------- strategies from the JSON Schema
def strategy_for(schema: dict[str, Any]) -> st.SearchStrategy:
    """Values of one property schema: vocabulary notations, lists, objects, integers, booleans, text."""
    if "x-vocabulary" in schema:
        values = notations()[schema["x-vocabulary"]]
        if "pattern" in schema:
            values = [v for v in values if re.fullmatch(schema["pattern"], v)]
        if schema.get("type") == "integer":
            values = [int(v) for v in values]
        return st.sampled_from(values)
    kind = schema.get("type")
    if kind == "array":
        unique = schema.get("x-unique-by")
        return st.lists(strategy_for(schema["items"]), min_size=schema.get("minItems", 0), max_size=4,
                        unique_by=(lambda item: item[unique]) if unique else (lambda item: repr(item)))
    if kind == "object":
        props = schema.get("properties", {})
        required = set(schema.get("required", []))
        return st.fixed_dictionaries({k: strategy_for(v) for k, v in props.items() if k in required},
                                     optional={k: strategy_for(v) for k, v in props.items() if k not in required})
    if kind == "integer":
        return st.integers(schema.get("minimum", 0), schema.get("maximum", 10**7))
    if kind == "boolean":
        return st.booleans()
    if schema.get("format") == "uri":
        return st.from_regex(r"https://[a-z]{1,8}\.example\.org/[a-z0-9]{0,8}", fullmatch=True)
    return TEXT


@st.composite
def records(draw) -> dict[str, Any]:
    """A valid record: required fields always, others sometimes; cross-field rules satisfied."""
    record = {}
    for name in INPUT_FIELDS:
        value = draw(strategy_for(property_schema(name)))
        if name in SCHEMA["required"] or draw(st.booleans()):
            record[name] = value
    return _satisfy_rules(record)


def _satisfy_rules(record: dict[str, Any]) -> dict[str, Any]:
    if record.get("probability_sample") and "sample_size" not in record:
        record["sample_size"] = 400
    ethics = record.get("ethics") or {}
    if ethics.get("personal_data") and not (ethics.get("informed_consent") or ethics.get("ethics_review")):
        ethics["informed_consent"] = True
    partners = record.get("partners") or []
    for i, partner in enumerate(partners):   # one agent IRI is one agent: keep IRIs distinct per partner
        if "uri" in partner:
            partner["uri"] = f"{partner['uri']}#{i}"
    return record


# ---------------------------------------------------------------- what ckanext-dcat receives, and back
def as_shown(record: dict[str, Any], **core: Any) -> dict[str, Any]:
    """A package_show-like dict of ``record``: CKAN core fields, the record, its derived fields."""
    shown = {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, repr(sorted(record.items(), key=str)))),
             "name": "a-record", "title": "A record", "notes": "A description.", "type": "dataset",
             "tags": [], "resources": [], "extras": []}
    shown.update(core)
    shown.update(record)
    shown.update(derive(record))
    return shown


@lru_cache(maxsize=8)
def _template(kind: str, profiles: tuple[str, ...]):
    from ckanext.dcat import processors
    return getattr(processors, kind)(profiles=list(profiles))


def processor(kind: str, profiles=None):
    """A fresh ckanext-dcat RDFSerializer / RDFParser (``kind``) with ``profiles``: a copy of one built once, with
    an empty graph (building one reads every entry point of the environment, ~0.1 s)."""
    template = _template(kind, tuple(profiles or PROFILES))
    fresh = copy.copy(template)
    fresh.g = rdflib.ConjunctiveGraph()
    return fresh


def serialize(dataset_dict: dict[str, Any], fmt: str, profiles=None) -> str:
    return processor("RDFSerializer", profiles).serialize_dataset(dataset_dict, _format=fmt)


def parse(text: str, fmt: str, profiles=None) -> list[dict[str, Any]]:
    parser = processor("RDFParser", profiles)
    parser.parse(text, _format=fmt)
    return list(parser.datasets())


def canonical(record: dict[str, Any], fields=INPUT_FIELDS) -> dict[str, Any]:
    """Field -> value with empty values gone and lists in one order (RDF has no order)."""
    out = {}
    for name in fields:
        value = _canonical_value(record.get(name))
        if value not in (None, "", [], {}):
            out[name] = value
    return out


def _canonical_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _canonical_value(v) for k, v in sorted(value.items()) if v not in (None, "", [], {})}
    if isinstance(value, list):
        items = [_canonical_value(v) for v in value]
        return sorted(items, key=lambda v: repr(v) if isinstance(v, dict) else repr(natural_key(str(v))))
    return value


# ---------------------------------------------------------------- database fixtures, once per module
def _load_plugins() -> None:
    import ckan.plugins
    if not ckan.plugins.plugin_loaded("citizendata"):
        ckan.plugins.load_all()


@pytest.fixture(scope="module")
def registry_db(migrate_db_for):
    """Our tables and the vocabulary registry (labels), checked once per test module (no reset: these tests
    only read, and the demo records are saved by name); the plugins of ckan.plugins loaded (and unloaded after
    the module, as ``with_plugins`` leaves them)."""
    import ckan.plugins
    from ckanext.citizendata.testing import ensure_plugin_tables, ensure_vocabularies
    _load_plugins()
    ensure_plugin_tables(migrate_db_for)
    ensure_vocabularies()
    yield
    ckan.plugins.unload_all()


@pytest.fixture
def profile_env(registry_db):
    """Per test: the plugins loaded again if a ``with_plugins`` test of the module unloaded them."""
    _load_plugins()


@pytest.fixture(scope="module")
def demo_shown(registry_db):
    """The demo records (organizations, an initiative and its datasets) as package_show gives them: stored,
    validated, inherited from their initiative, derived."""
    from ckan.tests import helpers
    from ckanext.citizendata import demo
    from ckanext.citizendata.ingest import bulk
    with open(os.path.join(os.path.dirname(demo.__file__), "records.json"), encoding="utf-8") as handle:
        data = json.load(handle)
    for org in data["organizations"]:
        bulk.ensure_organization(org)
    for record in data["records"]:
        bulk.save(record)
    return [helpers.call_action("package_show", id=record["name"]) for record in data["records"]]


# ---------------------------------------------------------------- the generated records are valid records
@settings(max_examples=40, deadline=None)
@given(records())
def test_generated_records_are_valid(record):
    assert validate(record, StaticVocabularies(notations())) == {}
    assert not READ_ONLY & set(record)


def test_notations_come_from_the_vocabulary_files():
    found = notations()
    assert "16.6.2" in found["sdg"] and "SEX" in found["disaggregation"] and "5" in found["engagement-levels"]
    assert set(found) == _schemes(SCHEMA)


def test_canonical_ignores_order_and_empties():
    one = {"engagement": [{"stage": "use", "level": 2, "actors": ["nso", "cso"]}, {"stage": "design", "level": 4}],
           "sdg_indicators": ["16.6.2", "1.1.1"], "ethics": {}}
    other = {"engagement": [{"stage": "design", "level": 4}, {"stage": "use", "level": 2, "actors": ["cso", "nso"]}],
             "sdg_indicators": ["1.1.1", "16.6.2"], "partners": []}
    assert canonical(one) == canonical(other)
    assert canonical(one) != canonical({**other, "sdg_indicators": ["1.1.1"]})
