"""The backend-neutral search interface.

CKAN speaks Solr to its search index (Lucene query strings, ``fq``, ``facet.field``...). The seam
(:mod:`.seam`) hands those requests to a :class:`SearchBackend` after :mod:`.lucene` has parsed every query
string into the small tree of nodes below. Each backend compiles the tree into its own language (SQL with
bound parameters for PostgreSQL, query DSL for Elasticsearch); no backend ever sees a raw query string.

Example::

    >>> from ckanext.citizendata.search import lucene
    >>> lucene.parse('+capacity:public -dataset_type:harvest')
    Bool(must=(Term(field='capacity', value='public'),), should=(), must_not=(Term(field='dataset_type', value='harvest'),), minimum_should_match=0)
"""
from __future__ import annotations

import dataclasses
import datetime
from typing import Any, ContextManager, Optional, Protocol, Union, dataclass_transform

# ---------------------------------------------------------------- query nodes


@dataclass_transform(frozen_default=True)
class _Node:
    """Base of the query nodes: each subclass is made a frozen dataclass (an immutable value, equal to and
    hashed like another node of the same class with the same fields), so a node only declares its fields."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        dataclasses.dataclass(frozen=True)(cls)


class _OnField(_Node):
    """A leaf that tests one field; ``field`` is None for the default (all text) field."""
    field: Optional[str]


class MatchAll(_Node):
    """``*:*``: every document."""


class Term(_OnField):
    """One word or exact value: ``tags:economy``, ``flood``."""
    value: str


class Phrase(_OnField):
    """A quoted phrase: ``title:"water quality"``; an exact value on string fields."""
    text: str


class Prefix(_OnField):
    """Words that start with ``value``: ``wat*``; on ``*_ngram`` fields each word of ``value`` is a prefix."""
    value: str


class Wildcard(_OnField):
    """A pattern with ``*`` (any run) and ``?`` (one character) not only at the end: ``te?t``."""
    pattern: str


class Range(_Node):
    """``field:[low TO high]`` / ``{low TO high}``; None is an open end. Dates are already resolved."""
    field: str
    low: Union[str, datetime.datetime, None]
    high: Union[str, datetime.datetime, None]
    include_low: bool = True
    include_high: bool = True


class Exists(_Node):
    """``field:*``: the field has a value."""
    field: str


class Bool(_Node):
    """Lucene's boolean query: all of ``must``, none of ``must_not``, and at least
    ``minimum_should_match`` of ``should`` (0 means: any number, only when there is a must clause;
    with no must clause at least one should clause has to match)."""
    must: tuple = ()
    should: tuple = ()
    must_not: tuple = ()
    minimum_should_match: int = 0


Node = Union[MatchAll, Term, Phrase, Prefix, Wildcard, Range, Exists, Bool]

# ---------------------------------------------------------------- requests and results


@dataclasses.dataclass(frozen=True)
class SortKey:
    field: str          # "score", "name", "metadata_modified", any indexed field
    descending: bool


@dataclasses.dataclass
class SearchRequest:
    """One package search, already parsed. ``query`` is q and every fq combined."""
    query: Node
    rows: int = 10
    start: int = 0
    sort: tuple = ()                    # of SortKey
    fields: tuple = ("*",)              # fl; "*" means the whole document
    facet_fields: tuple = ()
    facet_limit: int = 50               # -1: no limit
    facet_mincount: int = 1
    timeout_ms: int = 0                 # how long the backend may take; 0: no limit


class QueryTooCostly(Exception):
    """Raised by a backend when a search ran past ``SearchRequest.timeout_ms`` or past what the server allows
    one query (e.g. PostgreSQL's stack depth); the message is ours, never the server's."""


@dataclasses.dataclass
class SearchResult:
    hits: int
    docs: list
    facets: dict                         # field -> list of (value, count), best first


class SearchBackend(Protocol):
    """What a search backend provides. Documents are CKAN's own index documents
    (``PackageSearchIndex.index_package`` builds them: permission labels, extras, plugin hooks).

    Example::

        backend = PostgresBackend()
        backend.add([{"index_id": "...", "id": "...", "name": "water", "site_id": "default", ...}])
        backend.search(SearchRequest(query=Term("name", "water"))).hits  # -> 1
    """

    name: str

    def add(self, docs: list[dict[str, Any]]) -> None:
        """Insert or replace documents (keyed by ``index_id``), in the caller's transaction."""

    def delete(self, query: Node) -> int:
        """Delete the documents matching ``query``; returns how many."""

    def search(self, request: SearchRequest) -> SearchResult:
        """Run a search: matching documents (``request.fields`` of them), total hits, facet counts."""

    def commit(self) -> None:
        """Make pending writes durable (an explicit commit asked for by CKAN)."""

    def bulk_load(self) -> ContextManager[None]:
        """A block in which an emptied index is filled again with every document (a rebuild with ``--clear``):
        the backend may put off its own upkeep until the block ends; searches still answer meanwhile."""
