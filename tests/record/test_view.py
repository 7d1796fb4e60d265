"""record/view.py: the record view, made once per package dict; record_of; the effective record a validator
checks."""
import pytest
from ckan.tests import helpers

from .test_inherit import setup  # noqa: F401

pytestmark = pytest.mark.usefixtures("clean_db")


def test_without_an_initiative_the_required_fields_are_required(setup):
    with pytest.raises(helpers.logic.ValidationError) as err:
        helpers.call_action("package_create", context=dict(setup["context"]), name="orphan", notes="x",
                            owner_org=setup["org"]["id"])
    assert err.value.error_dict["engagement"] == ["engagement: required"]
    assert err.value.error_dict["initiative_type"] == ["initiative_type: required"]
