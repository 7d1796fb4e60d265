"""A backing service that is down answers 503, not 500: while PostgreSQL is unreachable (restarting, failing over)
or Redis (the job queue, ckanext-harvest's queues) refuses connections, requests fail fast with a clean
``503 Service Unavailable`` and a ``Retry-After`` header, naming the service and nothing of its error text; once it is
back the next request succeeds without restarting the site (CKAN's ``sqlalchemy.pool_pre_ping``, on by default,
replaces connections the restart closed; redis-py reconnects by itself).

Three places see such a failure: a Flask error handler for the exceptions that reach Flask (pages); SQLAlchemy's
``handle_error`` event for database errors that code catches and wraps (a search error, the API's catch-all); and
the API view's catch-all, which logs the exception it turns into a 500 (a filter on its logger notes the kind).
``after_request`` then turns a failed response of a request that met an unavailable service into the 503.

Example::

    install(app)      # from web.INSTALLERS
    GET /dataset/ while PostgreSQL restarts  ->  503 {"success": false, "error": {"__type": "Service Unavailable",
                                                   "message": "The database is unavailable ..."}}
"""
from __future__ import annotations

import json
import logging
from typing import Any, Optional

import flask
import psycopg2
import psycopg2.errors
import redis.exceptions
import sqlalchemy.exc
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.exceptions import InternalServerError

from .errors import is_api_request

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
MESSAGES = {
    "database": "The database is unavailable; try again in a moment.",
    "queue": "The job queue is unavailable, so the request was not completed; try again in a moment.",
}
# SQLSTATE of a server that is going away or not there: class 08 (connection exception) and admin shutdown, crash
# shutdown, cannot connect now
UNAVAILABLE_SQLSTATES = ("08000", "08001", "08003", "08004", "08006", "57P01", "57P02", "57P03")
UNAVAILABLE_ERRORS = tuple(psycopg2.errors.lookup(code) for code in UNAVAILABLE_SQLSTATES)
API_LOGGER = "ckan.views.api"
FLAG = "citizendata_unavailable"


def database_unavailable(exc: BaseException, is_disconnect: bool = False) -> bool:
    """Whether a database error means the server is unreachable (not a bad statement or a timeout).

    Example::

        database_unavailable(OperationalError("connection refused"))     # True (no SQLSTATE: connect failed)
        database_unavailable(QueryCanceled(...))                         # False (57014: a statement timeout)
    """
    orig = getattr(exc, "orig", exc)
    if is_disconnect or getattr(exc, "connection_invalidated", False):
        return True
    if isinstance(exc, sqlalchemy.exc.DisconnectionError) or isinstance(orig, UNAVAILABLE_ERRORS):
        return True
    code = getattr(orig, "pgcode", None)
    if code:
        return code.startswith("08") or code in UNAVAILABLE_SQLSTATES
    # no SQLSTATE: libpq could not reach the server (psycopg2's base classes, not a subclass such as QueryCanceled)
    return type(orig) in (psycopg2.OperationalError, psycopg2.InterfaceError)


def kind_of(exc: Optional[BaseException]) -> Optional[str]:
    """``"database"``, ``"queue"`` or None for an exception (or one it was raised from)."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, (sqlalchemy.exc.DBAPIError, sqlalchemy.exc.DisconnectionError)) \
                and database_unavailable(exc):
            return "database"
        if isinstance(exc, (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)):
            return "queue"
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None


def _note(kind: Optional[str]) -> None:
    if kind and flask.has_request_context():
        flask.g.setdefault(FLAG, kind)


def unavailable_response(kind: str) -> flask.Response:
    """The 503 answer: JSON on the API, a small page elsewhere (no template: rendering may need the database)."""
    message = MESSAGES[kind]
    if is_api_request():
        body = json.dumps({"success": False, "error": {"__type": "Service Unavailable", "message": message}})
        response = flask.Response(body, status=503, mimetype="application/json")
    else:
        body = (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>503 Service Unavailable</title></head>"
                f"<body><h1>Service unavailable</h1><p>{message}</p></body></html>")
        response = flask.Response(body, status=503, mimetype="text/html")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def _on_engine_error(context: Any) -> None:
    if database_unavailable(context.original_exception, context.is_disconnect):
        _note("database")


class _ApiFailureFilter(logging.Filter):
    """Notes the kind of an exception the API view caught and logged before answering 500."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info:
            _note(kind_of(record.exc_info[1]))
        return True


def _after_request(response: flask.Response) -> flask.Response:
    kind = flask.g.get(FLAG)
    if kind and response.status_code >= 400:
        log.warning("%s unavailable: answered 503 to %s %s", kind, flask.request.method, flask.request.path)
        return unavailable_response(kind)
    return response


def install(app: Any) -> None:
    """Register the handlers on CKAN's Flask app (and the engine event, once per process)."""
    if not event.contains(Engine, "handle_error", _on_engine_error):
        event.listen(Engine, "handle_error", _on_engine_error)
    api_logger = logging.getLogger(API_LOGGER)
    if not any(isinstance(f, _ApiFailureFilter) for f in api_logger.filters):
        api_logger.addFilter(_ApiFailureFilter())

    def on_error(exc: Exception) -> Any:
        kind = kind_of(exc)
        if kind is None:  # not ours: CKAN's own handling of an unexpected error
            return _ckan_500(app, exc)
        log.warning("%s unavailable: %s", kind, type(exc).__name__)
        return unavailable_response(kind)

    for exc_type in (sqlalchemy.exc.DBAPIError, sqlalchemy.exc.DisconnectionError,
                     redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
        app.register_error_handler(exc_type, on_error)
    app.after_request(_after_request)


def _ckan_500(app: Any, exc: Exception) -> Any:
    """What CKAN answers to an unexpected exception: its handler for ``Exception`` (or for 500)."""
    handlers = app.error_handler_spec.get(None, {})
    handler = handlers.get(None, {}).get(Exception) or handlers.get(500, {}).get(InternalServerError)
    if handler is None:
        raise exc
    return handler(exc)
