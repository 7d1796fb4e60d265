"""Security headers on every kind of response: pages, API, DCAT, static files, errors; configurable, and a
header a response brings itself is kept."""
import pytest
from flask import Response

from ckanext.citizendata.web import security

pytestmark = pytest.mark.usefixtures("clean_db")

EXPECTED = {
    "X-Frame-Options": "SAMEORIGIN",
    "Content-Security-Policy": "frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
PATHS = [
    "/dataset/",                                              # a page
    "/api/3/action/package_search?q=water",                   # the API
    "/api/3/action/package_show?id=no-such-dataset",          # an API error (404)
    "/catalog.ttl",                                           # DCAT
    "/vocabulary/",                                           # our pages
    "/base/images/ckan-logo-footer.png",                      # a static file
    "/no/such/page",                                          # CKAN's 404 page
]


@pytest.mark.parametrize("path", PATHS)
def test_every_kind_of_response_has_the_headers(app, path):
    res = app.get(path)
    assert res.status_code in (200, 404), (path, res.status_code)
    for name, value in EXPECTED.items():
        assert res.headers.get(name) == value, (path, name, res.headers.get(name))


def test_a_post_and_a_refusal_have_them_too(app):
    res = app.post("/api/3/action/package_create", json={"name": "x"})
    assert res.status_code == 403
    assert res.headers["X-Frame-Options"] == "SAMEORIGIN"


@pytest.mark.ckan_config("ckanext.citizendata.security.frame_options", "DENY")
@pytest.mark.ckan_config("ckanext.citizendata.security.frame_ancestors", "'none'")
@pytest.mark.ckan_config("ckanext.citizendata.security.referrer_policy", "")
def test_the_headers_follow_the_options_and_an_empty_option_sends_none(app):
    res = app.get("/dataset/")
    assert res.headers["X-Frame-Options"] == "DENY"
    assert res.headers["Content-Security-Policy"] == "frame-ancestors 'none'"
    assert "Referrer-Policy" not in res.headers
    assert res.headers["X-Content-Type-Options"] == "nosniff"


def test_a_header_the_response_set_itself_is_kept():
    class App:
        def after_request(self, hook):
            self.hook = hook

    fake = App()
    security.install(fake)
    response = fake.hook(Response("x", headers={"Content-Security-Policy": "default-src 'self'"}))
    assert response.headers["Content-Security-Policy"] == "default-src 'self'"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_pages_still_load_their_scripts_and_styles(app):
    """frame-ancestors restricts who frames the site, nothing the page loads: no script-src or style-src."""
    res = app.get("/dataset/")
    assert "script-src" not in res.headers["Content-Security-Policy"]
    html = res.get_data(as_text=True)
    assert "<script" in html and "webassets" in html
