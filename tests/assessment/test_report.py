"""assessment/report.py: the metric table read into the methodology, bands, form links, the publisher's report
(score and assessments apart, what to fix), due re-assessments, drafts only for the assessing NSO, and the
dashboards' figures."""
import datetime

import pytest
import yaml
from ckan import model
from ckan.tests import factories

from ckanext.citizendata.assessment import mqa, report, workflow
from ckanext.citizendata.model.assessment import assessment_table
from ckanext.citizendata.testing import CitizenDataset, forget_score, put_score

NOW = datetime.datetime(2026, 12, 1, 9, 30, tzinfo=datetime.timezone.utc)
TODAY = datetime.date(2026, 12, 2)
PV = "https://piveau.eu/ns/voc#"

# the metric table's agreed shape (assessment/metrics.yaml, written by the MQA module)
METRICS_YAML = """
- {key: keywordAvailability, iri: "https://piveau.eu/ns/voc#keywordAvailability", dimension: findability,
   points: 30, hint: "Add keywords that people would search for.", field: tag_string}
- {key: categoryAvailability, iri: "https://piveau.eu/ns/voc#categoryAvailability", dimension: findability,
   points: 30, hint: "Choose a theme.", field: theme}
- {key: formatAvailability, iri: "https://piveau.eu/ns/voc#formatAvailability", dimension: interoperability,
   points: 20, hint: "Give each distribution a format.", field: resources.format}
- {key: engagementDescribed, iri: "https://w3id.org/citizendata/ns#engagementDescribed", dimension: citizen-data,
   points: 10, hint: "Describe who took part at each stage.", field: engagement, mqa: false}
- {key: licenceAvailability, iri: "https://piveau.eu/ns/voc#licenceAvailability", dimension: reusability,
   points: 20, hint: "Choose a licence.", field: license_id}
"""

SCHEMA = {"dataset_fields": [{"field_name": "tag_string"}, {"field_name": "theme"}, {"field_name": "license_id"},
                             {"field_name": "engagement", "form_snippet": "citizendata/form/section.html"},
                             {"field_name": "owner_org", "form_snippet": "organization.html"},
                             {"field_name": "m49", "form_snippet": None}],
          "resource_fields": [{"field_name": "url", "form_snippet": "upload.html", "upload_field": "upload"},
                              {"field_name": "format"}]}


def score_row(package_id, score=265, band="good"):
    return {"package_id": package_id, "score": score, "max_score": 425, "band": band,
            "dimensions": [{"dimension": "reusability", "iri": PV + "reusablity", "earned": 0, "possible": 20},
                           {"dimension": "findability", "iri": PV + "findability", "earned": 30, "possible": 60}],
            "measurements": [
                {"metric": "keywordAvailability", "iri": PV + "keywordAvailability", "dimension": "findability",
                 "earned": 30, "possible": 30, "value": True, "hint": "Add keywords.", "field": "tag_string"},
                {"metric": "categoryAvailability", "iri": PV + "categoryAvailability", "dimension": "findability",
                 "earned": 0, "possible": 30, "value": False, "hint": "Choose a theme.", "field": "theme"},
                {"metric": "licenceAvailability", "iri": PV + "licenceAvailability", "dimension": "reusability",
                 "earned": 0, "possible": 20, "value": False, "hint": "Choose a licence.", "field": "license_id"}],
            "record_modified": "2026-11-30T10:00:00", "computed_at": NOW.isoformat()}


def test_the_metric_table_is_grouped_into_dimensions_in_the_mqa_order():
    method = report.methodology(yaml.safe_load(METRICS_YAML))
    assert [d["dimension"] for d in method["dimensions"]] == \
        ["findability", "interoperability", "reusability", "citizen-data"]
    assert [d["possible"] for d in method["dimensions"]] == [60, 20, 20, 10]
    assert method["max_score"] == 100            # the citizen-data points are reported beside the MQA's, not in it
    assert [m["key"] for m in method["dimensions"][0]["metrics"]] == ["keywordAvailability", "categoryAvailability"]


def test_the_methodology_of_the_shipped_table_is_data_europa_eus_405_points():
    assert report.methodology(mqa.table()["metrics"])["max_score"] == 405
    assert report.methodology([])["dimensions"] == []


def test_bands_follow_data_europa_eu():
    assert [(b["band"], b["min"], b["max"]) for b in report.bands()] == [
        ("excellent", 351, 405), ("good", 221, 350), ("sufficient", 121, 220), ("bad", 0, 120)]
    assert [mqa.band(s) for s in (405, 351, 350, 221, 220, 121, 120, 0)] == \
        ["excellent", "excellent", "good", "good", "sufficient", "sufficient", "bad", "bad"]


