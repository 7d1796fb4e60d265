"""Elasticsearch backend (``ckanext.citizendata.search.backend = elasticsearch``), official client.

The same neutral query tree as the PostgreSQL backend is compiled into query DSL (:class:`DslCompiler`, pure and
unit-tested); the index has an explicit mapping derived from the index fields: keywords for exact fields and
facets (every other field under one ``flattened`` field, so citizen-data fields facet without mapping edits),
dates, permission labels as a keyword filter, and the four weighted text classes analysed as written, accent-free
and stemmed in English, Spanish, French, Arabic and Portuguese.

Unlike the PostgreSQL backend, writes are not part of CKAN's database transaction (as with Solr); each write is
refreshed before returning (``refresh=wait_for``) so a dataset is searchable at once.

Example::

    backend = ElasticsearchBackend()
    backend.ensure_index()
    backend.search(SearchRequest(query=lucene.parse("tags:economy")))
"""
from __future__ import annotations

import contextlib
import datetime
from typing import Any, Optional

from elasticsearch import Elasticsearch, helpers

from ckanext.citizendata import config as cd_config

from . import fields as F
from .interface import (
    Bool,
    Exists,
    Node,
    Phrase,
    Prefix,
    QueryTooCostly,
    Range,
    SearchRequest,
    SearchResult,
    SortKey,
    Term,
    Wildcard,
)

ANALYZERS = ("english", "spanish", "french", "arabic", "portuguese")
TEXT_CLASS_BOOST = {"A": 4, "B": 2, "C": 1.5, "D": 1}
FIELD_CLASS = {"title": "A", "title_ngram": "A", "name_ngram": "A", "notes": "C"}
MAX_FACET_SIZE = 10000


def text_subfields(base: str) -> list[str]:
    """The analysed forms of one text class: ``["text_A", "text_A.folded", "text_A.english", ...]``."""
    return [base, f"{base}.folded"] + [f"{base}.{name}" for name in ANALYZERS]


def mapping() -> dict[str, Any]:
    """Explicit index settings and mapping, derived from the index fields of :mod:`.fields`."""
    text = {"type": "text", "analyzer": "standard",
            "fields": {"folded": {"type": "text", "analyzer": "folded"},
                       **{name: {"type": "text", "analyzer": name} for name in ANALYZERS}}}
    properties: dict[str, Any] = {name: {"type": "keyword"} for name in F.COLUMNS}
    properties.update({name: {"type": "date"} for name in F.DATE_COLUMNS})
    properties.update({name: {"type": "keyword"} for name in F.ARRAY_COLUMNS})
    properties["title"] = {"type": "keyword", "normalizer": "lowercase_folded"}
    properties.update({f"text_{weight}": text for weight in "ABCD"})
    properties["fields"] = {"type": "flattened", "depth_limit": 2}
    properties["doc"] = {"type": "object", "enabled": False}
    properties.update({name: {"type": "keyword", "index": False, "doc_values": False} for name in F.BIG_TEXT})
    return {
        "settings": {"analysis": {
            "analyzer": {"folded": {"tokenizer": "standard", "filter": ["lowercase", "asciifolding"]}},
            "normalizer": {"lowercase_folded": {"type": "custom", "filter": ["lowercase", "asciifolding"]}}}},
        "mappings": {"dynamic": "strict", "properties": properties},
    }


def document(doc: dict[str, Any]) -> dict[str, Any]:
    """CKAN's index document as stored in Elasticsearch: the exact columns, dates as ISO 8601 text, the text
    classes, every field under ``fields``, the stored document and its big texts.

    Example::

        >>> document({"id": "d1", "site_id": "default", "title": "Water"})["index_id"]
        'd1@default'
    """
    doc = F.strip_nul(doc)
    out = {name: doc.get(name) for name in F.COLUMNS}
    out["index_id"] = doc.get("index_id") or f"{doc['id']}@{doc.get('site_id', cd_config.site_id())}"
    out.update(_dates(doc))
    out["permission_labels"] = [str(x) for x in doc.get("permission_labels") or []]
    out["title"] = doc.get("title")
    out.update({f"text_{weight}": text for weight, text in F.text_classes(doc).items()})
    out["fields"] = F.normalise(doc)
    out["doc"] = {k: v for k, v in doc.items() if k not in F.BIG_TEXT}
    out.update({name: doc.get(name) for name in F.BIG_TEXT})
    return out


