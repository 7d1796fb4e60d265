"""rdf/profile_in.py: the Reader alone on rdflib graphs, under a deployment's own vocabulary base: what the Writer
wrote reads back to the same record (derived fields included: the profile drops those), values of other schemes and
other IRIs are ignored, engagement in the order of the value chain, partners by their roles, in_series, and tidy()
taking out of euro_dcat_ap_3's keys what is ours. Through ckanext-dcat: tests/rdf/test_roundtrip.py."""
import rdflib
from hypothesis import given, settings
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, XSD

from ckanext.citizendata.namespaces import CDT, EU_COUNTRY, EU_THEME, STAT, VOCAB_BASE
from ckanext.citizendata.rdf.profile_in import Reader
from ckanext.citizendata.rdf.profile_out import Writer
from ckanext.citizendata.rdf.profile_terms import SDG_DSD, concept_iri
from ckanext.citizendata.record.derive import derive
from ckanext.citizendata.record.schema import FIELDS

from .test_profile_records import canonical, records

BASE = "http://example.org/published/vocab/"
SITE_DATASETS = "http://test.ckan.net/dataset/"
DS = URIRef("http://example.org/dataset/one")
INSPIRE_PUBLISHER = "http://inspire.ec.europa.eu/metadata-codelist/ResponsiblePartyRole/publisher"

# every list in the order the Reader gives (natural order; engagement by stage; partners by name)
RECORD = {
    "initiative_type": "social-audit",
    "engagement": [{"stage": "design", "level": 4, "actors": ["community", "cso"], "description": "Co-designed."},
                   {"stage": "collect", "level": 5},
                   {"stage": "use", "level": 2, "actors": ["nso"]}],
    "sdg_indicators": ["5.a.1", "16.6.2", "16.10.1"],
    "sdg_series": ["SI_POV_DAY1"],
    "population_groups": ["women-girls", "youth"],
    "disaggregation": ["AGE", "SEX"],
    "unit_measure": ["PT"],
    "countries": ["BRA", "GHA"],
    "collection_methods": ["mobile-app", "sms"],
    "sample_size": 1200,
    "probability_sample": True,
    "ethics": {"informed_consent": True, "personal_data": False},
    "partners": [{"name": "Community radio", "role": "collector"},
                 {"name": "Ghana Statistical Service", "role": "initiator", "actor_type": "nso",
                  "uri": "https://statsghana.gov.gh/"}],
    "recognition_status": "complementary-source",
}


def v(scheme: str, notation: str = "") -> URIRef:
    return concept_iri(scheme, notation, BASE) if notation else URIRef(BASE + scheme)


def written(record: dict, ref: URIRef = DS, graph: rdflib.Graph = None) -> rdflib.Graph:
    graph = rdflib.Graph() if graph is None else graph
    Writer(graph, BASE).dataset(ref, record)
    return graph


def read(graph: rdflib.Graph, ref: URIRef = DS) -> dict:
    return Reader(graph, BASE).dataset(ref)


# ---------------------------------------------------------------- what the Writer wrote comes back
def test_a_written_record_reads_back_with_its_derived_fields():
    got = read(written(RECORD))
    assert got == {**RECORD, **derive(RECORD)}
    assert got["sdg_goals"] == ["5", "16"] and got["sdg_targets"] == ["5.a", "16.6", "16.10"]
    assert got["m49"] == ["076", "288"] and got["meets_copenhagen_definition"] is True


@settings(max_examples=30, deadline=None)
@given(record=records())
def test_generated_records_read_back_field_by_field(record):
    got = read(written(record))
    assert canonical(got, FIELDS) == canonical({**record, **derive(record)}, FIELDS)


