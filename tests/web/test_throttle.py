"""Sign-in throttling in Redis: after N failures an account (or an address) is refused for the window even with
the right password, with a 429 and a message saying why and for how long; a success clears the account's count."""
import pytest
from ckan.lib import redis as ckan_redis
from ckan.tests import factories

from ckanext.citizendata.web import throttle

from .conftest import PASSWORD, sign_in

pytestmark = [
    pytest.mark.usefixtures("clean_db", "clean_redis"),
    pytest.mark.ckan_config("ckanext.citizendata.security.login_attempts", "3"),
    pytest.mark.ckan_config("ckanext.citizendata.security.login_attempts_per_address", "5"),
    pytest.mark.ckan_config("ckanext.citizendata.security.login_window", "600"),
]


def _from(address):
    return {"environ_base": {"REMOTE_ADDR": address}}


def _fail(app, login, times, address="10.0.0.1"):
    for _ in range(times):
        res = sign_in(app, login, "wrong-password", **_from(address))
        assert res.status_code == 200  # CKAN's page with "Login failed"
        assert "Login failed" in res.get_data(as_text=True)


def test_after_the_limit_the_right_password_is_refused_for_the_account(csrf_app):
    user = factories.User(password=PASSWORD)
    _fail(csrf_app, user["name"], 3)
    res = sign_in(csrf_app, user["name"], **_from("10.0.0.2"))  # another address: the account is what counts
    assert res.status_code == 429
    text = res.get_data(as_text=True)
    assert "Too many failed sign-ins for this account (3 within 10 minute(s))" in text
    assert "refused for 10 more minute(s)" in text
    assert 0 < int(res.headers["Retry-After"]) <= 600
    assert csrf_app.get("/dashboard/datasets", follow_redirects=False).status_code != 200  # not signed in


def test_name_and_email_share_one_count(csrf_app):
    user = factories.User(password=PASSWORD, email="shared@example.org")
    _fail(csrf_app, user["name"], 2)
    _fail(csrf_app, "Shared@Example.org", 1)
    assert sign_in(csrf_app, user["name"], **_from("10.0.0.9")).status_code == 429


def test_below_the_limit_a_success_clears_the_accounts_count(csrf_app):
    user = factories.User(password=PASSWORD)
    _fail(csrf_app, user["name"], 2)
    assert sign_in(csrf_app, user["name"], **_from("10.0.0.3")).status_code == 302
    csrf_app.get("/user/_logout")
    _fail(csrf_app, user["name"], 2, address="10.0.0.4")
    assert sign_in(csrf_app, user["name"], **_from("10.0.0.5")).status_code == 302  # 2 of 3, not 4


def test_an_address_is_refused_after_its_limit_whatever_the_account(csrf_app):
    users = [factories.User(password=PASSWORD) for _ in range(3)]
    _fail(csrf_app, users[0]["name"], 2, address="10.0.0.7")
    _fail(csrf_app, users[1]["name"], 2, address="10.0.0.7")
    _fail(csrf_app, "nobody-at-all", 1, address="10.0.0.7")
    res = sign_in(csrf_app, users[2]["name"], **_from("10.0.0.7"))
    assert res.status_code == 429
    assert "Too many failed sign-ins from your address" in res.get_data(as_text=True)
    assert sign_in(csrf_app, users[2]["name"], **_from("10.0.0.8")).status_code == 302  # elsewhere: fine


def test_the_counts_expire_with_the_window(csrf_app):
    user = factories.User(password=PASSWORD)
    _fail(csrf_app, user["name"], 3)
    redis = ckan_redis.connect_to_redis()
    keys = redis.keys("*:citizendata:login:*")
    assert len(keys) == 2  # the account and the address; no name or address in clear
    assert all(user["name"].encode() not in key and b"10.0.0.1" not in key for key in keys)
    assert all(0 < redis.ttl(key) <= 600 for key in keys)
    for key in keys:
        redis.expire(key, 0)  # the window has passed
    assert sign_in(csrf_app, user["name"], **_from("10.0.0.1")).status_code == 302


def test_zero_means_no_limit(csrf_app, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.citizendata.security.login_attempts", "0")
    monkeypatch.setitem(ckan_config, "ckanext.citizendata.security.login_attempts_per_address", "0")
    user = factories.User(password=PASSWORD)
    _fail(csrf_app, user["name"], 4)
    assert sign_in(csrf_app, user["name"]).status_code == 302


def test_a_get_of_the_sign_in_page_is_never_refused(csrf_app):
    user = factories.User(password=PASSWORD)
    _fail(csrf_app, user["name"], 3)
    assert csrf_app.get("/user/login").status_code == 200


def test_without_redis_sign_in_still_works(csrf_app, ckan_config, monkeypatch):
    user = factories.User(password=PASSWORD)
    monkeypatch.setitem(ckan_config, "ckan.redis.url", "redis://127.0.0.1:1/0")  # nothing listens there
    monkeypatch.setattr(ckan_redis, "_connection_pool", None, raising=False)
    _fail(csrf_app, user["name"], 4)
    assert sign_in(csrf_app, user["name"]).status_code == 302


def test_keys_do_not_show_the_login():
    assert "alice" not in throttle._key("account", "alice")
    assert throttle._key("account", "alice") != throttle._key("address", "alice")
