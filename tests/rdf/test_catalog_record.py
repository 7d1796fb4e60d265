"""rdf/catalog_record.py: where a harvested record comes from, in DCAT. On a graph: one dcat:CatalogRecord per
listing source (the owner first), the record at the source as dct:source, dates, the content hash, the source's
identifier. End to end: a record harvested by the engine, served by the dataset and catalog endpoints in every
format, conforms to the DCAT-AP 3 shapes and ours, and parses back to its own fields."""
from __future__ import annotations

import json

import pytest
import rdflib
from ckan.plugins import toolkit
from ckan.tests import factories
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from ckanext.citizendata.ingest.harvest import provenance
from ckanext.citizendata.namespaces import ADMS, SPDX
from ckanext.citizendata.rdf import catalog_record, shacl
from ckanext.citizendata.testing import CitizenDataset

from ..ingest.harvest.test_engine import harvest, make_source, page, sightings, spec_of
from .test_profile_records import canonical, parse, serialize
from .test_shacl import EX, minimal_catalog

HEX = "4eda5ea63f18c871f5a4a7ffb4169b020fe0ee258e08a1700dcb46e4f3e84727"
REF = URIRef("https://catalog.example/dataset/x")


def entry(n: int = 1, **more) -> dict:
    """A provenance entry as provenance.listed_at describes it."""
    return {"source_id": f"source-{n}", "source_title": f"Source {n}", "source_url": f"https://s{n}.example/",
            "guid": f"https://s{n}.example/dataset/x", "owner": n == 1,
            "original_uri": f"https://s{n}.example/dataset/x", "identifier": f"id-{n}",
            "retrieved_at": "2025-05-02T08:30:00+00:00", "upstream_modified": "2025-04-30",
            "content_hash": f"sha256:{HEX}", "job_id": "job", "warnings": [], **more}


def added(listed, ref=REF) -> rdflib.Graph:
    graph = rdflib.Graph()
    catalog_record.add(graph, ref, listed)
    return graph


def records_of(graph: rdflib.Graph, ref) -> list:
    """Our catalog records of ``ref`` (not the records at the sources they point to), in IRI order."""
    at_sources = set(graph.objects(None, DCTERMS.source))
    return sorted((r for r in graph.subjects(FOAF.primaryTopic, ref)
                   if (r, RDF.type, DCAT.CatalogRecord) in graph and r not in at_sources), key=str)


def violations(graph: rdflib.Graph) -> list:
    return [r for r in shacl.validate(graph, "all") if r.severity == "Violation"]


# ---------------------------------------------------------------- on a graph
def test_one_record_per_listing_source_the_owner_first_with_iris_under_the_dataset():
    graph = added([entry(1), entry(2)])
    first, second = records_of(graph, REF)
    assert (first, second) == (URIRef(f"{REF}#record-1"), URIRef(f"{REF}#record-2"))
    assert graph.value(first, DCTERMS.title) == Literal("Harvested from Source 1")
    assert graph.value(second, DCTERMS.title) == Literal("Harvested from Source 2")
    assert len(set(graph.subjects(RDF.type, DCAT.CatalogRecord))) == 4   # ours and the two at the sources


def test_a_dataset_without_an_iri_gets_blank_records_and_an_untitled_source_a_generic_title():
    ref = BNode()
    graph = added([entry(1, source_title=None)], ref)
    [record] = records_of(graph, ref)
    assert isinstance(record, BNode)
    assert graph.value(record, DCTERMS.title) == Literal("Harvested from a partner source")


@pytest.mark.parametrize("listed", [None, "x", {"source_title": "S"}, [], ["x", None]])
def test_anything_but_a_list_of_entries_adds_nothing(listed):
    assert len(added(listed)) == 0


def test_non_dict_items_are_skipped_and_numbering_follows_the_entries():
    graph = added(["x", entry(1), None, entry(2)])
    assert records_of(graph, REF) == [URIRef(f"{REF}#record-1"), URIRef(f"{REF}#record-2")]


def test_the_record_at_the_source_is_a_catalog_record_of_the_dataset_found_at_the_original_iri():
    graph = added([entry(1)])
    [record] = records_of(graph, REF)
    [source] = graph.objects(record, DCTERMS.source)
    assert isinstance(source, BNode)
    assert (source, RDF.type, DCAT.CatalogRecord) in graph
    assert graph.value(source, FOAF.primaryTopic) == REF
    assert graph.value(source, RDFS.seeAlso) == URIRef("https://s1.example/dataset/x")
    assert graph.value(source, DCTERMS.modified) == Literal("2025-04-30", datatype=XSD.date)
    assert graph.value(source, DCTERMS.issued) is None


