"""logic/auth/quality.py (and auth/report.py, which answers alike): a record's score and its publisher's report
are read by whoever may see the record."""
import pytest
from ckan import logic
from ckan.tests import helpers

from ...assessment.test_roles import build_world

ACTIONS = ["citizendata_quality_show", "citizendata_quality_report"]


def allowed(action, user, **data_dict):
    try:
        return helpers.call_auth(action, {"user": user, "model": logic.model}, **data_dict)
    except logic.NotAuthorized:
        return False


@pytest.mark.usefixtures("clean_db")
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("private", [False, True])
def test_whoever_may_see_the_record_may_read_its_quality(action, private):
    world = build_world(private=private)
    record = world["record"]["id"]
    seen = {user: allowed(action, user, id=record) for user in ("", "other_editor", "cso_editor", "sysadmin")}
    assert seen == {"": not private, "other_editor": not private, "cso_editor": True, "sysadmin": True}
    if action == "citizendata_quality_show":
        assert allowed(action, "cso_editor", package_id=record)   # either key names the record
    with pytest.raises(logic.NotFound):
        helpers.call_auth(action, {"user": "cso_editor", "model": logic.model}, id="no-such-record")
