"""logic/home.py: the home page's figures (one faceted search as the asking user, every concept of a scheme with
its count, the countries with most records) and the header's links."""
import json

import pytest

from ckanext.citizendata.logic import home

pytestmark = pytest.mark.usefixtures("clean_db")


def test_every_goal_and_stage_is_listed_in_order_with_zero_for_none(app):
    with app.flask_app.test_request_context("/"):
        goals = home._every("sdg_goals", {"16": 4}, "en")
        stages = home._every("engagement_stage", {}, "es")
    assert [g["notation"] for g in goals] == [str(n) for n in range(1, 18)]
    assert goals[15] == {"notation": "16", "label": "Peace, justice and strong institutions", "count": 4,
                         "url": "/dataset/?sdg_goals=16"}
    assert sum(g["count"] for g in goals) == 4
    assert len(stages) == 7 and stages[0]["notation"] == "identify-needs" and stages[0]["count"] == 0
    assert stages[1]["label"] != "Design"          # Spanish labels from the vocabulary


def test_the_countries_with_most_records_first_ties_by_name_at_most_the_limit(app):
    with app.flask_app.test_request_context("/"):
        top = home._most("countries", {"KEN": 2, "GHA": 2, "IRQ": 5, "BRA": 1}, "en", 3)
    assert [(c["notation"], c["label"], c["count"]) for c in top] == [
        ("IRQ", "Iraq", 5), ("GHA", "Ghana", 2), ("KEN", "Kenya", 2)]


def test_one_faceted_search_as_the_asking_user_and_one_for_the_latest_initiatives(app, monkeypatch):
    calls = []

    def package_search(context, data_dict):
        calls.append((context, data_dict))
        return {"count": 7, "results": [], "search_facets": {
            "sdg_goals": {"items": [{"name": "16", "count": 3}]}, "countries": {"items": []}}}
    monkeypatch.setattr(home.toolkit, "get_action", lambda name: package_search)
    with app.flask_app.test_request_context("/"):
        figures = home.figures({"user": "ana"})
    faceted = [d for _, d in calls if "facet.field" in d]
    assert len(faceted) == 1 and len(calls) == 2
    assert set(json.loads(faceted[0]["facet.field"])) == {"sdg_goals", "countries", "engagement_stage",
                                                          "initiative_type"}
    assert all(c["user"] == "ana" and d["include_private"] is True for c, d in calls)
    assert figures["records"] == 7 and figures["goals"][15]["count"] == 3 and figures["countries"] == []


@pytest.mark.parametrize("path, active", [
    ("/dataset/", "Datasets"), ("/dataset/some-record", "Datasets"), ("/dataset_series/x", "Initiatives"),
    ("/vocabulary/sdg", "Vocabularies"), ("/sdg/", "SDG dashboard"), ("/quality/methodology", "Quality"),
    ("/about", "About"), ("/", None), ("/datasets-elsewhere", None)])
def test_the_link_of_the_section_a_page_is_in_is_active(app, path, active):
    with app.flask_app.test_request_context(path):
        links = home.citizendata_main_nav()
    assert len(links) == 6
    assert [link["label"] for link in links if link["active"]] == ([active] if active else [])
