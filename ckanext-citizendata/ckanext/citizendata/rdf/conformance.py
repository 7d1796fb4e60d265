"""What the official DCAT-AP 3.0.1 shapes need and ckanext-dcat's euro_dcat_ap_3 does not emit on our data.

Called as the last statement of our profile's ``graph_from_dataset`` / ``graph_from_catalog``. The rules are
read from the vendored shapes (``rdf/shacl.py``), not written down twice:

- where the mandatory shapes want an IRI or a blank node (``sh:nodeKind``) and the graph holds a literal, the
  literal becomes an IRI of the EU vocabulary when one is known (languages, file types, media types), or else a
  blank node of the range class labelled with the literal (nothing is lost);
- where a range shape wants a class (``sh:class``) and the object states no type at all, the object is typed
  with that class (objects typed otherwise are left alone: that is a real error the shapes must report),
  repeated until nothing changes, since a newly typed object can be the target of further range shapes;
- a dataset series is also typed dcat:Dataset (DCAT 3 makes dcat:DatasetSeries a subclass of dcat:Dataset;
  we validate without inference);
- the catalog gets its description, publisher, licence, spatial coverage, first issue date and theme
  taxonomies from the configuration (``config.dcat_catalog``) and the data (its spatial coverage, unless
  configured, is the countries of its public datasets);
- a publisher that is one of our organizations gets its ADMS publisher type (``dct:type``) from the
  organization's extra ``dcat_type`` (the name ckanext-dcat reads from an organization dict), and a
  ``foaf:name`` when it has none (an organization without a title: its ``name``);
- a distribution without a licence has the licence of its dataset's CKAN ``license_id`` (what ckanext-dcat's
  ``ckanext.dcat.resource.inherit.license`` does), and a licence document we know gets its ADMS licence type;
- a country we state (EU country IRI, or our M49 area concept) gets ``dcat:bbox`` and ``dcat:centroid`` as
  GeoSPARQL WKT literals, from vocabularies/country-geometry.csv (Natural Earth, see ATTRIBUTION.md).

Example::

    class CitizenDataProfile(EuropeanDCATAP3Profile):
        def graph_from_dataset(self, dataset_dict, dataset_ref):
            ...
            conformance.dataset(self.g, dataset_ref)
"""
from __future__ import annotations

import csv
import functools
import importlib.resources
import json
import re
from collections import defaultdict, deque
from typing import Callable, Optional

import pycountry
import rdflib
import sqlalchemy as sa
from ckan import model
from ckanext.dcat.utils import dataset_uri
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SH, SKOS, XSD

from ckanext.citizendata import config as cd_config
from ckanext.citizendata.namespaces import EU_COUNTRY, GSP
from ckanext.citizendata.rdf import profile_terms, shacl
from ckanext.citizendata.rdf.profile_terms import split_concept
from ckanext.citizendata.record import countries, inherit
from ckanext.citizendata.vocab import registry

EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
# DCAT 3 (https://www.w3.org/TR/vocab-dcat-3/): the one subclass axiom our output relies on
SUBCLASS_OF = {DCAT.DatasetSeries: DCAT.Dataset}
MAX_ROUNDS = 5  # range typing reaches a fixed point in 2-3 rounds on our graphs (agent -> type concept ...)


# ------------------------------------------------------------------ rules read from the shapes

def _property_rules(name: str, key) -> dict[URIRef, dict[URIRef, URIRef]]:
    """target class -> {path -> value of ``key``} for the property shapes of a shapes set whose path is a
    plain IRI (inverse and other complex paths are skipped)."""
    graph = shacl.shapes_graph(name)
    rules: dict[URIRef, dict[URIRef, URIRef]] = defaultdict(dict)
    for node_shape, target in graph.subject_objects(SH.targetClass):
        for prop in graph.objects(node_shape, SH.property):
            path, value = graph.value(prop, SH.path), graph.value(prop, key)
            if isinstance(path, URIRef) and value is not None:
                rules[target][path] = value
    return dict(rules)


