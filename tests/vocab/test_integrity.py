"""vocab.integrity: a valid scheme passes; each rule, broken on purpose, is reported with its IRI and rule name."""
import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, SKOS

from ckanext.citizendata.namespaces import CDT, QB, VOCAB, VOCAB_BASE
from ckanext.citizendata.vocab.integrity import (check_scheme_graph, load_scheme_files, notation_segment,
                                                 unresolved_code_lists)

S = VOCAB["t"]
A, B, C = VOCAB["t/a"], VOCAB["t/b"], VOCAB["t/c"]
OTHER = VOCAB["other"]

VALID = """
@prefix cdt: <https://w3id.org/citizendata/ns#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix qb: <http://purl.org/linked-data/cube#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix t: <https://w3id.org/citizendata/vocab/t/> .

<https://w3id.org/citizendata/vocab/t> a skos:ConceptScheme ;
    dct:identifier "t" ; owl:versionInfo "1.0" ; cdt:sdmxAgency "%(agency)s" ; cdt:sdmxId "T" ;
    dct:title "Test"@en, "Prueba"@es, "Essai"@fr, "اختبار"@ar ;
    dct:description "A test scheme."@en ;
    skos:hasTopConcept t:a .

t:a a skos:Concept ; skos:inScheme <https://w3id.org/citizendata/vocab/t> ;
    skos:topConceptOf <https://w3id.org/citizendata/vocab/t> ; skos:notation "a" ; cdt:order 1 ;
    skos:prefLabel "A"@en, "A-es"@es, "A-fr"@fr, "أ"@ar ; skos:definition "The first."@en .

t:b a skos:Concept ; skos:inScheme <https://w3id.org/citizendata/vocab/t> ; skos:broader t:a ;
    skos:notation "b" ; cdt:order 2 ; qb:codeList <https://w3id.org/citizendata/vocab/cl-sex> ;
    skos:prefLabel "B"@en, "B-es"@es, "B-fr"@fr, "ب"@ar ; skos:definition "The second."@en .

t:c a skos:Concept ; skos:inScheme <https://w3id.org/citizendata/vocab/t> ; skos:broader t:b ;
    skos:notation "c" ; cdt:order 3 ;
    skos:prefLabel "C"@en, "C-es"@es, "C-fr"@fr, "ج"@ar ; skos:definition "The third."@en .
"""


def valid_graph(agency="CITIZENDATA"):
    return rdflib.Graph().parse(data=VALID % {"agency": agency}, format="turtle")


def reported(problems, rule, subject):
    """True when a problem names ``subject`` and ``[rule]`` (the message format is ``<IRI>: [<rule>] ...``)."""
    return any(p.startswith(f"{subject}: [{rule}] ") for p in problems)


def replace(graph, subject, predicate, value):
    graph.remove((subject, predicate, None))
    if value is not None:
        graph.add((subject, predicate, value))
    return graph


def remove_label(graph, subject, predicate, lang):
    for value in list(graph.objects(subject, predicate)):
        if value.language == lang:
            graph.remove((subject, predicate, value))
    return graph


@pytest.mark.parametrize("agency", ["CITIZENDATA", "IAEG-SDGs"])
def test_valid_scheme_has_no_problems(agency):
    assert check_scheme_graph(valid_graph(agency)) == []


def test_languages_and_definitions_only_required_for_our_own_schemes():
    graph = valid_graph("IAEG-SDGs")
    for concept in (A, B, C):
        remove_label(graph, concept, SKOS.prefLabel, "ar")
        graph.remove((concept, SKOS.definition, None))
    remove_label(graph, S, DCTERMS.title, "fr")
    assert check_scheme_graph(graph) == []


def test_notation_segment_percent_encodes_outside_unreserved():
    assert notation_segment("_T") == "_T"
    assert notation_segment("16.a.1") == "16.a.1"
    assert notation_segment("Y_GE65~") == "Y_GE65~"
    assert notation_segment("a b/c?é") == "a%20b%2Fc%3F%C3%A9"


