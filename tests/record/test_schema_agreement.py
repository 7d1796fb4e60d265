"""The JSON Schema is the source of truth; the scheming YAML and the JSON-LD context must agree with it."""
import json
import os

import pytest
import yaml
from pyld import jsonld

from ckanext.citizendata.record.schema import FIELDS, READ_ONLY, SCHEMA, schema_path

SCHEMAS = os.path.dirname(schema_path())
DCAT_CORE = {"title", "name", "notes", "tag_string", "owner_org", "license_id", "contact", "publisher", "url",
             "issued", "modified", "identifier", "frequency", "temporal_coverage", "access_rights", "theme",
             "language", "conforms_to", "in_series"}


@pytest.fixture(scope="module")
def scheming():
    with open(os.path.join(SCHEMAS, "dataset.yaml"), encoding="utf-8") as handle:
        return {f["field_name"]: f for f in yaml.safe_load(handle)["dataset_fields"]}


@pytest.fixture(scope="module")
def presets():
    with open(os.path.join(SCHEMAS, "presets.yaml"), encoding="utf-8") as handle:
        return {p["preset_name"]: p["values"] for p in yaml.safe_load(handle)["presets"]}


@pytest.fixture(scope="module")
def context():
    with open(os.path.join(SCHEMAS, "context.jsonld"), encoding="utf-8") as handle:
        return json.load(handle)["@context"]


def test_scheming_has_exactly_the_schema_fields_beside_dcat_core(scheming):
    assert set(scheming) - DCAT_CORE == set(FIELDS)


def test_subfields_agree(scheming):
    for name in ("engagement", "partners"):
        schema_items = set(SCHEMA["properties"][name]["items"]["properties"])
        assert {sf["field_name"] for sf in scheming[name]["repeating_subfields"]} == schema_items, name


def _vocabularies(prop):
    target = prop.get("items", prop)
    return target.get("x-vocabulary")


def test_vocabularies_agree(scheming):
    for name, prop in SCHEMA["properties"].items():
        assert scheming[name].get("vocabulary") == _vocabularies(prop), name
    for name in ("engagement", "partners"):
        items = SCHEMA["properties"][name]["items"]["properties"]
        for sub in scheming[name]["repeating_subfields"]:
            assert sub.get("vocabulary") == _vocabularies(items[sub["field_name"]]), (name, sub["field_name"])


def test_required_agree(scheming):
    for name in FIELDS:
        assert bool(scheming[name].get("required")) == (name in SCHEMA["required"]), name


def test_derived_fields_take_no_input(scheming, presets):
    for name in READ_ONLY:
        values = presets[scheming[name]["preset"]]
        assert values["form_snippet"] is None and "citizendata_derived" in values["validators"], name
    for name in set(FIELDS) - READ_ONLY:
        preset = presets.get(scheming[name].get("preset"), {})
        assert "citizendata_derived" not in (preset.get("validators") or scheming[name].get("validators", "")), name


def test_context_maps_every_field(context):
    for name, prop in SCHEMA["properties"].items():
        assert name in context, name
        if prop.get("type") == "object":
            assert set(prop["properties"]) <= set(context[name]["@context"]), name
        if prop.get("type") == "array" and prop["items"].get("type") == "object":
            assert set(prop["items"]["properties"]) <= set(context[name]["@context"]), name


def test_context_vocabulary_terms_point_into_the_right_scheme(context):
    record = {"@context": context, "@id": "https://example.org/d/1", "initiative_type": "social-audit",
              "engagement": [{"stage": "collect", "level": 4, "actors": ["community"]}],
              "population_groups": ["youth"], "sdg_indicators": ["16.7.2"]}
    expanded = jsonld.expand(record)[0]
    ns, vocab = "https://w3id.org/citizendata/ns#", "https://w3id.org/citizendata/vocab/"
    assert expanded[ns + "initiativeType"] == [{"@id": vocab + "initiative-types/social-audit"}]
    assert expanded[ns + "populationGroup"] == [{"@id": vocab + "population-groups/youth"}]
    assert expanded[ns + "sdgIndicator"] == [{"@id": vocab + "sdg/16.7.2"}]
    engagement = expanded[ns + "engagement"][0]
    assert engagement[ns + "stage"] == [{"@id": vocab + "engagement-stages/collect"}]
    for name, prop in SCHEMA["properties"].items():
        scheme = _vocabularies(prop)
        term = context[name]
        if scheme and scheme != "iso-3166-1-alpha-3" and name not in ("engagement", "partners"):
            assert term["@context"]["@vocab"] == vocab + scheme + "/", name


def test_initiative_schema_is_the_initiative_level_subset(scheming):
    with open(os.path.join(SCHEMAS, "initiative.yaml"), encoding="utf-8") as handle:
        initiative = yaml.safe_load(handle)
    assert initiative["dataset_type"] == "dataset_series"
    fields = {f["field_name"]: f for f in initiative["dataset_fields"]}
    inherited = {name for name, prop in SCHEMA["properties"].items() if prop.get("x-inherited")}
    assert inherited | READ_ONLY <= set(fields)
    assert set(fields) - DCAT_CORE <= set(FIELDS)
    form_only = {"help_text", "form_snippet", "section_snippet", "section_title", "section_help"}
    for name, field in fields.items():
        ours = {k: v for k, v in field.items() if k not in form_only}
        assert ours == {k: v for k, v in scheming[name].items() if k not in form_only}, name  # as in dataset.yaml
    assert initiative["after_validators"] == "citizendata_record"
