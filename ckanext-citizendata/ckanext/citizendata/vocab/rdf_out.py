"""A scheme's Turtle as Turtle, JSON-LD, RDF/XML or N-Triples (one dispatch table).

Example::

    body, media_type = serialize(turtle_text, "jsonld")
"""
from __future__ import annotations

import rdflib

from ckanext.citizendata.namespaces import bind_prefixes

# fmt -> (rdflib format, media type)
FORMATS = {
    "ttl": ("turtle", "text/turtle"),
    "jsonld": ("json-ld", "application/ld+json"),
    "rdf": ("xml", "application/rdf+xml"),
    "nt": ("nt", "application/n-triples"),
}
MEDIA_TYPES = {media: fmt for fmt, (_, media) in FORMATS.items()}


def serialize(turtle: str, fmt: str) -> tuple[str, str]:
    rdflib_format, media_type = FORMATS[fmt]
    if fmt == "ttl":
        return turtle, media_type
    graph = bind_prefixes(rdflib.Graph()).parse(data=turtle, format="turtle")
    return graph.serialize(format=rdflib_format), media_type
