"""Guards for what a request carries in its URL, and clean answers to search errors outside the API.

- A NUL character (``%00``) or a lone surrogate in the path or in a query parameter's name or value is refused
  with 400 naming the parameter: no page, action or query can hold one, and the database would fail on it.
- ckanext-dcat's endpoints asked for a format no serializer writes (``/catalog.exe``, ``/dataset/<id>.exe``)
  answer 404, as an unknown page does.
- A search query error raised under a page that does not catch it (ckanext-dcat's ``/catalog.ttl?q=(water``)
  answers 400 with the same message the API gives (``Search Query is invalid: ...``), never 500.

API requests (``/api/...``) get CKAN's JSON error shape, pages CKAN's error page.

Example::

    install(app)       # GET /dataset/?q=a%00b -> 400 "Parameter q: a NUL character (U+0000) at position 2 ..."
"""
from __future__ import annotations

from typing import Any, Optional

from ckan.lib.search.common import SearchQueryError
from flask import Response, abort, json, request
from werkzeug.exceptions import BadRequest

from ckanext.citizendata.rdf import endpoints as rdf_endpoints
from ckanext.citizendata.text import unreadable

from .errors import is_api_request

OWN_CHECKS = ("citizendata_sdmx",)  # blueprints that refuse unreadable input in their own format


def install(app: Any) -> None:
    app.before_request(refuse_unreadable_url)
    app.before_request(refuse_unknown_rdf_format)
    app.register_error_handler(SearchQueryError, lambda err: search_query_error(app, err))


def unreadable_part() -> Optional[str]:
    """What in the current request's URL no page can read (the path, a parameter's name or value), else None.
    The SDMX REST endpoint checks its own path and answers in SDMX error messages."""
    if request.blueprint in OWN_CHECKS:
        return None
    bad = unreadable(request.path)
    if bad:
        return f"The path holds {bad}, which no page can read"
    for name, value in request.args.items(multi=True):
        bad = unreadable(name) or unreadable(value)
        if bad:
            return f"Parameter {name.replace(chr(0), '?')!r}: {bad}, which no parameter can hold"
    return None


def refuse_unreadable_url() -> Optional[Response]:
    message = unreadable_part()
    return _bad_request(message) if message else None


def refuse_unknown_rdf_format() -> None:
    fmt = rdf_endpoints.unknown_format(request.endpoint, request.view_args)
    if fmt:
        abort(404, f"Unknown format {fmt!r}")


def search_query_error(app: Any, err: SearchQueryError) -> Any:
    """400 for a search query error no view caught, in the words the API uses."""
    return _bad_request(f"Search Query is invalid: {err}", app)


def _bad_request(message: str, app: Any = None) -> Any:
    if is_api_request():
        body = {"success": False, "error": {"__type": "Bad Request", "message": message}}
        return Response(json.dumps(body), status=400, mimetype="application/json")
    if app is not None:  # inside an error handler: hand the 400 to CKAN's own error page
        return app.handle_http_exception(BadRequest(description=message))
    abort(400, message)