def test_form_anchors_follow_the_ids_the_forms_render():
    # that the forms have them: tests/test_quality_views.py renders both forms and looks for every one
    anchors = report.form_anchors(SCHEMA)
    assert anchors["tag_string"] == ("dataset", "field-tag_string")
    assert anchors["engagement"] == ("dataset", "section-engagement")
    assert anchors["owner_org"] == ("dataset", "field-organizations")
    assert anchors["resources.url"] == ("resource", "field-resource-url")
    assert anchors["resources.format"] == ("resource", "field-format")
    assert "m49" not in anchors                      # derived: no form element


def test_field_links_go_to_the_dataset_form_or_the_first_resource_form():
    anchors = report.form_anchors(SCHEMA)
    pkg = {"name": "ghana", "type": "dataset", "resources": [{"id": "r1"}, {"id": "r2"}]}
    assert report.field_link(pkg, "theme", anchors) == "/dataset/edit/ghana#field-theme"
    assert report.field_link(pkg, "resources.format", anchors) == "/dataset/ghana/resource/r1/edit#field-format"
    assert report.field_link(dict(pkg, resources=[]), "resources.format", anchors) == \
        "/dataset/ghana/resource/new#field-format"
    assert report.field_link(dict(pkg, type="dataset_series"), "theme", anchors) == \
        "/dataset_series/edit/ghana#field-theme"
    assert report.field_link(pkg, "no_such_field", anchors) is None
    assert report.field_link(pkg, None, anchors) is None


def test_the_report_keeps_score_and_assessments_apart_and_lists_what_to_fix_worst_first():
    pkg = {"id": "p1", "name": "ghana", "type": "dataset", "resources": [],
           "metadata_modified": "2026-12-01T08:00:00"}
    assessment = {"id": "a1", "state": "published", "judged_version": "2026-11-30T10:00:00",
                  "valid_until": "2027-12-31", "verdict": "endorse-complementary"}
    findings = [{"severity": "Violation", "focus": "https://x/dataset/p1", "path": "dct:title", "value": "",
                 "message": "Less than 1 values", "shapes": "mandatory",
                 "constraint": "http://www.w3.org/ns/shacl#MinCountConstraintComponent"}]
    found = report.publisher_report(pkg, score_row("p1"), [assessment], findings, report.form_anchors(SCHEMA))
    score = found["score"]
    assert (score["score"], score["band"]) == (265, "good") and "verdict" not in score
    assert [d["dimension"] for d in score["dimensions"]] == ["findability", "reusability"]
    assert [m["metric"] for m in score["dimensions"][0]["measurements"]] == \
        ["keywordAvailability", "categoryAvailability"]
    assert [(m["metric"], m["link"]) for m in score["to_fix"]] == [
        ("categoryAvailability", "/dataset/edit/ghana#field-theme"),
        ("licenceAvailability", "/dataset/edit/ghana#field-license_id")]
    assert score["outdated"] is True            # the record changed after the scored version
    assert found["shacl"]["counts"] == {"Violation": 1}
    [finding] = found["shacl"]["findings"]
    assert (finding["about"], finding["plain"], finding["message"]) == \
        ("dataset", "dct:title is missing", "Less than 1 values")
    assert [a["id"] for a in found["assessments"]] == ["a1"]
    assert found["methodology_url"] == "/quality/methodology"


def test_a_record_never_scored_has_no_score_panel():
    pkg = {"id": "p1", "name": "ghana"}
    found = report.publisher_report(pkg, None, [], [], {})
    assert found["score"] is None and found["assessments"] == [] and found["shacl"]["counts"] == {}


def test_shacl_findings_in_plain_words_say_what_they_are_about():
    base = {"severity": "Warning", "path": "dcat:theme", "message": "Less than 1 values on <x>->dcat:theme",
            "constraint": "http://www.w3.org/ns/shacl#MinCountConstraintComponent"}
    assert report.plain_finding(dict(base, focus="https://s/dataset/p1"), "p1")["plain"] == "dcat:theme is missing"
    assert report.plain_finding(dict(base, focus="https://s/dataset/p1/resource/r1"), "p1")["about"] == \
        "distribution"
    assert report.plain_finding(dict(base, focus="https://s/organization/o1"), "p1")["about"] == "publisher"
    odd = dict(base, focus="_:b0", constraint="http://www.w3.org/ns/shacl#SPARQLConstraintComponent")
    assert (report.plain_finding(odd, "p1")["about"], report.plain_finding(odd, "p1")["plain"]) == \
        ("other", base["message"])


