"""The session and remember-me cookies: ``Secure`` when the site is served over HTTPS, never ``SameSite=None``
without ``Secure``.

CKAN has the settings (``SESSION_COOKIE_SECURE``, ``REMEMBER_COOKIE_SECURE``, ``*_SAMESITE``) but defaults the
remember-me cookie to ``SameSite=None`` without ``Secure`` (which browsers reject or treat as cross-site) and
marks neither cookie ``Secure`` unless told. At start-up the app's settings are hardened from ``ckan.site_url``
(config.cookie_settings); on a request that arrived over HTTPS (the WSGI scheme, or the
proxy's ``X-Forwarded-Proto`` when the operator wraps the app in werkzeug's ProxyFix outside ours) every
cookie the response sets is marked ``Secure`` even when the site URL says http.

Example::

    ckan.site_url = https://data.example.org  -> Set-Cookie: ckan=...; Secure; HttpOnly; Path=/; SameSite=Lax
"""
from __future__ import annotations

from typing import Any, Callable

from ckanext.citizendata import config


def install(app: Any) -> None:
    config.set_flask_options(app, config.cookie_settings())
    app.wsgi_app = secure_on_https(app.wsgi_app)


def attribute_names(set_cookie: str) -> set[str]:
    """The attribute names of a Set-Cookie value, lower case, e.g. ``{"path", "httponly"}``."""
    return {part.split("=", 1)[0].strip().lower() for part in set_cookie.split(";")[1:]}


def mark_secure(header: tuple[str, str]) -> tuple[str, str]:
    """A response header, with ``Secure`` added when it sets a cookie without it."""
    name, value = header
    if name.lower() == "set-cookie" and "secure" not in attribute_names(value):
        return name, value + "; Secure"
    return name, value


def secure_on_https(wsgi_app: Callable) -> Callable:
    """WSGI wrapper (the session cookie is written after Flask's after_request hooks): on a request that came
    over HTTPS, every cookie of the response is marked ``Secure``."""
    def wrapped(environ: dict, start_response: Callable) -> Any:
        if environ.get("wsgi.url_scheme") != "https":
            return wsgi_app(environ, start_response)

        def start(status: str, headers: list, exc_info: Any = None) -> Any:
            return start_response(status, [mark_secure(header) for header in headers], exc_info)
        return wsgi_app(environ, start)
    return wrapped
