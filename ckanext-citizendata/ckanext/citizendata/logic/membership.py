"""Who may put a dataset into an initiative (``in_series``), and which initiatives a user may see.

A dataset may join an initiative when its editor may update that initiative (an editor of the initiative's
organization, a sysadmin), or when the initiative is public and opens membership to datasets of other
organizations (its ``open_membership`` flag). What a member then shows of the initiative is decided by the two
records alone (``record.inherit.gives_to``).

Example::

    may_join(SeriesLookup.for_request().get("ghana-pss-app"), {"user": "cso-editor"})     # False
"""
from __future__ import annotations

from typing import Any

from ckan import model
from ckan.plugins import toolkit

from ckanext.citizendata.record.inherit import SERIES_TYPE, Series, SeriesLookup


def _allowed(action: str, context: dict[str, Any], series_id: str) -> bool:
    if context.get("ignore_auth"):
        return True
    # the asker only: never the caller's own context (check_access writes into it); with no user named, CKAN
    # takes the request's
    asker = {key: context[key] for key in ("user", "auth_user_obj") if key in context}
    try:
        toolkit.check_access(action, asker, {"id": series_id})
    except (toolkit.NotAuthorized, toolkit.ObjectNotFound):
        return False
    return True


def may_see(series: Series, context: dict[str, Any]) -> bool:
    """Whether the asker of ``context`` may read the initiative (package_show's rule)."""
    return series.public or _allowed("package_show", context, series.id)


def may_join(series: Series, context: dict[str, Any]) -> bool:
    """Whether the asker may put a dataset into the initiative."""
    return (series.public and series.open_membership) or _allowed("package_update", context, series.id)


def joinable(context: dict[str, Any]) -> list[Series]:
    """The active initiatives the asker may put a dataset into, by title."""
    rows = (model.Session.query(model.Package.id).filter(model.Package.type == SERIES_TYPE,
                                                         model.Package.state == "active")
            .order_by(model.Package.title).all())
    found = SeriesLookup.for_request().many([row.id for row in rows])
    return [series for series in found if series is not None and may_join(series, context)]
