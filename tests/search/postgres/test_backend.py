"""PostgreSQL-specific behaviour of the search backend's reads (the shared behaviour is in test_conformance.py)."""
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories
from sqlalchemy.dialects import postgresql

from ckanext.citizendata.search.interface import QueryTooCostly, SortKey
from ckanext.citizendata.search.postgres import backend as postgres
from ckanext.citizendata.search.request import to_request
from ckanext.citizendata.testing import CitizenDataset


def statements_of(run, keep):
    """The SQL statements ``run()`` sends that ``keep(statement)`` accepts, with their parameters."""
    seen = []

    def capture(conn, cursor, statement, parameters, *args):
        if keep(statement):
            seen.append((statement, parameters))
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", capture)
    try:
        run()
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", capture)
    return seen


def datasets(title, count=3):
    org = factories.Organization()
    for i in range(count):
        CitizenDataset(owner_org=org["id"], title=f"{title} {i}")


@pytest.mark.usefixtures("clean_db")
def test_plain_fields_are_read_without_the_document_and_equal_its_values():
    """``fl`` of plain columns and the big texts (CKAN's own "id validated_data_dict") skips the jsonb document;
    what comes back is what the document path gives."""
    datasets("Plain")
    backend = postgres.PostgresBackend()
    params = {"q": "*:*", "fq": "+capacity:public +state:active", "rows": 10, "sort": "metadata_modified desc"}
    fields = sorted(postgres.PLAIN_FIELDS) + ["validated_data_dict"]
    plain = backend.search(to_request(dict(params, fl=" ".join(fields)))).docs
    whole = backend.search(to_request(dict(params, fl="*"))).docs
    assert len(plain) == 3
    assert plain == [{name: doc[name] for name in fields} for doc in whole]

    def two_searches():
        backend.search(to_request(dict(params, fl="id validated_data_dict")))
        backend.search(to_request(dict(params, fl="id title")))
    reads = [statement for statement, _ in statements_of(two_searches, lambda statement: "LIMIT" in statement)]
    assert len(reads) == 2
    assert ".doc" not in reads[0] and ".doc" in reads[1]  # title is not a plain field: the document is read


@pytest.mark.usefixtures("clean_db")
def test_newest_first_pages_can_walk_an_index_instead_of_sorting():
    """``sort=metadata_modified desc`` (ckanext-dcat's catalog pages) is compiled in the order of the index of
    migration f6b8d0e30006, so a deep page need not sort every matching row."""
    datasets("Newest")
    request = to_request({"q": "*:*", "rows": 2, "start": 1, "fl": "id validated_data_dict",
                          "sort": "metadata_modified desc"})
    [(statement, parameters)] = statements_of(lambda: postgres.PostgresBackend().search(request),
                                              lambda statement: "LIMIT" in statement and "ORDER BY" in statement)
    connection = model.Session.connection()
    connection.exec_driver_sql("SET LOCAL enable_sort = off")
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    plan = "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters))
    assert "citizendata_search_index_newest_idx" in plan and "Sort" not in plan, plan


def order_by(keys, rank):
    """The ORDER BY the backend compiles for sort ``keys``, as SQL text."""
    backend = postgres.PostgresBackend()
    stmt = sa.select(backend.table.c.id).order_by(*backend._ordering(keys, rank))
    return str(stmt.compile(dialect=postgresql.dialect())).split("ORDER BY ")[1]


def test_score_is_sorted_by_only_when_there_are_words_to_rank_by():
    keys = (SortKey("score", True), SortKey("name", False))
    rank = sa.literal_column("the_rank")
    assert order_by(keys, None) == ("citizendata_search_index.name ASC NULLS LAST, "
                                    "citizendata_search_index.index_id ASC")
    assert order_by(keys, rank).startswith("the_rank DESC NULLS LAST, citizendata_search_index.name ASC")


def test_every_order_ends_with_the_index_id_and_titles_sort_without_case():
    assert order_by((), None) == "citizendata_search_index.index_id ASC"
    assert order_by((SortKey("title_string", False),), None).startswith("lower(citizendata_search_index.title) ASC")
    assert "->>" in order_by((SortKey("sdg_goals", True),), None)  # other fields: their first value in ``fields``


