"""logic/auth/vocab.py: the vocabulary registry is public reference data; anyone may read it."""
import pytest
from ckan import model
from ckan.plugins import toolkit
from ckan.tests import factories, helpers

from ckanext.citizendata.logic import registered
from ckanext.citizendata.logic.auth import vocab

pytestmark = pytest.mark.usefixtures("clean_db")

READS = {"citizendata_vocabulary_list": {}, "citizendata_vocabulary_show": {"id": "engagement-levels"},
         "citizendata_concept_show": {"scheme": "engagement-levels", "notation": "4"},
         "citizendata_concept_search": {"q": "collab"}}


def test_every_read_of_the_registry_has_its_auth_function():
    auth = registered()["auth"]
    assert set(vocab.READS) == set(READS)
    assert all(auth[name] is vocab.anyone for name in READS)
    assert set(READS) <= set(registered()["actions"])


@pytest.mark.parametrize("name", sorted(READS))
def test_a_visitor_may_read_the_registry(name):
    assert helpers.call_auth(name, {"user": "", "model": model}) is True
    assert toolkit.check_access(name, {"user": ""}, READS[name]) is True


@pytest.mark.parametrize("name", sorted(READS))
def test_a_signed_in_user_may_read_the_registry(name):
    assert helpers.call_auth(name, {"user": factories.User()["name"], "model": model}) is True


@pytest.mark.parametrize("name", sorted(READS))
def test_the_api_answers_a_visitor(app, name):
    result = app.get(f"/api/3/action/{name}", query_string=READS[name], status=200).json["result"]
    assert result
