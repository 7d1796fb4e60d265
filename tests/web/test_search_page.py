"""web/search_page.py: on the search pages a q that does not parse is read as its plain words (200, with a notice,
the search box holding the visitor's text, the filters kept); a bad sort or filter from a crafted address gives the
search page with a plain message (400), never the parser's words; the API keeps refusing with 400 naming q. Each
of the four inputs below answered a bare 400 error page with parser jargon and no search box before."""
import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories

from ckanext.citizendata import web
from ckanext.citizendata.testing import CitizenDataset
from ckanext.citizendata.web import search_page

pytestmark = pytest.mark.usefixtures("clean_db")

UNREADABLE = {'"unclosed': ["unclosed"], "survey -": ["survey"], "16.6.2 OR": ["16.6.2"],
              "(unbalanced": ["unbalanced"]}
JARGON = ("cannot parse", "Illegal character", "Syntax error", "unexpected end", "luqum", "Search Query",
          "Invalid search query", "parenthesis")


@pytest.fixture
def site():
    """A CSO with a public and a private record, and an editor of another organization."""
    owner, stranger = factories.UserWithToken(), factories.UserWithToken()
    cso = factories.Organization(name="cso", users=[{"name": owner["name"], "capacity": "editor"}])
    factories.Organization(name="other", users=[{"name": stranger["name"], "capacity": "editor"}])
    CitizenDataset(name="public-rec", title="Unclosed survey of unbalanced 16.6.2 water points",
                   owner_org=cso["id"])
    CitizenDataset(name="private-rec", title="Unclosed survey kept private (unbalanced 16.6.2)",
                   owner_org=cso["id"], private=True)
    CitizenDataset(name="mapping-rec", title="Unclosed survey by mapping (unbalanced 16.6.2)",
                   owner_org=cso["id"], initiative_type="participatory-mapping")
    auth = {"owner": {"Authorization": owner["token"]}, "stranger": {"Authorization": stranger["token"]},
            "anonymous": {}}
    return {"auth": auth}


def page(response):
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def found(html):
    return sorted(a["href"].rsplit("/", 1)[-1] for a in html.select(".dataset-heading a"))


def test_the_guard_is_installed_by_the_plugin():
    assert search_page.install in web.INSTALLERS


@pytest.mark.parametrize("q, words", UNREADABLE.items())
def test_a_query_that_does_not_parse_shows_results_for_its_words_with_a_notice(app, site, q, words):
    response = app.get("/dataset/", query_string={"q": q}, status=200)
    html = page(response)
    notice = html.select_one(".citizendata-search-notice")
    assert notice is not None and notice["role"] == "status"
    assert "could not be read as a query" in notice.get_text()
    assert notice.select_one(".citizendata-search-words").get_text() == " ".join(words)
    assert notice.select_one(".citizendata-search-words")["dir"] == "auto"
    box = html.select_one('form#dataset-search-form input[name="q"]')
    assert box["value"] == q and box["dir"] == "auto"
    assert found(html) == ["mapping-rec", "public-rec"]
    text = response.get_data(as_text=True)
    assert not [word for word in JARGON if word in text]


@pytest.mark.parametrize("q", list(UNREADABLE))
def test_the_api_keeps_refusing_it_naming_q(app, site, q):
    response = app.get("/api/3/action/package_search", query_string={"q": q}, status=400)
    assert response.json["success"] is False
    assert "q: cannot parse query" in response.json["error"]["message"]


def test_a_query_that_parses_is_searched_as_it_is_without_a_notice(app, site):
    html = page(app.get("/dataset/", query_string={"q": "unclosed AND mapping"}, status=200))
    assert html.select_one(".citizendata-search-notice") is None
    assert found(html) == ["mapping-rec"]


