"""logic/action/dcat.py: the DCAT endpoints answer from ready fragments with exactly the graph stock ckanext-dcat
serializes for the same request (paging, modified_since, q/fq included)."""
import json

import pytest
import rdflib
import sqlalchemy as sa
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, RDF

from ckan import model
from ckan.tests import factories, helpers
from ckanext.dcat import logic as dcat_logic
from ckanext.dcat.processors import RDFSerializer

from ckanext.citizendata.logic.action.dcat import SEARCH_FIELDS, TEXT_FIELDS
from ckanext.citizendata.model.rdf_cache import rdf_cache_table
from ckanext.citizendata.rdf import cache
from ckanext.citizendata.testing import CitizenDataset

pytestmark = pytest.mark.usefixtures("clean_db")
PARSE = {"ttl": "turtle", "n3": "turtle", "rdf": "xml", "xml": "xml", "jsonld": "json-ld", "nt": "nt"}
HYDRA = rdflib.Namespace("http://www.w3.org/ns/hydra/core#")


@pytest.fixture
def catalog():
    """Three datasets with blank nodes (contact, temporal coverage), distributions, partners and engagement."""
    org = factories.Organization(name="cso-actions")
    made = []
    for i, stage in enumerate(("design", "collect", "analyse")):
        made.append(CitizenDataset(
            name=f"actions-{i}", title=f"Actions {i}", owner_org=org["id"], tags=[{"name": f"tag{i}"}],
            contact=[{"name": f"Desk {i}", "email": f"desk{i}@example.org"}],
            temporal_coverage=[{"start": "2020-01-01", "end": "2021-06-30"}],
            engagement=[{"stage": stage, "level": 4, "actors": ["community", "cso"]}],
            partners=[{"name": f"Partner {i}", "role": "funder", "actor_type": "cso"}],
            resources=[{"url": f"http://example.org/{i}.csv", "format": "CSV"}]))
    return made


def graph(text, fmt):
    return rdflib.Graph().parse(data=text, format=PARSE[fmt])


def stock_catalog(app, fmt, **params):
    """What ckanext-dcat's own action serializes for the same request (no cache)."""
    path = f"/catalog.{fmt}"
    with app.flask_app.test_request_context(path, query_string=params):
        return dcat_logic.dcat_catalog_show({"user": ""}, dict(params, format=fmt))


def cached_rows():
    return model.Session.execute(sa.select(sa.func.count()).select_from(rdf_cache_table)).scalar()


def test_pages_and_datasets_equal_the_stock_serialization_in_every_format(app, catalog):
    """Also: JSON-LD comes compacted with the record's readable keys."""
    for fmt in ("ttl", "rdf", "jsonld", "n3"):
        for attempt in ("cold", "warm"):
            ours = graph(app.get(f"/catalog.{fmt}", status=200).body, fmt)
            assert isomorphic(ours, graph(stock_catalog(app, fmt), fmt)), (fmt, attempt)
        assert len(set(ours.subjects(RDF.type, DCAT.Dataset))) == 3, fmt
        assert any(isinstance(o, rdflib.BNode) for o in ours.objects()), fmt  # the page has blank nodes
        body = app.get(f"/dataset/actions-1.{fmt}", status=200).body
        shown = helpers.call_action("package_show", id="actions-1")
        direct = RDFSerializer(profiles=cache.configured_profiles()).serialize_dataset(shown, _format=fmt)
        assert isomorphic(graph(body, fmt), graph(direct, fmt)), fmt
    page = json.loads(app.get("/catalog.jsonld", status=200).body)
    assert set(page) == {"@context", "@graph"}
    dataset = next(n for n in page["@graph"] if "Dataset" in (n.get("type") if isinstance(n.get("type"), list)
                                                               else [n.get("type")]))
    assert dataset["title"].startswith("Actions ") and "description" in dataset
    assert not any(key.startswith("http://purl.org/dc/terms/") for key in dataset)
    single = json.loads(app.get("/dataset/actions-2.jsonld", status=200).body)
    assert any(n.get("title") == "Actions 2" for n in single["@graph"])
    with app.flask_app.test_request_context("/catalog.nt"):  # no endpoint content type for N-Triples yet
        ours = helpers.call_action("dcat_catalog_show", format="nt")
    assert isomorphic(graph(ours, "nt"), graph(stock_catalog(app, "nt"), "nt"))


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "2")
def test_paging_modified_since_and_filters_as_stock(app, ckan_config, catalog):
    for params in ({"page": "2"}, {"page": "1", "q": "Actions"}, {"modified_since": "2000-01-01", "page": "2"},
                   {"fq": "name:actions-1"}, {"modified_since": "2999-01-01"}):
        body = app.get("/catalog.ttl", query_string=params, status=200).body
        ours, stock = graph(body, "ttl"), graph(stock_catalog(app, "ttl", **params), "ttl")
        assert isomorphic(ours, stock), params
        paged = (None, HYDRA.totalItems, None) in ours
        assert paged == (params.get("modified_since") != "2999-01-01"), params


def test_pages_are_served_from_the_table_once_filled_other_profiles_never(app, catalog, monkeypatch):
    body = app.get("/catalog.ttl", query_string={"profiles": "euro_dcat_ap_2"}, status=200).body
    assert cached_rows() == 0  # another profile: ckanext-dcat's own action, uncached
    assert len(set(graph(body, "ttl").subjects(RDF.type, DCAT.Dataset))) == 3
    app.get("/catalog.ttl", status=200)
    assert cached_rows() == 3
    monkeypatch.setattr(cache, "build_fragment", lambda *a: pytest.fail("rebuilt although unchanged"))
    assert "Actions 2" in app.get("/catalog.ttl", status=200).body


def test_deleted_datasets_vanish(app, catalog):
    app.get("/catalog.ttl", status=200)
    helpers.call_action("package_delete", context={"user": factories.Sysadmin()["name"]}, id="actions-0")
    body = app.get("/catalog.ttl", status=200).body
    assert "Actions 0" not in body and "Actions 1" in body
    assert cached_rows() == 2


def test_a_catalog_page_and_the_dataset_endpoint_share_their_fragments(app, catalog, monkeypatch):
    """The page reads the index's JSON text, the endpoint encodes package_show's dict: the same text, one row."""
    app.get("/catalog.ttl", status=200)
    for i in range(3):
        app.get(f"/dataset/actions-{i}.rdf", status=200)
    assert cached_rows() == 6
    monkeypatch.setattr(cache, "build_fragment", lambda *a: pytest.fail("rebuilt although unchanged"))
    assert "Actions 1" in app.get("/dataset/actions-1.ttl", status=200).body
    assert "Actions 2" in app.get("/catalog.rdf", status=200).body
    assert cached_rows() == 6


def test_package_search_returns_index_fields_only_when_our_catalog_asks(catalog):
    asked = helpers.call_action("package_search", context={SEARCH_FIELDS: TEXT_FIELDS}, q="name:actions-1")
    [row] = asked["results"]
    assert set(row) == set(TEXT_FIELDS) and json.loads(row["validated_data_dict"])["title"] == "Actions 1"
    [plain] = helpers.call_action("package_search", q="name:actions-1")["results"]
    assert plain["title"] == "Actions 1" and "validated_data_dict" not in plain
    [chosen] = helpers.call_action("package_search", context={SEARCH_FIELDS: TEXT_FIELDS}, q="name:actions-1",
                                   fl="name")["results"]
    assert chosen == {"name": "actions-1"}  # the caller's own fl wins
