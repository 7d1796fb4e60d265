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
from ckanext.scheming.helpers import scheming_get_organization_schema


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


def _organization_fields() -> frozenset:
    """The fields of the organization schema (ckanext-scheming's, when the site has one) beyond CKAN's own."""
    schema = scheming_get_organization_schema("organization") or {}
    return frozenset(f["field_name"] for f in schema.get("fields", []))


def _as_organization_data(data: dict[str, Any], extras: dict[str, Any]) -> dict[str, Any]:
    """The organization with its extras, those the organization schema has as fields (such as ``actor_type``)
    given as fields: a schema field may not also be an extra."""
    fields = _organization_fields()
    data = {k: v for k, v in data.items() if k != "extras"}
    data.update({k: v for k, v in extras.items() if k in fields})
    data["extras"] = [{"key": k, "value": v} for k, v in extras.items() if k not in fields]
    return data


def ensure_organization(org: dict[str, Any]) -> str:
    """Create the organization when missing; an existing one gets the extras of ``org`` it lacks (such as
    ``dcat_type``, its ADMS publisher type). Returns "created", "updated" or "exists".

    Example: ``ensure_organization({"name": "nso", "title": "NSO", "extras": [{"key": "dcat_type",
    "value": "http://purl.org/adms/publishertype/NationalAuthority"}]})``
    """
    extras = {e["key"]: e["value"] for e in org.get("extras") or []}
    group = model.Group.get(org["name"])
    if group is None:
        toolkit.get_action("organization_create")(site_context(), _as_organization_data(org, extras))
        return "created"
    missing = {k: v for k, v in extras.items() if k not in (group.extras or {})}
    if not missing:
        return "exists"
    toolkit.get_action("organization_patch")(
        site_context(), {"id": group.id, **_as_organization_data({}, {**(group.extras or {}), **missing})})
    return "updated"
