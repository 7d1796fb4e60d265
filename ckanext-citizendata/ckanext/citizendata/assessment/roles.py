"""Who may do what with NSO assessments: the rules, as plain functions the auth functions (logic/auth/) ask.

An organization states its actor type (a notation of the ``actor-types`` scheme) and, for a national statistical
office (``nso``), its jurisdiction (ISO 3166-1 alpha-3 codes), as organization extras ``actor_type`` and
``jurisdiction`` (schemas/organization.yaml). An NSO's editors are assessors, its admins approvers (admins may
also assess). They may assess records they can see that cover one of the NSO's countries, never records of
their own organization (conflict of interest). A record's publishing organization's editors and admins may
request a review and answer questions; they never set a verdict. Sysadmins see everything and purge, but they
are no NSO: the assessing rules apply to them as to anyone.

``user`` is a user name ("" or None: an anonymous visitor); ``package`` a package dict holding at least ``id``,
``owner_org`` and ``countries`` (the record view's, inherited countries included); ``row`` a row of
``citizendata_assessment``. A ``*_refusal`` function answers None when the user may, else the reason in plain
words.

Example::

    assess_refusal("ama", {"id": "…", "owner_org": "<cso id>", "countries": ["GHA"]})
    # None when ama edits for an NSO whose jurisdiction holds GHA, e.g.
    # "Your organization is not a national statistical office with jurisdiction over GHA" otherwise
"""
from __future__ import annotations

import dataclasses
from typing import Any, Iterable, Optional

import sqlalchemy as sa
from ckan import authz, model

from ckanext.citizendata import primed
from ckanext.citizendata.record import coerce
from ckanext.citizendata.record.validate import close_matches
from ckanext.citizendata.vocab import registry

NSO = "nso"
ACTOR_TYPE = "actor_type"          # the organization extras (schemas/organization.yaml)
JURISDICTION = "jurisdiction"
ACTOR_SCHEME = "actor-types"
COUNTRY_SCHEME = "iso-3166-1-alpha-3"
ASSESSORS = ("editor", "admin")    # capacities in an NSO that may assess
APPROVERS = ("admin",)
PUBLISHERS = ("editor", "admin")   # capacities in the publishing organization that may ask and answer
DRAFT = "draft"
KINDS = ("question", "answer")


@dataclasses.dataclass(frozen=True)
class Organization:
    """What the rules need of an organization."""
    id: str
    name: str
    actor_type: Optional[str]
    jurisdiction: tuple[str, ...]

    @property
    def is_nso(self) -> bool:
        return self.actor_type == NSO

    def covers(self, countries: Iterable[str]) -> bool:
        """An NSO whose jurisdiction holds one of ``countries``.

        >>> Organization("1", "gss", "nso", ("GHA",)).covers(["KEN", "GHA"])
        True
        >>> Organization("2", "cso", "cso", ("GHA",)).covers(["GHA"])
        False
        """
        return self.is_nso and bool(set(self.jurisdiction) & set(countries or []))


def jurisdiction_of(extras: dict[str, Any]) -> tuple[str, ...]:
    """The ISO codes of a ``jurisdiction`` extra (JSON text, a list, or comma-separated text).

    >>> jurisdiction_of({"jurisdiction": '["GHA", "TGO"]'})
    ('GHA', 'TGO')
    """
    value = (extras or {}).get(JURISDICTION)
    items = coerce.to_list(value) if value not in (None, "") else []
    return tuple(str(i) for i in items) if isinstance(items, list) else ()


def organizations(refs: Iterable[Optional[str]]) -> dict[str, Organization]:
    """The active organizations named (by id or name), read in one query, keyed by both id and name."""
    refs = {r for r in refs if r}
    if not refs:
        return {}
    g = model.group_table
    rows = model.Session.execute(
        sa.select(g.c.id, g.c.name, g.c.extras)
        .where(sa.or_(g.c.id.in_(refs), g.c.name.in_(refs)), g.c.is_organization.is_(True), g.c.state == "active"))
    found: dict[str, Organization] = {}
    for row in rows:
        extras = row.extras or {}
        org = Organization(row.id, row.name, extras.get(ACTOR_TYPE) or None, jurisdiction_of(extras))
        found[row.id] = found[row.name] = org
    return found


def organization(ref: Optional[str]) -> Optional[Organization]:
    """One organization by id or name (None when there is no such active organization)."""
    return primed.lookup(ORGANIZATION, ref, lambda: organizations([ref]).get(ref or ""))


ORGANIZATION = "roles.organization"  # the kind of answer a bulk job reads ahead (ckanext.citizendata.primed)


def prime_organizations() -> dict[str, dict]:
    """Every active organization by id and by name, for :func:`ckanext.citizendata.primed.batch`."""
    g = model.group_table
    names = model.Session.execute(sa.select(g.c.id).where(g.c.is_organization.is_(True), g.c.state == "active"))
    return {ORGANIZATION: organizations(names.scalars())}


