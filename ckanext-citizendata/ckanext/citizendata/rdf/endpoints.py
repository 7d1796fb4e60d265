"""Mends to ckanext-dcat's endpoints.

- N-Triples: ``/catalog.nt``, ``/dataset/<id>.nt`` and ``Accept: application/n-triples``. ckanext-dcat 2.4
  serializes N-Triples but its endpoints only know the formats listed in ``ckanext.dcat.utils.CONTENT_TYPES`` (a
  request for ``.nt`` fails there); adding the media type to that table is all it takes.
- Formats no serializer writes (``/catalog.exe``): :func:`unknown_format` tells the web guard to answer 404.
- Page links of the catalog: ckanext-dcat 2.4 writes the client's ``q`` / ``fq`` / ``modified_since`` into the
  hydra page IRIs without percent-encoding them, so ``/catalog.ttl?q=water quality`` failed (rdflib refuses an IRI
  with a space); :func:`encoded_pagination` rebuilds those links with the parameters encoded.

Example::

    install()        # from the plugin's update_config; GET /catalog.nt then answers application/n-triples
"""
from __future__ import annotations

from typing import Any, Callable
from urllib.parse import urlencode

from ckan.plugins import toolkit
from ckanext.dcat import logic as dcat_logic
from ckanext.dcat import utils

NTRIPLES = ("nt", "application/n-triples")


PAGE_LINKS = ("current", "first", "last", "next", "previous")
PAGE_PARAMS = ("modified_since", "profiles", "q", "fq")  # the parameters ckanext-dcat carries into page links


def install() -> None:
    utils.CONTENT_TYPES.setdefault(*NTRIPLES)
    if not getattr(dcat_logic._pagination_info, "encodes_parameters", False):
        dcat_logic._pagination_info = encoded_pagination(dcat_logic._pagination_info)


def encoded_pagination(pagination_info: Callable[..., dict]) -> Callable[..., dict]:
    """ckanext-dcat's ``_pagination_info`` with each page link rebuilt as the catalog IRI and the request's
    parameters, percent-encoded: ``.../catalog.ttl?q=water+quality&page=2``."""

    def wrapped(query: dict, data_dict: dict) -> dict[str, Any]:
        info = pagination_info(query, data_dict)
        for key in PAGE_LINKS:
            if key in info:
                info[key] = _page_link(info[key])
        return info

    wrapped.encodes_parameters = True  # type: ignore[attr-defined]
    return wrapped


def _page_link(link: str) -> str:
    base = link.partition("?")[0]
    page = link.rpartition("page=")[2]
    params = [(k, v) for k, v in toolkit.request.args.items(multi=True) if k in PAGE_PARAMS]
    return f"{base}?{urlencode(params + [('page', page)])}"


# ckanext-dcat's endpoints that take the format from the path (/catalog.<_format>, /dataset/<_id>.<_format>)
FORMAT_ENDPOINTS = ("dcat.read_catalog", "dcat.read_dataset", "dcat.read_dataset_series")


def unknown_format(endpoint: str | None, view_args: dict | None) -> str | None:
    """The format a request to one of ckanext-dcat's endpoints asks for when no serializer writes it (rdflib
    would fail with an error of its own: ``/catalog.exe``), else None.

    Example::

        unknown_format("dcat.read_catalog", {"_format": "exe"})   # "exe"
        unknown_format("dcat.read_catalog", {"_format": "ttl"})   # None
    """
    fmt = (view_args or {}).get("_format")
    if endpoint in FORMAT_ENDPOINTS and fmt and fmt not in utils.CONTENT_TYPES:
        return fmt
    return None
