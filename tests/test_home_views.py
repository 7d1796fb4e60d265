"""home_views.py (and the chrome it shares with every page): the home page's sections and counts as each user may
see them (a private record of organization A counted for A's editor only), in English and Spanish; the header's
navigation; /about; the citizen-data facts of search results."""
import pytest
from bs4 import BeautifulSoup
from ckan import model
from ckan.lib.search import SearchError
from ckan.tests import factories, helpers

from ckanext.citizendata.logic import home
from ckanext.citizendata.testing import CitizenDataset

pytestmark = pytest.mark.usefixtures("clean_db")


def page(response):
    return BeautifulSoup(response.body, "html.parser")


@pytest.fixture
def site():
    """Organization A: a public and a private dataset and an initiative; organization B: a public dataset."""
    a_editor, b_editor = factories.UserWithToken(), factories.UserWithToken()
    org_a = factories.Organization(name="org-a", users=[{"name": a_editor["name"], "capacity": "editor"}])
    org_b = factories.Organization(name="org-b", users=[{"name": b_editor["name"], "capacity": "editor"}])
    CitizenDataset(name="a-public", title="A public", owner_org=org_a["id"], sdg_indicators=["16.6.2"],
                   countries=["GHA"])
    CitizenDataset(name="a-private", title="A private", owner_org=org_a["id"], private=True,
                   sdg_indicators=["16.7.2"], countries=["IRQ"], initiative_type="citizen-science",
                   engagement=[{"stage": "identify-needs", "level": 2, "actors": ["community"]}])
    CitizenDataset(name="b-public", title="B public", owner_org=org_b["id"], sdg_indicators=["5.2.2"],
                   countries=["KEN", "GHA"], initiative_type="social-audit",
                   engagement=[{"stage": "collect", "level": 5, "actors": ["community"]}])
    helpers.call_action("package_create", context={"user": a_editor["name"]}, type="dataset_series",
                        name="the-initiative", title="The newest initiative", notes="What it does.",
                        owner_org=org_a["id"], initiative_type="community-survey",
                        engagement=[{"stage": "design", "level": 4}], countries=["GHA"])
    return {"anonymous": {}, "a_editor": {"Authorization": a_editor["token"]},
            "b_editor": {"Authorization": b_editor["token"]}}


def counts(html, entry):
    section = html.select_one(f'section[data-entry="{entry}"]')
    return {li["data-notation"]: int(li.select_one(".citizendata-home-count")["data-count"])
            for li in section.select("li[data-notation]")}


def totals(html):
    return [dd.get_text(strip=True) for dd in html.select(".citizendata-home-totals dd")]


# ---------------------------------------------------------------- sections and counts
@pytest.mark.parametrize("prefix", ["", "/es"])
def test_the_home_page_has_its_sections_and_counts(app, site, prefix):
    html = page(app.get(f"{prefix}/", status=200))
    assert html.select_one("html")["lang"] == (prefix.strip("/") or "en")
    for heading in ("citizendata-home-title", "citizendata-home-goals-title", "citizendata-home-stages-title",
                    "citizendata-home-types-title", "citizendata-home-countries-title",
                    "citizendata-home-latest-title", "citizendata-home-machines-title"):
        assert html.select_one(f"#{heading}"), heading
    goals = counts(html, "goals")
    assert list(goals) == [str(n) for n in range(1, 18)]
    assert (goals["16"], goals["5"], goals["1"]) == (1, 1, 0)
    assert list(counts(html, "stages")) == ["identify-needs", "design", "collect", "process", "analyse",
                                            "disseminate", "use"]
    assert counts(html, "stages")["design"] == 2 and counts(html, "stages")["identify-needs"] == 0
    assert counts(html, "initiative_types")["social-audit"] == 1
    assert counts(html, "countries") == {"GHA": 3, "KEN": 1}
    assert totals(html) == ["3", "1", "2"]     # records the search page lists (initiatives too), initiatives, countries
    link = html.select_one('section[data-entry="goals"] li[data-notation="16"] a')["href"]
    assert link == f"{prefix}/dataset/?sdg_goals=16"
    assert [li["data-name"] for li in html.select(".citizendata-home-initiatives li")] == ["the-initiative"]


def test_each_count_is_what_its_link_shows(app, site):
    html = page(app.get("/"))
    for entry in ("goals", "countries", "initiative_types"):
        for li in html.select(f'section[data-entry="{entry}"] li[data-notation]'):
            shown = int(li.select_one(".citizendata-home-count")["data-count"])
            if shown:
                found = page(app.get(li.a["href"])).select("li.dataset-item")
                assert len(found) == shown, li.a["href"]


@pytest.mark.parametrize("who, records, goal_16, iraq, citizen_science", [
    ("anonymous", 3, 1, None, 0),
    ("b_editor", 3, 1, None, 0),
    ("a_editor", 4, 2, 1, 1),
])
def test_a_private_record_is_counted_only_for_those_who_may_see_it(app, site, who, records, goal_16, iraq,
                                                                   citizen_science):
    html = page(app.get("/", headers=site[who]))
    assert totals(html)[0] == str(records)
    assert counts(html, "goals")["16"] == goal_16
    assert counts(html, "countries").get("IRQ") == iraq
    assert counts(html, "initiative_types")["citizen-science"] == citizen_science
    assert ("A private" in html.get_text()) is False         # counted, never named on the home page


