"""Auth of ``citizendata_quality_report``: whoever may see the record may read its report (the rule of
``auth/quality.py``); drafts of assessments inside it are filtered by the action (only for the assessing NSO)."""
from __future__ import annotations

from ckan.plugins import toolkit

from ..registry import register_auth
from .quality import may_see_record


@register_auth
@toolkit.auth_allow_anonymous_access
def citizendata_quality_report(context, data_dict):
    return may_see_record(context, data_dict)
