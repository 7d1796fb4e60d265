"""PostgreSQL-specific behaviour of the search backend (the shared behaviour is in test_conformance.py)."""
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from ckanext.citizendata.model import search_index_table
from ckanext.citizendata.search import lucene
from ckanext.citizendata.search.postgres import _Compiler


def test_user_values_travel_as_bound_parameters():
    hostile = "x'); DROP TABLE package; --"
    for q in [f'title:"{hostile}"', f'tags:"{hostile}"', f'name:"{hostile}"', f'"{hostile}"',
              f'permission_labels:"{hostile}"', 'tags:x\\\'\\)*']:
        compiler = _Compiler(search_index_table, sa.bindparam("cfg", "english"))
        stmt = sa.select(search_index_table.c.id).where(compiler.where(lucene.parse(q)))
        compiled = stmt.compile(dialect=postgresql.dialect())
        assert "DROP TABLE" not in str(compiled), q
        assert "x'" not in str(compiled), q
        assert any("DROP TABLE" in repr(v) or "x'" in repr(v) for v in compiled.params.values()), q


def test_record_configs_follow_the_language_field():
    from ckanext.citizendata.search.fields import record_configs
    assert record_configs({"language": ["es"]}, "english") == ("english", "spanish")
    assert record_configs({"language": ["http://publications.europa.eu/resource/authority/language/ARA"]},
                          "english") == ("english", "arabic")
    assert record_configs({"language": ["xx"]}, "english") == ("english", "english")
    assert record_configs({}, "french") == ("french", "french")
