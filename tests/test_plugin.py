"""The plugin as a user meets it: pages, the DCAT catalog, configuration, a quiet start-up."""
import os
import subprocess
import sys

import pytest
import rdflib
from bs4 import BeautifulSoup
from rdflib.namespace import DCAT, DCTERMS, RDF

from ckan.tests import factories

from ckanext.citizendata.testing import CitizenDataset

from ckanext.citizendata.vocab import registry

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def published(clean_db):
    org = factories.Organization(name="cso-pages", title="CSO Pages")
    return CitizenDataset(name="appdiversa-discrimination", title="AppDiversa discrimination reports",
                             notes="Co-designed with citizens.", owner_org=org["id"],
                             resources=[{"url": "http://example.org/data.csv", "format": "CSV"}])


def page_text(body):
    return " ".join(BeautifulSoup(body, "html.parser").get_text(" ").split())


@pytest.mark.parametrize("path, shown", [
    ("/dataset/", ["1 dataset found", "AppDiversa discrimination reports"]),
    ("/organization/", ["1 organization found", "CSO Pages", "1 Dataset"]),
    ("/organization/cso-pages", ["CSO Pages", "1 dataset found", "AppDiversa discrimination reports"]),
])
def test_pages_answer_with_the_dataset(app, published, path, shown):
    text = page_text(app.get(path, status=200).body)
    for words in shown:
        assert words in text, words


def test_the_dataset_page_shows_its_citizen_data_fields_with_vocabulary_labels(app, published):
    page = BeautifulSoup(app.get("/dataset/appdiversa-discrimination", status=200).body, "html.parser")
    assert page.find("h1").get_text(strip=True) == "AppDiversa discrimination reports"
    initiative_type = registry.labels("initiative-types")["community-survey"]
    assert initiative_type != "community-survey"  # a label, not the notation the record stores
    assert initiative_type in page_text(str(page))
    stage, actors = registry.labels("engagement-stages"), registry.labels("actor-types")
    engaged = page.select("ol.citizendata-engagement li.citizendata-engaged")
    assert len(engaged) == 1 and len(page.select("ol.citizendata-engagement > li")) == 7
    card = page_text(str(engaged[0]))
    assert stage["design"] in card and registry.labels("engagement-levels")["4"] in card
    assert "4" in card and actors["community"] in card and actors["cso"] in card


def test_search_page_counts_and_filters(app, published):
    assert "1 dataset found" in app.get("/dataset/", query_string={"q": "appdiversa"}).body
    assert "No datasets found" in app.get("/dataset/", query_string={"q": "nonexistentword"}).body
    assert "1 dataset found" in app.get("/dataset/", query_string={"res_format": "CSV"}).body


def test_status_show(app):
    assert app.get("/api/3/action/status_show").json["success"] is True


@pytest.mark.parametrize("path, fmt", [("/catalog.ttl", "turtle"), ("/catalog.rdf", "xml"),
                                       ("/catalog.jsonld", "json-ld"), ("/catalog.nt", "nt"),
                                       ("/dataset/appdiversa-discrimination.ttl", "turtle"),
                                       ("/dataset/appdiversa-discrimination.nt", "nt")])
def test_dcat_endpoints_carry_the_dataset(app, published, path, fmt):
    graph = rdflib.Graph().parse(data=app.get(path, status=200).body, format=fmt)
    datasets = list(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == 1
    assert str(graph.value(datasets[0], DCTERMS.title)) == "AppDiversa discrimination reports"


@pytest.mark.parametrize("accept, media_type", [("application/n-triples", "application/n-triples"),
                                               ("text/turtle", "text/turtle"),
                                               ("application/ld+json", "application/ld+json")])
def test_content_negotiation_on_the_dataset_page(app, published, accept, media_type):
    response = app.get("/dataset/appdiversa-discrimination", headers={"Accept": accept}, status=200)
    assert response.headers["Content-Type"].startswith(media_type)
    fmt = {"application/n-triples": "nt", "text/turtle": "turtle", "application/ld+json": "json-ld"}[media_type]
    graph = rdflib.Graph().parse(data=response.body, format=fmt)
    assert len(list(graph.subjects(RDF.type, DCAT.Dataset))) == 1


def test_catalog_modified_since_uses_a_date_range(app, published):
    later = app.get("/catalog.ttl", query_string={"modified_since": "2999-01-01"}).body
    assert "AppDiversa" not in later
    earlier = app.get("/catalog.ttl", query_string={"modified_since": "2000-01-01"}).body
    assert "AppDiversa" in earlier


def test_cli_start_up_is_quiet_about_solr(pytestconfig):
    """CKAN checks the Solr schema at start-up; with our backend no Solr is asked and no traceback is logged.
    The command runs with the session's own ini (``--ckan-ini``), so it reads the same database as the tests."""
    ckan = os.path.join(os.path.dirname(sys.executable), "ckan")
    ini = os.path.abspath(pytestconfig.option.ckan_ini)
    proc = subprocess.run([ckan, "-c", ini, "search-index", "check"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "SOLR" not in proc.stderr.upper().replace("SOLR IS NOT USED", "")
    assert "Packages not indexed = " in proc.stdout  # answered by our backend
