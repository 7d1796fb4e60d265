"""Validate and import records through CKAN's own validation path (the scheming schema with the record
validator), one record at a time, all or nothing per record.

Example::

    errors = check(record, org="cso-one")          # {} when valid; nothing is written
    outcome = save(record, org="cso-one")           # "created" | "updated", or raises ValidationError
"""
from __future__ import annotations

import copy
from typing import Any, Optional

from ckan import model
from ckan.lib import plugins as lib_plugins
from ckan.plugins import toolkit


def site_context() -> dict[str, Any]:
    """The context of a write made by the site itself (the site user, no auth check): the way in of every
    import that is not a person's request."""
    site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True, "model": model, "session": model.Session}


def prepare(record: dict[str, Any], org: Optional[str]) -> dict[str, Any]:
    data = copy.deepcopy(record)
    data.setdefault("type", "dataset")
    if org:
        data["owner_org"] = org
    tags = data.get("tags")
    if isinstance(tags, list):
        data["tags"] = [t if isinstance(t, dict) else {"name": str(t)} for t in tags]
    return data


def _existing(name: Optional[str]) -> Optional[model.Package]:
    return model.Package.get(name) if name else None


def exists(name: Optional[str]) -> bool:
    return _existing(name) is not None


def check(record: dict[str, Any], org: Optional[str] = None) -> dict[str, Any]:
    """The errors package_create (or package_update, for an existing name) would give; writes nothing."""
    data = prepare(record, org)
    existing = _existing(data.get("name"))
    plugin = lib_plugins.lookup_package_plugin(data["type"])
    context = site_context()
    if existing is not None:
        data["id"] = existing.id
        context["package"] = existing
        schema, action = plugin.update_package_schema(), "package_update"
    else:
        schema, action = plugin.create_package_schema(), "package_create"
    try:
        _, errors = lib_plugins.plugin_validate(plugin, context, data, schema, action)
    finally:
        model.Session.rollback()
    return errors


def save(record: dict[str, Any], org: Optional[str] = None) -> str:
    """Create the record, or update it when a dataset of that name exists. Raises ValidationError."""
    data = prepare(record, org)
    existing = _existing(data.get("name"))
    try:
        if existing is not None:
            data["id"] = existing.id
            toolkit.get_action("package_update")(site_context(), data)
            return "updated"
        toolkit.get_action("package_create")(site_context(), data)
        return "created"
    except Exception:
        model.Session.rollback()
        raise


def _lacking(org: dict[str, Any], shown: dict[str, Any], stated: dict[str, Any]) -> tuple[dict, dict]:
    """(the extras of ``org`` the organization lacks, the fields of ``org`` it leaves empty)."""
    missing = {e["key"]: e["value"] for e in org.get("extras") or [] if e["key"] not in stated}
    fields = {k: v for k, v in org.items()
              if k not in ("name", "title", "description", "extras") and shown.get(k) in (None, "", [])}
    return missing, fields


def ensure_organization(org: dict[str, Any]) -> str:
    """Create the organization when missing; an existing one gets the extras of ``org`` it lacks (such as
    ``dcat_type``, its ADMS publisher type) and the fields of its schema it leaves empty (such as ``actor_type``).
    Returns "created", "updated" or "exists".

    Example: ``ensure_organization({"name": "nso", "title": "NSO", "actor_type": "nso", "jurisdiction": ["GHA"],
    "extras": [{"key": "dcat_type", "value": "http://purl.org/adms/publishertype/NationalAuthority"}]})``
    """
    group = model.Group.get(org["name"])
    if group is None:
        toolkit.get_action("organization_create")(site_context(), dict(org))
        return "created"
    shown = toolkit.get_action("organization_show")(site_context(), {"id": group.id})
    stated = {e["key"]: e["value"] for e in shown.get("extras") or []}   # extras that are no schema field
    missing, fields = _lacking(org, shown, stated)
    if not missing and not fields:
        return "exists"
    extras = [{"key": k, "value": v} for k, v in {**stated, **missing}.items()]
    toolkit.get_action("organization_patch")(site_context(), {"id": group.id, "extras": extras, **fields})
    return "updated"
