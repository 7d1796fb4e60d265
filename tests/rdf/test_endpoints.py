"""rdf/endpoints.py: N-Triples on ckanext-dcat's endpoints (/catalog.nt, /dataset/<id>.nt, Accept:
application/n-triples): the media type added to ckanext-dcat's table, the same one our vocabularies are served with,
and bodies that parse as N-Triples to the graph the other formats carry, with the dataset's citizen-data triples."""
import html
from urllib.parse import parse_qsl, urlsplit

import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, PROV, RDF

from ckan.plugins import toolkit
from ckan.tests import factories, helpers
from ckanext.dcat import logic as dcat_logic
from ckanext.dcat import utils as dcat_utils

from ckanext.citizendata.namespaces import CDT, EU_COUNTRY, STAT, VOCAB
from ckanext.citizendata.rdf import endpoints
from ckanext.citizendata.rdf.profile_in import Reader
from ckanext.citizendata.record.schema import FIELDS
from ckanext.citizendata.testing import CitizenDataset
from ckanext.citizendata.vocab import rdf_out

from .test_profile_records import canonical

NTRIPLES = "application/n-triples"
HYDRA = rdflib.Namespace("http://www.w3.org/ns/hydra/core#")


# ---------------------------------------------------------------- the media type table
def test_install_adds_n_triples_to_ckanext_dcat_media_types(monkeypatch):
    monkeypatch.delitem(dcat_utils.CONTENT_TYPES, "nt", raising=False)
    before = dict(dcat_utils.CONTENT_TYPES)
    endpoints.install()
    assert dcat_utils.CONTENT_TYPES == {**before, "nt": NTRIPLES}
    endpoints.install()
    assert dcat_utils.CONTENT_TYPES == {**before, "nt": NTRIPLES}  # twice is once


def test_the_plugin_installed_it():
    assert dcat_utils.CONTENT_TYPES["nt"] == NTRIPLES


def test_catalog_and_vocabularies_give_one_extension_one_media_type():
    shared = set(dcat_utils.CONTENT_TYPES) & set(rdf_out.FORMATS)
    assert {"ttl", "jsonld", "rdf", "nt"} <= shared
    assert {fmt: dcat_utils.CONTENT_TYPES[fmt] for fmt in shared} == \
        {fmt: rdf_out.FORMATS[fmt][1] for fmt in shared}


# ---------------------------------------------------------------- the endpoints
@pytest.fixture
def published(clean_db):
    org = factories.Organization(name="cso-nt", title="CSO N-Triples")
    first = CitizenDataset(
        name="nt-first", title="First in N-Triples", owner_org=org["id"], notes="Reports by citizens.",
        engagement=[{"stage": "design", "level": 4, "actors": ["community", "cso"]},
                    {"stage": "collect", "level": 5, "actors": ["community"]}],
        sdg_indicators=["16.6.2"], countries=["GHA"], disaggregation=["SEX"], sample_size=640,
        partners=[{"name": "Ghana Statistical Service", "role": "initiator", "uri": "https://statsghana.gov.gh/"}],
        resources=[{"url": "http://example.org/first.csv", "format": "CSV"}])
    second = CitizenDataset(name="nt-second", title="Second in N-Triples", owner_org=org["id"],
                            engagement=[{"stage": "use", "level": 2, "actors": ["nso"]}])
    return [helpers.call_action("package_show", id=d["id"]) for d in (first, second)]


def dataset_ref(shown: dict) -> URIRef:
    return URIRef(f"{toolkit.config['ckan.site_url'].rstrip('/')}/dataset/{shown['id']}")


def nt_graph(response) -> rdflib.Graph:
    assert response.headers["Content-Type"].split(";")[0] == NTRIPLES
    return rdflib.Graph().parse(data=response.body, format="nt")


def assert_carries_the_record(graph: rdflib.Graph, shown: dict) -> None:
    ref = dataset_ref(shown)
    assert (ref, RDF.type, DCAT.Dataset) in graph
    assert graph.value(ref, DCTERMS.title) == Literal(shown["title"])
    read = Reader(graph, str(VOCAB)).dataset(ref)
    assert canonical(read, FIELDS) == canonical(shown, FIELDS)


def test_a_dataset_in_n_triples_carries_its_citizen_data(app, published):
    first = published[0]
    graph = nt_graph(app.get(f"/dataset/{first['name']}.nt", status=200))
    ref = dataset_ref(first)
    assert_carries_the_record(graph, first)
    assert graph.value(ref, CDT.meetsCopenhagenDefinition) == Literal(True)
    assert {VOCAB["sdg/16.6.2"], VOCAB["sdg/16.6"], VOCAB["sdg/16"]} <= set(graph.objects(ref, DCAT.theme))
    assert {EU_COUNTRY["GHA"], VOCAB["cl-area/288"]} <= set(graph.objects(ref, DCTERMS.spatial))
    assert set(graph.objects(ref, STAT.dimension)) == {VOCAB["disaggregation/SEX"]}
    stages = {graph.value(a, DCTERMS.type) for a in graph.objects(ref, PROV.wasGeneratedBy)}
    assert stages == {VOCAB["engagement-stages/design"], VOCAB["engagement-stages/collect"]}
    assert len(list(graph.subjects(RDF.type, DCAT.Dataset))) == 1


