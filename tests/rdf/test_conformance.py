"""Whole catalog pages (demo records, generated records) against the official DCAT-AP 3.0.1 shapes, and the
rules of rdf/conformance.py one by one.

Until rdf/profile.py exists, a stand-in profile applies conformance.dataset / conformance.catalog after
euro_dcat_ap_3 the way CitizenDataProfile does; once the profile exists the tests use it.
"""
import importlib.util

import pytest
import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS

from ckan.cli.cli import ckan as ckan_cli
from ckan.tests import factories, helpers
from ckanext.dcat.processors import RDFProcessor
from ckanext.dcat.profiles import RDFProfile

from ckanext.citizendata.rdf import conformance, shacl
from ckanext.citizendata.record import bulk, bulkload
from ckanext.citizendata.record.synthetic import RecordMaker
from ckanext.citizendata.testing import CitizenDataset

PER_PAGE = 5
HAS_PROFILE = importlib.util.find_spec("ckanext.citizendata.rdf.profile") is not None


class StandInProfile(RDFProfile):
    """Applies our conformance functions last, as CitizenDataProfile does."""

    def graph_from_dataset(self, dataset_dict, dataset_ref):
        conformance.dataset(self.g, dataset_ref)

    def graph_from_catalog(self, catalog_dict, catalog_ref):
        conformance.catalog(self.g, catalog_ref)


@pytest.fixture
def our_profiles(ckan_config, monkeypatch):
    """The configured profiles become ours: the real profile when it exists, else the stand-in."""
    if HAS_PROFILE:
        monkeypatch.setitem(ckan_config, "ckanext.dcat.rdf.profiles", "euro_dcat_ap_3 citizendata")
        return
    monkeypatch.setitem(ckan_config, "ckanext.dcat.rdf.profiles", "euro_dcat_ap_3")
    original = RDFProcessor._load_profiles
    monkeypatch.setattr(RDFProcessor, "_load_profiles", lambda self, names: original(self, names) + [StandInProfile])


def catalog_pages(fetch) -> list[rdflib.Graph]:
    """Every page of the catalog, through ``fetch(page) -> turtle``."""
    graphs, page = [], 1
    while True:
        graph = rdflib.Graph().parse(data=fetch(page), format="turtle")
        graphs.append(graph)
        if not any(graph.objects(None, rdflib.URIRef("http://www.w3.org/ns/hydra/core#next"))):
            return graphs
        page += 1


@pytest.fixture
def demo(clean_db, cli, our_profiles):
    assert cli.invoke(ckan_cli, ["citizendata", "seed-demo"]).exit_code == 0


def generated_records(count: int, seed: int = 5) -> list[dict]:
    """RecordMaker records, each with resources, as a publisher would complete them."""
    maker = RecordMaker(bulkload._notations(), seed=seed)
    records = []
    for i in range(count):
        record = maker.record(i)
        record["resources"] = [{"url": f"http://example.org/{record['name']}/{n}.csv", "format": fmt,
                                "name": f"Table {n}"} for n, fmt in enumerate(["CSV", "text/csv"][:1 + i % 2])]
        records.append(record)
    return records


@pytest.fixture
def generated(clean_db, our_profiles):
    org = factories.Organization(name="generated-publisher", title="Generated publisher")
    for record in generated_records(8):
        bulk.save(record, org["name"])


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", PER_PAGE)
def test_demo_catalog_pages_through_the_endpoint(app, demo):
    pages = catalog_pages(lambda page: app.get("/catalog.ttl", query_string={"page": page}, status=200).body)
    assert len(pages) == 3
    assert_conforms(pages)


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", PER_PAGE)
def test_generated_catalog_pages_through_the_action(app, generated):
    def fetch(page):
        with app.flask_app.test_request_context("/catalog.ttl"):
            return helpers.call_action("dcat_catalog_show", format="ttl", page=page)
    pages = catalog_pages(fetch)
    assert len(pages) == 2
    assert sum(1 for g in pages for _ in g.subjects(RDF.type, DCAT.Distribution)) == 12
    assert_conforms(pages)


