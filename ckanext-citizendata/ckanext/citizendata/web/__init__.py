"""The web application's guards, installed on CKAN's Flask app by the plugin (IMiddleware): each module adds its
request hooks, error handlers or response headers in an ``install(app)`` function, listed once here.

Example::

    app = install(app)      # the plugin's make_middleware
"""
from __future__ import annotations

from typing import Any, Callable

from ckanext.citizendata.web import (cookies, errors, faults, forgery, limits, links, negotiation, read_guard, reset,
                                     search_page, security, throttle)

# faults before errors (a database or queue that is down answers 503, not a generic error); limits first among
# the request hooks (a body too large is refused unread); forgery before throttle (a sign-in without the CSRF
# token is refused before it is counted)
INSTALLERS: tuple[Callable[[Any], None], ...] = (
    faults.install, errors.install, limits.install, links.install, read_guard.install,
    forgery.install, throttle.install, reset.install, cookies.install, security.install, search_page.install,
    negotiation.install,
)


def install(app: Any) -> Any:
    """Install every guard on CKAN's Flask app and return it."""
    for installer in INSTALLERS:
        installer(app)
    return app
