"""A record's published NSO assessments and its computed metadata-quality score in DCAT, as DQV and PROV (issue 14),
written and read by the ``citizendata`` profile. The two dict shapes are those of ``assessment/__init__.py``.

What is written (terms of ours in schemas/citizendata-ns.ttl, shapes in schemas/shapes/citizendata-shapes.ttl):

- each PUBLISHED assessment: a ``dqv:QualityAnnotation`` ``<dataset>#assessment-<id>`` linked from the dataset by
  ``dqv:hasQualityAnnotation``; ``oa:motivatedBy cdt:nsoFitnessAssessment`` (narrower than
  ``dqv:qualityAssessment``), ``oa:hasTarget`` the dataset, ``oa:hasBody`` the verdict concept and one
  ``oa:TextualBody`` per rationale language, ``dct:conformsTo`` the framework concept, ``prov:wasAttributedTo`` the
  assessing NSO (its organization IRI, as ckanext-dcat makes publisher IRIs), ``prov:wasGeneratedBy`` a
  ``prov:Activity`` (started when the assessment was created, ended when it was published) associated with the NSO
  in the roles ``cdt:assessorRole`` / ``cdt:approverRole``. The assessor and approver are NOT named: user names are
  personal data, and the organization is the one accountable for a published judgement (who did what stays in the
  event log, shown to those allowed to see it). The other fields: ``cdt:intendedUse``, ``cdt:intendedIndicator``
  (SDG indicator concepts), ``cdt:conditions``, ``cdt:developmentPlan``, ``cdt:validUntil``, ``cdt:judgedVersion``,
  ``cdt:assessmentState``, ``cdt:example``, ``dct:identifier``, ``dct:modified``.
- each criterion: a ``dqv:QualityMeasurement`` ``<annotation>-criterion-<n>`` (n keeps the order), linked by
  ``cdt:hasCriterionRating`` (not ``dqv:hasQualityMeasurement`` from the dataset: NSO judgements and computed scores
  are never mixed), ``dqv:computedOn`` the dataset, ``dqv:value`` the 0-3 rating, ``dqv:isMeasurementOf`` the
  metric ``cdt:rating-<dimension>`` (one per quality dimension, a ``dqv:Metric`` written with the graph, labelled
  and ``dqv:inDimension`` the quality-dimensions concept, which the profile also types ``dqv:Dimension``:
  profile_terms.EXTRA_CLASSES), and ``cdt:criterion``, ``cdt:mandatory``, ``cdt:answer``, ``cdt:evidence``,
  ``rdfs:comment``.
- the score: a ``dqv:QualityMeasurement`` ``<dataset>#quality-score`` of ``cdt:metadataQualityScore`` (value the
  total, ``cdt:maximumScore``, ``cdt:qualityBand``) and one per measurement ``<dataset>#quality-score-<metric>``
  (``dqv:isMeasurementOf`` the metric IRI of the dict: piveau's MQA IRIs or ours; ``cdt:earnedPoints``,
  ``cdt:possiblePoints``), all linked by ``dqv:hasQualityMeasurement``, ``prov:wasAttributedTo`` the
  ``prov:SoftwareAgent`` ``cdt:ckanext-citizendata`` with ``prov:generatedAtTime``.

Read back (``Reader``) into two keys of the parsed dataset dict, for harvesters reading our catalog:
``quality_annotations`` (assessment dicts without ``assessor``, ``approver``, ``history``, ``stale``,
``recognition_status``) and ``quality_score`` (the score dict without ``hint``; ``dimensions`` summed from the
measurements). Our own write path never takes them (logic/validators.py drops them).

A catalog page reads assessments and scores once for the whole page (``read``, called by rdf/cache.py, handed to
the profile in the dataset dict under ``KEY``); a dict without it (a single serialization) is read on its own.

Example::

    quality = read(["<package id>"])["<package id>"]        # Quality(assessments=(...), score={...}, ...)
    Writer(graph, base, concept=profile_out_writer.concept).add(dataset_ref, quality)
    Reader(graph, base).read(dataset_ref)        # {"quality_annotations": [...], "quality_score": {...}}
"""
from __future__ import annotations

