"""ingest/harvest/dcat_record.py: ckanext-dcat's dict of a dataset made a record our scheming schema takes: texts in
the preferred language, keys and subfields of the schema only, one order, bad values out with a warning each."""
from __future__ import annotations

import doctest

import pytest
import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF

from ckanext.citizendata.ingest.harvest import dcat_record
from ckanext.citizendata.ingest.harvest.dcat_record import choose_text, is_date, keywords, shape, to_record
from ckanext.citizendata.ingest.harvest.listing import DATASET, SERIES

DS = URIRef("https://data.example.org/dataset/1")
AGENT = URIRef("https://data.example.org/org/1")


def test_the_first_preferred_language_then_untagged_then_any():
    texts = [Literal("Titel", lang="de"), Literal("Titre", lang="fr-CH"), Literal("Title")]
    assert choose_text(texts, ["fr", "de"]) == ("Titre", [])           # fr takes fr-CH
    assert choose_text(texts, ["de"]) == ("Titel", [])
    assert choose_text(texts, ["it"]) == ("Title", [])                 # untagged before other languages
    assert choose_text(texts[:2], ["it"]) == ("Titel", [])             # then any, always the same one
    assert choose_text([Literal("  "), URIRef("https://x.example/")], ["en"]) == (None, [])
    assert choose_text([Literal("B", lang="en"), Literal("A", lang="en")], ["en"]) == ("A", ["B"])


def test_keywords_in_the_preferred_languages_or_untagged_split_and_checked():
    graph = rdflib.Graph()
    for word in (Literal("water, sanitation", lang="en"), Literal("eau", lang="fr"), Literal("wasser", lang="de"),
                 Literal("WASH"), Literal("a/b"), Literal("x")):
        graph.add((DS, DCAT.keyword, word))
    assert keywords(graph, DS, ["en", "fr"]) == (["WASH", "eau", "sanitation", "water"], ["a/b", "x"])


@pytest.mark.parametrize("value, valid", [
    ("2021", True), ("2021-04", True), ("2021-04-30", True), ("2021-04-30T10:00:00", True),
    ("2021-04-30T10:00:00+02:00", True), ("2021-04-31", False), ("2021-13", False), ("31.12.2020", False),
    ("unknown", False), ("", False)])
def test_dates_are_iso_8601(value, valid):
    assert is_date(value) is valid


def test_the_shapes_are_the_scheming_schemas():
    dataset, series = shape(DATASET), shape(SERIES)
    assert dataset.fields["publisher"] == ("name", "email", "url", "uri")
    assert dataset.fields["title"] == ()
    for key in ("title", "license_id", "engagement", "sdg_indicators", "tags", "resources"):
        assert dataset.takes(key), key
    for key in ("name", "owner_org", "id", "in_series", "tag_string", "sdg_goals", "extras", "spatial_coverage"):
        assert not dataset.takes(key), key
    assert series.takes("open_membership") and not dataset.takes("open_membership")
    assert not series.takes("sample_size") and dataset.takes("sample_size")
    assert dataset.resource_keys == {"url", "name", "description", "format", "mimetype"}


def graph_of_one_dataset() -> tuple[rdflib.Graph, BNode]:
    graph = rdflib.Graph()
    distribution = BNode()
    graph.add((DS, DCTERMS.title, Literal("Water points", lang="en")))
    graph.add((DS, DCTERMS.title, Literal("Points d'eau", lang="fr")))
    graph.add((DS, DCTERMS.description, Literal("Reported by residents.")))
    graph.add((DS, DCTERMS.publisher, AGENT))
    graph.add((AGENT, FOAF.name, Literal("Water Watch", lang="en")))
    graph.add((AGENT, FOAF.name, Literal("Veille de l'eau", lang="fr")))
    graph.add((DS, DCTERMS.publisher, Literal("A second publisher, in plain text")))
    graph.add((DS, DCAT.distribution, distribution))
    graph.add((distribution, DCTERMS.title, Literal("Responses", lang="en")))
    graph.add((distribution, DCTERMS.title, Literal("Réponses", lang="fr")))
    graph.add((distribution, DCTERMS.license, URIRef("https://licences.example/own")))
    return graph, distribution


