"""web/links.py: a record whose page cannot be linked (an old row of a type no dataset form registers) is listed
without its link and logged; every listing that includes it answers 200."""
import logging

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.lib import search
from ckan.tests import factories

from ckanext.citizendata.testing import CitizenDataset
from ckanext.citizendata.web import INSTALLERS, links

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.fixture
def old_row():
    """A dataset stored before types were checked: its type is set with SQL and it is indexed as it is."""
    org = factories.Organization(name="old-org")
    CitizenDataset(name="fine-record", title="A fine record", owner_org=org["id"])
    dataset = CitizenDataset(name="old-row", title="An old row record", owner_org=org["id"])
    with model.meta.engine.begin() as conn:
        conn.execute(sa.text("UPDATE package SET type = 'anything' WHERE id = :id"), {"id": dataset["id"]})
    model.Session.expire_all()
    search.rebuild(dataset["id"])
    return dataset


@pytest.fixture
def link_log(caplog, monkeypatch):
    """The module's log (CKAN's logging.config.fileConfig disables loggers that exist before it runs, as
    modules imported by the test collection do)."""
    monkeypatch.setattr(logging.getLogger(links.__name__), "disabled", False)
    with caplog.at_level(logging.WARNING, logger=links.__name__):
        yield caplog


def test_the_installer_is_listed():
    assert links.install in INSTALLERS


@pytest.mark.parametrize("url", ["/dataset/", "/dataset/?q=record", "/organization/old-org", "/"])
def test_listings_answer_200_and_show_the_record_without_a_link(app, old_row, url, link_log):
    page = app.get(url, status=200).get_data(as_text=True)
    if url != "/":  # the home page lists no datasets
        assert "An old row record" in page and "A fine record" in page
        assert 'href="/dataset/fine-record"' in page
        assert 'href=""' not in page
        assert "anything.read" in link_log.text and "old-row" in link_log.text


def test_an_endpoint_of_a_known_blueprint_still_raises(app):
    with app.flask_app.test_request_context():
        with pytest.raises(Exception, match="dataset.no_such_view"):
            app.flask_app.url_for("dataset.no_such_view")


def test_static_paths_tried_as_endpoints_still_fail_as_before(app):
    """CKAN's url_for tries a static path (``/webassets/base/x.js``) as an endpoint before taking it as a path;
    answering it with an empty link dropped every script and stylesheet from every page."""
    html = app.get("/about").get_data(as_text=True)
    assert "<script" in html and "/webassets/" in html
    with app.flask_app.test_request_context():
        assert links.unlinkable(Exception(), "/webassets/base/x.js", {}) is None
        assert links.unlinkable(Exception(), "anything.read", {}) is None       # no record named: not ours
        assert links.unlinkable(Exception(), "anything.read", {"id": "x"}) == links.UNLINKED