@functools.lru_cache(maxsize=None)
def range_classes() -> dict[URIRef, dict[URIRef, URIRef]]:
    """The ``sh:class`` each range shape requires, e.g. ``range_classes()[DCAT.Dataset][DCTERMS.language]``
    is ``DCTERMS.LinguisticSystem``."""
    return _property_rules("range", SH["class"])


@functools.lru_cache(maxsize=None)
def resource_paths() -> dict[URIRef, set[URIRef]]:
    """Paths whose values must be IRIs or blank nodes, per target class, from the mandatory shapes."""
    kinds = _property_rules("mandatory", SH.nodeKind)
    return {target: {path for path, kind in paths.items() if kind in (SH.IRI, SH.BlankNodeOrIRI)}
            for target, paths in kinds.items()}


# ------------------------------------------------------------------ literals that must be resources

def language_iri(value: str) -> Optional[URIRef]:
    """EU language authority IRI of an ISO 639-1/-3 code, e.g. ``"es"`` -> ``.../language/SPA``."""
    code = value.strip().lower()
    found = pycountry.languages.get(alpha_2=code) if len(code) == 2 else pycountry.languages.get(alpha_3=code)
    return URIRef(f"{EU_AUTHORITY}language/{found.alpha_3.upper()}") if found else None


def file_type_iri(value: str) -> Optional[URIRef]:
    """EU file-type authority IRI of a format name, e.g. ``"csv"`` -> ``.../file-type/CSV``; None for a
    media type or free text."""
    code = re.sub(r"[\s.-]+", "_", value.strip()).upper()
    return URIRef(f"{EU_AUTHORITY}file-type/{code}") if re.fullmatch(r"[A-Z0-9_]{2,20}", code) else None


def media_type_iri(value: str) -> Optional[URIRef]:
    """IANA IRI of a media type, e.g. ``"text/csv"`` -> ``https://www.iana.org/assignments/media-types/text/csv``."""
    value = value.strip().lower()
    return URIRef(IANA_MEDIA_TYPES + value) if re.fullmatch(r"[a-z]+/[a-z0-9.+-]+", value) else None


# path -> converter of a literal to a vocabulary IRI (one small function per kind of value)
CONVERTERS: dict[URIRef, Callable[[str], Optional[URIRef]]] = {
    DCTERMS.language: language_iri,
    DCTERMS.format: lambda v: media_type_iri(v) if "/" in v else file_type_iri(v),
    DCAT.mediaType: media_type_iri,
    DCAT.compressFormat: media_type_iri,
    DCAT.packageFormat: media_type_iri,
}


def _resource_for(graph: rdflib.Graph, path: URIRef, literal: Literal, range_class: Optional[URIRef]):
    iri = CONVERTERS.get(path, lambda _v: None)(str(literal))
    if iri is not None:
        return iri
    node = BNode()
    graph.add((node, RDFS.label, literal))
    if range_class is not None:
        graph.add((node, RDF.type, range_class))
    return node


def literals_to_resources(graph: rdflib.Graph, subject) -> int:
    """Replace literals where the mandatory shapes want a resource, for one subject; returns the count."""
    changed = 0
    for cls in set(graph.objects(subject, RDF.type)):
        for path in resource_paths().get(cls, ()):
            for literal in [o for o in graph.objects(subject, path) if isinstance(o, Literal)]:
                graph.remove((subject, path, literal))
                range_class = range_classes().get(cls, {}).get(path)
                graph.add((subject, path, _resource_for(graph, path, literal, range_class)))
                changed += 1
    return changed


# ------------------------------------------------------------------ class typing of range objects

def _entailed_types(graph: rdflib.Graph, subject) -> None:
    for cls in list(graph.objects(subject, RDF.type)):
        if cls in SUBCLASS_OF:
            graph.add((subject, RDF.type, SUBCLASS_OF[cls]))