def test_encoded_notation_iri_is_accepted():
    graph = valid_graph()
    odd = URIRef(f"{S}/{notation_segment('x y')}")
    for s, p, o in list(graph.triples((C, None, None))):
        graph.add((odd, p, Literal("x y") if p == SKOS.notation else o))
    graph.remove((C, None, None))
    assert check_scheme_graph(graph) == []


# ---------------------------------------------------------------- one broken graph per rule
def no_scheme(g):
    return g.remove((S, RDF.type, SKOS.ConceptScheme))


def two_schemes(g):
    return g.add((OTHER, RDF.type, SKOS.ConceptScheme))


def two_versions(g):
    return g.add((S, OWL.versionInfo, Literal("2.0")))


def wrong_identifier(g):
    return replace(g, S, DCTERMS.identifier, Literal("other"))


def bad_identifier(g):
    return replace(g, S, DCTERMS.identifier, Literal("Not An Id"))


def title_without_arabic(g):
    return remove_label(g, S, DCTERMS.title, "ar")


def no_description(g):
    return replace(g, S, DCTERMS.description, None)


def untyped_member(g):
    return g.remove((C, RDF.type, SKOS.Concept))


def no_in_scheme(g):
    return replace(g, B, SKOS.inScheme, None)


def two_in_scheme(g):
    return g.add((B, SKOS.inScheme, OTHER))


def other_in_scheme(g):
    return replace(g, B, SKOS.inScheme, OTHER)


def two_english_labels(g):
    return g.add((B, SKOS.prefLabel, Literal("Bee", lang="en")))


def no_english_label(g):
    return remove_label(g, B, SKOS.prefLabel, "en")


def no_arabic_label(g):
    return remove_label(g, B, SKOS.prefLabel, "ar")


def no_spanish_label(g):
    return remove_label(g, B, SKOS.prefLabel, "es")


def no_definition(g):
    return replace(g, B, SKOS.definition, None)


def no_notation(g):
    return replace(g, B, SKOS.notation, None)


def two_notations(g):
    return g.add((B, SKOS.notation, Literal("b2")))


def notation_not_in_iri(g):
    return replace(g, B, SKOS.notation, Literal("x"))


def duplicate_notation(g):
    return replace(g, C, SKOS.notation, Literal("b"))


def broader_outside_scheme(g):
    return replace(g, C, SKOS.broader, VOCAB["other/x"])


def broader_missing(g):
    return replace(g, C, SKOS.broader, VOCAB["t/zzz"])


def broader_cycle(g):
    return g.add((B, SKOS.broader, C))


def self_broader(g):
    return g.add((C, SKOS.broader, C))


def top_without_has_top(g):
    return g.remove((S, SKOS.hasTopConcept, A))


def has_top_without_top_of(g):
    return g.remove((A, SKOS.topConceptOf, S))


def top_of_other_scheme(g):
    return g.add((A, SKOS.topConceptOf, OTHER))


def top_with_broader(g):
    g.add((S, SKOS.hasTopConcept, B))
    return g.add((B, SKOS.topConceptOf, S))


def orphan(g):
    return replace(g, C, SKOS.broader, None)


def ghost_top(g):
    return g.add((S, SKOS.hasTopConcept, VOCAB["t/ghost"]))


def foreign_code_list(g):
    return replace(g, B, QB.codeList, URIRef("http://example.org/codelists/cl-sex"))


def code_list_not_an_id(g):
    return replace(g, B, QB.codeList, VOCAB["cl-sex/F"])


def code_list_literal(g):
    return replace(g, B, QB.codeList, Literal("cl-sex"))


def order_not_integer(g):
    return replace(g, B, CDT.order, Literal("second"))


def two_orders(g):
    return g.add((B, CDT.order, Literal(7)))


def duplicate_order(g):
    return replace(g, C, CDT.order, Literal(2))


