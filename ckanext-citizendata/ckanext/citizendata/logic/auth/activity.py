"""Auth of ckanext-activity's ``activity_show``, mended: its auth function reads ``data_dict["include_data"]``,
which the action neither documents nor passes on, so every non-sysadmin call ended in a KeyError (500). The
action returns the activity with its ``data`` (the whole dataset as it was), so it is authorized as
``activity_list`` with ``include_data``: those who may edit the dataset (or everyone who may see it when
``ckan.auth.public_activity_stream_detail`` is on).

Example::

    toolkit.check_access("activity_show", {"user": "editor"}, {"id": activity_id})   # passes or NotAuthorized
"""
from __future__ import annotations

from ckan.plugins import toolkit

from ..registry import register_auth


@register_auth
@toolkit.chained_auth_function
def activity_show(next_auth, context, data_dict):
    return next_auth(context, {**data_dict, "include_data": True})
