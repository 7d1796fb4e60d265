"""logic/action/delete.py: deleting or purging a dataset drops its DCAT fragments; deleting or purging an
initiative re-indexes the datasets in it."""
import pytest
from ckan.tests import factories, helpers

from ...record.test_inherit import round_dataset, setup  # noqa: F401

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.mark.parametrize("action", ["package_delete", "dataset_purge"])
def test_deleting_or_purging_the_initiative_takes_its_values_from_its_datasets(setup, action):
    round_dataset(setup, "round-gone")
    sysadmin = factories.Sysadmin()
    helpers.call_action(action, context={"user": sysadmin["name"]}, id="ghana-pss-app")
    shown = helpers.call_action("package_show", id="round-gone")
    assert shown["inherited_fields"] == [] and "initiative_type" not in shown
    found = helpers.call_action("package_search", fq='initiative_type:"public-service-feedback"')
    assert found["count"] == 0
    found = helpers.call_action("package_search", fq="name:round-gone")
    assert found["count"] == 1 and "initiative_type" not in found["results"][0]
