"""logic/action/assessment.py through the API, with the roles' auth (logic/auth/assessment.py): each action's
plumbing as the NSO's assessor (editor), approver (admin), the record's publisher and a sysadmin use it, per-field
errors as 409, no 500 on junk, and what the anonymous visitor, the record's publisher, another organization's editor
and the assessing office see."""
import json

import pytest
from ckan.tests import factories
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ckanext.citizendata.assessment import workflow

from ckanext.citizendata.testing import CitizenDataset
from tests.assessment.people import draft_fields, world

pytestmark = pytest.mark.usefixtures("clean_db")
API = "/api/3/action/"
VERDICT = {"verdict": "endorse-complementary", "rationale": {"en": "Fit alongside the survey."}}


@pytest.fixture
def site(sysadmin_env):
    w = world()
    w.sysadmin = sysadmin_env[1]
    return w


@pytest.fixture
def site_with_draft(site):
    site.draft_id = workflow.create(site.record["id"], "ama", draft_fields())["id"]
    return site


def call(app, action, data, headers=None, status=200):
    response = app.post(API + action, json=data, headers=headers or {}, status=status)
    return response.json["result"] if status == 200 else response.json["error"]


def token(user):
    return {"Authorization": user["token"]}


def create(app, site, **more):
    return call(app, "citizendata_assessment_create",
                {"package_id": site.record["name"], "organization": "nso-ghana", **draft_fields(**more)},
                token(site.ama))


def test_the_whole_workflow_through_the_api(app, site):
    ama, kofi, esi = token(site.ama), token(site.kofi), token(site.esi)
    assert call(app, "citizendata_review_request", {"package_id": site.record["id"], "message": "Please."},
                esi) == {"package_id": site.record["id"], "kind": "review-request"}
    draft = create(app, site, **VERDICT)
    assert (draft["state"], draft["organization"], draft["assessor"]) == ("draft", "nso-ghana", "ama")
    updated = call(app, "citizendata_assessment_update", {"id": draft["id"], "conditions": "Alongside the census."},
                   ama)
    assert updated["conditions"] == "Alongside the census." and updated["verdict"] == "endorse-complementary"
    asked = call(app, "citizendata_assessment_comment", {"id": draft["id"], "kind": "question", "message": "Wave?"},
                 ama)
    assert asked["history"][-1]["kind"] == "question"
    published = call(app, "citizendata_assessment_publish", {"id": draft["id"]}, kofi)
    assert (published["state"], published["approver"], published["recognition_status"]) == (
        "published", "kofi", "complementary-source")
    answered = call(app, "citizendata_assessment_comment", {"id": draft["id"], "kind": "answer",
                                                            "message": "The 2025 wave."}, esi)
    assert [e["kind"] for e in answered["history"]][-2:] == ["transition", "answer"]
    withdrawn = call(app, "citizendata_assessment_withdraw", {"id": draft["id"], "reason": "Replaced."}, kofi)
    assert withdrawn["state"] == "withdrawn"
    purged = call(app, "citizendata_assessment_purge", {"id": draft["id"]}, site.sysadmin)
    assert purged["id"] == draft["id"]
    call(app, "citizendata_assessment_show", {"id": draft["id"]}, site.sysadmin, status=404)


def test_field_errors_are_409_with_a_message_per_field(app, site):
    error = call(app, "citizendata_assessment_create",
                 {"package_id": site.record["id"], "organization": "nso-ghana", "framework": "nqaf",
                  "intended_use": "", "criteria": [{"criterion": "x", "dimension": "relevance", "answer": "maybe",
                                                    "rating": 0}]}, token(site.ama), status=409)
    assert error["__type"] == "Validation Error"
    assert error["framework"][0].startswith('framework: "nqaf" is not an assessment framework')
    assert error["intended_use"] == ["intended_use: must not be shorter than 1 character(s)"]
    assert "criteria[0].answer: \"maybe\" is not allowed; allowed: yes, partially, no, not-applicable" in error[
        "criteria"]
    assert "criteria[0].comment: required when the answer is not-applicable or the rating is 0 or 1" in error[
        "criteria"]


