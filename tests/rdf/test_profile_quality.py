"""rdf/profile_quality.py: published NSO assessments and the computed score of a record as DQV and PROV in its DCAT,
read back field by field in every format, judgements and computed measurements never mixed, no user names, the
official DCAT-AP 3 shapes still met, one query per table for a page, and never written back by our write path."""
from __future__ import annotations

import copy
import datetime

import pytest
import rdflib
import sqlalchemy as sa
from ckan import model
from rdflib import Literal, URIRef
from rdflib.namespace import DC, DCAT, PROV, RDF, XSD

from ckanext.citizendata.model.assessment import assessment_table
from ckanext.citizendata.namespaces import CDT, DQV, OA, VOCAB
from ckanext.citizendata.rdf import profile_quality, shacl
from ckanext.citizendata.rdf.profile_quality import Quality
from ckanext.citizendata.testing import put_score

from .test_profile_records import (  # noqa: F401
    FORMATS,
    RICH_RECORD,
    as_shown,
    canonical,
    parse,
    profile_env,
    registry_db,
    serialize,
)

ORG_ID = "6f1c2c1e-0000-4000-8000-0000000000a1"
# an example made for the demonstration: no NSO made this assessment
ASSESSMENT = {
    "id": "a-0001", "package_id": "6f1c2c1e-0000-4000-8000-000000000001", "organization": "nso-ghana",
    "framework": "un-nqaf-2019", "intended_use": "Reporting SDG 16.6.2 at district level",
    "intended_indicators": ["16.6.2", "16.7.2"],
    "criteria": [{"criterion": "The collection method is documented", "dimension": "methodological-transparency",
                  "mandatory": True, "answer": "yes", "rating": 3, "evidence_url": "https://example.org/method",
                  "comment": "Questionnaire and sampling published."},
                 {"criterion": "Results are timely", "dimension": "timeliness", "mandatory": False,
                  "answer": "partially", "rating": 2, "evidence_url": None, "comment": ""},
                 {"criterion": "Comparable with the census", "dimension": "coherence-comparability",
                  "mandatory": False, "answer": "not-applicable", "rating": None, "evidence_url": None,
                  "comment": ""}],
    "verdict": "endorse-experimental", "recognition_status": "experimental-statistics",
    "rationale": {"en": "Fit for district reporting.", "fr": "Adapté au suivi par district."},
    "conditions": "Re-assess after round 4.", "development_plan_url": "https://example.org/plan",
    "valid_until": "2027-12-31", "state": "published", "assessor": "ama-assessor", "approver": "kofi-approver",
    "judged_version": "2026-11-30T10:00:00.123456", "created": "2026-11-30T11:00:00+00:00",
    "modified": "2026-12-01T09:00:00+00:00", "published_at": "2026-12-01T09:30:00+00:00",
    "example": True, "stale": False, "stale_reasons": [],
    "history": [{"kind": "transition", "actor": "kofi-approver", "at": "2026-12-01T09:30:00+00:00",
                 "from": "draft", "to": "published", "note": ""}]}
SCORE = {
    "package_id": ASSESSMENT["package_id"], "score": 95, "max_score": 130, "band": "good",
    "dimensions": [{"dimension": "findability", "iri": "https://piveau.eu/ns/voc#findability", "earned": 30,
                    "possible": 50},
                   {"dimension": "citizen-data", "iri": "https://w3id.org/citizendata/ns#citizenDataQuality",
                    "earned": 65, "possible": 80}],
    "measurements": [
        {"metric": "keywordAvailability", "iri": "https://piveau.eu/ns/voc#keywordAvailability",
         "dimension": "findability", "earned": 30, "possible": 30, "value": True, "hint": "Add keywords.",
         "field": "tag_string"},
        {"metric": "spatialAvailability", "iri": "https://piveau.eu/ns/voc#spatialAvailability",
         "dimension": "findability", "earned": 0, "possible": 20, "value": False, "hint": "Add places.",
         "field": "countries"},
        {"metric": "engagementLevel", "iri": "https://w3id.org/citizendata/ns#engagementLevelMetric",
         "dimension": "citizen-data", "earned": 65, "possible": 80, "value": 4, "hint": "", "field": "engagement"}],
    "record_modified": "2026-11-30T10:00:00.123456", "computed_at": "2026-12-01T10:00:00+00:00"}
