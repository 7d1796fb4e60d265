"""IPackageController work for records: the record view on show, plain values in the index, and an
initiative's members re-indexed when it changes, is deleted or purged (their inherited values change).

Example::

    reindex_members(series_id)      # after the initiative changed: each member's index row is rebuilt
"""
from __future__ import annotations

from typing import Any, Iterable

from ckan import logic

from . import index, inherit, view

REINDEXING = "citizendata_reindexing"


def after_dataset_show(context: dict[str, Any], pkg_dict: dict[str, Any]) -> None:
    view.make(pkg_dict)


def before_dataset_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    return index.before_dataset_index(pkg_dict)


def after_dataset_update(context: dict[str, Any], pkg_dict: dict[str, Any]) -> None:
    """A dataset was updated; when it is an initiative, its datasets' effective values changed too (deleting
    and purging: logic/action/delete.py)."""
    if pkg_dict.get("type") == inherit.SERIES_TYPE:
        reindex_members(pkg_dict["id"], context)


def reindex_members(series_id: str, context: dict[str, Any], member_ids: Iterable[str] = ()) -> None:
    """Rebuild the index rows of an initiative's members (``member_ids`` when the initiative is gone: purged)."""
    if context.get(REINDEXING):
        return
    inherit.SeriesLookup.for_request().forget(series_id)
    for member_id in list(member_ids) or inherit.members(series_id):
        logic.index_update_package({"ignore_auth": True, REINDEXING: True}, member_id, defer_commit=True)
