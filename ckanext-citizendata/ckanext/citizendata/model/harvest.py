"""Provenance of harvested records: one row per (source, guid), the identity of a record at a source.

A row says which package the sighting became (``package_id``), whether this source owns its content (``owner``:
of two sources listing the same dataset, the one of higher priority; the other is kept as "also listed at"),
the hash of what the source stated last (``content_hash``: equal means unchanged, nothing is written), where and
when it was read, and which fields the source stated (``source_fields``: a curator's edits to any other field
survive the next harvest). ``withdrawn`` is set when the record was gone from a complete listing.

Example::

    select(harvest_record_table).where(harvest_record_table.c.source_id == source.id,
                                       harvest_record_table.c.guid == "https://portal.example/dataset/x")
"""
from ckan import model
from sqlalchemy import Boolean, Column, DateTime, Index, PrimaryKeyConstraint, Table, Text
from sqlalchemy.dialects.postgresql import ARRAY

TABLE_NAME = "citizendata_harvest_record"

harvest_record_table = Table(
    TABLE_NAME,
    model.repo.metadata,
    Column("source_id", Text, nullable=False),
    Column("guid", Text, nullable=False),
    Column("package_id", Text),
    Column("owner", Boolean, nullable=False, default=True),
    Column("content_hash", Text),
    Column("original_uri", Text),
    Column("identifier", Text),
    Column("identity", ARRAY(Text), nullable=False, default=list),
    Column("upstream_modified", Text),
    Column("retrieved_at", DateTime(timezone=True), nullable=False),
    Column("job_id", Text),
    Column("source_fields", Text, nullable=False, default="[]"),
    Column("warnings", Text, nullable=False, default="[]"),
    Column("withdrawn", Boolean, nullable=False, default=False),
    PrimaryKeyConstraint("source_id", "guid"),
    Index("citizendata_harvest_record_package", "package_id"),
    Index("citizendata_harvest_record_identity", "identity", postgresql_using="gin"),
)
