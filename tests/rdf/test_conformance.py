"""Whole catalog pages (demo records, generated records) against the official DCAT-AP 3.0.1 shapes, and the
rules of rdf/conformance.py one by one.

Until rdf/profile.py exists, a stand-in profile applies conformance.dataset / conformance.catalog after
euro_dcat_ap_3 the way CitizenDataProfile does; once the profile exists the tests use it.
"""
import importlib.util
import json
from importlib import resources

import pytest
import rdflib
from ckan import model
from ckan.cli.cli import ckan as ckan_cli
from ckan.tests import factories, helpers
from ckanext.dcat.processors import RDFProcessor
from ckanext.dcat.profiles import RDFProfile
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS

from ckanext.citizendata import config as cd_config
from ckanext.citizendata.ingest import bulk, bulkload
from ckanext.citizendata.ingest.synthetic import RecordMaker
from ckanext.citizendata.namespaces import GSP
from ckanext.citizendata.rdf import conformance, shacl
from ckanext.citizendata.testing import MINIMAL_ENGAGEMENT, CitizenDataset

from .test_shacl import EX, minimal_catalog

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


AVAILABLE = "http://publications.europa.eu/resource/authority/planned-availability/AVAILABLE"
SITE_PUBLISHER_TYPE = "http://purl.org/adms/publishertype/NonProfitOrganisation"


def generated_records(count: int, seed: int = 5) -> list[dict]:
    """RecordMaker records completed as a publisher would complete them: described resources, a contact point,
    keywords, the period of the title's year and a licence. (RecordMaker itself stays at the record's own
    fields: the bulk path stores only those, and tests/ingest/test_bulkload.py compares it with
    package_create.) Countries without geometry of their own in Natural Earth (e.g. TKL) are left out: we
    state no bbox for them, which the recommended shapes report, rightly."""
    maker = RecordMaker(bulkload._notations(), seed=seed)
    records = []
    for i in range(count):
        record = maker.record(i)
        year = record["title"].rstrip(")").rsplit("(", 1)[-1]
        record["resources"] = [{"url": f"http://example.org/{record['name']}/{n}.csv", "format": fmt,
                                "name": f"Table {n}", "description": f"Table {n} of {record['title']}",
                                "availability": AVAILABLE}
                               for n, fmt in enumerate(["CSV", "text/csv"][:1 + i % 2])]
        record["contact"] = [{"name": "Generated publisher", "email": "data@example.org"}]
        record["temporal_coverage"] = [{"start": f"{year}-01-01", "end": f"{year}-12-31"}]
        record["license_id"] = "cc-by"
        record["tags"] = record["title"].split(" reported")[0].lower().split()[:2]
        record["countries"] = [c for c in record["countries"] if c in conformance.country_geometry()] or ["KEN"]
        records.append(record)
    return records


@pytest.fixture
def generated(clean_db, our_profiles):
    org = factories.Organization(name="generated-publisher", title="Generated publisher",
                                 extras=[{"key": "dcat_type", "value": SITE_PUBLISHER_TYPE}])
    for record in generated_records(8):
        bulk.save(record, org["name"])


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", PER_PAGE)
@pytest.mark.ckan_config("ckanext.citizendata.dcat.publisher_type", SITE_PUBLISHER_TYPE)
def test_demo_catalog_pages_through_the_endpoint(app, demo):
    pages = catalog_pages(lambda page: app.get("/catalog.ttl", query_string={"page": page}, status=200).body)
    assert len(pages) == 3
    assert_conforms(pages, allowed=demo_fact_gaps(pages))


def demo_fact_gaps(pages: list[rdflib.Graph]) -> set[tuple[str, str]]:
    """(focus, path) of the recommended values the demo records cannot state truthfully, read from the records:
    dct:temporal of a record whose facts give no period, the end of a period still going on, dct:license of a distribution of a record without a
    licence, dcatap:availability of a distribution without a stated availability. Nothing else is allowed."""
    records = {r["name"]: r for r in demo_records()["records"]}
    gaps = set()
    for graph in pages:
        for ref in graph.subjects(RDF.type, DCAT.Dataset):
            record = records.get(model.Package.get(str(ref).rsplit("/", 1)[-1]).name)
            if record is None:
                continue
            if not record.get("temporal_coverage"):
                gaps.add((str(ref), "dct:temporal"))
            if any(not period.get("end") for period in record.get("temporal_coverage") or []):  # still going
                gaps.update((str(period), "dcat:endDate") for period in graph.objects(ref, DCTERMS.temporal)
                            if graph.value(period, DCAT.endDate) is None)
            for distribution in graph.objects(ref, DCAT.distribution):
                if not record.get("license_id"):
                    gaps.add((str(distribution), "dct:license"))
                gaps.add((str(distribution), "dcatap:availability"))
    return gaps


