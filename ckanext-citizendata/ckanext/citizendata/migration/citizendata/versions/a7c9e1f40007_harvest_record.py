"""Provenance of harvested records, one row per (source, guid).

Revision ID: a7c9e1f40007
Revises: f6b8d0e30006
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "a7c9e1f40007"
down_revision = "f6b8d0e30006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "citizendata_harvest_record",
        sa.Column("source_id", sa.Text, nullable=False),
        sa.Column("guid", sa.Text, nullable=False),
        sa.Column("package_id", sa.Text),
        sa.Column("owner", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("content_hash", sa.Text),
        sa.Column("original_uri", sa.Text),
        sa.Column("identifier", sa.Text),
        sa.Column("identity", postgresql.ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("upstream_modified", sa.Text),
        sa.Column("retrieved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("job_id", sa.Text),
        sa.Column("source_fields", sa.Text, nullable=False, server_default="[]"),
        sa.Column("warnings", sa.Text, nullable=False, server_default="[]"),
        sa.Column("withdrawn", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.PrimaryKeyConstraint("source_id", "guid"),
    )
    op.create_index("citizendata_harvest_record_package", "citizendata_harvest_record", ["package_id"])
    op.create_index("citizendata_harvest_record_identity", "citizendata_harvest_record", ["identity"],
                    postgresql_using="gin")


def downgrade():
    op.drop_table("citizendata_harvest_record")
