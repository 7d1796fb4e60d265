"""logic/validators.py: the registered validators convert what comes in and what goes out; the record itself is
checked once, by citizendata_record."""
import pytest
from ckan.tests import helpers

from ..record.test_inherit import round_dataset, setup  # noqa: F401

pytestmark = pytest.mark.usefixtures("clean_db")


def test_in_series_must_name_an_initiative(setup):
    plain = helpers.call_action("package_create", context=dict(setup["context"]), name="plain", notes="x",
                                owner_org=setup["org"]["id"], initiative_type="social-audit",
                                engagement=[{"stage": "collect", "level": 3}])
    with pytest.raises(helpers.logic.ValidationError) as err:
        round_dataset(setup, "bad-round", in_series=[plain["name"]])
    assert 'in_series: "plain" is not an initiative' in err.value.error_dict["in_series"][0]
