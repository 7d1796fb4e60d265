"""logic/auth/quality.py: the score of a record is as visible as the record."""
import pytest
from ckan import model
from ckan.plugins import toolkit
from ckan.tests import factories, helpers

from ckanext.citizendata.logic import registered
from ckanext.citizendata.logic.auth import quality
from ckanext.citizendata.testing import CitizenDataset

pytestmark = pytest.mark.usefixtures("clean_db")


def allowed(user, package_id):
    context = {"user": user["name"] if user else "", "model": model}
    try:
        return helpers.call_auth("citizendata_quality_show", context, id=package_id)
    except toolkit.NotAuthorized:
        return False


def test_registered():
    assert registered()["auth"]["citizendata_quality_show"] is quality.citizendata_quality_show


def test_as_the_record_is_visible():
    member, stranger = factories.User(), factories.User()
    org = factories.Organization(users=[{"name": member["name"], "capacity": "member"}])
    public = CitizenDataset(owner_org=org["id"])
    private = CitizenDataset(owner_org=org["id"], private=True)
    assert allowed(None, public["id"]) and allowed(stranger, public["id"])
    assert not allowed(None, private["id"]) and not allowed(stranger, private["id"])
    assert allowed(member, private["id"])
