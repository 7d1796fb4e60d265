"""Sign-in throttling per account and per client address, counted in CKAN's Redis.

Each failed sign-in (CKAN's ``failed_login`` signal, sent by its default authenticator) counts against the
account it named (the user's id when the name or email is known, else the name given, so name and email share
one count) and against the client address (``request.remote_addr``: behind a reverse proxy, wrap the app in
werkzeug's ProxyFix so that it is the client's). A count lasts ``login_window`` seconds from its last failure.
When an account has ``login_attempts`` failures, or an address ``login_attempts_per_address``, the next
``POST /user/login`` for it is answered 429 with the sign-in page and a message saying for how long, before the
password is looked at, so the right password does not get through either. A successful sign-in (Flask-Login's
``user_logged_in``) clears its account's count, not its address's.

The seam is a before_request hook on CKAN's ``user.login`` view rather than ``IAuthenticator.authenticate``: that
hook can only answer "a user" (signed in) or "none" (CKAN's own check runs next), not "refused, say why".

If Redis cannot be reached the throttle lets sign-ins through and logs a warning (the site stays usable).

Example::

    5 wrong passwords for "alice" within 15 minutes, then the right one
        -> 429 "Too many failed sign-ins for this account: ... try again in 15 minutes"
"""
from __future__ import annotations

import hashlib
import logging
import math
from typing import Any, Optional

from ckan import model
from ckan.lib import redis as ckan_redis
from ckan.lib import signals
from ckan.plugins import toolkit
from flask import make_response, request
from redis.exceptions import RedisError

from ckanext.citizendata import config
from ckanext.citizendata.text import unreadable

log = logging.getLogger(__name__)

MESSAGE = ("Too many failed sign-ins {whom} ({limit} within {window}): sign-in {whom} is refused for "
           "{minutes} more minute(s), whatever the password. Try again later, or reset the password.")
WHOM = {"account": "for this account", "address": "from your address"}


def install(app: Any) -> None:
    app.before_request(refuse_when_throttled)
    signals.failed_login.connect(count_failure)
    signals.user_logged_in.connect(clear_account)


# ---------------------------------------------------------------- keys
def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{config.site_id()}:citizendata:login:{kind}:{digest}"


def account_key(login: str) -> str:
    """The Redis key counting failures for the account a sign-in names (by name or email)."""
    name = (login or "").strip()
    user = None
    if name and not unreadable(name):  # no database lookup of what PostgreSQL cannot read
        user = model.User.by_name(name) or model.User.by_email(name)
    return _key("account", user.id if user else name.lower())


def address_key() -> str:
    return _key("address", request.remote_addr or "")


# ---------------------------------------------------------------- counting
def count_failure(login: Any, **_: Any) -> None:
    """failed_login receiver: one more failure for the account and for the address."""
    limits = config.login_limits()
    try:
        pipe = ckan_redis.connect_to_redis().pipeline()
        for key in (account_key(str(login)), address_key()):
            pipe.incr(key)
            pipe.expire(key, limits["window"])
        pipe.execute()
    except RedisError:
        log.warning("Sign-in throttle: Redis unreachable, failure not counted", exc_info=True)


def clear_account(_sender: Any, user: Any = None, **_: Any) -> None:
    """user_logged_in receiver: a successful sign-in clears its account's count."""
    if user is None or not getattr(user, "id", None):
        return
    try:
        ckan_redis.connect_to_redis().delete(_key("account", user.id))
    except RedisError:
        log.warning("Sign-in throttle: Redis unreachable, count not cleared", exc_info=True)


def blocked() -> Optional[tuple[str, int]]:
    """("account" or "address", seconds left) when this sign-in must be refused, else None."""
    limits = config.login_limits()
    keys = {"account": account_key(request.form.get("login", "")), "address": address_key()}
    redis = ckan_redis.connect_to_redis()
    counts = dict(zip(keys, redis.mget(list(keys.values()))))
    for kind, key in keys.items():
        if limits[kind] and int(counts[kind] or 0) >= limits[kind]:
            return kind, max(redis.ttl(key), 1)
    return None


def refuse_when_throttled() -> Optional[Any]:
    """before_request: answer a throttled sign-in with 429 and the sign-in page."""
    if request.endpoint != "user.login" or request.method != "POST":
        return None
    try:
        found = blocked()
    except RedisError:
        log.warning("Sign-in throttle: Redis unreachable, sign-in not checked", exc_info=True)
        return None
    if found is None:
        return None
    kind, seconds = found
    limits = config.login_limits()
    toolkit.h.flash_error(MESSAGE.format(whom=WHOM[kind], limit=limits[kind], window=_minutes(limits["window"]),
                                         minutes=math.ceil(seconds / 60)))
    response = make_response(toolkit.render("user/login.html", {}), 429)
    response.headers["Retry-After"] = str(seconds)
    return response


def _minutes(seconds: int) -> str:
    return f"{math.ceil(seconds / 60)} minute(s)" if seconds >= 60 else f"{seconds} second(s)"
