"""rdf/dependencies.py: ``facts(ids)`` names what a dataset's RDF reads from other rows (its organization's
publisher type, its licence, its initiatives' title / description / visibility / state, an initiative's public
members), so that a change to any of them changes the text (and so the fragment's digest), a change to
anything else does not, and a page of ids is answered in a number of queries that does not grow with the page."""
import ast
import contextlib

import pytest
import sqlalchemy as sa

from ckan.tests import factories, helpers

from ckanext.citizendata.rdf import dependencies
from ckanext.citizendata.rdf.conformance import ORGANIZATION_TYPE_EXTRA
from ckanext.citizendata.testing import CitizenDataset

pytestmark = pytest.mark.usefixtures("clean_db")

NATIONAL_AUTHORITY = "http://purl.org/adms/publishertype/NationalAuthority"
NGO = "http://purl.org/adms/publishertype/NonGovernmentalOrganisation"


@pytest.fixture
def admin():
    return {"user": factories.Sysadmin()["name"]}


def make_series(admin, org_id, name, title="PSS app", notes="Initiative"):
    return helpers.call_action("package_create", context=dict(admin), type="dataset_series", name=name, title=title,
                               notes=notes, owner_org=org_id, initiative_type="public-service-feedback",
                               engagement=[{"stage": "design", "level": 4, "actors": ["nso", "cso"]}])


@pytest.fixture
def world(admin):
    """An organization, an initiative with one public member, and an unrelated dataset of another organization."""
    org = factories.Organization(name="gss-deps")
    other_org = factories.Organization(name="other-deps")
    series = make_series(admin, org["id"], "pss-deps")
    member = CitizenDataset(name="round-1-deps", title="Round 1", owner_org=org["id"], license_id="cc-by",
                            in_series=[series["id"]])
    unrelated = CitizenDataset(name="unrelated-deps", title="Unrelated", owner_org=other_org["id"])
    return {"org": org, "other_org": other_org, "series": series, "member": member, "unrelated": unrelated}


def facts_of(*packages):
    ids = [p["id"] for p in packages]
    found = dependencies.facts(ids)
    assert set(found) == set(ids)
    return [found[i] for i in ids]


def patch(admin, **data):
    return helpers.call_action("package_patch", context=dict(admin), **data)


# ------------------------------------------------------------------ what the text reads


def test_empty_and_repeated_ids():
    assert dependencies.facts([]) == {}
    org = factories.Organization()
    dataset = CitizenDataset(owner_org=org["id"])
    assert list(dependencies.facts([dataset["id"], dataset["id"]])) == [dataset["id"]]


def test_the_organizations_publisher_type_is_a_fact(world, admin):
    member, series = world["member"], world["series"]
    before_member, before_series = facts_of(member, series)
    helpers.call_action("organization_patch", context=dict(admin), id=world["org"]["id"],
                        extras=[{"key": ORGANIZATION_TYPE_EXTRA, "value": NATIONAL_AUTHORITY}])
    after_member, after_series = facts_of(member, series)
    assert after_member != before_member and NATIONAL_AUTHORITY in after_member
    assert after_series != before_series  # the initiative is published by the same organization
    helpers.call_action("organization_patch", context=dict(admin), id=world["org"]["id"],
                        extras=[{"key": ORGANIZATION_TYPE_EXTRA, "value": NGO}])
    assert facts_of(member)[0] not in (before_member, after_member)


def test_the_organizations_title_and_name_are_facts(world, admin):
    """The publisher's foaf:name is the organization's title, or its name when it has none (conformance.py)."""
    member = world["member"]
    before = facts_of(member)[0]
    helpers.call_action("organization_patch", context=dict(admin), id=world["org"]["id"], title="GSS, renamed")
    after = facts_of(member)[0]
    assert after != before and "GSS, renamed" in after
    helpers.call_action("organization_patch", context=dict(admin), id=world["org"]["id"], title="")
    assert facts_of(member)[0] not in (before, after)


def test_the_licence_is_a_fact(world, admin):
    member = world["member"]
    before = facts_of(member)[0]
    patch(admin, id=member["id"], license_id="odc-odbl")
    after = facts_of(member)[0]
    assert after != before and "odc-odbl" in after and "cc-by" not in after


@pytest.mark.parametrize("change", [
    {"title": "PSS app, renamed"},
    {"notes": "A new description of the initiative"},
    {"private": True},
])
def test_the_initiatives_title_description_and_visibility_are_facts(world, admin, change):
    member = world["member"]
    before = facts_of(member)[0]
    patch(admin, id=world["series"]["id"], **change)
    after = facts_of(member)[0]
    assert after != before
    [(field, value)] = change.items()
    if isinstance(value, str):
        assert value in after


def test_the_initiatives_state_is_a_fact(world, admin):
    member = world["member"]
    before = facts_of(member)[0]
    assert "'active'" in before
    helpers.call_action("package_delete", context=dict(admin), id=world["series"]["id"])
    after = facts_of(member)[0]
    assert after != before and "'deleted'" in after


