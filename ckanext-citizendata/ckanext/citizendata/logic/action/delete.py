"""Deleting and purging datasets, chained on CKAN's actions: a dataset's DCAT fragments go with it, and the
members of an initiative are re-indexed (what they inherited from it goes).

Example::

    toolkit.get_action("dataset_purge")({"user": "admin"}, {"id": "ghana-pss-initiative"})
    # its fragments are dropped; each member's index row no longer holds the initiative's values
"""
from __future__ import annotations

from ckan import model
from ckan.plugins import toolkit

from ckanext.citizendata.rdf import cache
from ckanext.citizendata.record import hooks, inherit

from ..registry import register_action


@register_action
@toolkit.chained_action
def package_delete(up_func, context, data_dict):
    """Deleting a dataset drops its fragments; deleting an initiative re-indexes the datasets in it."""
    return _removing(up_func, context, data_dict)


@register_action
@toolkit.chained_action
def dataset_purge(up_func, context, data_dict):
    """Purging a dataset drops its fragments; purging an initiative re-indexes the datasets that were in it."""
    return _removing(up_func, context, data_dict)


def _removing(up_func, context, data_dict):
    """CKAN's action, then what follows from the dataset going (CKAN calls after_dataset_delete before the
    dataset's state changes, and nothing on purge, so both are done here)."""
    package = model.Package.get(data_dict.get("id"))
    if package is None:
        return up_func(context, data_dict)
    package_id = package.id
    members = inherit.members(package_id) if package.type == inherit.SERIES_TYPE else []
    result = up_func(context, data_dict)
    if members:
        hooks.reindex_members(package_id, context, members)
    cache.forget(package_id)
    if not context.get("defer_commit"):
        model.Session.commit()
    return result
