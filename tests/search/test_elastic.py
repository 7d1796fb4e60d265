"""The Elasticsearch backend, tested without a cluster: the Lucene queries CKAN sends, parsed into the neutral
tree, become this query DSL; the mapping and documents follow the index fields; responses become results."""
import datetime
import doctest

import pytest

from ckanext.citizendata.search import elastic, lucene
from ckanext.citizendata.search.elastic import (
    DslCompiler,
    ElasticsearchBackend,
    document,
    facet_aggregations,
    mapping,
    search_body,
    text_subfields,
)
from ckanext.citizendata.search.interface import QueryTooCostly
from ckanext.citizendata.search.request import to_request

UTC = datetime.timezone.utc


def dsl(q, **kw):
    return DslCompiler().compile(lucene.parse(q, now=datetime.datetime(2026, 1, 2, tzinfo=UTC), **kw))


def test_ckan_filters():
    assert dsl('+capacity:public -dataset_type:harvest +state:(active OR draft)') == {"bool": {
        "must": [{"term": {"capacity": "public"}},
                 {"bool": {"should": [{"term": {"state": "active"}}, {"term": {"state": "draft"}}],
                           "minimum_should_match": 1}}],
        "must_not": [{"term": {"dataset_type": "harvest"}}]}}


def test_permission_labels_and_lookup():
    assert dsl('permission_labels:("public" OR "creator-1")') == {"bool": {"should": [
        {"term": {"permission_labels": "public"}}, {"term": {"permission_labels": "creator-1"}}],
        "minimum_should_match": 1}}
    assert dsl('name:"x" OR id:"x"')["bool"]["should"] == [{"term": {"name": "x"}}, {"term": {"id": "x"}}]


def test_other_fields_live_under_flattened_fields():
    assert dsl("tags:economy") == {"term": {"fields.tags": "economy"}}
    assert dsl("initiative_type:social-audit") == {"term": {"fields.initiative_type": "social-audit"}}
    assert dsl("extras_sdg:*") == {"exists": {"field": "fields.extras_sdg"}}
    assert dsl("tags:eco*") == {"prefix": {"fields.tags": {"value": "eco"}}}
    assert dsl("name:te?t*") == {"wildcard": {"name": {"value": "te?t*"}}}


def test_ranges_with_date_math():
    assert dsl("metadata_modified:[2024-01-01T00:00:00Z TO NOW]") == {"range": {"metadata_modified": {
        "gte": "2024-01-01T00:00:00+00:00", "lte": "2026-01-02T00:00:00+00:00"}}}
    assert dsl("num_resources:{1 TO *]") == {"range": {"fields.num_resources": {"gt": "1"}}}


def test_free_text_searches_every_analysed_form_with_class_boosts():
    query = dsl("discriminación")["multi_match"]
    assert query["query"] == "discriminación" and query["operator"] == "and"
    assert "text_A.folded^4" in query["fields"] and "text_A.spanish^4" in query["fields"]
    assert "text_C.arabic^1.5" in query["fields"] and "text_D^1" in query["fields"]
    title = dsl('title:"water quality"')["multi_match"]
    assert title["type"] == "phrase" and all(f.startswith("text_A") for f in title["fields"])
    assert dsl("name_ngram:wat")["multi_match"]["type"] == "bool_prefix"


def test_dismax_minimum_should_match():
    node = lucene.parse_dismax("rivers droughts zebra", "2<-1 5<80%")
    assert DslCompiler().compile(node)["bool"]["minimum_should_match"] == 2


def test_search_body_sort_paging_facets():
    request = to_request({"q": "*:*", "fq": "+site_id:default", "rows": 21, "start": 40,
                          "sort": "score desc, title_string asc", "facet.field": ["organization", "sdg_goals"],
                          "facet.limit": -1, "facet.mincount": 2})
    body = search_body(request)
    assert (body["from"], body["size"], body["track_total_hits"]) == (40, 21, True)
    assert body["sort"] == [{"_score": {"order": "desc"}}, {"title": {"order": "asc", "missing": "_last"}},
                            {"index_id": {"order": "asc"}}]
    assert body["aggs"]["organization"]["terms"]["field"] == "fields.organization"
    assert body["aggs"]["sdg_goals"]["terms"] == {"field": "fields.sdg_goals", "size": 10000, "min_doc_count": 2,
                                                  "order": [{"_count": "desc"}, {"_key": "asc"}]}
    assert "aggs" not in search_body(to_request({"q": "*:*"}))
    assert facet_aggregations(to_request({"facet.field": ["owner_org"], "facet.limit": 5}))["owner_org"]["terms"] \
        ["field"] == "owner_org"


