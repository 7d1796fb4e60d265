"""logic/auth/assessment_interim.py (INTERIM, until the roles' auth): reads as the record's visibility, drafts for
the assessing office, writes for sysadmins."""
import pytest
from ckan.plugins import toolkit

from ckanext.citizendata.assessment import workflow
from ckanext.citizendata.logic.auth.assessment_interim import WRITES
from tests.assessment.people import draft_fields, world

pytestmark = pytest.mark.usefixtures("clean_db")


def allowed(name, user, data):
    try:
        return toolkit.check_access(name, {"user": user}, data)
    except toolkit.NotAuthorized:
        return False


def test_reads_and_writes():
    w = world()
    draft = workflow.create(w.record["id"], "ama", draft_fields())
    assert [allowed("citizendata_assessment_show", u, {"id": draft["id"]}) for u in ("ama", "kofi", "esi", "")] == [
        True, True, False, False]
    assert allowed("citizendata_assessment_list", "", {"package_id": w.record["id"]}) is True
    assert not any(allowed(name, user, {"id": draft["id"], "package_id": w.record["id"]})
                   for name in WRITES for user in ("ama", "kofi", "esi"))
