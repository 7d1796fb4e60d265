"""N-Triples on ckanext-dcat's endpoints: ``/catalog.nt``, ``/dataset/<id>.nt`` and ``Accept:
application/n-triples``. ckanext-dcat 2.4 serializes N-Triples but its endpoints only know the formats listed
in ``ckanext.dcat.utils.CONTENT_TYPES`` (a request for ``.nt`` fails there); adding the media type to that
table is all it takes.

Example::

    install()        # from the plugin's update_config; GET /catalog.nt then answers application/n-triples
"""
from __future__ import annotations

from ckanext.dcat import utils

NTRIPLES = ("nt", "application/n-triples")


def install() -> None:
    utils.CONTENT_TYPES.setdefault(*NTRIPLES)


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
