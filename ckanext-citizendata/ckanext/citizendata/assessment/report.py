"""The publisher's quality report and the dashboards' figures, built from our tables (``store``) and the metric
table (``metrics.yaml``); pure functions wherever the inputs can be handed in, so the pages and the JSON action
show the same thing.

The computed score and the NSO judgements stay apart: ``publisher_report`` returns them under separate keys
(``score`` / ``assessments``) and the pages draw them in separate panels.

Example::

    metrics = load_metrics()                     # [{"key", "iri", "dimension", "points", "hint", "field"}, ...]
    methodology(metrics)["max_score"]            # 405 + the citizen-data dimension
    band_of(265)                                 # "good"
    report = publisher_report(pkg, store.scores([pkg["id"]]).get(pkg["id"]), assessments, findings, anchors)
    figures(records, store.scores(ids), store.published_assessments(ids), today=datetime.date.today())
"""
from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from typing import Any, Iterable, Optional

from ckan.plugins import toolkit

from ckanext.citizendata.text import N_

from . import mqa, store, workflow

NOT_SCORED = "not-scored"
# the order the report lists dimensions in (data.europa.eu's, then ours); others follow in the file's order
DIMENSION_ORDER = ("findability", "accessibility", "interoperability", "reusability", "contextuality",
                   "citizen-data")


# ---------------------------------------------------------------- the metric table and the methodology
def _dimension_rank(name: str) -> int:
    return DIMENSION_ORDER.index(name) if name in DIMENSION_ORDER else len(DIMENSION_ORDER)


def methodology(metrics: list[dict[str, Any]]) -> dict[str, Any]:
    """Dimensions with their metrics and possible points, the maximum and the bands, e.g.
    ``{"dimensions": [{"dimension": "findability", "possible": 100, "metrics": [...]}], "max_score": 405,
    "bands": [{"band": "excellent", "min": 351, "max": 405}, ...]}``."""
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for metric in metrics:
        grouped[metric["dimension"]].append(metric)
    names = sorted(grouped, key=lambda name: (_dimension_rank(name), list(grouped).index(name)))
    dimensions = [{"dimension": name, "possible": sum(m.get("points", 0) for m in grouped[name]),
                   "metrics": grouped[name]} for name in names]
    ours = {d["key"] for d in mqa.table()["dimensions"] if not d["mqa"]}   # reported beside the MQA's points
    return {"dimensions": dimensions, "max_score": sum(d["possible"] for d in dimensions if d["dimension"] not in ours),
            "bands": bands()}


def bands() -> list[dict[str, Any]]:
    """The MQA bands of ``metrics.yaml`` with their score ranges, best first:
    ``[{"band": "excellent", "min": 351, "max": 405}, ...]``."""
    found, upper = [], mqa.table()["max_score"]
    for item in mqa.table()["bands"]:
        found.append({"band": item["band"], "min": item["from"], "max": upper})
        upper = item["from"] - 1
    return found


# ---------------------------------------------------------------- the publisher's report
SECTION_SNIPPET = "citizendata/form/section.html"
# snippets whose element id is not field-<name>
SNIPPET_IDS = {"organization.html": "field-organizations", "upload.html": "field-resource-url"}


def form_anchor(field: dict[str, Any]) -> Optional[str]:
    """The id of a field's element in the form scheming renders (``None`` for a field with no form element):
    ``field-<name>`` (fields whose snippet renders none, multiple_text and repeating subfields, get it from
    ``citizendata/form/anchored.html``); a field opening a form section, ``section-<name>``; the organization
    and an upload URL, the ids CKAN gives them."""
    if "form_snippet" in field and field["form_snippet"] is None:
        return None
    snippet = field.get("form_snippet") or ""
    if snippet == SECTION_SNIPPET:
        return f"section-{field['field_name']}"
    return SNIPPET_IDS.get(snippet, f"field-{field['field_name']}")


