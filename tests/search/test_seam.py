"""CKAN itself, with the PostgreSQL backend behind its search seam: actions, API, permissions, CLI."""
import json

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.cli.cli import ckan as ckan_cli
from ckan.lib import search
from ckan.tests import factories, helpers
from ckanext.harvest.logic.action import update as harvest_update

from ckanext.citizendata.model import search_index_table
from ckanext.citizendata.search import seam
from ckanext.citizendata.search.interface import QueryTooCostly
from ckanext.citizendata.testing import MINIMAL_ENGAGEMENT, CitizenDataset

pytestmark = pytest.mark.usefixtures("clean_db")

# the citizen-data fields a publisher must give, beside title, description and organization
CITIZEN = {"notes": "A citizen-data record.", "initiative_type": "community-survey", "engagement": MINIMAL_ENGAGEMENT}


def api(app, action, headers=None, status=200, **params):
    response = app.get(f"/api/3/action/{action}", query_string=params, headers=headers or {}, status=status)
    return response.json


def api_post(app, action, data, headers, status=200):
    return app.post(f"/api/3/action/{action}", json=data, headers=headers, status=status).json


def found(app, headers=None, **params):
    params.setdefault("rows", 100)
    return {d["name"] for d in api(app, "package_search", headers, **params)["result"]["results"]}


def index_rows(**where):
    query = sa.select(search_index_table.c.name)
    for column, value in where.items():
        query = query.where(search_index_table.c[column] == value)
    return [r[0] for r in model.Session.execute(query)]


def test_connection_is_ours_while_the_plugin_is_enabled():
    assert isinstance(search.common.make_connection(), seam.Connection)
    assert isinstance(search.index.make_connection(), seam.Connection)
    assert harvest_update.make_connection is seam.make_connection  # harvest_source_clear deletes through us
    assert search.check_solr_schema_version() is True


def test_dataset_created_through_the_api_is_searchable_at_once(app, sysadmin_env):
    _, headers = sysadmin_env
    org = factories.Organization(name="cso-one")
    created = api_post(app, "package_create", {
        "name": "ghana-service-satisfaction", "title": "Public Service Satisfaction Survey App",
        "notes": "Citizens rate public services (SDG 16.6.2).", "owner_org": org["id"],
        "tags": [{"name": "governance"}], "resources": [{"url": "http://example.org/r.csv", "format": "CSV"}],
        "initiative_type": "public-service-feedback", "engagement": MINIMAL_ENGAGEMENT,
    }, headers)["result"]
    result = api(app, "package_search", q="satisfaction", **{"facet.field": '["tags","organization","res_format"]'})
    assert result["result"]["count"] == 1
    assert result["result"]["results"][0]["id"] == created["id"]
    facets = result["result"]["search_facets"]
    assert facets["tags"]["items"] == [{"name": "governance", "display_name": "governance", "count": 1}]
    assert facets["organization"]["items"][0]["name"] == "cso-one"
    assert facets["organization"]["items"][0]["display_name"] == org["title"]
    assert facets["res_format"]["items"][0]["name"] == "CSV"
    assert index_rows(id=created["id"]) == ["ghana-service-satisfaction"]
    # package_show reads the validated dict back from the index
    shown = api(app, "package_show", id="ghana-service-satisfaction")["result"]
    assert shown["notes"] == "Citizens rate public services (SDG 16.6.2)."


def test_q_fq_sort_and_paging_through_package_search():
    org = factories.Organization()
    for name, title, tag in [("alpha", "Water survey", "water"), ("bravo", "Budget audit", "budget"),
                             ("charlie", "Water mapping", "water")]:
        CitizenDataset(name=name, title=title, owner_org=org["id"], tags=[{"name": tag}])
    call = helpers.call_action
    assert [d["name"] for d in call("package_search", q="water", sort="name desc")["results"]] == ["charlie", "alpha"]
    assert call("package_search", fq="tags:budget")["count"] == 1
    page = call("package_search", sort="name asc", rows=1, start=1)
    assert page["count"] == 3 and [d["name"] for d in page["results"]] == ["bravo"]
    assert call("package_search", q="title:mapping OR name:bravo", sort="name asc")["count"] == 2