def test_each_dataset_of_a_graph_reads_its_own_fields():
    other = URIRef("http://example.org/dataset/two")
    graph = written(RECORD)
    written({"initiative_type": "citizen-science", "engagement": [{"stage": "use", "level": 1}],
             "countries": ["TGO"]}, ref=other, graph=graph)
    assert read(graph) == {**RECORD, **derive(RECORD)}
    assert read(graph, other) == {"initiative_type": "citizen-science", "engagement": [{"stage": "use", "level": 1}],
                                  "countries": ["TGO"], "m49": ["768"], "meets_copenhagen_definition": False}


def test_the_canonical_base_is_not_read_by_a_reader_of_another_base():
    graph = rdflib.Graph()
    Writer(graph, VOCAB_BASE).dataset(DS, RECORD)
    assert Reader(graph, VOCAB_BASE).dataset(DS) == {**RECORD, **derive(RECORD)}
    # what is left without our concepts: countries (EU IRIs) and the literals
    assert set(read(graph)) == {"countries", "sample_size", "probability_sample", "ethics",
                                "meets_copenhagen_definition"}


# ---------------------------------------------------------------- what is not ours is ignored
def test_values_of_other_schemes_and_other_iris_are_ignored():
    graph = rdflib.Graph()
    for predicate, value in [
            (DCAT.theme, EU_THEME["SOCI"]),                      # another vocabulary
            (DCAT.theme, v("cl-sex", "F")),                      # ours, but no theme field has that scheme
            (DCAT.theme, Literal("16")),                         # a literal, not a concept
            (DCAT.theme, URIRef("http://example.org/sdg/16")),   # looks like ours, is not
            (DCAT.theme, concept_iri("sdg", "16")),              # ours under the canonical base, not this one
            (DCTERMS.subject, v("initiative-types", "social-audit")),
            (DCTERMS.subject, v("population-groups", "youth")),  # same predicate, each field takes its scheme
            (STAT.dimension, v("cl-sex", "F")),
            (DCTERMS.spatial, URIRef("http://sws.geonames.org/2300660/")),
            (DCTERMS.spatial, EU_COUNTRY["GHA"])]:
        graph.add((DS, predicate, value))
    assert read(graph) == {"initiative_type": "social-audit", "population_groups": ["youth"], "countries": ["GHA"]}


def test_sdg_themes_go_to_goals_targets_and_indicators_by_their_form():
    graph = rdflib.Graph()
    for notation in ("16.10.1", "16", "16.a", "16.6", "16.6.2"):
        graph.add((DS, DCAT.theme, v("sdg", notation)))
    assert read(graph) == {"sdg_goals": ["16"], "sdg_targets": ["16.6", "16.a"],
                           "sdg_indicators": ["16.6.2", "16.10.1"]}


def test_ref_area_notations_read_as_three_digit_m49_codes():
    graph = rdflib.Graph()
    graph.add((DS, DCTERMS.spatial, v("cl-area", "76")))
    graph.add((DS, DCTERMS.spatial, v("cl-area", "4")))
    assert read(graph) == {"m49": ["004", "076"]}


def test_a_notation_with_a_digit_that_is_no_number_is_read_not_a_crash():
    graph = rdflib.Graph()
    graph.add((DS, DCTERMS.subject, v("population-groups", "²")))
    assert read(graph) == {"population_groups": ["²"]}


# ---------------------------------------------------------------- literals
def test_literals_are_python_values_and_ill_typed_ones_their_text():
    graph = rdflib.Graph()
    graph.add((DS, CDT.sampleSize, Literal("many", datatype=XSD.nonNegativeInteger)))
    graph.add((DS, CDT.probabilitySample, Literal("true", datatype=XSD.boolean)))
    graph.add((DS, CDT.anonymised, Literal(False)))
    assert read(graph) == {"sample_size": "many", "probability_sample": True, "ethics": {"anonymised": False}}