@pytest.mark.parametrize("wanted, columns", [
    ({"*"}, ["doc", "data_dict", "validated_data_dict"]),
    ({"id", "validated_data_dict"}, ["id", "validated_data_dict"]),
    ({"name", "title"}, ["doc"]),                                   # title is not a plain field
    ({"id", "score"}, ["doc", "score"]),                            # nor is the score: it is computed
])
def test_columns_read_for_the_wanted_fields(wanted, columns):
    read = postgres.PostgresBackend()._columns(wanted, None)
    assert [column.name for column in read] == columns


def test_rows_become_the_wanted_fields_of_the_document():
    row = {"doc": {"id": "x", "name": "n", "title": "T"}, "validated_data_dict": "{}"}
    assert postgres._pick(dict(row), {"title", "validated_data_dict", "missing"}) == {
        "title": "T", "validated_data_dict": "{}"}
    assert postgres._pick(dict(row), {"*"}) == {"id": "x", "name": "n", "title": "T", "validated_data_dict": "{}"}
    assert postgres._pick({"id": "x", "doc": None}, {"id"}) == {"id": "x"}


# ---------------------------------------------------------------- statement_timeout
@pytest.mark.usefixtures("clean_db")
def test_a_statement_past_the_timeout_is_stopped_and_the_transaction_stays_usable():
    session = model.Session
    before = session.execute(sa.text("SHOW statement_timeout")).scalar()
    with pytest.raises(QueryTooCostly) as err:
        with session.begin_nested(), postgres.statement_timeout(session, 5):
            session.execute(sa.text("SELECT pg_sleep(2)"))
    assert str(err.value).startswith("the search took longer than the limit of 5 ms "
                                     "(ckanext.citizendata.limits.search_statement_timeout_ms)")
    assert "cancel" not in str(err.value)  # PostgreSQL's own words ("canceling statement ...") stay in the log
    assert session.execute(sa.text("SELECT 1")).scalar() == 1
    assert session.execute(sa.text("SHOW statement_timeout")).scalar() == before


@pytest.mark.usefixtures("clean_db")
def test_a_search_runs_under_the_request_s_timeout_and_puts_the_previous_one_back():
    datasets("Timed")
    session = model.Session
    before = session.execute(sa.text("SHOW statement_timeout")).scalar()
    backend = postgres.PostgresBackend()
    timed = to_request({"q": "timed"}, bounds={"search_statement_timeout_ms": 1234})
    timeouts = timeout_settings(lambda: backend.search(timed))
    assert timeouts[0] == "1234ms" and timeouts[-1] == before  # set first, the previous value put back last
    assert session.execute(sa.text("SHOW statement_timeout")).scalar() == before
    assert backend.search(timed).hits == 3


