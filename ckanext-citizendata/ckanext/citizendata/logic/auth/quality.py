"""Auth of ``citizendata_quality_show``: whoever may see the record may see its score (a private record's score
is as private as the record).

(Written in this branch for the quality action; the auth of ``citizendata_quality_report`` belongs to the same
module on main.)
"""
from __future__ import annotations

from ckan import authz
from ckan.plugins import toolkit

from ..registry import register_auth


@register_auth
@toolkit.auth_allow_anonymous_access
def citizendata_quality_show(context, data_dict):
    if authz.is_authorized_boolean("package_show", context, {"id": data_dict.get("id")}):
        return {"success": True}
    return {"success": False, "msg": "You may not see this record, nor its quality score"}
