"""A record's ``recognition_status``, derived from published NSO assessments instead of typed by its publisher.

The status shown (package_show, the search index, the DCAT it is made from) is, in this order:

1. the status a record owned by a national statistical office states itself (an NSO may state its own records'
   status; a value it inherits from an initiative is no statement of its own);
2. the status granted by the verdict of the most recently published assessment made by an NSO whose jurisdiction
   covers one of the record's countries (the verdict's ``skos:closeMatch`` in the ``recognition-status`` scheme,
   read from the registry);
3. for a dataset in initiatives: the status of the first initiative that may give to it (:func:`~ckanext.
   citizendata.record.inherit.gives_to`) and has one other than ``not-assessed``, derived the same way; it is then
   listed in ``inherited_fields`` as other inherited values are;
4. ``under-nso-review`` when a draft assessment or a review request of the record exists, else ``not-assessed``.

A value the publisher stored otherwise (a harvest, a bulk import, an old record) is kept in the database but not
shown; a person's write that tries to set another status is refused (:func:`write_refusal`).

Example::

    derived_status({"id": "…", "owner_org": "<cso id>", "countries": ["GHA"]})   # "complementary-source" when
    # Ghana's NSO published an assessment with verdict endorse-complementary, else "not-assessed"
"""
from __future__ import annotations

import functools
from typing import Any, Optional

import sqlalchemy as sa
from ckan import model

from ckanext.citizendata import primed
from ckanext.citizendata.model.assessment import assessment_event_table, assessment_table
from ckanext.citizendata.record.coerce import to_list
from ckanext.citizendata.record.inherit import SERIES_TYPE, Series, SeriesLookup, gives_to, series_ids
from ckanext.citizendata.record.view import MARK, RECORD_TYPES
from ckanext.citizendata.vocab import registry

from . import roles
from .store import PUBLISHED

FIELD = "recognition_status"
NOT_ASSESSED = "not-assessed"
UNDER_REVIEW = "under-nso-review"
VERDICTS = "assessment-verdicts"
STATUSES = "recognition-status"


def granted_by(verdict: Optional[str]) -> Optional[str]:
    """The recognition status a verdict grants: its ``skos:closeMatch`` in the recognition-status scheme.

    >>> granted_by("endorse-complementary")   # doctest: +SKIP
    'complementary-source'
    """
    return _grants(registry.revision()).get(verdict) if verdict else None


@functools.lru_cache(maxsize=4)
def _grants(_revision: str) -> dict[str, str]:
    """verdict -> the recognition status it grants, read once per registry revision."""
    found = {}
    for concept in registry.concepts(VERDICTS):
        for iri in (concept.get("mappings") or {}).get("closeMatch", []):
            target = registry.get_concept(iri=iri)
            if target and target["scheme_id"] == STATUSES:
                found[concept["notation"]] = target["notation"]
    return found


def _countries(package: dict[str, Any]) -> list[str]:
    value = package.get("countries")
    items = to_list(value) if value not in (None, "") else []
    return [str(c) for c in items] if isinstance(items, list) else []


def granted(package: dict[str, Any]) -> Optional[str]:
    """The status granted by the newest published assessment of an NSO with jurisdiction over one of the
    record's countries (None when there is none)."""
    package_id = package.get("id")
    if not package_id:
        return None
    published = primed.lookup(_VERDICTS_OF, package_id, lambda: _published_verdicts([package_id])[package_id])
    orgs = roles.organizations(org_id for org_id, _ in published)
    countries = _countries(package)
    for org_id, verdict in published:   # newest first
        org = orgs.get(org_id)
        status = granted_by(verdict) if org is not None and org.covers(countries) else None
        if status:
            return status
    return None


def _published_verdicts(package_ids: list[str]) -> dict[str, list[tuple[str, Optional[str]]]]:
    """package id -> (assessing organization id, verdict) of its published assessments, newest first."""
    a = assessment_table
    found: dict[str, list] = {i: [] for i in package_ids}
    rows = model.Session.execute(
        sa.select(a.c.package_id, a.c.organization_id, a.c.verdict)
        .where(a.c.package_id.in_(package_ids), a.c.state == PUBLISHED)
        .order_by(a.c.published_at.desc(), a.c.id))
    for package_id, org_id, verdict in rows:
        found[package_id].append((org_id, verdict))
    return found


def pending(package_id: Optional[str]) -> bool:
    """Whether a draft assessment or a review request of the record exists."""
    if not package_id:
        return False
    return primed.lookup(_PENDING, package_id, lambda: package_id in _pending([package_id]))


def _pending(package_ids: list[str]) -> set[str]:
    """Those of the packages with a draft assessment or a review request."""
    a, e = assessment_table, assessment_event_table
    drafts = sa.select(a.c.package_id).where(a.c.package_id.in_(package_ids), a.c.state == roles.DRAFT)
    asked = sa.select(e.c.package_id).where(e.c.package_id.in_(package_ids), e.c.kind == "review-request")
    return set(model.Session.execute(drafts.union(asked)).scalars())


