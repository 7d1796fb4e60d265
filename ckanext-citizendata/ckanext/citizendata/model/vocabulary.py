"""The vocabulary registry: concept schemes and their concepts, loaded from vocabularies/*.ttl.

These tables live on a MetaData of their own (not CKAN's), so CKAN's per-test data reset leaves the loaded
vocabularies in place; they are created by our migrations like every table of ours.
"""
from sqlalchemy import (
                        Column,
                        DateTime,
                        ForeignKey,
                        Index,
                        Integer,
                        MetaData,
                        PrimaryKeyConstraint,
                        Table,
                        Text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

metadata = MetaData()

scheme_table = Table(
    "citizendata_vocab_scheme",
    metadata,
    Column("id", Text, primary_key=True),             # API name, e.g. "engagement-stages"
    Column("iri", Text, nullable=False, unique=True),
    Column("version", Text, nullable=False),
    Column("sdmx_agency", Text, nullable=False),
    Column("sdmx_id", Text, nullable=False),
    Column("title", JSONB, nullable=False),           # {"en": "...", "es": "..."}
    Column("description", JSONB, nullable=False),
    Column("source", Text),
    Column("license", Text),
    Column("turtle", Text, nullable=False),           # the scheme as served (after any base rewrite)
    Column("content_hash", Text, nullable=False),
    Column("concept_count", Integer, nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
)

concept_table = Table(
    "citizendata_vocab_concept",
    metadata,
    Column("scheme_id", Text, ForeignKey("citizendata_vocab_scheme.id", ondelete="CASCADE"), nullable=False),
    Column("notation", Text, nullable=False),
    Column("iri", Text, nullable=False),
    Column("position", Integer, nullable=False),
    Column("pref_labels", JSONB, nullable=False),
    Column("definitions", JSONB, nullable=False),
    Column("broader", ARRAY(Text), nullable=False),   # notations in the same scheme
    Column("mappings", JSONB, nullable=False),        # {"exactMatch": [...], "closeMatch": [...]}
    Column("code_list", Text),                        # scheme id named by qb:codeList
    Column("search_terms", ARRAY(Text), nullable=False),  # lower-cased, accent-free labels, words, notation
    PrimaryKeyConstraint("scheme_id", "notation"),
    Index("citizendata_vocab_concept_iri_idx", "iri"),
)
