"""The people and organizations of the assessment tests: a CSO that publishes a record covering Ghana, and an
NSO (actor_type nso, jurisdiction Ghana) with an assessor (editor) and an approver (admin)."""
from __future__ import annotations

import json
import types

from ckan import model
from ckan.tests import factories

from ckanext.citizendata.testing import CitizenDataset

FULL_CRITERIA = [
    {"criterion": f"{dimension} is met", "dimension": dimension, "mandatory": True, "answer": "yes", "rating": 2,
     "evidence_url": "https://example.org/evidence", "comment": ""}
    for dimension in ("relevance", "accuracy-reliability", "timeliness", "coherence-comparability",
                      "accessibility-clarity")]


def set_extras(org: dict, **extras: str) -> None:
    """Organization extras written on the model (as the organization schema of the roles stores them)."""
    group = model.Group.get(org["id"])
    for key, value in extras.items():
        group.extras[key] = value
    model.Session.commit()


def nso(name: str = "nso-ghana", countries=("GHA",), **users) -> dict:
    org = factories.Organization(name=name, users=[{"name": u["name"], "capacity": c} for c, u in users.items()])
    set_extras(org, actor_type="nso", jurisdiction=json.dumps(list(countries)))
    return org


def world() -> types.SimpleNamespace:
    ama, kofi, esi, outsider = (factories.UserWithToken(name=n) for n in ("ama", "kofi", "esi", "outsider"))
    cso = factories.Organization(name="cso-accra", users=[{"name": "esi", "capacity": "editor"}])
    set_extras(cso, actor_type="cso", jurisdiction='["GHA"]')
    office = nso(editor=ama, admin=kofi)
    record = CitizenDataset(owner_org=cso["id"], countries=["GHA"])
    return types.SimpleNamespace(ama=ama, kofi=kofi, esi=esi, outsider=outsider, cso=cso, nso=office, record=record)


def draft_fields(**more) -> dict:
    return {"framework": "un-nqaf-2019", "intended_use": "SDG 16.6.2 reporting", "intended_indicators": ["16.6.2"],
            "criteria": [dict(c) for c in FULL_CRITERIA], **more}
