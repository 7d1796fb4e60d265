"""Auth of ``citizendata_quality_show`` (``action/quality.py``): a record's stored score is read by whoever may
see the record (``id`` or ``package_id``). ``auth/report.py`` applies the same rule to the publisher's report.

Example::

    toolkit.check_access("citizendata_quality_show", {"user": ""}, {"id": "<public record>"})   # True
"""
from __future__ import annotations

from ckan.plugins import toolkit

from ckanext.citizendata.assessment import roles

from ..registry import register_auth
from .assessment import package_of


def may_see_record(context, data_dict) -> dict:
    """Whoever may see the record named by ``id`` or ``package_id`` (a missing record: NotFound)."""
    package = package_of(data_dict.get("package_id") or data_dict.get("id"))
    if roles.may_see_package(context.get("user") or "", package):
        return {"success": True}
    return {"success": False, "msg": "You may not see this record, so neither its quality score nor its report."}


@register_auth
@toolkit.auth_allow_anonymous_access
def citizendata_quality_show(context, data_dict):
    return may_see_record(context, data_dict)
