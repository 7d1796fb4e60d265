"""The PostgreSQL search index: one row per indexed dataset.

Hot fields are columns with their own indexes; ``fields`` holds every other field of CKAN's index document,
normalised to lists of strings (``{"tags": ["economy"], "private": ["false"]}``) under one GIN index, so any
field -- including citizen-data fields added by later plugins -- can be filtered and faceted without a
schema change. ``doc`` is the document as CKAN built it (returned for ``fl``), the two big JSON strings CKAN
reads back (``data_dict``, ``validated_data_dict``) are kept as text.
"""
from sqlalchemy import Column, DateTime, Index, Table, Text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR

from ckan import model

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
    Index("citizendata_search_index_id_idx", "id"),
    Index("citizendata_search_index_name_idx", "name"),
    Index("citizendata_search_index_modified_idx", "metadata_modified"),
    Index("citizendata_search_index_vector_idx", "search_vector", postgresql_using="gin"),
    Index("citizendata_search_index_fields_idx", "fields", postgresql_using="gin",
          postgresql_ops={"fields": "jsonb_path_ops"}),
    Index("citizendata_search_index_labels_idx", "permission_labels", postgresql_using="gin"),
)
