"""record/coerce.py: from what CKAN holds (strings in extras, JSON text, form values) to the record's JSON
types; what cannot be converted is left for the validator to report."""
import pytest

from ckanext.citizendata.record import coerce


def test_coercion_from_ckan_storage():
    flat = {"sample_size": "120", "probability_sample": "true", "sdg_indicators": '["16.6.2"]',
            "ethics": '{"anonymised": true}', "countries": "GHA, COL",
            "engagement": [{"stage": "design", "level": "4", "actors": '["cso"]', "description": ""}]}
    assert coerce.record_from_flat(flat) == {
        "engagement": [{"stage": "design", "level": 4, "actors": ["cso"]}],
        "sdg_indicators": ["16.6.2"], "countries": ["GHA", "COL"], "sample_size": 120,
        "probability_sample": True, "ethics": {"anonymised": True}}


@pytest.mark.parametrize("value, expected", [
    (["16.6.2", "", None, "16.7.2"], ["16.6.2", "16.7.2"]),       # empty form rows dropped
    ('["16.6.2", "16.7.2"]', ["16.6.2", "16.7.2"]),                # stored JSON text
    ("GHA, COL\nIRQ,", ["GHA", "COL", "IRQ"]),                      # comma or line separated text
    ("", []),
    ("[16.6.2", "[16.6.2"),                                         # broken JSON: left for the validator
    ('["a", "b"] trailing', '["a", "b"] trailing'),
    ({"a": 1}, {"a": 1}),                                           # not a list at all: left as it is
    (7, 7),
])
def test_to_list(value, expected):
    assert coerce.to_list(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("120", 120), (" 12 ", 12), ("-3", -3), (5, 5), ("1.5", "1.5"), ("lots", "lots"), (True, True), (None, None),
])
def test_to_int(value, expected):
    result = coerce.to_int(value)
    assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize("value, expected", [
    ("true", True), ("Yes", True), ("on", True), ("1", True), ("y", True), (" TRUE ", True),
    ("false", False), ("no", False), ("OFF", False), ("0", False), ("n", False), (False, False),
    ("maybe", "maybe"), (1, 1), ("", ""),
])
def test_to_bool(value, expected):
    result = coerce.to_bool(value)
    assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize("value, expected", [
    ('{"anonymised": true}', {"anonymised": True}), ("[1, 2]", [1, 2]), ("true", True), ("false", False),
    ("-3", -3), ("42", 42), ("{broken", "{broken"), ("3.5", "3.5"), ("text", "text"), (["x"], ["x"]),
])
def test_from_json_text(value, expected):
    assert coerce.from_json_text(value) == expected


def test_coerce_follows_the_schema_into_nested_objects():
    schema = {"type": "array", "items": {"type": "object", "properties": {
        "level": {"type": "integer"}, "actors": {"type": "array", "items": {"type": "string"}},
        "flag": {"type": "boolean"}}}}
    value = '[{"level": "4", "actors": "cso, nso", "flag": "no", "note": "", "__junk": "x", "other": "kept"}]'
    assert coerce.coerce(value, schema) == [{"level": 4, "actors": ["cso", "nso"], "flag": False, "other": "kept"}]
    assert coerce.coerce("not json", {"type": "object"}) == "not json"
    assert coerce.coerce("plain", {"type": "string"}) == "plain"


def test_record_from_flat_takes_input_fields_only_and_skips_empty_ones():
    flat = {"title": "T", "name": "n", "sdg_goals": '["1"]', "meets_copenhagen_definition": "true",
            "initiative_type": "social-audit", "sdg_indicators": [], "countries": "", "sample_size": None,
            "ethics": "yes"}
    assert coerce.record_from_flat(flat) == {"initiative_type": "social-audit", "ethics": "yes"}
