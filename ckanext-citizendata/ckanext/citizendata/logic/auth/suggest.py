"""Auth of ``citizendata_suggest``: anyone may ask; what it answers is what the asker may see (the datasets
and counts come from package_autocomplete and package_search, which apply the asker's permissions)."""
from __future__ import annotations

from ckan.plugins import toolkit

from ..registry import register_auth


@register_auth
@toolkit.auth_allow_anonymous_access
def citizendata_suggest(context, data_dict):
    return {"success": True}
