"""web/errors.py: an unexpected exception answers CKAN's own error page (with the site's styles) or, on the API,
CKAN's JSON error shape, with a generic message: the exception's text (here a database-like message) never
reaches the client, and it is logged."""
import logging
import re

import pytest
from werkzeug.exceptions import NotFound

from ckanext.citizendata.web import INSTALLERS, errors

SECRET = 'relation "package" violates: bigint out of range at 10.0.0.5'


def assets(page: str) -> list[str]:
    """The stylesheets and scripts a page links (the test site serves its assets the same way on every page)."""
    return sorted(re.findall(r"<link [^>]*>|<script [^>]*src=[^>]*>", page))


def boom():
    raise RuntimeError(SECRET)


@pytest.fixture
def broken(app, caplog, monkeypatch):
    """Routes that fail as an unknown bug would (added before the app's first request)."""
    app.flask_app.add_url_rule("/citizendata-test/boom", "citizendata_test_boom", boom)
    app.flask_app.add_url_rule("/api/citizendata-test/boom", "citizendata_test_api_boom", boom)
    monkeypatch.setattr(logging.getLogger(errors.__name__), "disabled", False)  # see tests/web/test_links.py
    return app


def test_the_installer_is_listed():
    assert errors.install in INSTALLERS


def test_a_page_answers_ckans_error_page_with_styles_and_no_exception_text(broken, caplog):
    response = broken.get("/citizendata-test/boom", status=500)
    page = response.get_data(as_text=True)
    assert response.content_type.startswith("text/html")
    assert errors.GENERIC in page and SECRET not in page and "RuntimeError" not in page
    assert assets(page) == assets(broken.get("/about", status=200).get_data(as_text=True))  # the site's layout
    assert "<footer" in page
    assert SECRET in caplog.text  # logged, with its traceback


def test_the_api_answers_ckans_error_shape_with_a_generic_message(broken):
    response = broken.get("/api/citizendata-test/boom", status=500)
    assert response.json["success"] is False
    assert response.json["error"] == {"__type": "Internal Server Error", "message": errors.GENERIC}
    assert SECRET not in response.get_data(as_text=True)


def test_http_errors_keep_their_own_answer(app):
    assert app.get("/dataset/no-such-dataset-anywhere", status=404)
    with app.flask_app.test_request_context("/"):
        error = NotFound()
        assert errors.unexpected(error) is error
