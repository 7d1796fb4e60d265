"""Our own SHACL shapes (schemas/shapes/citizendata-shapes.ttl): what the profile writes conforms, and every
shape is proven able to fail by a broken example that names it as sh:sourceShape."""
from __future__ import annotations

import importlib.resources
from functools import lru_cache
from typing import Callable

import pyshacl
import pytest
import rdflib
from hypothesis import HealthCheck, given, settings
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DC, DCAT, DCTERMS, FOAF, PROV, RDF, SH, SKOS, XSD

from ckanext.citizendata.namespaces import CDT, CDT_SHAPES, DQV, OA, QB, STAT, VOCAB
from ckanext.citizendata.rdf import profile_quality

from .test_profile_quality import QUALITY
from .test_profile_records import (RICH_RECORD, as_shown, demo_shown, profile_env,  # noqa: F401
                                   records, registry_db, serialize)

pytestmark = pytest.mark.usefixtures("profile_env")
CONSTRAINTS = {SH["class"], SH.datatype, SH.nodeKind, SH.minCount, SH.maxCount, SH["in"], SH.node, SH.pattern,
               SH.hasValue, SH.qualifiedValueShape, SH.minInclusive, SH.maxInclusive}


@lru_cache(maxsize=1)
def shapes() -> rdflib.Graph:
    source = importlib.resources.files("ckanext.citizendata.schemas") / "shapes" / "citizendata-shapes.ttl"
    return rdflib.Graph().parse(data=source.read_text(encoding="utf-8"), format="turtle")


def checkable_shapes() -> set:
    """Named shapes that hold a constraint of their own (not only sh:property links or scheme helpers)."""
    graph = shapes()
    named = {s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef) and str(s).startswith(CDT_SHAPES)}
    return {s for s in named if any((s, c, None) in graph for c in CONSTRAINTS)}


def violations(graph: rdflib.Graph) -> list[tuple[str, str, str]]:
    """(source shape, focus node, message) of every result, any severity."""
    _, report, _ = pyshacl.validate(graph, shacl_graph=shapes(), inference="none", allow_warnings=False)
    return sorted((str(report.value(r, SH.sourceShape)), str(report.value(r, SH.focusNode)),
                   str(report.value(r, SH.resultMessage))) for r in report.subjects(RDF.type, SH.ValidationResult))


def graph_of(dataset_dict: dict) -> rdflib.Graph:
    return rdflib.Graph().parse(data=serialize(dataset_dict, "nt"), format="nt")


@pytest.fixture(scope="module")
def rich_graph(registry_db) -> rdflib.Graph:
    return graph_of(as_shown(RICH_RECORD, **{profile_quality.KEY: QUALITY}))   # with an assessment and a score


# ---------------------------------------------------------------- what we write conforms
def test_rich_record_conforms(rich_graph):
    assert violations(rich_graph) == []


def test_demo_records_conform(demo_shown):
    graph = rdflib.Graph()
    for shown in demo_shown:
        graph += graph_of(shown)
    assert violations(graph) == []


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(record=records())
def test_generated_records_conform(record):
    assert violations(graph_of(as_shown(record))) == []


# ---------------------------------------------------------------- each shape can fail
def _dataset(g):
    return next(g.subjects(RDF.type, DCAT.Dataset))


def _activity(g):
    return next(g.subjects(RDF.type, CDT.EngagementActivity))


def _attribution(g):
    return next(a for a in g.objects(_dataset(g), PROV.qualifiedAttribution) if (a, DCAT.hadRole, None) in g)


def _agent(g):
    return g.value(_attribution(g), PROV.agent)


def _foreign_concept(g, scheme: str, notation: str) -> URIRef:
    """A concept of another scheme than the one a shape asks for, typed as the profile types concepts."""
    iri = VOCAB[f"{scheme}/{notation}"]
    g.add((iri, RDF.type, SKOS.Concept))
    g.add((iri, RDF.type, DCAT.Role))
    g.add((iri, SKOS.inScheme, VOCAB[scheme]))
    return iri


def _set(g, subject, predicate, value):
    g.set((subject, predicate, value))


def _annotation(g):
    return next(g.subjects(RDF.type, DQV.QualityAnnotation))


def _body(g):
    return next(g.subjects(RDF.type, OA.TextualBody))


def _rating(g):
    return next(r for r in g.objects(_annotation(g), CDT.hasCriterionRating) if (r, DQV.value, None) in g)


def _computed(g):
    return next(m for m in g.objects(_dataset(g), DQV.hasQualityMeasurement) if (m, CDT.qualityBand, None) not in g)


def _total(g):
    return next(g.subjects(CDT.qualityBand, None))


def _remove_verdict(g):
    for body in [b for b in g.objects(_annotation(g), OA.hasBody) if (b, RDF.type, OA.TextualBody) not in g]:
        g.remove((_annotation(g), OA.hasBody, body))


