"""Bounds on API requests, checked before CKAN reads them: the body's size
(``ckanext.citizendata.limits.body_bytes``: 413, from Content-Length before reading, or as soon as a streamed
body passes it) and the nesting depth of a JSON body (``limits.json_depth``: 400; Python's parser would otherwise
end a 1,000-deep body in a RecursionError, a 500). Multipart requests (resource uploads) are left to CKAN's
``ckan.max_resource_size``. The size of each text field is bounded on write (logic/action/write.py).

Two before-request hooks: the first of the app's sets werkzeug's limit on the body before any other hook could
open it (it never answers: CKAN's own hooks must run, its after-request hooks rely on them); the last one refuses.

Example::

    POST /api/3/action/package_create   (Content-Length: 52428800)
    -> 413 {"success": false, "error": {"__type": "Request Entity Too Large",
            "message": "the request body is larger than 10485760 bytes (ckanext.citizendata.limits.body_bytes)"}}
"""
from __future__ import annotations

import json
from typing import Any, Optional

from flask import Response, request
from werkzeug.exceptions import RequestEntityTooLarge

from ckanext.citizendata import config

from .errors import api_error, is_api_request

FORM = "application/x-www-form-urlencoded"


def nesting_exceeds(value: Any, limit: int) -> bool:
    """Whether lists and objects in ``value`` nest deeper than ``limit`` (a scalar is 0 deep, ``[]`` 1)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


def json_too_deep(text: bytes | str, limit: int) -> bool:
    """Whether a JSON text nests deeper than ``limit``; text that is not JSON is not (CKAN reports it)."""
    try:
        value = json.loads(text)
    except RecursionError:
        return True
    except ValueError:
        return False
    return nesting_exceeds(value, limit)


def _json_texts(body: bytes) -> list[bytes | str]:
    """What CKAN's API will parse as JSON: the body, or the one key of a form body (``_get_request_data``)."""
    if request.mimetype == FORM:
        keys = list(request.form.keys())
        return keys[:1] if len(keys) == 1 else []
    return [body] if body else []


def _too_large(limit: int) -> Response:
    return api_error(413, "Request Entity Too Large",
                     f"the request body is larger than {limit} bytes ({config.LIMITS}body_bytes)")


def _bounded() -> bool:
    return is_api_request() and request.mimetype != "multipart/form-data"


def limit_body() -> None:
    """First before-request hook: werkzeug refuses to read more than the limit of a bounded request's body."""
    if _bounded():
        request.max_content_length = config.body_bytes()


def bound_api_request() -> Optional[Response]:
    """Last before-request hook: refuse an API body over the size or depth limits; None lets it through."""
    if not _bounded():
        return None
    limit = config.body_bytes()
    if request.content_length is not None and request.content_length > limit:
        return _too_large(limit)
    try:
        body = request.get_data(cache=True)
    except RequestEntityTooLarge:
        return _too_large(limit)
    depth = config.json_depth()
    if any(json_too_deep(text, depth) for text in _json_texts(body)):
        return api_error(400, "Bad request", f"the JSON body nests lists and objects more than {depth} deep "
                                             f"({config.LIMITS}json_depth)")
    return None


def install(app: Any) -> None:
    hooks = app.before_request_funcs.setdefault(None, [])
    hooks.insert(0, limit_body)
    hooks.append(bound_api_request)
