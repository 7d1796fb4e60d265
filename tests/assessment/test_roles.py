"""assessment/roles.py: who may assess, approve, ask and answer, with real organizations, users and records."""
import datetime

import pytest
from ckan import model
from ckan.tests import factories, helpers

from ckanext.citizendata.assessment import roles
from ckanext.citizendata.model.assessment import assessment_table
from ckanext.citizendata.testing import CitizenDataset

NOW = datetime.datetime(2026, 12, 1, 9, 30, tzinfo=datetime.timezone.utc)


def add_assessment(aid, package_id, org_id, assessor_id, state="draft", verdict="endorse-complementary"):
    """A row of our table as the workflow writes it (the workflow itself is another module's)."""
    model.Session.execute(assessment_table.insert().values(
        id=aid, package_id=package_id, organization_id=org_id, framework="un-nqaf-2019", verdict=verdict,
        state=state, assessor_id=assessor_id, created=NOW, modified=NOW,
        published_at=NOW if state == "published" else None))
    model.Session.commit()
    return model.Session.execute(assessment_table.select().where(assessment_table.c.id == aid)).first()


def build_world(private=False):
    """A CSO publishing a record on Ghana; Ghana's NSO (an editor, an admin); Colombia's NSO; an unrelated
    organization; a second Ghanaian NSO that publishes a record of its own; a sysadmin."""
    users = {name: factories.User(name=name) for name in (
        "cso_editor", "cso_admin", "other_editor", "nso_editor", "nso_admin", "nso_far", "nso_conflict")}
    users["sysadmin"] = factories.Sysadmin(name="sysadmin")

    def member(name, capacity):
        return {"name": users[name]["name"], "capacity": capacity}
    cso = factories.Organization(name="cso-ghana", actor_type="cso",
                                 users=[member("cso_editor", "editor"), member("cso_admin", "admin")])
    other = factories.Organization(name="unrelated", actor_type="cso", users=[member("other_editor", "editor")])
    gss = factories.Organization(name="gss", actor_type="nso", jurisdiction=["GHA"],
                                 users=[member("nso_editor", "editor"), member("nso_admin", "admin")])
    dane = factories.Organization(name="dane", actor_type="nso", jurisdiction=["COL"],
                                  users=[member("nso_far", "editor")])
    own = factories.Organization(name="gss-own", actor_type="nso", jurisdiction=["GHA"],
                                 users=[member("nso_conflict", "editor")])
    record = CitizenDataset(name="cso-record", owner_org=cso["id"], countries=["GHA"], private=private)
    nso_record = CitizenDataset(name="nso-record", owner_org=own["id"], countries=["GHA"], private=private)
    return {"users": users, "orgs": {"cso": cso, "other": other, "gss": gss, "dane": dane, "own": own},
            "record": record, "nso_record": nso_record}


@pytest.fixture
def world(clean_db):
    return build_world()


def test_an_nso_covers_its_countries_and_no_other_actor_covers_any():
    assert roles.Organization("1", "gss", "nso", ("GHA",)).covers(["KEN", "GHA"])
    assert not roles.Organization("1", "gss", "nso", ("GHA",)).covers(["KEN"])
    assert not roles.Organization("2", "cso", "cso", ("GHA",)).covers(["GHA"])
    assert roles.jurisdiction_of({"jurisdiction": '["GHA", "TGO"]'}) == ("GHA", "TGO")
    assert roles.jurisdiction_of({}) == ()


@pytest.mark.usefixtures("clean_db")
def test_organization_errors_name_the_field_and_the_rule():
    assert roles.organization_errors("nso", ["GHA", "COL"]) == {}
    assert roles.organization_errors(None, []) == {}
    assert roles.organization_errors("cso", ["GHA"]) == {"jurisdiction": [
        "jurisdiction: only a national statistical office (actor type nso) has a jurisdiction; this one is cso"]}
    wrong = roles.organization_errors("nsoo", [])["actor_type"][0]
    assert wrong.startswith('actor_type: "nsoo" is not an actor type; close matches: nso')
    assert roles.organization_errors("nso", ["GHX"])["jurisdiction"][0].startswith(
        'jurisdiction[0]: "GHX" is not an ISO 3166-1 alpha-3 country code')


