"""``Vary: Accept`` on every response whose body depends on the ``Accept`` header, set in this one place, so a
cache between the site and its clients never hands a Turtle answer to a browser or a page to a harvester.

The negotiating endpoints: a vocabulary page ``/vocabulary/<scheme>`` (HTML, Turtle or JSON-LD) and our terms
``/ns``, when the path names no format; the SDMX REST structure endpoint (always: the ``Accept`` header picks the
SDMX format unless ``?format=`` does); ckanext-dcat's catalog and dataset endpoints when the path names no format
(``/catalog``, ``/``, ``/dataset/<id>`` under content negotiation).

Example::

    install(app)     # GET /vocabulary/sdg -> Vary: Accept (and whatever Vary CKAN set, e.g. Cookie)
"""
from __future__ import annotations

from typing import Any, Optional

from flask import request

from ckanext.citizendata.rdf import endpoints as rdf_endpoints

# endpoint -> the view argument naming the format in the path (None: the endpoint always negotiates)
NEGOTIATED: dict[str, Optional[str]] = {
    "citizendata_vocabulary.scheme": "fmt",
    "citizendata_vocabulary.citizendata_ns": "fmt",
    "citizendata_sdmx.structure": None,
    "citizendata_home.index": None,   # the home page: the catalog in RDF when Accept asks (home_views.py)
    **{endpoint: "_format" for endpoint in rdf_endpoints.FORMAT_ENDPOINTS},
}


def install(app: Any) -> None:
    app.after_request(vary_on_accept)


def negotiates(endpoint: Optional[str], view_args: Optional[dict]) -> bool:
    """Whether the answer of ``endpoint`` called with ``view_args`` depends on the Accept header."""
    if endpoint not in NEGOTIATED:
        return False
    format_arg = NEGOTIATED[endpoint]
    return format_arg is None or not (view_args or {}).get(format_arg)


def vary_on_accept(response: Any) -> Any:
    if negotiates(request.endpoint, request.view_args):
        response.vary.add("Accept")
    return response