def assert_conforms(pages: list[rdflib.Graph]) -> None:
    """Every page: no sh:Violation in any official set. The whole catalog (the pages together, as a harvester
    reads it; a series and its members may sit on different pages): no result of any severity in the
    mandatory and range sets, and in the recommended set only missing recommended values of the records
    (sh:Warning, MinCount), never a wrong value."""
    per_page = [r for g in pages for r in shacl.validate(g, "official") if r.severity == "Violation"]
    assert not per_page, shacl.render_text(per_page)
    whole = rdflib.Graph()
    for graph in pages:
        whole += graph
    strict = shacl.validate_with(whole, "mandatory") + shacl.validate_with(whole, "range")
    assert not strict, shacl.render_text(strict)
    wrong = [r for r in shacl.validate_with(whole, "recommended")
             if (r.severity, r.constraint) != ("Warning", "MinCountConstraintComponent")]
    assert not wrong, shacl.render_text(wrong)


# ------------------------------------------------------------------ the rules one by one (no database)

EX = rdflib.Namespace("http://example.org/")
EU = "http://publications.europa.eu/resource/authority/"


@pytest.mark.parametrize("value, expected", [("es", "language/SPA"), ("en", "language/ENG"), ("ara", "language/ARA"),
                                             ("xx", None)])
def test_language_codes_become_eu_language_iris(value, expected):
    assert conformance.language_iri(value) == (URIRef(EU + expected) if expected else None)


def test_formats_become_file_type_or_media_type_iris():
    assert conformance.file_type_iri("csv") == URIRef(EU + "file-type/CSV")
    assert conformance.file_type_iri("Some odd format, v2") is None
    assert conformance.media_type_iri("text/csv") == URIRef("https://www.iana.org/assignments/media-types/text/csv")
    assert conformance.CONVERTERS[DCTERMS.format]("text/csv") == conformance.media_type_iri("text/csv")


def test_range_rules_are_read_from_the_vendored_shapes():
    rules = conformance.range_classes()
    assert rules[DCAT.Dataset][DCTERMS.language] == DCTERMS.LinguisticSystem
    assert rules[DCAT.Distribution][DCTERMS.format] == DCTERMS.MediaTypeOrExtent
    shapes = shacl.shapes_graph("range")
    in_file = {(t, shapes.value(p, rdflib.namespace.SH.path)) for t, p in
               ((t, p) for s, t in shapes.subject_objects(rdflib.namespace.SH.targetClass)
                for p in shapes.objects(s, rdflib.namespace.SH.property)
                if (p, rdflib.namespace.SH["class"], None) in shapes)}
    read = {(t, path) for t, paths in rules.items() for path in paths}
    assert read == {(t, path) for t, path in in_file if isinstance(path, URIRef)}


def test_every_untyped_range_object_gets_the_class_its_shape_requires():
    graph = rdflib.Graph()
    expected = {}
    for n, (target, paths) in enumerate(conformance.range_classes().items()):
        subject = EX[f"s{n}"]
        graph.add((subject, RDF.type, target))
        for m, (path, required) in enumerate(paths.items()):
            obj = EX[f"o{n}-{m}"]
            graph.add((subject, path, obj))
            expected[obj] = required
    for subject in set(graph.subjects(RDF.type, None)):
        conformance.type_objects(graph, subject)
    assert {obj: graph.value(obj, RDF.type) for obj in expected} == expected
    assert [r for r in shacl.validate_with(graph, "range") if r.constraint == "ClassConstraintComponent"] == []


def test_an_object_typed_otherwise_is_left_for_the_shapes_to_report():
    graph = rdflib.Graph()
    graph.add((EX.dataset, RDF.type, DCAT.Dataset))
    graph.add((EX.dataset, DCTERMS.temporal, EX.place))
    graph.add((EX.place, RDF.type, DCTERMS.Location))
    conformance.complete(graph, EX.dataset)
    assert (EX.place, RDF.type, DCTERMS.PeriodOfTime) not in graph
    [result] = [r for r in shacl.validate_with(graph, "range") if r.path == "dct:temporal"]
    assert (result.value, result.constraint) == (str(EX.place), "ClassConstraintComponent")