import dataclasses
import functools
import re
from typing import Any, Callable, Iterable, Optional
from urllib.parse import quote

import rdflib
import sqlalchemy as sa
from ckan import model
from ckanext.dcat.utils import publisher_uri_organization_fallback
from rdflib import Literal, URIRef
from rdflib.namespace import DC, DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD

from ckanext.citizendata.assessment import store
from ckanext.citizendata.namespaces import CDT, DQV, OA
from ckanext.citizendata.vocab import registry

from . import profile_terms as terms

KEY = "_citizendata_quality"   # the prefetched Quality of a dataset dict (an object JSON cannot make)
ANNOTATIONS, SCORE = "quality_annotations", "quality_score"   # parsed keys
SOFTWARE = CDT["ckanext-citizendata"]
MOTIVATION = CDT.nsoFitnessAssessment
TOTAL = CDT.metadataQualityScore
TOTAL_DIMENSION = CDT.metadataQuality
Concept = Callable[[str, str], URIRef]
# assessment field -> (predicate, datatype) of plain values on the annotation
LITERALS = {
    "intended_use": (CDT.intendedUse, None),
    "conditions": (CDT.conditions, None),
    "valid_until": (CDT.validUntil, XSD.date),
    "judged_version": (CDT.judgedVersion, XSD.dateTime),
    "state": (CDT.assessmentState, None),
    "example": (CDT.example, XSD.boolean),
    "modified": (DCTERMS.modified, XSD.dateTime),
}
# criterion field -> (predicate, datatype) on its measurement
CRITERION = {
    "criterion": (CDT.criterion, None),
    "mandatory": (CDT.mandatory, XSD.boolean),
    "answer": (CDT.answer, None),
    "comment": (RDFS.comment, None),
}
# score measurement field -> (predicate, datatype)
MEASUREMENT = {
    "metric": (CDT.metricName, None),
    "dimension": (CDT.dimensionName, None),
    "earned": (CDT.earnedPoints, XSD.integer),
    "possible": (CDT.possiblePoints, XSD.integer),
    "field": (CDT.recordField, None),
}


@dataclasses.dataclass(frozen=True)
class Quality:
    """What one dataset's graph says about its quality: published assessments, the score, and the assessing
    organizations (name -> (id, title)) for their IRIs and names."""
    assessments: tuple = ()
    score: Optional[dict] = None
    organizations: dict = dataclasses.field(default_factory=dict)


def read(ids: Iterable[str]) -> dict[str, Quality]:
    """package id -> its Quality, for a page of datasets: one query per table (store) and one for the NSOs."""
    ids = [i for i in dict.fromkeys(ids) if i]
    if not ids:
        return {}
    assessments = store.published_assessments(ids)
    scores = store.scores(ids)
    organizations = _organizations({a["organization"] for found in assessments.values() for a in found})
    return {i: Quality(tuple(assessments.get(i) or ()), scores.get(i), organizations) for i in ids}


def _organizations(names: set) -> dict[str, tuple[str, str]]:
    if not names:
        return {}
    g = model.group_table
    rows = model.Session.execute(sa.select(g.c.id, g.c.name, g.c.title).where(g.c.name.in_(names)))
    return {r.name: (r.id, r.title or r.name) for r in rows}


def of(dataset_dict: dict[str, Any]) -> Quality:
    """The Quality handed over in ``dataset_dict`` (rdf/cache.py), else read for this one dataset."""
    given = dataset_dict.get(KEY)
    if isinstance(given, Quality):
        return given
    package_id = dataset_dict.get("id")
    return read([package_id]).get(package_id, Quality()) if package_id else Quality()


def with_quality(dataset_dict: dict[str, Any], quality: Optional[Quality]) -> dict[str, Any]:
    """A shallow copy of ``dataset_dict`` carrying ``quality`` for the profile."""
    return {**dataset_dict, KEY: quality or Quality()}


def mappings(scheme: str, kind: str) -> dict[str, list[str]]:
    """notation -> IRIs of one kind of mapping (``closeMatch``, ``seeAlso``) of a scheme's concepts, from the
    registry, cached per registry revision (never one query per dataset)."""
    return _mappings(scheme, kind, registry.revision())


