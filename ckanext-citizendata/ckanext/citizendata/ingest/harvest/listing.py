"""What a source type hands to the harvest engine: pages of sightings (one upstream record each, mapped to a CKAN
dataset dict), and the source's settings as read from its YAML file.

Example::

    page = Page(url="https://portal.example/api/3/action/package_search?start=0",
                sightings=[Sighting(guid="0c5e...", record={"title": "Water points", "notes": "..."},
                                    original_uri="https://portal.example/dataset/water-points")])
    page.sightings[0].content_hash()      # 'sha256:9f2c...' (same record, same hash, in any key order)
"""
from __future__ import annotations

import dataclasses
import hashlib
import importlib.resources
import json
import pathlib
from typing import Any, Callable, Iterator, Optional, Protocol

DATASET = "dataset"
SERIES = "dataset_series"
PACKAGE = "ckanext.citizendata.harvesters"     # the data folder harvesters/, installed as a package (setup.py)


def packaged_folder() -> pathlib.Path:
    """The installed harvesters/ folder: source files, mapping tables, the demo, fixtures."""
    return pathlib.Path(str(importlib.resources.files(PACKAGE)))


def canonical(value: Any) -> str:
    """One text for equal values: keys sorted, no spaces, lists kept in order (their order is data)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def digest(value: Any) -> str:
    """``sha256:<hex>`` of the canonical text of ``value``."""
    return "sha256:" + hashlib.sha256(canonical(value).encode("utf-8")).hexdigest()


@dataclasses.dataclass
class Sighting:
    """One record as a source states it.

    ``record`` is a CKAN dataset dict with only what the source states: DCAT-AP core keys (``title``, ``notes``,
    ``url``, ``tags``, ``extras``-free scheming fields such as ``issued``, ``contact``, ``publisher``), the
    citizen-data fields it carries, ``resources``; never ``id``, ``name`` or ``owner_org`` (the engine sets them).
    """
    guid: str                                   # the source's identity of the record (its URI, id, ...)
    record: dict[str, Any]
    kind: str = DATASET                         # or SERIES (an initiative)
    original_uri: Optional[str] = None          # the record's IRI or page at the source (dct:source)
    identifier: Optional[str] = None            # the source's identifier (adms:identifier)
    publisher: Optional[str] = None             # publisher name or IRI (identity across sources with identifier)
    upstream_modified: Optional[str] = None     # ISO 8601, as the source states it
    warnings: list[str] = dataclasses.field(default_factory=list)   # values dropped, each with why
    # other identity keys of the same record (``uri:<address>``, ``id:<registry>\x1f<its id>``): a registry
    # that copied the record from another says where from, so both sightings are one dataset
    same_as: list[str] = dataclasses.field(default_factory=list)
    series_guid: Optional[str] = None           # the guid (same source) of the initiative the record belongs to
    # a source type that maps a record only when it changed gives a digest of what the source states (``raw``)
    # and the function that maps it (``build``: the full Sighting, or (guid, why) when it cannot be mapped)
    raw: Optional[str] = None
    build: Optional[Callable[[], Any]] = dataclasses.field(default=None, repr=False, compare=False)

    def content_hash(self) -> str:
        """The hash that decides changed or unchanged: of what the source states (``raw``), else of the mapped
        record, and of its kind."""
        if self.raw is not None:
            return digest({"kind": self.kind, "raw": self.raw})
        return digest({"kind": self.kind, "record": self.record})

    def materialized(self) -> Any:
        """The sighting with its record (mapped now, for a source type that maps only what changed), or
        (guid, why) when it cannot be mapped."""
        return self.build() if self.build is not None else self

    def stored(self) -> dict[str, Any]:
        """What a harvest object keeps of it (its content): every field but ``build``."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "build"}

    def identity_keys(self) -> list[str]:
        """Keys under which another source's sighting is the same dataset: its URI, or identifier + publisher."""
        keys = []
        if self.original_uri:
            keys.append("uri:" + self.original_uri)
        if self.identifier and self.publisher:
            keys.append(f"id:{self.publisher}\x1f{self.identifier}")
        return list(dict.fromkeys(keys + [key for key in self.same_as if key]))


