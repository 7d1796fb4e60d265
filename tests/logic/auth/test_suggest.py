"""logic/auth/suggest.py: anyone may ask for suggestions (what they get is what they may see:
tests/logic/action/test_suggest.py)."""
import pytest
from ckan import model
from ckan.plugins import toolkit
from ckan.tests import factories, helpers

from ckanext.citizendata.logic import registered
from ckanext.citizendata.logic.auth import suggest

pytestmark = pytest.mark.usefixtures("clean_db")


def test_the_action_has_its_auth_function():
    assert registered()["auth"]["citizendata_suggest"] is suggest.citizendata_suggest


def test_a_visitor_may_ask():
    assert helpers.call_auth("citizendata_suggest", {"user": "", "model": model}, q="a") is True
    assert toolkit.check_access("citizendata_suggest", {"user": ""}, {"q": "a"}) is True


def test_a_signed_in_user_may_ask():
    assert helpers.call_auth("citizendata_suggest", {"user": factories.User()["name"], "model": model}) is True


def test_the_api_answers_a_visitor(app):
    assert app.get("/api/3/action/citizendata_suggest", query_string={"q": "a"}, status=200).json["result"] == \
        {"datasets": [], "concepts": []}
