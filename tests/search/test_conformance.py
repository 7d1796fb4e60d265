"""The backend-neutral conformance suite: the same documents and queries against every search backend.

PostgreSQL always runs. Elasticsearch runs when CITIZENDATA_TEST_ES_URL names a live cluster
(e.g. http://127.0.0.1:9200); otherwise its half is skipped with that reason.
"""
import datetime
import os
import uuid

import pytest
from elasticsearch import Elasticsearch

from ckanext.citizendata.search import lucene
from ckanext.citizendata.search.elastic import ElasticsearchBackend
from ckanext.citizendata.search.postgres.backend import PostgresBackend
from ckanext.citizendata.search.request import to_request

ES_URL = os.environ.get("CITIZENDATA_TEST_ES_URL")


@pytest.fixture(params=["postgres", "elasticsearch"])
def empty_backend(request):
    if request.param == "elasticsearch" and not ES_URL:
        pytest.skip("Elasticsearch half of the conformance suite: set CITIZENDATA_TEST_ES_URL to a live cluster")
    request.getfixturevalue("clean_db")
    if request.param == "postgres":
        yield PostgresBackend()
        return
    backend = ElasticsearchBackend(client=Elasticsearch(ES_URL), index=f"citizendata-test-{uuid.uuid4().hex[:8]}")
    yield backend
    backend.client.indices.delete(index=backend.index, ignore_unavailable=True)


UTC = datetime.timezone.utc


def make_doc(name, **fields):
    doc = {
        "index_id": f"idx-{name}", "id": f"id-{name}", "name": name, "site_id": "default",
        "entity_type": "package", "dataset_type": "dataset", "state": "active", "capacity": "public",
        "title": name.replace("-", " ").title(), "notes": "", "tags": [], "permission_labels": ["public"],
        "metadata_created": "2024-01-01T00:00:00Z", "metadata_modified": "2024-01-01T00:00:00Z",
        "data_dict": '{"name": "%s"}' % name, "validated_data_dict": '{"name": "%s", "v": 1}' % name,
    }
    doc.update(fields)
    return doc


@pytest.fixture
def backend(empty_backend):
    b = empty_backend
    b.add([
        make_doc("water-quality", title="Water quality of rivers", notes="Floods and droughts measured by citizens",
                 tags=["water", "environment"], organization="cso-a", num_resources=3,
                 metadata_modified="2024-03-01T10:00:00Z", extras_sdg="6.3.2"),
        make_doc("service-satisfaction", title="Public service satisfaction",
                 notes="Satisfaction with public services, SDG 16.6.2, water supply included",
                 tags=["governance", "Water"], organization="cso-a", num_resources=12,
                 metadata_modified="2024-05-01T10:00:00Z"),
        make_doc("discrimination-survey", title="Discrimination experiences",
                 notes="Encuesta de discriminación", tags=["governance"], organization="cso-b", num_resources=1,
                 metadata_modified="2023-12-01T10:00:00Z", private=True, capacity="private",
                 permission_labels=["member-org-b"]),
        make_doc("old-draft", title="Old draft", state="draft", tags=["water"], organization="cso-b"),
    ])
    b.commit()
    return b


def names(backend, q="*:*", **params):
    params.setdefault("sort", "name asc")
    params.setdefault("rows", 50)
    result = backend.search(to_request(params, q=q))
    return [d["name"] for d in result.docs]


def test_exact_string_fields_are_case_sensitive(backend):
    assert names(backend, "tags:water") == ["old-draft", "water-quality"]
    assert names(backend, "tags:water", fq="+state:active") == ["water-quality"]
    assert names(backend, "tags:Water", fq="+state:active") == ["service-satisfaction"]


def test_free_text_is_stemmed_and_weighted(backend):
    # "flood" finds "Floods" (stemming); "water" in a title ranks above "water" in a description
    assert names(backend, "flood", fq="+state:active") == ["water-quality"]
    result = backend.search(to_request({"sort": "score desc", "fq": "+state:active -capacity:private",
                                        "defType": "dismax", "fl": "name score"}, q="water"))
    ranked = [d["name"] for d in result.docs]
    assert ranked == ["water-quality", "service-satisfaction"]
    assert result.docs[0]["score"] > result.docs[1]["score"] > 0


