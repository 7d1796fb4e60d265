"""assessment/workflow.py: every transition and every refusal, the event log, staleness, the dataset untouched."""
import datetime

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.tests import helpers

from ckanext.citizendata.assessment import workflow
from ckanext.citizendata.model.assessment import assessment_event_table, assessment_table

from .people import FULL_CRITERIA, draft_fields, nso, world

COMPLEMENTARY = {"verdict": "endorse-complementary", "rationale": {"en": "Fit for 16.6.2 alongside the survey."}}


def _modified(package_id):
    model.Session.expire_all()
    return model.Package.get(package_id).metadata_modified


def _edit_record(package_id):
    helpers.call_action("package_patch", context={"user": "esi"}, id=package_id, notes="A new wave of responses.")


def _rows(table=assessment_table):
    return model.Session.execute(sa.select(table)).all()


def _state_error(excinfo):
    return " ".join(excinfo.value.error_dict["state"])


@pytest.mark.usefixtures("clean_db")
class TestCreateAndUpdate:
    def test_a_draft_is_made_by_the_assessor_for_their_office_and_judges_the_record_as_it_is(self):
        w = world()
        item = workflow.create(w.record["id"], "ama", draft_fields())
        assert (item["state"], item["assessor"], item["organization"], item["approver"]) == (
            "draft", "ama", "nso-ghana", None)
        assert item["judged_version"] == _modified(w.record["id"]).isoformat()
        assert item["recognition_status"] is None and item["stale"] is False and item["example"] is False
        assert [(e["kind"], e["actor"], e["from"], e["to"]) for e in item["history"]] == [
            ("transition", "ama", None, "draft")]

    def test_someone_of_no_nso_cannot_assess(self):
        w = world()
        with pytest.raises(toolkit.ValidationError) as excinfo:
            workflow.create(w.record["id"], "esi", draft_fields())
        assert excinfo.value.error_dict["organization"] == [
            "organization: Only editors and admins of a national statistical office may assess records."]
        assert _rows() == []

    def test_an_assessor_of_two_offices_says_which(self):
        w = world()
        nso("nso-second", editor=w.ama)
        with pytest.raises(toolkit.ValidationError) as excinfo:
            workflow.create(w.record["id"], "ama", draft_fields())
        assert {"nso-ghana", "nso-second"} <= set(excinfo.value.error_dict["organization"][0].split(": ")[-1]
                                                  .split(", "))
        assert workflow.create(w.record["id"], "ama", draft_fields(organization="nso-second"))[
            "organization"] == "nso-second"
        with pytest.raises(toolkit.ValidationError):
            workflow.create(w.record["id"], "ama", draft_fields(organization="cso-accra"))

    def test_wrong_fields_are_named_and_nothing_is_written(self):
        w = world()
        bad = draft_fields(framework="nqaf", intended_indicators=["16.6.9"], valid_until="2027-02-30",
                           verdict="endorse-experimental")
        bad["criteria"][0].update(rating=5, evidence_url="ftp://x")
        with pytest.raises(toolkit.ValidationError) as excinfo:
            workflow.create(w.record["id"], "ama", bad)
        errors = excinfo.value.error_dict
        assert errors["framework"][0].startswith('framework: "nqaf" is not an assessment framework')
        assert errors["intended_indicators"] == [
            'intended_indicators[0]: "16.6.9" is not an SDG indicator; close matches: 16.6.1, 16.6.2']
        assert "criteria[0].rating: 5 is above the maximum 3" in errors["criteria"]
        assert any(m.startswith("criteria[0].evidence_url:") for m in errors["criteria"])
        assert errors["valid_until"] == ['valid_until: "2027-02-30" is not a valid date']
        assert errors["development_plan_url"] == [
            "development_plan_url: required when the verdict is endorse-experimental"]
        assert _rows() == [] and _rows(assessment_event_table) == []

    @pytest.mark.parametrize("change", [{"answer": "not-applicable", "rating": 2}, {"rating": 0}, {"rating": 1}])
    def test_a_criterion_not_applicable_or_rated_0_or_1_needs_a_comment(self, change):
        w = world()
        fields = draft_fields()
        fields["criteria"][1].update(change, comment="  ")
        with pytest.raises(toolkit.ValidationError) as excinfo:
            workflow.create(w.record["id"], "ama", fields)
        assert excinfo.value.error_dict["criteria"] == [
            "criteria[1].comment: required when the answer is not-applicable or the rating is 0 or 1"]
        fields["criteria"][1]["comment"] = "Not measured in this round."
        assert workflow.create(w.record["id"], "ama", fields)["criteria"][1]["comment"]

    def test_a_draft_is_edited_field_by_field_and_judges_the_record_again(self):
        w = world()
        item = workflow.create(w.record["id"], "ama", draft_fields())
        _edit_record(w.record["id"])
        assert workflow.show(item["id"])["stale"] is True
        edited = workflow.update(item["id"], "ama", {"conditions": "Alongside the census only."})
        assert edited["conditions"] == "Alongside the census only." and edited["framework"] == "un-nqaf-2019"
        assert edited["judged_version"] == _modified(w.record["id"]).isoformat() and edited["stale"] is False
        assert edited["history"][-1]["note"] == "edited"


