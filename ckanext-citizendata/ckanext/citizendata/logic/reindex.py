"""The search index rebuilt in batches: ``ckan search-index rebuild`` and ``ckan citizendata reindex [--org]``.

CKAN rebuilds one record at a time: a package_show (seven queries to dictize it), two schema passes, then the
hooks of every plugin (here: the record view, its recognition status, its harvest provenance, its assessments,
its quality band), each asking the database for that one record, and one index write. This module makes the same
two dicts CKAN indexes for a whole batch at once:

- the packages and their resources, tags and organizations are read in one query each and dictized with CKAN's
  own functions, as ``package_dictize`` does; the rare groups and relationships the CKAN way, for the packages
  that have any;
- CKAN's two schema passes and the ``after_dataset_show`` hooks run per record, as in
  ``package_show_default_and_custom_schemas``, while the hooks' lookups answer from what the batch read ahead
  (:mod:`ckanext.citizendata.primed`);
- CKAN's own ``index_package`` builds each document and the batch is written in one statement, in one
  transaction: a batch that fails is rolled back whole and its records retried one by one the CKAN way, and those
  that still fail are reported (id and reason), never half-written;
- with ``workers`` above 1 (``ckanext.citizendata.search.rebuild_workers``), the batches are dealt to forked
  processes, each with its own database connection, which send back each batch's outcome once it is committed;
- the PostgreSQL backend leaves a row that would be written as it is untouched (a rebuild of unchanged records
  writes nothing), and a rebuild with ``--clear`` builds the text index once at the end instead of row by row.

A test proves the rows equal to those of ``package_show`` + ``index_package`` for every record of the demo and of
generated catalogs (tests/logic/test_reindex.py).

Example::

    report = rebuild(ids_to_index(), progress=print)     # Report(indexed=10000, failed=[], seconds=...)
"""
from __future__ import annotations

import contextlib
import dataclasses
import logging
import multiprocessing
import sys
import time
from collections import defaultdict
from multiprocessing import connection
from typing import Any, Callable, Iterable, Optional

import sqlalchemy as sa
from ckan import logic, model
from ckan.lib import plugins as lib_plugins
from ckan.lib import search
from ckan.lib.dictization import model_dictize
from ckan.lib.dictization import table_dictize, obj_list_dictize
from ckan.logic.schema import default_show_package_schema
from ckan.plugins import IPackageController, IResourceController, PluginImplementations

from ckanext.citizendata import config as cd_config
from ckanext.citizendata import primed
from ckanext.citizendata.assessment import index as assessment_index
from ckanext.citizendata.assessment import mqa, recognition, roles
from ckanext.citizendata.ingest.harvest import provenance
from ckanext.citizendata.record.inherit import SeriesLookup, series_ids
from ckanext.citizendata.search import seam

log = logging.getLogger(__name__)
BATCH_SIZE = 250


@dataclasses.dataclass
class Report:
    indexed: int = 0
    failed: list[tuple[str, str]] = dataclasses.field(default_factory=list)   # (package id, reason)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.indexed / self.seconds if self.seconds else 0.0


def ids_to_index(org: Optional[str] = None) -> list[str]:
    """The packages a rebuild indexes, as CKAN chooses them (deleted ones left out when
    ``ckan.search.remove_deleted_packages``), of one organization (id or name) when ``org`` is given."""
    query = model.Session.query(model.Package.id)
    if cd_config.remove_deleted_packages():
        query = query.filter(model.Package.state != "deleted")
    if org:
        group = model.Group.get(org)
        if group is None or not group.is_organization:
            raise logic.NotFound(f"organization {org!r} not found")
        query = query.filter(model.Package.owner_org == group.id)
    return [row[0] for row in query.order_by(model.Package.id)]


def rebuild(ids: Iterable[str], batch_size: int = BATCH_SIZE,
            progress: Optional[Callable[[int], None]] = None, workers: int = 1) -> Report:
    """Index the packages ``ids`` in batches of ``batch_size``, each committed on its own; with ``workers`` above
    1 the batches are shared among that many forked processes, each with its own database connection."""
    started = time.perf_counter()
    ids = list(ids)
    batches = [ids[start:start + batch_size] for start in range(0, len(ids), batch_size)]
    workers = min(workers, len(batches))
    report = _in_processes(batches, workers, progress) if workers > 1 else _in_turn(batches, progress)
    report.seconds = time.perf_counter() - started
    return report