def test_phrase_prefix_and_sdg_code(backend):
    assert names(backend, '"public service"') == ["service-satisfaction"]
    assert names(backend, '"service public"') == []
    assert names(backend, "satisf*") == ["service-satisfaction"]
    assert names(backend, "16.6.2") == ["service-satisfaction"]
    assert names(backend, 'title:"water quality"') == ["water-quality"]
    # "water" appears in service-satisfaction's notes only: a title query must not find it
    assert names(backend, "title:water", fq="+state:active") == ["water-quality"]


def test_boolean_operators(backend):
    assert names(backend, "tags:governance AND NOT organization:cso-b") == ["service-satisfaction"]
    assert names(backend, "tags:environment OR tags:Water") == ["service-satisfaction", "water-quality"]
    assert names(backend, "-tags:governance", fq="+state:active") == ["water-quality"]
    assert names(backend, "+tags:governance +capacity:private") == ["discrimination-survey"]


def test_ranges_wildcards_exists(backend):
    assert names(backend, "num_resources:[2 TO *]") == ["service-satisfaction", "water-quality"]
    assert names(backend, "num_resources:{3 TO 12]") == ["service-satisfaction"]
    assert names(backend, "metadata_modified:[2024-02-01T00:00:00Z TO NOW]") == \
        ["service-satisfaction", "water-quality"]
    assert names(backend, "metadata_modified:[* TO 2023-12-31T00:00:00Z]") == ["discrimination-survey"]
    assert names(backend, "metadata_modified:[* TO 2024-01-01T00:00:00Z}") == ["discrimination-survey"]
    assert names(backend, "metadata_modified:[* TO 2024-01-01T00:00:00Z]") == ["discrimination-survey", "old-draft"]
    assert names(backend, "name:*-survey") == ["discrimination-survey"]
    assert names(backend, "name:wat?r-*") == ["water-quality"]
    assert names(backend, "tags:gov*") == ["discrimination-survey", "service-satisfaction"]
    assert names(backend, "extras_sdg:*") == ["water-quality"]


def test_prefix_on_an_array_column(backend):
    assert names(backend, "permission_labels:member-*") == ["discrimination-survey"]
    assert names(backend, "permission_labels:pub?ic", fq="+state:active") == ["service-satisfaction", "water-quality"]


def test_permission_labels(backend):
    fq = ['+permission_labels:("public" OR "creator-x")']
    assert "discrimination-survey" not in names(backend, fq=fq)
    fq = ['+permission_labels:("public" OR "member-org-b")']
    assert "discrimination-survey" in names(backend, fq=fq)


def test_facets_with_counts_limit_and_mincount(backend):
    result = backend.search(to_request({"facet.field": ["tags", "organization", "capacity"], "fq": "+state:active",
                                        "rows": 0}, q="*:*"))
    assert result.hits == 3 and result.docs == []
    assert result.facets["tags"] == [("governance", 2), ("Water", 1), ("environment", 1), ("water", 1)]
    assert result.facets["organization"] == [("cso-a", 2), ("cso-b", 1)]
    assert result.facets["capacity"] == [("public", 2), ("private", 1)]
    limited = backend.search(to_request({"facet.field": '["tags"]', "facet.limit": 1, "facet.mincount": 2,
                                         "fq": "+state:active"}))
    assert limited.facets["tags"] == [("governance", 2)]
    off = backend.search(to_request({"facet.field": ["tags"], "facet": "false"}))
    assert off.facets == {}


def test_sort_and_paging(backend):
    assert names(backend, sort="metadata_modified desc", fq="+state:active") == \
        ["service-satisfaction", "water-quality", "discrimination-survey"]
    assert names(backend, sort="title_string asc", fq="+state:active") == \
        ["discrimination-survey", "service-satisfaction", "water-quality"]
    assert names(backend, sort="name desc", rows=1, start=1, fq="+state:active") == ["service-satisfaction"]
    assert names(backend, rows=5, start=10) == []