def type_objects(graph: rdflib.Graph, subject) -> list:
    """Type the untyped objects of one subject with the class its range shapes require; returns them."""
    typed = []
    rules = range_classes()
    for cls in set(graph.objects(subject, RDF.type)):
        for path, required in rules.get(cls, {}).items():
            for obj in graph.objects(subject, path):
                if not isinstance(obj, Literal) and graph.value(obj, RDF.type) is None:
                    graph.add((obj, RDF.type, required))
                    typed.append(obj)
    return typed


def complete(graph: rdflib.Graph, start) -> None:
    """Make ``start`` and every resource it reaches (not other datasets or catalogs) fit the shapes' ranges."""
    queue, seen = deque([start]), {start}
    for _ in range(MAX_ROUNDS * 1000):
        if not queue:
            return
        subject = queue.popleft()
        _entailed_types(graph, subject)
        literals_to_resources(graph, subject)
        type_objects(graph, subject)
        scheme_titles(graph, subject)
        publisher_type(graph, subject)
        publisher_name(graph, subject)
        location_geometry(graph, subject)
        licence_type(graph, subject)
        authority_label(graph, subject)
        for obj in graph.objects(subject, None):
            if not isinstance(obj, Literal) and obj not in seen and not _is_root(graph, obj):
                seen.add(obj)
                queue.append(obj)


def scheme_titles(graph: rdflib.Graph, subject) -> None:
    """A concept scheme of ours (under the vocabulary base) without dct:title gets its registry title."""
    if (subject, RDF.type, SKOS.ConceptScheme) not in graph or graph.value(subject, DCTERMS.title) is not None:
        return
    base = cd_config.vocab_base_uri()
    if not str(subject).startswith(base):
        return
    scheme = registry.get_scheme(str(subject)[len(base):].strip("/"))
    for lang, text in ((scheme or {}).get("title") or {}).items():
        graph.add((subject, DCTERMS.title, Literal(text, lang=lang or None)))


def _is_root(graph: rdflib.Graph, node) -> bool:
    """Datasets and catalogs are completed by their own call, never through another one."""
    return any(cls in (DCAT.Dataset, DCAT.DatasetSeries, DCAT.Catalog) for cls in graph.objects(node, RDF.type))


# ------------------------------------------------------------------ entry points

def dataset(graph: rdflib.Graph, dataset_ref) -> None:
    """Complete one dataset's part of the graph (the dataset, its distributions, agents, periods ...).

    Example: ``conformance.dataset(self.g, dataset_ref)`` as the last line of ``graph_from_dataset``.
    """
    if (dataset_ref, RDF.type, DCAT.DatasetSeries) in graph:
        _series_members(graph, dataset_ref)
    for series in list(graph.objects(dataset_ref, DCAT.inSeries)):
        _series_reference(graph, series)
    distribution_licences(graph, dataset_ref)
    complete(graph, dataset_ref)


def withhold_series(graph: rdflib.Graph, dataset_ref, series_ids: list[str]) -> None:
    """Drop the dataset's ``dcat:inSeries`` links to initiatives it may not show (the record view's
    ``series_withheld``: record/inherit.py gives_to), so that no page names what its readers may not see."""
    for series in list(graph.objects(dataset_ref, DCAT.inSeries)):
        if _package_id(series) in series_ids:
            graph.remove((dataset_ref, DCAT.inSeries, series))


def _package_id(ref) -> str:
    """The CKAN id at the end of a dataset IRI made by ckanext-dcat, e.g. ``".../dataset/<id>"`` -> ``"<id>"``."""
    return str(ref).rstrip("/").rsplit("/", 1)[-1]


def _series_members(graph: rdflib.Graph, series_ref) -> None:
    """A series has members (DCAT-AP: at least one dataset with dcat:inSeries): state its public members,
    which may be on other pages of the catalog."""
    package = inherit.SeriesLookup.for_request().get(_package_id(series_ref))
    if package is None:
        return
    for member_id in inherit.public_members(package.id):  # rdf/dependencies.py keys fragments on the same list
        graph.add((URIRef(dataset_uri({"id": member_id})), DCAT.inSeries, series_ref))


