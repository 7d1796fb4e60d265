"""Reading our assessment and score tables into the dict shapes of ``assessment/__init__.py``, for many records
at once (a DCAT catalog page, a search page): one query per table, never one per record.

Example::

    published_assessments(["<package id>"])   # {"<package id>": [{"id": ..., "verdict": ..., "history": [...]}]}
    scores(["<package id>"])                  # {"<package id>": {"score": 265, "band": "good", ...}}
"""
from __future__ import annotations

import datetime
from typing import Any, Iterable, Optional

import sqlalchemy as sa
from ckan import model

from ckanext.citizendata.model.assessment import assessment_event_table, assessment_table, quality_score_table

PUBLISHED = "published"


def _iso(value: Any) -> Optional[str]:
    return value.isoformat() if isinstance(value, (datetime.date, datetime.datetime)) else value


def _names(ids: set, table) -> dict[str, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(model.Session.execute(sa.select(table.c.id, table.c.name).where(table.c.id.in_(ids))).all())


def history(assessment_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """assessment id -> its events, oldest first: ``[{"kind", "actor", "at", "from", "to", "note"}]``."""
    ids = list(dict.fromkeys(assessment_ids))
    if not ids:
        return {}
    e = assessment_event_table
    rows = model.Session.execute(sa.select(e).where(e.c.assessment_id.in_(ids)).order_by(e.c.at, e.c.id)).all()
    users = _names({r.actor_id for r in rows}, model.user_table)
    found: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    for r in rows:
        found[r.assessment_id].append({"kind": r.kind, "actor": users.get(r.actor_id, r.actor_id), "at": _iso(r.at),
                                       "from": r.from_state, "to": r.to_state, "note": r.note})
    return found


def as_dicts(rows: list) -> list[dict[str, Any]]:
    """Rows of ``citizendata_assessment`` as assessment dicts (without ``stale``, ``recognition_status``: those
    need the record and the vocabulary, and are added by ``workflow``)."""
    users = _names({r.assessor_id for r in rows} | {r.approver_id for r in rows}, model.user_table)
    orgs = _names({r.organization_id for r in rows}, model.group_table)
    events = history(r.id for r in rows)
    return [{"id": r.id, "package_id": r.package_id, "organization": orgs.get(r.organization_id, r.organization_id),
             "framework": r.framework, "intended_use": r.intended_use,
             "intended_indicators": list(r.intended_indicators or []), "criteria": list(r.criteria or []),
             "verdict": r.verdict, "rationale": dict(r.rationale or {}), "conditions": r.conditions,
             "development_plan_url": r.development_plan_url, "valid_until": _iso(r.valid_until), "state": r.state,
             "assessor": users.get(r.assessor_id, r.assessor_id),
             "approver": users.get(r.approver_id, r.approver_id) if r.approver_id else None,
             "judged_version": _iso(r.judged_version), "created": _iso(r.created), "modified": _iso(r.modified),
             "published_at": _iso(r.published_at), "example": r.example, "history": events.get(r.id, [])}
            for r in rows]


def published_assessments(package_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """package id -> its published assessments (not drafts, superseded or withdrawn ones), newest first."""
    ids = list(dict.fromkeys(package_ids))
    if not ids:
        return {}
    a = assessment_table
    rows = model.Session.execute(sa.select(a).where(a.c.package_id.in_(ids), a.c.state == PUBLISHED)
                                 .order_by(a.c.published_at.desc(), a.c.id)).all()
    found: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    for item in as_dicts(rows):
        found[item["package_id"]].append(item)
    return found


def scores(package_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """package id -> its stored quality score (records never scored are absent)."""
    ids = list(dict.fromkeys(package_ids))
    if not ids:
        return {}
    q = quality_score_table
    rows = model.Session.execute(sa.select(q).where(q.c.package_id.in_(ids))).all()
    return {r.package_id: {"package_id": r.package_id, "score": r.score, "max_score": r.max_score, "band": r.band,
                           "dimensions": list(r.dimensions), "measurements": list(r.measurements),
                           "record_modified": _iso(r.record_modified), "computed_at": _iso(r.computed_at)}
            for r in rows}
