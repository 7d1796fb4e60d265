"""assessment/store.py: rows of our tables read back as the shared dict shapes, many records at once."""
import datetime

import pytest
from ckan import model
from ckan.tests import factories

from ckanext.citizendata.assessment import store
from ckanext.citizendata.model.assessment import (
    assessment_event_table,
    assessment_table,
    quality_score_table,
)
from ckanext.citizendata.testing import CitizenDataset

NOW = datetime.datetime(2026, 12, 1, 9, 30, tzinfo=datetime.timezone.utc)


def _assessment(aid, package_id, org, assessor, state, approver=None, published_at=None):
    model.Session.execute(assessment_table.insert().values(
        id=aid, package_id=package_id, organization_id=org["id"], framework="un-nqaf-2019",
        intended_use="SDG 16.6.2 reporting", intended_indicators=["16.6.2"],
        criteria=[{"criterion": "Method documented", "dimension": "relevance", "mandatory": True, "answer": "yes",
                   "rating": 3, "evidence_url": "https://example.org/m", "comment": ""}],
        verdict="endorse-complementary", rationale={"en": "Fit.", "fr": "Adapté."}, state=state,
        assessor_id=assessor["id"], approver_id=approver and approver["id"], created=NOW, modified=NOW,
        published_at=published_at, valid_until=datetime.date(2027, 12, 31), example=True))


@pytest.mark.usefixtures("clean_db")
def test_published_assessments_are_read_with_names_and_history_and_drafts_are_not():
    org, ama, kofi = factories.Organization(name="nso"), factories.User(name="ama"), factories.User(name="kofi")
    pkg = CitizenDataset(owner_org=factories.Organization()["id"])
    _assessment("a1", pkg["id"], org, ama, "published", approver=kofi, published_at=NOW)
    _assessment("a2", pkg["id"], org, ama, "draft")
    model.Session.execute(assessment_event_table.insert().values(
        assessment_id="a1", package_id=pkg["id"], kind="transition", actor_id=kofi["id"], at=NOW,
        from_state="draft", to_state="published", note=""))
    model.Session.commit()

    found = store.published_assessments([pkg["id"], "no-such-package"])

    assert found["no-such-package"] == []
    [item] = found[pkg["id"]]
    assert (item["id"], item["organization"], item["assessor"], item["approver"]) == ("a1", "nso", "ama", "kofi")
    assert item["rationale"] == {"en": "Fit.", "fr": "Adapté."} and item["valid_until"] == "2027-12-31"
    assert item["criteria"][0]["rating"] == 3 and item["intended_indicators"] == ["16.6.2"]
    assert item["history"] == [{"kind": "transition", "actor": "kofi", "at": NOW.isoformat(), "from": "draft",
                                "to": "published", "note": ""}]


@pytest.mark.usefixtures("clean_db")
def test_scores_are_read_for_scored_records_only():
    model.Session.execute(quality_score_table.insert().values(
        package_id="p1", score=265, max_score=425, band="good",
        dimensions=[{"dimension": "findability", "iri": "x", "earned": 80, "possible": 100}],
        measurements=[], computed_at=NOW))
    model.Session.commit()

    found = store.scores(["p1", "p2"])

    assert list(found) == ["p1"]
    assert (found["p1"]["score"], found["p1"]["band"], found["p1"]["dimensions"][0]["earned"]) == (265, "good", 80)