def parsed_dict(distribution) -> dict:
    """What ckanext-dcat's parser gives for the graph above (with keys our schema lacks)."""
    return {
        "title": "Water points", "notes": "Reported by residents.", "tags": [{"name": "ignored"}],
        "license_id": "", "name": "water-points", "owner_org": "x", "id": "y", "extras": [{"key": "uri", "value": ""}],
        "issued": "2023-01-01", "modified": "yesterday", "theme": ["https://t.example/b", "https://t.example/a",
                                                                   "https://t.example/b"],
        "spatial_coverage": [{"uri": "https://geo.example/1"}], "provenance_activity": [{"uri": "_:a"}],
        "publisher": [{"uri": str(AGENT), "name": "Veille de l'eau", "email": "", "url": "", "type": "t",
                       "identifier": "", "name_translated": {"fr": "Veille de l'eau"}},
                      {"uri": "", "name": "", "email": "", "url": "", "type": "", "identifier": ""}],
        "temporal_coverage": [{"start": "2020-02-30", "end": "2020-12-31"}, {"start": "nope"}],
        "sdg_indicators": ["16.6.2"], "sdg_goals": ["16"], "sample_size": "many", "in_series": ["https://s.example/1"],
        "resources": [{"name": "Réponses", "url": "https://files.example/r.csv", "access_url": "https://files.example/",
                       "format": "http://publications.europa.eu/resource/authority/file-type/CSV",
                       "mimetype": "https://www.iana.org/assignments/media-types/text/csv", "size": 10,
                       "uri": "", "distribution_ref": str(distribution)}],
    }


def test_a_parsed_dataset_becomes_a_record_with_warnings():
    graph, distribution = graph_of_one_dataset()
    record, warnings = to_record(parsed_dict(distribution), graph, DS, DATASET, ["fr"])
    assert record == {
        "title": "Points d'eau", "notes": "Reported by residents.", "issued": "2023-01-01",
        "theme": ["https://t.example/a", "https://t.example/b"],
        "publisher": [{"name": "A second publisher, in plain text"},
                      {"name": "Veille de l'eau", "uri": str(AGENT)}],
        "temporal_coverage": [{"end": "2020-12-31"}],
        "sdg_indicators": ["16.6.2"],
        "resources": [{"name": "Réponses", "url": "https://files.example/r.csv", "format": "CSV",
                       "mimetype": "text/csv"}],
    }
    assert warnings == [
        "license_id: <https://licences.example/own> is not a licence of this catalog's licence register; dropped",
        "modified: 'yesterday' is not an ISO 8601 date; dropped",
        "temporal_coverage: start '2020-02-30' is not an ISO 8601 date; dropped",
        "temporal_coverage: start 'nope' is not an ISO 8601 date; dropped",
        "sample_size: 'many' is not of type 'integer'; dropped",
        "in_series: https://s.example/1 is a series of the source; membership is not harvested",
    ]


def test_a_series_keeps_only_what_an_initiative_takes():
    graph, distribution = graph_of_one_dataset()
    record, _ = to_record(parsed_dict(distribution), graph, DS, SERIES, ["en"])
    assert record["title"] == "Water points"
    assert "resources" in record and "sdg_indicators" in record
    assert set(record) <= set(shape(SERIES).fields) | {"tags", "resources"}


def test_the_engagement_order_is_the_profiles():
    graph = rdflib.Graph()
    graph.add((DS, DCTERMS.title, Literal("T")))
    engagement = [{"stage": "design", "level": 4}, {"stage": "collect", "level": 5, "actors": ["community"]}]
    record, _ = to_record({"engagement": engagement}, graph, DS, DATASET, ["en"])
    assert record["engagement"] == engagement


def test_the_examples_in_the_docstrings_hold():
    result = doctest.testmod(dcat_record)
    assert result.attempted >= 2 and result.failed == 0
