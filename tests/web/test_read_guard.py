"""web/read_guard.py: a URL holding a NUL or a lone surrogate answers 400 naming the parameter (JSON on the API,
CKAN's error page elsewhere) wherever it would have reached the database; unknown DCAT formats answer 404; a search
query error under a page that does not catch it answers 400 in the API's words. Each case answered 500 before."""
import html

import pytest

from ckanext.citizendata import web
from ckanext.citizendata.testing import CitizenDataset
from ckanext.citizendata.web import read_guard

pytestmark = pytest.mark.usefixtures("clean_db")


def test_the_guard_is_installed_by_the_plugin():
    assert read_guard.install in web.INSTALLERS


@pytest.mark.parametrize("url, name, position", [
    ("/api/3/action/package_search?q=a%00b", "q", 2),
    ("/api/3/action/package_search?fq=tags:a%00", "fq", 7),
    ("/api/3/action/package_search?facet.field=%5B%22a%00%22%5D", "facet.field", 4),
    ("/api/3/action/package_search?sort=name%00%20asc", "sort", 5),
    ("/api/3/action/citizendata_suggest?q=wa%00", "q", 3),
    ("/api/3/action/citizendata_concept_search?q=%00", "q", 1),
    ("/api/3/action/citizendata_vocabulary_show?id=sd%00g", "id", 3),
])
def test_a_nul_in_an_api_parameter_is_a_json_400_naming_it(app, url, name, position):
    response = app.get(url, status=400)
    assert response.json == {"success": False, "error": {
        "__type": "Bad Request",
        "message": f"Parameter {name!r}: a NUL character (U+0000) at position {position}, "
                   "which no parameter can hold"}}


@pytest.mark.parametrize("url, expected", [
    ("/vocabulary/a%00b", "The path holds a NUL character (U+0000) at position 14"),
    ("/vocabulary/a%00b.ttl", "The path holds a NUL character (U+0000) at position 14"),
    ("/dataset/a%00b", "The path holds a NUL character (U+0000) at position 11"),
    ("/dataset/a%00b.ttl", "The path holds a NUL character (U+0000) at position 11"),
    ("/dataset/?q=water%00", "Parameter 'q': a NUL character (U+0000) at position 6"),
    ("/catalog.ttl?q=a%00", "Parameter 'q': a NUL character (U+0000) at position 2"),
    ("/catalog.ttl?a%00=1", "Parameter 'a?': a NUL character (U+0000) at position 2"),
])
def test_a_nul_in_a_page_url_is_the_error_page_with_400(app, url, expected):
    response = app.get(url, status=400)
    assert response.headers["Content-Type"].startswith("text/html")
    assert expected in html.unescape(response.get_data(as_text=True))


def test_a_url_that_is_not_utf_8_is_read_with_replacement_characters_not_refused(app):
    """%ED%B2%80 (a surrogate encoded as UTF-8) is not UTF-8; werkzeug reads it as U+FFFD, which is text."""
    assert app.get("/api/3/action/package_search?q=%ED%B2%80", status=200).json["result"]["count"] == 0


@pytest.mark.parametrize("path", ["/catalog.exe", "/catalog.ttl.exe", "/dataset/{name}.exe",
                                  "/dataset/{name}.html5"])
def test_a_format_no_serializer_writes_is_404(app, path):
    name = CitizenDataset()["name"]
    response = app.get(path.format(name=name), status=404)
    assert "Unknown format" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/catalog.ttl", "/catalog.nt", "/dataset/{name}.ttl", "/dataset/{name}.jsonld"])
def test_known_formats_still_serve(app, path):
    name = CitizenDataset()["name"]
    app.get(path.format(name=name), status=200)


def test_the_sdmx_endpoint_answers_its_own_error_message_for_a_nul(app):
    response = app.get("/sdmx/rest/v2/structure/codelist/a%00", status=400)
    assert "mes:Error" in response.get_data(as_text=True)
    assert "is not a valid agency" in response.get_data(as_text=True)
