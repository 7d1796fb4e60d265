"""schemas/context.jsonld, as rdf/assemble.py uses it: what the ``citizendata`` profile writes, compacted with
pyld, comes out under readable keys (no full or compact IRIs), IRIs as plain strings, typed values as plain JSON
values, and nothing of the meaning lost (expanding the compacted document gives the fragment's graph back); the
served ``/catalog.jsonld`` and ``/dataset/<name>.jsonld`` read by rdflib give the same graph as their Turtle twins.

Keys that are not terms, and why: ``dcat:dataset`` (the catalog's links, written by assemble._links_jsonld
itself, not compacted) and a date whose datatype is not its term's (see the test of that case below)."""
from __future__ import annotations

import copy
import json
from typing import Any, Iterator

import pytest
import rdflib
from pyld import jsonld
from rdflib.compare import graph_diff, isomorphic
from rdflib.namespace import DCAT, RDF

from ckan.tests import factories

from ckanext.citizendata.rdf import assemble
from ckanext.citizendata.testing import CitizenDataset

from .test_profile_records import RICH_RECORD, as_shown, profile_env, registry_db, serialize  # noqa: F401

CONTEXT = assemble.jsonld_context()
TERMS = {key: value for key, value in CONTEXT.items() if not key.startswith("@")}
XSD = "http://www.w3.org/2001/XMLSchema#"
# what a publisher adds beside the record: landing page, keywords, a distribution, contact, period, dates
CORE = {"url": "http://example.org/landing", "tags": [{"name": "water"}, {"name": "health"}],
        "resources": [{"id": "r1", "package_id": "p1", "url": "http://example.org/a.csv", "format": "CSV",
                       "name": "Table", "description": "The table."}],
        "contact": [{"name": "Desk", "email": "desk@example.org"}],
        "temporal_coverage": [{"start": "2020-01-01", "end": "2020-12-31"}],
        "issued": "2020-03-01T10:00:00", "modified": "2021-01-01T00:00:00", "identifier": "rich-1",
        "language": ["en"]}
# the keys a JSON consumer of a rich dataset relies on (issue 5, item 2), by the node that carries them
DATASET_KEYS = {"id", "type", "title", "description", "keywords", "theme", "subject", "dimension", "conformsTo",
                "wasGeneratedBy", "qualifiedAttribution", "sampleSize", "probabilitySample", "informedConsent",
                "ethicsReview", "anonymised", "personalData", "meetsCopenhagenDefinition", "collectionMethod",
                "recognitionStatus", "distribution", "contactPoint", "spatial", "temporal", "landingPage",
                "issued", "modified", "language", "identifier"}
ACTIVITY_KEYS = {"dctType", "engagementLevel", "actorType"}
ATTRIBUTION_KEYS = {"agent", "hadRole"}
CONCEPT_KEYS = {"inScheme", "notation", "prefLabel"}
# keys of an assembled catalog page that are not terms of the context: none (the catalog's links are written by
# assemble._links_jsonld under the term "dataset")
ASSEMBLY_KEYS: set = set()


# ---------------------------------------------------------------- helpers
def _term_type(key: str):
    return TERMS[key].get("@type") if isinstance(TERMS.get(key), dict) else None


def walk(value: Any) -> Iterator[dict]:
    """Every JSON object of a document, nested ones included."""
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


def unreadable_keys(document: dict) -> set[str]:
    """Keys that are neither JSON-LD keywords nor terms of the context (full or compact IRIs)."""
    return {key for node in walk(document.get("@graph", document)) for key in node
            if not key.startswith("@") and key not in TERMS}


def nodes(document: dict) -> list[dict]:
    return document["@graph"]


def typed(document: dict, cls: str) -> list[dict]:
    return [n for n in nodes(document) if cls in _as_list(n.get("type"))]


def _as_list(value) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