# ---------------------------------------------------------------- engagement
def activity(graph: rdflib.Graph, stage=None, level=None, actors=(), typed=True) -> BNode:
    node = BNode()
    graph.add((DS, PROV.wasGeneratedBy, node))
    graph.add((node, RDF.type, PROV.Activity))
    if typed:
        graph.add((node, RDF.type, CDT.EngagementActivity))
    if stage is not None:
        graph.add((node, DCTERMS.type, stage))
    if level is not None:
        graph.add((node, CDT.engagementLevel, level))
    for actor in actors:
        graph.add((node, CDT.actorType, actor))
    return node


def test_engagement_comes_in_the_order_of_the_value_chain():
    graph = rdflib.Graph()
    for stage in ("use", "analyse", "collect", "identify-needs"):
        activity(graph, v("engagement-stages", stage), v("engagement-levels", "3"))
    assert [e["stage"] for e in read(graph)["engagement"]] == ["identify-needs", "collect", "analyse", "use"]


def test_a_stage_the_vocabulary_lacks_comes_after_the_known_ones():
    graph = rdflib.Graph()
    for stage in ("use", "unknown-stage", "collect"):
        activity(graph, v("engagement-stages", stage), v("engagement-levels", "3"))
    assert [e["stage"] for e in read(graph)["engagement"]] == ["collect", "use", "unknown-stage"]


def test_activities_that_are_not_ours_are_ignored():
    graph = rdflib.Graph()
    activity(graph, v("engagement-stages", "design"), typed=False)             # another profile's activity
    activity(graph, URIRef("http://id.unece.org/models/gsbpm/2"))             # a stage of another scheme
    activity(graph)                                                           # no stage at all
    activity(graph, v("engagement-stages", "collect"), v("actor-types", "cso"),
             actors=[v("actor-types", "community"), v("engagement-levels", "5"), URIRef("http://example.org/x")])
    assert read(graph) == {"engagement": [{"stage": "collect", "actors": ["community"]}]}  # level of another scheme


def test_an_engagement_level_is_read_as_a_number():
    graph = rdflib.Graph()
    activity(graph, v("engagement-stages", "design"), v("engagement-levels", "4"))
    assert read(graph)["engagement"] == [{"stage": "design", "level": 4}]


# ---------------------------------------------------------------- partners
def attribution(graph: rdflib.Graph, role, agent, name=None) -> BNode:
    node = BNode()
    graph.add((DS, PROV.qualifiedAttribution, node))
    graph.add((node, DCAT.hadRole, role))
    graph.add((node, PROV.agent, agent))
    if name is not None:
        graph.add((agent, FOAF.name, Literal(name)))
    return node


def test_partners_are_the_attributions_with_a_partner_role_and_a_named_agent():
    graph = rdflib.Graph()
    attribution(graph, URIRef(INSPIRE_PUBLISHER), BNode(), "A publisher")          # not one of our roles
    attribution(graph, v("partner-roles", "funder"), BNode())                      # an agent without a name
    attribution(graph, v("partner-roles", "funder"), URIRef("https://funder.example.org/"), "Zeta Fund")
    attribution(graph, v("partner-roles", "collector"), BNode(), "Alpha collective")
    assert read(graph) == {"partners": [{"name": "Alpha collective", "role": "collector"},
                                        {"name": "Zeta Fund", "role": "funder",
                                         "uri": "https://funder.example.org/"}]}


# ---------------------------------------------------------------- in_series
def test_series_of_this_catalog_read_as_ids_others_as_iris():
    graph = rdflib.Graph()
    graph.add((DS, DCAT.inSeries, URIRef(SITE_DATASETS + "b-series-id")))
    graph.add((DS, DCAT.inSeries, URIRef("http://other.example.org/series/1")))
    graph.add((DS, DCAT.inSeries, URIRef(SITE_DATASETS + "a-series-id")))
    assert Reader(graph, BASE).in_series(DS, SITE_DATASETS) == ["a-series-id", "b-series-id",
                                                                "http://other.example.org/series/1"]
    assert Reader(rdflib.Graph(), BASE).in_series(DS, SITE_DATASETS) == []