def _series_reference(graph: rdflib.Graph, series_ref) -> None:
    """A series named by a dataset but not described on this page still needs its title and description
    (it becomes a dcat:DatasetSeries through the range of dcat:inSeries)."""
    if graph.value(series_ref, DCTERMS.title) is not None:
        return
    package = inherit.SeriesLookup.for_request().get(_package_id(series_ref))
    if package is not None and not package.private:
        graph.add((series_ref, DCTERMS.title, Literal(package.title)))
        graph.add((series_ref, DCTERMS.description, Literal(package.notes or package.title)))


def catalog(graph: rdflib.Graph, catalog_ref) -> None:
    """Complete the catalog: description, publisher, homepage, licence, spatial coverage, first issue date,
    and what the ranges need.

    Example: ``conformance.catalog(self.g, catalog_ref)`` as the last line of ``graph_from_catalog``.
    """
    settings = cd_config.dcat_catalog()
    if graph.value(catalog_ref, DCTERMS.description) is None and settings["description"]:
        graph.add((catalog_ref, DCTERMS.description, Literal(settings["description"])))
    _catalog_homepage(graph, catalog_ref)
    _catalog_publisher(graph, catalog_ref, settings)
    licence = settings["license"]
    for predicate, values in ((DCTERMS.license, [licence]), (DCTERMS.spatial, settings["spatial"])):
        for value in filter(None, values):
            graph.add((catalog_ref, predicate, URIRef(value)))
    if not settings["spatial"]:
        for code in catalog_countries():
            graph.add((catalog_ref, DCTERMS.spatial, EU_COUNTRY[code]))
    _catalog_issued(graph, catalog_ref)
    for taxonomy in theme_taxonomies():
        graph.add((catalog_ref, DCAT.themeTaxonomy, taxonomy))
    complete(graph, catalog_ref)


def theme_taxonomies() -> list[URIRef]:
    """The schemes our profile takes dcat:theme values from (read from its field table), e.g. ``[.../vocab/sdg]``."""
    base = cd_config.vocab_base_uri()
    schemes = {f.scheme for f in profile_terms.CONCEPT_FIELDS if f.predicate == DCAT.theme}
    return [profile_terms.scheme_iri(scheme, base) for scheme in sorted(schemes)]


def _catalog_homepage(graph: rdflib.Graph, catalog_ref) -> None:
    """ckanext-dcat states the catalog as its own homepage (both are the site URL); the homepage is the
    site's front page, a foaf:Document, so it gets its own IRI (the site URL with a trailing slash)."""
    homepage = graph.value(catalog_ref, FOAF.homepage)
    if homepage is not None and homepage == catalog_ref:
        graph.remove((catalog_ref, FOAF.homepage, homepage))
        graph.add((catalog_ref, FOAF.homepage, URIRef(str(homepage).rstrip("/") + "/")))


def _catalog_publisher(graph: rdflib.Graph, catalog_ref, settings: dict) -> None:
    if graph.value(catalog_ref, DCTERMS.publisher) is not None or not settings["publisher_name"]:
        return
    agent = URIRef(settings["publisher_uri"])
    graph.add((catalog_ref, DCTERMS.publisher, agent))
    graph.add((agent, RDF.type, FOAF.Agent))
    graph.add((agent, FOAF.name, Literal(settings["publisher_name"])))
    if settings["publisher_type"]:
        _agent_type(graph, agent, settings["publisher_type"])


def _agent_type(graph: rdflib.Graph, agent, iri: str) -> None:
    """``agent dct:type iri``, the type a skos:Concept with a readable label (used for licence types too)."""
    kind = URIRef(iri)
    graph.add((agent, DCTERMS.type, kind))
    graph.add((kind, RDF.type, SKOS.Concept))
    graph.add((kind, SKOS.prefLabel, Literal(label_of_iri(kind), lang="en")))


def label_of_iri(iri: str) -> str:
    """A readable label from the last segment of a vocabulary IRI, for concepts we name but do not hold,
    e.g. ``".../publishertype/NationalAuthority"`` -> ``"National Authority"``."""
    segment = re.split(r"[/#]", str(iri).rstrip("/"))[-1]
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", segment).replace("_", " ").replace("-", " ").strip() or str(iri)