@pytest.mark.parametrize("original", [None, "", "ds-1", "urn:uuid:1234", "ftp://s.example/x", "javascript:x"])
def test_no_record_at_the_source_without_an_http_iri(original):
    graph = added([entry(1, original_uri=original)])
    [record] = records_of(graph, REF)
    assert graph.value(record, DCTERMS.source) is None
    assert not list(graph.objects(None, RDFS.seeAlso))


def test_the_source_record_falls_back_to_when_we_read_it():
    graph = added([entry(1, upstream_modified=None), entry(2, upstream_modified="last Tuesday")])
    for record in records_of(graph, REF):
        source = graph.value(record, DCTERMS.source)
        assert graph.value(source, DCTERMS.modified) == graph.value(record, DCTERMS.modified)


@pytest.mark.parametrize("text, expected", [
    ("2025-05-02T08:30:00+00:00", Literal("2025-05-02T08:30:00+00:00", datatype=XSD.dateTime)),
    ("2025-05-02T08:30:00Z", Literal("2025-05-02T08:30:00+00:00", datatype=XSD.dateTime)),
    ("2025-05-02T08:30:00.250000", Literal("2025-05-02T08:30:00.250000", datatype=XSD.dateTime)),
    ("2025-05-02", Literal("2025-05-02", datatype=XSD.date)),
    ("20250502", Literal("2025-05-02", datatype=XSD.date)),
])
def test_iso_dates_and_datetimes_are_typed(text, expected):
    graph = added([entry(1, retrieved_at=text, upstream_modified=text)])
    [record] = records_of(graph, REF)
    assert graph.value(record, DCTERMS.issued) == expected
    assert graph.value(record, DCTERMS.modified) == expected
    assert graph.value(graph.value(record, DCTERMS.source), DCTERMS.modified) == expected


@pytest.mark.parametrize("text", [None, "", "yesterday", "2025-13-45", "05/02/2025", 20250502.5, "2025-05-02T25:00"])
def test_dates_that_are_not_iso_are_left_out(text):
    graph = added([entry(1, retrieved_at=text, upstream_modified=text)])
    [record] = records_of(graph, REF)
    assert graph.value(record, DCTERMS.issued) is None and graph.value(record, DCTERMS.modified) is None
    assert graph.value(graph.value(record, DCTERMS.source), DCTERMS.modified) is None


def test_the_sha256_content_hash_is_an_spdx_checksum():
    graph = added([entry(1)])
    [record] = records_of(graph, REF)
    checksum = graph.value(record, SPDX.checksum)
    assert (checksum, RDF.type, SPDX.Checksum) in graph
    assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
    assert graph.value(checksum, SPDX.checksumValue) == Literal(HEX, datatype=XSD.hexBinary)


@pytest.mark.parametrize("content_hash", [None, "", f"md5:{HEX[:32]}", HEX, f"SHA1:{HEX[:40]}"])
def test_no_checksum_for_anything_but_sha256(content_hash):
    # None: the hash is forgotten when another source takes a withdrawn record over (engine._withdraw)
    graph = added([entry(1, content_hash=content_hash)])
    [record] = records_of(graph, REF)
    assert graph.value(record, SPDX.checksum) is None
    assert not list(graph.subjects(RDF.type, SPDX.Checksum))


def test_the_identifier_of_the_owner_only_is_an_adms_identifier():
    graph = added([entry(1), entry(2)])
    [identifier] = graph.objects(REF, ADMS.identifier)
    assert (identifier, RDF.type, ADMS.Identifier) in graph
    assert list(graph.objects(identifier, SKOS.notation)) == [Literal("id-1")]
    assert len(set(graph.subjects(RDF.type, ADMS.Identifier))) == 1


def test_no_identifier_when_the_first_source_states_none():
    graph = added([entry(1, identifier=None), entry(2)])
    assert not list(graph.objects(REF, ADMS.identifier))


