"""record/hooks.py: the IPackageController work; an initiative's change re-indexes its members."""
import pytest
from ckan.tests import helpers

from .test_inherit import round_dataset, setup  # noqa: F401

pytestmark = pytest.mark.usefixtures("clean_db")


def test_changing_the_initiative_changes_its_datasets(setup):
    round_dataset(setup, "round-2022")
    helpers.call_action("package_patch", context=dict(setup["context"]), id="ghana-pss-app",
                        engagement=[{"stage": "collect", "level": 2}], recognition_status="official")
    shown = helpers.call_action("package_show", id="round-2022")
    assert shown["engagement"] == [{"stage": "collect", "level": 2}]
    assert shown["meets_copenhagen_definition"] is False
    found = helpers.call_action("package_search", fq="recognition_status:official")
    assert sorted(d["name"] for d in found["results"]) == ["ghana-pss-app", "round-2022"]
