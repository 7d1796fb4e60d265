"""What the search index holds of a record's published assessments, and their facets: the verdicts
(``assessment_verdict``, named from the assessment-verdicts scheme), the offices that assessed it (``assessed_by``,
named by the organizations' titles) and whether one is due for review (``assessment_due``: yes when a published
assessment is stale or past its valid_until). They are index fields of no record field (the record's JSON Schema
does not describe them), so they are declared here, as the harvest source facet is in logic/harvest.py; both
search backends hold them as they hold any exact-valued field (search/fields.py).

Example::

    index_fields({"id": "<package id>", ...})
    # {..., "assessment_verdict": ["endorse-complementary"], "assessed_by": ["nso-ghana"], "assessment_due": "no"}
    with_facets(OrderedDict())          # {"assessment_verdict": "Assessment verdict", ...} once any is published
"""
from __future__ import annotations

from typing import Any, Callable

import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit

from ckanext.citizendata import primed
from ckanext.citizendata.model.assessment import assessment_table
from ckanext.citizendata.text import N_
from ckanext.citizendata.vocab import registry

from . import recognition, store, workflow

VERDICT, ASSESSED_BY, DUE = "assessment_verdict", "assessed_by", "assessment_due"
FACETS = {VERDICT: N_("Assessment verdict"), ASSESSED_BY: N_("Assessed by"), DUE: N_("Assessment due for review")}
YES, NO = "yes", "no"


def index_fields(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """before_dataset_index: the record's index document with the facts of its published assessments."""
    for name in FACETS:
        pkg_dict.pop(name, None)
    package_id = pkg_dict.get("id")
    published = workflow.completed(primed.lookup(
        PUBLISHED, package_id, lambda: store.published_assessments([package_id])[package_id])) if package_id else []
    if not published:
        return pkg_dict
    pkg_dict[VERDICT] = sorted({item["verdict"] for item in published if item["verdict"]})
    pkg_dict[ASSESSED_BY] = sorted({item["organization"] for item in published})
    pkg_dict[DUE] = YES if any(item["stale"] for item in published) else NO
    return pkg_dict


PUBLISHED = "assessment.published"  # the kind of answer a bulk job reads ahead (ckanext.citizendata.primed)


def prime(package_ids: list[str]) -> dict[str, dict]:
    """The published assessments of these packages, for :func:`ckanext.citizendata.primed.batch`."""
    return {PUBLISHED: store.published_assessments(package_ids)}


def _any_published() -> bool:
    return model.Session.execute(sa.select(assessment_table.c.id).where(
        assessment_table.c.state == workflow.PUBLISHED).limit(1)).first() is not None


def with_facets(facets_dict: dict[str, Any]) -> dict[str, Any]:
    """The facets, and the assessments' when the site has a published one."""
    if _any_published():
        for name, heading in FACETS.items():
            facets_dict.setdefault(name, toolkit._(heading))
    return facets_dict


def _language() -> str:
    try:
        return toolkit.h.lang() or "en"
    except RuntimeError:  # outside a request: English
        return "en"


def _organization_titles(names: list[str]) -> dict[str, str]:
    if not names:
        return {}
    rows = model.Session.query(model.Group.name, model.Group.title).filter(model.Group.name.in_(names)).all()
    return {name: title or name for name, title in rows}


def _labellers(search_facets: dict[str, Any]) -> dict[str, Callable[[str], str]]:
    offices = [str(i["name"]) for i in (search_facets.get(ASSESSED_BY) or {}).get("items", [])]
    verdicts = registry.display_labels(recognition.VERDICTS, _language()) if VERDICT in search_facets else {}
    titles = _organization_titles(offices)
    answers = {YES: toolkit._("Yes"), NO: toolkit._("No")}
    return {VERDICT: lambda v: verdicts.get(v, v), ASSESSED_BY: lambda v: titles.get(v, v),
            DUE: lambda v: answers.get(v, v)}


def label_values(search_results: dict[str, Any]) -> dict[str, Any]:
    """after_dataset_search: display names of the assessment facets' values."""
    search_facets = search_results.get("search_facets") or {}
    if not any(name in search_facets for name in FACETS):
        return search_results
    labellers = _labellers(search_facets)
    for name, label in labellers.items():
        for item in (search_facets.get(name) or {}).get("items", []):
            item["display_name"] = label(str(item["name"]))
    return search_results
