"""What the ``citizendata`` DCAT profile maps, as data: which record field goes to which predicate and concept
scheme, and the concept IRIs of our vocabularies (one rule, both ways).

Example::

    >>> concept_iri("sdg", "16.6.2", base="https://w3id.org/citizendata/vocab/")
    rdflib.term.URIRef('https://w3id.org/citizendata/vocab/sdg/16.6.2')
    >>> split_concept("https://w3id.org/citizendata/vocab/sdg/16.6.2", base="https://w3id.org/citizendata/vocab/")
    ('sdg', '16.6.2')
"""
from __future__ import annotations

import dataclasses
import importlib.resources
from functools import lru_cache
from typing import Callable, Optional
from urllib.parse import unquote

import rdflib
from rdflib.namespace import DCAT, DCTERMS, SKOS

from ckanext.citizendata.namespaces import CDT, QB, SDMX_DSD, STAT, VOCAB_BASE
from ckanext.citizendata.vocab.integrity import notation_segment

# the global SDG data structure definition whose dimensions and code lists our SDG fields use
SDG_DSD = SDMX_DSD["IAEG-SDGs:SDG(1.4)"]


@dataclasses.dataclass(frozen=True)
class ConceptField:
    """A record field whose values are notations of one concept scheme, emitted as ``predicate`` objects."""
    name: str
    predicate: rdflib.URIRef
    scheme: str
    single: bool = False
    dots: Optional[int] = None      # sdg: 0 goal, 1 target, 2 indicator (all three share the scheme)
    derived: bool = False           # computed at show time; emitted, recomputed on input
    encode: Callable[[str], str] = str   # record value -> notation in the scheme
    decode: Callable[[str], str] = str   # and back


def m49_notation(code: str) -> str:
    """The SDG REF_AREA code list writes M49 codes without leading zeros: ``m49_notation("076") == "76"``."""
    return str(int(code)) if str(code).isdigit() else str(code)


def m49_code(notation: str) -> str:
    """The record's three-digit M49 code of a REF_AREA notation: ``m49_code("76") == "076"``."""
    return notation.zfill(3) if notation.isdigit() else notation


CONCEPT_FIELDS: tuple[ConceptField, ...] = (
    ConceptField("sdg_indicators", DCAT.theme, "sdg", dots=2),
    ConceptField("sdg_targets", DCAT.theme, "sdg", dots=1, derived=True),
    ConceptField("sdg_goals", DCAT.theme, "sdg", dots=0, derived=True),
    ConceptField("initiative_type", DCTERMS.subject, "initiative-types", single=True),
    ConceptField("population_groups", DCTERMS.subject, "population-groups"),
    ConceptField("sdg_series", DCTERMS.subject, "cl-series"),
    ConceptField("disaggregation", STAT.dimension, "disaggregation"),
    ConceptField("unit_measure", STAT.statUnitMeasure, "cl-unit-measure"),
    ConceptField("collection_methods", CDT.collectionMethod, "collection-methods"),
    ConceptField("recognition_status", CDT.recognitionStatus, "recognition-status", single=True),
    ConceptField("m49", DCTERMS.spatial, "cl-area", derived=True, encode=m49_notation, decode=m49_code),
)

# record field -> (predicate, datatype) of plain values on the dataset
LITERAL_FIELDS = {
    "sample_size": (CDT.sampleSize, rdflib.XSD.nonNegativeInteger),
    "probability_sample": (CDT.probabilitySample, rdflib.XSD.boolean),
    "meets_copenhagen_definition": (CDT.meetsCopenhagenDefinition, rdflib.XSD.boolean),
}
ETHICS = {
    "informed_consent": CDT.informedConsent,
    "ethics_review": CDT.ethicsReview,
    "anonymised": CDT.anonymised,
    "personal_data": CDT.personalData,
}
DERIVED_FIELDS = ("meets_copenhagen_definition", "sdg_targets", "sdg_goals", "m49")

# further classes of concepts used where a range asks for them (StatDCAT-AP, DCAT-AP 3)
EXTRA_CLASSES = {
    "disaggregation": (QB.DimensionProperty,),
    "cl-area": (DCTERMS.Location,),
    "partner-roles": (DCAT.Role,),
}


def concept_iri(scheme: str, notation: str, base: str = VOCAB_BASE) -> rdflib.URIRef:
    """The IRI of a concept of one of our schemes (vocabularies/README.md: ``<base><scheme>/<notation>``)."""
    return rdflib.URIRef(f"{base}{scheme}/{notation_segment(str(notation))}")


def scheme_iri(scheme: str, base: str = VOCAB_BASE) -> rdflib.URIRef:
    return rdflib.URIRef(base + scheme)


def split_concept(iri, base: str = VOCAB_BASE) -> Optional[tuple[str, str]]:
    """``(scheme, notation)`` of one of our concept IRIs, None for any other term."""
    text = str(iri)
    if isinstance(iri, (rdflib.BNode, rdflib.Literal)) or not text.startswith(base):
        return None
    scheme, _, segment = text[len(base):].partition("/")
    if not scheme or not segment or "/" in segment:
        return None
    return scheme, unquote(segment)


def _vocabulary_graph(name: str) -> rdflib.Graph:
    source = importlib.resources.files("ckanext.citizendata.vocabularies") / f"{name}.ttl"
    return rdflib.Graph().parse(data=source.read_text(encoding="utf-8"), format="turtle")


@lru_cache(maxsize=1)
def dimensions() -> dict[str, dict[str, str]]:
    """Disaggregation notation -> its SDMX concept URN and code list scheme id, from vocabularies/disaggregation.ttl.

    >>> dimensions()["SEX"]["code_list"]
    'cl-sex'
    """
    graph = _vocabulary_graph("disaggregation")
    found = {}
    for concept, notation in graph.subject_objects(SKOS.notation):
        code_list = graph.value(concept, QB.codeList)
        sdmx = [str(m) for m in graph.objects(concept, SKOS.exactMatch) if str(m).startswith("urn:sdmx:")]
        found[str(notation)] = {"code_list": str(code_list)[len(VOCAB_BASE):] if code_list else "",
                                "sdmx_concept": sdmx[0] if sdmx else ""}
    return found


@lru_cache(maxsize=8)
def scheme_order(scheme: str) -> dict[str, int]:
    """Notation -> cdt:order of one of our ordered schemes (engagement stages), from its vocabulary file."""
    graph = _vocabulary_graph(scheme)
    return {str(graph.value(c, SKOS.notation)): int(o) for c, o in graph.subject_objects(CDT.order)}