def demo_records() -> dict:
    return json.loads(resources.files("ckanext.citizendata.demo").joinpath("records.json").read_text("utf-8"))


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", PER_PAGE)
@pytest.mark.ckan_config("ckanext.citizendata.dcat.publisher_type", SITE_PUBLISHER_TYPE)
def test_generated_catalog_pages_through_the_action(app, generated):
    def fetch(page):
        with app.flask_app.test_request_context("/catalog.ttl"):
            return helpers.call_action("dcat_catalog_show", format="ttl", page=page)
    pages = catalog_pages(fetch)
    assert len(pages) == 2
    assert sum(1 for g in pages for _ in g.subjects(RDF.type, DCAT.Distribution)) == 12
    assert_conforms(pages)


def assert_conforms(pages: list[rdflib.Graph], allowed: frozenset = frozenset()) -> None:
    """Every page: no sh:Violation in any official set. The whole catalog (the pages together, as a harvester
    reads it; a series and its members may sit on different pages): no result of any severity in the
    mandatory, recommended and range sets, but for the (focus, path) pairs in ``allowed`` (the demo's facts
    that are not known, see demo_fact_gaps), which may only be missing values (sh:Warning, MinCount)."""
    per_page = [r for g in pages for r in shacl.validate(g, "official") if r.severity == "Violation"]
    assert not per_page, shacl.render_text(per_page)
    whole = rdflib.Graph()
    for graph in pages:
        whole += graph
    results = [r for name in ("mandatory", "recommended", "range") for r in shacl.validate_with(whole, name)]
    unexpected = [r for r in results if (r.focus, r.path) not in allowed
                  or (r.severity, r.constraint) != ("Warning", "MinCountConstraintComponent")]
    assert not unexpected, shacl.render_text(unexpected)


# ------------------------------------------------------------------ organizations, whatever they lack

# organization_create arguments (nothing else: no image, no extras) -> the foaf:name its publisher must have
BARE_ORGANIZATIONS = [
    ({"name": "untitled"}, "untitled"),
    ({"name": "blank_title-2", "title": " \t ", "description": "", "image_url": ""}, "blank_title-2"),
    ({"name": "odd--name_9", "title": 'Asociación "Ñandú" <Comunidad> & Co. \\ — جمعية'},
     'Asociación "Ñandú" <Comunidad> & Co. \\ — جمعية'),
    ({"name": "empty-title", "title": "", "extras": []}, "empty-title"),
]


@pytest.fixture
def bare_organizations(clean_db, our_profiles) -> dict[str, str]:
    """One dataset with only the fields schemas/dataset.yaml requires (and CKAN's name) per organization of
    BARE_ORGANIZATIONS; dataset id -> the publisher name expected."""
    context = {"user": factories.Sysadmin()["name"]}
    expected = {}
    for n, (spec, name) in enumerate(BARE_ORGANIZATIONS):
        org = helpers.call_action("organization_create", context=dict(context), **spec)
        dataset = helpers.call_action(
            "package_create", context=dict(context), name=f"bare-{n}", title=f"Bare dataset {n}",
            notes="Only what the schema requires.", owner_org=org["id"], initiative_type="community-survey",
            engagement=[dict(e) for e in MINIMAL_ENGAGEMENT])
        expected[dataset["id"]] = name
    return expected


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", 3)
def test_any_organization_gives_a_conforming_catalog_and_dataset_graphs(app, bare_organizations):
    pages = catalog_pages(lambda page: app.get("/catalog.ttl", query_string={"page": page}, status=200).body)
    datasets = [rdflib.Graph().parse(data=app.get(f"/dataset/{package_id}.ttl", status=200).body,
                                   format="turtle") for package_id in bare_organizations]
    assert len(pages) == 2
    for graph in pages + datasets:
        violations = [r for r in shacl.validate(graph, "official") if r.severity == "Violation"]
        assert not violations, shacl.render_text(violations)
    names = {}
    for graph in pages + datasets:
        for ref in graph.subjects(RDF.type, DCAT.Dataset):
            publisher = graph.value(ref, DCTERMS.publisher)
            names.setdefault(str(ref).rsplit("/", 1)[-1], set()).update(graph.objects(publisher, FOAF.name))
    assert names == {package_id: {Literal(name)} for package_id, name in bare_organizations.items()}


# ------------------------------------------------------------------ the rules one by one (no database)

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
    graph = minimal_catalog()
    graph.add((EX.dataset, DCTERMS.language, Literal("es")))
    graph.add((EX.distribution, DCTERMS.format, Literal("Some odd format, v2")))
    graph.add((EX.distribution, DCAT.mediaType, Literal("text/csv")))
    conformance.complete(graph, EX.dataset)
    language = graph.value(EX.dataset, DCTERMS.language)
    assert language == URIRef(EU + "language/SPA")
    assert graph.value(language, RDF.type) == DCTERMS.LinguisticSystem
    fmt = graph.value(EX.distribution, DCTERMS.format)
    assert isinstance(fmt, BNode) and graph.value(fmt, RDFS.label) == Literal("Some odd format, v2")
    assert graph.value(fmt, RDF.type) == DCTERMS.MediaTypeOrExtent
    assert graph.value(EX.distribution, DCAT.mediaType) == URIRef(
        "https://www.iana.org/assignments/media-types/text/csv")
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
    assert str(graph.value(catalog_ref, DCTERMS.description)) == cd_config.option("ckanext.citizendata.dcat.catalog_description")
    assert graph.value(catalog_ref, FOAF.homepage) == URIRef("http://test.ckan.net/")
    assert graph.value(catalog_ref, DCTERMS.issued) is not None
    taxonomy = graph.value(catalog_ref, DCAT.themeTaxonomy)
    assert taxonomy == URIRef(cd_config.vocab_base_uri() + "sdg") and graph.value(taxonomy, DCTERMS.title)
    strict = shacl.validate_with(graph, "mandatory") + shacl.validate_with(graph, "range")
    assert not strict, shacl.render_text(strict)
    recommended = shacl.validate_with(graph, "recommended")
    missing = {r.path for r in recommended if r.focus in (str(catalog_ref), str(publisher))}
    assert not missing & {"dct:issued", "dct:license", "dct:spatial", "dcat:themeTaxonomy", "foaf:homepage", "dct:type"}


