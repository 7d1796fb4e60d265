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
from rdflib.namespace import DCAT, DCTERMS, PROV, SKOS

from ckanext.citizendata.namespaces import CDT, DQV, QB, SDMX_DSD, STAT, VOCAB_BASE
from ckanext.citizendata.record import fields
from ckanext.citizendata.vocab.integrity import notation_segment

# the global SDG data structure definition whose dimensions and code lists our SDG fields use
SDG_DSD = SDMX_DSD["IAEG-SDGs:SDG(1.4)"]


@dataclasses.dataclass(frozen=True)
class ConceptField:
    """A record field whose values are concepts, emitted as ``predicate`` objects. Its scheme, whether it is
    derived or holds one value, and which notations it takes (the SDG goals, targets and indicators share one
    scheme) are the field table's (record/fields.py); only the predicate and the notation quirks are said here."""
    name: str
    predicate: rdflib.URIRef
    encode: Callable[[str], str] = str   # record value -> notation in the scheme
    decode: Callable[[str], str] = str   # and back

    @property
    def field(self) -> fields.Field:
        return fields.FIELDS[self.name]

    @property
    def scheme(self) -> str:
        return self.field.vocabulary

    @property
    def single(self) -> bool:
        return not self.field.multiple

    @property
    def derived(self) -> bool:
        return self.field.derived

    def takes(self, value: str) -> bool:
        """Whether a record value of the scheme belongs to this field (``sdg_targets`` takes ``16.6``)."""
        return self.field.takes(value)


def m49_notation(code: str) -> str:
    """The SDG REF_AREA code list writes M49 codes without leading zeros: ``m49_notation("076") == "76"``."""
    return str(int(code)) if str(code).isdigit() else str(code)


def m49_code(notation: str) -> str:
    """The record's three-digit M49 code of a REF_AREA notation: ``m49_code("76") == "076"``."""
    return notation.zfill(3) if notation.isdigit() else notation


CONCEPT_FIELDS: tuple[ConceptField, ...] = (
    ConceptField("sdg_indicators", DCAT.theme),
    ConceptField("sdg_targets", DCAT.theme),
    ConceptField("sdg_goals", DCAT.theme),
    ConceptField("initiative_type", DCTERMS.subject),
    ConceptField("population_groups", DCTERMS.subject),
    ConceptField("sdg_series", DCTERMS.subject),
    ConceptField("disaggregation", STAT.dimension),
    ConceptField("unit_measure", STAT.statUnitMeasure),
    ConceptField("collection_methods", CDT.collectionMethod),
    ConceptField("recognition_status", CDT.recognitionStatus),
    ConceptField("m49", DCTERMS.spatial, encode=m49_notation, decode=m49_code),
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
# the structured fields, written by profile_out.Writer's methods of the same name, and their predicates on the
# dataset (the node they hang from); ckanext-dcat writes in_series (dcat:inSeries) itself
STRUCTURED_FIELDS = {
    "engagement": (PROV.wasGeneratedBy,),
    "partners": (PROV.qualifiedAttribution,),
    "countries": (DCTERMS.spatial,),
    "ethics": tuple(ETHICS.values()),
}


def mapped_fields() -> set[str]:
    """The record fields this table maps to RDF (a test holds it equal to the field table)."""
    return {f.name for f in CONCEPT_FIELDS} | set(LITERAL_FIELDS) | set(STRUCTURED_FIELDS)

# further classes of concepts used where a range asks for them (StatDCAT-AP, DCAT-AP 3)
EXTRA_CLASSES = {
    "disaggregation": (QB.DimensionProperty,),
    "cl-area": (DCTERMS.Location,),
    "partner-roles": (DCAT.Role,),
    "quality-dimensions": (DQV.Dimension,),   # the dimensions of our rating metrics (rdf/profile_quality.py)
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
    if not scheme or not segment or any(mark in segment for mark in "/#?"):  # concept_iri never writes these
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