QUALITY = Quality((ASSESSMENT,), SCORE, {"nso-ghana": (ORG_ID, "Ghana Statistical Service")})
# what the DCAT keeps of an assessment: not the people (personal data), nor the log, nor what is derived
NOT_PUBLISHED = {"package_id", "assessor", "approver", "history", "stale", "stale_reasons", "recognition_status"}

pytestmark = pytest.mark.usefixtures("profile_env")


def assessed(**core) -> dict:
    return as_shown(RICH_RECORD, **{"id": ASSESSMENT["package_id"], profile_quality.KEY: QUALITY, **core})


def graph_of(dataset_dict: dict) -> tuple[rdflib.Graph, URIRef]:
    graph = rdflib.Graph().parse(data=serialize(dataset_dict, "nt"), format="nt")
    return graph, next(graph.subjects(RDF.type, DCAT.Dataset))


def published_form(item: dict) -> dict:
    return canonical({k: v for k, v in item.items() if k not in NOT_PUBLISHED}, sorted(item))


# ---------------------------------------------------------------- what is written
def test_an_assessment_is_a_quality_annotation_of_the_dataset():
    g, ref = graph_of(assessed())
    [node] = g.objects(ref, DQV.hasQualityAnnotation)
    assert (node, RDF.type, DQV.QualityAnnotation) in g and (node, OA.hasTarget, ref) in g
    assert (node, OA.motivatedBy, CDT.nsoFitnessAssessment) in g
    assert (CDT.nsoFitnessAssessment, rdflib.SKOS.broader, DQV.qualityAssessment) in g
    assert (node, OA.hasBody, VOCAB["assessment-verdicts/endorse-experimental"]) in g
    assert (node, rdflib.DCTERMS.conformsTo, VOCAB["assessment-frameworks/un-nqaf-2019"]) in g
    # the registry's mappings: the status a verdict grants, the page that publishes a framework
    assert (VOCAB["assessment-verdicts/endorse-experimental"], rdflib.SKOS.closeMatch,
            VOCAB["recognition-status/experimental-statistics"]) in g
    assert (VOCAB["assessment-frameworks/un-nqaf-2019"], rdflib.FOAF.page,
            URIRef("https://unstats.un.org/unsd/methodology/dataquality/")) in g
    bodies = {g.value(b, RDF.value) for b in g.objects(node, OA.hasBody) if (b, RDF.type, OA.TextualBody) in g}
    assert bodies == {Literal("Fit for district reporting.", lang="en"),
                      Literal("Adapté au suivi par district.", lang="fr")}
    assert {str(g.value(b, DC.format)) for b in g.objects(node, OA.hasBody) if g.value(b, DC.format)} == {
        "text/plain"}
    nso = g.value(node, PROV.wasAttributedTo)
    assert str(nso).endswith(f"/organization/{ORG_ID}") and (nso, RDF.type, PROV.Organization) in g
    activity = g.value(node, PROV.wasGeneratedBy)
    assert g.value(activity, PROV.endedAtTime) == Literal("2026-12-01T09:30:00+00:00", datatype=XSD.dateTime)
    assert {g.value(a, PROV.hadRole) for a in g.objects(activity, PROV.qualifiedAssociation)} == {
        CDT.assessorRole, CDT.approverRole}


def test_no_user_name_reaches_the_dcat():
    text = serialize(assessed(), "turtle")
    assert "ama-assessor" not in text and "kofi-approver" not in text


