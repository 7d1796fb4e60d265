"""Our tables, declared on CKAN's metadata so CKAN's test fixtures empty them with the core tables.
They are created only by the plugin's alembic migrations (``ckan db upgrade -p citizendata``)."""
from .search_index import search_index_table

__all__ = ["search_index_table"]
