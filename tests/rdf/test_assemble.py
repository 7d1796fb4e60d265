"""rdf/assemble.py: documents joined from fragments equal the direct serialization of the union graph."""
import json

import pytest
import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF

from ckanext.citizendata.rdf import assemble
from ckanext.citizendata.namespaces import CDT, VOCAB

PARSE = {"turtle": "turtle", "xml": "xml", "nt": "nt", "jsonld": "json-ld"}
EX = rdflib.Namespace("http://example.org/")
ODD = rdflib.Namespace("http://unbound.example.org/terms#")  # bound by no one: rdflib would invent ns1


def dataset_graph(i: int) -> rdflib.Graph:
    """A dataset with blank nodes (contact, temporal, qualified attribution, engagement activity), a shared
    publisher IRI and a predicate of an unbound namespace."""
    g = rdflib.Graph()
    ds = EX[f"dataset/{i}"]
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal(f"Dataset {i}", lang="en")))
    g.add((ds, DCTERMS.publisher, EX["org/shared"]))
    g.add((EX["org/shared"], FOAF.name, Literal("Shared publisher")))
    contact, period, attribution, activity = BNode(), BNode(), BNode(), BNode()
    g.add((ds, DCAT.contactPoint, contact))
    g.add((contact, FOAF.name, Literal(f"Contact {i}")))
    g.add((ds, DCTERMS.temporal, period))
    g.add((period, DCAT.startDate, Literal("2020-01-01", datatype=rdflib.XSD.date)))
    g.add((ds, PROV.qualifiedAttribution, attribution))
    g.add((attribution, RDF.type, PROV.Attribution))
    g.add((attribution, DCAT.hadRole, VOCAB["partner-roles/funder"]))
    g.add((ds, PROV.wasGeneratedBy, activity))
    g.add((activity, RDF.type, VOCAB["engagement-stages/design"]))
    g.add((activity, CDT.engagementLevel, Literal(4)))
    g.add((attribution, PROV.hadActivity, activity))  # a blank node referenced twice
    g.add((ds, ODD["note"], Literal(f"odd {i}")))
    return g


def union(graphs):
    g = rdflib.Graph()
    for part in graphs:
        g += part
    return g


@pytest.mark.parametrize("fmt", sorted(assemble.SERIALIZE))
def test_assembled_document_is_isomorphic_to_the_union(fmt):
    direct = union(dataset_graph(i) for i in range(4))
    fragments = [assemble.make_fragment(dataset_graph(i), fmt, assemble.label_seed(str(i))) for i in range(4)]
    page = assemble.assemble(fmt, fragments)
    parsed = rdflib.Graph().parse(data=page, format=PARSE[fmt])
    assert len(parsed) == len(direct) == 4 * 16 - 3  # the shared publisher name is one triple, not four
    assert isomorphic(parsed, direct)


def test_without_relabelling_blank_nodes_would_merge():
    """The reason for relabelling: two fragments with equal labels describe one node."""
    fragments = []
    for i in range(2):
        g = dataset_graph(i)
        assemble.relabel_bnodes(g, "same")
        fragments.append(assemble.SERIALIZE["nt"](g))
    parsed = rdflib.Graph().parse(data=assemble.assemble("nt", fragments), format="nt")
    assert not isomorphic(parsed, union(dataset_graph(i) for i in range(2)))


def test_relabelled_labels_are_distinct_per_seed():
    a = {str(n) for t in assemble.relabel_bnodes(dataset_graph(0), "ba") for n in t if isinstance(n, BNode)}
    b = {str(n) for t in assemble.relabel_bnodes(dataset_graph(1), "bb") for n in t if isinstance(n, BNode)}
    assert len(a) == 4 and len(b) == 4 and not a & b
    assert all(label.startswith("ba") for label in a)


def test_unbound_namespaces_get_the_same_prefix_in_every_fragment():
    heads = [assemble.make_fragment(dataset_graph(i), "turtle", f"b{i}").head for i in range(3)]
    names = {prefix for head in heads for prefix, ns in head.items() if ns == str(ODD)}
    assert len(names) == 1 and not names.pop().startswith("ns1")


def test_a_prefix_with_two_meanings_is_refused():
    one = assemble.Fragment({"x": "http://a.example/"}, "")
    two = assemble.Fragment({"x": "http://b.example/"}, "")
    with pytest.raises(assemble.AssemblyError):
        assemble.assemble("turtle", [one, two])


def test_split_turtle_keeps_the_body_and_reads_the_prefixes():
    g = dataset_graph(0)
    fragment = assemble.split_turtle(g.serialize(format="turtle"))
    assert fragment.head["dcat"] == str(DCAT)
    assert "@prefix" not in fragment.body and "dcat:Dataset" in fragment.body


def test_split_xml_reads_the_root_declarations():
    fragment = assemble.split_xml(dataset_graph(0).serialize(format="pretty-xml"))
    assert fragment.head["dcat"] == str(DCAT)
    assert "rdf:RDF" not in fragment.body and "dcat:Dataset" in fragment.body


def test_jsonld_fragments_use_the_readable_keys_of_the_context():
    page = json.loads(assemble.assemble("jsonld", [assemble.make_fragment(dataset_graph(0), "jsonld", "b0")]))
    assert page["@context"] == assemble.jsonld_context()
    node = next(n for n in page["@graph"] if n.get("id") == str(EX["dataset/0"]))
    assert node["title"] == {"@language": "en", "@value": "Dataset 0"}
    assert "qualifiedAttribution" in node  # prov:qualifiedAttribution, by its readable name
    assert str(DCTERMS.title) not in node


@pytest.mark.parametrize("fmt", sorted(assemble.LINKS))
def test_catalog_links_are_the_dcat_dataset_triples(fmt):
    catalog, datasets = "http://example.org/", [str(EX[f"dataset/{i}"]) for i in range(3)]
    page = assemble.assemble(fmt, [assemble.catalog_links(fmt, catalog, datasets)])
    parsed = rdflib.Graph().parse(data=page, format=PARSE[fmt])
    assert set(parsed) == {(URIRef(catalog), DCAT.dataset, URIRef(d)) for d in datasets}


def test_fragment_format_names():
    assert [assemble.fragment_format(f) for f in ("ttl", "n3", "rdf", "xml", "jsonld", "nt", None, "trig")] == \
        ["turtle", "turtle", "xml", "xml", "jsonld", "nt", "xml", None]