def test_ratings_are_measurements_of_metrics_in_dimensions_we_type():
    g, ref = graph_of(assessed())
    [node] = g.objects(ref, DQV.hasQualityAnnotation)
    ratings = list(g.objects(node, CDT.hasCriterionRating))
    assert len(ratings) == 3
    values = sorted(g.value(r, DQV.value).toPython() for r in ratings if g.value(r, DQV.value) is not None)
    assert values == [2, 3]
    for rating in ratings:
        metric = g.value(rating, DQV.isMeasurementOf)
        dimension = g.value(metric, DQV.inDimension)
        assert (metric, RDF.type, DQV.Metric) in g and (dimension, RDF.type, DQV.Dimension) in g
        assert str(dimension).startswith(str(VOCAB["quality-dimensions/"]))
        assert (rating, DQV.computedOn, ref) in g


def test_computed_measurements_and_judgements_never_mix():
    g, ref = graph_of(assessed())
    computed = set(g.objects(ref, DQV.hasQualityMeasurement))
    [node] = g.objects(ref, DQV.hasQualityAnnotation)
    ratings = set(g.objects(node, CDT.hasCriterionRating))
    assert len(computed) == 1 + len(SCORE["measurements"]) and not computed & ratings
    assert {g.value(m, PROV.wasAttributedTo) for m in computed} == {profile_quality.SOFTWARE}
    assert (profile_quality.SOFTWARE, RDF.type, PROV.SoftwareAgent) in g
    assert {g.value(r, PROV.wasAttributedTo) for r in ratings} == {g.value(node, PROV.wasAttributedTo)}
    total = next(m for m in computed if (m, DQV.isMeasurementOf, CDT.metadataQualityScore) in g)
    assert (g.value(total, DQV.value).toPython(), str(g.value(total, CDT.qualityBand))) == (95, "good")


def test_a_record_without_assessments_or_score_gets_no_quality_triples():
    g, _ = graph_of(as_shown(RICH_RECORD, **{profile_quality.KEY: Quality()}))
    assert not set(g.triples((None, DQV.hasQualityAnnotation, None)))
    assert not set(g.triples((None, DQV.hasQualityMeasurement, None)))
    assert not set(g.triples((None, RDF.type, DQV.Dimension)))


def test_the_official_dcat_ap_3_shapes_still_give_no_violation():
    g, _ = graph_of(assessed())
    assert shacl.failures(shacl.validate(g, "official"), {"Violation"}) == []


# ---------------------------------------------------------------- read back
@pytest.mark.parametrize("fmt", FORMATS)
def test_assessments_and_score_come_back_field_by_field(fmt):
    [parsed] = parse(serialize(assessed(), fmt), fmt)
    [annotation] = parsed[profile_quality.ANNOTATIONS]
    expected = published_form(ASSESSMENT)
    got = canonical(annotation, sorted(set(annotation) | set(expected)))
    for name in sorted(set(expected) | set(got) - {"organization_uri"}):
        assert got.get(name) == expected.get(name), f"{name}: {got.get(name)!r} != {expected.get(name)!r}"
    assert annotation["rationale"] == ASSESSMENT["rationale"]   # every language
    assert annotation["organization_uri"].endswith(ORG_ID)
    score = parsed[profile_quality.SCORE]
    want = {k: v for k, v in SCORE.items() if k != "package_id"}
    want["measurements"] = [{k: v for k, v in m.items() if k != "hint"} for m in SCORE["measurements"]]
    assert canonical(score, sorted(want)) == canonical(want, sorted(want))


def test_a_peer_profile_reads_none_of_it():
    [parsed] = parse(serialize(assessed(), "turtle"), "turtle", profiles=["euro_dcat_ap_3"])
    assert profile_quality.ANNOTATIONS not in parsed and profile_quality.SCORE not in parsed


def test_an_annotation_of_another_motivation_is_not_ours():
    g, ref = graph_of(assessed())
    [node] = g.objects(ref, DQV.hasQualityAnnotation)
    g.set((node, OA.motivatedBy, OA.commenting))
    assert profile_quality.ANNOTATIONS not in profile_quality.Reader(g, str(VOCAB)).read(ref)


# ---------------------------------------------------------------- from the database, a page at a time
NOW = datetime.datetime(2026, 12, 1, 9, 30, tzinfo=datetime.timezone.utc)