def pyld_graph(document: dict) -> rdflib.Graph:
    """The document expanded by pyld to RDF (N-Quads, default graph), read by rdflib."""
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads"})
    return rdflib.Graph().parse(data=nquads, format="nt")


def rdflib_graph(text: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=text, format="json-ld")


def assert_same_graph(got: rdflib.Graph, expected: rdflib.Graph) -> None:
    if not isomorphic(got, expected):
        _, only_got, only_expected = graph_diff(got, expected)
        pytest.fail(f"not isomorphic; only in the JSON-LD: {sorted(only_got)[:5]}; "
                    f"only in the source: {sorted(only_expected)[:5]}")


NATIVE = {XSD + "boolean": {"true": True, "false": False}.get,
          XSD + "integer": int, XSD + "nonNegativeInteger": int, XSD + "positiveInteger": int}


def natives(document: dict) -> dict:
    """A copy of a compacted document with the values of boolean- and integer-typed terms as JSON booleans and
    numbers, where the string is the canonical form: the step proposed for assemble.compact_nodes. (rdflib's
    JSON-LD serializer already gives xsd:boolean and xsd:integer values as JSON natives, which pyld keeps under
    their typed terms; pyld never turns a typed string such as cdt:sampleSize's xsd:nonNegativeInteger into one.)

    >>> natives({"@graph": [{"sampleSize": "1200", "informedConsent": "true", "title": "1"}]})["@graph"][0]
    {'sampleSize': 1200, 'informedConsent': True, 'title': '1'}
    """
    document = copy.deepcopy(document)
    for node in walk(document.get("@graph", document)):
        for key, value in node.items():
            convert = NATIVE.get(_datatype(key) or "")
            if convert is not None and isinstance(value, list):
                node[key] = [_native(v, convert) for v in value]
            elif convert is not None:
                node[key] = _native(value, convert)
    return document


def _datatype(key: str):
    """The full datatype IRI a term gives its values (None for untyped and @id terms)."""
    datatype = _term_type(key)
    if not datatype or datatype.startswith("@"):
        return None
    prefix, _, local = datatype.partition(":")
    return TERMS.get(prefix, prefix + ":") + local


def _native(value, convert):
    if not isinstance(value, str):
        return value
    result = convert(value)
    return result if result is not None and json.dumps(result) == value else value


# ---------------------------------------------------------------- a rich dataset, one fragment
def rich_graph() -> rdflib.Graph:
    return rdflib.Graph().parse(data=serialize(as_shown(RICH_RECORD, **CORE), "turtle"), format="turtle")


@pytest.fixture(scope="module")
def rich(registry_db):
    """(source graph, assembled JSON-LD text, its JSON) of the rich record."""
    import ckan.plugins
    if not ckan.plugins.plugin_loaded("citizendata"):
        ckan.plugins.load_all()
    graph = rich_graph()
    fragment = assemble.make_fragment(copy.deepcopy(graph), "jsonld", assemble.label_seed("rich"))
    text = assemble.assemble("jsonld", [fragment])
    return graph, text, json.loads(text)


def test_the_page_carries_the_context_once(rich):
    _, _, document = rich
    assert document["@context"] == CONTEXT
    assert not [n for n in nodes(document) if "@context" in n]


def test_rich_dataset_has_readable_keys_only(rich):
    _, _, document = rich
    assert unreadable_keys(document) == set()
    [dataset] = typed(document, "Dataset")
    assert DATASET_KEYS <= set(dataset)


def test_engagement_partners_and_concepts_have_readable_keys(rich):
    source, _, document = rich
    activities = typed(document, "EngagementActivity")
    assert len(activities) == len(RICH_RECORD["engagement"])
    assert all(ACTIVITY_KEYS <= set(a) for a in activities)
    attributions = typed(document, "Attribution")
    assert len(attributions) == len(RICH_RECORD["partners"])
    assert all(ATTRIBUTION_KEYS <= set(a) for a in attributions)
    agents = {a["name"]: a for a in typed(document, "Agent")}
    assert set(agents) == {p["name"] for p in RICH_RECORD["partners"]}
    assert "dctType" in agents[RICH_RECORD["partners"][0]["name"]]  # the actor type sits on the agent
    concepts = typed(document, "Concept")
    assert concepts and all(CONCEPT_KEYS <= set(c) for c in concepts)
    assert len(concepts) == len(set(source.subjects(RDF.type, rdflib.namespace.SKOS.Concept)))


