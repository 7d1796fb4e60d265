"""Record -> RDF for the ``citizendata`` profile: one small method per kind of field, driven by profile_terms.

Example::

    writer = Writer(graph, base="https://w3id.org/citizendata/vocab/")
    writer.dataset(URIRef("http://example.org/dataset/x"), {"initiative_type": "social-audit", ...})
"""
from __future__ import annotations

from typing import Any, Callable, Optional

import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, SKOS

from ckanext.citizendata.namespaces import CDT, EU_COUNTRY, QB
from ckanext.citizendata.record import view

from . import profile_terms as terms

Labeler = Callable[[str, str], Optional[str]]
UNIT_CODE_LIST = next(f.scheme for f in terms.CONCEPT_FIELDS if f.name == "unit_measure")  # cl-unit-measure


class Writer:
    """Adds one record's citizen-data triples to ``graph``; ``label(scheme, notation)`` gives English labels."""

    def __init__(self, graph: rdflib.Graph, base: str, label: Optional[Labeler] = None):
        self.g = graph
        self.base = base
        self.label = label or (lambda scheme, notation: None)

    def dataset(self, ref: URIRef, dataset_dict: dict[str, Any]) -> None:
        record = view.record_of(dataset_dict)
        for field in terms.CONCEPT_FIELDS:
            for value in _values(record.get(field.name)):
                self.g.add((ref, field.predicate, self.concept(field.scheme, field.encode(str(value)))))
        self.dimensions(ref, record.get("disaggregation") or [])
        self.standards(ref, record)
        self.countries(ref, record.get("countries") or [])
        self.literals(ref, record)
        for entry in record.get("engagement") or []:
            self.engagement(ref, entry)
        for partner in record.get("partners") or []:
            self.partner(ref, partner)

    def concept(self, scheme: str, notation: Any) -> URIRef:
        """A concept of ours, typed skos:Concept (and what ranges ask for), in its scheme, with its label."""
        iri = terms.concept_iri(scheme, notation, self.base)
        self.g.add((iri, RDF.type, SKOS.Concept))
        for cls in terms.EXTRA_CLASSES.get(scheme, ()):
            self.g.add((iri, RDF.type, cls))
        self.g.add((iri, SKOS.inScheme, terms.scheme_iri(scheme, self.base)))
        self.g.add((iri, SKOS.notation, Literal(str(notation))))
        text = self.label(scheme, str(notation)) or str(notation)  # DCAT-AP: every concept has a prefLabel
        self.g.add((iri, SKOS.prefLabel, Literal(text, lang="en")))
        return iri

    def dimensions(self, ref: URIRef, notations: list[str]) -> None:
        """StatDCAT-AP: each disaggregation concept is a qb:DimensionProperty with its SDMX concept and code list."""
        known = terms.dimensions()
        for notation in notations:
            iri = terms.concept_iri("disaggregation", notation, self.base)
            info = known.get(notation) or {}
            if info.get("sdmx_concept"):
                self.g.add((iri, QB.concept, URIRef(info["sdmx_concept"])))
            if info.get("code_list"):
                code_list = terms.scheme_iri(info["code_list"], self.base)
                self.g.add((iri, QB.codeList, code_list))
                self.g.add((code_list, RDF.type, SKOS.ConceptScheme))

    def standards(self, ref: URIRef, record: dict[str, Any]) -> None:
        """dct:conformsTo the SDG DSD (SDG series, indicators or dimensions) and the code lists of the dimensions."""
        for standard in standards_of(record, self.base):
            self.g.add((ref, DCTERMS.conformsTo, standard))
            self.g.add((standard, RDF.type, DCTERMS.Standard))

    def countries(self, ref: URIRef, codes: list[str]) -> None:
        for code in codes:
            place = EU_COUNTRY[code]
            self.g.add((ref, DCTERMS.spatial, place))
            self.g.add((place, RDF.type, DCTERMS.Location))

    def literals(self, ref: URIRef, record: dict[str, Any]) -> None:
        for name, (predicate, datatype) in terms.LITERAL_FIELDS.items():
            if record.get(name) is not None:
                self.g.add((ref, predicate, Literal(record[name], datatype=datatype)))
        for name, predicate in terms.ETHICS.items():
            value = (record.get("ethics") or {}).get(name)
            if isinstance(value, bool):
                self.g.add((ref, predicate, Literal(value, datatype=rdflib.XSD.boolean)))

    def engagement(self, ref: URIRef, entry: dict[str, Any]) -> None:
        """One prov:Activity per engaged stage: its stage concept (dct:type), level and actor types, and, when a
        harvester derived it, which source statements and mapping table did (cdt:derivedFromSource)."""
        activity = BNode()
        self.g.add((ref, PROV.wasGeneratedBy, activity))
        self.g.add((activity, RDF.type, PROV.Activity))
        self.g.add((activity, RDF.type, CDT.EngagementActivity))
        self.g.add((activity, DCTERMS.type, self.concept("engagement-stages", entry["stage"])))
        if entry.get("level") is not None:
            self.g.add((activity, CDT.engagementLevel, self.concept("engagement-levels", entry["level"])))
        for actor in entry.get("actors") or []:
            self.g.add((activity, CDT.actorType, self.concept("actor-types", actor)))
        if entry.get("description"):
            self.g.add((activity, DCTERMS.description, Literal(entry["description"])))
        if entry.get("derived_from"):
            self.g.add((activity, CDT.derivedFromSource, Literal(entry["derived_from"])))

    def partner(self, ref: URIRef, partner: dict[str, Any]) -> None:
        """prov:qualifiedAttribution [prov:agent <agent>; dcat:hadRole <partner role>]."""
        attribution, agent = BNode(), URIRef(partner["uri"]) if partner.get("uri") else BNode()
        self.g.add((ref, PROV.qualifiedAttribution, attribution))
        self.g.add((attribution, RDF.type, PROV.Attribution))
        self.g.add((attribution, PROV.agent, agent))
        if partner.get("role"):
            self.g.add((attribution, DCAT.hadRole, self.concept("partner-roles", partner["role"])))
        self.g.add((agent, RDF.type, FOAF.Agent))
        self.g.add((agent, RDF.type, PROV.Agent))
        self.g.add((agent, FOAF.name, Literal(partner["name"])))
        if partner.get("actor_type"):
            self.g.add((agent, DCTERMS.type, self.concept("actor-types", partner["actor_type"])))


def standards_of(record: dict[str, Any], base: str) -> list[URIRef]:
    """The standards a record conforms to by its statistical fields (the parser removes exactly these): the SDG
    data structure, the code lists of its dimensions and, with units, the DSD's unit code list.

    >>> standards_of({"disaggregation": ["SEX"]}, "https://w3id.org/citizendata/vocab/")[1]
    rdflib.term.URIRef('https://w3id.org/citizendata/vocab/cl-sex')
    """
    found = []
    if any(record.get(name) for name in ("sdg_indicators", "sdg_series", "disaggregation", "unit_measure")):
        found.append(terms.SDG_DSD)
    known = terms.dimensions()
    for notation in record.get("disaggregation") or []:
        code_list = (known.get(notation) or {}).get("code_list")
        if code_list:
            found.append(terms.scheme_iri(code_list, base))
    if record.get("unit_measure"):
        found.append(terms.scheme_iri(UNIT_CODE_LIST, base))
    return list(dict.fromkeys(found))


def _values(value: Any) -> list:
    if value in (None, "", []):
        return []
    return value if isinstance(value, list) else [value]
