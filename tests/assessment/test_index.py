"""assessment/index.py: the facts of published assessments in the search index, their facets and labels."""
import pytest
from ckan.tests import helpers

from ckanext.citizendata.assessment import index, workflow
from ckanext.citizendata.search import elastic

from .people import draft_fields, nso, world

pytestmark = pytest.mark.usefixtures("clean_db")
VERDICT = {"verdict": "endorse-complementary", "rationale": {"en": "Fit alongside the survey."}}


def search(**params):
    return helpers.call_action("package_search", context={"ignore_auth": True}, **params)


def facet(result, name):
    return {item["name"]: item for item in result["search_facets"].get(name, {}).get("items", [])}


def test_only_published_assessments_reach_the_index_and_withdrawal_removes_them():
    w = world()
    draft = workflow.create(w.record["id"], "ama", draft_fields(**VERDICT))
    assert search(fq="assessment_verdict:endorse-complementary")["count"] == 0
    workflow.publish(draft["id"], "kofi")
    [found] = search(fq="assessment_verdict:endorse-complementary")["results"]
    assert found["id"] == w.record["id"]
    assert search(fq="assessed_by:nso-ghana AND assessment_due:no")["count"] == 1
    workflow.withdraw(draft["id"], "kofi", "Replaced.")
    assert search(fq="assessed_by:nso-ghana")["count"] == 0


def test_facets_count_and_name_verdicts_offices_and_due_reviews():
    w = world()
    second = nso("nso-kenya", editor=w.outsider, admin=w.outsider)
    workflow.publish(workflow.create(w.record["id"], "ama", draft_fields(**VERDICT))["id"], "kofi")
    workflow.publish(workflow.create(w.record["id"], "outsider", draft_fields(
        organization=second["name"], valid_until="2020-01-31", verdict="not-endorsed",
        rationale={"en": "Too small a sample."}))["id"], "outsider")
    result = search(**{"facet.field": '["assessment_verdict", "assessed_by", "assessment_due"]'})
    index.label_values(result)
    verdicts = facet(result, "assessment_verdict")
    assert set(verdicts) == {"endorse-complementary", "not-endorsed"}
    assert verdicts["endorse-complementary"]["display_name"] == "Endorsed as a complementary source"
    assert facet(result, "assessed_by")["nso-ghana"]["display_name"] == w.nso["title"]
    assert facet(result, "assessed_by")["nso-kenya"]["display_name"] == second["title"]
    assert {k: v["count"] for k, v in facet(result, "assessment_due").items()} == {"yes": 1}
    assert facet(result, "assessment_due")["yes"]["display_name"] == "Yes"


def test_a_record_edit_makes_its_assessment_due_in_the_index():
    w = world()
    workflow.publish(workflow.create(w.record["id"], "ama", draft_fields(**VERDICT))["id"], "kofi")
    assert search(fq="assessment_due:no")["count"] == 1
    helpers.call_action("package_patch", context={"user": "esi"}, id=w.record["id"], notes="A new wave.")
    assert search(fq="assessment_due:yes")["count"] == 1


def test_the_facets_are_offered_once_an_assessment_is_published(app):
    w = world()
    assert "assessment_verdict" not in index.with_facets({})
    item = workflow.create(w.record["id"], "ama", draft_fields(**VERDICT))
    assert index.with_facets({}) == {}
    workflow.publish(item["id"], "kofi")
    assert list(index.with_facets({"tags": "Tags"})) == ["tags", "assessment_verdict", "assessed_by",
                                                          "assessment_due"]
    page = app.get("/dataset/").body
    assert "Assessment verdict" in page and "Assessed by" in page


def test_the_elasticsearch_document_holds_them_as_exact_values_without_a_mapping_edit():
    document = elastic.document({"id": "d1", "site_id": "default", "assessment_verdict": ["not-endorsed"],
                                 "assessed_by": ["nso-ghana"], "assessment_due": "yes"})
    assert {k: document["fields"][k] for k in ("assessment_verdict", "assessed_by", "assessment_due")} == {
        "assessment_verdict": ["not-endorsed"], "assessed_by": ["nso-ghana"], "assessment_due": ["yes"]}
    assert elastic.es_field("assessment_due") == "fields.assessment_due"
