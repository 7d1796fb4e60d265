"""rdf/profile_terms.py: the concept IRIs of our vocabularies (one rule, both ways, percent-encoding included, other
IRIs refused), M49 codes and REF_AREA notations, the ConceptField view of the field table, the mapped fields, and
what dimensions() and scheme_order() read from the vocabulary files. Through ckanext-dcat: tests/rdf/test_profile.py.
"""
import importlib.resources

import pytest
import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from ckanext.citizendata.namespaces import CDT, QB, VOCAB_BASE
from ckanext.citizendata.rdf import profile_terms
from ckanext.citizendata.rdf.profile_terms import (CONCEPT_FIELDS, ConceptField, concept_iri, dimensions,
                                                   m49_code, m49_notation, mapped_fields, scheme_iri,
                                                   scheme_order, split_concept)
from ckanext.citizendata.record import countries
from ckanext.citizendata.record.schema import SCHEMA

OTHER_BASE = "http://example.org/published/vocab/"
BY_NAME = {f.name: f for f in CONCEPT_FIELDS}


def vocabulary(scheme: str) -> rdflib.Graph:
    """A vocabulary file, read here without the module."""
    text = (importlib.resources.files("ckanext.citizendata.vocabularies") / f"{scheme}.ttl").read_text("utf-8")
    return rdflib.Graph().parse(data=text, format="turtle")


def notations(scheme: str) -> set[str]:
    return {str(n) for n in vocabulary(scheme).objects(None, SKOS.notation)}


def vocabulary_exists(scheme: str) -> bool:
    return (importlib.resources.files("ckanext.citizendata.vocabularies") / f"{scheme}.ttl").is_file()


# ---------------------------------------------------------------- concept IRIs
@pytest.mark.parametrize("scheme, notation, iri", [
    ("sdg", "16.6.2", "https://w3id.org/citizendata/vocab/sdg/16.6.2"),
    ("cl-sex", "_T", "https://w3id.org/citizendata/vocab/cl-sex/_T"),
    ("engagement-levels", 4, "https://w3id.org/citizendata/vocab/engagement-levels/4"),
    ("demo", "a b/c", "https://w3id.org/citizendata/vocab/demo/a%20b%2Fc"),
    ("demo", "café~1", "https://w3id.org/citizendata/vocab/demo/caf%C3%A9~1"),
    ("demo", "50%", "https://w3id.org/citizendata/vocab/demo/50%25"),
])
def test_concept_iri_is_the_base_the_scheme_and_the_encoded_notation(scheme, notation, iri):
    assert concept_iri(scheme, notation) == URIRef(iri)
    assert split_concept(URIRef(iri)) == (scheme, str(notation))


def test_another_base_gives_other_iris_and_reads_only_its_own():
    iri = concept_iri("demo", "a b/c", base=OTHER_BASE)
    assert iri == URIRef(OTHER_BASE + "demo/a%20b%2Fc")
    assert scheme_iri("demo", base=OTHER_BASE) == URIRef(OTHER_BASE + "demo")
    assert split_concept(iri, base=OTHER_BASE) == ("demo", "a b/c")
    assert split_concept(iri) is None                            # not under the canonical base
    assert split_concept(concept_iri("demo", "x"), base=OTHER_BASE) is None


@pytest.mark.parametrize("term", [
    URIRef(VOCAB_BASE + "sdg"),                  # a scheme, not a concept
    URIRef(VOCAB_BASE + "sdg/"),                 # no notation
    URIRef(VOCAB_BASE + "/16"),                  # no scheme
    URIRef(VOCAB_BASE + "sdg/16/6"),             # a path below a concept
    URIRef(VOCAB_BASE),
    URIRef("http://example.org/vocab/sdg/16"),
    URIRef("http://publications.europa.eu/resource/authority/data-theme/SOCI"),
    URIRef(VOCAB_BASE.replace("https", "http") + "sdg/16"),
    Literal(VOCAB_BASE + "sdg/16"),              # the IRI's text as a literal
    BNode(),
])
def test_terms_that_are_not_our_concepts(term):
    assert split_concept(term) is None


@pytest.mark.parametrize("tail", ["sdg/16#goal", "initiative-types/social-audit?lang=en"])
def test_an_iri_concept_iri_never_writes_is_not_our_concept(tail):
    iri = URIRef(VOCAB_BASE + tail)
    split = split_concept(iri)
    assert split is None or concept_iri(*split) == iri


# ---------------------------------------------------------------- M49 codes and REF_AREA notations
@pytest.mark.parametrize("code, notation", [("076", "76"), ("004", "4"), ("001", "1"), ("288", "288"),
                                            ("GH", "GH")])
def test_m49_codes_and_ref_area_notations(code, notation):
    assert m49_notation(code) == notation
    assert m49_code(notation) == code


def test_every_numeric_ref_area_notation_goes_both_ways():
    numeric = [n for n in notations("cl-area") if n.isdigit()]
    assert len(numeric) > 200
    for notation in numeric:
        code = m49_code(notation)
        assert len(code) >= 3 and int(code) == int(notation)
        assert m49_notation(code) == notation


def test_the_ref_area_concept_of_every_country_is_in_the_code_list():
    """The writer turns a record's M49 codes (derived from its countries) into cl-area concepts."""
    area = notations("cl-area")
    alpha3 = notations("iso-3166-1-alpha-3")
    assert len(alpha3) > 200
    assert sorted(a for a in alpha3 if m49_notation(countries.m49(a) or "") not in area) == []


