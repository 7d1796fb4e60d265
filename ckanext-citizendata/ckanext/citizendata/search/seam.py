"""Where the search backend plugs into CKAN 2.12, which has no search-backend interface.

CKAN builds its index documents (permission labels, extras, ``before_dataset_index`` hooks) and its Solr
queries itself, then hands them to the connection returned by ``make_connection()``. We replace that function
(in ``ckan.lib.search`` and the modules that imported it, and in ckanext-harvest) with one that returns a
:class:`Connection` with the pysolr surface CKAN uses: ``add``, ``delete``, ``commit``, ``search``. All of
CKAN's document building and query building is kept. The replacement dispatches at call time: when the
``citizendata`` plugin is not enabled, or the backend is ``solr``, CKAN's own function answers.

Example::

    install()
    make_connection().search(q="name:water", fq="+site_id:default", rows=1).hits
"""
from __future__ import annotations

import contextlib
import functools
import importlib
import logging
import threading
from importlib.metadata import entry_points
from typing import Any, Callable, Optional

import ckan.lib.search as search_pkg
import sqlalchemy.exc
from ckan.lib.search import common as search_common
from ckan.plugins import plugin_loaded

from ckanext.citizendata import config as cd_config

from . import lucene
from .interface import QueryTooCostly, SearchBackend
from .request import RequestError, to_request

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "ckanext.citizendata.search_backends"
PLUGIN_NAME = "citizendata"
# modules holding their own reference to make_connection (``from ... import make_connection``)
_PATCHED_MODULES = ("ckan.lib.search.common", "ckan.lib.search.index", "ckan.lib.search.query",
                    "ckan.lib.search", "ckanext.harvest.logic.action.update")
_originals: dict[str, Callable] = {}
_buffer = threading.local()
_buffer.docs = None


@contextlib.contextmanager
def batched_writes():
    """Collect the index documents CKAN hands over inside the block and write them in one go at its end
    (for bulk loads: one statement instead of one per dataset). Same transaction as the caller."""
    if getattr(_buffer, "docs", None) is not None:
        yield
        return
    _buffer.docs = []
    try:
        yield
        docs = _buffer.docs
    finally:
        _buffer.docs = None
    if docs:
        Connection(load_backend(cd_config.search_backend())).add(docs)


def bulk_load():
    """The active backend's :meth:`~.interface.SearchBackend.bulk_load` block (nothing when Solr answers)."""
    if not active():
        return contextlib.nullcontext()
    return load_backend(cd_config.search_backend()).bulk_load()


class Results:
    """What pysolr's ``Solr.search`` returns, as far as CKAN reads it."""

    def __init__(self, hits: int, docs: list, facets: dict[str, list]):
        self.hits = hits
        self.docs = docs
        flat = {field: [x for pair in pairs for x in pair] for field, pairs in facets.items()}
        self.facets = {"facet_fields": flat}

    def __len__(self) -> int:
        return len(self.docs)

    def __iter__(self):
        return iter(self.docs)


