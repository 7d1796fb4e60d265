"""SDMX REST v2 structure-query semantics over in-memory schemes, and content negotiation.

Path: ``/structure/{resource}/{agencyID}/{resourceID}/{version}`` where

- ``resource`` is ``codelist``, ``conceptscheme`` or ``*`` (both);
- ``agencyID`` and ``resourceID`` are ids, ``*`` (any), or comma lists ``A,B``;
- ``version`` is an exact version, ``*`` (all), ``~`` (latest), ``latest`` (the SDMX REST 1.x
  keyword, same as ``~``), ``+`` (latest stable: ``x.y.z`` with x > 0 and no ``-ext``), or a
  comma list of these. Other wildcard forms (``1.*``, ``1+.0.0``, ...) raise
  :class:`NotImplementedQuery`.

Versions compare numerically part by part (``1.10`` > ``1.9``); a ``-ext`` version comes
before the same version without it.

Example::

    query = parse_path("codelist", "IAEG-SDGs,CITIZENDATA", "*", "latest")
    found = select_query(schemes, query)
    fmt = negotiate("application/vnd.sdmx.structure+json;version=2.0.0", None)   # "json"
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from ckanext.citizendata.sdmx_io.structures import KINDS, Scheme

ANY = "*"
LATEST = "~"
LATEST_STABLE = "+"
LATEST_ALIASES = frozenset({"~", "latest"})

_AGENCY = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*(\.[A-Za-z][A-Za-z0-9_\-]*)*")
_ID = re.compile(r"[A-Za-z0-9_@$\-]+")
_VERSION = re.compile(r"[0-9A-Za-z_.\-]+")
_STABLE = re.compile(r"[1-9][0-9]*\.[0-9]+\.[0-9]+")


class QueryError(ValueError):
    """A structure query that is not valid SDMX REST (HTTP 400)."""

    status = 400


class NotImplementedQuery(QueryError):
    """A valid SDMX REST query this service does not implement (HTTP 501)."""

    status = 501


class NotAcceptable(ValueError):
    """No representation the client accepts (HTTP 406)."""

    status = 406


@dataclasses.dataclass(frozen=True)
class StructureQuery:
    """A parsed structure query; ``None`` for agencies or ids means any.

    Example::

        StructureQuery(kinds=("codelist",), agencies=None, ids=("CL_SEX",), versions=("~",))
    """

    kinds: tuple[str, ...]
    agencies: tuple[str, ...] | None
    ids: tuple[str, ...] | None
    versions: tuple[str, ...]


def parse_path(resource: str, agency: str | None = None, id: str | None = None,
               version: str | None = None) -> StructureQuery:
    """Parse the path parameters of a structure query; a missing one takes the SDMX REST v2
    default (agency ``*``, id ``*``, version ``~``).

    Example::

        >>> query = parse_path("codelist", "IAEG-SDGs", "CL_SEX,CL_AGE", "1.0,latest")
        >>> query.agencies, query.ids, query.versions
        (('IAEG-SDGs',), ('CL_SEX', 'CL_AGE'), ('1.0', '~'))

    Raises QueryError (bad syntax, unknown resource) or NotImplementedQuery (a version
    wildcard form other than ``*``, ``~``, ``latest`` and ``+``).
    """
    kinds = _kinds(resource)
    agencies = _values(agency, _AGENCY, "agency")
    ids = _values(id, _ID, "resource id")
    versions = tuple(_version_token(v) for v in _split(version or LATEST, "version"))
    return StructureQuery(kinds=kinds, agencies=agencies, ids=ids, versions=versions)


def select(schemes: Iterable[Scheme], agency: str | None = ANY, id: str | None = ANY,
           version: str | None = LATEST, *, kind: str = ANY) -> list[Scheme]:
    """The schemes matching an SDMX REST structure query, sorted by kind, agency, id, version.

    Example::

        [s.version for s in select(schemes, "IAEG-SDGs", "CL_SEX", "latest")]   # ['1.10']
        select(schemes, "NOBODY", "*", "*")                                      # []

    Raises what :func:`parse_path` raises.
    """
    return select_query(schemes, parse_path(kind, agency, id, version))


def select_query(schemes: Iterable[Scheme], query: StructureQuery) -> list[Scheme]:
    """The schemes matching a parsed query (see :func:`select`).

    Example::

        select_query(schemes, parse_path("conceptscheme", "*", "*", "*"))   # every concept scheme
    """
    candidates = [s for s in schemes if s.kind in query.kinds
                  and _matches(s.agency, query.agencies) and _matches(s.id, query.ids)]
    groups: dict[tuple[str, str, str], list[Scheme]] = {}
    for scheme in candidates:
        groups.setdefault((scheme.kind, scheme.agency, scheme.id), []).append(scheme)
    found = [s for group in groups.values() for s in _select_versions(group, query.versions)]
    return sorted(found, key=lambda s: (s.kind, s.agency, s.id, version_key(s.version)))


def version_key(version: str) -> tuple:
    """Sort key comparing versions numerically part by part; ``X.Y.Z-ext`` sorts before
    ``X.Y.Z``, and a non-numeric part after the numeric ones.

    Example::

        >>> sorted(["1.9", "1.10", "1.2.0-draft", "1.2.0"], key=version_key)
        ['1.2.0-draft', '1.2.0', '1.9', '1.10']
    """
    core, dash, extension = version.partition("-")
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in core.split("."))
    return (parts, 0 if dash else 1, extension)


def negotiate(accept_header: str | None, format_param: str | None = None) -> str:
    """The writer format (``"xml"``, ``"json"`` or ``"xml21"``) for a request.

    A ``format`` query parameter wins (``sdmx-json``/``json`` -> json, ``sdmx-ml``/``xml``
    -> xml, ``sdmx-ml-2.1``/``xml21`` -> xml21). Otherwise the Accept header is read in
    quality order (ties: header order); no or an empty header means SDMX-ML 3.0, as SDMX REST
    prescribes the most recent SDMX-ML structure format by default.

    Example::

        >>> negotiate("application/json", None), negotiate(None, "sdmx-json"), negotiate(None, None)
        ('json', 'json', 'xml')

    Raises NotAcceptable when neither names a representation we write.
    """
    if format_param:
        fmt = _FORMAT_PARAMS.get(format_param.strip().lower())
        if fmt is None:
            raise NotAcceptable(f"format={format_param!r} is not one of {sorted(_FORMAT_PARAMS)}")
        return fmt
    if not accept_header or not accept_header.strip():
        return "xml"
    for media_type, params in _accepted(accept_header):
        fmt = _media_format(media_type, params.get("version"))
        if fmt:
            return fmt
    raise NotAcceptable(f"none of {accept_header!r} is a representation we write; "
                        "try application/vnd.sdmx.structure+xml;version=3.0.0 or "
                        "application/vnd.sdmx.structure+json;version=2.0.0")


_FORMAT_PARAMS = {"sdmx-json": "json", "json": "json", "sdmx-ml": "xml", "xml": "xml",
                  "sdmx-ml-3.0": "xml", "sdmx-ml-2.1": "xml21", "xml21": "xml21"}
# media type -> {version parameter or None: fmt}
_MEDIA_TYPES = {
    "application/vnd.sdmx.structure+xml": {None: "xml", "3.0.0": "xml", "3.0": "xml",
                                           "2.1": "xml21"},
    "application/vnd.sdmx.structure+json": {None: "json", "2.0.0": "json", "2.0": "json"},
    "application/json": {None: "json"},
    "application/xml": {None: "xml"},
    "text/xml": {None: "xml"},
    "application/*": {None: "xml"},
    "*/*": {None: "xml"},
}


def _media_format(media_type: str, version: str | None) -> str | None:
    return _MEDIA_TYPES.get(media_type, {}).get(version)


def _accepted(header: str) -> list[tuple[str, dict[str, str]]]:
    """(media type, parameters) of an Accept header, best quality first, q=0 left out."""
    ranges = []
    for position, part in enumerate(header.split(",")):
        media_type, *raw_params = [p.strip() for p in part.split(";")]
        params = dict(_param(p) for p in raw_params if "=" in p)
        quality = _quality(params.pop("q", "1"))
        if media_type and quality > 0:
            ranges.append((-quality, position, media_type.lower(), params))
    return [(media_type, params) for _, _, media_type, params in sorted(ranges)]


def _param(text: str) -> tuple[str, str]:
    name, _, value = text.partition("=")
    return name.strip().lower(), value.strip().strip('"')


def _quality(text: str) -> float:
    try:
        return min(max(float(text), 0.0), 1.0)
    except ValueError:
        return 0.0


def _kinds(resource: str) -> tuple[str, ...]:
    if resource == ANY:
        return KINDS
    kinds = _split(resource, "resource")
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise QueryError(f"unknown structure type(s) {unknown}; expected {KINDS} or *")
    return kinds


def _values(text: str | None, pattern: re.Pattern[str], what: str) -> tuple[str, ...] | None:
    if text is None or text == ANY:
        return None
    values = _split(text, what)
    if ANY in values:
        return None
    for value in values:
        if not pattern.fullmatch(value):
            raise QueryError(f"{value!r} is not a valid {what}")
    return values


def _split(text: str, what: str) -> tuple[str, ...]:
    values = tuple(v.strip() for v in text.split(","))
    if not all(values):
        raise QueryError(f"empty {what} in {text!r}")
    return values


def _version_token(token: str) -> str:
    if token in LATEST_ALIASES:
        return LATEST
    if token in (ANY, LATEST_STABLE):
        return token
    if any(op in token for op in "*+~"):
        raise NotImplementedQuery(f"version wildcard {token!r} is not supported; "
                                  "use an exact version, *, ~, latest or +")
    if not _VERSION.fullmatch(token):
        raise QueryError(f"{token!r} is not a valid version")
    return token


def _matches(value: str, wanted: tuple[str, ...] | None) -> bool:
    return wanted is None or value in wanted


def _select_versions(group: list[Scheme], tokens: tuple[str, ...]) -> list[Scheme]:
    """The members of one (kind, agency, id) group that any version token selects."""
    chosen: dict[str, Scheme] = {}
    for token in tokens:
        for scheme in _select_token(group, token):
            chosen[scheme.version] = scheme
    return list(chosen.values())


def _select_token(group: list[Scheme], token: str) -> list[Scheme]:
    if token == ANY:
        return group
    if token == LATEST:
        return [max(group, key=lambda s: version_key(s.version))]
    if token == LATEST_STABLE:
        stable = [s for s in group if _STABLE.fullmatch(s.version)]
        return [max(stable, key=lambda s: version_key(s.version))] if stable else []
    return [s for s in group if s.version == token]


_EXTENSIONS = {"xml": "xml", "xml21": "xml", "json": "json"}
_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-@]+")


def filename(found: list[Scheme], fmt: str, resource: str = ANY) -> str:
    """The file name a structure message is saved under: one artefact ``AGENCY-ID-VERSION.<ext>``, several
    ``AGENCY-<resource>.<ext>`` (``structures`` for more than one agency or ``*``); ``xml`` for SDMX-ML,
    ``json`` for SDMX-JSON.

    Example::

        filename([Scheme(kind="codelist", agency="CITIZENDATA", id="CL_X", version="1.0", ...)], "xml")
        # 'CITIZENDATA-CL_X-1.0.xml'
    """
    ext = _EXTENSIONS.get(fmt, fmt)
    if len(found) == 1:
        stem = f"{found[0].agency}-{found[0].id}-{found[0].version}"
    else:
        agencies = {s.agency for s in found}
        kind = "structures" if resource == ANY or "," in resource else resource
        stem = f"{agencies.pop()}-{kind}" if len(agencies) == 1 else kind
    return f"{_UNSAFE.sub('_', stem)}.{ext}"