# kinds of answers a bulk job reads ahead (:mod:`ckanext.citizendata.primed`)
_VERDICTS_OF, _PENDING = "recognition.published_verdicts", "recognition.pending"


def prime(package_ids: list[str]) -> dict[str, dict]:
    """What deriving these packages' statuses reads, for :func:`ckanext.citizendata.primed.batch`."""
    waiting = _pending(package_ids)
    return {_VERDICTS_OF: _published_verdicts(package_ids), _PENDING: {i: i in waiting for i in package_ids}}


def _stated(package: dict[str, Any]) -> Optional[str]:
    """The status the record itself states: a stored record's as stored (a shown dict, even one read back from
    the index, holds the derived value), else the dict's own unless it is inherited."""
    stored = model.Package.get(package["id"]) if package.get("id") else None
    if stored is not None:
        return (stored.extras or {}).get(FIELD) or None
    return None if FIELD in (package.get(MARK) or []) else package.get(FIELD) or None


def _stated_by_nso(package: dict[str, Any]) -> Optional[str]:
    stated = _stated(package)
    if not stated:
        return None
    owner = roles.organization(package.get("owner_org"))
    return stated if owner is not None and owner.is_nso else None


def _own(package: dict[str, Any]) -> Optional[str]:
    return _stated_by_nso(package) or granted(package)


def _from_initiatives(package: dict[str, Any]) -> Optional[str]:
    refs = series_ids(package.get("in_series"))
    if not refs or package.get("type", "dataset") == SERIES_TYPE:
        return None
    member = {"private": package.get("private"), "owner_org": package.get("owner_org")}
    for series in SeriesLookup.for_request().many(refs):
        if series is None or not gives_to(series, member):
            continue
        status = _status_of_initiative(series)
        if status != NOT_ASSESSED:
            return status
    return None


def _status_of_initiative(series: Series) -> str:
    initiative = {"id": series.id, "type": SERIES_TYPE, "owner_org": series.owner_org,
                  "countries": series.record.get("countries"), FIELD: series.record.get(FIELD)}
    return _own(initiative) or (UNDER_REVIEW if pending(series.id) else NOT_ASSESSED)


def derive(package: dict[str, Any]) -> tuple[str, bool]:
    """(the status the record shows, whether it comes from an initiative): see the module's rules."""
    own = _own(package)
    if own:
        return own, False
    inherited = _from_initiatives(package)
    if inherited:
        return inherited, True
    return (UNDER_REVIEW if pending(package.get("id")) else NOT_ASSESSED), False


def derived_status(package: dict[str, Any]) -> str:
    """The recognition status a record shows (a package dict with ``id``, ``owner_org``, ``countries``,
    ``in_series``, ``recognition_status``), e.g. ``"not-assessed"``."""
    return derive(package)[0]


def after_dataset_show(pkg_dict: dict[str, Any]) -> None:
    """package_show: the record view gets the derived status (and ``inherited_fields`` says whether it is
    inherited)."""
    if pkg_dict.get("type", "dataset") not in RECORD_TYPES:
        return
    status, inherited = derive(pkg_dict)
    pkg_dict[FIELD] = status
    if MARK in pkg_dict:
        marks = [name for name in pkg_dict[MARK] or [] if name != FIELD]
        pkg_dict[MARK] = marks + [FIELD] if inherited else marks


def before_dataset_index(doc: dict[str, Any]) -> dict[str, Any]:
    """The index document gets the derived status, also when it was built without package_show's hooks
    (the bulk path)."""
    if doc.get("dataset_type", doc.get("type", "dataset")) not in RECORD_TYPES:
        return doc
    package = {"id": doc.get("id"), "owner_org": doc.get("owner_org"), "type": doc.get("dataset_type"),
               "countries": doc.get("countries"), "in_series": doc.get("in_series"), FIELD: doc.get(FIELD),
               MARK: doc.get(MARK) or [], "private": doc.get("capacity") == "private"}
    doc[FIELD] = derived_status(package)
    return doc


def write_refusal(package: dict[str, Any]) -> Optional[str]:
    """Why a person's write may not state this ``recognition_status`` (None when it may: the owner is an NSO, or
    the value is the derived one). ``package`` holds the record as it would be written, with its effective
    countries.

    Example: a CSO's record without assessments sent with ``"official"`` ->
    ``'recognition_status: "official" cannot be set by the publisher: …derived from published NSO assessments…'``
    """
    stated = package.get(FIELD)
    if not stated:
        return None
    owner = roles.organization(package.get("owner_org"))
    if owner is not None and owner.is_nso:
        return None
    derived = derived_status({**package, FIELD: None, MARK: []})
    if stated == derived:
        return None
    return (f'{FIELD}: "{stated}" cannot be set by the publisher: the recognition status is derived from published '
            f'NSO assessments (this record\'s is "{derived}"); send "{derived}" or leave it out, or ask a national '
            f"statistical office for a review")
