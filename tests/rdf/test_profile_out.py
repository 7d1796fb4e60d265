"""rdf/profile_out.py: the Writer alone on a fresh rdflib graph, under a deployment's own vocabulary base: concepts
typed skos:Concept in their scheme with notation and English label (and the classes ranges ask for), StatDCAT-AP
dimensions with their SDMX concept and code list, standards (dct:conformsTo), countries as EU country IRIs, typed
literals, engagement as PROV activities and partners as qualified attributions. Labels come from the vocabulary
files here (the profile asks the registry: tests/rdf/test_profile.py)."""
import importlib.resources
from functools import cache

import pytest
import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, SKOS, XSD

from ckanext.citizendata.namespaces import CDT, EU_COUNTRY, QB, STAT, VOCAB_BASE
from ckanext.citizendata.rdf.profile_out import Writer, standards_of
from ckanext.citizendata.rdf.profile_terms import SDG_DSD

BASE = "http://example.org/published/vocab/"     # a deployment publishing our vocabularies under its own base
DS = URIRef("http://example.org/dataset/one")
SEX_CONCEPT = URIRef("urn:sdmx:org.sdmx.infomodel.conceptscheme.Concept=IAEG-SDGs:SDG_CONCEPTS(1.0).SEX")

RECORD = {
    "initiative_type": "social-audit",
    "engagement": [{"stage": "design", "level": 4, "actors": ["community", "cso"], "description": "Co-designed."},
                   {"stage": "use", "level": 2}],
    "sdg_indicators": ["16.6.2", "5.a.1"],
    "sdg_series": ["SI_POV_DAY1"],
    "population_groups": ["youth"],
    "disaggregation": ["SEX"],
    "unit_measure": ["PT"],
    "countries": ["GHA", "BRA"],
    "collection_methods": ["sms"],
    "recognition_status": "complementary-source",
    "partners": [{"name": "Ghana Statistical Service", "role": "initiator", "actor_type": "nso",
                  "uri": "https://statsghana.gov.gh/"},
                 {"name": "Community radio", "role": "collector"}],
}


def v(scheme: str, notation: str = "") -> URIRef:
    return URIRef(f"{BASE}{scheme}/{notation}" if notation else f"{BASE}{scheme}")


@cache
def file_labels(scheme: str) -> dict:
    """notation -> English label, read from vocabularies/<scheme>.ttl."""
    source = importlib.resources.files("ckanext.citizendata.vocabularies") / f"{scheme}.ttl"
    graph = rdflib.Graph().parse(data=source.read_text("utf-8"), format="turtle")
    return {str(graph.value(c, SKOS.notation)): str(label) for c, label in graph.subject_objects(SKOS.prefLabel)
            if label.language == "en"}


def label(scheme: str, notation: str):
    return file_labels(scheme).get(notation)


def written(record: dict, ref: URIRef = DS, graph: rdflib.Graph = None) -> rdflib.Graph:
    graph = rdflib.Graph() if graph is None else graph
    Writer(graph, BASE, label=label).dataset(ref, record)
    return graph


# ---------------------------------------------------------------- concepts
def test_a_concept_is_typed_in_its_scheme_with_notation_and_english_label():
    graph = rdflib.Graph()
    iri = Writer(graph, BASE, label=label).concept("engagement-stages", "design")
    assert iri == v("engagement-stages", "design")
    assert set(graph.objects(iri, RDF.type)) == {SKOS.Concept}
    assert list(graph.objects(iri, SKOS.inScheme)) == [v("engagement-stages")]
    [notation] = graph.objects(iri, SKOS.notation)
    assert (notation, notation.datatype, notation.language) == (Literal("design"), None, None)
    assert list(graph.objects(iri, SKOS.prefLabel)) == [Literal("Design", lang="en")]
    assert set(graph.subjects()) == {iri} and len(graph) == 4   # nothing but the concept is stated


