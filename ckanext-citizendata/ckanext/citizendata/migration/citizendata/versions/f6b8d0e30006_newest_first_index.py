"""An index in the order of "newest first" (``sort=metadata_modified desc``, as ckanext-dcat's catalog pages and
harvesters page): the backend sorts it as ``metadata_modified DESC NULLS LAST, index_id`` and a page deep in the
catalog then walks the index instead of sorting every matching row.

Revision ID: f6b8d0e30006
Revises: e5a7c9d20005
Create Date: 2026-11-21
"""
import sqlalchemy as sa
from alembic import op

revision = "f6b8d0e30006"
down_revision = "e5a7c9d20005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("citizendata_search_index_newest_idx", "citizendata_search_index",
                    [sa.text("metadata_modified DESC NULLS LAST"), "index_id"])


def downgrade():
    op.drop_index("citizendata_search_index_newest_idx", table_name="citizendata_search_index")
