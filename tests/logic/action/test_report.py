"""logic/action/report.py: the report as JSON, with the SHACL findings of the record's own DCAT, drafts only for
members of the assessing NSO, and clear errors for a missing or unknown id."""
import datetime

import pytest
from ckan import model
from ckan.plugins import toolkit
from ckan.tests import factories, helpers

from ckanext.citizendata.logic.action import report
from ckanext.citizendata.model.assessment import assessment_table
from ckanext.citizendata.testing import CitizenDataset

pytestmark = pytest.mark.usefixtures("clean_db")
NOW = datetime.datetime(2026, 12, 1, 9, 30, tzinfo=datetime.timezone.utc)


def test_shacl_findings_are_those_of_the_records_own_dcat():
    pkg = CitizenDataset(owner_org=factories.Organization()["id"])
    full = helpers.call_action("package_show", id=pkg["id"])
    findings = report.shacl_findings(full)
    assert findings, "a minimal record lacks recommended DCAT-AP properties"
    assert all(set(f) == set(report.FINDING_KEYS) for f in findings)
    assert {f["severity"] for f in findings} <= {"Violation", "Warning", "Info"}
    assert any(full["name"] in f["focus"] or full["id"] in f["focus"] for f in findings)


def test_the_report_shows_a_draft_only_to_the_assessing_nso():
    assessor, publisher = factories.User(), factories.User()
    nso = factories.Organization(users=[{"name": assessor["name"], "capacity": "editor"}])
    pkg = CitizenDataset(owner_org=factories.Organization(
        users=[{"name": publisher["name"], "capacity": "admin"}])["id"])
    model.Session.execute(assessment_table.insert().values(
        id="d1", package_id=pkg["id"], organization_id=nso["id"], framework="paris21-cgd-2021",
        intended_use="", criteria=[], rationale={}, state="draft", assessor_id=assessor["id"],
        created=NOW, modified=NOW, example=True))
    model.Session.commit()

    def seen(user):
        result = helpers.call_action("citizendata_quality_report", {"user": user, "ignore_auth": False}, id=pkg["name"])
        return [a["id"] for a in result["assessments"]]

    assert seen(assessor["name"]) == ["d1"]
    assert seen(publisher["name"]) == []
    assert seen("") == []


def test_a_missing_id_names_the_field_and_an_unknown_one_is_not_found():
    with pytest.raises(toolkit.ValidationError) as err:
        helpers.call_action("citizendata_quality_report", {"user": ""})
    assert "id" in err.value.error_dict
    with pytest.raises(toolkit.ObjectNotFound):
        helpers.call_action("citizendata_quality_report", {"user": ""}, id="no-such-record")
    with pytest.raises(toolkit.ValidationError) as err:
        helpers.call_action("citizendata_quality_report", {"user": ""}, id="x" * 201)
    assert "id" in err.value.error_dict
