"""Create the vocabulary registry tables.

Revision ID: b2d4f6a80002
Revises: a1c3e5f70001
Create Date: 2026-11-21
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "b2d4f6a80002"
down_revision = "a1c3e5f70001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "citizendata_vocab_scheme",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("iri", sa.Text, nullable=False, unique=True),
        sa.Column("version", sa.Text, nullable=False),
        sa.Column("sdmx_agency", sa.Text, nullable=False),
        sa.Column("sdmx_id", sa.Text, nullable=False),
        sa.Column("title", JSONB, nullable=False),
        sa.Column("description", JSONB, nullable=False),
        sa.Column("source", sa.Text),
        sa.Column("license", sa.Text),
        sa.Column("turtle", sa.Text, nullable=False),
        sa.Column("content_hash", sa.Text, nullable=False),
        sa.Column("concept_count", sa.Integer, nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "citizendata_vocab_concept",
        sa.Column("scheme_id", sa.Text, sa.ForeignKey("citizendata_vocab_scheme.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("notation", sa.Text, nullable=False),
        sa.Column("iri", sa.Text, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("pref_labels", JSONB, nullable=False),
        sa.Column("definitions", JSONB, nullable=False),
        sa.Column("broader", ARRAY(sa.Text), nullable=False),
        sa.Column("mappings", JSONB, nullable=False),
        sa.Column("code_list", sa.Text),
        sa.Column("search_terms", ARRAY(sa.Text), nullable=False),
        sa.PrimaryKeyConstraint("scheme_id", "notation"),
    )
    op.create_index("citizendata_vocab_concept_iri_idx", "citizendata_vocab_concept", ["iri"])


def downgrade():
    op.drop_table("citizendata_vocab_concept")
    op.drop_table("citizendata_vocab_scheme")
