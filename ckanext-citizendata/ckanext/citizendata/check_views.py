"""The "check my record" page of a record's editors: what keeps it from the Copenhagen definition of citizen data
(logic/display.py definition_reasons) and what would raise its metadata-quality band (the publisher's report,
assessment/report.py, as the action ``citizendata_quality_report`` gives it). Only those who may edit the record
see it; the form links to it.

Example::

    GET /dataset/<id>/check              (also /dataset_series/<id>/check for initiatives)
"""
from __future__ import annotations

from typing import Any, Optional

from ckan.common import current_user
from ckan.plugins import toolkit
from flask import Blueprint

from ckanext.citizendata.assessment import report
from ckanext.citizendata.logic import display

check = Blueprint("citizendata_check", __name__)


def _context() -> dict[str, Any]:
    return {"user": current_user.name if current_user.is_authenticated else ""}


def next_band(score: Optional[dict[str, Any]], bands: list[dict[str, Any]]) -> Optional[dict[str, Any]]:
    """The band above the record's (bands best first), with the points it still needs: ``{"band": "good",
    "min": 221, "max": 350, "needed": 40}``; None when unscored or in the best band."""
    if not score:
        return None
    above = [b for b in bands if b["min"] > score["score"]]
    return dict(above[-1], needed=above[-1]["min"] - score["score"]) if above else None


def _check(package_type: str, package_id: str):
    context = _context()
    try:
        toolkit.check_access("package_update", dict(context), {"id": package_id})
        package = toolkit.get_action("package_show")(dict(context), {"id": package_id})
        found = toolkit.get_action("citizendata_quality_report")(dict(context), {"id": package["id"]})
    except (toolkit.ObjectNotFound, toolkit.ValidationError):
        return toolkit.abort(404, toolkit._("Dataset not found"))
    except toolkit.NotAuthorized:
        return toolkit.abort(403, toolkit._("Only the editors of this record may check it"))
    if (package.get("type") or "dataset") != package_type:
        return toolkit.abort(404, toolkit._("Dataset not found"))
    gaps = display.definition_reasons(package)
    return toolkit.render("citizendata/form/check.html", {
        "pkg": package, "pkg_dict": package, "dataset_type": package_type, "gaps": gaps,
        "report": found, "next_band": next_band(found.get("score"), report.bands())})


@check.route("/dataset/<package_id>/check")
def dataset_check(package_id: str):
    return _check("dataset", package_id)


@check.route("/dataset_series/<package_id>/check")
def series_check(package_id: str):
    return _check("dataset_series", package_id)


def get_blueprints() -> list[Blueprint]:
    return [check]