def actor_type(ref: Optional[str]) -> Optional[str]:
    """The actor type an organization states, e.g. ``actor_type("ghana-statistical-service") == "nso"``."""
    org = organization(ref)
    return org.actor_type if org else None


def jurisdiction(ref: Optional[str]) -> list[str]:
    """The countries an NSO answers for, e.g. ``jurisdiction("dane-colombia") == ["COL"]``."""
    org = organization(ref)
    return list(org.jurisdiction) if org else []


# ------------------------------------------------------------------ the organization schema's rule
def _not_a(value: str, allowed: frozenset, noun: str) -> str:
    hint = close_matches(value, allowed) if allowed else []
    if not allowed:
        return f'"{value}" cannot be checked: its vocabulary is not loaded'
    if hint:
        return f'"{value}" is not {noun}; close matches: {", ".join(hint)}'
    if len(allowed) <= 12:
        return f'"{value}" is not {noun}; allowed: {", ".join(sorted(allowed))}'
    return f'"{value}" is not {noun}'


def organization_errors(kind: Optional[str], countries: list[str]) -> dict[str, list[str]]:
    """Per-field errors of an organization's actor type and jurisdiction: each a notation of its scheme, and a
    jurisdiction only for a national statistical office.

    >>> organization_errors("cso", ["GHA"])["jurisdiction"]   # doctest: +SKIP
    ['jurisdiction: only a national statistical office (actor type nso) has a jurisdiction; this one is cso']
    """
    errors: dict[str, list[str]] = {}
    if kind and kind not in registry.notations(ACTOR_SCHEME):
        errors[ACTOR_TYPE] = [f"{ACTOR_TYPE}: " + _not_a(kind, registry.notations(ACTOR_SCHEME), "an actor type")]
    if countries and kind != NSO:
        errors[JURISDICTION] = [f"{JURISDICTION}: only a national statistical office (actor type nso) has a "
                                f"jurisdiction; this one is {kind or 'of no stated type'}"]
        return errors
    allowed = registry.notations(COUNTRY_SCHEME)
    wrong = [f"{JURISDICTION}[{i}]: " + _not_a(c, allowed, "an ISO 3166-1 alpha-3 country code")
             for i, c in enumerate(countries) if c not in allowed]
    if wrong:
        errors[JURISDICTION] = wrong
    return errors


def change_errors(before: tuple[Optional[str], tuple[str, ...]],
                  after: tuple[Optional[str], tuple[str, ...]]) -> dict[str, list[str]]:
    """Errors of a change that only a sysadmin may make: making an organization a national statistical office
    or no longer one, or changing its jurisdiction (they decide who may assess records).

    >>> change_errors((None, ()), ("nso", ("GHA",)))["actor_type"]
    ['actor_type: only a sysadmin may make an organization a national statistical office or no longer one']
    >>> change_errors(("cso", ()), ("academia", ()))
    {}
    """
    errors: dict[str, list[str]] = {}
    if (before[0] == NSO) != (after[0] == NSO):
        errors[ACTOR_TYPE] = [f"{ACTOR_TYPE}: only a sysadmin may make an organization a national statistical "
                              f"office or no longer one"]
    if sorted(before[1]) != sorted(after[1]):
        errors[JURISDICTION] = [f"{JURISDICTION}: only a sysadmin may change the jurisdiction of an organization"]
    return errors


# ------------------------------------------------------------------ users
def _user(user: Optional[str]) -> Optional[model.User]:
    found = model.User.get(user) if user else None
    return found if found is not None and found.state == "active" else None


def is_sysadmin(user: Optional[str]) -> bool:
    return bool(user) and authz.is_sysadmin(user)


def capacities(user: Optional[str]) -> dict[str, str]:
    """organization id -> the user's capacity in it (admin, editor, member), for every active membership."""
    found = _user(user)
    if found is None:
        return {}
    m, g = model.member_table, model.group_table
    rows = model.Session.execute(
        sa.select(m.c.group_id, m.c.capacity).join(g, g.c.id == m.c.group_id)
        .where(m.c.table_name == "user", m.c.table_id == found.id, m.c.state == "active",
               g.c.is_organization.is_(True), g.c.state == "active"))
    return {group_id: capacity for group_id, capacity in rows}


def may_see_package(user: Optional[str], package: dict[str, Any]) -> bool:
    """Whether CKAN lets the user read the record (public, or private and the user is of its organization)."""
    context = {"user": user or "", "auth_user_obj": _user(user), "model": model}
    return authz.is_authorized_boolean("package_show", context, {"id": package["id"]})


