"""The harvest sources of a folder of source files, written into CKAN through ckanext-harvest's actions.

``sync`` creates the sources that are missing, updates those whose file changed, and deactivates the sources an
earlier sync created whose file is gone. It marks what it creates (``"managed_by": "citizendata-sources"`` in
the source's config) and never touches a source it did not create; it never deletes one.

In ckanext-harvest an inactive source is its package in state ``deleted`` (HarvestSource.active follows the
package's state on every update, and its pending jobs are aborted): the source, its jobs, objects and harvested
datasets are all kept, and a later sync (the file back, or ``active: true``) makes it active again.

Current values are read from the tables (Package, HarvestSource), never through harvest_source_show or
package_patch, which may serve the unvalidated copy that ckanext-harvest puts in the search index after a job;
updates are full ``harvest_source_update`` calls built from the file.

Example::

    report = sync()                      # the configured folder, or the packaged harvesters/
    report.created, report.updated       # ["demo-ckan-portal"], []
    sync(dry_run=True).unchanged         # ["demo-ckan-portal", "demo-dcat-catalog"]  (nothing written)
"""
from __future__ import annotations

import dataclasses
import json
import os
from typing import Any, Optional, Union

from ckan import model
from ckan.plugins import toolkit
from ckanext.harvest.model import HarvestSource

from .. import bulk
from . import sources
from .listing import SourceSpec

MANAGED_BY = "citizendata-sources"
HARVEST_TYPE = "harvest"                     # the package type of a ckanext-harvest source
COMPARED = ("name", "title", "url", "source_type", "frequency", "config", "owner_org", "state")


@dataclasses.dataclass
class SyncReport:
    """Names of the sources created, updated, left unchanged and deactivated."""
    created: list[str] = dataclasses.field(default_factory=list)
    updated: list[str] = dataclasses.field(default_factory=list)
    unchanged: list[str] = dataclasses.field(default_factory=list)
    deactivated: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Existing:
    """A harvest source as its rows hold it."""
    package: model.Package
    source: Optional[HarvestSource]

    @property
    def settings(self) -> dict[str, Any]:
        """The source's stored settings (ckanext-harvest's ``config`` column)."""
        return sources.settings_of(self.source)

    @property
    def managed(self) -> bool:
        return self.settings.get(sources.MANAGED_KEY) == MANAGED_BY

    def values(self) -> dict[str, Any]:
        """The compared fields, as :func:`wanted` gives them."""
        source = self.source
        return {"name": self.package.name, "title": self.package.title, "url": self.package.url,
                "source_type": source.type if source else None, "frequency": source.frequency if source else None,
                "config": self.settings, "owner_org": self.package.owner_org, "state": self.package.state}


def existing_sources() -> list[Existing]:
    rows = (model.Session.query(model.Package, HarvestSource)
            .outerjoin(HarvestSource, HarvestSource.id == model.Package.id)
            .filter(model.Package.type == HARVEST_TYPE).order_by(model.Package.name))
    return [Existing(package, source) for package, source in rows]


def stored_config(spec: SourceSpec) -> dict[str, Any]:
    return dict(sources.harvest_config(spec), **{sources.MANAGED_KEY: MANAGED_BY})


def wanted(spec: SourceSpec, owner_org: str) -> dict[str, Any]:
    """The harvest source a file asks for (``config`` as a dict)."""
    return {"name": spec.name, "title": spec.title or spec.name, "url": spec.url,
            "source_type": sources.source_type(spec), "frequency": spec.schedule, "config": stored_config(spec),
            "owner_org": owner_org, "state": "active" if spec.active else "deleted"}


def _organizations(specs: list[SourceSpec]) -> dict[str, str]:
    """Organization name -> id; SourceFileError naming each file whose organization does not exist."""
    ids, problems = {}, []
    for spec in specs:
        group = model.Group.get(spec.organization)
        if group is None or not group.is_organization or group.state != "active":
            problems.append(f"{spec.file}: organization: {spec.organization!r} is not an organization of this "
                            "site (create it first, or name another)")
        else:
            ids[spec.organization] = group.id
    if problems:
        raise sources.SourceFileError(problems)
    return ids


