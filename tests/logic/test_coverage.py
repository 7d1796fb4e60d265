"""logic/coverage.py: the SDG coverage figures from facet counts (pure), the goal a query may ask for, and the one
search behind them, run as the asker."""
import pytest
from ckan.tests import factories

from ckanext.citizendata.logic import coverage
from ckanext.citizendata.testing import CitizenDataset

LABELS = {
    "sdg": {"5": "Gender equality", "16": "Peace", "5.2.1": "Violence against women", "16.6.2": "Satisfaction",
            "16.3.1": "Reporting of violence"},
    "iso-3166-1-alpha-3": {"GHA": "Ghana", "KEN": "Kenya", "BRA": "Brazil"},
    "recognition-status": {"not-assessed": "Not assessed", "official": "Official statistics"},
    "engagement-stages": {"design": "Design", "collect": "Collect data"},
    "engagement-levels": {"1": "Inform", "2": "Consult", "3": "Involve", "4": "Collaborate", "5": "Citizen-led"},
}
COUNTS = {
    "sdg_goals": {"16": 3, "5": 1},
    "sdg_indicators": {"16.6.2": 2, "5.2.1": 1, "16.3.1": 1},
    "countries": {"KEN": 1, "GHA": 3},
    "recognition_status": {"official": 1, "not-assessed": 2},
    "engagement_stage_level": {"design 4": 2, "design 5": 1, "collect 2": 1, "analyse 3": 1, "odd": 7},
    "sdg_indicator_country": {"16.6.2 KEN": 1, "16.6.2 GHA": 2, "5.2.1 GHA": 1, "16.3.1 GHA": 1},
}


def test_figures_count_indicators_per_goal_and_name_every_goal():
    found = coverage.figures(3, COUNTS, LABELS)
    assert found["total"] == 3 and found["goal"] is None
    assert [g["goal"] for g in found["goals"]] == [str(n) for n in range(1, 18)]
    goals = {g["goal"]: g for g in found["goals"]}
    assert goals["16"] == {"goal": "16", "label": "Peace", "indicators": 2, "records": 3}
    assert goals["5"]["indicators"] == 1 and goals["5"]["records"] == 1
    assert goals["1"] == {"goal": "1", "label": "1", "indicators": 0, "records": 0}   # no label: its number


def test_figures_list_covered_indicators_in_natural_order_with_their_countries():
    found = coverage.figures(3, COUNTS, LABELS)
    assert [i["code"] for i in found["indicators"]] == ["5.2.1", "16.3.1", "16.6.2"]
    satisfaction = found["indicators"][2]
    assert satisfaction["label"] == "Satisfaction" and satisfaction["records"] == 2
    assert satisfaction["countries"] == [{"code": "GHA", "label": "Ghana"}, {"code": "KEN", "label": "Kenya"}]


def test_figures_count_countries_most_first_and_statuses_in_scheme_order():
    found = coverage.figures(3, COUNTS, LABELS)
    assert found["countries"] == [{"code": "GHA", "label": "Ghana", "records": 3},
                                  {"code": "KEN", "label": "Kenya", "records": 1}]
    assert found["recognition"] == [{"status": "not-assessed", "label": "Not assessed", "records": 2},
                                    {"status": "official", "label": "Official statistics", "records": 1}]


def test_figures_count_each_stage_by_level_leaving_out_unknown_stages():
    engagement = coverage.figures(3, COUNTS, LABELS)["engagement"]
    assert [lv["level"] for lv in engagement["levels"]] == ["1", "2", "3", "4", "5"]
    stages = {s["stage"]: s for s in engagement["stages"]}
    assert list(stages) == ["design", "collect"]                   # the scheme's order; "analyse" not in LABELS
    assert stages["design"]["levels"] == {"1": 0, "2": 0, "3": 0, "4": 2, "5": 1} and stages["design"]["records"] == 3
    assert stages["collect"]["levels"]["2"] == 1 and stages["collect"]["label"] == "Collect data"


def test_a_goal_narrows_goals_and_indicators():
    found = coverage.figures(1, COUNTS, LABELS, goal="5")
    assert [g["goal"] for g in found["goals"]] == ["5"] and [i["code"] for i in found["indicators"]] == ["5.2.1"]
    assert len(found["goal_names"]) == 17 and found["goal"] == "5"


@pytest.mark.parametrize("value, goal", [(None, None), ("", None), (" 16 ", "16"), ("07", "7"), ("17", "17")])
def test_checked_goal_takes_the_17_goals(value, goal):
    assert coverage.checked_goal(value) == goal


@pytest.mark.parametrize("value", ["0", "18", "99", "abc", "16.6", "-1", "1e1"])
def test_checked_goal_refuses_what_is_not_a_goal(value):
    with pytest.raises(coverage.UnknownGoal):
        coverage.checked_goal(value)


def test_search_params_ask_one_search_for_every_facet_value():
    params = coverage.search_params("16")
    assert params["rows"] == 0 and params["facet.limit"] == -1 and params["include_private"] is True
    assert set(params["facet.field"]) == set(coverage.FACETS)
    assert params["fq"] == '+dataset_type:dataset +sdg_goals:"16"'
    assert "sdg_goals" not in coverage.search_params(None)["fq"]


@pytest.mark.usefixtures("clean_db")
def test_coverage_counts_what_the_asker_may_see():
    owner = factories.User()
    org = factories.Organization(users=[{"name": owner["name"], "capacity": "editor"}])
    CitizenDataset(owner_org=org["id"], sdg_indicators=["16.6.2"], countries=["GHA"],
                   engagement=[{"stage": "collect", "level": 5}])
    CitizenDataset(owner_org=org["id"], private=True, sdg_indicators=["16.6.2", "5.2.1"], countries=["KEN"],
                   engagement=[{"stage": "collect", "level": 2}])
    public = coverage.coverage({"user": ""})
    assert public["total"] == 1 and [i["code"] for i in public["indicators"]] == ["16.6.2"]
    assert public["indicators"][0]["countries"] == [{"code": "GHA", "label": "Ghana"}]
    mine = coverage.coverage({"user": owner["name"]})
    assert mine["total"] == 2 and [i["code"] for i in mine["indicators"]] == ["5.2.1", "16.6.2"]
    collect = next(s for s in mine["engagement"]["stages"] if s["stage"] == "collect")
    assert collect["levels"]["5"] == 1 and collect["levels"]["2"] == 1
    assert {g["goal"]: g["indicators"] for g in mine["goals"]}["16"] == 1
    assert coverage.coverage({"user": owner["name"]}, goal="5")["total"] == 1
