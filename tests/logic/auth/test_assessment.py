"""logic/auth/assessment.py and quality.py: the auth matrix, role x action x record visibility x assessment
state, through CKAN's check_access with real organizations, users and records."""
import pytest
from ckan import logic
from ckan.tests import helpers

from ckanext.citizendata.logic.auth import assessment as assessment_auth

from ...assessment.test_roles import add_assessment, build_world

ROLES = ["anonymous", "cso_editor", "cso_admin", "other_editor", "nso_editor", "nso_admin", "nso_far",
         "nso_conflict", "sysadmin"]
# actions judged per assessment (its state matters) and per record
ON_ASSESSMENT = ["update", "publish", "withdraw", "show", "question", "answer", "purge"]
ON_RECORD = ["create", "list", "review_request", "quality_show", "quality_report"]
T, F = True, False

# what each role may do on a PUBLIC record: per record action, and per assessment action as (draft, published).
# nso_conflict acts on a record of its own NSO (assessed by Ghana's NSO, gss); everyone else on the CSO's record.
PUBLIC = {
    "anonymous": {"create": F, "list": T, "review_request": F, "quality_show": T, "quality_report": T,
                  "update": (F, F), "publish": (F, F), "withdraw": (F, F), "show": (F, T), "question": (F, F),
                  "answer": (F, F), "purge": (F, F)},
    "cso_editor": {"create": F, "list": T, "review_request": T, "quality_show": T, "quality_report": T,
                   "update": (F, F), "publish": (F, F), "withdraw": (F, F), "show": (F, T), "question": (F, F),
                   "answer": (F, T), "purge": (F, F)},
    "other_editor": {"create": F, "list": T, "review_request": F, "quality_show": T, "quality_report": T,
                     "update": (F, F), "publish": (F, F), "withdraw": (F, F), "show": (F, T), "question": (F, F),
                     "answer": (F, F), "purge": (F, F)},
    "nso_editor": {"create": T, "list": T, "review_request": F, "quality_show": T, "quality_report": T,
                   "update": (T, T), "publish": (F, F), "withdraw": (F, F), "show": (T, T), "question": (T, T),
                   "answer": (F, F), "purge": (F, F)},
    "nso_admin": {"create": T, "list": T, "review_request": F, "quality_show": T, "quality_report": T,
                  "update": (T, T), "publish": (T, T), "withdraw": (T, T), "show": (T, T), "question": (T, T),
                  "answer": (F, F), "purge": (F, F)},
    "nso_far": {"create": F, "list": T, "review_request": F, "quality_show": T, "quality_report": T,
                "update": (F, F), "publish": (F, F), "withdraw": (F, F), "show": (F, T), "question": (F, F),
                "answer": (F, F), "purge": (F, F)},
    "nso_conflict": {"create": F, "list": T, "review_request": T, "quality_show": T, "quality_report": T,
                     "update": (F, F), "publish": (F, F), "withdraw": (F, F), "show": (F, T), "question": (F, F),
                     "answer": (F, T), "purge": (F, F)},
    "sysadmin": {"create": F, "list": T, "review_request": T, "quality_show": T, "quality_report": T,
                 "update": (F, F), "publish": (F, F), "withdraw": (F, F), "show": (T, T), "question": (F, F),
                 "answer": (T, T), "purge": (T, T)},
}
PUBLIC["cso_admin"] = PUBLIC["cso_editor"]
NOTHING = {"create": F, "list": F, "review_request": F, "quality_show": F, "quality_report": F,
           **{name: (F, F) for name in ON_ASSESSMENT}}
# a PRIVATE record: those who may not see it may do nothing with it; its own organization and sysadmins as before
PRIVATE = {**PUBLIC, "anonymous": NOTHING, "other_editor": NOTHING, "nso_editor": NOTHING, "nso_admin": NOTHING,
           "nso_far": NOTHING}

AUTH_NAMES = {"create": "citizendata_assessment_create", "update": "citizendata_assessment_update",
              "publish": "citizendata_assessment_publish", "withdraw": "citizendata_assessment_withdraw",
              "show": "citizendata_assessment_show", "list": "citizendata_assessment_list",
              "review_request": "citizendata_review_request", "question": "citizendata_assessment_comment",
              "answer": "citizendata_assessment_comment", "purge": "citizendata_assessment_purge",
              "quality_show": "citizendata_quality_show", "quality_report": "citizendata_quality_report"}


def allowed(action, user, **data_dict):
    if action in ("question", "answer"):
        data_dict["kind"] = action
    try:
        return helpers.call_auth(AUTH_NAMES[action], {"user": user, "model": logic.model}, **data_dict)
    except logic.NotAuthorized:
        return False


def outcomes(world, role):
    """What check_access answers for ``role``, in the shape of the expectation tables."""
    user = "" if role == "anonymous" else role
    record = world["nso_record" if role == "nso_conflict" else "record"]
    gss, assessor = world["orgs"]["gss"], world["users"]["nso_editor"]
    draft = add_assessment(f"draft-{record['name']}", record["id"], gss["id"], assessor["id"])
    published = add_assessment(f"published-{record['name']}", record["id"], gss["id"], assessor["id"],
                               state="published")
    found = {action: allowed(action, user, package_id=record["id"], id=record["id"]) for action in ON_RECORD}
    for action in ON_ASSESSMENT:
        found[action] = tuple(allowed(action, user, id=row.id) for row in (draft, published))
    return found


@pytest.mark.usefixtures("clean_db")
@pytest.mark.parametrize("visibility", ["public", "private"])
@pytest.mark.parametrize("role", ROLES)
def test_auth_matrix(role, visibility):
    world = build_world(private=visibility == "private")
    expected = (PUBLIC if visibility == "public" else PRIVATE)[role]
    assert outcomes(world, role) == expected


@pytest.mark.usefixtures("clean_db")
def test_a_refusal_says_why_and_an_unknown_assessment_or_record_is_not_found():
    world = build_world()
    with pytest.raises(logic.NotAuthorized, match="no jurisdiction over the countries of this record"):
        helpers.call_auth("citizendata_assessment_create", {"user": "nso_far", "model": logic.model},
                          package_id=world["record"]["id"])
    with pytest.raises(logic.NotFound):
        helpers.call_auth("citizendata_assessment_show", {"user": "cso_editor", "model": logic.model}, id="nope")
    with pytest.raises(logic.NotFound):
        helpers.call_auth("citizendata_assessment_create", {"user": "nso_editor", "model": logic.model},
                          package_id="nope")
    assert helpers.call_auth("citizendata_assessment_create", {"user": "nso_editor", "model": logic.model},
                             package_id=world["record"]["id"], organization="gss")
    with pytest.raises(logic.NotAuthorized):   # an NSO the user is not an editor of
        helpers.call_auth("citizendata_assessment_create", {"user": "nso_editor", "model": logic.model},
                          package_id=world["record"]["id"], organization="dane")


def test_every_action_name_of_the_fixed_decisions_has_an_auth_function():
    assert {name for name in dir(assessment_auth) if name.startswith("citizendata_")} == {
        name for name in AUTH_NAMES.values() if not name.startswith("citizendata_quality")}
