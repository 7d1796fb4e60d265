"""Auth of the NSO assessment actions (``action/assessment.py``): each asks the rules of
``assessment/roles.py`` with the assessment row read from our table (``id``) or the record (``package_id``).

The assessing and commenting functions check sysadmins too (``auth_sysadmins_check``): a sysadmin is no national
statistical office. An unknown assessment or record is answered as CKAN answers an unknown dataset (404).

Example::

    toolkit.check_access("citizendata_assessment_create", {"user": "ama"},
                         {"package_id": "<record id>", "organization": "ghana-statistical-service"})
"""
from __future__ import annotations

from typing import Any, Optional

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit

from ckanext.citizendata.assessment import roles
from ckanext.citizendata.model.assessment import assessment_table
from ckanext.citizendata.text import unreadable

from ..registry import register_auth


def _answer(refusal: Optional[str]) -> dict[str, Any]:
    return {"success": True} if refusal is None else {"success": False, "msg": refusal}


def _ref(value: Any) -> Optional[str]:
    """An id or name as given; None when it is no text a database can hold (a list, a NUL, a lone surrogate)."""
    return value if isinstance(value, str) and value and not unreadable(value) else None


def package_of(package_id: Any) -> dict[str, Any]:
    """The record view of a record (its inherited countries included), read whatever the asker may see;
    ObjectNotFound when there is none."""
    package_id = _ref(package_id)
    if not package_id or model.Package.get(package_id) is None:
        raise toolkit.ObjectNotFound("Dataset not found")
    return toolkit.get_action("package_show")({"ignore_auth": True}, {"id": str(package_id)})


def row_of(assessment_id: Any) -> Any:
    """The ``citizendata_assessment`` row; ObjectNotFound when there is none."""
    assessment_id = _ref(assessment_id)
    row = model.Session.execute(sa.select(assessment_table).where(assessment_table.c.id == assessment_id)
                                ).first() if assessment_id else None
    if row is None:
        raise toolkit.ObjectNotFound("Assessment not found")
    return row


def _user(context: dict[str, Any]) -> str:
    return context.get("user") or ""


@register_auth
@toolkit.auth_sysadmins_check
def citizendata_assessment_create(context, data_dict):
    package = package_of(data_dict.get("package_id"))
    return _answer(roles.assess_refusal(_user(context), package, _ref(data_dict.get("organization"))))


@register_auth
@toolkit.auth_sysadmins_check
def citizendata_assessment_update(context, data_dict):
    row = row_of(data_dict.get("id"))
    return _answer(roles.assess_refusal(_user(context), package_of(row.package_id), row.organization_id))


@register_auth
@toolkit.auth_sysadmins_check
def citizendata_assessment_publish(context, data_dict):
    row = row_of(data_dict.get("id"))
    return _answer(roles.approve_refusal(_user(context), row, package_of(row.package_id)))


@register_auth
@toolkit.auth_sysadmins_check
def citizendata_assessment_withdraw(context, data_dict):
    row = row_of(data_dict.get("id"))
    return _answer(roles.approve_refusal(_user(context), row, package_of(row.package_id)))


@register_auth
@toolkit.auth_allow_anonymous_access
def citizendata_assessment_show(context, data_dict):
    row = row_of(data_dict.get("id"))
    if roles.may_see(_user(context), row, package_of(row.package_id)):
        return {"success": True}
    return _answer("You may not see this assessment.")


@register_auth
@toolkit.auth_allow_anonymous_access
def citizendata_assessment_list(context, data_dict):
    """Whoever may see the record may list its assessments (the action lists the drafts only to those who may
    see them: ``roles.may_see``)."""
    if roles.may_see_package(_user(context), package_of(data_dict.get("package_id"))):
        return {"success": True}
    return _answer("You may not see this record.")


@register_auth
@toolkit.auth_sysadmins_check
def citizendata_review_request(context, data_dict):
    return _answer(roles.review_request_refusal(_user(context), package_of(data_dict.get("package_id"))))


@register_auth
@toolkit.auth_sysadmins_check
def citizendata_assessment_comment(context, data_dict):
    row = row_of(data_dict.get("id"))
    kind = str(data_dict.get("kind") or "")
    return _answer(roles.comment_refusal(_user(context), row, kind, package_of(row.package_id)))


@register_auth
def citizendata_assessment_purge(context, data_dict):
    row_of(data_dict.get("id"))
    return _answer(roles.purge_refusal(_user(context)))