def test_fields_returned(backend):
    result = backend.search(to_request({"fl": "id validated_data_dict", "fq": "+name:water-quality"}))
    assert result.docs == [{"id": "id-water-quality", "validated_data_dict": '{"name": "water-quality", "v": 1}'}]
    whole = backend.search(to_request({"fl": "*", "fq": "+name:water-quality"})).docs[0]
    assert whole["tags"] == ["water", "environment"] and whole["data_dict"] == '{"name": "water-quality"}'


def test_upsert_replaces_and_delete_by_query(backend):
    backend.add([make_doc("water-quality", title="Renamed", tags=["renamed"])])
    backend.commit()
    assert names(backend, "tags:renamed") == ["water-quality"]
    assert names(backend, "tags:environment") == []
    assert backend.delete(lucene.parse('+name:"water-quality" +site_id:"default"')) == 1
    backend.commit()
    assert "water-quality" not in names(backend)
    assert backend.search(to_request({"rows": 0})).hits == 3


def test_facets_of_a_word_most_visible_documents_hold_count_only_the_visible_matches(backend):
    # on PostgreSQL: the kept counts less the visible documents without the word (facet_store._by_complement)
    visitor = ['+capacity:public +state:(active)', '+site_id:"default"']
    result = backend.search(to_request({"q": "water", "defType": "dismax", "fq": visitor, "rows": 0,
                                        "facet.field": ["organization", "num_resources"]}))
    assert result.hits == 2
    assert dict(result.facets["organization"]) == {"cso-a": 2}   # not the draft of cso-b, which has the word


def test_documents_loaded_in_bulk_are_found_by_their_words_once_the_load_ends(empty_backend):
    with empty_backend.bulk_load():
        empty_backend.add([make_doc("bulk-one", title="Harbour levels"), make_doc("bulk-two", title="Dry wells")])
        empty_backend.commit()
    assert names(empty_backend, "harbour", defType="dismax") == ["bulk-one"]


def test_stop_words_do_not_block_a_query(backend):
    # "the" has no lexeme in the english configuration; Solr drops such a clause, so do we
    assert names(backend, "the satisfaction", defType="dismax", mm="2<-1 5<80%") == ["service-satisfaction"]


def test_minimum_should_match(backend):
    # 3 words, mm 2<-1: two of three must match
    assert names(backend, "rivers droughts zebra", defType="dismax", mm="2<-1 5<80%") == ["water-quality"]
    assert names(backend, "rivers zebra okapi", defType="dismax", mm="2<-1 5<80%") == []


@pytest.fixture
def multilingual(empty_backend):
    b = empty_backend
    b.add([
        make_doc("encuesta", title="Encuesta de discriminación", notes="Las personas reportan experiencias.",
                 language=["es"]),
        make_doc("enquete", title="Enquêtes communautaires sur l'eau", notes="Les habitants répondent.",
                 language=["http://publications.europa.eu/resource/authority/language/FRA"]),
        make_doc("audit-ar", title="التدقيق الاجتماعي للخدمات", notes="", language=["ar"]),
        make_doc("english-only", title="Water point survey", notes="Households answered questions."),
    ])
    b.commit()
    return b


@pytest.mark.parametrize("q, expected", [
    ("discriminacion", ["encuesta"]),        # accents ignored
    ("discriminación", ["encuesta"]),
    ("encuestas", ["encuesta"]),             # Spanish stemming of a Spanish record
    ("enquete", ["enquete"]),                # accent-free French word
    ("communautaire", ["enquete"]),          # French stemming
    ("التدقيق", ["audit-ar"]),               # Arabic
    ("answering", ["english-only"]),         # English stemming by default
    ("surveys", ["english-only"]),
])
def test_multilingual_accent_insensitive_text(multilingual, q, expected):
    assert names(multilingual, q, defType="dismax") == expected
