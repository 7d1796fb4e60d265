"""The last word on an unexpected exception: CKAN's own error page (its templates, so with the site's styles)
or, for the API, CKAN's JSON error shape with a generic message; what went wrong is logged, never shown
(no library or database text reaches a client). Errors that have an answer of their own (HTTP errors, CKAN's
action errors, a more specific handler such as one for database unavailability) keep it: Flask picks the most
specific handler, and this one is registered for ``Exception``.

CKAN registers its own handler for ``Exception`` only when the app is neither in debug nor in testing mode, and
that handler renders the page in a way that can fail again; this one always answers.

Example::

    api_error(413, "Request Entity Too Large", "the request body is larger than 10485760 bytes (...)")
    # -> Response: {"help": ".../api/3/action/help_show?name=package_create", "success": false,
    #               "error": {"__type": "Request Entity Too Large", "message": "..."}}
"""
from __future__ import annotations

import json
import logging
from typing import Any

from ckan.plugins import toolkit
from flask import Response, request
from werkzeug.exceptions import HTTPException

from ckanext.citizendata.text import N_

log = logging.getLogger(__name__)

GENERIC = N_("Internal server error: the request could not be completed. The error has been logged.")
FALLBACK_PAGE = ("<!DOCTYPE html><html><head><title>Internal server error</title></head><body>"
                 "<h1>Internal server error</h1><p>The request could not be completed. The error has been logged."
                 "</p><p><a href=\"/\">Home</a></p></body></html>")


def is_api_request() -> bool:
    """Whether the request is for CKAN's API (its blueprint, or its path when no route matched)."""
    return request.blueprint == "api" or request.path.startswith("/api/")


def _help_url() -> str:
    name = (request.view_args or {}).get("logic_function")
    try:
        return toolkit.url_for("api.action", logic_function="help_show", ver=3, name=name, _external=True)
    except Exception:  # noqa: BLE001  (the help link is a courtesy; the error must still be answered)
        return ""


def api_error(status: int, kind: str, message: str, **fields: Any) -> Response:
    """A response in CKAN's API error shape."""
    body = {"help": _help_url(), "success": False, "error": {"__type": kind, "message": message, **fields}}
    return Response(json.dumps(body), status=status, content_type="application/json;charset=utf-8")


def page_error(status: int, title: str, message: str) -> Response:
    """CKAN's error page (error_document_template.html); a plain page when even that cannot be rendered."""
    try:
        html = toolkit.render("error_document_template.html", {"code": [status], "name": title,
                                                                "content": message})
    except Exception:  # noqa: BLE001  (rendering failed too: the plain page below still answers)
        log.exception("the error page could not be rendered")
        html = FALLBACK_PAGE
    return Response(html, status=status, content_type="text/html; charset=utf-8")


def unexpected(error: Exception) -> Any:
    """Flask error handler for ``Exception``."""
    if isinstance(error, HTTPException):
        return error  # Flask answers it as usual
    log.exception("unexpected %s on %s %s", type(error).__name__, request.method, request.path)
    if is_api_request():
        return api_error(500, "Internal Server Error", GENERIC)
    return page_error(500, toolkit._("Internal server error"), toolkit._(GENERIC))


def install(app: Any) -> None:
    app.register_error_handler(Exception, unexpected)
