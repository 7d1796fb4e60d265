"""logic/auth/report.py: a record's quality report is for whoever may see the record."""
import pytest
from ckan import model
from ckan.plugins import toolkit
from ckan.tests import factories, helpers

from ckanext.citizendata.logic import registered
from ckanext.citizendata.logic.auth import report
from ckanext.citizendata.testing import CitizenDataset

pytestmark = pytest.mark.usefixtures("clean_db")


def test_the_action_has_its_auth_function():
    assert registered()["auth"]["citizendata_quality_report"] is report.citizendata_quality_report


def allowed(user, package):
    try:
        return helpers.call_auth("citizendata_quality_report", {"user": user, "model": model}, id=package["id"])
    except toolkit.NotAuthorized:
        return False


def test_who_may_read_the_report_of_a_public_and_of_a_private_record():
    owner, stranger, sysadmin = factories.User(), factories.User(), factories.Sysadmin()
    org = factories.Organization(users=[{"name": owner["name"], "capacity": "editor"}])
    factories.Organization(users=[{"name": stranger["name"], "capacity": "editor"}])
    public = CitizenDataset(owner_org=org["id"])
    private = CitizenDataset(owner_org=org["id"], private=True)
    matrix = {who: (allowed(user, public), allowed(user, private))
              for who, user in (("anonymous", ""), ("stranger", stranger["name"]), ("owner", owner["name"]),
                                ("sysadmin", sysadmin["name"]))}
    assert matrix == {"anonymous": (True, False), "stranger": (True, False), "owner": (True, True),
                      "sysadmin": (True, True)}


def test_a_refusal_says_why():
    private = CitizenDataset(owner_org=factories.Organization()["id"], private=True)
    with pytest.raises(toolkit.NotAuthorized, match="may not see this record"):
        helpers.call_auth("citizendata_quality_report", {"user": "", "model": model}, id=private["id"])
