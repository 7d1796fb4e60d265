"""Auth of ``citizendata_quality_report``: whoever may see the record (``package_show``) may read its report;
drafts of assessments inside it are filtered by the action (only for the assessing NSO)."""
from __future__ import annotations

from ckan.plugins import toolkit

from ..registry import register_auth


@register_auth
@toolkit.auth_allow_anonymous_access
def citizendata_quality_report(context, data_dict):
    try:
        toolkit.check_access("package_show", dict(context), {"id": data_dict.get("id")})
    except toolkit.NotAuthorized:
        return {"success": False, "msg": toolkit._("You may not see this record, so not its quality report")}
    return {"success": True}
