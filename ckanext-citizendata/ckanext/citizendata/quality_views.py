"""Quality pages: the publisher's report of a record, the public methodology, and the dashboards of the catalog
and of an organization (charts drawn by Chart.js from the data tables beside them, shipped through webassets).

Example::

    GET /dataset/<id>/quality            the report (also /dataset_series/<id>/quality for initiatives)
    GET /quality/methodology             metrics and weights, bands, frameworks, verdicts, who may assess
    GET /quality/                        the catalog's dashboard
    GET /organization/<name>/quality     one organization's dashboard (private records for its members only)
"""
from __future__ import annotations

from typing import Any

from ckan.common import current_user
from ckan.lib.helpers import lang as current_lang
from ckan.plugins import toolkit
from flask import Blueprint

from ckanext.citizendata.assessment import mqa, report
from ckanext.citizendata.vocab import registry

quality = Blueprint("citizendata_quality", __name__)

RECORD_TYPES = ("dataset", "dataset_series")
SEARCH_FIELDS = "id name organization metadata_modified recognition_status"
PAGE_ROWS = 1000
SCHEMES = ("assessment-verdicts", "recognition-status", "assessment-frameworks", "quality-dimensions")


def _context() -> dict[str, Any]:
    return {"user": current_user.name if current_user.is_authenticated else ""}


def _labels() -> dict[str, dict[str, str]]:
    """scheme -> notation -> label in the page's language, for the schemes the pages name concepts of."""
    return {scheme: registry.labels(scheme, current_lang()) for scheme in SCHEMES}


def _record_report(package_type: str, package_id: str):
    context = _context()
    try:
        package = toolkit.get_action("package_show")(dict(context), {"id": package_id})
        found = toolkit.get_action("citizendata_quality_report")(dict(context), {"id": package["id"]})
    except toolkit.ObjectNotFound:
        return toolkit.abort(404, toolkit._("Dataset not found"))
    except toolkit.NotAuthorized:
        return toolkit.abort(403, toolkit._("You may not see this record, so not its quality report"))
    except toolkit.ValidationError:
        return toolkit.abort(404, toolkit._("Dataset not found"))
    if (package.get("type") or "dataset") != package_type:
        return toolkit.abort(404, toolkit._("Dataset not found"))
    return toolkit.render("citizendata/quality/report.html", {
        "pkg": package, "pkg_dict": package, "dataset_type": package_type, "report": found,
        "labels": _labels()})


@quality.route("/dataset/<package_id>/quality")
def dataset_report(package_id: str):
    return _record_report("dataset", package_id)


@quality.route("/dataset_series/<package_id>/quality")
def series_report(package_id: str):
    return _record_report("dataset_series", package_id)


def _concepts(scheme: str) -> list[dict[str, Any]]:
    """A scheme's concepts with their label and definition in the page's language and the web addresses they
    map to (a framework's published document)."""
    lang = current_lang()
    return [dict(c, label=registry.label(c, lang), definition=(c.get("definitions") or {}).get(lang)
                 or (c.get("definitions") or {}).get("en", ""),
                 links=[iri for iris in (c.get("mappings") or {}).values() for iri in iris
                        if str(iri).startswith(("http://", "https://"))])
            for c in registry.concepts(scheme)]


def _granted(verdict: dict[str, Any]) -> list[str]:
    """The recognition statuses a verdict grants (its skos:closeMatch into recognition-status), as notations."""
    found = []
    for iri in (verdict.get("mappings") or {}).get("closeMatch", []):
        concept = registry.get_concept(iri=iri)
        if concept and concept["scheme_id"] == "recognition-status":
            found.append(concept["notation"])
    return found


@quality.route("/quality/methodology")
def methodology():
    verdicts = [dict(v, grants=_granted(v)) for v in _concepts("assessment-verdicts")]
    return toolkit.render("citizendata/quality/methodology.html", {
        "method": report.methodology(mqa.table()["metrics"]), "frameworks": _concepts("assessment-frameworks"),
        "verdicts": verdicts, "statuses": _concepts("recognition-status"), "labels": _labels()})


def visible_records(context: dict[str, Any], owner_org: str | None = None) -> list[dict[str, Any]]:
    """The records the asker may see (private ones of their organizations included), through package_search so
    its permission labels decide: ``[{"id", "name", "organization", "metadata_modified", "recognition_status"}]``."""
    fq = "+dataset_type:(" + " OR ".join(RECORD_TYPES) + ")"
    if owner_org:
        fq += f' +owner_org:"{owner_org}"'
    records, start = [], 0
    while True:
        page = toolkit.get_action("package_search")(dict(context), {
            "q": "*:*", "fq": fq, "fl": SEARCH_FIELDS, "rows": PAGE_ROWS, "start": start, "include_private": True,
            "sort": "id asc"})
        records += page["results"]
        start += PAGE_ROWS
        if start >= page["count"] or not page["results"]:
            return records


@quality.route("/quality/")
def catalog_dashboard():
    figures = report.dashboard(visible_records(_context()))
    return toolkit.render("citizendata/quality/dashboard.html", {
        "figures": figures, "organization": None, "labels": _labels(), "bands": report.bands()})


@quality.route("/organization/<org_id>/quality")
def organization_dashboard(org_id: str):
    context = _context()
    try:
        organization = toolkit.get_action("organization_show")(dict(context), {
            "id": org_id, "include_datasets": False, "include_users": False, "include_extras": False})
    except (toolkit.ObjectNotFound, toolkit.ValidationError):
        return toolkit.abort(404, toolkit._("Organization not found"))
    except toolkit.NotAuthorized:
        return toolkit.abort(403, toolkit._("You may not see this organization"))
    figures = report.dashboard(visible_records(context, organization["id"]))
    return toolkit.render("citizendata/quality/dashboard.html", {
        "figures": figures, "organization": organization, "labels": _labels(), "bands": report.bands()})


def get_blueprints() -> list[Blueprint]:
    return [quality]
