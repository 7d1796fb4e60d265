"""The assessment actions: an NSO's assessment of a record, drafted, published, withdrawn, purged, read; the
review requests, questions and answers around it. Each checks its auth function of the same name first
(logic/auth/assessment.py), then hands off to assessment/workflow.py.

Example (API)::

    POST /api/3/action/citizendata_assessment_create
    {"package_id": "ghana-public-service-satisfaction-app", "framework": "un-nqaf-2019",
     "intended_use": "SDG 16.6.2 reporting", "criteria": [...]}          # -> the draft, as _show returns it
    POST /api/3/action/citizendata_assessment_publish {"id": "<assessment id>"}
    GET  /api/3/action/citizendata_assessment_list?package_id=ghana-public-service-satisfaction-app
"""
from __future__ import annotations

from typing import Any

from ckan import model
from ckan.plugins import toolkit

from ckanext.citizendata.assessment import workflow
from ckanext.citizendata.text import unreadable

from ..registry import register_action

COMMENT_KINDS = ("question", "answer")


def _key(data_dict: dict[str, Any], key: str) -> str:
    """A required identifier parameter as text, else a ValidationError naming it."""
    value = data_dict.get(key)
    if value in (None, ""):
        raise toolkit.ValidationError({key: [f"{key}: required"]})
    if not isinstance(value, str) or len(value) > 200 or unreadable(value):
        raise toolkit.ValidationError({key: [f"{key}: expected the id or name of one item"]})
    return value


def _package_id(data_dict: dict[str, Any]) -> str:
    package = model.Package.get(_key(data_dict, "package_id"))
    if package is None or package.state == "deleted":
        raise toolkit.ObjectNotFound("no such record")
    return package.id


def _user(context: dict[str, Any]) -> str:
    """The caller's user name ("" for a visitor; CKAN's ``auth_user_obj`` may be an anonymous-user object)."""
    return context.get("user") or ""


@register_action
def citizendata_assessment_create(context, data_dict):
    """A draft assessment of ``package_id`` by the caller, for their NSO organization (``organization`` when they
    are in several); the fields of schemas/assessment.schema.json."""
    toolkit.check_access("citizendata_assessment_create", context, data_dict)
    return workflow.create(_package_id(data_dict), _user(context), data_dict)


@register_action
def citizendata_assessment_update(context, data_dict):
    """Change a draft's fields (those given; the others are kept)."""
    toolkit.check_access("citizendata_assessment_update", context, data_dict)
    return workflow.update(_key(data_dict, "id"), _user(context), data_dict)


@register_action
def citizendata_assessment_publish(context, data_dict):
    """Publish a draft; the caller is its approver."""
    toolkit.check_access("citizendata_assessment_publish", context, data_dict)
    return workflow.publish(_key(data_dict, "id"), _user(context))


@register_action
def citizendata_assessment_withdraw(context, data_dict):
    """Withdraw a published assessment; ``reason`` is required."""
    toolkit.check_access("citizendata_assessment_withdraw", context, data_dict)
    return workflow.withdraw(_key(data_dict, "id"), _user(context), data_dict.get("reason"))


@register_action
def citizendata_assessment_purge(context, data_dict):
    """Delete an assessment for good (sysadmins); the purge itself is logged."""
    toolkit.check_access("citizendata_assessment_purge", context, data_dict)
    return workflow.purge(_key(data_dict, "id"), _user(context))


@register_action
@toolkit.side_effect_free
def citizendata_assessment_show(context, data_dict):
    """One assessment (the shape of assessment/__init__.py)."""
    toolkit.check_access("citizendata_assessment_show", context, data_dict)
    return workflow.show(_key(data_dict, "id"))


@register_action
@toolkit.side_effect_free
def citizendata_assessment_list(context, data_dict):
    """The assessments of ``package_id`` the caller may see: drafts only for the assessing office's members."""
    toolkit.check_access("citizendata_assessment_list", context, data_dict)
    return workflow.for_package(_package_id(data_dict), _user(context))


@register_action
def citizendata_review_request(context, data_dict):
    """Ask for an assessment of ``package_id`` (``message`` says what for)."""
    toolkit.check_access("citizendata_review_request", context, data_dict)
    package_id = _package_id(data_dict)
    workflow.exchange(package_id, _user(context), "review-request", data_dict.get("message"))
    return {"package_id": package_id, "kind": "review-request"}


@register_action
def citizendata_assessment_comment(context, data_dict):
    """A ``question`` about an assessment, or an ``answer`` (``kind``), with a ``message``."""
    toolkit.check_access("citizendata_assessment_comment", context, data_dict)
    kind = data_dict.get("kind")
    if kind not in COMMENT_KINDS:
        raise toolkit.ValidationError({"kind": [f"kind: {str(kind)[:40]!r} is not allowed; allowed: "
                                                + ", ".join(COMMENT_KINDS)]})
    item = workflow.show(_key(data_dict, "id"))
    workflow.exchange(item["package_id"], _user(context), kind, data_dict.get("message"), item["id"])
    return workflow.show(item["id"])