def test_records_on_a_conforming_catalog_keep_it_conforming():
    graph = minimal_catalog()
    catalog_record.add(graph, EX.dataset, [entry(1), entry(2, upstream_modified=None, content_hash=None)])
    assert len(records_of(graph, EX.dataset)) == 2
    found = violations(graph)
    assert not found, shacl.render_text(found)


def test_an_untyped_topic_of_a_record_is_a_violation():
    """The shapes check what the records point to (how the record at the source first failed them)."""
    graph = minimal_catalog()
    catalog_record.add(graph, EX.dataset, [entry(1)])
    source = graph.value(URIRef(f"{EX.dataset}#record-1"), DCTERMS.source)
    graph.set((source, FOAF.primaryTopic, URIRef("https://s1.example/dataset/x")))
    found = violations(graph)
    assert {(r.focus, r.path, r.constraint) for r in found if r.shapes == "mandatory"} == {
        (str(source), "foaf:primaryTopic", "NodeConstraintComponent"),
        ("https://s1.example/dataset/x", "", "OrConstraintComponent")}


def test_tidy_takes_our_identifiers_out_of_alternate_identifier_and_keeps_the_rest():
    graph = added([entry(1)])
    [node] = graph.objects(REF, ADMS.identifier)
    parsed = {"extras": [{"key": "alternate_identifier", "value": json.dumps([str(node), "other-id"])},
                         {"key": "uri", "value": str(REF)}]}
    catalog_record.tidy(graph, REF, parsed)
    assert parsed["extras"] == [{"key": "alternate_identifier", "value": '["other-id"]'},
                                {"key": "uri", "value": str(REF)}]
    only_ours = {"extras": [{"key": "alternate_identifier", "value": json.dumps([str(node)])}]}
    catalog_record.tidy(graph, REF, only_ours)
    assert only_ours["extras"] == []
    untouched = {"extras": [{"key": "alternate_identifier", "value": '["n1"]'}]}
    catalog_record.tidy(rdflib.Graph(), REF, untouched)
    assert untouched == {"extras": [{"key": "alternate_identifier", "value": '["n1"]'}]}


# ---------------------------------------------------------------- end to end: harvested, served, validated
PARSE = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld"}


@pytest.fixture
def org(clean_db):
    return factories.Organization(name="cso-harvested", title="CSO harvested")


def harvested(org, *sources, numbers=(1,), upstream="2024-03-01T10:00:00Z") -> list[dict]:
    """Harvest sightings ``numbers`` from each of ``sources`` (name, priority); their package_show dicts."""
    ids = []
    for name, priority in sources:
        source = make_source(name, priority=priority)
        items = sightings(numbers)
        for item in items:
            item.upstream_modified = upstream
        summary = harvest(source, spec_of(source, org, priority=priority), page(items))
        assert summary.errors == 0, summary.reasons
        ids = [provenance.get(source.id, item.guid).package_id for item in items]
    return [toolkit.get_action("package_show")({"ignore_auth": True}, {"id": i}) for i in ids]


def dcat_of(app, package_id: str, fmt: str) -> rdflib.Graph:
    with app.flask_app.test_request_context(f"/dataset/{package_id}.{fmt}"):
        text = toolkit.get_action("dcat_dataset_show")({"user": ""}, {"id": package_id, "format": fmt})
    return rdflib.Graph().parse(data=text, format=PARSE[fmt])


def ref_of(graph: rdflib.Graph, package_id: str) -> URIRef:
    [ref] = [d for d in graph.subjects(RDF.type, DCAT.Dataset) if str(d).endswith(package_id)]
    return ref


@pytest.mark.parametrize("fmt", sorted(PARSE))
def test_a_harvested_record_served_in_every_format_has_its_catalog_record_and_conforms(app, org, fmt):
    [shown] = harvested(org, ("alpha", 0))
    [listed] = shown[catalog_record.KEY]
    graph = dcat_of(app, shown["id"], fmt)
    ref = ref_of(graph, shown["id"])
    [record] = records_of(graph, ref)
    assert record == URIRef(f"{ref}#record-1")
    assert graph.value(record, DCTERMS.title) == Literal("Harvested from ALPHA")
    assert graph.value(record, DCTERMS.issued).toPython() == graph.value(record, DCTERMS.modified).toPython()
    assert graph.value(record, DCTERMS.modified).datatype == XSD.dateTime
    source = graph.value(record, DCTERMS.source)
    assert (source, RDF.type, DCAT.CatalogRecord) in graph and graph.value(source, FOAF.primaryTopic) == ref
    assert graph.value(source, RDFS.seeAlso) == URIRef("https://portal.example/dataset/1")
    assert graph.value(source, DCTERMS.modified) == Literal("2024-03-01T10:00:00+00:00", datatype=XSD.dateTime)
    checksum = graph.value(record, SPDX.checksum)
    assert f"sha256:{graph.value(checksum, SPDX.checksumValue)}" == listed["content_hash"]
    [identifier] = graph.objects(ref, ADMS.identifier)
    assert graph.value(identifier, SKOS.notation) == Literal("ds-1")
    found = violations(graph)
    assert not found, shacl.render_text(found)


