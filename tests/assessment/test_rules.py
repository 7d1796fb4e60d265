"""assessment/rules.py: the assessment's JSON Schema in the record's words, its cross-field rules and what
publishing (and an official endorsement) needs. No database: the vocabularies are given."""
import pytest

from ckanext.citizendata.assessment import rules
from ckanext.citizendata.record.schema import SCHEMA as RECORD_SCHEMA
from ckanext.citizendata.record.validate import StaticVocabularies

VOCABULARIES = StaticVocabularies({
    "assessment-frameworks": ["un-nqaf-2019", "ess-qaf-2"], "assessment-verdicts": ["endorse-official",
                                                                                     "endorse-experimental"],
    "quality-dimensions": ["relevance", "accuracy-reliability", "timeliness", "coherence-comparability",
                           "accessibility-clarity", "participation"],
    "sdg": ["16.6.1", "16.6.2"]})
OUTPUT = ["relevance", "accuracy-reliability", "timeliness", "coherence-comparability", "accessibility-clarity"]


def criterion(dimension, rating=3, **more):
    return {"criterion": f"{dimension} met", "dimension": dimension, "mandatory": True, "answer": "yes",
            "rating": rating, **more}


def test_the_sdg_indicator_is_described_once_in_the_records_schema():
    assert rules.schema()["properties"]["intended_indicators"]["items"] is RECORD_SCHEMA["properties"][
        "sdg_indicators"]["items"]
    assert rules.errors({"framework": "un-nqaf-2019", "intended_use": "x", "intended_indicators": ["16.6.9"]},
                        VOCABULARIES) == {"intended_indicators": [
        'intended_indicators[0]: "16.6.9" is not an SDG indicator; close matches: 16.6.1, 16.6.2']}


def test_the_workflows_fields_are_never_input():
    assert set(rules.input_fields()).isdisjoint({"state", "assessor", "approver", "organization", "judged_version",
                                                 "example", "package_id"})
    assert rules.errors({"framework": "un-nqaf-2019", "intended_use": "x", "state": "published"}, VOCABULARIES)[
        "state"][0].startswith("state: unknown field; allowed: framework, intended_use")


@pytest.mark.parametrize("item, message", [
    ({"answer": "not-applicable", "rating": 3}, "criteria[0].comment: required when the answer is not-applicable"),
    ({"rating": 0}, "criteria[0].comment: required"),
    ({"rating": 1, "comment": ""}, "criteria[0].comment: required"),
    ({"rating": 4}, "criteria[0].rating: 4 is above the maximum 3"),
    ({"evidence_url": "javascript:alert(1)"}, "criteria[0].evidence_url:"),
    ({"dimension": "beauty"}, 'criteria[0].dimension: "beauty" is not a quality dimension'),
    ({"answer": True}, "criteria[0].answer: true is not allowed"),
])
def test_criterion_rules(item, message):
    data = {"framework": "un-nqaf-2019", "intended_use": "x", "criteria": [{**criterion("relevance"), **item}]}
    assert any(m.startswith(message) for m in rules.errors(data, VOCABULARIES)["criteria"])


def test_rules_bear_junk_without_failing():
    data = {"framework": "un-nqaf-2019", "intended_use": "x", "criteria": ["a", None, {"rating": True}],
            "verdict": ["endorse-experimental"]}
    assert set(rules.errors(data, VOCABULARIES)) == {"criteria", "verdict"}


def test_publishing_needs_a_verdict_and_a_rationale():
    assert rules.publish_errors({"verdict": None, "rationale": {}}) == {
        "verdict": ["verdict: required to publish"], "rationale": ["rationale: required to publish"]}
    assert rules.publish_errors({"verdict": "endorse-experimental", "rationale": {"en": "y"}}) == {}


def test_an_official_endorsement_needs_mandatory_answers_and_every_output_dimension_rated_2():
    good = {"verdict": "endorse-official", "rationale": {"en": "y"}, "criteria": [criterion(d, 2) for d in OUTPUT]}
    assert rules.publish_errors(good) == {}
    unanswered = dict(good, criteria=good["criteria"] + [criterion("participation", answer=None)])
    assert rules.publish_errors(unanswered)["criteria"] == [
        "criteria[5]: a mandatory criterion must be answered (an official endorsement needs every one)"]
    low = dict(good, criteria=[criterion(d, 1 if d == "timeliness" else 3) for d in OUTPUT[:4]])
    assert [m.split(";")[0] for m in rules.publish_errors(low)["criteria"]] == [
        "criteria: the output dimension timeliness is rated below 2",
        "criteria: the output dimension accessibility-clarity is not assessed"]


def test_text_no_field_can_hold_is_named_wherever_it_stands():
    data = {"framework": "un-nqaf-2019", "intended_use": "a\x00b", "rationale": {"en": "ok\udc80"},
            "criteria": [{**criterion("relevance"), "comment": "\x00"}]}
    errors = rules.errors(data, VOCABULARIES)
    assert errors["intended_use"] == ["intended_use: a NUL character (U+0000) at position 2, which no field can hold"]
    assert errors["rationale"] == ["rationale.en: a lone surrogate (U+DC80) at position 3, which no field can hold"]
    assert errors["criteria"] == [
        "criteria[0].comment: a NUL character (U+0000) at position 1, which no field can hold"]