def test_figures_count_bands_per_organization_assessed_due_and_recognition():
    records = [{"id": "p1", "organization": "csa", "metadata_modified": "2026-11-30T10:00:00",
                "recognition_status": "complementary-source"},
               {"id": "p2", "organization": "csa", "metadata_modified": "2026-12-01T10:00:00"},
               {"id": "p3", "organization": "csb", "metadata_modified": "2026-11-30T10:00:00",
                "recognition_status": "not-assessed"}]
    scores = {"p1": {"band": "good"}, "p2": {"band": "excellent"}}
    published = {"p1": [{"state": "published", "judged_version": "2026-11-30T10:00:00", "valid_until": None}],
                 "p2": [{"state": "published", "judged_version": "2026-11-30T10:00:00", "valid_until": None}]}
    found = report.figures(records, scores, published, TODAY)
    assert found["total"] == 3
    assert found["bands"] == {"excellent": 1, "good": 1, "sufficient": 0, "bad": 0, "not-scored": 1}
    assert [(o["organization"], o["total"], o["bands"]["good"], o["bands"]["not-scored"])
            for o in found["by_organization"]] == [("csa", 2, 1, 0), ("csb", 1, 0, 1)]
    assert (found["assessed"], found["not_assessed"]) == (2, 1)
    assert (found["due"], found["due_records"]) == (1, ["p2"])
    assert found["recognition"] == {"complementary-source": 1, "not-assessed": 2}


# ---------------------------------------------------------------- reading our tables
def insert_assessment(aid, package_id, org, assessor, state, modified=NOW, **values):
    model.Session.execute(assessment_table.insert().values(
        id=aid, package_id=package_id, organization_id=org["id"], framework="un-nqaf-2019",
        intended_use="SDG 16.6.2 reporting", intended_indicators=["16.6.2"], criteria=[],
        verdict="endorse-complementary", rationale={"en": "Fit for complementary use."}, state=state,
        assessor_id=assessor["id"], created=NOW, modified=modified, example=True,
        judged_version=datetime.datetime(2026, 11, 30, 10), **values))


@pytest.mark.usefixtures("clean_db")
def test_drafts_are_read_only_by_the_assessing_organizations_members():
    mine_editor, their_editor, ama = factories.User(), factories.User(), factories.User(name="ama")
    nso = factories.Organization(name="nso", users=[{"name": mine_editor["name"], "capacity": "editor"}])
    other = factories.Organization(name="other-nso", users=[{"name": their_editor["name"], "capacity": "editor"}])
    pkg = CitizenDataset(owner_org=factories.Organization()["id"])
    insert_assessment("old", pkg["id"], nso, ama, "superseded", modified=NOW - datetime.timedelta(days=30))
    insert_assessment("pub", pkg["id"], nso, ama, "published", published_at=NOW)
    insert_assessment("mine", pkg["id"], nso, ama, "draft", modified=NOW + datetime.timedelta(hours=1))
    insert_assessment("theirs", pkg["id"], other, ama, "draft", modified=NOW + datetime.timedelta(hours=2))
    model.Session.commit()

    def seen(user):
        return {a["id"] for a in workflow.for_package(pkg["id"], user)}
    assert seen(None) == {"pub", "old"}
    assert seen(mine_editor["name"]) == {"mine", "pub", "old"}
    assert seen(their_editor["name"]) == {"theirs", "pub", "old"}


@pytest.mark.usefixtures("clean_db")
def test_the_dashboard_reads_scores_and_published_assessments_of_the_given_records():
    nso, ama = factories.Organization(name="nso"), factories.User(name="ama")
    one, two = (CitizenDataset(owner_org=factories.Organization()["id"]) for _ in range(2))
    row = score_row(one["id"])
    put_score(**{k: v for k, v in row.items() if k not in ("record_modified",)})
    insert_assessment("pub", one["id"], nso, ama, "published", published_at=NOW, valid_until=datetime.date(2026, 1, 1))
    insert_assessment("draft", two["id"], nso, ama, "draft")
    forget_score(two["id"])            # as a record loaded by the bulk path, which runs no write hook
    model.Session.commit()
    records = [{"id": p["id"], "organization": "x", "metadata_modified": p["metadata_modified"]} for p in (one, two)]

    found = report.dashboard(records, today=TODAY)

    assert found["bands"]["good"] == 1 and found["bands"]["not-scored"] == 1
    assert (found["assessed"], found["not_assessed"]) == (1, 1)      # a draft is not an assessment yet
    assert found["due_records"] == [one["id"]]                       # past valid_until