# ------------------------------------------------------------------ places, publisher and licence types

def test_countries_we_state_get_bbox_and_centroid_as_wkt_and_others_nothing():
    graph = rdflib.Graph()
    country, area, region = (URIRef(EU + "country/KEN"), URIRef(cd_config.vocab_base_uri() + "cl-area/404"),
                             URIRef(cd_config.vocab_base_uri() + "cl-area/419"))
    for place in (country, area, region, EX.place):
        graph.add((place, RDF.type, DCTERMS.Location))
        conformance.location_geometry(graph, place)
    assert graph.value(country, DCAT.bbox) == graph.value(area, DCAT.bbox)  # M49 404 is Kenya
    bbox, centroid = graph.value(country, DCAT.bbox), graph.value(country, DCAT.centroid)
    assert bbox.datatype == centroid.datatype == GSP.wktLiteral
    x, y = (float(v) for v in str(centroid)[len("POINT("):-1].split())
    corners = [tuple(float(v) for v in pair.split()) for pair in str(bbox)[len("POLYGON(("):-2].split(", ")]
    assert min(c[0] for c in corners) < x < max(c[0] for c in corners)
    assert min(c[1] for c in corners) < y < max(c[1] for c in corners)
    assert graph.value(region, DCAT.bbox) is None and graph.value(EX.place, DCAT.bbox) is None


def test_every_geometry_row_has_its_centroid_in_its_box_unless_it_spans_the_antimeridian():
    rows = conformance.country_geometry()
    assert len(rows) > 200
    for code, (bbox, centroid) in rows.items():
        x, y = (float(v) for v in centroid[len("POINT("):-1].split())
        (x0, y0), _, (x1, y1) = [tuple(float(v) for v in p.split()) for p in bbox[len("POLYGON(("):-2].split(", ")[:3]]
        assert y0 <= y <= y1, code
        assert x0 <= x <= x1 or x1 - x0 > 300, code


@pytest.mark.usefixtures("clean_db")
def test_an_organization_publisher_gets_its_adms_type_and_distributions_the_dataset_licence():
    kind = "http://purl.org/adms/publishertype/NationalAuthority"
    org = factories.Organization(extras=[{"key": "dcat_type", "value": kind}])
    dataset = CitizenDataset(owner_org=org["id"], license_id="cc-zero")
    graph = rdflib.Graph()
    agent, ref = URIRef(f"http://test.ckan.net/organization/{org['id']}"), URIRef(f"http://x/dataset/{dataset['id']}")
    graph.add((agent, RDF.type, FOAF.Agent))
    graph.add((ref, RDF.type, DCAT.Dataset))
    graph.add((ref, DCAT.distribution, EX.dist))
    graph.add((EX.dist, RDF.type, DCAT.Distribution))
    conformance.publisher_type(graph, agent)
    conformance.distribution_licences(graph, ref)
    conformance.complete(graph, ref)
    assert graph.value(agent, DCTERMS.type) == URIRef(kind)
    licence = graph.value(EX.dist, DCTERMS.license)
    assert licence == URIRef("http://www.opendefinition.org/licenses/cc-zero")
    assert graph.value(licence, DCTERMS.type) == URIRef(conformance.ADMS_LICENCE_TYPE + "PublicDomain")


@pytest.mark.usefixtures("clean_db")
def test_the_catalog_covers_the_countries_of_its_public_datasets():
    org = factories.Organization()
    CitizenDataset(countries=["GHA", "KEN"], owner_org=org["id"])
    CitizenDataset(countries=["COL"], owner_org=org["id"], private=True)
    assert conformance.catalog_countries() == ["GHA", "KEN"]


@pytest.mark.usefixtures("clean_db")
def test_ensure_organization_adds_missing_extras_to_an_existing_organization():
    spec = {"name": "typed-org", "title": "Typed", "extras": [{"key": "dcat_type", "value": "x"}]}
    factories.Organization(name="typed-org")
    assert bulk.ensure_organization(spec) == "updated"
    assert bulk.ensure_organization(spec) == "exists"
    assert helpers.call_action("organization_show", id="typed-org")["extras"] == spec["extras"]