def _in_turn(batches: list[list[str]], progress: Optional[Callable[[int], None]]) -> Report:
    report, index = Report(), search.index_for(model.Package)
    for batch in batches:
        _run_batch(batch, index, report)
        if progress:
            progress(len(batch))
    return report


def _run_batch(batch: list[str], index, report: Report) -> None:
    try:
        _index_batch(batch, index)
        report.indexed += len(batch)
    except Exception:  # noqa: BLE001 -- the batch is rolled back and retried record by record
        model.Session.rollback()
        log.exception("search index: a batch of %d records failed; retrying them one by one", len(batch))
        _one_by_one(batch, report)


def _in_processes(batches: list[list[str]], workers: int, progress: Optional[Callable[[int], None]]) -> Report:
    """The batches dealt to ``workers`` forked processes, which send back what each batch gave as soon as it is
    committed; the batches of a process that stopped before sending their outcome are reported failed, never
    silently left out."""
    model.Session.commit()
    model.Session.close()   # no connection of this process is in use across the fork
    context = multiprocessing.get_context("fork")
    numbered = list(enumerate(batches))
    readers, processes = [], []
    for n in range(workers):
        reader, writer = context.Pipe(duplex=False)
        processes.append(context.Process(target=_worker, args=(numbered[n::workers], writer), daemon=True))
        processes[-1].start()
        writer.close()   # the process holds the only writing end: its end of life ends the pipe
        readers.append(reader)
    report, pending = Report(), dict(numbered)
    while readers:
        for reader in connection.wait(readers):
            try:
                number, indexed, failed = reader.recv()
            except EOFError:   # the process has ended and all it sent has been read
                readers.remove(reader)
                continue
            batch = pending.pop(number)
            report.indexed += indexed
            report.failed += failed
            if progress:
                progress(len(batch))
    for process in processes:
        process.join()
    for batch in pending.values():
        log.error("search index: the process indexing a batch of %d records stopped before it was done", len(batch))
        report.failed += [(package_id, "the process indexing it stopped") for package_id in batch]
        if progress:
            progress(len(batch))
    return report


def _worker(share: list[tuple[int, list[str]]], outcomes) -> None:
    model.meta.engine.dispose(close=False)   # the parent's pooled connections stay the parent's
    index = search.index_for(model.Package)
    for number, batch in share:
        part = Report()
        _run_batch(batch, index, part)
        outcomes.send((number, part.indexed, part.failed))
    model.Session.remove()


@contextlib.contextmanager
def refilled(clear: bool):
    """A block that fills the index again; when ``clear``, the index is emptied first and the backend's upkeep
    put off until the block ends (:meth:`~ckanext.citizendata.search.interface.SearchBackend.bulk_load`)."""
    if not clear:
        yield
        return
    search.index_for(model.Package).clear()
    with seam.bulk_load():
        yield


def ckan_rebuild(package_ids: Optional[Iterable[str]] = None, force: bool = False, quiet: bool = False,
                 clear: bool = False) -> None:
    """``ckan.lib.search.rebuild`` of the whole index (or of ``package_ids``) in batches, with CKAN's progress
    line; records that could not be indexed are logged, then raise ``SearchIndexError`` unless ``force``."""
    ids = list(package_ids) if package_ids is not None else ids_to_index()
    done = 0

    def progress(count: int) -> None:
        nonlocal done
        done += count
        if not quiet:
            sys.stdout.write(f"\rIndexing dataset {done}/{len(ids)}")
            sys.stdout.flush()

    with refilled(clear and package_ids is None):
        report = rebuild(ids, progress=progress, workers=cd_config.rebuild_workers())
    log.info("search index: %d records indexed in %.1f s (%.0f records/s), %d failed", report.indexed,
             report.seconds, report.rate, len(report.failed))
    if report.failed and not force:
        named = ", ".join(package_id for package_id, _ in report.failed[:10])
        raise search.SearchIndexError(f"{len(report.failed)} records could not be indexed ({named}); "
                                      "the others were. The log says why.")


