"""Each dataset's serialized RDF, ready per format, and DCAT documents assembled from it (issue 5, speed).

A row of ``citizendata_rdf_cache`` is keyed by package id and format and carries the digest of what it was
made from: the dataset dict exactly as the serializer receives it (as JSON text, ``Source``), what its graph
reads from other rows (``rdf/dependencies.py``), the profile list, the vocabulary registry revision, the DCAT
settings and the code of the serializer (``settings_digest``). A request whose digest does
not match rebuilds the fragment with ckanext-dcat's own serializer and replaces the row, so a row can be old
but never served stale. Catalog-level triples (catalog node, ``dcat:dataset`` links, Hydra paging) come from
the serializer's own catalog code on a graph without datasets.

Example::

    page = catalog_document(dataset_dicts, "ttl", pagination_info, profiles=configured_profiles())
    doc = dataset_document(package_show_result, "jsonld", profiles=configured_profiles())
"""
from __future__ import annotations

import collections
import copy
import dataclasses
import datetime
import functools
import hashlib
import inspect
import json
import logging
import os
import sys
import threading
import time
from importlib.metadata import entry_points
from typing import Any, Optional

import sqlalchemy as sa
from ckan import model
from ckanext.dcat.processors import (
    RDFSerializer,
)
from ckanext.dcat.utils import catalog_uri
from rdflib import BNode
from sqlalchemy.dialects.postgresql import insert

from ckanext.citizendata import config as cd_config
from ckanext.citizendata.model.rdf_cache import rdf_cache_table
from ckanext.citizendata.vocab import registry

from . import assemble, dependencies, profile_quality
from .assemble import Fragment

log = logging.getLogger(__name__)

FORMAT_VERSION = "1"  # bump when the fragment layout changes
# fragments read from the table and built afresh in this process, per format (for benchmarks and monitoring)
STATS: "collections.Counter[str]" = collections.Counter()


# ---------------------------------------------------------------- what a fragment depends on
def configured_profiles() -> list[str]:
    """The profiles the site serves by default, read as ckanext-dcat reads them, e.g. ``["euro_dcat_ap_3"]``."""
    return cd_config.dcat_profiles()


def serves(data_dict: dict[str, Any]) -> bool:
    """Whether a request is one we serve from fragments: configured profiles, a format we assemble and no
    sub-catalogs (whose triples depend on the datasets of the page).

    >>> serves({"format": "ttl", "profiles": ["euro_dcat_ap_3"]})   # with euro_dcat_ap_3 configured
    True
    """
    requested = data_dict.get("profiles")
    if requested and list(requested) != configured_profiles():
        return False
    if cd_config.dcat_subcatalogs():
        return False
    return assemble.fragment_format(data_dict.get("format")) is not None


@functools.lru_cache(maxsize=8)
def code_digest(profiles: tuple[str, ...]) -> str:
    """Digest of the Python files of every package that holds a class of the profiles' hierarchies (so the
    helper modules a profile imports lazily count too; this package's rdf/ is one of them): new serializer
    code never meets old fragments."""
    folders = set()
    for name in profiles:
        for point in entry_points(group="ckan.rdf.profiles", name=name):
            for cls in inspect.getmro(point.load()):
                path = getattr(sys.modules.get(cls.__module__), "__file__", None)
                if path:
                    folders.add(os.path.dirname(path))
    folders.add(os.path.dirname(__file__))
    digest = hashlib.sha1(FORMAT_VERSION.encode())
    for folder in sorted(folders):
        for name in sorted(f for f in os.listdir(folder) if f.endswith(".py")):
            with open(os.path.join(folder, name), "rb") as handle:
                digest.update(name.encode() + handle.read())
    return digest.hexdigest()


def settings_digest(profiles: list[str]) -> str:
    """Digest of everything besides the dataset dict that a fragment depends on."""
    parts = [code_digest(tuple(profiles)), profiles, registry.revision(), catalog_uri(), cd_config.rdf_settings(),
             assemble._context_text()]  # JSON-LD fragments are compacted with it
    return hashlib.sha1(json.dumps(parts, default=str).encode()).hexdigest()