def test_iris_and_typed_values_are_plain_json_values(rich):
    _, _, document = rich
    checked = set()
    for node in walk(nodes(document)):
        for key, value in node.items():
            if key in TERMS and _term_type(key):
                assert all(isinstance(v, (str, bool, int)) for v in _as_list(value)), (key, value)
                checked.add(key)
    assert {"theme", "subject", "dimension", "engagementLevel", "agent", "sampleSize", "informedConsent",
            "issued", "startDate", "bbox"} <= checked
    [dataset] = typed(document, "Dataset")
    assert set(dataset["theme"]) == {str(o) for o in rich[0].objects(None, DCAT.theme)}
    assert all("://" in iri for key in ("theme", "subject", "dimension", "conformsTo") for iri in dataset[key]
               if not iri.startswith("urn:"))


def test_compacted_dataset_expands_to_the_same_graph(rich):
    source, text, document = rich
    assert_same_graph(pyld_graph(document), source)
    assert_same_graph(rdflib_graph(text), source)


def test_native_booleans_and_integers_keep_their_datatypes(rich):
    source, _, document = rich
    native = natives(document)
    [dataset] = typed(native, "Dataset")
    assert dataset["informedConsent"] is True and dataset["personalData"] is False
    assert dataset["sampleSize"] == RICH_RECORD["sample_size"]
    assert_same_graph(pyld_graph(native), source)
    assert_same_graph(rdflib_graph(json.dumps(native)), source)


def test_a_predicate_without_a_term_would_show_as_a_compact_or_full_iri():
    graph = rdflib.Graph()
    graph.add((rdflib.URIRef("http://example.org/d"), rdflib.URIRef("http://example.org/terms#odd"),
               rdflib.Literal("x")))
    graph.add((rdflib.URIRef("http://example.org/d"), DCAT.keyword, rdflib.Literal("y")))
    document = {"@graph": assemble.compact_nodes(graph)}
    assert unreadable_keys(document) == {"http://example.org/terms#odd"}


@pytest.mark.parametrize("predicate, value", [
    (rdflib.namespace.DCTERMS.issued, rdflib.Literal("2020-01-01", datatype=rdflib.XSD.date)),
    (DCAT.startDate, rdflib.Literal("2020", datatype=rdflib.XSD.gYear)),
    (DCAT.endDate, rdflib.Literal("2020-12-31T00:00:00", datatype=rdflib.XSD.dateTime))])
def test_a_date_of_another_datatype_than_its_term_keeps_its_meaning_under_a_compact_iri(predicate, value):
    """The one unavoidable kind of non-term key: a term has one datatype, and ckanext-dcat writes dates as
    xsd:gYear, xsd:gYearMonth, xsd:date or xsd:dateTime by the text it gets. Terms are typed for what it writes
    in practice (xsd:dateTime for issued / modified, which default to CKAN's timestamps; xsd:date for the
    period's start and end); another datatype shows as e.g. ``"dct:issued": {"@value": "2020-01-01",
    "@type": "xsd:date"}``, with its meaning whole."""
    graph = rdflib.Graph()
    graph.add((rdflib.URIRef("http://example.org/d"), predicate, value))
    document = {"@context": CONTEXT, "@graph": assemble.compact_nodes(copy.deepcopy(graph))}
    [(prefix, namespace)] = [(k, v) for k, v in TERMS.items() if isinstance(v, str) and str(predicate).startswith(v)]
    assert unreadable_keys(document) == {prefix + ":" + str(predicate)[len(namespace):]}
    assert_same_graph(pyld_graph(document), graph)


