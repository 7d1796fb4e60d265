"""Facet counts kept on write must always equal counts computed from the rows."""
import doctest
import json

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.cli.cli import ckan as ckan_cli
from ckan.tests import factories, helpers

from ckanext.citizendata.search import facet_store, lucene
from ckanext.citizendata.search.facet_store import facetable_fields, public_scope
from ckanext.citizendata.search.interface import Bool
from ckanext.citizendata.search.postgres.backend import PostgresBackend
from ckanext.citizendata.search.postgres.compiler import Compiler
from ckanext.citizendata.search.request import to_request
from ckanext.citizendata.testing import CitizenDataset

FACETS = ["initiative_type", "engagement_stage", "engagement_level_max", "meets_copenhagen_definition",
          "sdg_goals", "countries", "organization", "tags", "dataset_type"]


def tree(*fqs):
    return to_request({"fq": list(fqs)}).query


@pytest.mark.parametrize("fqs, scope", [
    # what CKAN sends for an anonymous visitor of /dataset
    (['+capacity:public  +state:(active) -dataset_type:harvest', '+dataset_type:dataset', '+site_id:"default"',
      '+permission_labels:("public")'], ("default", {"dataset"}, {"harvest"})),
    (['+capacity:public +state:(active)'], (None, None, set())),
    (['+permission_labels:("public")', '+site_id:"default"'], ("default", None, set())),
    # dataset types asked for by several filters: those all of them name
    (['+permission_labels:("public")', '+dataset_type:(dataset)', '+dataset_type:dataset'], (None, {"dataset"}, set())),
    (['+permission_labels:("public")', '+dataset_type:dataset', '+dataset_type:showcase'], (None, set(), set())),
    (['+permission_labels:("public")', '-dataset_type:harvest -dataset_type:showcase'],
     (None, None, {"harvest", "showcase"})),
])
def test_the_visitors_view_is_recognised(fqs, scope):
    assert public_scope(tree(*fqs)) == scope


@pytest.mark.parametrize("fqs", [
    ['+capacity:public +state:(active)', 'tags:economy'],                              # a filter
    ['+state:(active)', '+permission_labels:("public" OR "member-1")'],                # a signed-in user
    ['+state:(active OR draft)', '+capacity:public'],                                   # drafts asked for
    ['+site_id:"default"'],                                                             # private included
    ['+capacity:public +state:(active)', '-tags:economy'],                             # another exclusion
    ['+capacity:public +state:(active)', '-(dataset_type:harvest OR dataset_type:x)'],  # a nested exclusion
    ['+capacity:public +state:(active)', '+(name:a OR name:b)'],                       # a choice
    ['+capacity:public +state:(active)', 'metadata_modified:[* TO NOW]'],              # a range
    ['+permission_labels:("public" OR "member-1") +name:a'],                           # labels beside a filter
])
def test_anything_else_is_counted_from_the_rows(fqs):
    assert public_scope(tree(*fqs)) is None


def test_match_all_is_not_the_visitors_view_on_its_own():
    assert public_scope(tree("*:*")) is None  # private rows are counted too


def test_free_text_is_not_the_visitors_view():
    request = to_request({"q": "water", "defType": "dismax", "fq": "+capacity:public +state:(active)"})
    assert isinstance(request.query, Bool) and public_scope(request.query) is None


def facets_three_ways(fq_extra=None):
    backend = PostgresBackend()
    base = ['+capacity:public +state:(active)', '+site_id:"default"']
    kept = backend.search(to_request({"fq": base, "rows": 0, "facet.field": FACETS, "facet.limit": -1})).facets
    # the same rows, with a filter that matches them all: counted from the rows' facet ids in one pass
    one_pass = backend.search(to_request({"fq": base + ["+name:*"], "rows": 0, "facet.field": FACETS,
                                          "facet.limit": -1})).facets
    # and from the jsonb fields, the general path
    request = to_request({"fq": base, "facet.limit": -1})
    where = Compiler(backend.table, backend._cfg()).where(request.query)
    general = {f: backend._facet(model.Session, f, where, request) for f in FACETS}
    return kept, one_pass, general