def test_actor_type_and_jurisdiction_are_read_by_id_or_name(world):
    gss = world["orgs"]["gss"]
    assert roles.actor_type("gss") == roles.actor_type(gss["id"]) == "nso"
    assert roles.jurisdiction("gss") == ["GHA"]
    assert roles.actor_type("cso-ghana") == "cso" and roles.jurisdiction("cso-ghana") == []
    assert roles.actor_type("no-such-org") is None


def _package(world, key="record"):
    return helpers.call_action("package_show", id=world[key]["id"])


def test_who_may_assess_a_record(world):
    package = _package(world)
    assert roles.assess_refusal("nso_editor", package) is None
    assert roles.assess_refusal("nso_admin", package, "gss") is None
    assert [o.name for o in roles.assessing_organizations("nso_editor", package)] == ["gss"]
    assert "Sign in" in roles.assess_refusal("", package)
    assert roles.assess_refusal("cso_editor", package).startswith(
        "Only editors and admins of a national statistical office may assess")
    assert roles.assess_refusal("nso_far", package) == (
        "Your national statistical office has no jurisdiction over the countries of this record (GHA).")
    assert roles.assess_refusal("nso_editor", package, "dane").startswith("Only editors and admins")
    # a sysadmin is no NSO
    assert roles.assess_refusal("sysadmin", package).startswith("Only editors and admins")


def test_an_nso_never_assesses_its_own_records(world):
    own = _package(world, "nso_record")
    assert roles.assess_refusal("nso_conflict", own) == (
        "A national statistical office may not assess the records of its own organization.")
    assert roles.assess_refusal("nso_editor", own) is None   # another NSO of the same country may


@pytest.mark.usefixtures("clean_db")
def test_a_record_the_assessor_may_not_see_may_not_be_assessed():
    world = build_world(private=True)
    assert roles.assess_refusal("nso_editor", _package(world)) == "You may not see this record, so you may not assess it."


def test_approvers_are_the_assessing_nsos_admins_and_official_needs_a_second_person(world):
    package, users, gss = _package(world), world["users"], world["orgs"]["gss"]
    row = add_assessment("a1", package["id"], gss["id"], users["nso_editor"]["id"])
    assert roles.approve_refusal("nso_admin", row, package) is None
    assert roles.approve_refusal("nso_editor", row, package) == (
        "Only an admin of the assessing national statistical office may approve its assessments.")
    assert roles.approve_refusal("nso_far", row, package) is not None
    official = add_assessment("a2", package["id"], gss["id"], users["nso_admin"]["id"], verdict="endorse-official")
    assert "other than its assessor" in roles.approve_refusal("nso_admin", official, package)


def test_drafts_are_seen_by_the_assessing_nso_published_ones_by_whoever_sees_the_record(world):
    package, users, gss = _package(world), world["users"], world["orgs"]["gss"]
    draft = add_assessment("d", package["id"], gss["id"], users["nso_editor"]["id"])
    published = add_assessment("p", package["id"], gss["id"], users["nso_editor"]["id"], state="published")
    assert [roles.may_see(u, draft, package) for u in ("", "cso_editor", "nso_admin", "nso_far", "sysadmin")] == [
        False, False, True, False, True]
    assert all(roles.may_see(u, published, package) for u in ("", "cso_editor", "nso_far", "other_editor"))


def test_the_publisher_asks_and_answers_the_nso_asks(world):
    package, users, gss = _package(world), world["users"], world["orgs"]["gss"]
    row = add_assessment("p", package["id"], gss["id"], users["nso_editor"]["id"], state="published")
    assert roles.review_request_refusal("cso_editor", package) is None
    assert roles.review_request_refusal("nso_editor", package).startswith("Only editors and admins of the organization")
    assert roles.comment_refusal("nso_editor", row, "question", package) is None
    assert roles.comment_refusal("cso_editor", row, "question", package).startswith("Only members of the assessing")
    assert roles.comment_refusal("cso_admin", row, "answer", package) is None
    assert roles.comment_refusal("nso_admin", row, "answer", package).startswith("Only editors and admins")
    assert roles.comment_refusal("cso_editor", row, "verdict", package) == (
        'A comment is a question or an answer, not "verdict".')
    assert roles.purge_refusal("sysadmin") is None and roles.purge_refusal("nso_admin") is not None