def _dates(doc: dict[str, Any]) -> dict[str, Optional[str]]:
    """The date columns as ISO 8601 text; None when absent or not a date."""
    dates = {name: F.as_datetime(doc.get(name)) for name in F.DATE_COLUMNS}
    return {name: value.isoformat() if value else None for name, value in dates.items()}


class DslCompiler:
    """Neutral nodes -> Elasticsearch query DSL (a dict)."""

    def compile(self, node: Node) -> dict[str, Any]:
        return getattr(self, "_" + type(node).__name__)(node)

    def _MatchAll(self, node):
        return {"match_all": {}}

    def _Bool(self, node: Bool):
        clause: dict[str, Any] = {}
        if node.must:
            clause["must"] = [self.compile(n) for n in node.must]
        if node.must_not:
            clause["must_not"] = [self.compile(n) for n in node.must_not]
        if node.should:
            clause["should"] = [self.compile(n) for n in node.should]
            minimum = node.minimum_should_match or (0 if node.must else 1)
            if minimum:
                clause["minimum_should_match"] = minimum
        return {"bool": clause}

    # --- leaves
    def _Term(self, node: Term):
        if F.kind(node.field) == F.TEXT:
            return self._text(node.field, node.value, "best_fields")
        return self._exact(node.field, node.value)

    def _Phrase(self, node: Phrase):
        if F.kind(node.field) == F.TEXT:
            return self._text(node.field, node.text, "phrase")
        return self._exact(node.field, node.text)

    def _Prefix(self, node: Prefix):
        if F.kind(node.field) == F.TEXT:
            return {"multi_match": {"query": node.value, "type": "bool_prefix", "operator": "and",
                                    "fields": [f"{base}.folded" for base in self._classes(node.field)]}}
        return {"prefix": {self._field(node.field): {"value": node.value}}}

    def _Wildcard(self, node: Wildcard):
        if F.kind(node.field) == F.TEXT:
            fields = [f"{base}.folded" for base in self._classes(node.field)]
            return {"query_string": {"query": node.pattern.lower(), "fields": fields, "analyze_wildcard": True}}
        return {"wildcard": {self._field(node.field): {"value": node.pattern}}}

    def _Range(self, node: Range):
        bounds = {}
        for key, value, inclusive in (("gt", node.low, node.include_low), ("lt", node.high, node.include_high)):
            if value is None:
                continue
            if isinstance(value, datetime.datetime):
                value = value.astimezone(datetime.timezone.utc).isoformat()
            bounds[key + ("e" if inclusive else "")] = value
        return {"range": {self._field(node.field): bounds}}

    def _Exists(self, node: Exists):
        return {"exists": {"field": self._field(node.field)}}

    # --- helpers
    def _field(self, field: str) -> str:
        return es_field(field)

    def _exact(self, field: str, value: str):
        return {"term": {self._field(field): value}}

    def _classes(self, field: Optional[str]) -> list[str]:
        if field in FIELD_CLASS:
            return [f"text_{FIELD_CLASS[field]}"]
        return [f"text_{weight}" for weight in "ABCD"]

    def _text(self, field: Optional[str], text: str, kind: str):
        fields = []
        for base in self._classes(field):
            boost = TEXT_CLASS_BOOST[base[-1]]
            fields += [f"{name}^{boost}" for name in text_subfields(base)]
        query: dict[str, Any] = {"multi_match": {"query": text, "type": kind, "fields": fields}}
        if kind == "best_fields":
            query["multi_match"]["operator"] = "and"
        if field not in (None, "text") and field not in FIELD_CLASS:  # other text fields: their own words too
            return {"bool": {"must": [query, {"match": {f"fields.{field}": text}}]}}
        return query


def es_field(field: str) -> str:
    """Where an exact-valued index field lives: its own keyword/date field, or under ``fields``."""
    return field if F.kind(field) in (F.COLUMN, F.DATE, F.ARRAY) else f"fields.{field}"


def sort_clause(keys: tuple[SortKey, ...]) -> list[dict[str, Any]]:
    out = []
    for key in keys:
        order = "desc" if key.descending else "asc"
        if key.field == "score":
            out.append({"_score": {"order": order}})
            continue
        name = "title" if key.field in ("title", "title_string") else es_field(key.field)
        out.append({name: {"order": order, "missing": "_last"}})
    out.append({"index_id": {"order": "asc"}})
    return out


