"""record/derive.py: the fields derived from the record, and the index fields derived from it."""
import pytest

from ckanext.citizendata.record.derive import derive


@pytest.mark.parametrize("engagement, meets", [
    ([{"stage": "design", "level": 4}], True),
    ([{"stage": "collect", "level": 5}], True),
    ([{"stage": "design", "level": 3}, {"stage": "collect", "level": 3}], False),
    ([{"stage": "use", "level": 5}, {"stage": "analyse", "level": 4}], False),
    ([], False),
])
def test_meets_copenhagen_definition(engagement, meets):
    assert derive({"engagement": engagement})["meets_copenhagen_definition"] is meets


def test_sdg_goals_targets_and_m49_are_derived():
    derived = derive({"sdg_indicators": ["16.b.1", "10.3.1", "16.6.2"], "countries": ["GHA", "IRQ", "COL"]})
    assert derived["sdg_targets"] == ["10.3", "16.6", "16.b"]
    assert derived["sdg_goals"] == ["10", "16"]
    assert derived["m49"] == ["288", "368", "170"]
