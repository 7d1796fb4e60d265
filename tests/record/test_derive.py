"""record/derive.py: the fields derived from the record, and the index fields derived from it."""
import pytest

from ckanext.citizendata.record.derive import CLASSIFYING, derive, index_values, m49_codes, sdg_parents
from ckanext.citizendata.record.derive import definition_gaps, meets_copenhagen_definition


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


@pytest.mark.parametrize("engagement, meets", [
    ([{"stage": "design", "level": "4"}], True),           # a level still in text, as a form sends it
    ([{"stage": "collect", "level": "high"}], False),       # no level: not counted
    ([{"stage": "design"}, "collect", None], False),
])
def test_meets_copenhagen_definition_reads_levels_as_numbers(engagement, meets):
    assert derive({"engagement": engagement})["meets_copenhagen_definition"] is meets


def test_sdg_parents_in_natural_order_from_indicators_only():
    targets, goals = sdg_parents(["16.10.1", "16.9.1", "1.1.1", "16.a.1", "16", "16.6"])
    assert targets == ["1.1", "16.9", "16.10", "16.a"]   # 16.9 before 16.10; "16" and "16.6" are no indicators
    assert goals == ["1", "16"]


def test_m49_codes_keep_the_known_countries_in_order():
    assert m49_codes(["BRA", "XXX", "GHA"]) == ["076", "288"]
    assert m49_codes([]) == [] and m49_codes(None) == []


def test_an_empty_record_derives_empty_values():
    assert derive({}) == {"meets_copenhagen_definition": False, "sdg_targets": [], "sdg_goals": [], "m49": []}


def test_index_values_engaged_stages_and_deepest_level():
    record = {"engagement": [{"stage": "use", "level": 2}, {"stage": "collect", "level": "5"},
                             {"stage": "design", "level": 3}, {"level": 1}, "not an entry"]}
    values = index_values(record)
    assert values["engagement_stage"] == ["collect", "design", "use"] and values["engagement_level_max"] == 5


def test_index_values_without_engagement():
    assert index_values({})["engagement_stage"] == [] and index_values({})["engagement_level_max"] is None
    assert index_values({"engagement": []})["engagement_level_max"] is None


def test_needs_classification_lists_the_classifying_facts_a_record_lacks_in_schema_order():
    everything = {"initiative_type": "community-survey", "engagement": [{"stage": "design", "level": 4}],
                  "sdg_indicators": ["16.6.2"], "countries": ["GHA"], "population_groups": ["women-girls"]}
    assert index_values(everything)["needs_classification"] == []
    assert index_values({})["needs_classification"] == list(CLASSIFYING)
    partial = {"initiative_type": "community-survey", "sdg_indicators": [], "countries": ["GHA"]}
    assert index_values(partial)["needs_classification"] == ["engagement", "sdg_indicators", "population_groups"]


@pytest.mark.parametrize("ethics, meets", [
    ({"personal_data": True}, False),                                  # a harvested form: consent not stated
    ({"personal_data": True, "informed_consent": False}, False),
    ({"personal_data": True, "informed_consent": True}, True),
    ({"personal_data": True, "ethics_review": True}, True),
    ({"personal_data": False}, True),
    (None, True),
])
def test_personal_data_without_consent_or_review_never_meets_the_definition(ethics, meets):
    record = {"engagement": [{"stage": "collect", "level": 5}], "ethics": ethics}
    assert derive(record)["meets_copenhagen_definition"] is meets


@pytest.mark.parametrize("engagement, ethics, gaps", [
    ([{"stage": "collect", "level": 4}], None, []),
    ([{"stage": "analyse", "level": 5}], None, ["engagement"]),
    ([{"stage": "design", "level": 3}], {"personal_data": True}, ["engagement", "safeguard"]),
    ([{"stage": "design", "level": 5}], {"personal_data": True, "ethics_review": True}, []),
])
def test_definition_gaps_say_what_keeps_a_record_from_the_definition(engagement, ethics, gaps):
    assert definition_gaps(engagement, ethics) == gaps
    assert meets_copenhagen_definition(engagement, ethics) is (gaps == [])
