"""What a dataset's RDF reads besides its own dict, so that the fragment's digest can name it (rdf/cache.py).

``rdf/conformance.py`` completes a dataset's graph from other rows of the database:

- the ADMS publisher type of its organization (the organization's extra ``dcat_type``), and the organization's
  title and name (the publisher's ``foaf:name``, which conformance.py completes from them);
- the licence of its CKAN ``license_id`` for distributions without one (read from the package row);
- the title and description of each initiative (dataset series) it is in, and whether that is public;
- for an initiative, its public members (``dcat:inSeries`` links from datasets that may be on other pages);
- its published assessments (id, last change, the assessing organization's name and title) and the time its
  quality score was computed (rdf/profile_quality.py): one query per table, never a whole assessment.

``facts(ids)`` reads all of these for a page of datasets in a few queries (the members of every initiative on
the page in one pass over the package table, not through the search index) and gives each dataset a short text;
a change to any of these facts changes the text and so the digest, and the fragment is rebuilt on its next
request.

Example::

    facts(["<dataset id>"])
    # {"<dataset id>": "('cc-by', None, 'GSS', 'gss', [('<series id>', 'Title', 'Notes', False, ...)], None)"}
"""
from __future__ import annotations

from typing import Iterable

import sqlalchemy as sa
from ckan import model

from ckanext.citizendata.assessment import store
from ckanext.citizendata.model.assessment import assessment_table, quality_score_table
from ckanext.citizendata.record import inherit

from .conformance import ORGANIZATION_TYPE_EXTRA


def facts(ids: Iterable[str]) -> dict[str, str]:
    """package id -> text of what its fragment reads from other rows (see the module docstring)."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return {}
    p, g = model.package_table, model.group_table
    rows = model.Session.execute(
        sa.select(p.c.id, p.c.type, p.c.license_id, p.c.extras["in_series"].astext.label("in_series"),
                  g.c.extras[ORGANIZATION_TYPE_EXTRA].astext.label("org_type"), g.c.title.label("org_title"),
                  g.c.name.label("org_name"))
        .select_from(p.outerjoin(g, g.c.id == p.c.owner_org)).where(p.c.id.in_(ids))).all()
    refs = {r.id: inherit.series_ids(r.in_series) if r.in_series else [] for r in rows}
    series = _series_entries({ref for found in refs.values() for ref in found})
    members = inherit.members_of([r.id for r in rows if r.type == inherit.SERIES_TYPE], public=True)
    quality = _quality([r.id for r in rows])
    return {r.id: repr((r.license_id, r.org_type, r.org_title, r.org_name, [series.get(ref, ref) for ref in refs[r.id]],
                        members.get(r.id)) + quality.get(r.id, ())) for r in rows}


def _quality(ids: list[str]) -> dict[str, tuple]:
    """Package id -> (its published assessments as (id, modified, NSO name, NSO title), its score's computed_at),
    only for packages that have either (a record without them keeps the text it had before issue 14)."""
    if not ids:
        return {}
    a, q, g = assessment_table, quality_score_table, model.group_table
    found: dict[str, tuple] = {}
    for r in model.Session.execute(
            sa.select(a.c.package_id, a.c.id, a.c.modified, g.c.name, g.c.title)
            .select_from(a.outerjoin(g, g.c.id == a.c.organization_id))
            .where(a.c.package_id.in_(ids), a.c.state == store.PUBLISHED).order_by(a.c.package_id, a.c.id)):
        found.setdefault(r.package_id, ([], None))[0].append((r.id, str(r.modified), r.name, r.title))
    for r in model.Session.execute(sa.select(q.c.package_id, q.c.computed_at, q.c.score, q.c.band).where(q.c.package_id.in_(ids))):
        found[r.package_id] = (found.get(r.package_id, ([], None))[0], (str(r.computed_at), r.score, r.band))
    return {pid: (tuple(assessments), computed) for pid, (assessments, computed) in found.items()}


def _series_entries(refs: set) -> dict[str, tuple]:
    """Id or name -> what a member's fragment reads of its initiative (title, description, visibility, state)."""
    if not refs:
        return {}
    p = model.package_table
    found = {}
    for s in model.Session.execute(sa.select(p.c.id, p.c.name, p.c.title, p.c.notes, p.c.private, p.c.state, p.c.type)
                                   .where(sa.or_(p.c.id.in_(refs), p.c.name.in_(refs)))):
        found[s.id] = found[s.name] = (s.id, s.title, s.notes, s.private, s.state, s.type)
    return found