def _catalog_issued(graph: rdflib.Graph, catalog_ref) -> None:
    """The catalog was first issued when its first public dataset was created."""
    if graph.value(catalog_ref, DCTERMS.issued) is not None:
        return
    first = model.Session.execute(
        sa.select(sa.func.min(model.Package.metadata_created))
        .where(model.Package.state == "active", model.Package.private.is_(False))).scalar()
    if first is not None:
        graph.add((catalog_ref, DCTERMS.issued, Literal(first.replace(microsecond=0).isoformat(),
                                                        datatype=XSD.dateTime)))


# ------------------------------------------------------------------ publishers, places

ORGANIZATION_TYPE_EXTRA = "dcat_type"


def _organization(graph: rdflib.Graph, subject) -> Optional[model.Group]:
    """The organization of ours an agent stands for (ckanext-dcat's ``<site>/organization/<id>``), or None."""
    if (not isinstance(subject, URIRef) or "/organization/" not in str(subject)
            or (subject, RDF.type, FOAF.Agent) not in graph):
        return None
    group = model.Group.get(_package_id(subject))
    return group if group is not None and group.is_organization else None


def publisher_type(graph: rdflib.Graph, subject) -> None:
    """An organization of ours stated as an agent without dct:type gets the ADMS publisher type of its extra
    ``dcat_type``, e.g. ``http://purl.org/adms/publishertype/NationalAuthority``."""
    if graph.value(subject, DCTERMS.type) is not None:
        return
    group = _organization(graph, subject)
    kind = (group.extras or {}).get(ORGANIZATION_TYPE_EXTRA) if group is not None else None
    if kind:
        _agent_type(graph, subject, kind)


def publisher_name(graph: rdflib.Graph, subject) -> None:
    """An organization of ours stated as an agent gets a foaf:name (mandatory for a foaf:Agent) when it has
    none that is more than white space: its title, or its ``name`` when it has no title (CKAN allows an
    organization without one; ckanext-dcat then states no name), e.g. ``"untitled-org"``."""
    names = list(graph.objects(subject, FOAF.name))
    if any(str(name).strip() for name in names):
        return
    group = _organization(graph, subject)
    if group is None:
        return
    for name in names:
        graph.remove((subject, FOAF.name, name))
    graph.add((subject, FOAF.name, Literal((group.title or "").strip() or group.name)))


@functools.lru_cache(maxsize=1)
def country_geometry() -> dict[str, tuple[str, str]]:
    """ISO 3166-1 alpha-3 -> (bbox, centroid) as WKT, e.g. ``country_geometry()["KEN"][1]`` is
    ``"POINT(37.796 0.6)"``; read once from vocabularies/country-geometry.csv."""
    text = importlib.resources.files("ckanext.citizendata.vocabularies").joinpath("country-geometry.csv")
    rows = csv.DictReader(line for line in text.read_text(encoding="utf-8").splitlines()
                          if not line.startswith("#"))
    found = {}
    for row in rows:
        x0, y0, x1, y1, cx, cy = (_number(row[k]) for k in ("min_lon", "min_lat", "max_lon", "max_lat",
                                                             "centroid_lon", "centroid_lat"))
        found[row["code"]] = (f"POLYGON(({x0} {y0}, {x1} {y0}, {x1} {y1}, {x0} {y1}, {x0} {y0}))",
                              f"POINT({cx} {cy})")
    return found


def _number(text: str) -> str:
    return repr(float(text))


def location_country(subject) -> Optional[str]:
    """The alpha-3 code of a country place we state: an EU country IRI or our M49 area concept, e.g.
    ``location_country(URIRef(".../authority/country/KEN")) == "KEN"``; None for anything else."""
    text = str(subject)
    if text.startswith(str(EU_COUNTRY)):
        return text[len(str(EU_COUNTRY)):]
    concept = split_concept(subject, cd_config.vocab_base_uri())
    return countries.from_m49(concept[1]) if concept and concept[0] == "cl-area" else None