@dataclasses.dataclass
class Source:
    """One dataset as the serializer receives it: its id and its dict as JSON text, decoded only when a fragment
    has to be built. A catalog page takes the text from the search index as it is (``validated_data_dict``, what
    ``package_search`` decodes); a shown dict is encoded as CKAN's indexer encodes it (``json.dumps``, key order
    kept), so the same dict gives the same text and both find the same fragment."""
    id: str
    text: str
    decoded: Optional[dict[str, Any]] = None

    @classmethod
    def of(cls, item: "Source | dict[str, Any]") -> "Source":
        if isinstance(item, Source):
            return item
        return cls(item["id"], json.dumps(item, default=str), item)

    def dict(self) -> dict[str, Any]:
        if self.decoded is None:
            self.decoded = json.loads(self.text)
        return self.decoded


def dataset_digest(settings: str, source: "Source | dict[str, Any]", facts: str = "") -> str:
    """Digest of one dataset under ``settings`` (``settings_digest``): its dict's text and ``facts``, what its
    graph reads from other rows (``rdf/dependencies.py``)."""
    return hashlib.sha1("\0".join((settings, facts, Source.of(source).text)).encode()).hexdigest()


# ---------------------------------------------------------------- the table
def read_rows(ids: list[str], fmt: str) -> dict[str, tuple[str, Fragment]]:
    """package id -> (digest, fragment) of the stored rows."""
    if not ids:
        return {}
    t = rdf_cache_table
    rows = model.Session.execute(sa.select(t.c.package_id, t.c.digest, t.c.subject, t.c.head, t.c.body)
                                 .where(t.c.format == fmt, t.c.package_id.in_(ids)))
    return {r.package_id: (r.digest, Fragment(_head(r.head), r.body, r.subject)) for r in rows}


@functools.lru_cache(maxsize=256)
def _head(text: str) -> dict[str, str]:
    """A stored head, parsed once per distinct text (most fragments share a few heads). Do not mutate."""
    return json.loads(text)


def write_rows(fmt: str, entries: list[tuple[str, str, Fragment]]) -> None:
    """Store (package id, digest, fragment) rows, replacing any older row of the same package and format."""
    if not entries:
        return
    now = datetime.datetime.now(datetime.timezone.utc)
    values = [{"package_id": pid, "format": fmt, "digest": digest, "subject": f.subject, "head": json.dumps(f.head),
               "body": f.body, "written_at": now} for pid, digest, f in entries]
    stmt = insert(rdf_cache_table).values(values)
    stmt = stmt.on_conflict_do_update(index_elements=["package_id", "format"],
                                      set_={c: stmt.excluded[c] for c in ("digest", "subject", "head", "body",
                                                                         "written_at")})
    model.Session.execute(stmt)
    model.Session.commit()


def forget(package_id: str) -> None:
    """Drop every row of a dataset (deleted or purged)."""
    model.Session.execute(sa.delete(rdf_cache_table).where(rdf_cache_table.c.package_id == package_id))


# ---------------------------------------------------------------- building fragments
@functools.lru_cache(maxsize=8)
def _serializer_template(profiles: tuple[str, ...], compatibility_mode: bool):
    return RDFSerializer(profiles=list(profiles), compatibility_mode=compatibility_mode)


def _serializer(profiles: list[str]):
    """A serializer of its own (fresh graph) sharing the profile classes loaded once per process."""
    serializer = copy.copy(_serializer_template(tuple(profiles), cd_config.dcat_compatibility_mode()))
    serializer.g = serializer.g.__class__()
    return serializer


def build_fragment(serializer, dataset_dict: dict[str, Any], fmt: str) -> Fragment:
    """The dataset's graph from the serializer's profiles, as a fragment with blank nodes of its own."""
    serializer.g = serializer.g.__class__()
    subject = serializer.graph_from_dataset(dataset_dict)
    fragment = assemble.make_fragment(serializer.g, fmt, assemble.label_seed(str(dataset_dict.get("id"))))
    return dataclasses.replace(fragment, subject=str(subject))


def fragments(datasets: "list[Source | dict[str, Any]]", fmt: str, profiles: list[str]) -> list[Fragment]:
    """One fragment per dataset (a ``Source`` or a dict), from the table where the digest matches, else built
    and stored."""
    sources = [Source.of(d) for d in datasets]
    settings = settings_digest(profiles)
    external = dependencies.facts(s.id for s in sources)
    digests = [dataset_digest(settings, s, external.get(s.id, "")) for s in sources]
    stored = read_rows([s.id for s in sources], fmt)
    result: list[Optional[Fragment]] = []
    fresh: list[tuple[str, str, Fragment]] = []
    serializer = None
    # assessments and scores of the datasets to build, read once for the page (rdf/profile_quality.py)
    quality = profile_quality.read(s.id for s, d in zip(sources, digests) if (stored.get(s.id) or ("",))[0] != d)
    for source, digest in zip(sources, digests):
        row = stored.get(source.id)
        if row is not None and row[0] == digest:
            result.append(row[1])
            continue
        serializer = serializer or _serializer(profiles)
        fragment = build_fragment(serializer, profile_quality.with_quality(source.dict(), quality.get(source.id)), fmt)
        fresh.append((source.id, digest, fragment))
        result.append(fragment)
    write_rows(fmt, fresh)
    STATS[f"built_{fmt}"] += len(fresh)
    STATS[f"read_{fmt}"] += len(sources) - len(fresh)
    return result