class Connection:
    """A pysolr-shaped connection to a :class:`~.interface.SearchBackend`."""

    def __init__(self, backend: SearchBackend):
        self.backend = backend
        self.url = f"citizendata:{backend.name}"

    def add(self, docs: list[dict[str, Any]], commit: bool = True, **_: Any) -> None:
        if getattr(_buffer, "docs", None) is not None:
            _buffer.docs.extend(docs)
            return
        try:
            self.backend.add(list(docs))
        except sqlalchemy.exc.SQLAlchemyError as err:  # the database's words go to the log, not to the client
            log.exception("%s: indexing failed", self.url)
            raise search_common.SearchIndexError(f"{self.url}: could not index (the server's log says why)") from err

    def delete(self, id: Optional[str] = None, q: Optional[str] = None, commit: bool = True, **_: Any) -> int:
        if id is None and q is None:
            raise search_common.SearchIndexError("delete needs an id or a query")
        query = f'index_id:"{id}"' if id is not None and q is None else q
        try:
            return self.backend.delete(lucene.parse(query))
        except lucene.QuerySyntaxError as err:
            raise search_common.SearchQueryError(str(err)) from err

    def commit(self, **_: Any) -> None:
        self.backend.commit()

    def search(self, q: Optional[str] = None, **params: Any) -> Results:
        try:
            request = to_request(params, q="*:*" if q is None else q)
        except RequestError as err:
            raise search_common.SearchQueryError(str(err)) from err
        try:
            result = self.backend.search(request)
        except (QueryTooCostly, lucene.QuerySyntaxError) as err:  # dates are resolved when the backend compiles
            raise search_common.SearchQueryError(str(err)) from err
        except sqlalchemy.exc.SQLAlchemyError as err:  # the database's words go to the log, not to the client
            log.exception("%s: search failed", self.url)
            raise search_common.SearchError(f"{self.url}: the search failed (the server's log says why)") from err
        return Results(result.hits, result.docs, result.facets)


@functools.lru_cache(maxsize=None)
def load_backend(name: str) -> SearchBackend:
    """The backend registered under ``name`` in the ``ckanext.citizendata.search_backends`` group."""
    found = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == name]
    if not found:
        known = sorted(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP))
        raise search_common.SearchError(
            f"{cd_config.BACKEND} = {name!r} is not a known search backend; known: {', '.join(known)}, solr")
    return found[0].load()()


def active() -> bool:
    """True when our backend answers instead of Solr: the plugin is loaded or named in ``ckan.plugins``
    and the backend is not ``solr``."""
    enabled = plugin_loaded(PLUGIN_NAME) or cd_config.plugin_enabled(PLUGIN_NAME)
    return enabled and cd_config.search_backend() != "solr"


def make_connection(decode_dates: bool = True):
    if not active():
        return _originals["make_connection"](decode_dates=decode_dates)
    return Connection(load_backend(cd_config.search_backend()))


def _rebuild(bulk_rebuild: Callable[..., None], package_id: Optional[str] = None, only_missing: bool = False,
             force: bool = False, defer_commit: bool = False, package_ids=None, quiet: bool = False,
             clear: bool = False) -> None:
    """``ckan.lib.search.rebuild``: one record, or only the missing ones, or Solr, CKAN's way; else in bulk."""
    if package_id or only_missing or not active():
        return _originals["rebuild"](package_id, only_missing=only_missing, force=force, defer_commit=defer_commit,
                                     package_ids=package_ids, quiet=quiet, clear=clear)
    return bulk_rebuild(package_ids=package_ids, force=force, quiet=quiet, clear=clear)


def check_solr_schema_version(schema_file: Optional[str] = None) -> bool:
    if not active():
        return _originals["check_solr_schema_version"](schema_file)
    log.info("Search index: %s backend of ckanext-citizendata (Solr is not used)", cd_config.search_backend())
    return True


def install(bulk_rebuild: Optional[Callable[..., None]] = None) -> None:
    """Put the seam in place (idempotent); with ``bulk_rebuild``, CKAN's rebuild of the whole index (``ckan
    search-index rebuild``) calls it instead, as ``bulk_rebuild(package_ids=None, force=False, quiet=False,
    clear=False)``, when our backend answers."""
    _originals.setdefault("make_connection", search_common.make_connection)
    _originals.setdefault("check_solr_schema_version", search_pkg.check_solr_schema_version)
    _originals.setdefault("rebuild", search_pkg.rebuild)
    if bulk_rebuild is not None:
        search_pkg.rebuild = functools.partial(_rebuild, bulk_rebuild)
    for module_name in _PATCHED_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        if hasattr(module, "make_connection"):
            module.make_connection = make_connection
    search_pkg.check_solr_schema_version = check_solr_schema_version
