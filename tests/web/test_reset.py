"""Password reset answers alike for every address and name (known, unknown, shared by several accounts), with a
real SMTP server: mail goes only to known accounts; a mail that cannot be sent changes nothing in the answer; the
second form answers an unknown id as it answers a wrong key."""
import pytest
from aiosmtpd.controller import Controller
from ckan import model
from ckan.tests import factories

from ckanext.citizendata.testing import free_port
from ckanext.citizendata.web import reset

from .conftest import page_token

pytestmark = pytest.mark.usefixtures("clean_db")

SAME_ANSWER = "A reset link has been emailed to you (unless the account specified does not exist)"


class Inbox:
    def __init__(self):
        self.recipients = []

    async def handle_DATA(self, server, session, envelope):
        self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def inbox(ckan_config, monkeypatch):
    """A real SMTP server on 127.0.0.1 that CKAN mails to."""
    box, port = Inbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{port}")
    monkeypatch.setitem(ckan_config, "smtp.starttls", False)
    monkeypatch.setitem(ckan_config, "smtp.mail_from", "catalog@example.org")
    yield box
    controller.stop()


@pytest.fixture
def no_smtp(ckan_config, monkeypatch):
    """An SMTP address where nothing listens and no sender address (a site whose mail is not set up, as after
    `make run`: CKAN's mailer then fails before connecting)."""
    monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{free_port()}")
    monkeypatch.setitem(ckan_config, "smtp.starttls", False)


def _ask(app, user_field):
    """POST the first reset form; (status, location, the message shown on the page it leads to)."""
    res = app.post("/user/reset", data={"user": user_field, "_csrf_token": page_token(app, "/user/reset")},
                   follow_redirects=False)
    landing = app.get(res.headers["Location"]).get_data(as_text=True)
    shown = [text for text in (SAME_ANSWER, "Error sending the email") if text in landing]
    return res.status_code, res.headers["Location"], tuple(shown)


def _accounts():
    factories.User(name="alice", email="alice@example.org")
    factories.User(name="bob1", email="shared@example.org")
    factories.User(name="bob2", email="bob2@example.org")
    bob2 = model.User.get("bob2")  # one active account per email: the other holder is deleted
    bob2.email, bob2.state = "shared@example.org", "deleted"
    model.Session.commit()


ASKED = {"alice@example.org": ["alice@example.org"], "alice": ["alice@example.org"],
         "shared@example.org": ["shared@example.org"],  # the active account only (CKAN's user_list)
         "nobody@example.org": [], "nobody": []}


def test_every_address_and_name_gets_the_same_answer_and_only_accounts_get_mail(csrf_app, inbox):
    _accounts()
    answers = set()
    for asked, mailed in ASKED.items():
        before = len(inbox.recipients)
        status, location, shown = _ask(csrf_app, asked)
        answers.add((status, location, shown))
        assert inbox.recipients[before:] == mailed, asked
    assert answers == {(302, "http://test.ckan.net/", (SAME_ANSWER,))}


def test_without_a_working_mail_server_the_answer_is_still_the_same(csrf_app, no_smtp):
    """CKAN alone answers a known account with a 500 here (no smtp.mail_from) or "Error sending the email" (no
    server), an unknown one with the usual message."""
    _accounts()
    answers = {_ask(csrf_app, asked) for asked in ASKED}
    assert answers == {(302, "http://test.ckan.net/", (SAME_ANSWER,))}


def test_without_a_reachable_server_the_answer_is_still_the_same(csrf_app, no_smtp, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "smtp.mail_from", "catalog@example.org")
    _accounts()
    answers = {_ask(csrf_app, asked) for asked in ASKED}
    assert answers == {(302, "http://test.ckan.net/", (SAME_ANSWER,))}


def test_an_unknown_id_on_the_second_form_is_answered_as_a_wrong_key(csrf_app):
    user = factories.User()
    known = csrf_app.get(f"/user/reset/{user['id']}?key=wrong")
    unknown = csrf_app.get("/user/reset/no-such-user?key=wrong")
    assert known.status_code == unknown.status_code == 403
    for res in (known, unknown):
        assert "Invalid reset key. Please try again." in res.get_data(as_text=True)
    token = page_token(csrf_app, "/user/reset")
    for url in (f"/user/reset/{user['name']}?key=wrong", "/user/reset/nobody?key=wrong"):
        res = csrf_app.post(url, data={"password1": "x" * 12, "password2": "x" * 12, "_csrf_token": token})
        assert res.status_code == 403
        assert "Invalid reset key" in res.get_data(as_text=True)


def test_other_topics_are_left_to_ckan():
    assert reset.notify_about_topic(False, "user_invited", {"user": object()}) is False
    assert reset.notify_about_topic(True, "request_password_reset", {"user": object()}) is True
