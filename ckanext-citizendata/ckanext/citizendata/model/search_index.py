"""The PostgreSQL search index: one row per indexed dataset.

Hot fields are columns with their own indexes; ``fields`` holds every other field of CKAN's index document,
normalised to lists of strings (``{"tags": ["economy"], "private": ["false"]}``) under one GIN index, so any
field -- including citizen-data fields added by later plugins -- can be filtered and faceted without a
schema change. ``doc`` is the document as CKAN built it (returned for ``fl``), the two big JSON strings CKAN
reads back (``data_dict``, ``validated_data_dict``) are kept as text.
"""
import sqlalchemy as sa
from ckan import model
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR

TABLE_NAME = "citizendata_search_index"

# model.repo.metadata, not model.meta.metadata: CKAN's first test reset replaces meta.metadata with a
# reflected copy, while the repository keeps (and empties the tables of) the original object
search_index_table = Table(
    TABLE_NAME,
    model.repo.metadata,
    Column("index_id", Text, primary_key=True),
    Column("site_id", Text, nullable=False),
    Column("id", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("entity_type", Text),
    Column("dataset_type", Text),
    Column("state", Text),
    Column("capacity", Text),
    Column("owner_org", Text),
    Column("title", Text),
    Column("metadata_created", DateTime(timezone=True)),
    Column("metadata_modified", DateTime(timezone=True)),
    Column("permission_labels", ARRAY(Text), nullable=False),
    Column("search_vector", TSVECTOR, nullable=False),
    Column("fields", JSONB, nullable=False),
    Column("doc", JSONB, nullable=False),
    Column("data_dict", Text),
    Column("validated_data_dict", Text),
    # ids (citizendata_facet_value) of the values of the facetable fields, for single-pass facet counts
    Column("facet_ids", ARRAY(Integer), nullable=False, server_default="{}"),
    # visible to anyone: active, public, labelled public (the rows citizendata_facet_count counts)
    Column("public", Boolean, nullable=False, server_default=false()),
    Index("citizendata_search_index_id_idx", "id"),
    Index("citizendata_search_index_name_idx", "name"),
    Index("citizendata_search_index_modified_idx", "metadata_modified"),
    # newest first, as the backend sorts "metadata_modified desc" (migration f6b8d0e30006)
    Index("citizendata_search_index_newest_idx", sa.text("metadata_modified DESC NULLS LAST"), "index_id"),
    # GIN, or RUM when the server has it (migration c9e1a3b50009, which also keeps the small columns inline and
    # the large ones in TOAST: toast_tuple_target = 128)
    Index("citizendata_search_index_vector_idx", "search_vector", postgresql_using="gin"),
    Index("citizendata_search_index_fields_idx", "fields", postgresql_using="gin",
          postgresql_ops={"fields": "jsonb_path_ops"}),
    Index("citizendata_search_index_labels_idx", "permission_labels", postgresql_using="gin"),
    Index("citizendata_search_index_facet_ids_idx", "facet_ids", postgresql_using="gin"),
)

facet_value_table = Table(
    "citizendata_facet_value",
    model.repo.metadata,
    Column("id", Integer, primary_key=True),
    Column("field", Text, nullable=False),
    Column("value", Text, nullable=False),
    UniqueConstraint("field", "value", name="citizendata_facet_value_field_value_key"),
)

# facet counts over the public rows, per site and dataset type, kept on every index write
facet_count_table = Table(
    "citizendata_facet_count",
    model.repo.metadata,
    Column("value_id", Integer, nullable=False),
    Column("site_id", Text, nullable=False),
    Column("dataset_type", Text, nullable=False),
    Column("count", Integer, nullable=False),
    PrimaryKeyConstraint("value_id", "site_id", "dataset_type"),
)
