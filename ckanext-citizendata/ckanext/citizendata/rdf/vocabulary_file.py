"""Our own terms (schemas/citizendata-ns.ttl) served at their namespace: Turtle, RDF/XML, JSON-LD or N-Triples,
chosen by extension or by the Accept header (Turtle when nothing better is asked for).

Example::

    body, media_type = ns_response("jsonld")            # the vocabulary as JSON-LD
    register(blueprint)                                 # GET /ns, /ns.ttl, /ns.rdf, /ns.jsonld, /ns.nt
"""
from __future__ import annotations

import importlib.resources
from functools import lru_cache
from typing import Optional

from flask import Response, abort, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from ckanext.citizendata.vocab import rdf_out

FILE_NAME = "citizendata-ns.ttl"
DEFAULT_FORMAT = "ttl"


@lru_cache(maxsize=1)
def turtle() -> str:
    """The vocabulary file as shipped."""
    return (importlib.resources.files("ckanext.citizendata.schemas") / FILE_NAME).read_text(encoding="utf-8")


@lru_cache(maxsize=len(rdf_out.FORMATS))
def ns_response(fmt: str) -> tuple[str, str]:
    """``(body, media type)`` of the vocabulary in ``fmt`` (``ttl``, ``rdf``, ``jsonld``, ``nt``); KeyError else."""
    return rdf_out.serialize(turtle(), fmt)


def negotiate(accept: Optional[str]) -> str:
    """The format an Accept header asks for, Turtle by default.

    >>> negotiate("application/ld+json"), negotiate("text/html,*/*;q=0.8")
    ('jsonld', 'ttl')
    """
    best = parse_accept_header(accept or "", MIMEAccept).best_match(list(rdf_out.MEDIA_TYPES))
    return rdf_out.MEDIA_TYPES.get(best or "", DEFAULT_FORMAT)


def ns_view(fmt: Optional[str] = None):
    """Flask view for ``/ns`` and ``/ns.<fmt>``."""
    fmt = fmt or negotiate(request.headers.get("Accept"))
    if fmt not in rdf_out.FORMATS:
        abort(404)
    body, media_type = ns_response(fmt)
    return Response(body, mimetype=media_type)  # Vary: Accept is web/negotiation.py's


def register(blueprint) -> None:
    """Add the ``/ns`` routes to a Flask blueprint (views.py: ``vocabulary_file.register(vocabulary)``)."""
    blueprint.add_url_rule("/ns", "citizendata_ns", ns_view)
    blueprint.add_url_rule("/ns.<fmt>", "citizendata_ns", ns_view)