def _one_by_one(batch: list[str], report: Report) -> None:
    for package_id in batch:
        try:
            logic.index_update_package({"ignore_auth": True}, package_id, defer_commit=True)
            model.Session.commit()
            report.indexed += 1
        except Exception as err:  # noqa: BLE001 -- reported, the others go on
            model.Session.rollback()
            log.exception("search index: record %s could not be indexed", package_id)
            report.failed.append((package_id, f"{type(err).__name__}: {err}"[:300]))


def _index_batch(batch: list[str], index) -> None:
    packages = model.Session.query(model.Package).filter(model.Package.id.in_(batch)).all()  # held: the map is weak
    if len(packages) != len(set(batch)):
        raise logic.NotFound("a package of the batch is gone")   # each is then tried alone, and reported
    dicts = package_dicts(packages)
    with primed.batch(_read_ahead(packages)), seam.batched_writes():
        for package in packages:
            default, custom = show_dicts(package, dicts[package.id])
            index.index_package(dict(default, with_custom_schema=custom), defer_commit=True)
    model.Session.commit()


def _read_ahead(packages: list[model.Package]) -> dict[str, dict]:
    """What the hooks of these packages would each read, read once for all of them."""
    ids = [p.id for p in packages]
    refs = {ref for p in packages for ref in series_ids((p.extras or {}).get("in_series"))}
    initiatives = [s.id for s in SeriesLookup.for_request().many(sorted(refs)) if s is not None]
    return {**recognition.prime(ids + initiatives), **roles.prime_organizations(), **assessment_index.prime(ids),
            **provenance.prime(ids), **mqa.prime(ids)}