@pytest.mark.parametrize("fmt", ["turtle", "xml", "json-ld"])
def test_a_harvested_record_parses_back_to_its_fields_and_nothing_of_its_catalog_record(org, fmt):
    [shown] = harvested(org, ("alpha", 0), ("beta", 0))   # two catalog records, two records at sources
    assert len(shown[catalog_record.KEY]) == 2
    [parsed] = parse(serialize(shown, fmt), fmt)
    assert canonical(parsed) == canonical(shown)
    assert (parsed["title"], parsed["notes"], parsed["identifier"]) == (shown["title"], shown["notes"], shown["id"])
    assert catalog_record.KEY not in parsed
    assert {e["key"] for e in parsed.get("extras", [])} <= {"uri", "homepage"}, parsed["extras"]


def test_a_second_source_listing_the_same_dataset_gives_two_catalog_records_owner_first(app, org):
    [shown] = harvested(org, ("low", 1), ("high", 5))
    assert [e["source_title"] for e in shown[catalog_record.KEY]] == ["HIGH", "LOW"]
    graph = dcat_of(app, shown["id"], "ttl")
    ref = ref_of(graph, shown["id"])
    records = records_of(graph, ref)
    assert [graph.value(r, DCTERMS.title) for r in records] == [Literal("Harvested from HIGH"),
                                                                 Literal("Harvested from LOW")]
    assert len({graph.value(r, DCTERMS.source) for r in records}) == 2
    [identifier] = graph.objects(ref, ADMS.identifier)   # one identifier: the owner's
    assert graph.value(identifier, SKOS.notation) == Literal("ds-1")
    found = violations(graph)
    assert not found, shacl.render_text(found)


def test_the_catalog_endpoint_lists_harvested_records_with_their_catalog_records_and_conforms(app, org):
    harvested(org, ("alpha", 0), numbers=(1, 2))
    typed_in = CitizenDataset(owner_org=org["id"])
    for attempt in ("cold", "warm"):   # fragments built, then read from the table
        graph = rdflib.Graph().parse(data=app.get("/catalog.ttl", status=200).body, format="turtle")
        datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
        assert len(datasets) == 3, attempt
        with_records = {ref for ref in datasets if records_of(graph, ref)}
        assert len(with_records) == 2 and not any(str(r).endswith(typed_in["id"]) for r in with_records), attempt
        assert len(set(graph.subjects(SPDX.checksum, None))) == 2
        found = violations(graph)
        assert not found, shacl.render_text(found)


def test_a_record_taken_over_by_another_source_before_its_next_harvest_is_served(app, org):
    """When the owner withdraws a record another source lists, the heir's hash is forgotten (None) until it
    harvests again: its catalog record has no checksum, and the record is still served."""
    high, low = make_source("high", priority=5), make_source("low", priority=1)
    harvest(high, spec_of(high, org, priority=5), page(sightings(range(1, 11))))
    harvest(low, spec_of(low, org, priority=1), page(sightings([1])))
    harvest(high, spec_of(high, org, priority=5), page(sightings(range(2, 11))))   # 1 gone from the owner
    package_id = provenance.get(low.id, "https://portal.example/dataset/1").package_id
    [listed] = toolkit.get_action("package_show")({"ignore_auth": True}, {"id": package_id})[catalog_record.KEY]
    assert (listed["source_title"], listed["owner"], listed["content_hash"]) == ("LOW", True, None)
    graph = dcat_of(app, package_id, "ttl")
    [record] = records_of(graph, ref_of(graph, package_id))
    assert graph.value(record, DCTERMS.title) == Literal("Harvested from LOW")
    assert graph.value(record, SPDX.checksum) is None
    found = violations(graph)
    assert not found, shacl.render_text(found)
