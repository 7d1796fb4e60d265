"""A GIN index on facet_ids: filters on facetable fields test the small inline array of value ids.

Revision ID: e5a7c9d20005
Revises: d4f6b8c10004
Create Date: 2026-11-21
"""
from alembic import op

revision = "e5a7c9d20005"
down_revision = "d4f6b8c10004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("citizendata_search_index_facet_ids_idx", "citizendata_search_index", ["facet_ids"],
                    postgresql_using="gin")


def downgrade():
    op.drop_index("citizendata_search_index_facet_ids_idx", table_name="citizendata_search_index")