@functools.lru_cache(maxsize=16)
def _mappings(scheme: str, kind: str, _revision: str) -> dict[str, list[str]]:
    return {c["notation"]: list((c.get("mappings") or {}).get(kind) or []) for c in registry.concepts(scheme)}


def _literal(value: Any, datatype) -> Literal:
    return Literal(str(value), datatype=datatype) if datatype in (XSD.date, XSD.dateTime) else \
        Literal(value, datatype=datatype)


def _segment(text: Any) -> str:
    return quote(str(text), safe="")


class Writer:
    """Adds the quality triples of one dataset; ``concept(scheme, notation)`` writes a concept of ours (the
    profile's ``profile_out.Writer.concept``)."""

    def __init__(self, graph: rdflib.Graph, base: str, concept: Concept):
        self.g = graph
        self.base = base
        self.concept = concept

    def add(self, ref: URIRef, quality: Quality) -> None:
        if not quality.assessments and not quality.score:
            return
        self.g.bind("oa", OA)
        self.g.bind("dqv", DQV)
        for assessment in quality.assessments:
            self.annotation(ref, assessment, quality.organizations.get(assessment["organization"]))
        if quality.score:
            self.score(ref, quality.score)

    def _values(self, node, values: dict[str, Any], table: dict) -> None:
        for name, (predicate, datatype) in table.items():
            if values.get(name) not in (None, ""):
                self.g.add((node, predicate, _literal(values[name], datatype)))

    def annotation(self, ref: URIRef, a: dict[str, Any], organization: Optional[tuple[str, str]]) -> URIRef:
        node = URIRef(f"{ref}#assessment-{_segment(a['id'])}")
        self.g.add((ref, DQV.hasQualityAnnotation, node))
        for cls in (DQV.QualityAnnotation, OA.Annotation):
            self.g.add((node, RDF.type, cls))
        self.g.add((node, OA.motivatedBy, MOTIVATION))
        self.g.add((MOTIVATION, RDF.type, OA.Motivation))
        self.g.add((MOTIVATION, SKOS.broader, DQV.qualityAssessment))
        self.g.add((node, OA.hasTarget, ref))
        self.g.add((node, DCTERMS.identifier, Literal(a["id"])))
        if a.get("verdict"):
            self.g.add((node, OA.hasBody, self.verdict(a["verdict"])))
        for language, text in sorted((a.get("rationale") or {}).items()):
            self.rationale(node, language, text)
        if a.get("framework"):
            self.g.add((node, DCTERMS.conformsTo, self.framework(a["framework"])))
        agent = self.organization(a["organization"], organization)
        self.g.add((node, PROV.wasAttributedTo, agent))
        self.activity(node, a, agent)
        self.details(node, a)
        for number, criterion in enumerate(a.get("criteria") or [], start=1):
            self.rating(ref, node, agent, number, criterion)
        return node

    def verdict(self, notation: str) -> URIRef:
        """The verdict concept, ``skos:closeMatch`` the recognition status it grants (the registry's mapping)."""
        verdict = self.concept("assessment-verdicts", notation)
        for iri in mappings("assessment-verdicts", "closeMatch").get(notation, []):
            split = terms.split_concept(iri, self.base)
            self.g.add((verdict, SKOS.closeMatch, self.concept(*split) if split else URIRef(iri)))
        return verdict

    def framework(self, notation: str) -> URIRef:
        """The framework concept, a ``dct:Standard`` with the page that publishes it (``foaf:page``)."""
        framework = self.concept("assessment-frameworks", notation)
        self.g.add((framework, RDF.type, DCTERMS.Standard))
        for page in mappings("assessment-frameworks", "seeAlso").get(notation, []):
            self.g.add((framework, FOAF.page, URIRef(page)))
            self.g.add((URIRef(page), RDF.type, FOAF.Document))
        return framework

    def rationale(self, node: URIRef, language: str, text: str) -> None:
        body = URIRef(f"{node}-rationale-{_segment(language)}")
        self.g.add((node, OA.hasBody, body))
        self.g.add((body, RDF.type, OA.TextualBody))
        self.g.add((body, RDF.value, Literal(text, lang=language)))
        self.g.add((body, DC.format, Literal("text/plain")))
        self.g.add((body, DC.language, Literal(language)))

    def organization(self, name: str, organization: Optional[tuple[str, str]]) -> URIRef:
        """The assessing NSO: its IRI as ckanext-dcat makes publisher IRIs, its name and title."""
        org_id, title = organization or (name, name)
        agent = URIRef(publisher_uri_organization_fallback({"organization": {"id": org_id}}))
        for cls in (PROV.Agent, PROV.Organization, FOAF.Agent, FOAF.Organization):
            self.g.add((agent, RDF.type, cls))
        self.g.add((agent, DCTERMS.identifier, Literal(name)))
        self.g.add((agent, FOAF.name, Literal(title)))
        return agent

    def activity(self, node: URIRef, a: dict[str, Any], agent: URIRef) -> None:
        activity = URIRef(f"{node}-activity")
        self.g.add((node, PROV.wasGeneratedBy, activity))
        self.g.add((activity, RDF.type, PROV.Activity))
        for key, predicate in (("created", PROV.startedAtTime), ("published_at", PROV.endedAtTime)):
            if a.get(key):
                self.g.add((activity, predicate, _literal(a[key], XSD.dateTime)))
        self.g.add((activity, PROV.wasAssociatedWith, agent))
        roles = [("assessor", CDT.assessorRole)] + ([("approver", CDT.approverRole)] if a.get("approver") else [])
        for suffix, role in roles:
            association = URIRef(f"{node}-{suffix}")
            self.g.add((activity, PROV.qualifiedAssociation, association))
            self.g.add((association, RDF.type, PROV.Association))
            self.g.add((association, PROV.agent, agent))
            self.g.add((association, PROV.hadRole, role))
            self.g.add((role, RDF.type, PROV.Role))

    def details(self, node: URIRef, a: dict[str, Any]) -> None:
        self._values(node, a, LITERALS)
        for indicator in a.get("intended_indicators") or []:
            self.g.add((node, CDT.intendedIndicator, self.concept("sdg", indicator)))
        if a.get("development_plan_url"):
            self.g.add((node, CDT.developmentPlan, URIRef(a["development_plan_url"])))

    def rating(self, ref: URIRef, node: URIRef, agent: URIRef, number: int, criterion: dict[str, Any]) -> None:
        measurement = URIRef(f"{node}-criterion-{number}")
        self.g.add((node, CDT.hasCriterionRating, measurement))
        self.g.add((measurement, RDF.type, DQV.QualityMeasurement))
        self.g.add((measurement, DQV.computedOn, ref))
        self.g.add((measurement, PROV.wasAttributedTo, agent))
        if criterion.get("dimension"):
            self.g.add((measurement, DQV.isMeasurementOf, self.rating_metric(criterion["dimension"])))
        if criterion.get("rating") is not None:
            self.g.add((measurement, DQV.value, Literal(int(criterion["rating"]), datatype=XSD.integer)))
        if criterion.get("evidence_url"):
            self.g.add((measurement, CDT.evidence, URIRef(criterion["evidence_url"])))
        self._values(measurement, criterion, CRITERION)

    def rating_metric(self, dimension: str) -> URIRef:
        """``cdt:rating-<dimension>``: the 0-3 rating of the criteria of one quality dimension."""
        metric = URIRef(f"{CDT}rating-{_segment(dimension)}")
        concept = self.concept("quality-dimensions", dimension)
        label = self.g.value(concept, SKOS.prefLabel) or dimension
        self.g.add((metric, RDF.type, DQV.Metric))
        self.g.add((metric, DQV.inDimension, concept))
        self.g.add((metric, DQV.expectedDataType, XSD.integer))
        self.g.add((metric, SKOS.prefLabel, Literal(f"Rating of {label}", lang="en")))
        self.g.add((metric, SKOS.definition, Literal(
            "An NSO's rating, 0 (not met) to 3 (fully met), of an assessment criterion of this quality "
            "dimension", lang="en")))
        return metric

    def software(self, node: URIRef, at: Optional[str]) -> None:
        """A computed measurement: attributed to our software agent, with the time it was computed."""
        self.g.add((node, RDF.type, DQV.QualityMeasurement))
        self.g.add((node, PROV.wasAttributedTo, SOFTWARE))
        for cls in (PROV.SoftwareAgent, PROV.Agent):
            self.g.add((SOFTWARE, RDF.type, cls))
        self.g.add((SOFTWARE, FOAF.name, Literal("ckanext-citizendata")))
        if at:
            self.g.add((node, PROV.generatedAtTime, _literal(at, XSD.dateTime)))

    def score(self, ref: URIRef, score: dict[str, Any]) -> None:
        total = URIRef(f"{ref}#quality-score")
        self.g.add((ref, DQV.hasQualityMeasurement, total))
        self.software(total, score.get("computed_at"))
        self.g.add((total, DQV.computedOn, ref))
        self.g.add((total, DQV.isMeasurementOf, self.metric(TOTAL, str(TOTAL_DIMENSION))))
        self.g.add((total, DQV.value, Literal(int(score["score"]), datatype=XSD.integer)))
        self.g.add((total, CDT.maximumScore, Literal(int(score["max_score"]), datatype=XSD.integer)))
        self.g.add((total, CDT.qualityBand, Literal(score["band"])))
        if score.get("record_modified"):
            self.g.add((total, CDT.judgedVersion, _literal(score["record_modified"], XSD.dateTime)))
        dimensions = {d.get("dimension"): d.get("iri") for d in score.get("dimensions") or []}
        for item in score.get("measurements") or []:
            self.measurement(ref, item, dimensions.get(item.get("dimension")), score.get("computed_at"))

    def metric(self, iri: Any, dimension: Optional[str]) -> URIRef:
        metric = URIRef(str(iri))
        self.g.add((metric, RDF.type, DQV.Metric))
        if dimension:
            self.g.add((metric, DQV.inDimension, URIRef(dimension)))
            self.g.add((URIRef(dimension), RDF.type, DQV.Dimension))
        return metric

    def measurement(self, ref: URIRef, item: dict[str, Any], dimension: Optional[str], at: Optional[str]) -> None:
        node = URIRef(f"{ref}#quality-score-{_segment(item['metric'])}")
        self.g.add((ref, DQV.hasQualityMeasurement, node))
        self.software(node, at)
        self.g.add((node, DQV.computedOn, ref))
        self.g.add((node, DQV.isMeasurementOf, self.metric(item["iri"], dimension)))
        if item.get("value") is not None:
            self.g.add((node, DQV.value, Literal(item["value"])))
        self._values(node, item, MEASUREMENT)