# ---------------------------------------------------------------- ConceptField reads the field table
@pytest.mark.parametrize("field", CONCEPT_FIELDS, ids=lambda f: f.name)
def test_a_concept_field_is_what_the_schema_says(field):
    prop = SCHEMA["properties"][field.name]
    item = prop.get("items", prop) if prop.get("type") == "array" else prop
    assert field.scheme == item["x-vocabulary"] and vocabulary_exists(field.scheme)
    assert field.single is (prop.get("type") != "array")
    assert field.derived is bool(prop.get("readOnly"))


def test_single_and_derived_as_the_table_has_them():
    assert BY_NAME["initiative_type"].single and BY_NAME["recognition_status"].single
    assert not BY_NAME["sdg_indicators"].single and not BY_NAME["sdg_indicators"].derived
    assert {f.name for f in CONCEPT_FIELDS if f.derived} == {"sdg_targets", "sdg_goals", "m49"}


def test_a_concept_field_of_any_field_reads_its_row():
    countries_field = ConceptField("countries", DCTERMS.spatial)
    assert (countries_field.scheme, countries_field.single, countries_field.derived) == \
        ("iso-3166-1-alpha-3", False, False)
    assert countries_field.takes("GHA") and not countries_field.takes("gha")   # the schema's pattern


def test_the_sdg_fields_share_the_scheme_and_split_its_notations():
    goals, targets, indicators = (BY_NAME[n] for n in ("sdg_goals", "sdg_targets", "sdg_indicators"))
    assert goals.scheme == targets.scheme == indicators.scheme == "sdg"
    assert (goals.takes("16"), targets.takes("16.6"), targets.takes("16.a"), indicators.takes("16.6.2")) == \
        (True, True, True, True)
    assert not goals.takes("16.6") and not targets.takes("16.6.2") and not indicators.takes("16.6")
    for notation in notations("sdg"):
        assert sum(f.takes(notation) for f in (goals, targets, indicators)) == 1, notation


def test_a_field_without_a_pattern_takes_every_value():
    assert BY_NAME["initiative_type"].takes("anything at all")
    assert BY_NAME["m49"].takes("076")


def test_only_m49_changes_values_on_the_way_to_rdf():
    m49 = BY_NAME["m49"]
    assert (m49.encode("076"), m49.decode("76")) == ("76", "076")
    for field in CONCEPT_FIELDS:
        if field.name != "m49":
            assert field.encode("16.6.2") == "16.6.2" == field.decode("16.6.2"), field.name


# ---------------------------------------------------------------- the mapped fields
def test_every_field_is_mapped_by_exactly_one_table():
    tables = [[f.name for f in CONCEPT_FIELDS], list(profile_terms.LITERAL_FIELDS),
              list(profile_terms.STRUCTURED_FIELDS)]
    names = [name for table in tables for name in table]
    assert len(names) == len(set(names))
    assert mapped_fields() == set(names)
    assert mapped_fields() <= set(SCHEMA["properties"])


def test_literal_datatypes_fit_the_schema_types():
    xsd_of = {"integer": {rdflib.XSD.integer, rdflib.XSD.nonNegativeInteger}, "boolean": {rdflib.XSD.boolean}}
    for name, (_, datatype) in profile_terms.LITERAL_FIELDS.items():
        assert datatype in xsd_of[SCHEMA["properties"][name]["type"]], name
    assert profile_terms.LITERAL_FIELDS["sample_size"][1] == rdflib.XSD.nonNegativeInteger  # minimum 0


def test_the_ethics_predicates_are_the_ethics_flags_of_the_schema():
    assert set(profile_terms.ETHICS) == set(SCHEMA["properties"]["ethics"]["properties"])
    assert all(str(p).startswith(str(CDT)) for p in profile_terms.ETHICS.values())
    assert profile_terms.STRUCTURED_FIELDS["ethics"] == tuple(profile_terms.ETHICS.values())


def test_extra_classes_are_for_schemes_we_have():
    assert all(vocabulary_exists(scheme) for scheme in profile_terms.EXTRA_CLASSES)
    assert QB.DimensionProperty in profile_terms.EXTRA_CLASSES["disaggregation"]


# ---------------------------------------------------------------- from the vocabulary files
def test_dimensions_are_every_concept_of_the_disaggregation_file():
    graph = vocabulary("disaggregation")
    concepts = {str(graph.value(c, SKOS.notation)): c for c in graph.subjects(SKOS.inScheme, None)}
    found = dimensions()
    assert set(found) == set(concepts) and "SEX" in found and "REF_AREA" in found
    for notation, info in found.items():
        assert URIRef(VOCAB_BASE + info["code_list"]) == graph.value(concepts[notation], QB.codeList)
        assert vocabulary_exists(info["code_list"]), info["code_list"]
        assert URIRef(info["sdmx_concept"]) in set(graph.objects(concepts[notation], SKOS.exactMatch))
        # the SDMX concept of a dimension is the concept of the SDG concept scheme with the dimension's id
        assert info["sdmx_concept"] == \
            f"urn:sdmx:org.sdmx.infomodel.conceptscheme.Concept=IAEG-SDGs:SDG_CONCEPTS(1.0).{notation}"
    assert found["REF_AREA"]["code_list"] == "cl-area" and found["AGE"]["code_list"] == "cl-age"


def test_the_engagement_stages_come_in_the_order_of_the_data_value_chain():
    order = scheme_order("engagement-stages")
    assert set(order) == notations("engagement-stages")
    assert sorted(order, key=order.get) == ["identify-needs", "design", "collect", "process", "analyse",
                                            "disseminate", "use"]


def test_an_engagement_level_is_its_own_order():
    assert scheme_order("engagement-levels") == {str(level): level for level in range(1, 6)}


def test_a_scheme_without_cdt_order_has_no_order():
    graph = vocabulary("initiative-types")
    assert not list(graph.subject_objects(CDT.order))
    assert scheme_order("initiative-types") == {}
