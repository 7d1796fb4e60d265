"""logic/auth/activity.py: ``activity_show`` answers non-sysadmins 200 or 403 (it was a KeyError, a 500, for
everyone but sysadmins): the activity holds the whole dataset as it was, so those who may edit the dataset see it
and nobody else does."""
import pytest
from ckan.tests import factories

from ckanext.citizendata.logic import registered
from ckanext.citizendata.logic.auth import activity
from ckanext.citizendata.testing import CitizenDataset

pytestmark = pytest.mark.usefixtures("clean_db")
SHOW = "/api/3/action/activity_show"


@pytest.fixture
def activity_id(app):
    editor = factories.UserWithToken()
    org = factories.Organization(users=[{"name": editor["name"], "capacity": "editor"}])
    CitizenDataset(name="with-activity", owner_org=org["id"], user=editor)
    sysadmin = factories.SysadminWithToken()
    listed = app.get("/api/3/action/package_activity_list", query_string={"id": "with-activity"},
                     headers={"Authorization": sysadmin["token"]}).json["result"]
    return listed[0]["id"], editor


def test_the_auth_function_is_chained():
    assert registered()["auth"]["activity_show"] is activity.activity_show


def test_an_editor_of_the_dataset_sees_the_activity(app, activity_id):
    ident, editor = activity_id
    result = app.get(SHOW, query_string={"id": ident}, headers={"Authorization": editor["token"]},
                     status=200).json["result"]
    assert result["id"] == ident and result["data"]["package"]["name"] == "with-activity"


def test_another_user_is_refused(app, activity_id):
    ident, _ = activity_id
    other = factories.UserWithToken()
    response = app.get(SHOW, query_string={"id": ident}, headers={"Authorization": other["token"]}, status=403)
    assert response.json["error"]["__type"] == "Authorization Error"


def test_a_visitor_is_refused(app, activity_id):
    ident, _ = activity_id
    assert app.get(SHOW, query_string={"id": ident}, status=403).json["success"] is False


@pytest.mark.ckan_config("ckan.auth.public_activity_stream_detail", "true")
def test_with_public_activity_detail_anyone_who_may_see_the_dataset_sees_it(app, activity_id):
    ident, _ = activity_id
    other = factories.UserWithToken()
    assert app.get(SHOW, query_string={"id": ident}, headers={"Authorization": other["token"]}, status=200)
