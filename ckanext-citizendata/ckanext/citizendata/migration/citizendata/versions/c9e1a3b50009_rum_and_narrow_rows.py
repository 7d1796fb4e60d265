"""Broad text queries at scale: the ranking inside the index (RUM) when the server has it, and narrow rows.

- When the ``rum`` extension is installed in the database (``make run`` / ``make test`` install it on a local
  server; creating it needs a superuser), the text index becomes a RUM index, which also answers
  ``ORDER BY search_vector <=> query``: the first page of a query that matches most of the catalog is read in
  rank order from the index instead of ranking every match (search/postgres/backend.py). Without it (a managed
  server) the GIN index stays and ranking is computed as before.
- Rows keep only their small, hot columns inline (facet ids, labels, flags, title): the large JSON documents and the
  vector go to TOAST, so counting and facetting the matches of a broad query reads a heap about five times smaller.
  The table is rewritten once here (about a minute at 100k records).

Revision ID: c9e1a3b50009
Revises: b8d0f2a50008
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "c9e1a3b50009"
down_revision = "b8d0f2a50008"
branch_labels = None
depends_on = None

TABLE = "citizendata_search_index"
GIN, RUM = f"{TABLE}_vector_idx", f"{TABLE}_vector_rum_idx"
INLINE = ("index_id", "site_id", "id", "name", "entity_type", "dataset_type", "state", "capacity", "owner_org",
          "title", "permission_labels")


def _has_rum() -> bool:
    return op.get_bind().execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'rum'")).first() is not None


def upgrade():
    op.execute(f"ALTER TABLE {TABLE} SET (toast_tuple_target = 128)")
    # with so low a target PostgreSQL would move any value longer than a TOAST pointer (an id) out of the row:
    # the small columns stay in it
    op.execute(f"ALTER TABLE {TABLE} ALTER COLUMN facet_ids SET STORAGE PLAIN, "
               + ", ".join(f"ALTER COLUMN {name} SET STORAGE MAIN" for name in INLINE))
    # the table written again, its rows narrow and packed (in the order of the primary key)
    op.execute(f"CLUSTER {TABLE} USING {TABLE}_pkey")
    if _has_rum():
        op.execute(f"CREATE INDEX {RUM} ON {TABLE} USING rum (search_vector rum_tsvector_ops)")
        op.drop_index(GIN, table_name=TABLE)


def downgrade():
    op.execute(f"ALTER TABLE {TABLE} RESET (toast_tuple_target)")
    op.execute(f"ALTER TABLE {TABLE} ALTER COLUMN facet_ids SET STORAGE EXTENDED, "
               + ", ".join(f"ALTER COLUMN {name} SET STORAGE EXTENDED" for name in INLINE))
    if op.get_bind().execute(sa.text("SELECT 1 FROM pg_indexes WHERE indexname = :n"), {"n": RUM}).first():
        op.create_index(GIN, TABLE, ["search_vector"], postgresql_using="gin")
        op.drop_index(RUM, table_name=TABLE)