@pytest.mark.usefixtures("clean_db")
def test_kept_counts_follow_every_write():
    org = factories.Organization(name="facet-org")
    sysadmin = factories.Sysadmin()
    as_admin = {"user": sysadmin["name"]}
    a = CitizenDataset(owner_org=org["id"], initiative_type="social-audit", sdg_indicators=["16.6.2"],
                       countries=["GHA"], tags=[{"name": "water"}])
    b = CitizenDataset(owner_org=org["id"], initiative_type="citizen-science", countries=["GHA", "KEN"])
    c = CitizenDataset(owner_org=org["id"], initiative_type="social-audit", private=True)
    CitizenDataset(owner_org=org["id"], initiative_type="community-survey",
                   engagement=[{"stage": "use", "level": 2}])
    helpers.call_action("package_patch", context=dict(as_admin), id=a["id"], initiative_type="citizen-science",
                        tags=[{"name": "air"}])
    helpers.call_action("package_patch", context=dict(as_admin), id=b["id"], private=True)
    helpers.call_action("package_patch", context=dict(as_admin), id=c["id"], private=False)
    d = CitizenDataset(owner_org=org["id"], initiative_type="participatory-mapping")
    helpers.call_action("package_delete", context=dict(as_admin), id=d["id"])
    e = CitizenDataset(owner_org=org["id"], initiative_type="participatory-mapping")
    helpers.call_action("dataset_purge", context=dict(as_admin), id=e["id"])
    kept, one_pass, general = facets_three_ways()
    assert kept == one_pass == general
    assert dict(kept["initiative_type"]) == {"citizen-science": 1, "social-audit": 1, "community-survey": 1}
    assert dict(kept["tags"]) == {"air": 1}
    assert dict(kept["meets_copenhagen_definition"]) == {"true": 2, "false": 1}


@pytest.mark.parametrize("params, narrowing", [
    ({"q": "harbour", "defType": "dismax"}, "Term(field=None, value='harbour')"),
    ({"q": "harbour", "fq": "+tags:economy"}, "Term(field='tags', value='economy')"),
])
def test_what_narrows_the_visitors_view_is_split_from_it(params, narrowing):
    visitor = ['+capacity:public +state:(active)', '+site_id:"default"', '-dataset_type:harvest']
    query = to_request(dict(params, fq=visitor + [params["fq"]] if "fq" in params else visitor)).query
    scope, _, rest = facet_store.split_scope(query)
    assert scope == ("default", None, {"harvest"}) and narrowing in repr(rest)


@pytest.mark.parametrize("fqs", [
    ['+capacity:public +state:(active)'],                                               # nothing narrows it
    ['+state:(active)', '+permission_labels:("public" OR "member-1")', '+tags:economy'],  # a signed-in user
    ['+site_id:"default"', '+tags:economy'],                                            # private included
    ['+capacity:public +state:(active)', '+(name:a OR name:b)'],                       # a choice
])
def test_a_query_that_is_not_a_narrowed_visitors_view_is_not_split(fqs):
    assert facet_store.split_scope(tree(*fqs)) is None


def statements_of(run):
    seen = []

    def capture(conn, cursor, statement, *args):
        seen.append(statement)
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", capture)
    try:
        result = run()
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", capture)
    return result, seen


@pytest.mark.usefixtures("clean_db")
def test_a_word_most_visible_records_hold_is_faceted_from_the_kept_counts_less_the_records_without_it(
        monkeypatch):
    org = factories.Organization(name="harbour-org")
    other = factories.Organization(name="other-org")
    # eleven with the word, one without: fewer left out than a tenth of the matches
    for kind, countries in [("social-audit", ["GHA"])] * 5 + [("social-audit", ["GHA", "KEN"])] * 2 + \
            [("citizen-science", [])] * 4:
        CitizenDataset(owner_org=org["id"], title="Harbour water", initiative_type=kind, countries=countries)
    CitizenDataset(owner_org=other["id"], title="Dry land", initiative_type="citizen-science", countries=["KEN"])
    CitizenDataset(owner_org=other["id"], title="Harbour secret", initiative_type="social-audit", private=True,
                   countries=["KEN"])
    backend = PostgresBackend()
    visitor = ['+capacity:public +state:(active)', '+site_id:"default"']

    def search(q):
        return backend.search(to_request({"q": q, "defType": "dismax", "fq": visitor, "rows": 0,
                                          "facet.field": FACETS, "facet.limit": -1}))
    by_complement, statements = statements_of(lambda: search("harbour"))
    assert by_complement.hits == 11 and any("matched" in statement for statement in statements)
    assert dict(by_complement.facets["initiative_type"]) == {"social-audit": 7, "citizen-science": 4}
    assert dict(by_complement.facets["countries"]) == {"GHA": 7, "KEN": 2}
    assert dict(by_complement.facets["organization"]) == {"harbour-org": 11}
    monkeypatch.setattr(facet_store.FacetStore, "_by_complement", lambda *args: None)
    assert search("harbour").facets == by_complement.facets
    monkeypatch.undo()
    few, statements = statements_of(lambda: search("dry"))   # fewer matches than left out: counted one by one
    assert few.hits == 1 and not any("matched" in statement for statement in statements)
    assert dict(few.facets["countries"]) == {"KEN": 1}


