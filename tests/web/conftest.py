"""Helpers of the web guards' tests: CKAN's CSRF token as a page carries it, and a sign-in through CKAN's form."""
import re

import pytest

PASSWORD = "Correct-Horse-9-battery"
META = re.compile(r'<meta name="_csrf_token" content="([^"]+)"')


def page_token(app, url="/user/login"):
    """The CSRF token of a page, from its <meta> (where CKAN's JavaScript reads it)."""
    res = app.get(url)
    assert res.status_code == 200, res.status_code
    found = META.search(res.get_data(as_text=True))
    assert found, "the page carries no CSRF token"
    return found.group(1)


def sign_in(app, login, password=PASSWORD, **kwargs):
    """POST CKAN's sign-in form with the page's token; the response (302 on success)."""
    token = page_token(app)
    return app.post("/user/login", data={"login": login, "password": password, "_csrf_token": token},
                    follow_redirects=False, **kwargs)


@pytest.fixture
def csrf_app(ckan_config, monkeypatch, make_app):
    """CKAN's test app with CSRF protection on (tests/test.ini turns it off for the rest of the suite)."""
    monkeypatch.setitem(ckan_config, "WTF_CSRF_ENABLED", True)
    return make_app()