def test_private_datasets_only_reach_those_who_may_see_them(app):
    member = factories.UserWithToken()
    outsider = factories.UserWithToken()
    org = factories.Organization(users=[{"name": member["name"], "capacity": "member"}])
    factories.Organization(users=[{"name": outsider["name"], "capacity": "editor"}])
    CitizenDataset(name="secret-survey", owner_org=org["id"], private=True)
    CitizenDataset(name="open-survey", owner_org=org["id"])
    everything = {"include_private": "true"}
    assert found(app, **everything) == {"open-survey"}
    assert found(app, {"Authorization": outsider["token"]}, **everything) == {"open-survey"}
    assert found(app, {"Authorization": member["token"]}, **everything) == {"open-survey", "secret-survey"}
    sysadmin = factories.SysadminWithToken()
    assert found(app, {"Authorization": sysadmin["token"]}, **everything) == {"open-survey", "secret-survey"}
    # the index holds it, with its labels, but a query for it by name still does not leak it
    assert index_rows(name="secret-survey") == ["secret-survey"]
    assert found(app, q="name:secret-survey", **everything) == set()
    api(app, "package_show", id="secret-survey", status=403)


def test_deleted_datasets_drop_out(app, sysadmin_env):
    admin, _ = sysadmin_env
    org = factories.Organization()
    dataset = CitizenDataset(name="to-delete", owner_org=org["id"])
    assert found(app) == {"to-delete"}
    helpers.call_action("package_delete", context={"user": admin["name"]}, id=dataset["id"])
    assert found(app) == set()
    assert index_rows(name="to-delete") == []  # ckan.search.remove_deleted_packages (default true)


def test_drafts_are_found_only_when_asked_for():
    user = factories.User()
    org = factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    CitizenDataset(name="a-draft", owner_org=org["id"], state="draft", user=user)
    context = {"user": user["name"], "ignore_auth": False}
    assert helpers.call_action("package_search", context=dict(context))["count"] == 0
    drafts = helpers.call_action("package_search", context=dict(context), include_drafts=True)
    assert [d["name"] for d in drafts["results"]] == ["a-draft"]


def test_organization_and_group_dataset_counts(app):
    group = factories.Group(name="sdg-16")
    org = factories.Organization(name="counted-org")
    CitizenDataset(owner_org=org["id"], groups=[{"name": group["name"]}])
    CitizenDataset(owner_org=org["id"])
    CitizenDataset(owner_org=org["id"], private=True)
    orgs = api(app, "organization_list", all_fields="true")["result"]
    assert [(o["name"], o["package_count"]) for o in orgs] == [("counted-org", 2)]
    assert api(app, "group_show", id="sdg-16")["result"]["package_count"] == 1
    assert "2 Datasets" in app.get("/organization/").body


def test_autocomplete(app):
    org = factories.Organization()
    CitizenDataset(name="water-point-mapping", title="Community water point mapping", owner_org=org["id"])
    CitizenDataset(name="budget", title="Participatory budgeting", owner_org=org["id"])
    by_name = api(app, "package_autocomplete", q="water-po")["result"]
    assert [r["name"] for r in by_name] == ["water-point-mapping"] and by_name[0]["match_field"] == "name"
    by_title = api(app, "package_autocomplete", q="particip")["result"]
    assert [r["name"] for r in by_title] == ["budget"] and by_title[0]["match_field"] == "title"
    assert api(app, "package_autocomplete", q="zzz")["result"] == []