def other_date_types(graph: rdflib.Graph) -> set[str]:
    """Compact IRIs of the dated predicates in ``graph`` with a value whose datatype is not its term's (a period
    begun in a year, ``"2009"^^xsd:gYear``, under a term typed xsd:date), which keep that key (test above)."""
    found = set()
    for key, term in TERMS.items():
        if not (isinstance(term, dict) and str(term.get("@type", "")).startswith("xsd:")):
            continue
        prefix, local = term["@id"].split(":", 1)
        predicate = rdflib.URIRef(TERMS[prefix] + local)
        datatype = rdflib.URIRef(str(rdflib.XSD) + term["@type"][4:])
        if any(isinstance(o, rdflib.Literal) and o.datatype not in (None, datatype)
               for o in graph.objects(None, predicate)):
            found.add(term["@id"])
    return found


# ---------------------------------------------------------------- served pages, through the app
@pytest.fixture
def served(clean_db):
    org = factories.Organization(name="jsonld-publisher", title="JSON-LD publisher")
    names = []
    for i in range(2):
        names.append(CitizenDataset(name=f"rich-{i}", title=f"Rich record {i}", owner_org=org["id"],
                                    url="http://example.org/landing", tags=[{"name": "water"}],
                                    resources=[{"url": f"http://example.org/{i}.csv", "format": "CSV"}],
                                    **copy.deepcopy(RICH_RECORD))["name"])
    return names


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", 1)
def test_catalog_page_reads_as_the_turtle_page(app, served):
    text = app.get("/catalog.jsonld", status=200).body.replace("/catalog.jsonld", "/catalog.ttl")  # Hydra links
    turtle = rdflib.Graph().parse(data=app.get("/catalog.ttl", status=200).body, format="turtle")
    assert_same_graph(rdflib_graph(text), turtle)
    document = json.loads(text)
    assert_same_graph(pyld_graph(document), turtle)
    assert unreadable_keys(document) <= ASSEMBLY_KEYS
    [catalog] = typed(document, "Catalog")
    assert {"title", "description", "publisher"} <= set(catalog)
    [paging] = typed(document, "PagedCollection")
    assert {"totalItems", "itemsPerPage", "first", "last", "next"} <= set(paging)
    assert paging["totalItems"] == len(served)
    [dataset] = typed(document, "Dataset")
    assert DATASET_KEYS - {"contactPoint", "temporal", "issued", "language", "identifier"} <= set(dataset)
    assert "publisher" in dataset and "accessURL" in typed(document, "Distribution")[0]


def test_dataset_document_reads_as_its_turtle(app, served):
    text = app.get(f"/dataset/{served[0]}.jsonld", status=200).body
    turtle = rdflib.Graph().parse(data=app.get(f"/dataset/{served[0]}.ttl", status=200).body, format="turtle")
    assert_same_graph(rdflib_graph(text), turtle)
    assert unreadable_keys(json.loads(text)) == set()


@pytest.fixture
def demo(clean_db, cli):
    from ckan.cli.cli import ckan as ckan_cli
    assert cli.invoke(ckan_cli, ["citizendata", "seed-demo"]).exit_code == 0


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", 100)
def test_demo_catalog_has_readable_keys_and_reads_as_turtle(app, demo):
    text = app.get("/catalog.jsonld", status=200).body.replace("/catalog.jsonld", "/catalog.ttl")
    turtle = rdflib.Graph().parse(data=app.get("/catalog.ttl", status=200).body, format="turtle")
    assert_same_graph(rdflib_graph(text), turtle)
    document = json.loads(text)
    assert unreadable_keys(document) <= ASSEMBLY_KEYS | other_date_types(turtle)
    assert len(typed(document, "Dataset")) == len(set(turtle.subjects(RDF.type, DCAT.Dataset)))
