"""sdg_views.py: the SDG coverage dashboard at /sdg/: its figures on a small set of records, who sees a private
record counted, the goal filter kept in links, bad goals answered 400, charts served from the site, the link from
the quality dashboard, and the page in Arabic."""
import re
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ckanext.citizendata.testing import CitizenDataset

pytestmark = pytest.mark.usefixtures("clean_db")


def page(response):
    return BeautifulSoup(response.body, "html.parser")


@pytest.fixture
def site():
    """Org A publishes a public record (16.6.2, Ghana) and a private one (5.2.1 and 16.6.2, Kenya); org B one
    public record (5.2.1, Ghana); an initiative of org A (not a dataset: not counted)."""
    owner, stranger = factories.UserWithToken(), factories.UserWithToken()
    org_a = factories.Organization(name="org-a", users=[{"name": owner["name"], "capacity": "editor"}])
    org_b = factories.Organization(name="org-b", users=[{"name": stranger["name"], "capacity": "editor"}])
    CitizenDataset(name="a-public", owner_org=org_a["id"], sdg_indicators=["16.6.2"], countries=["GHA"],
                   engagement=[{"stage": "collect", "level": 5}, {"stage": "design", "level": 4}])
    CitizenDataset(name="a-private", owner_org=org_a["id"], private=True, sdg_indicators=["5.2.1", "16.6.2"],
                   countries=["KEN"], engagement=[{"stage": "collect", "level": 2}])
    CitizenDataset(name="b-public", owner_org=org_b["id"], sdg_indicators=["5.2.1"], countries=["GHA"],
                   engagement=[{"stage": "collect", "level": 5}])
    return {"anonymous": {}, "owner": {"Authorization": owner["token"]},
            "stranger": {"Authorization": stranger["token"]}}


def rows(html, table, key):
    return {tr[f"data-{key}"]: [td.get_text(" ", strip=True) for td in tr.find_all("td")]
            for tr in html.select(f"table.citizendata-figures-{table} tbody tr")}


def test_the_figures_of_a_small_catalog(app, site):
    html = page(app.get("/sdg/", status=200))
    goals = rows(html, "goals", "goal")
    assert len(goals) == 17 and goals["16"] == ["1", "1"] and goals["5"] == ["1", "1"] and goals["1"] == ["0", "0"]
    indicators = {tr["data-indicator"]: tr for tr in html.select("table.citizendata-figures-indicators tbody tr")}
    assert list(indicators) == ["5.2.1", "16.6.2"]
    satisfaction = indicators["16.6.2"]
    assert satisfaction.select_one("bdi").get_text() == "16.6.2"
    assert "satisfied with their last experience of public services" in satisfaction.get_text()
    assert satisfaction.select_one('a[href="/dataset/?sdg_indicators=16.6.2"]')
    assert satisfaction.select_one(".citizendata-sdg-countries").get_text() == "Ghana"
    assert rows(html, "countries", "country") == {"GHA": ["2"]}
    assert html.select_one('table.citizendata-figures-countries a[href="/dataset/?countries=GHA"]')
    engagement = rows(html, "engagement", "stage")
    assert engagement["collect"] == ["0", "0", "0", "0", "2"] and engagement["design"] == ["0", "0", "0", "1", "0"]
    assert engagement["use"] == ["0"] * 5 and len(engagement) == 7
    recognition = rows(html, "recognition", "status")
    assert list(recognition) == ["not-endorsed", "not-assessed", "under-nso-review", "complementary-source",
                                 "experimental-statistics", "official"]             # the scheme's cdt:order
    assert recognition["not-assessed"] == ["2"] and recognition["official"] == ["0"]
    assert html.select_one('a[href="/dataset/?recognition_status=official"]')