@pytest.mark.usefixtures("clean_db")
class TestTransitions:
    def test_publishing_makes_the_approver_and_grants_the_verdicts_recognition_status(self):
        w = world()
        draft = workflow.create(w.record["id"], "ama", draft_fields(**COMPLEMENTARY))
        item = workflow.publish(draft["id"], "kofi")
        assert (item["state"], item["approver"], item["recognition_status"]) == (
            "published", "kofi", "complementary-source")
        assert item["published_at"] is not None
        assert [(e["actor"], e["from"], e["to"]) for e in item["history"]][-1] == ("kofi", "draft", "published")

    def test_a_draft_without_verdict_or_rationale_is_not_published(self):
        w = world()
        draft = workflow.create(w.record["id"], "ama", draft_fields())
        with pytest.raises(toolkit.ValidationError) as excinfo:
            workflow.publish(draft["id"], "kofi")
        assert excinfo.value.error_dict == {"verdict": ["verdict: required to publish"],
                                            "rationale": ["rationale: required to publish"]}
        assert workflow.show(draft["id"])["state"] == "draft"

    def test_a_published_assessment_is_never_edited(self):
        w = world()
        item = workflow.publish(workflow.create(w.record["id"], "ama", draft_fields(**COMPLEMENTARY))["id"], "kofi")
        with pytest.raises(toolkit.ValidationError) as excinfo:
            workflow.update(item["id"], "ama", {"conditions": "x"})
        assert "a published assessment cannot be edited" in _state_error(excinfo)

    def test_invalid_transitions_name_the_state_and_the_rule(self):
        w = world()
        item = workflow.create(w.record["id"], "ama", draft_fields(**COMPLEMENTARY))
        with pytest.raises(toolkit.ValidationError) as excinfo:
            workflow.withdraw(item["id"], "kofi", "no reason")
        assert "a draft assessment cannot be withdrawn" in _state_error(excinfo)
        workflow.publish(item["id"], "kofi")
        with pytest.raises(toolkit.ValidationError) as excinfo:
            workflow.publish(item["id"], "kofi")
        assert "a published assessment cannot be published" in _state_error(excinfo)
        workflow.withdraw(item["id"], "kofi", "The survey stopped.")
        for step in (lambda: workflow.publish(item["id"], "kofi"),
                     lambda: workflow.withdraw(item["id"], "kofi", "again")):
            with pytest.raises(toolkit.ValidationError) as excinfo:
                step()
            assert "a withdrawn assessment cannot be" in _state_error(excinfo)

    def test_withdrawing_needs_a_reason_which_is_logged(self):
        w = world()
        item = workflow.publish(workflow.create(w.record["id"], "ama", draft_fields(**COMPLEMENTARY))["id"], "kofi")
        for reason in (None, "", "   ", ["list"]):
            with pytest.raises(toolkit.ValidationError) as excinfo:
                workflow.withdraw(item["id"], "kofi", reason)
            assert list(excinfo.value.error_dict) == ["reason"]
        withdrawn = workflow.withdraw(item["id"], "kofi", "The survey stopped.")
        assert withdrawn["state"] == "withdrawn"
        assert withdrawn["history"][-1]["note"] == "The survey stopped."

    def test_publishing_supersedes_the_same_offices_previous_assessment_only(self):
        w = world()
        other = nso("nso-other", editor=w.outsider, admin=w.outsider)
        first = workflow.publish(workflow.create(w.record["id"], "ama", draft_fields(**COMPLEMENTARY))["id"], "kofi")
        theirs = workflow.publish(workflow.create(w.record["id"], "outsider",
                                                  draft_fields(organization=other["name"], **COMPLEMENTARY))["id"],
                                  "outsider")
        second = workflow.publish(workflow.create(w.record["id"], "ama", draft_fields(**COMPLEMENTARY))["id"], "kofi")
        old = workflow.show(first["id"])
        assert (old["state"], workflow.show(theirs["id"])["state"], second["state"]) == (
            "superseded", "published", "published")
        assert old["history"][-1]["note"] == f"superseded by {second['id']}"

    def test_official_needs_every_output_dimension_rated_2_and_another_approver(self):
        w = world()
        official = {"verdict": "endorse-official", "rationale": {"en": "Meets the framework."}}
        low = draft_fields(**official)
        low["criteria"][2].update(rating=1, comment="Late by a year.")
        del low["criteria"][4]
        draft = workflow.create(w.record["id"], "ama", low)
        with pytest.raises(toolkit.ValidationError) as excinfo:
            workflow.publish(draft["id"], "kofi")
        messages = " | ".join(excinfo.value.error_dict["criteria"])
        assert "output dimension timeliness is rated below 2" in messages
        assert "output dimension accessibility-clarity is not assessed" in messages
        workflow.update(draft["id"], "ama", {"criteria": [dict(c) for c in FULL_CRITERIA]})
        with pytest.raises(toolkit.ValidationError) as excinfo:
            workflow.publish(draft["id"], "ama")
        assert list(excinfo.value.error_dict) == ["approver"]
        assert workflow.publish(draft["id"], "kofi")["recognition_status"] == "official"

    def test_experimental_needs_a_development_plan(self):
        w = world()
        draft = workflow.create(w.record["id"], "ama", draft_fields())
        with pytest.raises(toolkit.ValidationError) as excinfo:
            workflow.update(draft["id"], "ama", {"verdict": "endorse-experimental", "rationale": {"en": "New."}})
        assert list(excinfo.value.error_dict) == ["development_plan_url"]
        workflow.update(draft["id"], "ama", {"verdict": "endorse-experimental", "rationale": {"en": "New."},
                                             "development_plan_url": "https://example.org/plan"})
        assert workflow.publish(draft["id"], "kofi")["recognition_status"] == "experimental-statistics"

    def test_purging_deletes_the_assessment_and_its_events_and_logs_the_purge(self):
        w = world()
        sysadmin = helpers.call_action("get_site_user", context={"ignore_auth": True})
        item = workflow.publish(workflow.create(w.record["id"], "ama", draft_fields(**COMPLEMENTARY))["id"], "kofi")
        result = workflow.purge(item["id"], sysadmin["name"])
        assert _rows() == []
        [event] = _rows(assessment_event_table)
        assert (event.kind, event.assessment_id, event.package_id, event.from_state) == (
            "purge", None, w.record["id"], "published")
        assert item["id"] in event.note and "nso-ghana" in event.note and result["note"] == event.note
        with pytest.raises(toolkit.ObjectNotFound):
            workflow.show(item["id"])


