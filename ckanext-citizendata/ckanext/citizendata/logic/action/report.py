"""``citizendata_quality_report``: the publisher's quality report of one record as JSON, the same the page
``/dataset/<id>/quality`` shows: the stored score with each metric and what to fix, the SHACL findings of the
record's DCAT, and the NSO assessments the asker may see (drafts only for members of the assessing NSO).

Example (API)::

    GET /api/3/action/citizendata_quality_report?id=ghana-satisfaction
    {"package_id": "...", "score": {"score": 265, "band": "good", "dimensions": [...], "to_fix": [...]},
     "shacl": {"findings": [{"severity": "Violation", "focus": "...", "path": "dct:title", "message": "..."}]},
     "assessments": [{"verdict": "endorse-complementary", "state": "published", "stale": False, "stale_reasons": [], ...}],
     "methodology_url": "/quality/methodology"}
"""
from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit
from ckanext.dcat.processors import RDFSerializer
from ckanext.scheming.helpers import scheming_get_dataset_schema

from ckanext.citizendata.assessment import report, store, workflow
from ckanext.citizendata.rdf import shacl

from ..registry import register_action
from . import text

FINDING_KEYS = ("severity", "focus", "path", "value", "message", "shapes", "constraint")


def shacl_findings(package: dict[str, Any]) -> list[dict[str, Any]]:
    """The SHACL results of the record's DCAT (our shapes and DCAT-AP's), in plain values, e.g.
    ``[{"severity": "Warning", "focus": "https://…/dataset/x", "path": "dcat:theme", "message": "…"}]``."""
    serializer = RDFSerializer()
    serializer.graph_from_dataset(package)
    return [{key: getattr(result, key) for key in FINDING_KEYS} for result in shacl.validate(serializer.g, "all")]


@register_action
@toolkit.side_effect_free
def citizendata_quality_report(context, data_dict):
    """The quality report of the record ``id`` (name or id); 404 for a record the asker may not see."""
    name_or_id = text(data_dict, "id", 200, required=True)
    toolkit.check_access("citizendata_quality_report", context, data_dict)
    package = toolkit.get_action("package_show")(dict(context), {"id": name_or_id})
    schema = scheming_get_dataset_schema(package.get("type") or "dataset") or {}
    return report.publisher_report(
        package, store.scores([package["id"]]).get(package["id"]),
        workflow.for_package(package["id"], context.get("user")),
        shacl_findings(package), report.form_anchors(schema))
