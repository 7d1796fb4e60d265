"""logic/action/quality.py: ``citizendata_quality_show`` gives a record's stored score to whoever may see the
record: anonymous users and another organization's editor see a public record's score and get 403 for a
private one; the owner's editor sees both; bad input is a 409 naming the field, an unknown record a 404."""
import pytest
from ckan.tests import factories

from ckanext.citizendata.testing import CitizenDataset

pytestmark = pytest.mark.usefixtures("clean_db")
SHOW = "/api/3/action/citizendata_quality_show"


@pytest.fixture
def records():
    owner, other = factories.UserWithToken(), factories.UserWithToken()
    org = factories.Organization(users=[{"name": owner["name"], "capacity": "editor"}])
    factories.Organization(users=[{"name": other["name"], "capacity": "editor"}])
    public = CitizenDataset(owner_org=org["id"], tags=[{"name": "water"}])
    private = CitizenDataset(owner_org=org["id"], private=True, user=owner)
    return {"owner": owner, "other": other, "public": public, "private": private}


def show(app, ref, user=None, status=200):
    headers = {"Authorization": user["token"]} if user else {}
    return app.get(SHOW, query_string={"id": ref}, headers=headers, status=status).json


def test_everyone_sees_a_public_record_s_score(app, records):
    for user in (None, records["other"], records["owner"]):
        result = show(app, records["public"]["name"], user)["result"]
        assert (result["package_id"], result["score"], result["max_score"], result["band"]) == \
            (records["public"]["id"], 30, 405, "bad")
        assert {m["metric"] for m in result["measurements"]} >= {"keywordAvailability", "partnersGiven"}


def test_a_private_record_s_score_is_seen_only_by_those_who_see_the_record(app, records):
    ref = records["private"]["id"]
    assert show(app, ref, None, status=403)["error"]["__type"] == "Authorization Error"
    refused = show(app, ref, records["other"], status=403)
    assert "quality score" in refused["error"]["message"]
    assert show(app, ref, records["owner"])["result"]["package_id"] == ref


def test_a_missing_id_names_the_field_and_an_unknown_record_is_404(app, records):
    missing = app.get(SHOW, status=409).json["error"]
    assert missing["__type"] == "Validation Error" and "id" in missing
    assert show(app, "no-such-record", status=404)["error"]["message"] == "Not found: No record has this name or id"