def test_an_invalid_transition_is_409_naming_the_state(app, site):
    draft = create(app, site)
    error = call(app, "citizendata_assessment_withdraw", {"id": draft["id"], "reason": "x"}, token(site.kofi),
                 status=409)
    assert error["state"] == ["state: a draft assessment cannot be withdrawn; only a published one can"]
    assert call(app, "citizendata_assessment_publish", {"id": draft["id"]}, token(site.kofi), status=409)["verdict"]


@pytest.mark.parametrize("action, data, who, status, field", [
    ("citizendata_assessment_create", {"package_id": ["a", "b"]}, "ama", 404, None),
    ("citizendata_assessment_create", {}, "ama", 404, None),
    ("citizendata_assessment_create", {"package_id": "no-such-record"}, "ama", 404, None),
    ("citizendata_assessment_create", {"package_id": "a\udc80"}, "ama", 404, None),
    ("citizendata_assessment_create", {"package_id": "RECORD", "organization": "nso-ghana", "framework": 7,
                                       "intended_use": "u" * 1_000_000, "criteria": "all good",
                                       "rationale": ["en"], "valid_until": 20271231, "verdict": {"x": 1},
                                       "intended_indicators": "16.6.2"}, "ama", 409, "intended_use"),
    ("citizendata_assessment_create", {"package_id": "RECORD", "organization": {"name": "x"}}, "ama", 409,
     "organization"),
    ("citizendata_assessment_create", {"package_id": "RECORD", "organization": True}, "ama", 409, "organization"),
    ("citizendata_assessment_update", {"id": "no-such-assessment"}, "ama", 404, None),
    ("citizendata_assessment_update", {"id": 12}, "ama", 404, None),
    ("citizendata_assessment_publish", {"id": "x" * 100_000}, "kofi", 404, None),
    ("citizendata_assessment_withdraw", {"id": None}, "kofi", 404, None),
    ("citizendata_assessment_show", {"id": "no-such-assessment"}, "ama", 404, None),
    ("citizendata_assessment_list", {"package_id": {"id": 1}}, "ama", 404, None),
    ("citizendata_review_request", {"package_id": "RECORD", "message": "m" * 100_000}, "esi", 409, "message"),
    ("citizendata_review_request", {"package_id": "RECORD", "message": {"a": 1}}, "esi", 409, "message"),
    ("citizendata_review_request", {"package_id": "RECORD", "message": "a\x00b"}, "esi", 409, "message"),
])
def test_junk_input_is_a_clear_4xx_never_a_500(app, site, action, data, who, status, field):
    data = {k: site.record["id"] if v == "RECORD" else v for k, v in data.items()}
    error = call(app, action, data, token(getattr(site, who)), status=status)
    if field:
        assert field in error and all(m.startswith(f"{field}: ") for m in error[field]), error


def test_a_comment_is_a_question_or_an_answer(app, site):
    draft = create(app, site)
    error = call(app, "citizendata_assessment_comment", {"id": draft["id"], "kind": ["question"], "message": "m"},
                 token(site.ama), status=403)
    assert "question or an answer" in error["message"]
    error = call(app, "citizendata_assessment_comment", {"id": draft["id"], "kind": "question", "message": ""},
                 token(site.ama), status=409)
    assert error["message"] == ["message: required"]


def test_junk_fields_are_each_named(app, site):
    data = {"package_id": site.record["id"], "organization": "nso-ghana",
            **draft_fields(framework=7, rationale=["en"], valid_until=20271231, criteria="all good")}
    error = call(app, "citizendata_assessment_create", data, token(site.ama), status=409)
    assert error["framework"] == ["framework: expected text, got 7"]
    assert error["rationale"] == ['rationale: expected an object, got ["en"]']
    assert error["valid_until"] == ["valid_until: expected text or null, got 20271231"]
    assert error["criteria"] == ['criteria: expected a list, got "all good"']


