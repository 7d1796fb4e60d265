"""Solr request parameters, as CKAN sends them, into a :class:`~.interface.SearchRequest`.

Example::

    >>> to_request({"q": "water", "defType": "dismax", "fq": ["+capacity:public"], "rows": 11,
    ...             "sort": "score desc, metadata_modified desc", "fl": "id validated_data_dict"}).rows
    11
"""
from __future__ import annotations

import json
import re
from typing import Any, Callable, Optional

from ckanext.citizendata import config as cd_config

from . import limits, lucene
from .interface import Bool, MatchAll, Node, SearchRequest, SortKey

DEFAULT_FACET_LIMIT = 50
_SORT_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


class RequestError(ValueError):
    """A parameter we cannot honour; the message names the parameter and the rule."""


def to_request(params: dict[str, Any], q: Optional[str] = None,
               bounds: Optional[dict[str, int]] = None) -> SearchRequest:
    """The request CKAN's Solr parameters describe. ``bounds`` (default: :func:`.config.query_limits`) limit ``q``
    (characters, terms, nesting) and every ``fq`` (nesting: CKAN's own filters are among them); every text
    parameter is refused when it holds a NUL or a lone surrogate."""
    query = params.get("q", "*:*") if q is None else q
    bounds = cd_config.query_limits() if bounds is None else bounds
    try:
        nodes = _query_nodes(params, query, bounds)
    except (lucene.QuerySyntaxError, limits.LimitExceeded) as err:
        raise RequestError(str(err)) from err
    nodes = [n for n in nodes if not isinstance(n, MatchAll)]
    combined: Node = nodes[0] if len(nodes) == 1 else Bool(must=tuple(nodes)) if nodes else MatchAll()
    facet_on = str(params.get("facet", "true")).lower() not in ("false", "off", "0")
    return SearchRequest(
        query=combined,
        rows=_int(params, "rows", 10, minimum=0),
        start=_int(params, "start", 0, minimum=0),
        sort=parse_sort(params.get("sort")),
        fields=tuple(_split_fl(params.get("fl"))),
        facet_fields=tuple(_facet_fields(params.get("facet.field"))) if facet_on else (),
        facet_limit=_int(params, "facet.limit", DEFAULT_FACET_LIMIT, minimum=-1),
        facet_mincount=_int(params, "facet.mincount", 1, minimum=0),
        timeout_ms=bounds.get("search_statement_timeout_ms", 0),
    )


def _query_nodes(params: dict[str, Any], query: str, bounds: dict[str, int]) -> list[Node]:
    """``q`` and every ``fq``, checked against ``bounds`` and parsed (a syntax error names its parameter), after
    the other text parameters are checked."""
    for name in ("sort", "facet.field", "fl"):
        for value in _as_list(params.get(name)):
            limits.check_text(name, value)
    q_text = limits.check_text("q", query, bounds.get("q_chars"), "q_chars")
    q_check = limits.tree_check("q", bounds.get("query_depth"), bounds.get("query_clauses"))
    nodes = [_named("q", lambda: parse_q(q_text, params, q_check))]
    fq_check = limits.tree_check("fq", bounds.get("query_depth"))
    return nodes + [_named("fq", lambda f=f: lucene.parse(limits.check_text("fq", f), check=fq_check))
                    for f in _as_list(params.get("fq"))]


def _named(name: str, parse: Callable[[], Node]) -> Node:
    """``parse()``, its syntax error naming the parameter: ``q: cannot parse query '(water': ...``."""
    try:
        return parse()
    except lucene.QuerySyntaxError as err:
        raise RequestError(f"{name}: {err}") from err


def parse_q(text: str, params: dict[str, Any], check: lucene.Check = None) -> Node:
    """``q`` as the backend reads it: (e)dismax free text when ``defType`` says so, else Lucene syntax with
    ``q.op`` (default AND). Raises :class:`.lucene.QuerySyntaxError`."""
    if params.get("defType") in ("dismax", "edismax"):
        return lucene.parse_dismax(text, params.get("mm"), check=check)
    return lucene.parse(text, default_and=str(params.get("q.op", "AND")).upper() != "OR", check=check)


def parse_sort(sort: Optional[str]) -> tuple:
    """``"score desc, name asc"`` -> ``(SortKey("score", True), SortKey("name", False))``."""
    keys = []
    for part in (sort or "").split(","):
        if not part.strip():
            continue
        words = part.split()
        if len(words) != 2 or words[1].lower() not in ("asc", "desc") or not _SORT_FIELD.match(words[0]):
            raise RequestError(f'sort: "{part.strip()}" is not "<field> asc" or "<field> desc"')
        keys.append(SortKey(words[0], words[1].lower() == "desc"))
    return tuple(keys)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v is not None and str(v).strip()]
    return [str(value)] if str(value).strip() else []


def _split_fl(fl: Any) -> list[str]:
    if not fl:
        return ["*"]
    items = fl if isinstance(fl, (list, tuple)) else re.split(r"[\s,]+", str(fl))
    return [f for f in items if f] or ["*"]


def _facet_fields(value: Any) -> list[str]:
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            value = json.loads(value)
        except ValueError as err:
            raise RequestError(f"facet.field: not a JSON list: {value!r}") from err
    return _as_list(value)


def _int(params: dict[str, Any], key: str, default: int, minimum: int) -> int:
    raw = params.get(key, default)
    try:
        value = int(raw)
    except (TypeError, ValueError) as err:
        raise RequestError(f"{key}: {raw!r} is not a whole number") from err
    if value < minimum:
        raise RequestError(f"{key}: {value} is below the minimum {minimum}")
    return value