# ---------------------------------------------------------------- reading back
def _python(value) -> Any:
    if value is None:
        return None
    if isinstance(value, Literal) and value.datatype in (XSD.date, XSD.dateTime):
        return str(value)
    python = value.toPython() if isinstance(value, Literal) else str(value)
    return str(python) if isinstance(python, rdflib.term.Node) else python


def _number(node) -> int:
    found = re.search(r"(\d+)$", str(node))
    return int(found.group(1)) if found else 0


class Reader:
    """Reads the quality triples of one dataset node into ``quality_annotations`` and ``quality_score``."""

    def __init__(self, graph: rdflib.Graph, base: str):
        self.g = graph
        self.base = base

    def notation(self, term, scheme: str) -> Optional[str]:
        split = terms.split_concept(term, self.base) if term is not None else None
        return split[1] if split and split[0] == scheme else None

    def read(self, ref) -> dict[str, Any]:
        found: dict[str, Any] = {}
        annotations = [self.annotation(n) for n in self.g.objects(ref, DQV.hasQualityAnnotation)
                       if (n, OA.motivatedBy, MOTIVATION) in self.g]
        if annotations:
            found[ANNOTATIONS] = sorted(annotations, key=lambda a: (a.get("published_at") or "", a["id"]),
                                        reverse=True)
        score = self.score(ref)
        if score:
            found[SCORE] = score
        return found

    def _values(self, node, table: dict) -> dict[str, Any]:
        return {name: _python(self.g.value(node, predicate)) for name, (predicate, _) in table.items()
                if self.g.value(node, predicate) is not None}

    def annotation(self, node) -> dict[str, Any]:
        agent = self.g.value(node, PROV.wasAttributedTo)
        activity = self.g.value(node, PROV.wasGeneratedBy)
        verdicts = [self.notation(b, "assessment-verdicts") for b in self.g.objects(node, OA.hasBody)]
        bodies = [b for b in self.g.objects(node, OA.hasBody) if (b, RDF.type, OA.TextualBody) in self.g]
        found = {"id": str(self.g.value(node, DCTERMS.identifier)),
                 "organization": _python(self.g.value(agent, DCTERMS.identifier)) if agent is not None else None,
                 "organization_uri": str(agent) if agent is not None else None,
                 "framework": self.notation(self.g.value(node, DCTERMS.conformsTo), "assessment-frameworks"),
                 "verdict": next(filter(None, verdicts), None),
                 "rationale": {str(self.g.value(b, DC.language)): str(self.g.value(b, RDF.value)) for b in bodies},
                 "intended_indicators": sorted(filter(None, (self.notation(i, "sdg") for i in
                                                             self.g.objects(node, CDT.intendedIndicator)))),
                 "development_plan_url": _python(self.g.value(node, CDT.developmentPlan)),
                 "created": _python(self.g.value(activity, PROV.startedAtTime)) if activity is not None else None,
                 "published_at": _python(self.g.value(activity, PROV.endedAtTime)) if activity is not None else None,
                 "criteria": [self.criterion(m) for m in sorted(self.g.objects(node, CDT.hasCriterionRating),
                                                                 key=_number)]}
        found.update(self._values(node, LITERALS))
        return found

    def criterion(self, node) -> dict[str, Any]:
        metric = self.g.value(node, DQV.isMeasurementOf)
        found = {"dimension": self.notation(self.g.value(metric, DQV.inDimension), "quality-dimensions")
                 if metric is not None else None,
                 "rating": _python(self.g.value(node, DQV.value)),
                 "evidence_url": _python(self.g.value(node, CDT.evidence))}
        found.update(self._values(node, CRITERION))
        return found

    def score(self, ref) -> Optional[dict[str, Any]]:
        nodes = [n for n in self.g.objects(ref, DQV.hasQualityMeasurement)
                 if (n, PROV.wasAttributedTo, SOFTWARE) in self.g]
        totals = [n for n in nodes if (n, DQV.isMeasurementOf, TOTAL) in self.g]
        if not totals:
            return None
        total = totals[0]
        measurements = sorted((self.measurement(n) for n in nodes if n != total),
                              key=lambda m: (str(m.get("dimension")), str(m.get("metric"))))
        return {"score": _python(self.g.value(total, DQV.value)),
                "max_score": _python(self.g.value(total, CDT.maximumScore)),
                "band": _python(self.g.value(total, CDT.qualityBand)),
                "record_modified": _python(self.g.value(total, CDT.judgedVersion)),
                "computed_at": _python(self.g.value(total, PROV.generatedAtTime)),
                "measurements": measurements, "dimensions": _dimensions(measurements)}

    def measurement(self, node) -> dict[str, Any]:
        metric = self.g.value(node, DQV.isMeasurementOf)
        found = {"iri": str(metric), "value": _python(self.g.value(node, DQV.value)),
                 "dimension_iri": _python(self.g.value(metric, DQV.inDimension))}
        found.update(self._values(node, MEASUREMENT))
        return found


def _dimensions(measurements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The score's dimensions, summed from its measurements (their IRIs from the metrics' ``dqv:inDimension``)."""
    found: dict[str, dict[str, Any]] = {}
    for m in measurements:
        entry = found.setdefault(m.get("dimension"), {"dimension": m.get("dimension"), "iri": m.get("dimension_iri"),
                                                      "earned": 0, "possible": 0})
        entry["earned"] += m.get("earned") or 0
        entry["possible"] += m.get("possible") or 0
    for m in measurements:
        m.pop("dimension_iri", None)
    return sorted(found.values(), key=lambda d: str(d["dimension"]))
