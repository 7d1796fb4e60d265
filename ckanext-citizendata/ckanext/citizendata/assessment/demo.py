"""The demonstration's assessments (demo/assessments.json): a made-up national statistical office
("Example National Statistical Office (demo)"), its assessor and approver, and example assessments of demo
records (``example`` true; every text says it was made for the demonstration). Loading again adds nothing.

Example::

    load()      # {"organization": "example-nso-demo", "created": 4, "kept": 0}  (then: created 0, kept 4)
"""
from __future__ import annotations

import json
import os
import secrets
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit

from ckanext.citizendata import demo as demo_data
from ckanext.citizendata.model.assessment import assessment_table

from . import workflow


def data() -> dict[str, Any]:
    with open(os.path.join(os.path.dirname(demo_data.__file__), "assessments.json"), encoding="utf-8") as handle:
        return json.load(handle)


def _site_context() -> dict[str, Any]:
    site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def _organization(spec: dict[str, Any]) -> model.Group:
    group = model.Group.get(spec["name"])
    if group is None:  # made by ``ckan citizendata seed-demo`` as the other demo organizations are
        raise toolkit.ObjectNotFound(f"demo organization {spec['name']} is not loaded")
    return group


def _members(group: model.Group, users: list[dict[str, Any]]) -> None:
    for spec in users:
        if model.User.get(spec["name"]) is None:
            toolkit.get_action("user_create")(_site_context(), {
                "name": spec["name"], "fullname": spec["fullname"], "email": spec["email"],
                "password": secrets.token_urlsafe(24)})  # nobody signs in as them: they sign the examples
        toolkit.get_action("organization_member_create")(
            _site_context(), {"id": group.id, "username": spec["name"], "role": spec["role"]})


def _exists(package_id: str, group: model.Group, intended_use: str) -> bool:
    a = assessment_table
    return model.Session.execute(sa.select(a.c.id).where(
        a.c.package_id == package_id, a.c.organization_id == group.id, a.c.example.is_(True),
        a.c.intended_use == intended_use)).first() is not None


def load() -> dict[str, Any]:
    """Make the demo office's people and its example assessments (those missing); the demo records and the
    office (``organization`` of demo/assessments.json) must be loaded (``ckan citizendata seed-demo`` loads them
    first)."""
    spec = data()
    group = _organization(spec["organization"])
    _members(group, spec["users"])
    assessor, approver = (u["name"] for u in spec["users"])
    counts = {"organization": group.name, "created": 0, "kept": 0}
    for item in spec["assessments"]:
        package = model.Package.get(item["record"])
        if package is None:
            raise toolkit.ObjectNotFound(f"demo record {item['record']} is not loaded")
        if _exists(package.id, group, item["fields"]["intended_use"]):
            counts["kept"] += 1
            continue
        draft = workflow.create(package.id, assessor, {**item["fields"], "organization": group.name}, example=True)
        if item["publish"]:
            workflow.publish(draft["id"], approver)
        counts["created"] += 1
    return counts
