"""record/schema.py: the record's JSON Schema loaded once from schemas/citizen-data-record.schema.json; FIELDS,
READ_ONLY and INPUT_FIELDS as that file says; property_schema; the schema itself valid JSON Schema 2020-12."""
import copy
import json
import pathlib

import jsonschema
import pytest
from jsonschema import Draft202012Validator

from ckanext.citizendata.record import schema
from ckanext.citizendata.record.schema import (FIELDS, INPUT_FIELDS, READ_ONLY, SCHEMA, load_schema,
                                               property_schema, schema_path)

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "schemas" / "citizen-data-record.schema.json"


@pytest.fixture(scope="module")
def on_disk():
    """The schema as the repository's file says it, read here without the module."""
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def test_the_schema_is_the_repository_file(on_disk):
    assert pathlib.Path(schema_path()).name == SCHEMA_FILE.name
    assert json.loads(pathlib.Path(schema_path()).read_text(encoding="utf-8")) == on_disk
    assert SCHEMA == on_disk


def test_the_schema_is_read_once():
    assert load_schema() is SCHEMA is schema.SCHEMA


def test_fields_are_the_properties_in_the_file_order(on_disk):
    assert FIELDS == tuple(on_disk["properties"])


def test_read_only_fields_are_those_marked_read_only(on_disk):
    assert READ_ONLY == {name for name, prop in on_disk["properties"].items() if prop.get("readOnly") is True}
    # the four fields record/derive.py computes
    assert READ_ONLY == {"meets_copenhagen_definition", "sdg_targets", "sdg_goals", "m49"}


def test_input_fields_are_the_other_fields_in_order():
    assert INPUT_FIELDS == tuple(name for name in FIELDS if name not in READ_ONLY)
    assert set(INPUT_FIELDS) | READ_ONLY == set(FIELDS) and not set(INPUT_FIELDS) & READ_ONLY
    assert {"initiative_type", "engagement", "sdg_indicators", "countries", "partners"} <= set(INPUT_FIELDS)


def test_required_fields_are_input_fields(on_disk):
    """A field the record computes cannot be required from whoever writes one."""
    assert on_disk["required"] and set(on_disk["required"]) <= set(INPUT_FIELDS)


@pytest.mark.parametrize("name", ["engagement", "sdg_indicators", "m49", "recognition_status"])
def test_property_schema_is_the_file_property(on_disk, name):
    assert property_schema(name) == on_disk["properties"][name]


def test_property_schema_of_a_field_that_does_not_exist_is_a_key_error():
    with pytest.raises(KeyError):
        property_schema("no_such_field")


def test_the_schema_is_valid_json_schema_2020_12():
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(SCHEMA)
    assert jsonschema.validators.validator_for(SCHEMA) is Draft202012Validator


def test_the_schema_check_sees_a_malformed_schema():
    broken = copy.deepcopy(SCHEMA)
    broken["properties"]["sample_size"]["minimum"] = "zero"
    with pytest.raises(jsonschema.SchemaError):
        Draft202012Validator.check_schema(broken)


def test_the_schema_as_plain_json_schema_takes_a_minimal_record_and_refuses_a_bad_one():
    """The file stands on its own for any JSON Schema 2020-12 validator (other tools read it without us)."""
    validator = Draft202012Validator(SCHEMA)
    minimal = {"initiative_type": "community-survey", "engagement": [{"stage": "design", "level": 4}]}
    assert list(validator.iter_errors(minimal)) == []
    assert [e.validator for e in validator.iter_errors({**minimal, "engagement": [{"stage": "design",
                                                                                   "level": 9}]})] == ["maximum"]
    assert {e.validator for e in validator.iter_errors({"engagement": minimal["engagement"]})} == {"required"}