def test_by_id_by_name_and_in_turtle_it_is_one_graph(app, published):
    first = published[0]
    by_name = nt_graph(app.get(f"/dataset/{first['name']}.nt", status=200))
    by_id = nt_graph(app.get(f"/dataset/{first['id']}.nt", status=200))
    turtle = rdflib.Graph().parse(data=app.get(f"/dataset/{first['name']}.ttl", status=200).body, format="turtle")
    assert len(by_name) > 40
    assert isomorphic(by_name, by_id) and isomorphic(by_name, turtle)


def test_the_catalog_in_n_triples_carries_every_dataset(app, published):
    graph = nt_graph(app.get("/catalog.nt", status=200))
    assert set(graph.subjects(RDF.type, DCAT.Dataset)) == {dataset_ref(d) for d in published}
    for shown in published:
        assert_carries_the_record(graph, shown)
    [catalog] = graph.subjects(RDF.type, DCAT.Catalog)
    assert set(graph.objects(catalog, DCAT.dataset)) == {dataset_ref(d) for d in published}
    turtle = rdflib.Graph().parse(data=app.get("/catalog.ttl", status=200).body, format="turtle")
    assert isomorphic(without_paging(graph, "nt"), without_paging(turtle, "ttl"))


def without_paging(graph: rdflib.Graph, fmt: str) -> rdflib.Graph:
    """The graph without its hydra page, whose IRI and links name the format asked for."""
    [page] = graph.subjects(RDF.type, HYDRA.PagedCollection)
    assert str(page).endswith(f"/catalog.{fmt}?page=1")
    assert str(graph.value(page, HYDRA.last)).endswith(f"/catalog.{fmt}?page=1")
    for triple in list(graph.triples((page, None, None))):
        graph.remove(triple)
    return graph


def test_accept_n_triples_on_the_dataset_page_gives_its_record(app, published):
    second = published[1]
    graph = nt_graph(app.get(f"/dataset/{second['name']}", headers={"Accept": NTRIPLES}, status=200))
    assert_carries_the_record(graph, second)
    assert graph.value(dataset_ref(second), CDT.meetsCopenhagenDefinition) == Literal(False)


def test_accept_n_triples_on_the_catalog_page(app, published):
    graph = nt_graph(app.get("/", headers={"Accept": NTRIPLES}, status=200))
    assert set(graph.subjects(RDF.type, DCAT.Dataset)) == {dataset_ref(d) for d in published}


# ---------------------------------------------------------------- the catalog's query parameters
def test_the_plugin_installed_the_encoded_page_links():
    assert getattr(dcat_logic._pagination_info, "encodes_parameters", False)


@pytest.mark.usefixtures("clean_db")
@pytest.mark.parametrize("q, fq", [("water quality", None), ('title:"water wells" OR <x>', None),
                                   ("*:*", "-0:[0 TO 0]"), ('water OR "&page=7"', 'title:wells OR tags:"x|y"')])
def test_catalog_page_links_carry_the_query_percent_encoded(app, q, fq):
    """ckanext-dcat wrote q / fq into the page IRIs as they came, and rdflib refused the IRI (500)."""
    CitizenDataset(title="Water wells & rivers=1 quality")
    params = {"q": q, **({"fq": fq} if fq else {})}
    graph = rdflib.Graph().parse(data=app.get("/catalog.ttl", query_string=params, status=200).body,
                                 format="turtle")
    [page] = graph.subjects(RDF.type, HYDRA.PagedCollection)
    link = urlsplit(str(graph.value(page, HYDRA.first)))
    assert link.path == "/catalog.ttl"
    assert parse_qsl(link.query) == [*params.items(), ("page", "1")]


@pytest.mark.usefixtures("clean_db")
@pytest.mark.parametrize("params, message", [
    ({"q": "(water"}, "cannot parse query"),
    ({"fq": "title:(open"}, "cannot parse query"),
    ({"q": "(" * 40 + "a" + ")" * 40}, "ckanext.citizendata.limits.query_depth"),
    ({"q": "x" * 2001}, "ckanext.citizendata.limits.q_chars"),
    ({"fq": "metadata_modified:[NOW+99999999999DAYS TO *]"}, "is outside the calendar"),
])
def test_a_catalog_query_error_is_the_api_s_400(app, params, message):
    page = html.unescape(app.get("/catalog.ttl", query_string=params, status=400).get_data(as_text=True))
    assert "Search Query is invalid: " in page and message in page
    api = app.get("/api/3/action/package_search", query_string=params, status=400).json
    assert message in api["error"]["message"]