def test_a_create_that_fails_at_commit_leaves_neither_record_nor_index_row(app, sysadmin_env):
    """A deferred constraint trigger fails the transaction at COMMIT, after the index row was written."""
    admin, headers = sysadmin_env
    org = factories.Organization()
    as_admin = {"user": admin["name"]}
    ddl = [
        "CREATE OR REPLACE FUNCTION citizendata_test_refuse() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN IF NEW.name LIKE 'refused-%' THEN RAISE EXCEPTION 'refused by test trigger'; END IF; "
        "RETURN NEW; END $$",
        "CREATE CONSTRAINT TRIGGER citizendata_test_refuse AFTER INSERT ON package "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION citizendata_test_refuse()",
    ]
    with model.meta.engine.begin() as conn:
        for statement in ddl:
            conn.execute(sa.text(statement))
    try:
        with pytest.raises(Exception, match="refused by test trigger"):
            helpers.call_action("package_create", context=dict(as_admin), name="refused-one", owner_org=org["id"],
                                **CITIZEN)
        model.Session.rollback()
        app.post("/api/3/action/package_create", json={"name": "refused-two", "owner_org": org["id"], **CITIZEN},
                 headers=headers, status=500, expect_errors=True)
        with model.meta.engine.connect() as conn:
            packages = conn.execute(sa.text("SELECT count(*) FROM package WHERE name LIKE 'refused-%'")).scalar()
            rows = conn.execute(sa.text(
                "SELECT count(*) FROM citizendata_search_index WHERE name LIKE 'refused-%'")).scalar()
        assert (packages, rows) == (0, 0)
        helpers.call_action("package_create", context=dict(as_admin), name="accepted", owner_org=org["id"], **CITIZEN)
        assert index_rows(name="accepted") == ["accepted"]
    finally:
        model.Session.rollback()
        with model.meta.engine.begin() as conn:
            conn.execute(sa.text("DROP TRIGGER IF EXISTS citizendata_test_refuse ON package"))
            conn.execute(sa.text("DROP FUNCTION IF EXISTS citizendata_test_refuse()"))


@pytest.mark.parametrize("params, message", [
    ({"q": "title:(unclosed"}, "cannot parse query"),
    ({"sort": "name sideways"}, "sort"),
    ({"q": "/regex/"}, "regular expressions"),
])
def test_bad_queries_get_a_400_that_says_why(app, params, message):
    error = api(app, "package_search", status=400, **params)["error"]
    assert error["__type"] == "Search Query Error"
    assert message in error["message"]


def test_search_index_cli_clear_check_rebuild(cli):
    org = factories.Organization()
    for i in range(3):
        CitizenDataset(name=f"cli-{i}", owner_org=org["id"])
    assert helpers.call_action("package_search")["count"] == 3
    result = cli.invoke(ckan_cli, ["search-index", "clear"])
    assert result.exit_code == 0, result.output
    model.Session.remove()
    assert helpers.call_action("package_search")["count"] == 0
    check = cli.invoke(ckan_cli, ["search-index", "check"])
    assert "Packages not indexed = 3 out of 3" in check.output
    result = cli.invoke(ckan_cli, ["search-index", "rebuild"])
    assert result.exit_code == 0, result.output
    model.Session.remove()
    assert helpers.call_action("package_search")["count"] == 3
    assert "Packages not indexed = 0 out of 3" in cli.invoke(ckan_cli, ["search-index", "check"]).output
    shown = cli.invoke(ckan_cli, ["search-index", "show", "cli-1"])
    assert shown.exit_code == 0 and "cli-1" in shown.output


@pytest.mark.with_plugins("ckan_harvester")
def test_harvest_plugin_filter_is_understood(sysadmin_env):
    """ckanext-harvest adds ``-dataset_type:harvest`` to every search; harvest sources stay out."""
    admin, _ = sysadmin_env
    org = factories.Organization()
    CitizenDataset(name="normal", owner_org=org["id"])
    helpers.call_action("harvest_source_create", context={"user": admin["name"]}, name="partner-portal",
                        title="Partner portal", url="http://127.0.0.1:9/", source_type="ckan", owner_org=org["id"])
    assert [d["name"] for d in helpers.call_action("package_search")["results"]] == ["normal"]
    sources = helpers.call_action("package_search", fq="+dataset_type:harvest")
    assert [d["name"] for d in sources["results"]] == ["partner-portal"]