def show_dicts(package: model.Package, dictized: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(default, custom) schema dicts of one package from its dictized form, as
    ``ckan.logic.package_show_default_and_custom_schemas`` makes them."""
    # the context package_show gets from package_show_default_and_custom_schemas and its action wrapper
    context = logic._prepopulate_context(logic.fresh_context({"ignore_auth": True}, ignore_auth=True,
                                                             use_cache=False, validate=False))
    context["package"] = package
    context["with_capacity"] = False  # what package_dictize leaves in the context
    for plugin in PluginImplementations(IPackageController):
        plugin.read(package)
    for plugin in PluginImplementations(IResourceController):
        for resource in dictized["resources"]:
            plugin.before_resource_show(resource)
    default_schema = default_show_package_schema()
    package_plugin = lib_plugins.lookup_package_plugin(dictized["type"])
    custom_schema = package_plugin.show_package_schema()
    same = custom_schema == default_schema
    with_default, _ = lib_plugins.plugin_validate(object(), context, dictized, _without_name_check(default_schema),
                                                  "package_show")
    if same:
        with_custom = with_default
    else:
        with_custom, _ = lib_plugins.plugin_validate(package_plugin, context, dictized,
                                                     _without_name_check(custom_schema), "package_show")
    logic.apply_after_dataset_show_plugins(context, with_custom)
    return with_default, with_custom


def _without_name_check(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` without ``package_name_validator``, which asks the database whether another dataset holds the
    name (one query a record; never true of a stored record, names being unique) and can only add an error, which
    package_show throws away: the dicts are the same without it."""
    if "name" in schema:
        schema["name"] = [v for v in schema["name"] if getattr(v, "__name__", None) != "package_name_validator"]
    return schema


# ---------------------------------------------------------------- bulk dictization
def package_dicts(packages: list[model.Package]) -> dict[str, dict[str, Any]]:
    """package id -> what ``model_dictize.package_dictize`` returns for it, read for all at once."""
    ids = [p.id for p in packages]
    context: dict[str, Any] = {"ignore_auth": True}
    resources, tags = _resources(ids), _tags(ids, context)
    organizations = _organizations({p.owner_org for p in packages if p.owner_org}, context)
    linked = _linked(ids)
    out = {}
    for package in packages:
        result = table_dictize(package, context)
        if result.get("title"):
            result["title"] = result["title"].strip()
        result.pop("plugin_data", None)
        result["resources"] = model_dictize.resource_list_dictize(resources[package.id], context)
        result["num_resources"] = len(result["resources"])
        result["tags"] = tags[package.id]
        result["num_tags"] = len(result["tags"])
        result["extras"] = [{"key": k, "value": v} for k, v in (result["extras"] or {}).items()]
        linked_dicts = _groups_and_relationships(package, context, package.id in linked)
        result["groups"] = linked_dicts.pop("groups")
        result["organization"] = organizations.get(package.owner_org)
        result.update(linked_dicts)   # the relationships, after the organization as package_dictize puts them
        result.update(_domain_properties(package))
        out[package.id] = result
    return out


def _resources(ids: list[str]) -> dict[str, list]:
    res = model.resource_table
    found: dict[str, list] = defaultdict(list)
    for row in model.Session.execute(sa.select(res).where(res.c.package_id.in_(ids))):
        found[row.package_id].append(row)
    return found


_OWNER = "citizendata_owner"  # the package a batch row belongs to, taken off after dictizing


def _tags(ids: list[str], context: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    tag, pkg_tag = model.tag_table, model.package_tag_table
    rows: dict[str, list] = defaultdict(list)
    query = (sa.select(tag, pkg_tag.c.state, pkg_tag.c.package_id.label(_OWNER))
             .join(pkg_tag, tag.c.id == pkg_tag.c.tag_id).where(pkg_tag.c.package_id.in_(ids)))
    for row in model.Session.execute(query):
        rows[getattr(row, _OWNER)].append(row)
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for package_id, owned in rows.items():
        for tag_dict in obj_list_dictize(owned, context, lambda x: x["name"]):
            tag_dict.pop(_OWNER)
            tag_dict["display_name"] = tag_dict["name"]
            found[package_id].append(tag_dict)
    return found


def _organizations(org_ids: set[str], context: dict[str, Any]) -> dict[str, dict[str, Any]]:
    group = model.group_table
    rows = model.Session.execute(sa.select(group).where(group.c.id.in_(sorted(org_ids)), group.c.state == "active"))
    found = {}
    for organization in obj_list_dictize(list(rows), context):
        del organization["extras"]
        found[organization["id"]] = organization
    return found


def _linked(ids: list[str]) -> set[str]:
    """Those of the packages in a group or in a relationship (few: those are dictized the CKAN way)."""
    member, group, rel = model.member_table, model.group_table, model.package_relationship_table
    in_group = (sa.select(member.c.table_id).join(group, group.c.id == member.c.group_id)
                .where(member.c.table_id.in_(ids), member.c.state == "active", group.c.is_organization.is_(False)))
    subjects = sa.select(rel.c.subject_package_id).where(rel.c.subject_package_id.in_(ids))
    objects = sa.select(rel.c.object_package_id).where(rel.c.object_package_id.in_(ids))
    return set(model.Session.execute(sa.union(in_group, subjects, objects)).scalars())


def _groups_and_relationships(package: model.Package, context: dict[str, Any], linked: bool) -> dict[str, Any]:
    if not linked:
        return {"groups": [], "relationships_as_subject": [], "relationships_as_object": []}
    full = model_dictize.package_dictize(package, dict(context))
    return {key: full[key] for key in ("groups", "relationships_as_subject", "relationships_as_object")}


def _domain_properties(package: model.Package) -> dict[str, Any]:
    """The last part of ``package_dictize``: what the Package object says of itself."""
    found: dict[str, Any] = {"isopen": package.isopen(), "type": package.type or "dataset"}
    if package.license and package.license.url:
        found["license_url"] = package.license.url
        found["license_title"] = package.license.title.split("::")[-1]
    elif package.license:
        found["license_title"] = package.license.title
    else:
        found["license_title"] = package.license_id
    found["metadata_modified"] = package.metadata_modified.isoformat()
    found["metadata_created"] = package.metadata_created.isoformat() if package.metadata_created else None
    return found