def location_geometry(graph: rdflib.Graph, subject) -> None:
    """A dct:Location that is a country gets its dcat:bbox and dcat:centroid (GeoSPARQL WKT, CRS84)."""
    if (subject, RDF.type, DCTERMS.Location) not in graph or graph.value(subject, DCAT.bbox) is not None:
        return
    geometry = country_geometry().get(location_country(subject) or "")
    if geometry:
        graph.add((subject, DCAT.bbox, Literal(geometry[0], datatype=GSP.wktLiteral)))
        graph.add((subject, DCAT.centroid, Literal(geometry[1], datatype=GSP.wktLiteral)))


def catalog_countries() -> list[str]:
    """The countries (alpha-3) of the catalog's public datasets, sorted, e.g. ``["GHA", "KEN"]``."""
    package = model.package_table
    countries = package.c.extras["countries"].astext
    values = model.Session.execute(
        sa.select(countries).distinct()
        .where(countries.isnot(None), package.c.state == "active", package.c.private.is_(False))).scalars()
    codes = set()
    for value in values:
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = value.split()
        codes.update(str(code) for code in (parsed if isinstance(parsed, list) else [parsed]))
    return sorted(code for code in codes if code in country_geometry())


# licence document IRI -> ADMS licence type (http://purl.org/adms/licencetype/...), for the licences CKAN offers
ADMS_LICENCE_TYPE = "http://purl.org/adms/licencetype/"
LICENCE_TYPES = {
    "http://creativecommons.org/publicdomain/zero/1.0/": "PublicDomain",
    "http://www.opendefinition.org/licenses/cc-zero": "PublicDomain",
    "http://www.opendefinition.org/licenses/odc-pddl": "PublicDomain",
    "http://www.opendefinition.org/licenses/cc-by": "Attribution",
    "http://www.opendefinition.org/licenses/cc-by-sa": "ShareAlike",
    "http://www.opendefinition.org/licenses/odc-by": "Attribution",
    "http://www.opendefinition.org/licenses/odc-odbl": "ShareAlike",
    "http://creativecommons.org/licenses/by/4.0/": "Attribution",
    "http://creativecommons.org/licenses/by-sa/4.0/": "ShareAlike",
}


def distribution_licences(graph: rdflib.Graph, dataset_ref) -> None:
    """Distributions without dct:license get the licence (URL) of the dataset's CKAN ``license_id``."""
    package = model.Package.get(_package_id(dataset_ref))
    if package is None or not package.license_id:
        return
    licence = model.Package.get_license_register().get(package.license_id)
    url = getattr(licence, "url", "") if licence is not None else ""
    if not url:
        return
    for distribution in graph.objects(dataset_ref, DCAT.distribution):
        if graph.value(distribution, DCTERMS.license) is None:
            graph.add((distribution, DCTERMS.license, URIRef(url)))


def licence_type(graph: rdflib.Graph, subject) -> None:
    """A licence document we know (``LICENCE_TYPES``) without dct:type gets its ADMS licence type."""
    if (subject, RDF.type, DCTERMS.LicenseDocument) not in graph or graph.value(subject, DCTERMS.type) is not None:
        return
    kind = LICENCE_TYPES.get(str(subject))
    if kind:
        _agent_type(graph, subject, ADMS_LICENCE_TYPE + kind)


def authority_label(graph: rdflib.Graph, subject) -> None:
    """A concept of an EU authority table we name (e.g. a planned availability) without skos:prefLabel gets a
    label from its code, e.g. ``.../planned-availability/AVAILABLE`` -> ``"AVAILABLE"``."""
    if (isinstance(subject, URIRef) and str(subject).startswith(EU_AUTHORITY)
            and (subject, RDF.type, SKOS.Concept) in graph and graph.value(subject, SKOS.prefLabel) is None):
        graph.add((subject, SKOS.prefLabel, Literal(label_of_iri(subject), lang="en")))
