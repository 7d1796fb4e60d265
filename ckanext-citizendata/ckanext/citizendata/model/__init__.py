"""Our tables. The search index is declared on CKAN's metadata (CKAN's test reset empties it with the core
tables); the vocabulary registry on its own metadata. All are created only by the plugin's alembic migrations
(``ckan db upgrade -p citizendata``)."""
from .assessment import assessment_event_table, assessment_table, quality_score_table, url_check_table
from .harvest import harvest_record_table
from .rdf_cache import rdf_cache_table
from .search_index import facet_count_table, facet_value_table, search_index_table
from .vocabulary import concept_table, scheme_table

__all__ = ["assessment_table", "assessment_event_table", "quality_score_table", "url_check_table", "harvest_record_table", "rdf_cache_table", "search_index_table", "facet_value_table", "facet_count_table", "scheme_table", "concept_table"]