def catalog_fragments(datasets: list[Fragment], fmt: str, profiles: list[str],
                      pagination_info: Optional[dict] = None) -> list[Fragment]:
    """Catalog node (the serializer's own catalog code), Hydra paging (ckanext-dcat's pagination triples) and
    the catalog's ``dcat:dataset`` links to the datasets' fragments (the triples ``serialize_catalog`` adds
    for each dataset, to the IRI the profiles gave it)."""
    catalog_ref, graph, serialized = _catalog_graph(profiles)
    if fmt not in serialized:
        serialized[fmt] = _graph_fragment(graph, fmt, "c")
    parts = [serialized[fmt]]
    if pagination_info:
        paging = _serializer(profiles)
        paging._add_pagination_triples(pagination_info)
        parts.append(assemble.make_fragment(paging.g, fmt, "h"))  # differs on every page
    parts.append(assemble.catalog_links(fmt, str(catalog_ref), [f.subject for f in datasets]))
    return parts


_CATALOG: dict[str, tuple] = {}


def _catalog_graph(profiles: list[str]):
    """(catalog IRI, graph, {format: fragment}) of the catalog node as the profiles build it, reused for
    ``ckanext.citizendata.dcat.catalog_seconds`` (building it reads the whole catalog: its countries and first
    issue date), with its serializations as they are made."""
    key = settings_digest(profiles)
    now = time.monotonic()
    seconds = cd_config.dcat_catalog_seconds()
    hit = _CATALOG.get(key)
    if hit is not None and now - hit[0] < seconds:
        return hit[1:]
    serializer = _serializer(profiles)
    entry = (now, serializer.graph_from_catalog({}), serializer.g, {})
    if seconds > 0:
        _CATALOG.clear()
        _CATALOG[key] = entry
    return entry[1:]


_SERIALIZED: "collections.OrderedDict[tuple, Fragment]" = collections.OrderedDict()
_SERIALIZED_LOCK = threading.Lock()
SERIALIZED_MAX = 16


def _graph_fragment(graph, fmt: str, seed: str) -> Fragment:
    """``make_fragment``, remembered by the graph's content (the set of its triples and its prefix bindings,
    compared whole, not by a digest) when it has no blank nodes: the catalog node is the same graph on every
    page until something it says changes."""
    triples = frozenset(graph)
    if any(isinstance(term, BNode) for triple in triples for term in triple):
        return assemble.make_fragment(graph, fmt, seed)
    key = (fmt, seed, triples, frozenset(graph.namespaces()))
    with _SERIALIZED_LOCK:
        fragment = _SERIALIZED.get(key)
        if fragment is not None:
            _SERIALIZED.move_to_end(key)
            return fragment
    fragment = assemble.make_fragment(graph, fmt, seed)
    with _SERIALIZED_LOCK:
        _SERIALIZED[key] = fragment
        while len(_SERIALIZED) > SERIALIZED_MAX:
            _SERIALIZED.popitem(last=False)
    return fragment


# ---------------------------------------------------------------- documents
def catalog_document(datasets: "list[Source | dict[str, Any]]", url_format: Optional[str],
                     pagination_info: Optional[dict], profiles: list[str]) -> str:
    """A catalog page, graph-isomorphic to ``RDFSerializer.serialize_catalog`` of the same datasets' dicts."""
    fmt = assemble.fragment_format(url_format)
    datasets = fragments(datasets, fmt, profiles)
    return assemble.assemble(fmt, catalog_fragments(datasets, fmt, profiles, pagination_info) + datasets)


def dataset_document(dataset_dict: dict[str, Any], url_format: Optional[str], profiles: list[str]) -> str:
    """One dataset, graph-isomorphic to ``RDFSerializer.serialize_dataset``."""
    fmt = assemble.fragment_format(url_format)
    return assemble.assemble(fmt, fragments([dataset_dict], fmt, profiles))
