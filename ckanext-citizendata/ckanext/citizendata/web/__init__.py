"""The web application's guards, installed on CKAN's Flask app by the plugin (IMiddleware): each module adds its
request hooks, error handlers or response headers in an ``install(app)`` function, listed once here.

Example::

    app = install(app)      # the plugin's make_middleware
"""
from __future__ import annotations

from typing import Any, Callable

from ckanext.citizendata.web import faults

INSTALLERS: tuple[Callable[[Any], None], ...] = (faults.install,)


def install(app: Any) -> Any:
    """Install every guard on CKAN's Flask app and return it."""
    for installer in INSTALLERS:
        installer(app)
    return app
