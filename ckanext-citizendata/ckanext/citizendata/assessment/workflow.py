"""Assessments as rows of our tables: created as drafts by an NSO's assessor, edited while drafts, published by
an approver (superseding that office's previous published assessment of the record), withdrawn with a reason,
purged by a sysadmin; every transition and exchange an event of the append-only log. What the shown dict adds
to the stored one (``recognition_status``, ``stale``, ``stale_reasons``) is computed on read.

Writing an assessment never changes the dataset (its ``metadata_modified`` stays); after a publication, a
withdrawal or a purge the record is re-indexed so that its facets follow.

Example::

    draft = create(package_id, "ama", {"framework": "un-nqaf-2019", "intended_use": "SDG 16.6.2"})
    update(draft["id"], "ama", {"verdict": "endorse-complementary", "rationale": {"en": "Fit for 16.6.2."}})
    publish(draft["id"], "kofi")["state"]       # "published"
    withdraw(draft["id"], "kofi", "The survey was discontinued.")["state"]     # "withdrawn"
"""
from __future__ import annotations

import datetime
import uuid
from typing import Any, Optional

import sqlalchemy as sa
from ckan import model
from ckan.lib import search
from ckan.plugins import toolkit

from ckanext.citizendata.model.assessment import assessment_event_table, assessment_table
from ckanext.citizendata.text import N_, unreadable

from . import recognition, roles, rules, store

DRAFT, PUBLISHED, SUPERSEDED, WITHDRAWN = "draft", "published", "superseded", "withdrawn"
EVENT_KINDS = ("transition", "review-request", "question", "answer", "purge")
MAX_NOTE = 4000


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _refuse(field: str, words: str) -> None:
    raise toolkit.ValidationError({field: [f"{field}: {words}"]})


def _user(user: Any) -> model.User:
    found = user if isinstance(user, model.User) else model.User.get(str(user or ""))
    if found is None:
        raise toolkit.NotAuthorized("a signed-in user is needed")
    return found


def _package(package_id: Any) -> model.Package:
    package = model.Package.get(package_id) if isinstance(package_id, str) and not unreadable(package_id) else None
    if package is None or package.state == "deleted":
        raise toolkit.ObjectNotFound("no such record")
    return package


def _row(assessment_id: Any):
    if not isinstance(assessment_id, str) or not assessment_id or unreadable(assessment_id):
        raise toolkit.ObjectNotFound("no such assessment")
    row = model.Session.execute(sa.select(assessment_table).where(assessment_table.c.id == assessment_id)).first()
    if row is None:
        raise toolkit.ObjectNotFound("no such assessment")
    return row


# ---------------------------------------------------------------- who assesses for which office
def record_of(package: model.Package) -> dict[str, Any]:
    """The record view (inherited countries included) the roles read, whoever asks."""
    return toolkit.get_action("package_show")({"ignore_auth": True}, {"id": package.id})


def _wanted(value: Any) -> Optional[str]:
    if value is not None and (not isinstance(value, str) or unreadable(value) or len(value) > 200):
        _refuse("organization", "expected the name or id of an organization")
    return value or None


def _assessing_organization(user: model.User, package: model.Package, wanted: Any) -> roles.Organization:
    """The NSO the user assesses the record for (roles.assessing_organizations): the one named by ``wanted``,
    else their only one."""
    wanted = _wanted(wanted)
    record = record_of(package)
    mine = roles.assessing_organizations(user.name, record)
    if wanted:
        mine = [o for o in mine if wanted in (o.id, o.name)]
    if not mine:
        _refuse("organization", roles.assess_refusal(user.name, record, wanted)
                or "you may not assess this record")
    if len(mine) > 1:
        _refuse("organization", "you assess for several offices; say which: " + ", ".join(o.name for o in mine))
    return mine[0]


# ---------------------------------------------------------------- the log
def log_event(package_id: str, kind: str, actor: model.User, assessment_id: Optional[str] = None,
              from_state: Optional[str] = None, to_state: Optional[str] = None, note: str = "") -> None:
    """Append one event to the log (committed with the change it records)."""
    model.Session.execute(assessment_event_table.insert().values(
        assessment_id=assessment_id, package_id=package_id, kind=kind, actor_id=actor.id, at=_now(),
        from_state=from_state, to_state=to_state, note=note))


def _note(note: Any, field: str, required: bool = False) -> str:
    text = "" if note is None else note if isinstance(note, str) else None
    if text is None:
        _refuse(field, "expected text")
    bad = unreadable(text)
    if bad:
        _refuse(field, f"{bad}, which no field can hold")
    text = text.strip()
    if required and not text:
        _refuse(field, "required")
    if len(text) > MAX_NOTE:
        _refuse(field, f"must not be longer than {MAX_NOTE} characters")
    return text


