"""Create the PostgreSQL search index table.

Revision ID: a1c3e5f70001
Revises:
Create Date: 2026-11-21
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR

revision = "a1c3e5f70001"
down_revision = None
branch_labels = None
depends_on = None

TABLE = "citizendata_search_index"


def upgrade():
    op.create_table(
        TABLE,
        sa.Column("index_id", sa.Text, primary_key=True),
        sa.Column("site_id", sa.Text, nullable=False),
        sa.Column("id", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("entity_type", sa.Text),
        sa.Column("dataset_type", sa.Text),
        sa.Column("state", sa.Text),
        sa.Column("capacity", sa.Text),
        sa.Column("owner_org", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("metadata_created", sa.DateTime(timezone=True)),
        sa.Column("metadata_modified", sa.DateTime(timezone=True)),
        sa.Column("permission_labels", ARRAY(sa.Text), nullable=False),
        sa.Column("search_vector", TSVECTOR, nullable=False),
        sa.Column("fields", JSONB, nullable=False),
        sa.Column("doc", JSONB, nullable=False),
        sa.Column("data_dict", sa.Text),
        sa.Column("validated_data_dict", sa.Text),
    )
    op.create_index(f"{TABLE}_id_idx", TABLE, ["id"])
    op.create_index(f"{TABLE}_name_idx", TABLE, ["name"])
    op.create_index(f"{TABLE}_modified_idx", TABLE, ["metadata_modified"])
    op.create_index(f"{TABLE}_vector_idx", TABLE, ["search_vector"], postgresql_using="gin")
    op.create_index(f"{TABLE}_fields_idx", TABLE, ["fields"], postgresql_using="gin",
                    postgresql_ops={"fields": "jsonb_path_ops"})
    op.create_index(f"{TABLE}_labels_idx", TABLE, ["permission_labels"], postgresql_using="gin")


def downgrade():
    op.drop_table(TABLE)
