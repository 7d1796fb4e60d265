"""Web pages and endpoints: the vocabulary registry (HTML, Turtle, JSON-LD) and SDMX structure REST.

Example::

    GET /vocabulary/engagement-levels            HTML (or Turtle / JSON-LD by Accept header)
    GET /vocabulary/engagement-levels.ttl
    GET /sdmx/rest/v2/structure/codelist/CITIZENDATA/CL_ENGAGEMENT_LEVEL/latest
"""
from __future__ import annotations

from ckan.plugins import toolkit
from flask import Blueprint, Response, request

from ckanext.citizendata import check_views, home_views, quality_views, sdg_views
from ckanext.citizendata.rdf import vocabulary_file
from ckanext.citizendata.sdmx_io import registry_schemes, rest, structures, writer
from ckanext.citizendata.vocab import rdf_out, registry

vocabulary = Blueprint("citizendata_vocabulary", __name__)
sdmx_rest = Blueprint("citizendata_sdmx", __name__, url_prefix="/sdmx/rest/v2/structure")


def _accepted(names: dict[str, str]) -> str | None:
    best = request.accept_mimetypes.best_match(["text/html", *names])
    return names.get(best) if best else None


@vocabulary.route("/vocabulary/")
def index():
    schemes = registry.list_schemes()
    return toolkit.render("citizendata/vocabulary/index.html", {"schemes": schemes})


@vocabulary.route("/vocabulary/<scheme_id>")
@vocabulary.route("/vocabulary/<scheme_id>.<fmt>")
def scheme(scheme_id: str, fmt: str | None = None):
    scheme_dict = registry.get_scheme(scheme_id)
    if scheme_dict is None:
        return toolkit.abort(404, toolkit._("Concept scheme not found"))
    fmt = fmt or _accepted(rdf_out.MEDIA_TYPES)
    if fmt:
        if fmt not in rdf_out.FORMATS:
            return toolkit.abort(404, toolkit._("Unknown format"))
        body, media_type = rdf_out.serialize(registry.scheme_turtle(scheme_id), fmt)
        return Response(body, mimetype=media_type)
    concepts = registry.concepts(scheme_id)
    return toolkit.render("citizendata/vocabulary/scheme.html", {"scheme": scheme_dict, "concepts": concepts})


@sdmx_rest.route("/<resource>")
@sdmx_rest.route("/<resource>/<agency>")
@sdmx_rest.route("/<resource>/<agency>/<artefact_id>")
@sdmx_rest.route("/<resource>/<agency>/<artefact_id>/<version>")
def structure(resource: str, agency: str = "*", artefact_id: str = "*", version: str = "~"):
    try:
        fmt = rest.negotiate(request.headers.get("Accept"), request.args.get("format"))
    except rest.NotAcceptable as err:
        return Response(str(err), status=406, mimetype="text/plain")
    kinds = structures.KINDS if resource == rest.ANY else tuple(resource.split(","))
    if not set(kinds) <= set(structures.KINDS):
        return _sdmx_error(404, f"Unknown or unsupported structure type {resource!r}", fmt)
    try:
        schemes = [s for kind in dict.fromkeys(kinds) for s in registry_schemes.all_schemes(kind)]
        found = rest.select(schemes, agency, artefact_id, version, kind=resource)
    except rest.NotImplementedQuery as err:
        return _sdmx_error(501, str(err), fmt)
    except rest.QueryError as err:
        return _sdmx_error(400, str(err), fmt)
    if not found:
        return _sdmx_error(404, f"No {resource} matches {agency}/{artefact_id}/{version}", fmt)
    body, media_type = writer.write_structure(registry_schemes.with_items(found), fmt)
    # shown in the browser, saved under a real name (not "latest")
    disposition = f'inline; filename="{rest.filename(found, fmt, resource)}"'
    return Response(body, mimetype=media_type, headers={"Content-Disposition": disposition})


def _sdmx_error(status: int, message: str, fmt: str) -> Response:
    """An SDMX error message with its HTTP status (400 bad query, 404 nothing found, 501 not supported)."""
    body, media_type = writer.write_error(status, message, fmt)
    return Response(body, status=status, mimetype=media_type)


# our own terms at their namespace: /ns, /ns.<fmt>
vocabulary_file.register(vocabulary)


def get_blueprints():
    return [*home_views.get_blueprints(), vocabulary, sdmx_rest, *quality_views.get_blueprints(),
            *sdg_views.get_blueprints(),
            *check_views.get_blueprints()]