def insert_assessment(aid: str, package_id: str, org_id: str, user_id: str, state: str = "published") -> None:
    row = copy.deepcopy(ASSESSMENT)
    model.Session.execute(assessment_table.insert().values(
        id=aid, package_id=package_id, organization_id=org_id, framework=row["framework"],
        intended_use=row["intended_use"], intended_indicators=row["intended_indicators"], criteria=row["criteria"],
        verdict=row["verdict"], rationale=row["rationale"], conditions=row["conditions"],
        development_plan_url=row["development_plan_url"], valid_until=datetime.date(2027, 12, 31), state=state,
        assessor_id=user_id, created=NOW, modified=NOW, published_at=NOW, example=True))
    model.Session.commit()


def insert_score(package_id: str, score: int = 95) -> None:
    # in place of the score the write hook computed (logic/quality.py)
    put_score(package_id=package_id, score=score, max_score=130, band="good", dimensions=SCORE["dimensions"],
              measurements=SCORE["measurements"], computed_at=NOW)
    model.Session.commit()


class QueryCount:
    def __init__(self):
        self.count = 0

    def __call__(self, *args, **kwargs):
        self.count += 1

    def __enter__(self):
        sa.event.listen(model.meta.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        sa.event.remove(model.meta.engine, "before_cursor_execute", self)


@pytest.mark.usefixtures("clean_db")
def test_a_page_is_read_in_queries_that_do_not_grow_with_it(registry_db):
    from ckan.tests import factories

    from ckanext.citizendata.testing import CitizenDataset
    nso, user = factories.Organization(name="nso-ghana"), factories.User()
    owner = factories.Organization()
    packages = [CitizenDataset(owner_org=owner["id"]) for _ in range(4)]
    for i, package in enumerate(packages):
        insert_assessment(f"a{i}", package["id"], nso["id"], user["id"])
        insert_assessment(f"d{i}", package["id"], nso["id"], user["id"], state="draft")
        insert_score(package["id"])
    counts = []
    for page in (packages[:1], packages):
        with QueryCount() as counter:
            found = profile_quality.read(p["id"] for p in page)
        counts.append(counter.count)
        assert [len(found[p["id"]].assessments) for p in page] == [1] * len(page)   # drafts left out
        assert all(found[p["id"]].score["score"] == 95 for p in page)
    assert counts[0] == counts[1]
    assert found[packages[0]["id"]].organizations["nso-ghana"] == (nso["id"], nso["title"])


@pytest.mark.usefixtures("clean_db")
def test_a_single_dataset_is_read_from_the_database(registry_db):
    from ckan.tests import factories, helpers

    from ckanext.citizendata.testing import CitizenDataset
    nso, user = factories.Organization(name="nso-ghana"), factories.User()
    package = CitizenDataset(owner_org=factories.Organization()["id"])
    insert_assessment("a-db", package["id"], nso["id"], user["id"])
    shown = helpers.call_action("package_show", id=package["id"])
    g = rdflib.Graph().parse(data=serialize(shown, "turtle"), format="turtle")
    [node] = g.objects(None, DQV.hasQualityAnnotation)
    assert str(g.value(node, PROV.wasAttributedTo)).endswith(f"/organization/{nso['id']}")
    assert user["name"] not in serialize(shown, "turtle")
    insert_score(package["id"])
    from rdflib.compare import isomorphic

    from ckanext.citizendata.rdf import cache
    direct = rdflib.Graph().parse(data=serialize(shown, "turtle"), format="turtle")
    assert (None, DQV.hasQualityMeasurement, None) in direct
    for fmt, parser in (("jsonld", "json-ld"), ("ttl", "turtle"), ("xml", "xml")):   # fragments, compacted
        document = cache.dataset_document(shown, fmt, cache.configured_profiles())
        assert isomorphic(rdflib.Graph().parse(data=document, format=parser), direct), fmt


def test_a_dict_cannot_smuggle_quality_in():
    """Only a Quality object (never JSON) is taken from the dict; a plain value is ignored."""
    shown = as_shown(RICH_RECORD, **{profile_quality.KEY: {"assessments": [ASSESSMENT]}})
    assert profile_quality.of({**shown, "id": None}) == Quality()


# ---------------------------------------------------------------- never written back
@pytest.mark.usefixtures("clean_db")
def test_parsed_quality_keys_are_not_stored_by_package_create(registry_db):
    from ckan.tests import factories, helpers

    from ckanext.citizendata.testing import CitizenDataset
    [parsed] = parse(serialize(assessed(), "turtle"), "turtle")
    org = factories.Organization()
    created = CitizenDataset(owner_org=org["id"], name="harvested-assessed",
                             quality_annotations=parsed[profile_quality.ANNOTATIONS],
                             quality_score=parsed[profile_quality.SCORE])
    shown = helpers.call_action("package_show", id=created["id"])
    assert profile_quality.ANNOTATIONS not in shown and profile_quality.SCORE not in shown
    assert not {e["key"] for e in shown.get("extras", [])} & {profile_quality.ANNOTATIONS, profile_quality.SCORE}
    rows = model.Session.execute(sa.select(assessment_table.c.id)
                                 .where(assessment_table.c.package_id == created["id"])).all()
    read = profile_quality.read([created["id"]])[created["id"]]
    assert rows == [] and read.assessments == () and read.organizations == {}
    assert read.score["max_score"] == 405 != parsed[profile_quality.SCORE]["max_score"]   # ours, computed


def test_the_harvest_takes_no_quality_key():
    from ckanext.citizendata.ingest.harvest import dcat_record
    from ckanext.citizendata.ingest.harvest.listing import DATASET
    text = serialize(assessed(), "turtle")
    [parsed] = parse(text, "turtle")
    graph = rdflib.Graph().parse(data=text, format="turtle")
    ref = next(graph.subjects(RDF.type, DCAT.Dataset))
    record, _ = dcat_record.to_record(parsed, graph, ref, DATASET, ["en"])
    assert profile_quality.ANNOTATIONS in parsed
    assert profile_quality.ANNOTATIONS not in record and profile_quality.SCORE not in record
    assert record["title"] == parsed["title"]


# ---------------------------------------------------------------- who sees an assessment: who sees the record
def _annotated(app, path: str, headers: dict) -> set:
    response = app.get(path, headers=headers)
    if response.status_code != 200:
        return set()
    graph = rdflib.Graph().parse(data=response.body, format="turtle")
    return {str(graph.value(n, rdflib.DCTERMS.identifier)) for n in graph.objects(None, DQV.hasQualityAnnotation)}


@pytest.mark.usefixtures("clean_db")
def test_an_assessment_of_a_private_record_is_seen_only_by_who_sees_the_record(app, registry_db):
    from ckan.tests import factories

    from ckanext.citizendata.testing import CitizenDataset
    app.client = app.test_client(use_cookies=False)   # each request is only who its token says
    owner_user, other_user, assessor = factories.User(), factories.User(), factories.User()
    owner = factories.Organization(users=[{"name": owner_user["name"], "capacity": "editor"}])
    factories.Organization(users=[{"name": other_user["name"], "capacity": "editor"}])
    nso = factories.Organization(name="nso-ghana")
    public = CitizenDataset(owner_org=owner["id"], name="public-assessed")
    private = CitizenDataset(owner_org=owner["id"], name="private-assessed", private=True)
    insert_assessment("public-a", public["id"], nso["id"], assessor["id"])
    insert_assessment("private-a", private["id"], nso["id"], assessor["id"])
    tokens = {"anonymous": {}, **{name: {"Authorization": factories.APIToken(user=user["name"])["token"]}
                                   for name, user in (("other", other_user), ("owner", owner_user))}}
    seen = {name: _annotated(app, "/catalog.ttl", headers) | _annotated(app, "/dataset/private-assessed.ttl", headers)
            for name, headers in tokens.items()}
    assert seen == {"anonymous": {"public-a"}, "other": {"public-a"}, "owner": {"public-a", "private-a"}}
