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
def added(*triple):
    """An edit that adds one triple."""
    return lambda g: g.add(triple)


def removed(*triple):
    """An edit that removes one triple."""
    return lambda g: g.remove(triple)


def replaced(subject, predicate, value):
    """An edit that replaces every value of ``predicate`` (``None``: removes them)."""
    return lambda g: replace(g, subject, predicate, value)


def unlabelled(subject, predicate, lang):
    """An edit that removes the labels of one language."""
    return lambda g: remove_label(g, subject, predicate, lang)


NO_ENGLISH_LABEL = unlabelled(B, SKOS.prefLabel, "en")
BROADER_CYCLE = added(B, SKOS.broader, C)

# (rule, name of the case, the edits that break the valid graph, the IRI the problem must name)
BROKEN = [
    ("scheme-count", "no-scheme", [removed(S, RDF.type, SKOS.ConceptScheme)], "(graph)"),
    ("scheme-count", "two-schemes", [added(OTHER, RDF.type, SKOS.ConceptScheme)], "(graph)"),
    ("scheme-metadata", "two-versions", [added(S, OWL.versionInfo, Literal("2.0"))], S),
    ("scheme-iri", "wrong-identifier", [replaced(S, DCTERMS.identifier, Literal("other"))], S),
    ("scheme-iri", "bad-identifier", [replaced(S, DCTERMS.identifier, Literal("Not An Id"))], S),
    ("scheme-labels", "title-without-arabic", [unlabelled(S, DCTERMS.title, "ar")], S),
    ("scheme-labels", "no-description", [replaced(S, DCTERMS.description, None)], S),
    ("concept-type", "untyped-member", [removed(C, RDF.type, SKOS.Concept)], C),
    ("in-scheme", "no-in-scheme", [replaced(B, SKOS.inScheme, None)], B),
    ("in-scheme", "two-in-scheme", [added(B, SKOS.inScheme, OTHER)], B),
    ("in-scheme", "other-in-scheme", [replaced(B, SKOS.inScheme, OTHER)], B),
    ("pref-label-unique", "two-english-labels", [added(B, SKOS.prefLabel, Literal("Bee", lang="en"))], B),
    ("pref-label-en", "no-english-label", [NO_ENGLISH_LABEL], B),
    ("own-languages", "no-arabic-label", [unlabelled(B, SKOS.prefLabel, "ar")], B),
    ("own-languages", "no-spanish-label", [unlabelled(B, SKOS.prefLabel, "es")], B),
    ("definition-en", "no-definition", [replaced(B, SKOS.definition, None)], B),
    ("notation", "no-notation", [replaced(B, SKOS.notation, None)], B),
    ("notation", "two-notations", [added(B, SKOS.notation, Literal("b2"))], B),
    ("concept-iri", "notation-not-in-iri", [replaced(B, SKOS.notation, Literal("x"))], B),
    ("notation-unique", "duplicate-notation", [replaced(C, SKOS.notation, Literal("b"))], B),
    ("broader-target", "broader-outside-scheme", [replaced(C, SKOS.broader, VOCAB["other/x"])], C),
    ("broader-target", "broader-missing", [replaced(C, SKOS.broader, VOCAB["t/zzz"])], C),
    ("broader-cycle", "broader-cycle", [BROADER_CYCLE], B),
    ("broader-cycle", "self-broader", [added(C, SKOS.broader, C)], C),
    ("top-concept", "top-without-has-top", [removed(S, SKOS.hasTopConcept, A)], A),
    ("top-concept", "has-top-without-top-of", [removed(A, SKOS.topConceptOf, S)], A),
    ("top-concept", "top-of-other-scheme", [added(A, SKOS.topConceptOf, OTHER)], A),
    ("top-concept", "top-with-broader", [added(S, SKOS.hasTopConcept, B), added(B, SKOS.topConceptOf, S)], B),
    ("top-concept", "orphan", [replaced(C, SKOS.broader, None)], C),
    ("top-concept", "ghost-top", [added(S, SKOS.hasTopConcept, VOCAB["t/ghost"])], VOCAB["t/ghost"]),
    ("code-list", "foreign-code-list", [replaced(B, QB.codeList, URIRef("http://example.org/codelists/cl-sex"))], B),
    ("code-list", "code-list-not-an-id", [replaced(B, QB.codeList, VOCAB["cl-sex/F"])], B),
    ("code-list", "code-list-literal", [replaced(B, QB.codeList, Literal("cl-sex"))], B),
    ("order", "order-not-integer", [replaced(B, CDT.order, Literal("second"))], B),
    ("order", "two-orders", [added(B, CDT.order, Literal(7))], B),
    ("order", "duplicate-order", [replaced(C, CDT.order, Literal(2))], B),
]


def broken(graph, *edits):
    """``graph`` with ``edits`` applied."""
    for edit in edits:
        edit(graph)
    return graph


@pytest.mark.parametrize("rule, case, edits, subject", BROKEN, ids=[f"{rule}-{case}" for rule, case, _, _ in BROKEN])
def test_broken_graph_reports_rule_and_iri(rule, case, edits, subject):
    problems = check_scheme_graph(broken(valid_graph(), *edits))
    assert reported(problems, rule, subject), problems


@pytest.mark.parametrize("name, predicate", [("dct:identifier", DCTERMS.identifier),
                                             ("owl:versionInfo", OWL.versionInfo),
                                             ("cdt:sdmxAgency", CDT.sdmxAgency), ("cdt:sdmxId", CDT.sdmxId)])
def test_missing_scheme_metadata(name, predicate):
    problems = check_scheme_graph(replace(valid_graph(), S, predicate, None))
    assert f"{S}: [scheme-metadata] missing {name}" in problems


def test_english_label_required_in_imported_schemes_too():
    problems = check_scheme_graph(broken(valid_graph("IAEG-SDGs"), NO_ENGLISH_LABEL))
    assert reported(problems, "pref-label-en", B), problems


def test_cycle_reported_once():
    problems = check_scheme_graph(broken(valid_graph(), BROADER_CYCLE))
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
