"""assessment/recognition.py: a record's recognition_status follows published NSO assessments (package_show and
the search index), an NSO's own records state it, initiatives give it to their datasets, and a publisher's write
that tries to set it is refused."""
import pytest
import sqlalchemy as sa
from ckan import logic, model
from ckan.tests import factories, helpers

from ckanext.citizendata.assessment import recognition
from ckanext.citizendata.model.assessment import assessment_event_table, assessment_table
from ckanext.citizendata.testing import CitizenDataset

from .test_roles import NOW, add_assessment, build_world

pytestmark = pytest.mark.usefixtures("clean_db")
SITE = {"user": "sysadmin"}   # an internal write (call_action skips auth), as a harvest or a bulk import makes


def shown(name):
    return helpers.call_action("package_show", id=name)["recognition_status"]


def indexed(status):
    """Names of the records the search index files under ``status``."""
    found = helpers.call_action("package_search", fq=f'recognition_status:"{status}"', include_private=True)
    return sorted(d["name"] for d in found["results"])


def reindex(package_id):
    logic.index_update_package({"ignore_auth": True}, package_id)
    model.Session.commit()


def test_a_verdict_grants_the_status_of_its_close_match():
    assert recognition.granted_by("endorse-complementary") == "complementary-source"
    assert recognition.granted_by("endorse-official") == "official"
    assert recognition.granted_by("not-endorsed") == "not-endorsed"
    assert recognition.granted_by("no-such-verdict") is None and recognition.granted_by(None) is None


def test_a_publishers_stated_status_is_not_shown_without_assessments():
    world = build_world()
    # an internal write (ignore_auth: harvest, bulk import) may store a status; it is not what the record shows
    helpers.call_action("package_patch", context=SITE, id="cso-record", recognition_status="official")
    assert shown("cso-record") == "not-assessed"
    assert indexed("official") == [] and "cso-record" in indexed("not-assessed")
    stored = model.Session.execute(sa.select(model.package_table.c.extras)
                                   .where(model.package_table.c.id == world["record"]["id"])).scalar()
    assert stored["recognition_status"] == "official"   # kept in the database, not shown


def test_a_draft_or_a_review_request_puts_the_record_under_review():
    world = build_world()
    record, nso_record = world["record"], world["nso_record"]
    add_assessment("d", record["id"], world["orgs"]["gss"]["id"], world["users"]["nso_editor"]["id"])
    assert shown("cso-record") == "under-nso-review"
    model.Session.execute(assessment_event_table.insert().values(
        assessment_id=None, package_id=nso_record["id"], kind="review-request",
        actor_id=world["users"]["nso_conflict"]["id"], at=NOW, note=""))
    model.Session.commit()
    assert shown("nso-record") == "under-nso-review"


def test_the_newest_published_assessment_of_an_nso_with_jurisdiction_decides():
    world = build_world()
    record, gss, dane = world["record"], world["orgs"]["gss"], world["orgs"]["dane"]
    assessor = world["users"]["nso_editor"]["id"]
    add_assessment("by-colombia", record["id"], dane["id"], assessor, state="published", verdict="endorse-official")
    assert shown("cso-record") == "not-assessed"   # Colombia's NSO has no jurisdiction over Ghana
    add_assessment("old", record["id"], gss["id"], assessor, state="published", verdict="endorse-complementary")
    assert shown("cso-record") == "complementary-source"
    reindex(record["id"])
    assert indexed("complementary-source") == ["cso-record"]
    add_assessment("new", record["id"], gss["id"], assessor, state="published", verdict="endorse-experimental")
    model.Session.execute(sa.update(assessment_table).where(assessment_table.c.id == "old")
                          .values(published_at=NOW.replace(year=2025)))
    model.Session.commit()
    assert shown("cso-record") == "experimental-statistics"
    model.Session.execute(sa.update(assessment_table).where(assessment_table.c.id == "new").values(state="withdrawn"))
    model.Session.commit()
    assert shown("cso-record") == "complementary-source"


