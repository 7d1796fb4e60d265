"""PostgreSQL-specific behaviour of the search backend (the shared behaviour is in test_conformance.py)."""
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from ckanext.citizendata.model import search_index_table
from ckanext.citizendata.search import lucene
from ckanext.citizendata.search.postgres.compiler import Compiler


def test_user_values_travel_as_bound_parameters():
    hostile = "x'); DROP TABLE package; --"
    for q in [f'title:"{hostile}"', f'tags:"{hostile}"', f'name:"{hostile}"', f'"{hostile}"',
              f'permission_labels:"{hostile}"', 'tags:x\\\'\\)*']:
        compiler = Compiler(search_index_table, sa.bindparam("cfg", "english"))
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



@pytest.mark.usefixtures("clean_db")
def test_plain_fields_are_read_without_the_document_and_equal_its_values():
    """``fl`` of plain columns and the big texts (CKAN's own "id validated_data_dict") skips the jsonb document;
    what comes back is what the document path gives."""
    from ckan.tests import factories
    from ckanext.citizendata.search.postgres import backend as postgres
    from ckanext.citizendata.search.request import to_request
    from ckanext.citizendata.testing import CitizenDataset
    org = factories.Organization()
    for i in range(3):
        CitizenDataset(owner_org=org["id"], title=f"Plain {i}")
    backend = postgres.PostgresBackend()
    params = {"q": "*:*", "fq": "+capacity:public +state:active", "rows": 10, "sort": "metadata_modified desc"}
    fields = sorted(postgres.PLAIN_FIELDS) + ["validated_data_dict"]
    plain = backend.search(to_request(dict(params, fl=" ".join(fields)))).docs
    whole = backend.search(to_request(dict(params, fl="*"))).docs
    assert len(plain) == 3
    assert plain == [{name: doc[name] for name in fields} for doc in whole]
    statements = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", seen)
    try:
        backend.search(to_request(dict(params, fl="id validated_data_dict")))
        backend.search(to_request(dict(params, fl="id title")))
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", seen)
    reads = [s for s in statements if "LIMIT" in s]
    assert len(reads) == 2
    assert ".doc" not in reads[0] and ".doc" in reads[1]  # title is not a plain field: the document is read


@pytest.mark.usefixtures("clean_db")
def test_newest_first_pages_can_walk_an_index_instead_of_sorting():
    """``sort=metadata_modified desc`` (ckanext-dcat's catalog pages) is compiled in the order of the index of
    migration f6b8d0e30006, so a deep page need not sort every matching row."""
    from ckan import model
    from ckan.tests import factories
    from ckanext.citizendata.search.postgres import backend as postgres
    from ckanext.citizendata.search.request import to_request
    from ckanext.citizendata.testing import CitizenDataset
    org = factories.Organization()
    for i in range(3):
        CitizenDataset(owner_org=org["id"], title=f"Newest {i}")
    seen = []

    def capture(conn, cursor, statement, parameters, *args):
        if "LIMIT" in statement and "ORDER BY" in statement:
            seen.append((statement, parameters))
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", capture)
    try:
        postgres.PostgresBackend().search(to_request({"q": "*:*", "rows": 2, "start": 1, "fl": "id validated_data_dict",
                                                      "sort": "metadata_modified desc"}))
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", capture)
    [(statement, parameters)] = seen
    connection = model.Session.connection()
    connection.exec_driver_sql("SET LOCAL enable_sort = off")
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    plan = "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters))
    assert "citizendata_search_index_newest_idx" in plan and "Sort" not in plan, plan