# ---------------------------------------------------------------- the stated fields
def _stated(data: dict[str, Any], base: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    """The assessor's fields of ``data`` over those of ``base``, checked; a ValidationError names each wrong one."""
    if not isinstance(data, dict):
        _refuse("assessment", "expected an object")
    stated = dict(base or {})
    stated.update({k: data[k] for k in rules.input_fields() if k in data})
    errors = rules.errors(stated)
    if errors:
        raise toolkit.ValidationError(errors)
    return stated


def _columns(stated: dict[str, Any]) -> dict[str, Any]:
    valid_until = stated.get("valid_until")
    return {"framework": stated["framework"], "intended_use": stated["intended_use"],
            "intended_indicators": list(stated.get("intended_indicators") or []),
            "criteria": list(stated.get("criteria") or []), "verdict": stated.get("verdict"),
            "rationale": dict(stated.get("rationale") or {}), "conditions": stated.get("conditions") or "",
            "development_plan_url": stated.get("development_plan_url") or None,
            "valid_until": datetime.date.fromisoformat(valid_until) if valid_until else None}


def _stated_of(item: dict[str, Any]) -> dict[str, Any]:
    """The assessor's fields of a stored assessment (None and empty values left out, as input would)."""
    return {k: item[k] for k in rules.input_fields() if item.get(k) not in (None, "")}


# ---------------------------------------------------------------- writes
def create(package_id: str, user: Any, data: dict[str, Any], example: bool = False) -> dict[str, Any]:
    """A draft assessment of the record by the user (its assessor) for their NSO organization
    (``data["organization"]`` chooses when they are in several)."""
    actor, package = _user(user), _package(package_id)
    organization = _assessing_organization(actor, package, data.get("organization") if isinstance(data, dict)
                                           else None)
    stated = _stated(data)
    now, assessment_id = _now(), str(uuid.uuid4())
    model.Session.execute(assessment_table.insert().values(
        id=assessment_id, package_id=package.id, organization_id=organization.id, state=DRAFT,
        assessor_id=actor.id, judged_version=package.metadata_modified, created=now, modified=now,
        example=bool(example), **_columns(stated)))
    log_event(package.id, "transition", actor, assessment_id, None, DRAFT)
    model.Session.commit()
    reindex(package.id)
    return show(assessment_id)


def update(assessment_id: str, user: Any, data: dict[str, Any]) -> dict[str, Any]:
    """A draft's fields changed (those given; the others kept); it now judges the record as it is."""
    actor, row = _user(user), _row(assessment_id)
    if row.state != DRAFT:
        _refuse("state", f"a {row.state} assessment cannot be edited; only drafts can (a new assessment "
                         "supersedes a published one)")
    [current] = store.as_dicts([row])
    stated = _stated(data, _stated_of(current))
    package = _package(row.package_id)
    model.Session.execute(assessment_table.update().where(assessment_table.c.id == row.id).values(
        judged_version=package.metadata_modified, modified=_now(), **_columns(stated)))
    log_event(row.package_id, "transition", actor, row.id, DRAFT, DRAFT, "edited")
    model.Session.commit()
    return show(row.id)


def _transition(row, actor: model.User, to_state: str, note: str = "", **values: Any) -> None:
    model.Session.execute(assessment_table.update().where(assessment_table.c.id == row.id)
                          .values(state=to_state, modified=_now(), **values))
    log_event(row.package_id, "transition", actor, row.id, row.state, to_state, note)


def _may(row, allowed_from: str, verb: str) -> None:
    if row.state != allowed_from:
        _refuse("state", f"a {row.state} assessment cannot be {verb}; only a {allowed_from} one can")


def publish(assessment_id: str, user: Any) -> dict[str, Any]:
    """Publish a draft: the user is its approver; the office's previous published assessment of the record
    is superseded. An official endorsement needs the criteria of ``rules.publish_errors`` and an approver who is
    not the assessor."""
    actor, row = _user(user), _row(assessment_id)
    _may(row, DRAFT, "published")
    [current] = store.as_dicts([row])
    errors = rules.errors(_stated_of(current)) or rules.publish_errors(current)
    if current["verdict"] == rules.schema()["x-official"]["verdict"] and actor.id == row.assessor_id:
        errors.setdefault("approver", []).append(
            "approver: an official endorsement must be approved by someone other than its assessor")
    if errors:
        raise toolkit.ValidationError(errors)
    previous = model.Session.execute(sa.select(assessment_table).where(
        assessment_table.c.package_id == row.package_id, assessment_table.c.organization_id == row.organization_id,
        assessment_table.c.state == PUBLISHED)).all()
    for old in previous:
        _transition(old, actor, SUPERSEDED, f"superseded by {row.id}")
    _transition(row, actor, PUBLISHED, approver_id=actor.id, published_at=_now())
    model.Session.commit()
    reindex(row.package_id)
    return show(row.id)


def withdraw(assessment_id: str, user: Any, reason: Any) -> dict[str, Any]:
    """Withdraw a published assessment, saying why (the reason is the event's note)."""
    actor, row = _user(user), _row(assessment_id)
    _may(row, PUBLISHED, "withdrawn")
    _transition(row, actor, WITHDRAWN, _note(reason, "reason", required=True))
    model.Session.commit()
    reindex(row.package_id)
    return show(row.id)


def purge(assessment_id: str, user: Any) -> dict[str, Any]:
    """Delete an assessment and its events for good; a ``purge`` event (who, when, what) is kept.
    Returns that event's facts."""
    actor, row = _user(user), _row(assessment_id)
    organization = model.Group.get(row.organization_id)
    what = (f"purged assessment {row.id} of {organization.name if organization else row.organization_id} "
            f"({row.framework}, {row.state}, verdict {row.verdict or 'none'})")
    model.Session.execute(assessment_event_table.delete().where(assessment_event_table.c.assessment_id == row.id))
    model.Session.execute(assessment_table.delete().where(assessment_table.c.id == row.id))
    log_event(row.package_id, "purge", actor, None, row.state, None, what)
    model.Session.commit()
    reindex(row.package_id)
    return {"id": row.id, "package_id": row.package_id, "purged_by": actor.name, "note": what}


def exchange(package_id: str, user: Any, kind: str, message: Any, assessment_id: Optional[str] = None) -> None:
    """Log a review request on a record, or a question or answer on an assessment (``kind``)."""
    actor = _user(user)
    if kind not in EVENT_KINDS[1:4]:
        _refuse("kind", f"{str(kind)[:40]!r} is not allowed; allowed: question, answer")
    text = _note(message, "message", required=True)
    log_event(package_id, kind, actor, assessment_id, note=text)
    model.Session.commit()
    if kind == "review-request":
        reindex(package_id)


def reindex(package_id: str) -> None:
    """Rebuild the record's index row (its facets follow the published assessments)."""
    if model.Package.get(package_id) is not None:
        search.rebuild(package_id)


# ---------------------------------------------------------------- reads
def _day(value: Any) -> str:
    return str(value)[:10]


# why an assessment is stale, in the reader's language (toolkit._ at request time; English outside a request)
CHANGED_SINCE = N_("the record changed on {changed} after the assessment judged its version of {judged}")
EXPIRED = N_("valid until {date} has passed")


def staleness(item: dict[str, Any], record_modified: Optional[datetime.datetime],
              today: Optional[datetime.date] = None) -> list[str]:
    """Why an assessment no longer judges the record as it is (``[]`` when it still does)."""
    reasons = []
    judged = item.get("judged_version")
    if record_modified is not None and judged and record_modified > datetime.datetime.fromisoformat(judged):
        reasons.append(toolkit._(CHANGED_SINCE).format(changed=_day(record_modified.isoformat()), judged=_day(judged)))
    today = today or datetime.date.today()
    if item.get("valid_until") and item["valid_until"] < today.isoformat():
        reasons.append(toolkit._(EXPIRED).format(date=item["valid_until"]))
    return reasons


def completed(items: list[dict[str, Any]], today: Optional[datetime.date] = None) -> list[dict[str, Any]]:
    """Assessment dicts of ``store`` with ``recognition_status``, ``stale`` and ``stale_reasons`` added."""
    ids = {i["package_id"] for i in items}
    modified = dict(model.Session.query(model.Package.id, model.Package.metadata_modified)
                    .filter(model.Package.id.in_(ids)).all()) if ids else {}
    statuses: dict[Optional[str], Optional[str]] = {}
    for item in items:
        if item["verdict"] not in statuses:
            statuses[item["verdict"]] = recognition.granted_by(item["verdict"])
        item["recognition_status"] = statuses[item["verdict"]]
        item["stale_reasons"] = staleness(item, modified.get(item["package_id"]), today)
        item["stale"] = bool(item["stale_reasons"])
    return items


def show(assessment_id: str) -> dict[str, Any]:
    """One assessment as ``citizendata_assessment_show`` returns it (assessment/__init__.py)."""
    [item] = completed(store.as_dicts([_row(assessment_id)]))
    return item


def for_package(package_id: str, user: Any = None) -> list[dict[str, Any]]:
    """A record's assessments the user may see, newest first: all but drafts for everyone who can see the record;
    drafts for sysadmins and the members of the assessing office."""
    name = user.name if isinstance(user, model.User) else (user or None)
    a = assessment_table
    rows = model.Session.execute(sa.select(a).where(a.c.package_id == package_id)
                                 .order_by(a.c.created.desc(), a.c.id)).all()
    everything = roles.is_sysadmin(name)
    member_of = roles.capacities(name)
    seen = [row for row in rows if row.state != DRAFT or everything or row.organization_id in member_of]
    return completed(store.as_dicts(seen))
