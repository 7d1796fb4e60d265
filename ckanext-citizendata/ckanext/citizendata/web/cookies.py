"""The session and remember-me cookies: ``Secure`` when the site is served over HTTPS, never ``SameSite=None``
without ``Secure``.

CKAN has the settings (``SESSION_COOKIE_SECURE``, ``REMEMBER_COOKIE_SECURE``, ``*_SAMESITE``) but defaults the
remember-me cookie to ``SameSite=None`` without ``Secure`` (which browsers reject or treat as cross-site) and
marks neither cookie ``Secure`` unless told. At start-up the app's settings are hardened from ``ckan.site_url``
(config.cookie_settings); on a request that arrived over HTTPS (``request.is_secure``: the WSGI scheme, or the
proxy's ``X-Forwarded-Proto`` when the operator wraps the app in werkzeug's ProxyFix) every cookie the
response sets is marked ``Secure`` even when the site URL says http.

Example::

    ckan.site_url = https://data.example.org  -> Set-Cookie: ckan=...; Secure; HttpOnly; Path=/; SameSite=Lax
"""
from __future__ import annotations

from typing import Any

from flask import request

from ckanext.citizendata import config


def install(app: Any) -> None:
    config.set_flask_options(app, config.cookie_settings())
    app.after_request(secure_on_https)


def attribute_names(set_cookie: str) -> set[str]:
    """The attribute names of a Set-Cookie value, lower case, e.g. ``{"path", "httponly"}``."""
    return {part.split("=", 1)[0].strip().lower() for part in set_cookie.split(";")[1:]}


def secure_on_https(response: Any) -> Any:
    """after_request: on an HTTPS request, add ``Secure`` to every cookie the response sets without it."""
    if not request.is_secure:
        return response
    cookies = response.headers.getlist("Set-Cookie")
    if all("secure" in attribute_names(cookie) for cookie in cookies):
        return response
    response.headers.remove("Set-Cookie")
    for cookie in cookies:
        response.headers.add("Set-Cookie", cookie if "secure" in attribute_names(cookie) else cookie + "; Secure")
    return response
