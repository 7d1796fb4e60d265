"""IPackageController work for records: effective values on show, plain values in the index, and members
re-indexed when their initiative changes."""
from __future__ import annotations

from typing import Any

from ckan import logic

from . import index, inherit


def after_dataset_show(context: dict[str, Any], pkg_dict: dict[str, Any]) -> None:
    inherit.apply_to_shown(pkg_dict, context)


def before_dataset_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    return index.before_dataset_index(pkg_dict)


def after_dataset_change(context: dict[str, Any], pkg_dict: dict[str, Any]) -> None:
    """An initiative changed: its datasets' effective values changed too."""
    if pkg_dict.get("type") != inherit.SERIES_TYPE or context.get("citizendata_reindexing"):
        return
    for member_id in inherit.members(pkg_dict["id"]):
        logic.index_update_package({"ignore_auth": True, "citizendata_reindexing": True}, member_id,
                                   defer_commit=True)