@pytest.mark.parametrize("labeler", [None, lambda scheme, notation: None, lambda scheme, notation: ""])
def test_a_concept_without_a_label_is_labelled_with_its_notation(labeler):
    """DCAT-AP asks every concept for a prefLabel."""
    graph = rdflib.Graph()
    iri = Writer(graph, BASE, label=labeler).concept("cl-series", "SI_POV_DAY1")
    assert list(graph.objects(iri, SKOS.prefLabel)) == [Literal("SI_POV_DAY1", lang="en")]


def test_the_labeler_is_asked_with_the_scheme_and_the_notation_as_text():
    asked = []
    graph = rdflib.Graph()
    iri = Writer(graph, BASE, label=lambda *key: asked.append(key) or "Collaborate").concept("engagement-levels", 4)
    assert asked == [("engagement-levels", "4")]
    assert iri == v("engagement-levels", "4") and graph.value(iri, SKOS.notation) == Literal("4")
    assert graph.value(iri, SKOS.prefLabel) == Literal("Collaborate", lang="en")


def test_a_notation_outside_the_unreserved_set_is_percent_encoded_in_the_iri_only():
    graph = rdflib.Graph()
    iri = Writer(graph, BASE).concept("demo", "a b/c")
    assert iri == URIRef(BASE + "demo/a%20b%2Fc")
    assert graph.value(iri, SKOS.notation) == Literal("a b/c")


@pytest.mark.parametrize("scheme, notation, extra", [("disaggregation", "SEX", QB.DimensionProperty),
                                                     ("cl-area", "288", DCTERMS.Location),
                                                     ("partner-roles", "funder", DCAT.Role)])
def test_concepts_get_the_classes_their_ranges_ask_for(scheme, notation, extra):
    graph = rdflib.Graph()
    iri = Writer(graph, BASE, label=label).concept(scheme, notation)
    assert set(graph.objects(iri, RDF.type)) == {SKOS.Concept, extra}


# ---------------------------------------------------------------- a record's concept fields
def test_each_concept_field_is_an_object_of_its_predicate():
    graph = written(RECORD)
    assert set(graph.objects(DS, DCAT.theme)) == {v("sdg", n) for n in ("16.6.2", "16.6", "16", "5.a.1", "5.a", "5")}
    assert set(graph.objects(DS, DCTERMS.subject)) == {v("initiative-types", "social-audit"),
                                                       v("population-groups", "youth"), v("cl-series", "SI_POV_DAY1")}
    assert set(graph.objects(DS, STAT.dimension)) == {v("disaggregation", "SEX")}
    assert set(graph.objects(DS, STAT.statUnitMeasure)) == {v("cl-unit-measure", "PT")}
    assert set(graph.objects(DS, CDT.collectionMethod)) == {v("collection-methods", "sms")}
    assert set(graph.objects(DS, CDT.recognitionStatus)) == {v("recognition-status", "complementary-source")}
    assert set(graph.objects(DS, DCTERMS.spatial)) == {EU_COUNTRY["GHA"], EU_COUNTRY["BRA"], v("cl-area", "288"),
                                                       v("cl-area", "76")}   # REF_AREA has no leading zeros


def test_every_concept_written_is_described_with_its_file_label():
    graph = written(RECORD)
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) > 15
    for concept in concepts:
        scheme, notation = graph.value(concept, SKOS.inScheme), str(graph.value(concept, SKOS.notation))
        assert concept == URIRef(f"{scheme}/{notation}") and str(scheme).startswith(BASE)
        expected = label(str(scheme)[len(BASE):], notation) or notation
        assert list(graph.objects(concept, SKOS.prefLabel)) == [Literal(expected, lang="en")], concept
    assert graph.value(v("cl-area", "288"), SKOS.prefLabel) == Literal("Ghana", lang="en")


def test_nothing_is_written_under_the_canonical_base_when_another_is_configured():
    graph = written(RECORD)
    assert not [t for t in graph.all_nodes() if str(t).startswith(VOCAB_BASE)]


