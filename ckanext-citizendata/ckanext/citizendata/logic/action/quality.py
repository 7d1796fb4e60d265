"""``citizendata_quality_show``: a record's stored metadata-quality score (the score dict of
``assessment/__init__.py``), to whoever may see the record.

Example (API)::

    GET /api/3/action/citizendata_quality_show?id=<name or id>
    {"package_id": "...", "score": 265, "max_score": 405, "band": "good", "dimensions": [...], ...}
"""
from __future__ import annotations

from ckan import model
from ckan.plugins import toolkit

from ckanext.citizendata.assessment import store

from ..registry import register_action
from . import text


@register_action
@toolkit.side_effect_free
def citizendata_quality_show(context, data_dict):
    """The stored score of the record ``id`` (name or id); 404 when there is none yet."""
    ref = text(data_dict, "id", 200, required=True)
    package = model.Package.get(ref)
    if package is None or package.state == "deleted":
        raise toolkit.ObjectNotFound("No record has this name or id")
    toolkit.check_access("citizendata_quality_show", context, {"id": package.id})
    found = store.scores([package.id]).get(package.id)
    if found is None:
        raise toolkit.ObjectNotFound("This record has no quality score yet")
    return found