@dataclasses.dataclass
class Page:
    """One page of a listing. ``failed`` set: the page could not be read (the listing is then incomplete, and no
    record is withdrawn); ``errors``: records of the page that could not be read, as (guid or position, why)."""
    url: str
    sightings: list[Sighting] = dataclasses.field(default_factory=list)
    errors: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    failed: Optional[str] = None


@dataclasses.dataclass
class SourceSpec:
    """A source as its YAML file in harvesters/ defines it (validated by sources.py)."""
    name: str
    type: str                                   # ckan | dcat | sdmx (the IHarvester's info()["name"] minus prefix)
    url: str
    organization: str
    title: str = ""
    schedule: str = "MANUAL"                    # ckanext-harvest frequency: MANUAL, DAILY, WEEKLY, ...
    languages: list[str] = dataclasses.field(default_factory=lambda: ["en"])
    priority: int = 0                           # higher owns a dataset seen from two sources
    defaults: dict[str, Any] = dataclasses.field(default_factory=dict)     # fields set when the source lacks them
    rules: list[dict[str, Any]] = dataclasses.field(default_factory=list)  # mapping rules (rules.py)
    options: dict[str, Any] = dataclasses.field(default_factory=dict)      # per source type (page size, paths, ...)
    secrets: dict[str, str] = dataclasses.field(default_factory=dict)      # option -> value: resolved at run
                                                                            # time (sources.py), never stored
    delete_threshold: float = 0.8               # no withdrawals when a listing is smaller than this share
    secret_names: dict[str, str] = dataclasses.field(default_factory=dict)  # option -> variable, as in the file
    active: bool = True                         # an inactive source is kept but never run
    file: str = ""                              # the source file's name, e.g. "hdx.yaml" ("" for hand-made)


def registry_key(registry: str, local_id: Any) -> str:
    """The identity key of a project in a registry (``same_as``): the registry's name folded, its id as text.

    Example: ``registry_key("SciStarter", 1234)`` -> ``'id:scistarter\x1f1234'``
    """
    return f"id:{' '.join(str(registry).split()).casefold()}\x1f{str(local_id).strip()}"


def access_refused(spec: SourceSpec, status: int, option: str = "api_token") -> str:
    """What a failed page says when the source refuses our credentials (HTTP 401 / 403): the source, and the
    secret that is missing or refused (by its variable's name, never its value)."""
    name = spec.secret_names.get(option)
    if name is None:
        why = (f"no secret is named for it: add secrets.{option} (the name of an environment variable or ini "
               f"secret) to {spec.file or 'the source file'}")
    elif not spec.secrets.get(option):
        why = f"the secret {option} ({name}) is not set"
    else:
        why = f"the secret {option} ({name}) was refused: check its value and its rights at the source"
    return f"source {spec.name}: the source refused access (HTTP {status}); {why}"


class Fetcher(Protocol):
    """What a source type uses to read the network (fetch.Client): bounded, SSRF-guarded, retried."""

    def get(self, url: str, params: Optional[dict[str, Any]] = None,
            headers: Optional[dict[str, str]] = None) -> Any: ...

    def get_json(self, url: str, params: Optional[dict[str, Any]] = None,
                 headers: Optional[dict[str, str]] = None) -> Any: ...


class Lister(Protocol):
    """A source type: ``pages(spec, fetcher, since)`` lists the source; ``since`` (a datetime) asks for records
    changed since then where the source can say so (an incremental run, which never withdraws records)."""

    def __call__(self, spec: SourceSpec, fetcher: Fetcher, since: Any = None) -> Iterator[Page]: ...
