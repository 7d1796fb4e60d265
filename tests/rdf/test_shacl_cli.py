"""``ckan citizendata shacl-report``: a dataset, every catalog page, JSON, and a failing exit status."""
import json

import pytest
from rdflib.namespace import DCTERMS

from ckan.cli.cli import ckan as ckan_cli
from ckan.tests import factories

from ckanext.citizendata.rdf import conformance
from ckanext.citizendata.testing import CitizenDataset


@pytest.fixture
def two_datasets(clean_db):
    org = factories.Organization(name="shacl-cli-org", title="SHACL CLI org")
    for name in ("shacl-cli-first", "shacl-cli-second"):
        CitizenDataset(name=name, title=name.replace("-", " ").title(), owner_org=org["id"], tag_string="survey",
                       resources=[{"url": f"http://example.org/{name}.csv", "format": "CSV", "description": "All"}])


def test_dataset_report_as_json(cli, two_datasets):
    result = cli.invoke(ckan_cli, ["citizendata", "shacl-report", "shacl-cli-first", "--json", "--shapes", "official"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["shapes"] == ["mandatory", "recommended", "range"]
    [graph] = report["reports"]
    assert graph["graph"] == "dataset shacl-cli-first" and graph["triples"] > 10
    assert not [r for r in graph["results"] if r["severity"] == "Violation"]


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", 1)
def test_every_catalog_page_in_text(cli, two_datasets):
    result = cli.invoke(ckan_cli, ["citizendata", "shacl-report", "--shapes", "official"])
    assert result.exit_code == 0, result.output
    assert "== catalog page 1 (" in result.output and "== catalog page 2 (" in result.output
    assert "== catalog page 3" not in result.output
    assert result.output.splitlines()[-1].startswith("2 graphs, ")


def test_violations_exit_1_and_are_shown_by_shape(cli, two_datasets, monkeypatch):
    original = conformance.dataset

    def untitled(graph, dataset_ref):
        original(graph, dataset_ref)
        graph.remove((dataset_ref, DCTERMS.title, None))
    monkeypatch.setattr(conformance, "dataset", untitled)
    result = cli.invoke(ckan_cli, ["citizendata", "shacl-report", "shacl-cli-second"])
    assert result.exit_code == 1
    assert "mandatory  :Dataset_Shape dct:title  (MinCountConstraintComponent, Violation, 1 result)" in result.output


def test_unknown_dataset_is_a_clear_error(cli, clean_db):
    result = cli.invoke(ckan_cli, ["citizendata", "shacl-report", "no-such-dataset"])
    assert result.exit_code == 2
    assert "Dataset not found: no-such-dataset" in result.output
