"""The "check my record" page (check_views.py): its editors see what the Copenhagen definition and a better quality
band still need; anonymous users and other organizations' editors do not."""
import pytest
from ckan.tests import factories, helpers

from ckanext.citizendata.check_views import next_band
from .record.test_through_ckan import publisher, record  # noqa: F401 (a fixture)

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.fixture
def unmet(publisher):
    """A record that does not meet the definition: consultation only (level 2) at collection."""
    return helpers.call_action("package_create", context={"user": publisher["user"]["name"]},
                               **record(engagement=[{"stage": "collect", "level": 2, "actors": ["community"]}]))


def test_the_owner_sees_what_the_definition_and_the_quality_band_need(app, publisher, unmet):
    page = app.get("/dataset/ghana-pss-round-3/check", headers=publisher["headers"], status=200).body
    assert 'data-gap="engagement"' in page and 'data-gap="safeguards"' not in page
    assert "/dataset/edit/ghana-pss-round-3#section-engagement" in page
    assert "/dataset/ghana-pss-round-3/quality" in page


def test_a_record_that_meets_the_definition_says_so(app, publisher):
    helpers.call_action("package_create", context={"user": publisher["user"]["name"]}, **record())
    page = app.get("/dataset/ghana-pss-round-3/check", headers=publisher["headers"], status=200).body
    assert "The record meets the definition." in page and "data-gap=" not in page


def test_the_edit_form_links_to_the_check(app, publisher, unmet):
    page = app.get("/dataset/edit/ghana-pss-round-3", headers=publisher["headers"], status=200).body
    assert 'href="/dataset/ghana-pss-round-3/check"' in page


def test_the_record_page_links_to_the_check_for_its_editors_only(app, publisher, unmet):
    link = 'href="/dataset/ghana-pss-round-3/check"'
    assert link in app.get("/dataset/ghana-pss-round-3", headers=publisher["headers"], status=200).body
    assert link not in app.get("/dataset/ghana-pss-round-3", status=200).body


def test_anonymous_and_another_organizations_editor_may_not_check(app, publisher, unmet):
    assert app.get("/dataset/ghana-pss-round-3/check", status=403).status_code == 403
    other = factories.UserWithToken()
    factories.Organization(users=[{"name": other["name"], "capacity": "editor"}])
    app.get("/dataset/ghana-pss-round-3/check", headers={"Authorization": other["token"]}, status=403)


def test_an_unknown_record_or_the_wrong_type_is_404(app, publisher, unmet):
    app.get("/dataset/no-such-record/check", headers=publisher["headers"], status=404)
    app.get("/dataset_series/ghana-pss-round-3/check", headers=publisher["headers"], status=404)


def test_next_band_is_the_one_above_with_the_points_it_needs():
    bands = [{"band": "excellent", "min": 351, "max": 405}, {"band": "good", "min": 221, "max": 350},
             {"band": "sufficient", "min": 121, "max": 220}, {"band": "bad", "min": 0, "max": 120}]
    assert next_band({"score": 200}, bands) == {"band": "good", "min": 221, "max": 350, "needed": 21}
    assert next_band({"score": 400}, bands) is None and next_band(None, bands) is None
