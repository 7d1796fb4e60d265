"""RDF -> record for the ``citizendata`` profile: the inverse of profile_out, and the tidying of what
``euro_dcat_ap_3`` read from our triples into its own keys (themes, standards, places, provenance, attributions).

Example::

    reader = Reader(graph, base="https://w3id.org/citizendata/vocab/")
    fields = reader.dataset(URIRef("http://example.org/dataset/x"))   # {"initiative_type": ..., "engagement": [...]}
"""
from __future__ import annotations

from typing import Any, Optional

import rdflib
from rdflib import URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF

from ckanext.citizendata.namespaces import CDT, EU_COUNTRY
from ckanext.citizendata.text import natural_key

from . import profile_terms as terms
from .profile_out import standards_of

# what euro_dcat_ap_3 makes of the first dct:spatial, when that place is one of ours
SPATIAL_EXTRAS = ("spatial_uri", "spatial_text")


class Reader:
    """Reads the citizen-data fields of one dataset node of ``graph``."""

    def __init__(self, graph: rdflib.Graph, base: str):
        self.g = graph
        self.base = base

    def notation(self, term, scheme: str) -> Optional[str]:
        split = terms.split_concept(term, self.base)
        return split[1] if split and split[0] == scheme else None

    def dataset(self, ref) -> dict[str, Any]:
        record: dict[str, Any] = {}
        for field in terms.CONCEPT_FIELDS:
            values = self.concepts(ref, field)
            if values:
                record[field.name] = values[0] if field.single else values
        record.update(self.literals(ref))
        countries = sorted(str(o)[len(EU_COUNTRY):] for o in self.g.objects(ref, DCTERMS.spatial)
                           if str(o).startswith(str(EU_COUNTRY)))
        engagement = self.engagement(ref)
        partners = self.partners(ref)
        for name, value in (("countries", countries), ("engagement", engagement), ("partners", partners)):
            if value:
                record[name] = value
        return record

    def concepts(self, ref, field: terms.ConceptField) -> list[str]:
        found = {field.decode(n) for n in (self.notation(o, field.scheme) for o in self.g.objects(ref, field.predicate))
                 if n is not None}
        return sorted((n for n in found if field.takes(n)), key=natural_key)

    def literals(self, ref) -> dict[str, Any]:
        record = {}
        for name, (predicate, _) in terms.LITERAL_FIELDS.items():
            value = self.g.value(ref, predicate)
            if value is not None:
                record[name] = _python(value)
        ethics = {name: _python(self.g.value(ref, predicate))
                  for name, predicate in terms.ETHICS.items() if self.g.value(ref, predicate) is not None}
        if ethics:
            record["ethics"] = ethics
        return record

    def engagement(self, ref) -> list[dict[str, Any]]:
        order = terms.scheme_order("engagement-stages")
        entries = [e for e in map(self.activity, self.activities(ref)) if e]
        last = max(order.values(), default=0) + 1  # a stage the vocabulary lacks: after every known one
        return sorted(entries, key=lambda e: (order.get(e["stage"], last), e["stage"]))

    def activities(self, ref) -> list:
        return [a for a in self.g.objects(ref, PROV.wasGeneratedBy) if (a, RDF.type, CDT.EngagementActivity) in self.g]

    def activity(self, node) -> Optional[dict[str, Any]]:
        stage = next(filter(None, (self.notation(t, "engagement-stages") for t in self.g.objects(node, DCTERMS.type))),
                     None)
        if stage is None:
            return None
        entry: dict[str, Any] = {"stage": stage}
        level = self.notation(self.g.value(node, CDT.engagementLevel), "engagement-levels")
        if level is not None:
            entry["level"] = int(level) if level.isdigit() else level
        actors = sorted({self.notation(a, "actor-types") for a in self.g.objects(node, CDT.actorType)} - {None})
        if actors:
            entry["actors"] = actors
        for key, predicate in (("description", DCTERMS.description), ("derived_from", CDT.derivedFromSource)):
            value = self.g.value(node, predicate)
            if value is not None:
                entry[key] = str(value)
        return entry

    def attributions(self, ref) -> list:
        return [a for a in self.g.objects(ref, PROV.qualifiedAttribution)
                if self.notation(self.g.value(a, DCAT.hadRole), "partner-roles")]

    def partners(self, ref) -> list[dict[str, Any]]:
        found = []
        for attribution in self.attributions(ref):
            agent = self.g.value(attribution, PROV.agent)
            name = self.g.value(agent, FOAF.name) if agent is not None else None
            if name is None:
                continue
            partner = {"name": str(name), "role": self.notation(self.g.value(attribution, DCAT.hadRole), "partner-roles")}
            actor = self.notation(self.g.value(agent, DCTERMS.type), "actor-types")
            if actor:
                partner["actor_type"] = actor
            if isinstance(agent, URIRef):
                partner["uri"] = str(agent)
            found.append(partner)
        return sorted(found, key=lambda p: (p["name"], p["role"], p.get("actor_type", ""), p.get("uri", "")))

    def in_series(self, ref, site_dataset_base: str) -> list[str]:
        """dcat:inSeries -> ids of series of this catalog (``<site>/dataset/<id>``), other IRIs as they are."""
        found = []
        for series in self.g.objects(ref, DCAT.inSeries):
            text = str(series)
            found.append(text[len(site_dataset_base):] if text.startswith(site_dataset_base) else text)
        return sorted(found)

    def tidy(self, ref, dataset_dict: dict[str, Any], record: dict[str, Any]) -> None:
        """Take out of euro_dcat_ap_3's keys what it read from our own triples (kept in our fields instead).

        Example::

            reader.tidy(ref, dataset_dict, record)   # dataset_dict["theme"] keeps only other vocabularies' themes
        """
        ours = {f.scheme for f in terms.CONCEPT_FIELDS if f.predicate == DCAT.theme}  # what the record keeps
        themes = {str(o) for o in self.g.objects(ref, DCAT.theme)
                  if (terms.split_concept(o, self.base) or ("",))[0] in ours}
        _drop(dataset_dict, "theme", lambda v: str(v) in themes)
        standards = {str(s) for s in standards_of(record, self.base)}
        _drop(dataset_dict, "conforms_to", lambda v: str(v) in standards)
        self._tidy_places(ref, dataset_dict)
        activities = {str(a) for a in self.activities(ref)}
        _drop(dataset_dict, "provenance_activity", lambda v: _names_one_of(v, activities))
        _drop(dataset_dict, "qualified_attribution", self._is_partner)

    def _tidy_places(self, ref, dataset_dict: dict[str, Any]) -> None:
        """Our places (concepts of our vocabularies, EU countries) out of the spatial coverage, and the spatial
        extras when they name one of them."""
        places = {str(o) for o in self.g.objects(ref, DCTERMS.spatial)
                  if terms.split_concept(o, self.base) or str(o).startswith(str(EU_COUNTRY))}
        _drop(dataset_dict, "spatial_coverage", lambda v: _names_one_of(v, places))
        if any(e.get("key") == "spatial_uri" and e.get("value") in places for e in dataset_dict.get("extras", [])):
            dataset_dict["extras"] = [e for e in dataset_dict["extras"] if e.get("key") not in SPATIAL_EXTRAS]

    def _is_partner(self, attribution) -> bool:
        """Whether euro_dcat_ap_3's attribution has one of our partner roles."""
        if not isinstance(attribution, dict):
            return False
        return bool(self.notation(URIRef(attribution.get("role") or ""), "partner-roles"))


def _names_one_of(value, uris: set[str]) -> bool:
    """Whether euro_dcat_ap_3's dict value has one of ``uris`` as its ``uri``."""
    return isinstance(value, dict) and value.get("uri") in uris


def _python(value) -> Any:
    """A literal's Python value (int, bool); its text when the lexical form does not fit the datatype (the record
    validation then names the field)."""
    python = value.toPython()
    return str(python) if isinstance(python, rdflib.term.Node) else python


def _drop(dataset_dict: dict[str, Any], key: str, ours) -> None:
    """Remove the items of a list value that are ours; the key goes when nothing else is left."""
    value = dataset_dict.get(key)
    if not isinstance(value, list):
        return
    kept = [v for v in value if not ours(v)]
    if kept:
        dataset_dict[key] = kept
    else:
        dataset_dict.pop(key)
