"""vocab/rdf_out.py: a scheme's Turtle served as Turtle, JSON-LD, RDF/XML or N-Triples, each with its registered
media type and a body that is the same graph (blank nodes, language tags, datatypes and escaped IRIs kept)."""
import importlib.resources

import pytest
import rdflib
from rdflib.compare import isomorphic

from ckanext.citizendata.namespaces import CDT
from ckanext.citizendata.vocab.rdf_out import FORMATS, MEDIA_TYPES, serialize

# fmt -> (how rdflib reads the body back, the IANA media type of the format)
EXPECTED = {
    "ttl": ("turtle", "text/turtle"),
    "jsonld": ("json-ld", "application/ld+json"),
    "rdf": ("xml", "application/rdf+xml"),
    "nt": ("nt", "application/n-triples"),
}

# no prefix declared: what a serializer names the namespaces is up to rdf_out's prefixes
HAND_MADE = """
<https://w3id.org/citizendata/vocab/demo> a <http://www.w3.org/2004/02/skos/core#ConceptScheme> .
<https://w3id.org/citizendata/vocab/demo/a%20b%2Fc>
    a <http://www.w3.org/2004/02/skos/core#Concept> ;
    <http://www.w3.org/2004/02/skos/core#inScheme> <https://w3id.org/citizendata/vocab/demo> ;
    <http://www.w3.org/2004/02/skos/core#notation> "a b/c" ;
    <http://www.w3.org/2004/02/skos/core#prefLabel> "Participation"@en, "مشاركة"@ar, "Participación"@es ;
    <https://w3id.org/citizendata/ns#order> 3 ;
    <https://w3id.org/citizendata/ns#meetsCopenhagenDefinition> true ;
    <http://www.w3.org/2004/02/skos/core#note> [ <http://www.w3.org/2000/01/rdf-schema#label> "a \\"quoted\\" note" ] .
"""


def vocabulary_file(scheme: str) -> str:
    return (importlib.resources.files("ckanext.citizendata.vocabularies") / f"{scheme}.ttl").read_text("utf-8")


def turtle_graph(text: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=text, format="turtle")


def test_the_formats_are_the_four_with_their_registered_media_types():
    assert {fmt: media for fmt, (_, media) in FORMATS.items()} == {k: v[1] for k, v in EXPECTED.items()}


def test_media_types_map_back_to_their_format():
    assert MEDIA_TYPES == {media: fmt for fmt, (_, media) in EXPECTED.items()}
    assert len(MEDIA_TYPES) == len(FORMATS)  # no two formats share a media type


@pytest.mark.parametrize("fmt", sorted(EXPECTED))
@pytest.mark.parametrize("source", ["hand-made", "engagement-stages", "engagement-levels"])
def test_each_format_carries_the_same_graph(fmt, source):
    turtle = HAND_MADE if source == "hand-made" else vocabulary_file(source)
    body, media_type = serialize(turtle, fmt)
    rdflib_format, expected_media_type = EXPECTED[fmt]
    assert media_type == expected_media_type
    assert isinstance(body, str) and body.strip()
    got, expected = rdflib.Graph().parse(data=body, format=rdflib_format), turtle_graph(turtle)
    assert len(got) == len(expected) > 5
    assert isomorphic(got, expected)


def test_turtle_is_served_as_it_was_written():
    """Turtle goes out as the registry holds it: its comments and layout too."""
    turtle = vocabulary_file("engagement-levels")
    body, _ = serialize(turtle, "ttl")
    assert body is turtle


@pytest.mark.parametrize("fmt", ["jsonld", "rdf", "nt"])
def test_labels_in_every_language_keep_their_tags(fmt):
    body, _ = serialize(HAND_MADE, fmt)
    graph = rdflib.Graph().parse(data=body, format=EXPECTED[fmt][0])
    labels = {(str(o), o.language) for o in graph.objects(None, rdflib.URIRef(
        "http://www.w3.org/2004/02/skos/core#prefLabel"))}
    assert labels == {("Participation", "en"), ("مشاركة", "ar"), ("Participación", "es")}


def test_rdf_xml_names_our_namespace_with_our_prefix():
    body, _ = serialize(HAND_MADE, "rdf")
    assert f'xmlns:cdt="{CDT}"' in body
    assert "<cdt:order " in body


def test_an_unknown_format_is_not_served():
    with pytest.raises(KeyError):
        serialize(HAND_MADE, "pdf")