def test_the_initiatives_public_members_are_facts(world, admin):
    series, member, org = world["series"], world["member"], world["org"]
    first = facts_of(series)[0]
    assert member["id"] in first
    second_member = CitizenDataset(name="round-2-deps", owner_org=org["id"], in_series=[series["id"]])
    with_two = facts_of(series)[0]
    assert with_two != first and second_member["id"] in with_two
    patch(admin, id=second_member["id"], private=True)  # a private member is not stated in the catalog
    assert facts_of(series)[0] == first
    helpers.call_action("package_delete", context=dict(admin), id=member["id"])
    without = facts_of(series)[0]
    assert without != first and member["id"] not in without
    # a member leaving the initiative (its own in_series emptied) is a change too
    third = CitizenDataset(name="round-3-deps", owner_org=org["id"], in_series=[series["id"]])
    assert third["id"] in facts_of(series)[0]
    patch(admin, id=third["id"], in_series=[])
    assert third["id"] not in facts_of(series)[0]


def test_unrelated_changes_leave_the_text_alone(world, admin):
    member, series, unrelated = world["member"], world["series"], world["unrelated"]
    before = facts_of(member, series)
    patch(admin, id=unrelated["id"], title="Unrelated, renamed", license_id="odc-odbl")
    helpers.call_action("organization_patch", context=dict(admin), id=world["other_org"]["id"],
                        extras=[{"key": ORGANIZATION_TYPE_EXTRA, "value": NATIONAL_AUTHORITY}])
    make_series(admin, world["other_org"]["id"], "another-initiative", title="Another initiative")
    CitizenDataset(name="another-dataset-deps", owner_org=world["org"]["id"])  # same org, not in the series
    assert facts_of(member, series) == before
    # the datasets' own fields are in their dicts, not in what they read from other rows (the member's own write
    # recomputes its quality score, a fact of its own: logic/quality.py)
    patch(admin, id=member["id"], title="Round 1, renamed", notes="Another description")
    assert facts_of(series) == before[1:]


def test_published_assessments_and_the_score_are_facts(world):
    from ckan import model

    from ckanext.citizendata.model.assessment import assessment_table

    from .test_profile_quality import insert_assessment, insert_score
    member, unrelated = world["member"], world["unrelated"]
    nso, user = factories.Organization(name="nso-deps"), factories.User()
    before = facts_of(member, unrelated)
    insert_assessment("draft-deps", member["id"], nso["id"], user["id"], state="draft")
    assert facts_of(member, unrelated) == before           # a draft is not in the DCAT
    insert_assessment("published-deps", member["id"], nso["id"], user["id"])
    with_assessment = facts_of(member, unrelated)
    assert with_assessment[0] != before[0] and with_assessment[1] == before[1]
    model.Session.execute(assessment_table.update().where(assessment_table.c.id == "published-deps")
                          .values(state="withdrawn"))
    model.Session.commit()
    assert facts_of(member, unrelated) == before
    insert_score(member["id"])
    scored = facts_of(member, unrelated)
    assert scored[0] != before[0] and scored[1] == before[1]
    helpers.call_action("organization_patch", context={"user": factories.Sysadmin()["name"]}, id=nso["id"],
                        title="Renamed NSO")
    assert facts_of(member, unrelated) == scored           # the NSO names no withdrawn assessment any more


# ------------------------------------------------------------------ bounded queries


@contextlib.contextmanager
def counted():
    statements = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", seen)


def queries(ids):
    with counted() as statements:
        found = dependencies.facts(ids)
    assert set(found) == set(ids)
    return len(statements)


def test_a_page_is_answered_in_queries_that_do_not_grow_with_it(admin):
    """Each dataset in its own initiative, the organization typed: 2 or 8 datasets cost the same."""
    org = factories.Organization(name="bounded", extras=[{"key": ORGANIZATION_TYPE_EXTRA,
                                                          "value": NATIONAL_AUTHORITY}])
    ids = []
    for i in range(8):
        series = make_series(admin, org["id"], f"initiative-{i}", title=f"Initiative {i}")
        ids.append(CitizenDataset(name=f"member-{i}", owner_org=org["id"], in_series=[series["id"]])["id"])
    dependencies.facts(ids[:1])  # anything a first call loads once
    small, large = queries(ids[:2]), queries(ids)
    assert small == large and 0 < large <= 5, (small, large)   # 3, and one per assessment / score table


def test_an_initiatives_members_cost_the_same_however_many_they_are(admin):
    org = factories.Organization(name="bounded-members")
    few = make_series(admin, org["id"], "few-members")
    many = make_series(admin, org["id"], "many-members")
    CitizenDataset(owner_org=org["id"], in_series=[few["id"]])
    for _ in range(6):
        CitizenDataset(owner_org=org["id"], in_series=[many["id"]])
    dependencies.facts([few["id"]])
    assert queries([few["id"]]) == queries([many["id"]])
    members = ast.literal_eval(dependencies.facts([many["id"]])[many["id"]])[-1]  # the text is a repr
    assert len(members) == 6