BROKEN = [
    ("scheme-count", no_scheme, "(graph)"),
    ("scheme-count", two_schemes, "(graph)"),
    ("scheme-metadata", two_versions, S),
    ("scheme-iri", wrong_identifier, S),
    ("scheme-iri", bad_identifier, S),
    ("scheme-labels", title_without_arabic, S),
    ("scheme-labels", no_description, S),
    ("concept-type", untyped_member, C),
    ("in-scheme", no_in_scheme, B),
    ("in-scheme", two_in_scheme, B),
    ("in-scheme", other_in_scheme, B),
    ("pref-label-unique", two_english_labels, B),
    ("pref-label-en", no_english_label, B),
    ("own-languages", no_arabic_label, B),
    ("own-languages", no_spanish_label, B),
    ("definition-en", no_definition, B),
    ("notation", no_notation, B),
    ("notation", two_notations, B),
    ("concept-iri", notation_not_in_iri, B),
    ("notation-unique", duplicate_notation, B),
    ("broader-target", broader_outside_scheme, C),
    ("broader-target", broader_missing, C),
    ("broader-cycle", broader_cycle, B),
    ("broader-cycle", self_broader, C),
    ("top-concept", top_without_has_top, A),
    ("top-concept", has_top_without_top_of, A),
    ("top-concept", top_of_other_scheme, A),
    ("top-concept", top_with_broader, B),
    ("top-concept", orphan, C),
    ("top-concept", ghost_top, VOCAB["t/ghost"]),
    ("code-list", foreign_code_list, B),
    ("code-list", code_list_not_an_id, B),
    ("code-list", code_list_literal, B),
    ("order", order_not_integer, B),
    ("order", two_orders, B),
    ("order", duplicate_order, B),
]


@pytest.mark.parametrize("rule, breaker, subject", BROKEN, ids=[f"{r}-{b.__name__}" for r, b, _ in BROKEN])
def test_broken_graph_reports_rule_and_iri(rule, breaker, subject):
    graph = valid_graph()
    breaker(graph)
    problems = check_scheme_graph(graph)
    assert reported(problems, rule, subject), problems


@pytest.mark.parametrize("name, predicate", [("dct:identifier", DCTERMS.identifier),
                                             ("owl:versionInfo", OWL.versionInfo),
                                             ("cdt:sdmxAgency", CDT.sdmxAgency), ("cdt:sdmxId", CDT.sdmxId)])
def test_missing_scheme_metadata(name, predicate):
    problems = check_scheme_graph(replace(valid_graph(), S, predicate, None))
    assert f"{S}: [scheme-metadata] missing {name}" in problems


def test_english_label_required_in_imported_schemes_too():
    problems = check_scheme_graph(no_english_label(valid_graph("IAEG-SDGs")))
    assert reported(problems, "pref-label-en", B), problems


def test_cycle_reported_once():
    problems = check_scheme_graph(broader_cycle(valid_graph()))
    assert len([p for p in problems if "[broader-cycle]" in p]) == 1, problems


# ---------------------------------------------------------------- files
def test_load_scheme_files_keys_by_identifier_and_rejects_duplicates(tmp_path):
    (tmp_path / "t.ttl").write_text(VALID % {"agency": "CITIZENDATA"}, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a scheme", encoding="utf-8")
    graphs = load_scheme_files(str(tmp_path))
    assert list(graphs) == ["t"]
    assert check_scheme_graph(graphs["t"]) == []
    (tmp_path / "t-copy.ttl").write_text(VALID % {"agency": "CITIZENDATA"}, encoding="utf-8")
    with pytest.raises(ValueError, match="already used"):
        load_scheme_files(str(tmp_path))


def test_unresolved_code_lists_across_files(tmp_path):
    (tmp_path / "t.ttl").write_text(VALID % {"agency": "CITIZENDATA"}, encoding="utf-8")
    graphs = load_scheme_files(str(tmp_path))
    problems = unresolved_code_lists(graphs, VOCAB_BASE)
    assert reported(problems, "code-list", B), problems
    graphs["cl-sex"] = rdflib.Graph()
    assert unresolved_code_lists(graphs, VOCAB_BASE) == []