def test_two_datasets_share_their_concepts():
    graph = written(RECORD)
    written({**RECORD, "countries": ["GHA"]}, ref=URIRef("http://example.org/dataset/two"), graph=graph)
    assert len(list(graph.objects(v("sdg", "16"), SKOS.prefLabel))) == 1
    assert set(graph.subjects(DCAT.theme, v("sdg", "16"))) == {DS, URIRef("http://example.org/dataset/two")}


# ---------------------------------------------------------------- dimensions and standards
def test_a_dimension_has_its_sdmx_concept_and_code_list():
    graph = written({"disaggregation": ["SEX", "REF_AREA"]})
    sex, area = v("disaggregation", "SEX"), v("disaggregation", "REF_AREA")
    assert list(graph.objects(sex, QB.concept)) == [SEX_CONCEPT]
    assert list(graph.objects(sex, QB.codeList)) == [v("cl-sex")]
    assert list(graph.objects(area, QB.codeList)) == [v("cl-area")]
    assert {(v("cl-sex"), RDF.type, SKOS.ConceptScheme), (v("cl-area"), RDF.type, SKOS.ConceptScheme)} <= set(graph)
    assert (sex, RDF.type, QB.DimensionProperty) in graph


def test_a_dimension_the_vocabulary_does_not_know_gets_no_concept_or_code_list():
    graph = rdflib.Graph()
    Writer(graph, BASE).dimensions(DS, ["NOT_A_DIMENSION"])
    assert len(graph) == 0


@pytest.mark.parametrize("record, standards", [
    ({"sdg_indicators": ["16.6.2"]}, {SDG_DSD}),
    ({"sdg_series": ["SI_POV_DAY1"]}, {SDG_DSD}),
    ({"disaggregation": ["SEX", "AGE"]}, {SDG_DSD, v("cl-sex"), v("cl-age")}),
    ({"unit_measure": ["PT"]}, {SDG_DSD, v("cl-unit-measure")}),
    ({"initiative_type": "social-audit", "population_groups": ["youth"], "countries": ["GHA"]}, set()),
])
def test_standards_follow_from_the_statistical_fields(record, standards):
    graph = written(record)
    assert set(graph.objects(DS, DCTERMS.conformsTo)) == standards
    assert set(graph.subjects(RDF.type, DCTERMS.Standard)) == standards


def test_standards_of_lists_the_structure_first_and_each_code_list_once():
    record = {"disaggregation": ["AGE", "SEX", "AGE"], "unit_measure": ["PT"]}
    assert standards_of(record, BASE) == [SDG_DSD, v("cl-age"), v("cl-sex"), v("cl-unit-measure")]


# ---------------------------------------------------------------- countries and literals
def test_countries_are_eu_country_locations():
    graph = rdflib.Graph()
    Writer(graph, BASE).countries(DS, ["GHA", "TGO"])
    assert set(graph) == {(DS, DCTERMS.spatial, EU_COUNTRY["GHA"]), (DS, DCTERMS.spatial, EU_COUNTRY["TGO"]),
                          (EU_COUNTRY["GHA"], RDF.type, DCTERMS.Location),
                          (EU_COUNTRY["TGO"], RDF.type, DCTERMS.Location)}


def literal_of(graph, predicate):
    [value] = graph.objects(DS, predicate)
    return str(value), value.datatype


@pytest.mark.parametrize("record, predicate, lexical, datatype", [
    ({"sample_size": 1200}, CDT.sampleSize, "1200", XSD.nonNegativeInteger),
    ({"sample_size": 0}, CDT.sampleSize, "0", XSD.nonNegativeInteger),           # zero is a size
    ({"sample_size": "350"}, CDT.sampleSize, "350", XSD.nonNegativeInteger),     # text from a form, coerced
    ({"probability_sample": False}, CDT.probabilitySample, "false", XSD.boolean),
    ({"probability_sample": True}, CDT.probabilitySample, "true", XSD.boolean),
    ({"engagement": [{"stage": "design", "level": 4}]}, CDT.meetsCopenhagenDefinition, "true", XSD.boolean),
    ({"engagement": [{"stage": "collect", "level": 2}]}, CDT.meetsCopenhagenDefinition, "false", XSD.boolean),
])
def test_literals_carry_their_datatypes(record, predicate, lexical, datatype):
    assert literal_of(written(record), predicate) == (lexical, datatype)