@pytest.mark.usefixtures("clean_db")
@pytest.mark.usefixtures("clean_db")
def test_a_search_sets_the_planner_s_settings_for_its_transaction_only(ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.citizendata.search.postgres.work_mem", "48MB")
    datasets("Memory", count=1)
    settings = statements_of(lambda: postgres.PostgresBackend().search(to_request({"q": "memory"})),
                             lambda statement: "set_config" in statement)
    bound = [value for _, parameters in settings for value in (parameters or {}).values()]
    assert "work_mem" in bound and "48MB" in bound
    model.Session.rollback()   # the end of the request's transaction
    assert model.Session.execute(sa.text("SHOW work_mem")).scalar_one() != "48MB"


def test_no_timeout_sets_nothing():
    backend = postgres.PostgresBackend()
    untimed = to_request({"q": "x"}, bounds={"search_statement_timeout_ms": 0})
    assert timeout_settings(lambda: backend.search(untimed)) == []
    assert timeout_settings(lambda: backend.search(to_request({"q": "x"}))) == ["10000ms", "0"]  # the default


def timeout_settings(run) -> list:
    """The values ``run()`` sets statement_timeout to (set_config's name and value travel as parameters)."""
    seen = statements_of(run, lambda statement: "set_config" in statement)
    values = []
    for _, params in seen:
        items = list(params.values())  # in the statement's order: set_config(name, value, is_local)
        if "statement_timeout" in items:
            last = len(items) - 1 - items[::-1].index("statement_timeout")
            values.append(items[last + 1])
    return values


# ------------------------------------------------------------------ ranking in the index (RUM) or not (GIN)
@pytest.fixture
def rum_index():
    if not postgres.ranks_in_index(model.Session):
        pytest.skip("the rum extension is not in the test database (make test installs it on a server of this "
                    "machine; a managed server without it is the GIN path)")
    yield
    postgres.forget_index_kind()


def use_gin_index():
    """The text index as on a server without RUM (migration c9e1a3b50009's other branch)."""
    replace_text_index(postgres.text_index_statement(postgres.GIN_INDEX))


def ranked_names(queries):
    from ckan.tests import helpers
    return [[d["name"] for d in helpers.call_action("package_search", q=q, rows=10, start=start)["results"]]
            for q, start in queries]


@pytest.mark.usefixtures("clean_db")
def test_rum_and_gin_rank_alike_and_rum_reads_the_first_page_in_rank_order(cli, rum_index):
    import os

    import yaml
    from ckan.cli.cli import ckan as ckan_cli

    from ckanext.citizendata.ingest import bulkload
    assert cli.invoke(ckan_cli, ["citizendata", "seed-demo"]).exit_code == 0
    bulkload.generate(150, seed=8)
    relevance = yaml.safe_load(open(os.path.join(os.path.dirname(__file__), "..", "relevance.yaml"), encoding="utf-8"))
    queries = [(case["q"], 0) for case in relevance] + [
        ("survey", 0), ("survey", 10), ("community survey", 0), ("women", 0), ("data", 30), ("monitoring", 0)]
    backend = postgres.PostgresBackend()
    [(statement, parameters)] = statements_of(
        lambda: backend.search(to_request({"q": "survey", "rows": 20, "sort": "score desc, metadata_modified desc"})),
        lambda statement: "LIMIT" in statement)
    assert "<=>" in statement
    connection = model.Session.connection()
    connection.exec_driver_sql("SET LOCAL enable_sort = off")   # as on a large catalog, where sorting every match
    connection.exec_driver_sql("SET LOCAL enable_bitmapscan = off")   # costs more than reading the index in order
    plan = "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters))
    assert postgres.RUM_INDEX in plan and "Order By" in plan, plan
    with_rum = ranked_names(queries)
    assert sum(len(names) for names in with_rum) > 150
    use_gin_index()
    assert not postgres.ranks_in_index(model.Session)
    [(statement, _)] = statements_of(
        lambda: backend.search(to_request({"q": "survey", "rows": 20, "sort": "score desc, metadata_modified desc"})),
        lambda statement: "LIMIT" in statement)
    assert "<=>" not in statement and "ts_rank" in statement
    assert ranked_names(queries) == with_rum


# ------------------------------------------------------------------ writes that change nothing, and bulk loads
def row_version(package_id):
    """The row's system column xmin: the transaction that wrote its current version."""
    return model.Session.execute(sa.text("SELECT xmin::text FROM citizendata_search_index WHERE id = :id"),
                                 {"id": package_id}).scalar_one()


@pytest.mark.usefixtures("clean_db")
def test_a_row_written_again_as_it_was_is_left_alone_and_a_changed_one_is_replaced():
    """A rebuild of unchanged records writes no new row versions (no index upkeep, no bloat); the facet counts
    stay right either way."""
    from ckan import logic
    from ckan.tests import helpers

    from ckanext.citizendata.model import facet_count_table
    dataset = CitizenDataset(title="Unchanged")
    logic.index_update_package({"ignore_auth": True}, dataset["id"])
    model.Session.commit()
    before, counts = row_version(dataset["id"]), set(model.Session.execute(sa.select(facet_count_table)).all())
    logic.index_update_package({"ignore_auth": True}, dataset["id"])
    model.Session.commit()
    assert row_version(dataset["id"]) == before
    assert set(model.Session.execute(sa.select(facet_count_table)).all()) == counts
    helpers.call_action("package_patch", context={"user": factories.Sysadmin()["name"]}, id=dataset["id"],
                        title="Changed")
    model.Session.commit()
    assert row_version(dataset["id"]) != before
    [title] = model.Session.execute(sa.text("SELECT title FROM citizendata_search_index WHERE id = :id"),
                                    {"id": dataset["id"]}).scalars()
    assert title == "Changed"


def text_index_definition():
    return model.Session.execute(sa.text("SELECT indexdef FROM pg_indexes WHERE indexname IN (:rum, :gin)"),
                                 {"rum": postgres.RUM_INDEX, "gin": postgres.GIN_INDEX}).scalars().all()


@pytest.fixture(params=["rum", "gin"])
def text_index_kind(request):
    """The text index of one kind for the test (RUM only where the server has it), the original put back after."""
    [original] = text_index_definition()
    if request.param == "rum" and not postgres.has_rum_extension(model.Session):
        pytest.skip("the rum extension is not in the test database")
    replace_text_index(postgres.text_index_statement(postgres.RUM_INDEX if request.param == "rum"
                                                     else postgres.GIN_INDEX))
    yield request.param
    model.Session.rollback()
    replace_text_index(original)


def replace_text_index(definition):
    connection = model.Session.connection()
    for name in (postgres.RUM_INDEX, postgres.GIN_INDEX):
        connection.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
    connection.exec_driver_sql(definition)
    model.Session.commit()
    postgres.forget_index_kind()


@pytest.mark.usefixtures("clean_db")
def test_a_bulk_load_builds_the_text_index_once_at_its_end_even_when_it_fails(text_index_kind):
    [definition] = text_index_definition()
    backend = postgres.PostgresBackend()
    with backend.bulk_load():
        assert text_index_definition() == []
        datasets("Loaded", count=2)
    assert text_index_definition() == [definition]
    assert backend.search(to_request({"q": "loaded"})).hits == 2
    with pytest.raises(RuntimeError), backend.bulk_load():
        raise RuntimeError("a rebuild stopped")
    assert text_index_definition() == [definition]
    assert postgres.ranks_in_index(model.Session) == (text_index_kind == "rum")
    # as a bulk load whose process was killed leaves it: no text index; the next one makes the migrations' choice
    for name in (postgres.RUM_INDEX, postgres.GIN_INDEX):
        model.Session.execute(sa.text(f"DROP INDEX IF EXISTS {name}"))
    model.Session.commit()
    with backend.bulk_load():
        pass
    [rebuilt] = text_index_definition()
    assert (postgres.RUM_INDEX in rebuilt) == postgres.has_rum_extension(model.Session) \
        == postgres.ranks_in_index(model.Session)


@pytest.mark.usefixtures("clean_db")
def test_clearing_the_whole_index_truncates_it_unless_another_transaction_holds_it():
    from ckan.lib import search

    from ckanext.citizendata.model import facet_count_table
    from ckanext.citizendata.search import lucene

    def file_and_rows():   # TRUNCATE gives the table a new file; a DELETE keeps it
        return model.Session.execute(sa.text("SELECT pg_relation_filenode('citizendata_search_index'), "
                                             "(SELECT count(*) FROM citizendata_search_index)")).one()
    datasets("Cleared", count=2)
    model.Session.commit()
    (before, rows) = file_and_rows()
    search.index_for(model.Package).clear()
    model.Session.commit()
    assert rows == 2 and file_and_rows()[0] != before and file_and_rows()[1] == 0
    assert model.Session.execute(sa.select(facet_count_table)).all() == []
    datasets("Held", count=2)
    model.Session.commit()
    (before, _) = file_and_rows()
    other = model.meta.engine.connect()   # another transaction reading the table: TRUNCATE would wait for it
    other.exec_driver_sql("BEGIN")
    other.exec_driver_sql("SELECT count(*) FROM citizendata_search_index")
    try:
        assert postgres.PostgresBackend().delete(lucene.parse('+site_id:"default"')) == 2
        model.Session.commit()
    finally:
        other.exec_driver_sql("ROLLBACK")
        other.close()
    assert file_and_rows() == (before, 0)   # deleted row by row instead
    assert model.Session.execute(sa.text("SHOW lock_timeout")).scalar_one() == "0"