def _taken(specs: list[SourceSpec], existing: dict[str, Existing]) -> list[str]:
    """Problems of names that a dataset or a hand-made harvest source already holds."""
    problems = []
    for spec in specs:
        have = existing.get(spec.name)
        if have is not None and not have.managed and have.package.state != "deleted":
            problems.append(f"{spec.file}: name: {spec.name!r} is a harvest source that sync did not create "
                            "(rename one of them)")
        package = model.Package.get(spec.name) if have is None else None
        if package is not None and package.name == spec.name and package.state != "deleted":
            problems.append(f"{spec.file}: name: {spec.name!r} is taken by the {package.type} {package.id}")
    return problems


def _match(spec: SourceSpec, by_name: dict[str, Existing], orphans: list[Existing]) -> Optional[Existing]:
    """The managed source of a file: by name, else (a source renamed in its file) the first managed source of no
    file's name that came from the same file, which is then no longer an orphan."""
    found = by_name.get(spec.name)
    if found is not None:
        return found if found.managed else None
    for orphan in orphans:
        if spec.file and orphan.settings.get(sources.FILE_KEY) == spec.file:
            orphans.remove(orphan)
            return orphan
    return None


def _context() -> dict[str, Any]:
    """The site's write context, reading the sources from the tables, never from the index's copy."""
    return dict(bulk.site_context(), use_cache=False)


def _write(action: str, data: dict[str, Any], file: str) -> None:
    payload = dict(data, config=json.dumps(data["config"], sort_keys=True, ensure_ascii=False))
    try:
        toolkit.get_action(action)(_context(), payload)
    except toolkit.ValidationError as err:
        raise sources.SourceFileError([f"{file}: CKAN refused the harvest source: {err.error_dict}"]) from err


@dataclasses.dataclass
class Change:
    """What sync does to one source: ``kind`` is a field of SyncReport; ``action`` None writes nothing."""
    kind: str
    name: str
    action: Optional[str] = None
    data: dict[str, Any] = dataclasses.field(default_factory=dict)
    file: str = ""


def _change(spec: SourceSpec, owner_org: str, by_name: dict[str, Existing], orphans: list[Existing]) -> Change:
    want, have = wanted(spec, owner_org), _match(spec, by_name, orphans)
    if have is None:
        return Change("created", spec.name, "harvest_source_create", want, spec.file)
    if have.values() == want:
        return Change("unchanged", spec.name)
    return Change("updated", spec.name, "harvest_source_update", dict(want, id=have.package.id), spec.file)


def plan(specs: list[SourceSpec], orgs: dict[str, str], existing: list[Existing],
         deactivate: bool = True) -> list[Change]:
    """The changes that bring the sources in line with the files: one per file, then the deactivations (none
    unless ``deactivate``)."""
    by_name = {e.package.name: e for e in existing}
    named = {spec.name for spec in specs}
    orphans = [e for e in existing if e.managed and e.package.name not in named]
    changes = [_change(spec, orgs[spec.organization], by_name, orphans) for spec in specs]
    return changes + [Change("deactivated", gone.package.name, "harvest_source_update",
                             dict(gone.values(), id=gone.package.id, state="deleted"),
                             str(gone.settings.get(sources.FILE_KEY)))
                      for gone in orphans if deactivate and gone.package.state == "active"]


def sync(folder: Union[str, os.PathLike, None] = None, *, dry_run: bool = False) -> SyncReport:
    """Bring the harvest sources in line with the source files of ``folder`` (SourceFileError, and nothing
    written, when a file is invalid, an organization missing or a name taken); ``dry_run`` writes nothing."""
    return sync_specs(sources.load_all(folder), dry_run=dry_run)


def sync_specs(specs: list[SourceSpec], *, dry_run: bool = False, deactivate: bool = True) -> SyncReport:
    """:func:`sync` of sources already read; ``deactivate`` False leaves the managed sources of no spec given as
    they are (the demo syncs its own sources beside a site's)."""
    orgs = _organizations(specs)
    existing = existing_sources()
    problems = _taken(specs, {e.package.name: e for e in existing})
    if problems:
        raise sources.SourceFileError(problems)
    report = SyncReport()
    for change in plan(specs, orgs, existing, deactivate):
        if change.action and not dry_run:
            _write(change.action, change.data, change.file)
        getattr(report, change.kind).append(change.name)
    return report
