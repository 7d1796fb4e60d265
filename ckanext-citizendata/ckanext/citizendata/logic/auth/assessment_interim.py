"""INTERIM auth of the assessment actions (``action/assessment.py``), until logic/auth/assessment.py (the roles of
issue 14) replaces it: reads as the record's own visibility (a draft only for the assessing office's members),
writes for sysadmins only. Drop this module, its import in logic/__init__.py and its test when the roles land.

Example::

    toolkit.check_access("citizendata_assessment_list", {"user": ""}, {"package_id": "public-record"})  # True
"""
from __future__ import annotations

from ckan import model
from ckan.plugins import toolkit

from ckanext.citizendata.assessment import workflow
from ckanext.citizendata.text import unreadable

from ..registry import AUTH

WRITES = ("citizendata_assessment_create", "citizendata_assessment_update", "citizendata_assessment_publish",
          "citizendata_assessment_withdraw", "citizendata_assessment_purge", "citizendata_review_request",
          "citizendata_assessment_comment")


def _sees_record(context, package_id) -> bool:
    try:
        toolkit.check_access("package_show", dict(context), {"id": package_id})
    except (toolkit.NotAuthorized, toolkit.ObjectNotFound):
        return False
    return True


@toolkit.auth_allow_anonymous_access
def list_assessments(context, data_dict) -> dict:
    package_id = data_dict.get("package_id")
    if isinstance(package_id, str) and not unreadable(package_id) and model.Package.get(package_id) is not None \
            and not _sees_record(context, package_id):
        return {"success": False, "msg": "You may not see this record"}
    return {"success": True}


@toolkit.auth_allow_anonymous_access
def show_assessment(context, data_dict) -> dict:
    assessment_id = data_dict.get("id")
    try:
        item = workflow.show(assessment_id) if isinstance(assessment_id, str) else None
    except toolkit.ObjectNotFound:
        item = None
    if item is None:
        return {"success": True}  # the action then says there is no such assessment
    user = model.User.get(context.get("user") or "") if context.get("user") else None
    if not _sees_record(context, item["package_id"]) or (
            item["state"] == workflow.DRAFT and not workflow.is_member(user, _org_id(item["organization"]))):
        return {"success": False, "msg": "You may not see this assessment"}
    return {"success": True}


def _org_id(name: str) -> str:
    group = model.Group.get(name)
    return group.id if group is not None else ""


def sysadmins_only(context, data_dict) -> dict:
    return {"success": False, "msg": "Only sysadmins may change assessments until the assessment roles are set up"}


AUTH.update({name: sysadmins_only for name in WRITES})
AUTH.update({"citizendata_assessment_list": list_assessments, "citizendata_assessment_show": show_assessment})
