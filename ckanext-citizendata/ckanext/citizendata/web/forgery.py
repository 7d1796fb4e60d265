"""Cross-site request forgery: CKAN's CSRF token on every state-changing request that a browser could be tricked
into sending with its session cookie, API calls included.

CKAN 2.12 protects its views with Flask-WTF, but exempts a view *for everyone, for good* the first time an
anonymous or API-token request reaches it (``csrf.exempt`` in ``ckan_before_request``): after one anonymous
``POST /api/3/action/...`` or one sign-in attempt, a cross-origin form with only the victim's session cookie
passes. Here Flask-WTF's default check is turned off for this app and made again per request:

- a user identified by the session cookie needs the token on every POST, PUT, PATCH and DELETE (pages and API);
- an anonymous request needs it on pages (the sign-in, registration and reset forms), not on the API (an
  anonymous API call carries no authority a forger could borrow);
- a request authenticated by an API token (the ``Authorization`` header, which no other site can make a browser
  send) needs none.

The token is the one CKAN's pages carry: the form field ``_csrf_token`` (``h.csrf_input()``) or the header
``X-CSRFToken`` (CKAN's JavaScript client sends it from the page's ``<meta>``). Our own JavaScript only reads
(``citizendata_suggest`` by GET). A refusal is a 403 that says what is missing: CKAN's API error body on the API,
CKAN's error page elsewhere.

Example::

    POST /api/3/action/package_patch  Cookie: ckan=...  (no token)   -> 403 {"success": false, "error": ...}
    the same with X-CSRFToken: <the page's token>                    -> 200
"""
from __future__ import annotations

from typing import Any, Optional

from ckan.common import current_user
from ckan.plugins import toolkit
from flask import current_app, g, request
from flask_wtf.csrf import CSRFError

from ckanext.citizendata import config

from .errors import api_error, is_api_request

REFUSAL = ("This request changes data and comes with your session cookie only, so it needs the CSRF token of a "
           "page of this site (form field {field} or header X-CSRFToken; API clients use an API token in the "
           "Authorization header instead): {reason}")


def install(app: Any) -> None:
    """Replace Flask-WTF's default check (with CKAN's lasting exemptions) by :func:`protect`."""
    if not config.csrf_everywhere():
        return
    config.set_flask_options(app, {"WTF_CSRF_CHECK_DEFAULT": False})
    app.before_request(protect)


def needs_token() -> bool:
    """Whether this request must carry the CSRF token (before the method is looked at)."""
    if not request.endpoint:
        return False  # no view: the 404 or 405 answers
    if not g.get("login_via_auth_header"):
        return True  # identified by the session cookie
    if current_user.is_authenticated:
        return False  # identified by an API token
    return not is_api_request()  # anonymous: the forms need it, the API does not


def protect() -> Optional[Any]:
    """before_request: check the token where :func:`needs_token` says so; a refusal is a 403."""
    if not needs_token():
        return None
    try:
        current_app.extensions["csrf"].protect()
    except CSRFError as err:
        return refuse(str(err.description))
    return None


def refuse(reason: str) -> Any:
    message = REFUSAL.format(field=g.get("csrf_field_name") or "_csrf_token", reason=reason)
    if is_api_request():
        return api_error(403, "Authorization Error", message)
    return toolkit.abort(403, message)
