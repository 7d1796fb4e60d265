"""CSRF: a state change with only the session cookie needs CKAN's token, on the API too; API tokens and anonymous
API calls need none; CKAN's sign-in form works with its token and is refused without it."""
import pytest
from ckan import model
from ckan.tests import factories

from ckanext.citizendata.testing import CitizenDataset

from .conftest import PASSWORD, page_token, sign_in

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.fixture
def editor_with_dataset():
    user = factories.User(password=PASSWORD)
    org = factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    dataset = CitizenDataset(owner_org=org["id"], title="Before")
    return user, dataset


def _title(dataset):
    model.Session.remove()
    return model.Package.get(dataset["id"]).title


def test_a_cookie_only_api_write_without_the_token_is_refused_even_after_anonymous_calls(csrf_app,
                                                                                         editor_with_dataset):
    user, dataset = editor_with_dataset
    # CKAN alone exempts the API view for everyone once an anonymous POST has reached it
    assert csrf_app.post("/api/3/action/package_search", json={"q": "x"}).status_code == 200
    assert sign_in(csrf_app, user["name"]).status_code == 302
    res = csrf_app.post("/api/3/action/package_patch", data={"id": dataset["id"], "title": "Forged"})
    assert res.status_code == 403
    body = res.get_json()
    assert body["success"] is False
    assert "CSRF token" in body["error"]["message"] and "X-CSRFToken" in body["error"]["message"]
    assert "missing" in body["error"]["message"]
    assert _title(dataset) == "Before"


def test_a_wrong_token_is_refused_too(csrf_app, editor_with_dataset):
    user, dataset = editor_with_dataset
    sign_in(csrf_app, user["name"])
    res = csrf_app.post("/api/3/action/package_patch", data={"id": dataset["id"], "title": "Forged"},
                        headers={"X-CSRFToken": "not-the-token"})
    assert res.status_code == 403
    assert _title(dataset) == "Before"


def test_the_same_write_with_the_pages_token_succeeds(csrf_app, editor_with_dataset):
    """As CKAN's JavaScript client sends it: the header X-CSRFToken from the page's <meta>."""
    user, dataset = editor_with_dataset
    sign_in(csrf_app, user["name"])
    token = page_token(csrf_app, "/dataset/")
    res = csrf_app.post("/api/3/action/package_patch", json={"id": dataset["id"], "title": "After"},
                        headers={"X-CSRFToken": token})
    assert res.status_code == 200, res.get_data(as_text=True)
    assert _title(dataset) == "After"


def test_reads_with_the_cookie_need_no_token(csrf_app, editor_with_dataset):
    """Our JavaScript (suggest.js) only reads, by GET."""
    user, _ = editor_with_dataset
    sign_in(csrf_app, user["name"])
    res = csrf_app.get("/api/3/action/citizendata_suggest", query_string={"q": "Be"})
    assert res.status_code == 200


def test_an_api_token_needs_no_csrf_token(csrf_app, editor_with_dataset):
    user, dataset = editor_with_dataset
    token = factories.APIToken(user=user["name"])["token"]
    res = csrf_app.post("/api/3/action/package_patch", json={"id": dataset["id"], "title": "By token"},
                        headers={"Authorization": token})
    assert res.status_code == 200, res.get_data(as_text=True)
    assert _title(dataset) == "By token"


def test_an_anonymous_api_call_needs_no_token(csrf_app):
    res = csrf_app.post("/api/3/action/package_search", json={"q": "water"})
    assert res.status_code == 200


def test_sign_in_without_the_token_is_refused_and_with_it_succeeds(csrf_app):
    user = factories.User(password=PASSWORD)
    for _ in range(2):  # CKAN alone exempts the sign-in view after the first anonymous POST
        res = csrf_app.post("/user/login", data={"login": user["name"], "password": PASSWORD})
        assert res.status_code == 403
        assert "CSRF token" in res.get_data(as_text=True)
    res = sign_in(csrf_app, user["name"])
    assert res.status_code == 302
    assert csrf_app.get("/dashboard/datasets").status_code == 200


def test_ckans_own_form_posts_carry_the_token(csrf_app):
    """A page form (API token creation) submitted as the browser does, with the hidden field."""
    user = factories.User(password=PASSWORD)
    sign_in(csrf_app, user["name"])
    url = f"/user/{user['name']}/api-tokens"
    res = csrf_app.post(url, data={"name": "forged"}, follow_redirects=False)
    assert res.status_code == 403
    res = csrf_app.post(url, data={"name": "mine", "_csrf_token": page_token(csrf_app, url)},
                        follow_redirects=False)
    assert res.status_code == 200, res.status_code
    model.Session.remove()
    assert [t.name for t in model.Session.query(model.ApiToken).filter_by(user_id=user["id"])] == ["mine"]


@pytest.mark.ckan_config("ckanext.citizendata.security.csrf", "false")
def test_without_the_guard_ckan_lets_the_forged_write_through(csrf_app, editor_with_dataset):
    """The defect the guard mends, shown on CKAN alone (so the refusal above is ours)."""
    user, dataset = editor_with_dataset
    csrf_app.post("/api/3/action/package_search", json={"q": "x"})
    sign_in(csrf_app, user["name"])
    res = csrf_app.post("/api/3/action/package_patch", data={"id": dataset["id"], "title": "Forged"})
    assert res.status_code == 200
    assert _title(dataset) == "Forged"