def test_mapping_is_explicit_and_derived_from_the_index_fields():
    body = mapping()
    props = body["mappings"]["properties"]
    assert body["mappings"]["dynamic"] == "strict"
    assert props["name"] == {"type": "keyword"} and props["metadata_modified"] == {"type": "date"}
    assert props["fields"]["type"] == "flattened" and props["permission_labels"] == {"type": "keyword"}
    assert set(props["text_A"]["fields"]) == {"folded", "english", "spanish", "french", "arabic", "portuguese"}
    assert text_subfields("text_B")[:2] == ["text_B", "text_B.folded"]


def test_document_shape():
    body = document({"index_id": "i1", "id": "d1", "name": "water", "site_id": "default", "title": "Water",
                     "tags": ["a"], "permission_labels": ["public"], "metadata_modified": "2024-01-01T00:00:00Z",
                     "validated_data_dict": "{}", "private": False})
    assert body["fields"]["tags"] == ["a"] and body["fields"]["private"] == ["false"]
    assert body["metadata_modified"] == "2024-01-01T00:00:00+00:00"
    assert body["text_A"].startswith("Water") and "validated_data_dict" not in body["doc"]
    assert set(body) <= set(mapping()["mappings"]["properties"])  # strict mapping accepts it


@pytest.mark.parametrize("q", ['title:"a b"', "a AND NOT b", "+x:1 -y:2 z", "f:[1 TO 2}", "*:*"])
def test_every_node_type_compiles(q):
    assert isinstance(dsl(q), dict)


def test_a_document_without_an_index_id_gets_one_from_its_id_and_site():
    assert document({"id": "d1", "site_id": "elsewhere"})["index_id"] == "d1@elsewhere"
    assert document({"id": "d1", "index_id": "given"})["index_id"] == "given"
    assert document({"id": "d1", "metadata_created": "not a date"})["metadata_created"] is None


class Indices:
    def __init__(self, exists):
        self._exists = exists

    def exists(self, index):
        return self._exists


class StubClient:
    """The two calls ``ElasticsearchBackend.search`` makes, answering with a fixed response."""

    def __init__(self, response, exists=True):
        self.indices = Indices(exists)
        self.response = response
        self.bodies = []

    def search(self, index, **body):
        self.bodies.append(body)
        return self.response


RESPONSE = {
    "hits": {"total": {"value": 7}, "hits": [
        {"_score": 2.5, "_source": {"doc": {"id": "a", "name": "water", "title": "Water"},
                                    "validated_data_dict": "{}", "data_dict": None}},
        {"_score": None, "_source": {"doc": {"id": "b", "name": "air"}, "validated_data_dict": "{}"}},
    ]},
    "aggregations": {"tags": {"buckets": [{"key": "water", "doc_count": 5}, {"key": 16, "doc_count": 2}]}},
}


def test_search_returns_the_wanted_fields_the_scores_and_the_facet_counts():
    client = StubClient(RESPONSE)
    result = ElasticsearchBackend(client=client, index="test").search(
        to_request({"q": "*:*", "fl": "id validated_data_dict score", "facet.field": ["tags"]}))
    assert result.hits == 7
    assert result.docs == [{"id": "a", "validated_data_dict": "{}", "score": 2.5},
                           {"id": "b", "validated_data_dict": "{}", "score": 1.0}]  # no score: every hit scores 1
    assert result.facets == {"tags": [("water", 5), ("16", 2)]}
    assert client.bodies[0]["aggs"]["tags"]["terms"]["field"] == "fields.tags"


def test_search_of_every_field_gives_the_whole_document():
    result = ElasticsearchBackend(client=StubClient(RESPONSE), index="test").search(to_request({"q": "*:*"}))
    assert result.docs[0] == {"id": "a", "name": "water", "title": "Water", "validated_data_dict": "{}",
                              "data_dict": None, "score": 2.5}
    assert result.facets == {"tags": [("water", 5), ("16", 2)]}


def test_search_before_the_index_exists_finds_nothing():
    client = StubClient(RESPONSE, exists=False)
    result = ElasticsearchBackend(client=client, index="test").search(to_request({"facet.field": ["tags"]}))
    assert (result.hits, result.docs, result.facets) == (0, [], {"tags": []})
    assert client.bodies == []


def test_docstring_examples_run():
    result = doctest.testmod(elastic)
    assert result.attempted > 0
    assert result.failed == 0


def test_the_search_timeout_travels_in_the_body_and_a_timed_out_search_is_too_costly():
    request = to_request({"q": "*:*"}, bounds={"search_statement_timeout_ms": 750})
    assert search_body(request)["timeout"] == "750ms"
    assert "timeout" not in search_body(to_request({"q": "*:*"}, bounds={"search_statement_timeout_ms": 0}))
    with pytest.raises(QueryTooCostly, match="longer than the limit of 750 ms"):
        ElasticsearchBackend(client=StubClient({**RESPONSE, "timed_out": True}), index="test").search(request)