@pytest.mark.parametrize("who, expected", [
    ("anonymous", ["mapping-rec", "public-rec"]),
    ("stranger", ["mapping-rec", "public-rec"]),
    ("owner", ["mapping-rec", "private-rec", "public-rec"]),
])
def test_the_fallback_shows_a_private_record_only_to_who_may_see_it(app, site, who, expected):
    html = page(app.get("/dataset/", query_string={"q": "(unbalanced"}, headers=site["auth"][who], status=200))
    assert found(html) == expected


def test_the_fallback_keeps_the_filters(app, site):
    response = app.get("/dataset/", query_string={"q": '"unclosed', "initiative_type": "participatory-mapping"},
                       status=200)
    html = page(response)
    assert found(html) == ["mapping-rec"]
    assert html.select_one(".citizendata-search-notice") is not None
    pills = html.select(".filter-list .filtered.pill")
    assert pills, "the active filter is shown"
    remove = [a["href"] for a in html.select(".filter-list a.remove")]
    assert any("q=%22unclosed" in href and "initiative_type" not in href for href in remove)


def test_the_organization_page_forgives_too(app, site):
    html = page(app.get("/organization/cso", query_string={"q": "16.6.2 OR"}, status=200))
    assert html.select_one(".citizendata-search-notice") is not None
    assert found(html) == ["mapping-rec", "public-rec"]


def test_a_query_of_nothing_but_syntax_shows_everything_and_says_so(app, site):
    html = page(app.get("/dataset/", query_string={"q": '"('}, status=200))
    assert "holds no words" in html.select_one(".citizendata-search-notice").get_text()
    assert found(html) == ["mapping-rec", "public-rec"]


@pytest.mark.parametrize("params, message", [
    ({"sort": "bad"}, "The sort order in this address cannot be used"),
    ({"sort": "name asc; drop"}, "The sort order in this address cannot be used"),
    ({"tags(": "b"}, "A filter in this address cannot be read"),
    ({"q": "water " * 500}, "Your search is too long or too complex to run"),
])
def test_a_bad_sort_or_filter_gives_the_search_page_with_a_plain_message_and_400(app, site, params, message):
    response = app.get("/dataset/", query_string={**params, "initiative_type": "community-survey"}, status=400)
    html = page(response)
    alert = html.select_one(".citizendata-search-refused")
    assert alert is not None and alert["role"] == "alert"
    assert message in alert.get_text()
    assert html.select_one('form#dataset-search-form input[name="q"]') is not None
    assert html.select(".filter-list .filtered.pill"), "the filters are still shown"
    assert found(html) == []
    text = response.get_data(as_text=True)
    assert not [word for word in JARGON if word in text]


def test_the_api_still_refuses_a_bad_sort(app, site):
    response = app.get("/api/3/action/package_search", query_string={"sort": "bad"}, status=400)
    assert "sort" in response.json["error"]["message"]


def test_a_search_made_by_a_page_for_itself_is_not_read_as_the_visitors(app, site):
    """Only the search the address asks for is forgiven; the page's other searches (helpers) are not changed."""
    with app.flask_app.test_request_context("/dataset/?q=%22unclosed"):
        from flask import g
        g.citizendata_search_page = True
        params = {"q": "(other", "fq": ""}
        assert search_page.before_dataset_search(dict(params), lambda d: d) == params
        forgiven = search_page.before_dataset_search({"q": '"unclosed', "fq": ""}, lambda d: d)
        assert forgiven["q"] == "unclosed" and g.citizendata_search_notice == ["unclosed"]


@pytest.mark.parametrize("lang", ["es", "fr", "ar"])
def test_the_notice_in_other_languages_keeps_the_words_isolated(app, site, lang):
    response = app.get(f"/{lang}/dataset/", query_string={"q": '"unclosed'}, status=200)
    html = page(response)
    words = html.select_one(".citizendata-search-notice .citizendata-search-words")
    assert words.get_text() == "unclosed" and words["dir"] == "auto"
    if lang == "ar":
        assert html.find("html")["dir"] == "rtl"