def test_a_draft_is_seen_by_the_assessing_office_only(app, site):
    published = call(app, "citizendata_assessment_publish", {"id": create(app, site, **VERDICT)["id"]},
                     token(site.kofi))
    draft = create(app, site)

    def listed(headers):
        return [i["id"] for i in call(app, "citizendata_assessment_list", {"package_id": site.record["id"]},
                                      headers)]
    assert listed(None) == listed(token(site.esi)) == listed(token(site.outsider)) == [published["id"]]
    assert listed(token(site.ama)) == listed(token(site.kofi)) == [draft["id"], published["id"]]
    for who in (None, token(site.esi), token(site.outsider)):
        call(app, "citizendata_assessment_show", {"id": draft["id"]}, who, status=403)
        assert call(app, "citizendata_assessment_show", {"id": published["id"]}, who)["state"] == "published"
    assert call(app, "citizendata_assessment_show", {"id": draft["id"]}, token(site.ama))["state"] == "draft"


def test_the_assessments_of_a_private_record_are_not_shown_to_whom_cannot_see_it(app, site):
    private = CitizenDataset(owner_org=site.cso["id"], private=True)
    call(app, "citizendata_assessment_list", {"package_id": private["id"]}, status=403)
    call(app, "citizendata_assessment_list", {"package_id": private["id"]}, token(site.outsider), status=403)
    assert call(app, "citizendata_assessment_list", {"package_id": private["id"]}, token(site.esi)) == []


def test_the_records_publisher_cannot_set_a_verdict_and_nobody_but_a_sysadmin_purges(app, site):
    draft = create(app, site)
    call(app, "citizendata_assessment_create", {"package_id": site.record["id"], **draft_fields(**VERDICT)},
         token(site.esi), status=403)
    call(app, "citizendata_assessment_update", {"id": draft["id"], **VERDICT}, token(site.esi), status=403)
    call(app, "citizendata_assessment_publish", {"id": draft["id"]}, token(site.esi), status=403)
    call(app, "citizendata_assessment_create", {"package_id": site.record["id"], **draft_fields()}, status=403)
    for who in (token(site.kofi), token(site.esi), token(factories.UserWithToken())):
        call(app, "citizendata_assessment_purge", {"id": draft["id"]}, who, status=403)


JUNK = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30),
                 st.sampled_from(["\x00", "a\udc80b", "x" * 5000, "16.6.2", "relevance", "https://e.org/ø"]),
                 st.lists(st.text(max_size=5), max_size=3), st.dictionaries(st.text(max_size=5), st.text(max_size=5),
                                                                            max_size=3))
FIELDS = ["package_id", "organization", "framework", "intended_use", "intended_indicators", "criteria", "verdict",
          "rationale", "conditions", "development_plan_url", "valid_until", "id", "reason", "message", "kind"]


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(action=st.sampled_from(["citizendata_assessment_create", "citizendata_assessment_update",
                               "citizendata_assessment_withdraw", "citizendata_assessment_comment",
                               "citizendata_review_request", "citizendata_assessment_list",
                               "citizendata_assessment_show"]),
       junk=st.dictionaries(st.sampled_from(FIELDS), JUNK, max_size=6),
       criterion=st.dictionaries(st.sampled_from(["criterion", "dimension", "answer", "rating", "comment",
                                                  "evidence_url", "mandatory", "other"]), JUNK, max_size=6))
def test_random_junk_never_gives_a_500_nor_a_library_message(app, site_with_draft, action, junk, criterion):
    site = site_with_draft
    data = {"package_id": site.record["id"], "organization": "nso-ghana", "id": site.draft_id, **junk}
    if "criteria" not in junk:
        data["criteria"] = [criterion]
    sent = json.dumps(data)
    response = app.post(API + action, data=sent, content_type="application/json", headers=token(site.ama),
                        expect_errors=True)
    body = response.get_data(as_text=True).lower()
    assert response.status_code < 500, body[:500]
    assert not [w for w in ("psycopg2", "traceback", "sqlalchemy") if w in body]