def form_anchors(schema: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """field name -> (form, anchor) for a scheming schema; resource fields are named ``resources.<name>``, e.g.
    ``{"tag_string": ("dataset", "field-tag_string"), "resources.format": ("resource", "field-format")}``."""
    anchors = {f"{prefix}{f['field_name']}": (form, form_anchor(f))
               for form, prefix, key in (("dataset", "", "dataset_fields"), ("resource", "resources.", "resource_fields"))
               for f in schema.get(key, [])}
    return {name: found for name, found in anchors.items() if found[1]}


def field_link(package: dict[str, Any], field: Optional[str], anchors: dict[str, tuple[str, str]]) -> Optional[str]:
    """Where a publisher fixes ``field``: the dataset's edit form, or its first resource's (a new resource when
    there is none), at the field's anchor; ``None`` for a field the forms do not have."""
    if not field or field not in anchors:
        return None
    form, anchor = anchors[field]
    kind = package.get("type") or "dataset"
    if form == "dataset":
        return f"/{kind}/edit/{package['name']}#{anchor}"
    resources = package.get("resources") or []
    if resources:
        return f"/{kind}/{package['name']}/resource/{resources[0]['id']}/edit#{anchor}"
    return f"/{kind}/{package['name']}/resource/new#{anchor}"


def _score_panel(package: dict[str, Any], score: dict[str, Any],
                 anchors: dict[str, tuple[str, str]]) -> dict[str, Any]:
    measurements = defaultdict(list)
    for item in score.get("measurements", []):
        measurements[item["dimension"]].append(dict(item, link=field_link(package, item.get("field"), anchors)))
    dimensions = sorted(score.get("dimensions", []), key=lambda d: _dimension_rank(d["dimension"]))
    to_fix = [m for name in measurements for m in measurements[name] if m["earned"] < m["possible"]]
    return {"score": score["score"], "max_score": score["max_score"], "band": score["band"],
            "computed_at": score.get("computed_at"), "record_modified": score.get("record_modified"),
            "outdated": _later(package.get("metadata_modified"), score.get("record_modified")),
            "dimensions": [dict(d, measurements=measurements.get(d["dimension"], [])) for d in dimensions],
            "to_fix": sorted(to_fix, key=lambda m: m["earned"] - m["possible"])}


# SHACL constraint components in plain words ({path} is the property); others keep pySHACL's message
# (translated when a finding is read, in the reader's language)
PLAIN_CONSTRAINTS = {
    "MinCountConstraintComponent": N_("{path} is missing"),
    "MaxCountConstraintComponent": N_("{path} has more values than allowed"),
    "ClassConstraintComponent": N_("{path} points at something of the wrong kind"),
    "DatatypeConstraintComponent": N_("{path} has a value of the wrong type (for example text where a date is expected)"),
    "NodeKindConstraintComponent": N_("{path} should be a link (IRI), not text, or the other way round"),
    "InConstraintComponent": N_("{path} has a value outside the allowed list"),
    "PatternConstraintComponent": N_("{path} does not have the expected form"),
    "NodeConstraintComponent": N_("{path} does not describe its value fully"),
}


def about(focus: str, package_id: str) -> str:
    """What a SHACL finding is about, from its focus node: ``"dataset"``, ``"distribution"``, ``"publisher"``,
    or ``"other"`` (a contact point, a period...)."""
    if "/resource/" in focus:
        return "distribution"
    if focus.rstrip("/").endswith(package_id) or f"/dataset/{package_id}" in focus:
        return "dataset"
    return "publisher" if "/organization/" in focus else "other"


def plain_finding(finding: dict[str, Any], package_id: str) -> dict[str, Any]:
    """A SHACL finding with ``about`` and ``plain`` (the rule broken, in words), e.g. ``{"about": "dataset",
    "plain": "dcat:theme is missing", "message": "Less than 1 values on …"}``."""
    short = finding.get("constraint", "").rsplit("#", 1)[-1]
    template = PLAIN_CONSTRAINTS.get(short)
    path = finding.get("path") or toolkit._("The description")
    return dict(finding, about=about(finding.get("focus", ""), package_id),
                plain=toolkit._(template).format(path=path) if template else finding.get("message", ""))


def publisher_report(package: dict[str, Any], score: Optional[dict[str, Any]], assessments: list[dict[str, Any]],
                     findings: list[dict[str, Any]], anchors: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """The report of one record, JSON-ready: the computed score (``None`` when never scored) with each dimension,
    each measurement and what to fix (hint and form link); the SHACL findings; the NSO assessments, each with
    ``stale_reasons`` (as ``workflow`` reads them). Score and assessments stay under separate keys."""
    return {"package_id": package["id"], "name": package["name"], "type": package.get("type") or "dataset",
            "score": _score_panel(package, score, anchors) if score else None,
            "shacl": {"findings": [plain_finding(f, package["id"]) for f in findings],
                      "counts": dict(Counter(f["severity"] for f in findings))},
            "assessments": assessments,
            "methodology_url": "/quality/methodology"}


def _parse(value: Any) -> Optional[datetime.datetime]:
    if not value:
        return None
    if isinstance(value, datetime.datetime):
        parsed = value
    else:
        try:
            parsed = datetime.datetime.fromisoformat(str(value))
        except ValueError:
            return None
    return parsed.replace(tzinfo=None)


def _later(modified: Any, judged: Any) -> bool:
    """Whether the record (``metadata_modified``) changed after the version that was judged or scored."""
    modified_at, judged_at = _parse(modified), _parse(judged)
    return bool(modified_at and judged_at and modified_at > judged_at)


# ---------------------------------------------------------------- the dashboards
def _band_counts(bands_of: Iterable[str]) -> dict[str, int]:
    counted = Counter(bands_of)
    return {name: counted[name] for name in [b["band"] for b in mqa.table()["bands"]] + [NOT_SCORED]}


def _by_organization(records: list[dict[str, Any]], band: dict[str, str]) -> list[dict[str, Any]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for record in records:
        grouped[record.get("organization") or ""].append(band[record["id"]])
    return [{"organization": org or None, "total": len(grouped[org]), "bands": _band_counts(grouped[org])}
            for org in sorted(grouped)]


def _due_records(records: list[dict[str, Any]], assessments: dict[str, list[dict[str, Any]]],
                 today: datetime.date) -> list[str]:
    return [r["id"] for r in records
            if any(workflow.staleness(a, _parse(r.get("metadata_modified")), today)
                   for a in assessments.get(r["id"], []))]


def figures(records: list[dict[str, Any]], scores: dict[str, dict[str, Any]],
            assessments: dict[str, list[dict[str, Any]]], today: datetime.date) -> dict[str, Any]:
    """The dashboard's figures for the records a reader may see (``{"id", "organization", "metadata_modified",
    "recognition_status"}`` each, ``organization`` a name or ``None``), e.g.
    ``{"total": 12, "bands": {"excellent": 1, "good": 4, ..., "not-scored": 2},
    "by_organization": [{"organization": "gss", "bands": {...}, "total": 5}], "assessed": 3, "not_assessed": 9,
    "due": 1, "due_records": ["<id>"], "recognition": {"official": 1, "not-assessed": 9, ...}}``."""
    band = {r["id"]: scores[r["id"]]["band"] if r["id"] in scores else NOT_SCORED for r in records}
    due = _due_records(records, assessments, today)
    assessed = sum(1 for r in records if assessments.get(r["id"]))
    return {"total": len(records), "bands": _band_counts(band.values()),
            "by_organization": _by_organization(records, band),
            "assessed": assessed, "not_assessed": len(records) - assessed, "due": len(due), "due_records": due,
            "recognition": dict(Counter(r.get("recognition_status") or "not-assessed" for r in records))}


def dashboard(records: list[dict[str, Any]], today: Optional[datetime.date] = None) -> dict[str, Any]:
    """``figures`` for these records, read from our tables in one query per table."""
    ids = [r["id"] for r in records]
    return figures(records, store.scores(ids), store.published_assessments(ids), today or datetime.date.today())
