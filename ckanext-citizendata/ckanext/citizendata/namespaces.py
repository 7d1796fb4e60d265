"""Every RDF namespace the project uses, defined once.

Example::

    >>> from ckanext.citizendata.namespaces import VOCAB
    >>> VOCAB["engagement-stages/design"]
    rdflib.term.URIRef('https://w3id.org/citizendata/vocab/engagement-stages/design')
"""
from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

# canonical base of our vocabularies (a deployment may publish them under another base: see vocab/)
VOCAB_BASE = "https://w3id.org/citizendata/vocab/"
VOCAB = Namespace(VOCAB_BASE)
# our own terms (properties and classes), published in schemas/ (issue 5)
CDT = Namespace("https://w3id.org/citizendata/ns#")
QB = Namespace("http://purl.org/linked-data/cube#")
# StatDCAT-AP 1.0.1 terms (stat:dimension, stat:attribute, stat:numSeries, stat:statUnitMeasure)
STAT = Namespace("http://data.europa.eu/m8g/")
DQV = Namespace("http://www.w3.org/ns/dqv#")
GSBPM = Namespace("http://id.unece.org/models/gsbpm/")
EU_THEME = Namespace("http://publications.europa.eu/resource/authority/data-theme/")
SDMX_CONCEPT = Namespace("urn:sdmx:org.sdmx.infomodel.conceptscheme.Concept=")
SDMX_CODE = Namespace("urn:sdmx:org.sdmx.infomodel.codelist.Code=")

PREFIXES = {
    "cdt": CDT, "vocab": VOCAB, "skos": SKOS, "dct": DCTERMS, "dcat": DCAT, "owl": OWL, "prov": PROV,
    "rdf": RDF, "rdfs": RDFS, "xsd": XSD, "qb": QB, "stat": STAT, "dqv": DQV, "gsbpm": GSBPM,
    "eutheme": EU_THEME,
}


def bind_prefixes(graph):
    """Bind our usual prefixes on an rdflib graph; returns the graph."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    return graph


# the EU Publications Office country authority table (dct:spatial of a record's countries) and SDMX DSD URNs
EU_COUNTRY = Namespace("http://publications.europa.eu/resource/authority/country/")
SDMX_DSD = Namespace("urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=")
# our own SHACL shapes (schemas/shapes/citizendata-shapes.ttl)
CDT_SHAPES = Namespace("https://w3id.org/citizendata/shapes#")
# GeoSPARQL (dcat:bbox / dcat:centroid of a dct:Location are gsp:wktLiteral in DCAT-AP 3)
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
# Hydra paging of DCAT catalog pages (ckanext-dcat writes hydra:PagedCollection with hydra:nextPage and hydra:next)
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
# schema.org as DCAT-AP uses it (http, not rdflib's SDO https): schema:startDate / schema:endDate of periods
SCHEMA = Namespace("http://schema.org/")
# identifiers (adms:identifier) and the content hash of a harvested record's catalog record (spdx:checksum)
ADMS = Namespace("http://www.w3.org/ns/adms#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
# the EU Publications Office file-type authority table (dct:format of distributions)
EU_FILE_TYPE = Namespace("http://publications.europa.eu/resource/authority/file-type/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
# IANA's media type register (dcat:mediaType IRIs; older exports write it with http:)
IANA_MEDIA_TYPES = Namespace("https://www.iana.org/assignments/media-types/")
# Web Annotation (oa:): DQV quality annotations of NSO assessments (motivation, target, bodies)
OA = Namespace("http://www.w3.org/ns/oa#")
