"""Facet values as small integers, and facet counts kept on write.

Revision ID: c3e5a7b90003
Revises: b2d4f6a80002
Create Date: 2026-11-21
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "c3e5a7b90003"
down_revision = "b2d4f6a80002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "citizendata_facet_value",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("field", sa.Text, nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.UniqueConstraint("field", "value", name="citizendata_facet_value_field_value_key"),
    )
    op.add_column("citizendata_search_index", sa.Column("facet_ids", ARRAY(sa.Integer), nullable=False,
                                                        server_default="{}"))
    op.add_column("citizendata_search_index", sa.Column("public", sa.Boolean, nullable=False,
                                                        server_default=sa.false()))
    op.create_table(
        "citizendata_facet_count",
        sa.Column("value_id", sa.Integer, nullable=False),
        sa.Column("site_id", sa.Text, nullable=False),
        sa.Column("dataset_type", sa.Text, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("value_id", "site_id", "dataset_type"),
    )


def downgrade():
    op.drop_table("citizendata_facet_count")
    op.drop_column("citizendata_search_index", "public")
    op.drop_column("citizendata_search_index", "facet_ids")
    op.drop_table("citizendata_facet_value")