def test_index_document_keeps_ckan_fields(app):
    org = factories.Organization(name="doc-org")
    dataset = CitizenDataset(name="doc-check", owner_org=org["id"], extras=[{"key": "sdg", "value": "16.6.2"}])
    doc = search.show("doc-check")
    assert doc["organization"] == "doc-org" and doc["permission_labels"] == ["public"]
    assert doc["extras_sdg"] == "16.6.2" and json.loads(doc["validated_data_dict"])["id"] == dataset["id"]
    assert found(app, q="extras_sdg:16.6.2") == {"doc-check"}


# ---------------------------------------------------------------- errors the client may read, and those it may not
class FailingBackend:
    """A backend whose search fails as a backend can: past its time limit, or with a database error."""

    name = "failing"

    def __init__(self, error):
        self.error = error

    def search(self, request):
        raise self.error

    def add(self, docs):
        raise self.error


def test_a_too_costly_search_is_a_query_error_in_our_words():
    connection = seam.Connection(FailingBackend(QueryTooCostly("the search took longer than the limit of 5 ms")))
    with pytest.raises(search.SearchQueryError, match="took longer than the limit of 5 ms"):
        connection.search(q="water")


@pytest.mark.parametrize("call, error, words", [
    (lambda c: c.search(q="water"), search.SearchError, "the search failed (the server's log says why)"),
    (lambda c: c.add([{"index_id": "x"}]), search.SearchIndexError, "could not index (the server's log says why)"),
])
def test_a_database_error_reaches_the_log_not_the_client(caplog, monkeypatch, call, error, words):
    orig = Exception('psycopg2.errors.StatementTooComplex: stack depth limit exceeded')
    connection = seam.Connection(FailingBackend(sa.exc.OperationalError("SELECT 1", {}, orig)))
    # CKAN's logging configuration may have disabled loggers made before it ran; listen to ours directly
    monkeypatch.setattr(seam.log, "disabled", False)
    seam.log.addHandler(caplog.handler)
    try:
        with pytest.raises(error) as err:
            call(connection)
    finally:
        seam.log.removeHandler(caplog.handler)
    assert "stack depth" not in str(err.value) and "psycopg2" not in str(err.value)
    assert words in str(err.value)
    assert "stack depth limit exceeded" in caplog.text


@pytest.mark.parametrize("url, message", [
    ("/api/3/action/package_search?fq=metadata_modified:NOW%2B99999999999DAYS", "is outside the calendar"),
    ("/api/3/action/package_search?q=" + "(" * 500 + "a" + ")" * 500, "ckanext.citizendata.limits.query_depth"),
    ("/api/3/action/package_search?q=" + "NOT%20" * 200 + "a", "ckanext.citizendata.limits.query_depth"),
    ("/api/3/action/package_search?q=" + "water%20" * 400, "ckanext.citizendata.limits.q_chars"),
    ("/api/3/action/package_search?fq=num_resources:[-1%20TO%201]", None),
])
def test_hostile_queries_that_answered_500_now_answer_400_or_200(app, url, message):
    CitizenDataset(title="Water")
    if message is None:
        assert app.get(url, status=200).json["result"]["count"] == 1  # no resources: 0 is within [-1, 1]
        return
    assert message in app.get(url, status=400).json["error"]["message"]


def test_rows_past_ckan_s_maximum_are_capped_as_ckan_caps_them(app):
    """``rows`` is bounded by CKAN's own ``ckan.search.rows_max`` (1000): capped, not refused."""
    for _ in range(3):
        CitizenDataset()
    with_ckan_max = app.get("/api/3/action/package_search?rows=100000", status=200).json["result"]
    assert with_ckan_max["count"] == 3 and len(with_ckan_max["results"]) == 3
    app.get("/api/3/action/package_search?rows=1e999", status=409)


@pytest.mark.ckan_config("ckan.search.rows_max", "2")
def test_rows_are_capped_at_ckan_s_configured_maximum(app):
    for _ in range(3):
        CitizenDataset()
    result = app.get("/api/3/action/package_search?rows=100000", status=200).json["result"]
    assert result["count"] == 3 and len(result["results"]) == 2
