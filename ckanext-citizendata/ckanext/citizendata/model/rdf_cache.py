"""Serialized RDF of each dataset, ready per format, for fast DCAT catalog pages (rdf/cache.py).

One row per dataset and format. ``digest`` names the content the row was made from (the dataset dict as the
serializer receives it, what its graph reads from other rows, the profiles, the vocabulary revision, the
serializer code); a row whose digest does
not match the request is rebuilt and replaced, so a row is never served stale. ``head`` holds what the
fragment needs from its document's header (Turtle prefixes, RDF/XML namespace declarations), as JSON.

Example::

    select(rdf_cache_table.c.body).where(rdf_cache_table.c.package_id == pkg_id,
                                         rdf_cache_table.c.format == "turtle")
"""
from ckan import model
from sqlalchemy import Column, DateTime, PrimaryKeyConstraint, Table, Text

TABLE_NAME = "citizendata_rdf_cache"

# on model.repo.metadata (like the search index), so CKAN's per-test reset empties it with the core tables
rdf_cache_table = Table(
    TABLE_NAME,
    model.repo.metadata,
    Column("package_id", Text, nullable=False),
    Column("format", Text, nullable=False),
    Column("digest", Text, nullable=False),
    Column("subject", Text, nullable=False),  # the dataset's IRI, as the serializer named it
    Column("head", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("written_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("package_id", "format"),
)