@pytest.mark.usefixtures("clean_db")
def test_kept_counts_survive_clear_and_rebuild(cli):
    org = factories.Organization()
    for kind in ("social-audit", "social-audit", "citizen-science"):
        CitizenDataset(owner_org=org["id"], initiative_type=kind)
    before = facets_three_ways()[0]
    assert cli.invoke(ckan_cli, ["search-index", "clear"]).exit_code == 0
    model.Session.remove()
    assert all(items == [] for items in facets_three_ways()[0].values())
    assert cli.invoke(ckan_cli, ["search-index", "rebuild"]).exit_code == 0
    model.Session.remove()
    kept, one_pass, general = facets_three_ways()
    assert kept == before == one_pass == general


@pytest.mark.usefixtures("clean_db")
def test_anonymous_search_page_uses_the_kept_counts(app):
    org = factories.Organization()
    CitizenDataset(owner_org=org["id"], initiative_type="social-audit")
    CitizenDataset(owner_org=org["id"], initiative_type="social-audit", private=True)
    result = app.get("/api/3/action/package_search",
                     query_string={"facet.field": json.dumps(["initiative_type"]), "include_private": "true"}).json
    assert result["result"]["search_facets"]["initiative_type"]["items"][0]["count"] == 1


@pytest.mark.usefixtures("clean_db")
def test_facet_filters_select_what_the_jsonb_path_selects():
    """Filters on facetable fields test the inline facet_ids array; they must pick exactly the rows the general
    jsonb path picks, for known, unknown, negated and combined values."""
    org = factories.Organization()
    CitizenDataset(owner_org=org["id"], initiative_type="social-audit", countries=["GHA"], tags=[{"name": "water"}])
    CitizenDataset(owner_org=org["id"], initiative_type="citizen-science", countries=["GHA", "KEN"])
    CitizenDataset(owner_org=org["id"], initiative_type="social-audit", countries=["KEN"], sdg_indicators=["16.6.2"])
    backend = PostgresBackend()
    t = backend.table
    queries = ['initiative_type:"social-audit"', "countries:GHA AND countries:KEN", "countries:ZZZ",
               "-countries:ZZZ", "-countries:GHA", "initiative_type:social-audit OR tags:water",
               "sdg_indicators:16.6.2 AND -tags:water", 'organization:"%s"' % org["name"]]
    for q in queries:
        node = lucene.parse(q)
        fast = backend._compiler(model.Session, node)
        general = Compiler(t, backend._cfg())
        pick = lambda compiler: sorted(model.Session.execute(sa.select(t.c.id).where(compiler.where(node))).scalars())
        assert pick(fast) == pick(general), q
        assert fast.facetable == facetable_fields()
    # and the SQL tests the (GIN-indexed) facet_ids array, not the jsonb column
    statement = sa.select(sa.func.count()).select_from(t).where(
        backend._compiler(model.Session, lucene.parse('countries:KEN')).where(lucene.parse('countries:KEN')))
    compiled = statement.compile(model.Session.get_bind(), compile_kwargs={})
    text = str(compiled)
    assert "facet_ids @>" in text and "fields @>" not in text


def test_docstring_examples_run():
    result = doctest.testmod(facet_store)
    assert result.attempted > 0
    assert result.failed == 0
