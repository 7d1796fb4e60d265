"""Serialized RDF per dataset and format (DCAT catalog pages assembled from ready fragments).

Revision ID: d4f6b8c10004
Revises: c3e5a7b90003
Create Date: 2026-11-21
"""
import sqlalchemy as sa
from alembic import op

revision = "d4f6b8c10004"
down_revision = "c3e5a7b90003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "citizendata_rdf_cache",
        sa.Column("package_id", sa.Text, nullable=False),
        sa.Column("format", sa.Text, nullable=False),
        sa.Column("digest", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("head", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("package_id", "format"),
    )


def downgrade():
    op.drop_table("citizendata_rdf_cache")
