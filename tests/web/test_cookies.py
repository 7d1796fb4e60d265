"""The session and remember-me cookies: SameSite=Lax rather than None without Secure; Secure when the site URL
is https or the request came over HTTPS."""
import pytest
from ckan.tests import factories

from ckanext.citizendata import config
from ckanext.citizendata.web import cookies

from .conftest import PASSWORD, page_token

pytestmark = pytest.mark.usefixtures("clean_db")


def _signed_in_cookies(app, **kwargs):
    """name -> Set-Cookie value of a sign-in with "remember me"."""
    user = factories.User(password=PASSWORD)
    token = page_token(app)
    res = app.post("/user/login", data={"login": user["name"], "password": PASSWORD, "remember": "1209600000",
                                        "_csrf_token": token}, follow_redirects=False, **kwargs)
    assert res.status_code == 302
    return {value.split("=", 1)[0]: value for value in res.headers.getlist("Set-Cookie")}


def test_over_http_the_cookies_are_lax_and_not_secure(csrf_app):
    found = _signed_in_cookies(csrf_app)
    assert set(found) >= {"ckan", "remember_token"}
    for value in (found["ckan"], found["remember_token"]):
        assert "SameSite=Lax" in value
        assert "SameSite=None" not in value
        assert "secure" not in cookies.attribute_names(value)


@pytest.mark.ckan_config("ckan.site_url", "https://data.example.org")
def test_an_https_site_url_makes_both_cookies_secure(csrf_app):
    found = _signed_in_cookies(csrf_app, base_url="https://data.example.org",
                               headers={"Referer": "https://data.example.org/user/login"})
    for value in (found["ckan"], found["remember_token"]):
        assert "secure" in cookies.attribute_names(value), value


def test_a_request_over_https_gets_secure_cookies_whatever_the_site_url(csrf_app):
    found = _signed_in_cookies(csrf_app, base_url="https://test.ckan.net",
                               headers={"Referer": "https://test.ckan.net/user/login"})
    for value in (found["ckan"], found["remember_token"]):
        assert "secure" in cookies.attribute_names(value), value
        assert value.lower().count("secure") == 1


def test_samesite_none_is_kept_only_with_secure(ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "REMEMBER_COOKIE_SAMESITE", "None")  # CKAN's default
    monkeypatch.setitem(ckan_config, "ckan.site_url", "http://x.org")
    monkeypatch.setitem(ckan_config, "REMEMBER_COOKIE_SECURE", False)
    assert config.cookie_settings()["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    monkeypatch.setitem(ckan_config, "REMEMBER_COOKIE_SECURE", True)
    assert config.cookie_settings()["REMEMBER_COOKIE_SAMESITE"] == "None"


def test_attribute_names():
    assert cookies.attribute_names("a=b=c; Path=/; HttpOnly; SameSite=Lax") == {"path", "httponly", "samesite"}
    assert cookies.attribute_names("secure=1; Path=/") == {"path"}  # a cookie named "secure" is not the flag


def test_mark_secure_leaves_other_headers_and_secure_cookies():
    assert cookies.mark_secure(("Set-Cookie", "a=1; Path=/")) == ("Set-Cookie", "a=1; Path=/; Secure")
    assert cookies.mark_secure(("Set-Cookie", "a=1; Secure")) == ("Set-Cookie", "a=1; Secure")
    assert cookies.mark_secure(("X-Note", "a=1")) == ("X-Note", "a=1")