# ------------------------------------------------------------------ assessing
def assessing_organizations(user: Optional[str], package: dict[str, Any]) -> list[Organization]:
    """The NSOs for which the user may assess the record: those the user edits or administers whose jurisdiction
    covers one of the record's countries, other than the record's own organization."""
    held = {org_id for org_id, capacity in capacities(user).items() if capacity in ASSESSORS}
    orgs = organizations(held)
    return [orgs[i] for i in sorted(held) if i in orgs and orgs[i].covers(package.get("countries") or [])
            and orgs[i].id != package.get("owner_org")]


def assess_refusal(user: Optional[str], package: dict[str, Any],
                   organization_ref: Optional[str] = None) -> Optional[str]:
    """Why the user may not assess the record (for ``organization_ref`` when given), or None.

    Example: an editor of an NSO with jurisdiction over GHA and a public record covering GHA of a CSO -> None;
    the same editor and a record of the NSO itself -> "…its own organization…" (conflict of interest).
    """
    if _user(user) is None:
        return "Sign in as an editor of a national statistical office to assess records."
    if not may_see_package(user, package):
        return "You may not see this record, so you may not assess it."
    candidates = assessing_organizations(user, package)
    if organization_ref:
        wanted = organization(organization_ref)
        candidates = [o for o in candidates if wanted is not None and o.id == wanted.id]
    if candidates:
        return None
    return _why_not_assessor(user, package, organization_ref)


def _assessor_nsos(user: Optional[str], organization_ref: Optional[str]) -> list[Organization]:
    """The NSOs (only ``organization_ref`` when given) the user edits or administers."""
    held = {i for i, capacity in capacities(user).items() if capacity in ASSESSORS}
    if organization_ref:
        wanted = organization(organization_ref)
        held = {wanted.id} & held if wanted else set()
    return [o for o in organizations(held).values() if o.is_nso]


def _why_not_assessor(user: Optional[str], package: dict[str, Any], organization_ref: Optional[str]) -> str:
    nsos = _assessor_nsos(user, organization_ref)
    if not nsos:
        return ("Only editors and admins of a national statistical office may assess records"
                + (f" for {organization_ref}." if organization_ref else "."))
    countries = ", ".join(package.get("countries") or []) or "no country"
    if any(o.id == package.get("owner_org") for o in nsos):
        return "A national statistical office may not assess the records of its own organization."
    return f"Your national statistical office has no jurisdiction over the countries of this record ({countries})."


def approve_refusal(user: Optional[str], row: Any, package: dict[str, Any]) -> Optional[str]:
    """Why the user may not publish or withdraw the assessment ``row`` (an admin of the assessing NSO, which
    still has jurisdiction and does not own the record, may), or None. An assessment endorsing the record as
    official needs an approver other than its assessor."""
    if _user(user) is None:
        return "Sign in as an admin of the assessing national statistical office."
    refusal = assess_refusal(user, package, row.organization_id)
    if refusal:
        return refusal
    if capacities(user).get(row.organization_id) not in APPROVERS:
        return "Only an admin of the assessing national statistical office may approve its assessments."
    if row.verdict == "endorse-official" and row.assessor_id == _user(user).id:
        return "An assessment that endorses a record as official needs an approver other than its assessor."
    return None


def may_see(user: Optional[str], row: Any, package: dict[str, Any]) -> bool:
    """A published (superseded, withdrawn) assessment: whoever may see the record; a draft: sysadmins and the
    members of the assessing NSO who may see the record."""
    if is_sysadmin(user):
        return True
    if not may_see_package(user, package):
        return False
    return row.state != DRAFT or row.organization_id in capacities(user)


def review_request_refusal(user: Optional[str], package: dict[str, Any]) -> Optional[str]:
    """Why the user may not ask the NSOs to review the record (its organization's editors and admins, and
    sysadmins, who may edit every record, may), or None."""
    if _user(user) is None:
        return "Sign in as an editor of the organization that publishes this record to request a review."
    if is_sysadmin(user) or capacities(user).get(package.get("owner_org")) in PUBLISHERS:
        return None
    return "Only editors and admins of the organization that publishes this record may request a review."


def comment_refusal(user: Optional[str], row: Any, kind: str, package: dict[str, Any]) -> Optional[str]:
    """Why the user may not add a ``question`` (members of the assessing NSO) or an ``answer`` (editors and
    admins of the publishing organization; sysadmins) to the assessment ``row``, or None."""
    if kind not in KINDS:
        return f'A comment is a question or an answer, not "{kind}".'
    if _user(user) is None:
        return "Sign in to comment on an assessment."
    if not may_see(user, row, package):
        return "You may not see this assessment."
    if kind == "question":
        if row.organization_id in capacities(user):
            return None
        return "Only members of the assessing national statistical office may ask questions."
    if review_request_refusal(user, package) is None:
        return None
    return "Only editors and admins of the organization that publishes this record may answer."


def purge_refusal(user: Optional[str]) -> Optional[str]:
    """Only sysadmins purge an assessment (and the purge is logged)."""
    return None if is_sysadmin(user) else "Only sysadmins may purge an assessment."