@pytest.mark.parametrize("who, total, kenya", [("anonymous", 2, None), ("stranger", 2, None), ("owner", 3, ["1"])])
def test_a_private_record_counts_only_for_its_organization(app, site, who, total, kenya):
    html = page(app.get("/sdg/", headers=site[who], status=200))
    assert f"{total} datasets you can see." in html.get_text(" ")
    assert rows(html, "countries", "country").get("KEN") == kenya
    indicators = {tr["data-indicator"]: tr.find("td").get_text() for tr in
                  html.select("table.citizendata-figures-indicators tbody tr")}
    assert indicators == ({"5.2.1": "2", "16.6.2": "2"} if who == "owner" else {"5.2.1": "1", "16.6.2": "1"})


def test_a_goal_narrows_everything_and_is_kept_in_links(app, site):
    html = page(app.get("/sdg/?goal=16", headers=site["owner"], status=200))
    assert list(rows(html, "goals", "goal")) == ["16"]
    assert [tr["data-indicator"] for tr in html.select("table.citizendata-figures-indicators tbody tr")] == ["16.6.2"]
    assert rows(html, "countries", "country") == {"GHA": ["1"], "KEN": ["1"]}
    assert html.select_one('a[href="/dataset/?countries=KEN&sdg_goals=16"]')
    assert html.select_one('a[href="/dataset/?recognition_status=official&sdg_goals=16"]')
    see = [a["href"] for a in html.select(".citizendata-sdg-see a")]
    assert len(see) == 4 and all(href == "/dataset/?sdg_goals=16" for href in see)
    assert html.select_one('select[name="goal"] option[selected]')["value"] == "16"
    assert rows(page(app.get("/sdg/?goal=3", status=200)), "countries", "country") == {}


@pytest.mark.parametrize("query", ["goal=99", "goal=abc", "goal=0", "goal=16.6", "goal=" + "9" * 500])
def test_a_goal_that_is_not_an_sdg_answers_400_in_plain_words(app, site, query):
    response = app.get(f"/sdg/?{query}", status=400)
    assert "choose a goal from 1 to 17" in response.body


def test_an_unreadable_goal_answers_400(app, site):
    app.get("/sdg/?goal=%00", status=400)            # the site's guard on unreadable URLs answers first


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(goal=st.text(max_size=40) | st.integers(min_value=-(10 ** 30), max_value=10 ** 30).map(str))
def test_no_goal_makes_the_page_fail(app, goal):
    response = app.get("/sdg/?goal=" + quote(goal.encode("utf-8", "surrogatepass"), safe=""), expect_errors=True)
    assert response.status_code in (200, 400), (goal, response.status_code)


def test_other_parameters_are_ignored(app, site):
    assert page(app.get("/sdg/?q=%22unclosed&sort=x&goal=", status=200)).select("table.citizendata-figures-goals")


def test_every_chart_has_a_table_and_a_link_to_its_search_and_the_page_is_served_from_the_site(app, site):
    response = app.get("/sdg/", status=200)
    html = page(response)
    figures = html.select('figure[data-module="citizendata-chart"]')
    assert len(figures) == 4
    for figure in figures:
        assert figure.select_one("canvas[role=img][aria-label]") and figure.select_one("table caption")
        assert figure.select_one(".citizendata-sdg-see a[href^='/dataset/']")
    references = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', response.body)
    assert references and not [r for r in references if r.startswith(("http://", "https://", "//"))]
    charts = [s for s in re.findall(r'<script[^>]+src="([^"]+)"', response.body) if "charts" in s]
    assert charts and "Chart.js v4" in app.get(charts[0], status=200).body


def test_the_quality_dashboard_links_here(app, site):
    assert page(app.get("/quality/", status=200)).select_one('a[href="/sdg/"]')


def test_in_arabic_the_page_is_right_to_left_with_codes_isolated(app, site):
    html = page(app.get("/ar/sdg/", status=200))
    assert html.find("html")["dir"] == "rtl"
    codes = [bdi.get_text() for bdi in html.select("table.citizendata-figures-indicators bdi")]
    assert codes == ["5.2.1", "16.6.2"]
    assert html.select_one('a[href="/ar/dataset/?sdg_indicators=16.6.2"]')
