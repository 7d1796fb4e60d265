"""Citizen-data facets on /dataset and in package_search: counts, vocabulary labels, the user's language."""
import json

import pytest

from ckan.tests import factories, helpers

from ckanext.citizendata.testing import CitizenDataset

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.fixture
def catalog():
    org = factories.Organization()
    CitizenDataset(name="audit-one", owner_org=org["id"], initiative_type="social-audit",
                   engagement=[{"stage": "collect", "level": 5}, {"stage": "use", "level": 3}],
                   sdg_indicators=["16.6.2"], countries=["GHA"], population_groups=["youth"])
    CitizenDataset(name="audit-two", owner_org=org["id"], initiative_type="social-audit",
                   engagement=[{"stage": "design", "level": 2}], sdg_indicators=["16.6.2", "10.3.1"],
                   countries=["COL"])
    CitizenDataset(name="mapping", owner_org=org["id"], initiative_type="participatory-mapping",
                   engagement=[{"stage": "collect", "level": 4}], sdg_indicators=["11.1.1"], countries=["KEN"])
    return org


def facet(result, field):
    return {item["name"]: (item["count"], item["display_name"]) for item in result["search_facets"][field]["items"]}


def test_counts_and_labels_through_package_search(catalog):
    result = helpers.call_action("package_search", **{"facet.field": json.dumps(
        ["initiative_type", "engagement_stage", "engagement_level_max", "meets_copenhagen_definition",
         "sdg_goals", "sdg_indicators", "countries", "population_groups"])})
    assert facet(result, "initiative_type") == {"social-audit": (2, "Social audit"),
                                                "participatory-mapping": (1, "Participatory mapping")}
    stages = facet(result, "engagement_stage")
    assert {k: v[0] for k, v in stages.items()} == {"collect": 2, "use": 1, "design": 1}
    assert stages["collect"][1] == "Collect data" and stages["use"][1] == "Use data"
    assert facet(result, "engagement_level_max")["5"][0] == 1 and facet(result, "engagement_level_max")["2"][0] == 1
    assert facet(result, "meets_copenhagen_definition") == {"true": (2, "Yes"), "false": (1, "No")}
    goals = facet(result, "sdg_goals")
    assert goals["16"][0] == 2 and goals["16"][1].startswith("16 ") and goals["10"][0] == 1
    assert facet(result, "sdg_indicators")["16.6.2"][0] == 2
    assert facet(result, "countries")["GHA"] == (1, "Ghana")
    assert facet(result, "population_groups")["youth"][0] == 1


def test_filtering_by_a_facet(catalog):
    assert helpers.call_action("package_search", fq='initiative_type:"social-audit"')["count"] == 2
    assert helpers.call_action("package_search", fq="sdg_goals:10")["count"] == 1
    assert helpers.call_action("package_search", fq="meets_copenhagen_definition:true")["count"] == 2


def test_search_page_shows_the_facets(app, catalog):
    page = app.get("/dataset/").body
    for title in ("Initiative types", "Engaged stages", "SDG goals", "Countries", "Recognition status"):
        assert title in page, title
    assert "Participatory mapping" in page and "Ghana" in page
    filtered = app.get("/dataset/", query_string={"initiative_type": "social-audit"}).body
    assert "2 datasets found" in filtered


def test_search_page_labels_in_the_users_language(app, catalog):
    assert "Auditoría social" in app.get("/es/dataset/").body
    assert "Audit social" in app.get("/fr/dataset/").body


@pytest.mark.ckan_config("ckanext.citizendata.facets", "countries initiative_type")
def test_facets_are_configurable(app, catalog):
    page = app.get("/dataset/").body
    assert "Countries" in page and "Initiative types" in page and "Engaged stages" not in page


def test_concept_aware_suggest(catalog):
    result = helpers.call_action("citizendata_suggest", q="social", lang="en")
    concept = next(c for c in result["concepts"] if c["value"] == "social-audit")
    assert concept == {"field": "initiative_type", "value": "social-audit", "label": "Social audit", "count": 2,
                       "kind": "Initiative type",
                       "url": "/dataset/?initiative_type=social-audit"}
    spanish = helpers.call_action("citizendata_suggest", q="cartograf", lang="es")
    assert [c["label"] for c in spanish["concepts"]] == ["Cartografía participativa"]
    assert helpers.call_action("citizendata_suggest", q="audit")["datasets"][0]["name"].startswith("audit-")
    # concepts that no dataset uses are not suggested
    assert helpers.call_action("citizendata_suggest", q="citizen-science")["concepts"] == []


def test_the_facts_a_record_lacks_are_a_facet_named_by_the_fields_titles(catalog):
    result = helpers.call_action("package_search", **{"facet.field": json.dumps(["needs_classification"])})
    lacking = facet(result, "needs_classification")
    # audit-two and mapping state no population groups; every record states the other classifying facts
    assert lacking == {"population_groups": (2, "Population groups reached")}
    assert helpers.call_action("package_search", fq="needs_classification:population_groups")["count"] == 2


# ---------------------------------------------------------------- the facet list on the page (snippets/facet_list.html)


def facet_links(body, field):
    from bs4 import BeautifulSoup
    page = BeautifulSoup(body, "html.parser")
    links = []
    for nav in page.select("nav[aria-label]"):
        for a in nav.select("a.citizendata-facet-link"):
            if f"{field}=" in a["href"]:
                links.append(a)
    return page, links


def test_facet_labels_are_shown_whole_and_links_are_named_by_their_visible_text(app, catalog):
    from ckanext.citizendata.vocab import registry
    label = registry.display_labels("sdg", "en")["16.6.2"]
    assert len(label) > 22
    page, links = facet_links(app.get("/dataset/", status=200).get_data(as_text=True), "sdg_indicators")
    by_code = {a.select_one(".item-label bdi").get_text(): a for a in links if a.select_one(".item-label bdi")}
    link = by_code["16.6.2"]
    assert link.select_one(".item-label").get_text() == label           # not cut at 22 characters
    assert not link.has_attr("aria-label") and not link.has_attr("data-bs-title")  # name = visible text
    assert link.select_one(".item-count").get_text() == "2"
    assert "…" not in page.select_one("#search-facets, .filters").get_text()


def test_an_active_facet_says_it_is_selected_and_how_to_remove_it(app, catalog):
    from bs4 import BeautifulSoup
    page = BeautifulSoup(app.get("/dataset/?initiative_type=social-audit", status=200).get_data(as_text=True),
                         "html.parser")
    active = page.select('#search-facets a.citizendata-facet-link[aria-current="true"]')
    assert len(active) == 1 and active[0].select_one(".item-label").get_text() == "Social audit"
    assert "remove this filter" in active[0].select_one(".visually-hidden").get_text()


def test_facet_headings_are_the_facet_titles_of_the_field_table(app, catalog):
    from bs4 import BeautifulSoup
    from ckanext.citizendata.search import facets
    page = BeautifulSoup(app.get("/dataset/", status=200).get_data(as_text=True), "html.parser")
    headings = [h.get_text(strip=True) for h in page.select("#search-facets h2.module-heading")]
    assert facets.title("sdg_indicators") in headings and facets.title("population_groups") in headings
    navs = [nav["aria-label"] for nav in page.select("#search-facets nav[aria-label]")]
    assert f"Filter by: {facets.title('sdg_indicators')}" in navs
