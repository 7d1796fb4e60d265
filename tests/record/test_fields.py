"""record/fields.py: the field table read from the record's JSON Schema (x-vocabulary, x-inherited, x-index,
x-facet, x-index-fields), and the clear errors of a malformed property."""
import pytest

from ckanext.citizendata.record import fields
from ckanext.citizendata.record.schema import SCHEMA


def test_every_property_and_index_field_has_an_index_rule_and_a_facet_decision():
    properties = {**SCHEMA["properties"], **SCHEMA["x-index-fields"]}
    assert set(fields.FIELDS) == set(SCHEMA["properties"])
    assert set(fields.INDEX_FIELDS) == {"engagement_stage", "engagement_level_max", "engagement_stage_level",
                                        "sdg_indicator_country", "needs_classification"}
    for name, prop in properties.items():
        assert prop["x-index"] in fields.INDEX_RULES, name
        assert prop["x-facet"] is False or "title" in prop["x-facet"], name
    assert {f.name for f in fields.all_fields()} == set(properties)


def test_the_table_reads_each_keyword_of_a_property():
    sdg = fields.FIELDS["sdg_indicators"]
    assert (sdg.kind, sdg.multiple, sdg.vocabulary, sdg.inherited, sdg.derived, sdg.index, sdg.labelled) == \
        ("array", True, "sdg", True, False, "value", False)
    assert sdg.pattern == r"^[0-9]{1,2}\.[0-9a-z]{1,2}\.[0-9]{1,2}$"  # the pattern of each item
    assert sdg.facet == fields.Facet(title="SDG indicators", order=7)
    goals = fields.FIELDS["sdg_goals"]
    assert goals.derived and not goals.inherited and goals.labelled
    assert fields.FIELDS["engagement"].facet is None and fields.FIELDS["engagement"].index == "subfields"
    assert fields.INDEX_FIELDS["engagement_stage"].derived_from == "engagement"
    assert fields.INDEX_FIELDS["engagement_level_max"].kind == "integer"


def test_inherited_fields_are_those_the_schema_marks():
    assert fields.INHERITED == tuple(name for name, prop in SCHEMA["properties"].items() if prop.get("x-inherited"))
    assert {"initiative_type", "engagement", "countries", "partners", "recognition_status"} <= set(fields.INHERITED)
    assert "sample_size" not in fields.INHERITED and "sdg_goals" not in fields.INHERITED


def test_facets_shown_by_default_come_in_their_order():
    """x-facet.order in the schema: 1 initiative types ... 11 recognition status, 12 needs classification; the
    index fields sit at 2 and 3 among the record's fields, and last."""
    assert [f.name for f in fields.facets()] == [
        "initiative_type", "engagement_stage", "engagement_level_max", "meets_copenhagen_definition",
        "sdg_goals", "sdg_targets", "sdg_indicators", "population_groups", "disaggregation", "countries",
        "recognition_status", "needs_classification"]


def test_a_facet_without_an_order_is_a_facet_but_not_shown_by_default():
    assert fields.FIELDS["collection_methods"].facet == fields.Facet(title="Collection methods", order=None)
    assert "collection_methods" in fields.facet_fields()
    assert "collection_methods" not in [f.name for f in fields.facets()]
    assert "sample_size" not in fields.facet_fields() and "m49" not in fields.facet_fields()


@pytest.mark.parametrize("name, scheme", [
    ("initiative_type", "initiative-types"), ("stage", "engagement-stages"), ("level", "engagement-levels"),
    ("actors", "actor-types"), ("actor_type", "actor-types"), ("role", "partner-roles"), ("sdg_goals", "sdg"),
    ("countries", "iso-3166-1-alpha-3"), ("m49", "cl-area"), ("name", None), ("engagement", None),
    ("no_such_field", None),
])
def test_leaf_vocabulary_of_fields_and_subfields(name, scheme):
    assert fields.leaf_vocabulary(name) == scheme


def test_input_vocabularies_are_the_schemes_of_input_fields_and_their_subfields():
    """m49 (cl-area) is derived, so the bulk loader needs no cl-area; partners' role and actor_type and
    engagement's stage, level and actors are subfields."""
    assert fields.input_vocabularies() == [
        "actor-types", "cl-series", "cl-unit-measure", "collection-methods", "disaggregation", "engagement-levels",
        "engagement-stages", "initiative-types", "iso-3166-1-alpha-3", "partner-roles", "population-groups",
        "recognition-status", "sdg"]


def test_a_table_built_from_small_properties():
    table = fields._table({
        "codes": {"type": "array", "title": "Codes", "items": {"type": "string", "x-vocabulary": "codes",
                                                              "pattern": "^[A-Z]+$"},
                  "x-inherited": True, "x-index": "labels", "x-facet": {"title": "By code", "order": 2}},
        "count": {"type": "integer", "readOnly": True, "x-index": "value", "x-facet": False},
        "plain": {"x-index": "json", "x-facet": {"title": "Plain"}},
    })
    codes, count, plain = table["codes"], table["count"], table["plain"]
    assert (codes.title, codes.vocabulary, codes.pattern, codes.inherited, codes.labelled, codes.multiple) == \
        ("Codes", "codes", "^[A-Z]+$", True, True, True)
    assert codes.facet == fields.Facet("By code", 2)
    assert (count.derived, count.facet, count.multiple, count.vocabulary) == (True, None, False, None)
    assert (plain.title, plain.kind, plain.facet.order) == ("plain", "string", None)


@pytest.mark.parametrize("prop, message", [
    ({"type": "string", "x-facet": False}, "x: x-index must be one of value, labels, json, subfields, got None"),
    ({"type": "string", "x-index": "text", "x-facet": False},
     "x: x-index must be one of value, labels, json, subfields, got 'text'"),
    ({"type": "string", "x-index": "value"}, "x: no x-facet (a facet, or false)"),
    ({"type": "string", "x-index": "value", "x-facet": {"order": 1}},
     "x: x-facet must be false or an object with a title, got {'order': 1}"),
    ({"type": "string", "x-index": "value", "x-facet": True}, "x: x-facet must be false or an object with a title"),
])
def test_a_malformed_property_is_a_clear_error(prop, message):
    with pytest.raises(ValueError) as error:
        fields._table({"x": prop})
    assert str(error.value).startswith(message)


def test_one_name_means_one_vocabulary_wherever_it_stands(monkeypatch):
    schema = {"properties": {
        "people": {"type": "array", "items": {"type": "object", "properties": {
            "role": {"type": "string", "x-vocabulary": "partner-roles"}}}},
        "role": {"type": "string", "x-vocabulary": "job-titles", "x-index": "value", "x-facet": False},
    }}
    monkeypatch.setattr(fields, "SCHEMA", schema)  # the schema read, not the code: a small one of our own
    with pytest.raises(ValueError, match=r"role: two vocabularies \(partner-roles, job-titles\) under one name"):
        fields._leaf_vocabularies()
    schema["properties"]["role"]["x-vocabulary"] = "partner-roles"
    assert fields._leaf_vocabularies() == {"people": None, "role": "partner-roles"}