@pytest.mark.ckan_config("ckan.search.show_all_types", "false")
def test_when_the_search_page_lists_datasets_only_so_do_the_counts(app, site):
    html = page(app.get("/"))
    assert totals(html)[:2] == ["2", "1"] and counts(html, "countries")["GHA"] == 2
    assert len(page(app.get("/dataset/?countries=GHA")).select("li.dataset-item")) == 2


def test_the_countries_with_most_records_are_listed_and_a_link_leads_to_all(app, site, monkeypatch):
    monkeypatch.setattr(home, "COUNTRIES_SHOWN", 1)
    html = page(app.get("/"))
    assert counts(html, "countries") == {"GHA": 3}
    link = html.select_one(".citizendata-home-all-countries a")
    assert link.get_text() == "All 2 countries in the search filters" and link["href"] == "/dataset/?_countries_limit=0"
    facet = page(app.get(link["href"])).get_text()
    assert "Kenya" in facet and "Ghana" in facet


def test_a_search_backend_that_fails_leaves_the_page_with_its_text_and_links(app, site, monkeypatch):
    def failing(context):
        raise SearchError("down")
    monkeypatch.setattr(home, "figures", failing)
    html = page(app.get("/", status=200))
    assert html.select_one("#citizendata-home-title") and html.select_one("#citizendata-home-machines")
    assert html.select_one('section[data-entry="goals"]') is None


def test_the_home_page_links_the_ways_in(app, site):
    hrefs = {a["href"] for a in page(app.get("/")).select("a[href]")}
    assert {"/vocabulary/", "/sdg/", "/quality/", "/quality/methodology", "/catalog.ttl", "/catalog.jsonld",
            "/sdmx/rest/v2/structure/codelist/CITIZENDATA", "/dataset_series/"} <= hrefs
    for href in ("/catalog.ttl", "/catalog.jsonld", "/sdmx/rest/v2/structure/codelist/CITIZENDATA", "/vocabulary/",
                 "/ns", "/quality/"):
        app.get(href, status=200)


# ---------------------------------------------------------------- navigation and about
def test_the_header_names_the_sections_and_marks_the_current_one(app, site):
    nav = page(app.get("/dataset/")).select(".masthead .navbar-nav li a")
    assert [a.get_text(strip=True) for a in nav] == ["Datasets", "Initiatives", "Vocabularies", "SDG dashboard",
                                                     "Quality", "About"]
    assert [a["href"] for a in nav] == ["/dataset/", "/dataset_series/", "/vocabulary/", "/sdg/", "/quality/",
                                        "/about"]
    assert [a.get_text(strip=True) for a in nav if a.get("aria-current") == "page"] == ["Datasets"]
    es = page(app.get("/es/vocabulary/")).select(".masthead .navbar-nav li a")
    assert es[2]["href"] == "/es/vocabulary/" and es[2].get("aria-current") == "page"
    assert page(app.get("/dataset_series/")).select_one('a[aria-current="page"]')["href"] == "/dataset_series/"


def test_about_says_what_the_catalog_is_for_whom_its_standards_licences_and_translations(app):
    html = page(app.get("/about", status=200))
    for section in ("about-what", "about-who", "about-standards", "about-licences", "about-languages"):
        assert html.select_one(f"section#{section}"), section
    text = html.get_text()
    assert "Copenhagen Framework" in text and "native speakers" in text and "CKAN is the world" not in text


# ---------------------------------------------------------------- search results
def item(html, title):
    [found] = [li for li in html.select("li.dataset-item") if title in li.select_one(".dataset-heading").get_text()]
    return found


def test_search_results_show_kind_definition_cue_countries_and_indicators(app, site):
    html = page(app.get("/dataset/"))
    b = item(html, "B public")
    assert b.select_one("[data-kind]")["data-kind"] == "dataset"
    assert b.select_one(".citizendata-cue")["data-meets"] == "true"
    assert [s.get_text() for s in b.select("[data-country]")] == ["Kenya", "Ghana"]
    [chip] = b.select("a.citizendata-sdg-chip")
    assert chip.bdi.get_text() == "5.2.2" and chip["href"] == "/dataset/?sdg_indicators=5.2.2"
    assert chip["title"].startswith("5.2.2 Proportion of women and girls aged 15 years") and chip["aria-label"] == chip["title"]
    private = item(page(app.get("/dataset/", headers=site["a_editor"])), "A private")
    assert private.select_one(".citizendata-cue")["data-meets"] == "false"
    assert [s.get_text() for s in private.select("[data-country]")] == ["Iraq"]
    initiative = item(page(app.get("/dataset_series/")), "The newest initiative")
    assert initiative.select_one("[data-kind]")["data-kind"] == "initiative"


def test_the_site_styles_are_in_the_head_and_served(app):
    html = page(app.get("/about"))
    [link] = [link["href"] for link in html.head.select('link[rel="stylesheet"]') if "_site.css" in link["href"]]
    css = app.get(link, status=200).body
    assert ".citizendata-cue-meets" in css and "margin-left" not in css and "padding-right" not in css


def test_a_user_without_an_email_address_is_asked_for_one_as_on_ckans_home_page(app):
    user = factories.UserWithToken()
    account = model.User.get(user["id"])
    account.email = None
    model.Session.commit()
    html = page(app.get("/", headers={"Authorization": user["token"]}, status=200))
    notice = html.select_one(".flash-messages").get_text()
    assert "update your profile" in notice and "Citizen Data Catalog (tests) uses your email address" in notice
    assert "update your profile" not in page(app.get("/")).get_text()
