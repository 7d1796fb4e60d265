"""rdf/shacl.py: shapes parsed once, plain result records, a readable report, and able to fail."""
import json

import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from ckanext.citizendata.rdf import shacl

EX = rdflib.Namespace("http://example.org/")


def minimal_catalog() -> rdflib.Graph:
    """A catalog with one dataset and one distribution that meets the mandatory and range shapes."""
    g = rdflib.Graph()
    g.add((EX.catalog, RDF.type, DCAT.Catalog))
    g.add((EX.catalog, DCTERMS.title, Literal("Catalog")))
    g.add((EX.catalog, DCTERMS.description, Literal("A catalog")))
    g.add((EX.catalog, DCTERMS.publisher, EX.publisher))
    g.add((EX.publisher, RDF.type, FOAF.Agent))
    g.add((EX.publisher, FOAF.name, Literal("Publisher")))
    g.add((EX.catalog, DCAT.dataset, EX.dataset))
    g.add((EX.dataset, RDF.type, DCAT.Dataset))
    g.add((EX.dataset, DCTERMS.title, Literal("Dataset")))
    g.add((EX.dataset, DCTERMS.description, Literal("About")))
    g.add((EX.dataset, DCTERMS.issued, Literal("2024-01-01", datatype=XSD.date)))
    g.add((EX.dataset, DCAT.distribution, EX.distribution))
    g.add((EX.distribution, RDF.type, DCAT.Distribution))
    g.add((EX.distribution, DCAT.accessURL, URIRef("http://example.org/data.csv")))
    return g


def test_shapes_are_parsed_once_per_process():
    assert shacl.shapes_graph("mandatory") is shacl.shapes_graph("mandatory")
    assert len(shacl.shapes_graph("range")) > 100


def test_the_official_sets_ship_and_own_shapes_count_only_when_present():
    assert shacl.available("official") == ["mandatory", "recommended", "range"]
    own_present = shacl.shapes_path("citizendata").is_file()
    assert shacl.available("own") == (["citizendata"] if own_present else [])
    assert shacl.available("all") == ["mandatory", "recommended", "range"] + shacl.available("own")


def test_unknown_group_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown shapes group 'some'; known: official, own, all"):
        shacl.available("some")


def test_a_conforming_graph_gives_no_mandatory_or_range_result():
    graph = minimal_catalog()
    assert shacl.validate_with(graph, "mandatory") == []
    assert shacl.validate_with(graph, "range") == []


def test_a_broken_graph_gives_the_expected_results():
    graph = minimal_catalog()
    graph.remove((EX.dataset, DCTERMS.title, None))
    graph.add((EX.dataset, DCTERMS.language, Literal("en")))
    graph.add((EX.dataset, DCTERMS.issued, Literal("last year")))
    results = shacl.validate(graph, "official")
    found = {(r.shapes, r.severity, r.path, r.constraint, r.value) for r in results if r.focus == str(EX.dataset)}
    assert ("mandatory", "Violation", "dct:title", "MinCountConstraintComponent", "") in found
    assert ("mandatory", "Violation", "dct:language", "NodeKindConstraintComponent", '"en"') in found
    assert ("range", "Violation", "dct:language", "ClassConstraintComponent", '"en"') in found
    assert any(r.path == "dct:issued" and r.severity == "Violation" for r in results)
    title = next(r for r in results if r.path == "dct:title" and r.shapes == "mandatory")
    assert title.shape == ":Dataset_Shape dct:title"
    assert "dct:title" in title.message


def test_recommended_shapes_report_warnings():
    results = shacl.validate_with(minimal_catalog(), "recommended")
    keyword = [r for r in results if r.focus == str(EX.dataset) and r.path == "dcat:keyword"]
    assert [(r.severity, r.constraint) for r in keyword] == [("Warning", "MinCountConstraintComponent")]
    assert shacl.failures(results) == results  # every severity counts by default
    assert shacl.failures(results, {"Violation"}) == []


def test_results_are_plain_json_ready_records():
    graph = minimal_catalog()
    graph.remove((EX.catalog, DCTERMS.title, None))
    [result] = shacl.validate_with(graph, "mandatory")
    data = json.loads(json.dumps(result.as_dict()))
    assert data == {"shapes": "mandatory", "severity": "Violation", "focus": str(EX.catalog),
                    "path": "dct:title", "value": "", "shape": ":Catalog_Shape dct:title",
                    "constraint": "MinCountConstraintComponent", "message": result.message}


def test_text_report_groups_results_by_shape():
    graph = minimal_catalog()
    for n in (1, 2):
        node = EX[f"distribution{n}"]
        graph.add((EX.dataset, DCAT.distribution, node))
        graph.add((node, RDF.type, DCAT.Distribution))  # no access URL
    text = shacl.render_text(shacl.validate_with(graph, "mandatory"))
    lines = text.splitlines()
    assert lines[0] == ("mandatory  :Distribution_Shape dcat:accessURL  "
                        "(MinCountConstraintComponent, Violation, 2 results)")
    assert lines[1].startswith(f"  {EX.distribution1}  ") and lines[2].startswith(f"  {EX.distribution2}  ")
    assert lines[-1] == "2 results: 2 Violation"
    assert shacl.render_text([]) == "Conforms: no results."


def test_own_shapes_file_is_a_further_set(tmp_path, monkeypatch):
    own = tmp_path / "own.ttl"
    own.write_text("""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix dcat: <http://www.w3.org/ns/dcat#> .
        @prefix ex: <http://example.org/> .
        ex:NeedsVersion a sh:NodeShape ; sh:targetClass dcat:Dataset ;
            sh:property [ sh:path dcat:version ; sh:minCount 1 ] .
    """)
    paths = {"citizendata": own, "missing": tmp_path / "nothing.ttl"}
    monkeypatch.setattr(shacl, "shapes_path", lambda name: paths[name])
    monkeypatch.setitem(shacl.GROUPS, "own", ("citizendata", "missing"))
    shacl.shapes_graph.cache_clear()
    try:
        assert shacl.available("own") == ["citizendata"]
        [result] = shacl.validate(minimal_catalog(), "own")
        assert (result.shapes, result.path) == ("citizendata", "dcat:version")
        assert result.shape == "ex:NeedsVersion dcat:version"
    finally:
        shacl.shapes_graph.cache_clear()
