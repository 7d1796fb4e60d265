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