def test_an_nso_states_the_status_of_its_own_records():
    world = build_world()
    helpers.call_action("package_patch", context=SITE, id="nso-record", recognition_status="official")
    assert shown("nso-record") == "official" and indexed("official") == ["nso-record"]
    org = world["orgs"]["own"]
    helpers.call_action("organization_patch", context=SITE, id=org["id"], actor_type="cso", jurisdiction=[])
    assert shown("nso-record") == "not-assessed"   # no longer an NSO: its statement no longer stands


def test_an_initiative_gives_its_derived_status_to_its_datasets():
    world = build_world()
    cso, gss, assessor = world["orgs"]["cso"], world["orgs"]["gss"], world["users"]["nso_editor"]["id"]
    series = helpers.call_action("package_create", context=SITE, type="dataset_series", name="initiative", title="Initiative",
                                 notes="An initiative", owner_org=cso["id"], initiative_type="community-survey",
                                 engagement=[{"stage": "design", "level": 4}], countries=["GHA"],
                                 recognition_status="official")
    member = CitizenDataset(name="member", owner_org=cso["id"], in_series=[series["id"]], countries=None)
    assert shown("initiative") == shown("member") == "not-assessed"
    add_assessment("s", series["id"], gss["id"], assessor, state="published", verdict="endorse-complementary")
    found = helpers.call_action("package_show", id="member")
    assert found["recognition_status"] == "complementary-source" and "recognition_status" in found["inherited_fields"]
    add_assessment("m", member["id"], gss["id"], assessor, state="published", verdict="not-endorsed")
    found = helpers.call_action("package_show", id="member")   # its own assessment first
    assert found["recognition_status"] == "not-endorsed" and "recognition_status" not in found["inherited_fields"]


# ------------------------------------------------------------------ writes of a person
def test_a_publisher_may_not_set_the_status_and_is_told_why(app):
    world = build_world()
    token = factories.APIToken(user=world["users"]["cso_editor"]["id"])["token"]
    headers = {"Authorization": token}
    before = helpers.call_action("package_show", id="cso-record")
    answer = app.post("/api/3/action/package_patch", json={"id": "cso-record", "recognition_status": "official"},
                      headers=headers, status=409).json["error"]
    assert answer["recognition_status"] == [
        'recognition_status: "official" cannot be set by the publisher: the recognition status is derived from '
        'published NSO assessments (this record\'s is "not-assessed"); send "not-assessed" or leave it out, or ask '
        "a national statistical office for a review"]
    after = helpers.call_action("package_show", id="cso-record")
    assert after["metadata_modified"] == before["metadata_modified"]   # nothing written
    # the shown (derived) value goes back unchanged: the edit form and show-then-update keep working
    shown_dict = dict(after, title="Renamed")
    result = app.post("/api/3/action/package_update", json=shown_dict, headers=headers, status=200).json["result"]
    assert result["title"] == "Renamed" and result["recognition_status"] == "not-assessed"


def test_an_nso_editor_may_set_the_status_of_the_nsos_own_records(app):
    world = build_world()
    token = factories.APIToken(user=world["users"]["nso_conflict"]["id"])["token"]
    result = app.post("/api/3/action/package_patch", json={"id": "nso-record", "recognition_status": "official"},
                      headers={"Authorization": token}, status=200).json["result"]
    assert result["recognition_status"] == "official"


def test_the_status_field_is_read_only_on_the_form_of_a_publisher_that_is_no_nso(app):
    world = build_world()
    token = factories.APIToken(user=world["users"]["cso_editor"]["id"])["token"]
    page = app.get("/dataset/edit/cso-record", headers={"Authorization": token}, status=200).body
    assert 'name="recognition_status"' not in page and "derived from published NSO assessments" in page
    token = factories.APIToken(user=world["users"]["nso_conflict"]["id"])["token"]
    page = app.get("/dataset/edit/nso-record", headers={"Authorization": token}, status=200).body
    assert 'name="recognition_status"' in page