BROKEN: dict[str, Callable[[rdflib.Graph], None]] = {
    "DimensionShape": lambda g: g.remove((VOCAB["disaggregation/SEX"], RDF.type, QB.DimensionProperty)),
    "UnitMeasureShape": lambda g: g.add((_dataset(g), STAT.statUnitMeasure, URIRef("http://example.org/unit/kg"))),
    "NumSeriesShape": lambda g: g.add((_dataset(g), STAT.numSeries, Literal("three"))),
    "SubjectShape": lambda g: g.add((_dataset(g), DCTERMS.subject, Literal("public services"))),
    "SampleSizeShape": lambda g: _set(g, _dataset(g), CDT.sampleSize, Literal(-3, datatype=XSD.integer)),
    "ProbabilitySampleShape": lambda g: _set(g, _dataset(g), CDT.probabilitySample, Literal("yes")),
    "MeetsDefinitionShape": lambda g: g.add((_dataset(g), CDT.meetsCopenhagenDefinition, Literal(False))),
    "InformedConsentShape": lambda g: _set(g, _dataset(g), CDT.informedConsent, Literal(1)),
    "EthicsReviewShape": lambda g: _set(g, _dataset(g), CDT.ethicsReview, Literal("true")),
    "AnonymisedShape": lambda g: _set(g, _dataset(g), CDT.anonymised, Literal(0)),
    "PersonalDataShape": lambda g: _set(g, _dataset(g), CDT.personalData, Literal("no")),
    "RecognitionStatusShape": lambda g: _set(g, _dataset(g), CDT.recognitionStatus,
                                             _foreign_concept(g, "initiative-types", "social-audit")),
    "CollectionMethodShape": lambda g: g.add((_dataset(g), CDT.collectionMethod,
                                              _foreign_concept(g, "actor-types", "cso"))),
    "EngagementShape": lambda g: g.add((_dataset(g), PROV.wasGeneratedBy, BNode())),
    "EngagementActivityShape": lambda g: g.remove((_activity(g), RDF.type, PROV.Activity)),
    "EngagementStageShape": lambda g: g.remove((_activity(g), DCTERMS.type, None)),
    "EngagementLevelShape": lambda g: _set(g, _activity(g), CDT.engagementLevel, Literal(4)),
    "DerivedFromSourceShape": lambda g: g.add((_activity(g), CDT.derivedFromSource, Literal(""))),
    "ActorTypeShape": lambda g: g.add((_activity(g), CDT.actorType, _foreign_concept(g, "partner-roles", "funder"))),
    "AttributionShape": lambda g: g.remove((_attribution(g), RDF.type, PROV.Attribution)),
    "AttributionAgentShape": lambda g: g.remove((_agent(g), RDF.type, PROV.Agent)),
    "AgentNameShape": lambda g: g.remove((_agent(g), FOAF.name, None)),
    "AttributionRoleShape": lambda g: g.remove((_attribution(g), DCAT.hadRole, None)),
    # NSO assessments, ratings, metrics and the computed score (rdf/profile_quality.py)
    "MotivationShape": lambda g: _set(g, _annotation(g), OA.motivatedBy, OA.commenting),
    "AnnotationTargetShape": lambda g: g.add((_annotation(g), OA.hasTarget, URIRef("http://example.org/other"))),
    "VerdictBodyShape": _remove_verdict,
    "FrameworkShape": lambda g: _set(g, _annotation(g), DCTERMS.conformsTo,
                                     _foreign_concept(g, "actor-types", "nso")),
    "AssessingAgentShape": lambda g: _set(g, _annotation(g), PROV.wasAttributedTo, profile_quality.SOFTWARE),
    "AssessmentActivityShape": lambda g: g.remove((_annotation(g), PROV.wasGeneratedBy, None)),
    "CriterionRatingLinkShape": lambda g: g.add((_annotation(g), CDT.hasCriterionRating,
                                                 URIRef("http://example.org/rating"))),
    "TextualBodyValueShape": lambda g: _set(g, _body(g), RDF.value, Literal("no language")),
    "TextualBodyFormatShape": lambda g: _set(g, _body(g), DC.format, Literal("text/html")),
    "TextualBodyLanguageShape": lambda g: g.remove((_body(g), DC.language, None)),
    "RatingValueShape": lambda g: _set(g, _rating(g), DQV.value, Literal(4, datatype=XSD.integer)),
    "RatingAgentShape": lambda g: _set(g, _rating(g), PROV.wasAttributedTo, profile_quality.SOFTWARE),
    "MeasurementMetricShape": lambda g: g.remove((_computed(g), DQV.isMeasurementOf, None)),
    "ComputedOnShape": lambda g: g.remove((_rating(g), DQV.computedOn, None)),
    "MetricDimensionShape": lambda g: g.remove((g.value(_rating(g), DQV.isMeasurementOf), DQV.inDimension, None)),
    "ScoreMeasurementShape": lambda g: g.add((_dataset(g), DQV.hasQualityMeasurement, BNode())),
    "ScoreValueShape": lambda g: g.remove((_computed(g), DQV.value, None)),
    "ScoreAgentShape": lambda g: g.add((_computed(g), PROV.wasAttributedTo, g.value(_annotation(g),
                                                                                 PROV.wasAttributedTo))),
    "GeneratedAtShape": lambda g: _set(g, _total(g), PROV.generatedAtTime, Literal("yesterday")),
    "MaximumScoreShape": lambda g: g.remove((_total(g), CDT.maximumScore, None)),
}


def test_every_shape_has_a_broken_example():
    assert {CDT_SHAPES[name] for name in BROKEN} == checkable_shapes()


@pytest.mark.parametrize("shape", sorted(BROKEN))
def test_shape_fails_on_its_broken_example(rich_graph, shape):
    graph = rdflib.Graph()
    graph += rich_graph
    BROKEN[shape](graph)
    found = {source for source, _, _ in violations(graph)}
    assert str(CDT_SHAPES[shape]) in found, f"{shape} not among {sorted(found)}"