def test_literals_where_resources_are_required_become_iris_or_labelled_nodes():
    graph = rdflib.Graph()
    graph.add((EX.dataset, RDF.type, DCAT.Dataset))
    graph.add((EX.dataset, DCTERMS.language, Literal("es")))
    graph.add((EX.dataset, DCAT.distribution, EX.dist))
    graph.add((EX.dist, RDF.type, DCAT.Distribution))
    graph.add((EX.dist, DCTERMS.format, Literal("Some odd format, v2")))
    graph.add((EX.dist, DCAT.mediaType, Literal("text/csv")))
    conformance.complete(graph, EX.dataset)
    language = graph.value(EX.dataset, DCTERMS.language)
    assert language == URIRef(EU + "language/SPA")
    assert graph.value(language, RDF.type) == DCTERMS.LinguisticSystem
    fmt = graph.value(EX.dist, DCTERMS.format)
    assert isinstance(fmt, BNode) and graph.value(fmt, RDFS.label) == Literal("Some odd format, v2")
    assert graph.value(fmt, RDF.type) == DCTERMS.MediaTypeOrExtent
    assert graph.value(EX.dist, DCAT.mediaType) == URIRef("https://www.iana.org/assignments/media-types/text/csv")
    assert not [r for r in shacl.validate(graph, "official") if r.constraint in
                ("NodeKindConstraintComponent", "ClassConstraintComponent")]


def test_a_series_is_also_a_dataset_and_other_datasets_are_not_completed_through_it():
    graph = rdflib.Graph()
    graph.add((EX.series, RDF.type, DCAT.DatasetSeries))
    graph.add((EX.series, DCAT.first, EX.other))
    graph.add((EX.other, RDF.type, DCAT.Dataset))
    graph.add((EX.other, DCTERMS.language, Literal("en")))
    conformance.complete(graph, EX.series)
    assert (EX.series, RDF.type, DCAT.Dataset) in graph
    assert graph.value(EX.other, DCTERMS.language) == Literal("en")


def test_labels_of_concepts_we_name_but_do_not_hold():
    assert conformance.label_of_iri("http://purl.org/adms/publishertype/NationalAuthority") == "National Authority"


# ------------------------------------------------------------------ the catalog from the configuration

@pytest.mark.usefixtures("clean_db")
@pytest.mark.ckan_config("ckan.site_description", "")
@pytest.mark.ckan_config("ckanext.citizendata.dcat.publisher_name", "Statistics Office")
@pytest.mark.ckan_config("ckanext.citizendata.dcat.publisher_type", "http://purl.org/adms/publishertype/Company")
@pytest.mark.ckan_config("ckanext.citizendata.dcat.catalog_license", "http://creativecommons.org/licenses/by/4.0/")
@pytest.mark.ckan_config("ckanext.citizendata.dcat.catalog_spatial", EU + "country/GHA")
def test_the_catalog_states_what_the_configuration_gives():
    from ckanext.citizendata import config as cd_config
    CitizenDataset()
    graph = rdflib.Graph()
    catalog_ref = URIRef("http://test.ckan.net")
    graph.add((catalog_ref, RDF.type, DCAT.Catalog))
    graph.add((catalog_ref, DCTERMS.title, Literal("Citizen Data Catalog (tests)")))
    graph.add((catalog_ref, FOAF.homepage, catalog_ref))
    conformance.catalog(graph, catalog_ref)
    publisher = graph.value(catalog_ref, DCTERMS.publisher)
    assert publisher == URIRef("http://test.ckan.net/#publisher")
    assert str(graph.value(publisher, FOAF.name)) == "Statistics Office"
    assert str(graph.value(catalog_ref, DCTERMS.description)) == cd_config.DCAT_DEFAULTS["catalog_description"]
    assert graph.value(catalog_ref, FOAF.homepage) == URIRef("http://test.ckan.net/")
    assert graph.value(catalog_ref, DCTERMS.issued) is not None
    taxonomy = graph.value(catalog_ref, DCAT.themeTaxonomy)
    assert taxonomy == URIRef(cd_config.vocab_base_uri() + "sdg") and graph.value(taxonomy, DCTERMS.title)
    strict = shacl.validate_with(graph, "mandatory") + shacl.validate_with(graph, "range")
    assert not strict, shacl.render_text(strict)
    recommended = shacl.validate_with(graph, "recommended")
    missing = {r.path for r in recommended if r.focus in (str(catalog_ref), str(publisher))}
    assert not missing & {"dct:issued", "dct:license", "dct:spatial", "dcat:themeTaxonomy", "foaf:homepage", "dct:type"}