@pytest.mark.usefixtures("clean_db")
class TestReading:
    def test_an_edit_of_the_record_makes_a_published_assessment_stale(self):
        w = world()
        item = workflow.publish(workflow.create(w.record["id"], "ama", draft_fields(**COMPLEMENTARY))["id"], "kofi")
        judged = item["judged_version"][:10]
        _edit_record(w.record["id"])
        stale = workflow.show(item["id"])
        changed = _modified(w.record["id"]).date().isoformat()
        assert stale["stale"] is True
        assert stale["stale_reasons"] == [
            f"the record changed on {changed} after the assessment judged its version of {judged}"]

    def test_a_passed_valid_until_makes_it_stale(self):
        w = world()
        item = workflow.create(w.record["id"], "ama", draft_fields(valid_until="2020-06-30"))
        assert item["stale_reasons"] == ["valid until 2020-06-30 has passed"]
        later = workflow.staleness(item, None, today=datetime.date(2020, 6, 30))
        assert later == []

    def test_assessment_writes_never_change_the_records_metadata_modified(self):
        w = world()
        before = _modified(w.record["id"])
        item = workflow.create(w.record["id"], "ama", draft_fields())
        workflow.update(item["id"], "ama", COMPLEMENTARY)
        workflow.publish(item["id"], "kofi")
        workflow.exchange(w.record["id"], "esi", "question", "Which wave?", item["id"])
        workflow.withdraw(item["id"], "kofi", "Replaced.")
        workflow.purge(item["id"], helpers.call_action("get_site_user", context={"ignore_auth": True})["name"])
        assert _modified(w.record["id"]) == before

    def test_drafts_are_listed_only_for_the_assessing_offices_members(self):
        w = world()
        published = workflow.publish(workflow.create(w.record["id"], "ama", draft_fields(**COMPLEMENTARY))["id"],
                                     "kofi")
        draft = workflow.create(w.record["id"], "ama", draft_fields())
        ids = {who: [i["id"] for i in workflow.for_package(w.record["id"], who)]
               for who in ("ama", "kofi", "esi", "outsider", None)}
        assert ids["ama"] == ids["kofi"] == [draft["id"], published["id"]]
        assert ids["esi"] == ids["outsider"] == ids[None] == [published["id"]]

    def test_review_requests_questions_and_answers_are_logged(self):
        w = world()
        item = workflow.create(w.record["id"], "ama", draft_fields())
        workflow.exchange(w.record["id"], "esi", "review-request", "Please assess for 16.6.2.")
        workflow.exchange(w.record["id"], "ama", "question", "Which wave is this?", item["id"])
        workflow.exchange(w.record["id"], "esi", "answer", "The 2025 wave.", item["id"])
        kinds = [(e["kind"], e["actor"], e["note"]) for e in workflow.show(item["id"])["history"]]
        assert kinds[1:] == [("question", "ama", "Which wave is this?"), ("answer", "esi", "The 2025 wave.")]
        [request] = [r for r in _rows(assessment_event_table) if r.kind == "review-request"]
        assert (request.assessment_id, request.note) == (None, "Please assess for 16.6.2.")
        with pytest.raises(toolkit.ValidationError):
            workflow.exchange(w.record["id"], "esi", "answer", "", item["id"])