# ---------------------------------------------------------------- tidy()
def euro_keys(graph: rdflib.Graph) -> dict:
    """What euro_dcat_ap_3 makes of a dataset, ours and others' values mixed (its dict shapes)."""
    ours_activities = [{"uri": str(a)} for a in graph.objects(DS, PROV.wasGeneratedBy)]
    return {
        "theme": [str(v("sdg", "16")), str(EU_THEME["SOCI"]), str(v("sdg", "16.6.2"))],
        "conforms_to": [str(SDG_DSD), "http://example.org/std", str(v("cl-sex"))],
        "spatial_coverage": [{"uri": str(EU_COUNTRY["GHA"])}, {"uri": "http://sws.geonames.org/2300660/"},
                             {"uri": str(v("cl-area", "288"))}],
        "extras": [{"key": "spatial_uri", "value": str(EU_COUNTRY["BRA"])}, {"key": "spatial_text", "value": "Brazil"},
                   {"key": "harvest_note", "value": "kept"}],
        "provenance_activity": ours_activities + [{"uri": "http://example.org/activity/1"}],
        "qualified_attribution": [{"role": str(v("partner-roles", "initiator")), "agent": [{"name": "GSS"}]},
                                  {"role": INSPIRE_PUBLISHER, "agent": [{"name": "A publisher"}]}],
    }


def test_tidy_leaves_only_what_is_not_ours_in_euro_keys():
    graph = written(RECORD)
    reader = Reader(graph, BASE)
    dataset_dict = euro_keys(graph)
    reader.tidy(DS, dataset_dict, reader.dataset(DS))
    assert dataset_dict == {
        "theme": [str(EU_THEME["SOCI"])],
        "conforms_to": ["http://example.org/std"],
        "spatial_coverage": [{"uri": "http://sws.geonames.org/2300660/"}],
        "extras": [{"key": "harvest_note", "value": "kept"}],
        "provenance_activity": [{"uri": "http://example.org/activity/1"}],
        "qualified_attribution": [{"role": INSPIRE_PUBLISHER, "agent": [{"name": "A publisher"}]}],
    }


def test_tidy_removes_a_key_left_empty_and_spatial_extras_of_a_place_not_ours():
    graph = written(RECORD)
    reader = Reader(graph, BASE)
    dataset_dict = {"theme": [str(v("sdg", "16"))], "conforms_to": [str(SDG_DSD)],
                    "extras": [{"key": "spatial_uri", "value": "http://sws.geonames.org/2300660/"},
                               {"key": "spatial_text", "value": "Accra"}]}
    reader.tidy(DS, dataset_dict, reader.dataset(DS))
    assert dataset_dict == {"extras": [{"key": "spatial_uri", "value": "http://sws.geonames.org/2300660/"},
                                       {"key": "spatial_text", "value": "Accra"}]}


def test_tidy_keeps_standards_the_record_does_not_imply():
    """A dct:conformsTo of one of our code lists that no dimension of the record explains is not ours to drop."""
    graph = written({"initiative_type": "social-audit", "engagement": [{"stage": "use", "level": 1}]})
    graph.add((DS, DCTERMS.conformsTo, v("cl-sex")))
    reader = Reader(graph, BASE)
    dataset_dict = {"conforms_to": [str(v("cl-sex"))]}
    reader.tidy(DS, dataset_dict, reader.dataset(DS))
    assert dataset_dict == {"conforms_to": [str(v("cl-sex"))]}


def test_tidy_keeps_a_theme_of_ours_that_no_field_reads():
    graph = rdflib.Graph()
    graph.add((DS, DCAT.theme, v("initiative-types", "social-audit")))   # we write initiative types as dct:subject
    reader = Reader(graph, BASE)
    record = reader.dataset(DS)
    dataset_dict = {"theme": [str(v("initiative-types", "social-audit"))]}
    reader.tidy(DS, dataset_dict, record)
    assert record == {} and dataset_dict == {"theme": [str(v("initiative-types", "social-audit"))]}
