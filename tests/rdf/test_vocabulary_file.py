"""schemas/citizendata-ns.ttl: every cdt: term the profile (and the vocabularies) use is defined there, every term
defined there is used, each definition is complete, and it is served in four formats."""
from __future__ import annotations

import ast
import importlib.resources
import pathlib
import re
from functools import lru_cache

import flask
import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from ckanext.citizendata import rdf as rdf_package
from ckanext.citizendata.rdf import vocabulary_file
from ckanext.citizendata.namespaces import CDT

TERM_TYPES = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual}  # individuals: issue 14


def ns_graph() -> rdflib.Graph:
    return rdflib.Graph().parse(data=vocabulary_file.turtle(), format="turtle")


def defined_terms() -> set:
    graph = ns_graph()
    return {s for t in TERM_TYPES for s in graph.subjects(RDF.type, t) if str(s).startswith(CDT)}


def profile_terms_in_code() -> set:
    """``CDT.name`` and ``CDT["name"]`` in the profile modules (rdf/profile*.py)."""
    found = set()
    for path in pathlib.Path(rdf_package.__file__).parent.glob("profile*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "CDT":
                found.add(CDT[node.attr])
            if (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "CDT"
                    and isinstance(node.slice, ast.Constant)):
                found.add(CDT[node.slice.value])
    return found


@lru_cache(maxsize=1)
def vocabulary_terms() -> frozenset:
    """cdt: terms written in vocabularies/*.ttl (as ``cdt:name`` or as full IRIs)."""
    pattern = re.compile(r"(?:\bcdt:|<" + re.escape(str(CDT)) + r")([A-Za-z][A-Za-z0-9_]*)")
    found = set()
    for source in importlib.resources.files("ckanext.citizendata.vocabularies").iterdir():
        if source.name.endswith(".ttl"):
            found |= {CDT[name] for name in pattern.findall(source.read_text(encoding="utf-8"))}
    return frozenset(found)


def test_the_profile_uses_cdt_terms():
    assert {CDT.EngagementActivity, CDT.engagementLevel, CDT.sampleSize} <= profile_terms_in_code()


def test_every_term_used_is_defined():
    used = profile_terms_in_code() | vocabulary_terms()
    assert used - defined_terms() == set()


def test_every_term_defined_is_used():
    used = profile_terms_in_code() | vocabulary_terms()
    assert defined_terms() - used == set()


def test_the_shapes_use_only_defined_terms():
    source = importlib.resources.files("ckanext.citizendata.schemas") / "shapes" / "citizendata-shapes.ttl"
    graph = rdflib.Graph().parse(data=source.read_text(encoding="utf-8"), format="turtle")
    used = {t for triple in graph for t in triple if isinstance(t, rdflib.URIRef) and t.startswith(CDT)}
    assert used and used <= defined_terms()


@pytest.mark.parametrize("term", sorted(defined_terms()))
def test_each_term_is_fully_defined(term):
    graph = ns_graph()
    assert graph.value(term, RDFS.label).language == "en"
    assert graph.value(term, SKOS.definition) is not None or graph.value(term, RDFS.comment) is not None
    assert graph.value(term, RDFS.isDefinedBy) == rdflib.URIRef(str(CDT).rstrip("#"))
    if (term, RDF.type, OWL.Class) in graph:
        assert graph.value(term, RDFS.subClassOf) is not None
    elif (term, RDF.type, OWL.NamedIndividual) in graph:   # a motivation, role, agent, metric or dimension
        assert set(graph.objects(term, RDF.type)) - {OWL.NamedIndividual}
    else:
        assert graph.value(term, RDFS.domain) is not None and graph.value(term, RDFS.range) is not None


def test_the_ontology_header_has_version_and_licence():
    graph = ns_graph()
    [ontology] = graph.subjects(RDF.type, OWL.Ontology)
    assert str(ontology) == str(CDT).rstrip("#")
    assert graph.value(ontology, OWL.versionInfo) is not None and graph.value(ontology, DCTERMS.license) is not None


@pytest.mark.parametrize("fmt, rdflib_format", [("ttl", "turtle"), ("rdf", "xml"), ("jsonld", "json-ld"),
                                                ("nt", "nt")])
def test_served_in_each_format_is_the_same_graph(fmt, rdflib_format):
    body, media_type = vocabulary_file.ns_response(fmt)
    assert isomorphic(rdflib.Graph().parse(data=body, format=rdflib_format), ns_graph()), media_type


@pytest.fixture
def client():
    app = flask.Flask(__name__)
    blueprint = flask.Blueprint("ns_test", __name__)
    vocabulary_file.register(blueprint)
    app.register_blueprint(blueprint)
    return app.test_client()


@pytest.mark.parametrize("path, accept, media_type", [
    ("/ns", "application/ld+json", "application/ld+json"),
    ("/ns", "application/rdf+xml", "application/rdf+xml"),
    ("/ns", "text/html,application/xhtml+xml,*/*;q=0.8", "text/turtle"),
    ("/ns", None, "text/turtle"),
    ("/ns.nt", "application/ld+json", "application/n-triples"),
    ("/ns.ttl", None, "text/turtle"),
])
def test_the_route_negotiates(client, path, accept, media_type):
    response = client.get(path, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200 and response.mimetype == media_type
    # Vary: Accept is set for /ns (not /ns.<fmt>) by web/negotiation.py, on CKAN's app: tests/web/test_negotiation.py


def test_an_unknown_format_is_404(client):
    assert client.get("/ns.pdf").status_code == 404