def test_only_the_ethics_flags_given_are_written():
    graph = written({"ethics": {"informed_consent": True, "personal_data": False}})
    assert literal_of(graph, CDT.informedConsent) == ("true", XSD.boolean)
    assert literal_of(graph, CDT.personalData) == ("false", XSD.boolean)
    assert (DS, CDT.anonymised, None) not in graph and (DS, CDT.ethicsReview, None) not in graph


def test_a_dict_without_citizen_data_states_only_that_it_does_not_meet_the_definition():
    graph = written({"title": "Not a record", "notes": "x"})
    assert set(graph) == {(DS, CDT.meetsCopenhagenDefinition, Literal(False))}


# ---------------------------------------------------------------- engagement and partners
def test_each_engagement_entry_is_a_prov_activity():
    graph = written(RECORD)
    activities = list(graph.objects(DS, PROV.wasGeneratedBy))
    assert len(activities) == 2 and all(isinstance(a, BNode) for a in activities)
    by_stage = {graph.value(a, DCTERMS.type): a for a in activities}
    design, use = by_stage[v("engagement-stages", "design")], by_stage[v("engagement-stages", "use")]
    for activity in (design, use):
        assert set(graph.objects(activity, RDF.type)) == {PROV.Activity, CDT.EngagementActivity}
    assert list(graph.objects(design, CDT.engagementLevel)) == [v("engagement-levels", "4")]
    assert set(graph.objects(design, CDT.actorType)) == {v("actor-types", "community"), v("actor-types", "cso")}
    assert list(graph.objects(design, DCTERMS.description)) == [Literal("Co-designed.")]
    assert (use, CDT.actorType, None) not in graph and (use, DCTERMS.description, None) not in graph
    assert graph.value(v("engagement-levels", "4"), SKOS.prefLabel) == \
        Literal(file_labels("engagement-levels")["4"], lang="en")


def test_an_entry_with_only_a_stage_is_an_activity_with_only_its_stage():
    graph = rdflib.Graph()
    Writer(graph, BASE).engagement(DS, {"stage": "collect"})
    [activity] = graph.objects(DS, PROV.wasGeneratedBy)
    assert set(graph.predicate_objects(activity)) == {(RDF.type, PROV.Activity), (RDF.type, CDT.EngagementActivity),
                                                      (DCTERMS.type, v("engagement-stages", "collect"))}


def test_partners_are_qualified_attributions_of_agents_with_roles():
    graph = written(RECORD)
    found = {}
    for attribution in graph.objects(DS, PROV.qualifiedAttribution):
        assert set(graph.objects(attribution, RDF.type)) == {PROV.Attribution}
        agent = graph.value(attribution, PROV.agent)
        assert set(graph.objects(agent, RDF.type)) == {FOAF.Agent, PROV.Agent}
        found[str(graph.value(agent, FOAF.name))] = (agent, graph.value(attribution, DCAT.hadRole),
                                                     graph.value(agent, DCTERMS.type))
    assert found["Ghana Statistical Service"] == (URIRef("https://statsghana.gov.gh/"), v("partner-roles", "initiator"),
                                                  v("actor-types", "nso"))
    agent, role, actor_type = found["Community radio"]
    assert isinstance(agent, BNode) and role == v("partner-roles", "collector") and actor_type is None
    assert (role, RDF.type, DCAT.Role) in graph
    assert graph.value(role, SKOS.prefLabel) == Literal("Data collector", lang="en")