def facet_aggregations(request: SearchRequest) -> dict[str, Any]:
    size = MAX_FACET_SIZE if request.facet_limit < 0 else max(request.facet_limit, 1)
    return {field: {"terms": {"field": es_field(field), "size": size, "min_doc_count": max(request.facet_mincount, 1),
                              "order": [{"_count": "desc"}, {"_key": "asc"}]}}
            for field in request.facet_fields}


def search_body(request: SearchRequest) -> dict[str, Any]:
    body: dict[str, Any] = {"query": DslCompiler().compile(request.query), "from": request.start,
                            "size": request.rows, "track_total_hits": True, "sort": sort_clause(request.sort)}
    aggregations = facet_aggregations(request)
    if aggregations:
        body["aggs"] = aggregations
    if request.timeout_ms:  # the same bound as PostgreSQL's statement_timeout
        body["timeout"] = f"{request.timeout_ms}ms"
    return body


class ElasticsearchBackend:
    """The Elasticsearch backend; connection settings from ``ckanext.citizendata.search.elasticsearch.*``."""

    name = "elasticsearch"

    def __init__(self, client=None, index: Optional[str] = None):
        self._client = client
        self.index = index or cd_config.elasticsearch_settings()["index"]

    @property
    def client(self):
        if self._client is None:
            settings = cd_config.elasticsearch_settings()
            options: dict[str, Any] = {"verify_certs": settings["verify_certs"], "request_timeout": 30}
            if settings["api_key"]:
                options["api_key"] = settings["api_key"]
            elif settings["username"]:
                options["basic_auth"] = (settings["username"], settings["password"] or "")
            self._client = Elasticsearch(settings["url"], **options)
        return self._client

    def ensure_index(self) -> None:
        if not self.client.indices.exists(index=self.index):
            self.client.indices.create(index=self.index, **mapping())

    def add(self, docs: list[dict[str, Any]]) -> None:
        if not docs:
            return
        self.ensure_index()
        actions = [{"_index": self.index, "_id": body["index_id"], "_source": body}
                   for body in (document(doc) for doc in docs)]
        helpers.bulk(self.client, actions, refresh="wait_for")

    def delete(self, query: Node) -> int:
        if not self.client.indices.exists(index=self.index):
            return 0
        result = self.client.delete_by_query(index=self.index, query=DslCompiler().compile(query), refresh=True,
                                             conflicts="proceed")
        return int(result.get("deleted", 0))

    def bulk_load(self):
        # each batch is already one bulk request, refreshed once: nothing to put off
        return contextlib.nullcontext()

    def commit(self) -> None:
        if self.client.indices.exists(index=self.index):
            self.client.indices.refresh(index=self.index)

    def search(self, request: SearchRequest) -> SearchResult:
        if not self.client.indices.exists(index=self.index):
            return SearchResult(hits=0, docs=[], facets={field: [] for field in request.facet_fields})
        response = self.client.search(index=self.index, **search_body(request))
        if response.get("timed_out"):  # partial results are not an answer
            raise QueryTooCostly(f"the search took longer than the limit of {request.timeout_ms} ms "
                                 f"({cd_config.LIMITS}search_statement_timeout_ms); ask for less")
        wanted = set(request.fields)
        docs = [_hit_document(hit, wanted) for hit in response["hits"]["hits"]]
        return SearchResult(hits=int(response["hits"]["total"]["value"]), docs=docs, facets=_facet_counts(response))


def _hit_document(hit: dict[str, Any], wanted: set) -> dict[str, Any]:
    """One hit as CKAN's document with its score, reduced to the ``wanted`` fields."""
    source = hit["_source"]
    doc = dict(source.get("doc") or {})
    doc.update({name: source.get(name) for name in F.BIG_TEXT})
    doc["score"] = hit.get("_score") or 1.0
    return F.pick(doc, wanted)


def _facet_counts(response: dict[str, Any]) -> dict[str, list[tuple[str, int]]]:
    """{field: [(value, count), ...]} from the terms aggregations of a search response."""
    return {field: [(str(bucket["key"]), int(bucket["doc_count"])) for bucket in aggregation["buckets"]]
            for field, aggregation in (response.get("aggregations") or {}).items()}
