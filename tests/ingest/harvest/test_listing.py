"""ingest/harvest/listing.py: the content hash that decides changed or unchanged (of the record and its kind
only, in any key order), the identity of a dataset across sources, and the canonical text and digest."""
import dataclasses
import datetime
import hashlib
import re

from ckanext.citizendata.ingest.harvest.listing import DATASET, SERIES, Page, Sighting, SourceSpec, access_refused, \
    canonical, registry_key, \
    digest


def record():
    return {"title": "Water points", "notes": "Survey", "tags": [{"name": "water"}, {"name": "wash"}],
            "contact": [{"name": "CSO", "email": "info@cso.example"}]}


def reordered():
    return {"contact": [{"email": "info@cso.example", "name": "CSO"}], "tags": [{"name": "water"}, {"name": "wash"}],
            "notes": "Survey", "title": "Water points"}


def test_the_content_hash_is_the_same_in_any_key_order():
    assert list(record()) != list(reordered())
    assert Sighting(guid="a", record=record()).content_hash() == Sighting(guid="a", record=reordered()).content_hash()
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", Sighting(guid="a", record=record()).content_hash())


def test_the_content_hash_changes_with_the_content_and_the_kind():
    base = Sighting(guid="a", record=record()).content_hash()
    changed = record()
    changed["notes"] = "Survey, revised"
    reversed_tags = dict(record(), tags=list(reversed(record()["tags"])))    # list order is data
    assert Sighting(guid="a", record=changed).content_hash() != base
    assert Sighting(guid="a", record=reversed_tags).content_hash() != base
    assert Sighting(guid="a", record=dict(record(), url=None)).content_hash() != base
    assert Sighting(guid="a", record=record(), kind=SERIES).content_hash() != base


def test_the_content_hash_is_of_the_record_only_not_of_where_and_when_it_was_read():
    base = Sighting(guid="a", record=record())
    other = Sighting(guid="b", record=record(), original_uri="https://x.example/b", identifier="B",
                     publisher="cso", upstream_modified="2024-01-01", warnings=["tags[2]: dropped"])
    assert other.content_hash() == base.content_hash()


def test_identity_keys_are_the_uri_and_identifier_with_publisher():
    assert Sighting(guid="g", record={}).identity_keys() == []
    assert Sighting(guid="g", record={}, original_uri="https://x.example/d").identity_keys() == \
        ["uri:https://x.example/d"]
    assert Sighting(guid="g", record={}, identifier="D-1", publisher="https://nso.example").identity_keys() == \
        ["id:https://nso.example\x1fD-1"]
    both = Sighting(guid="g", record={}, original_uri="https://x.example/d", identifier="D-1", publisher="cso")
    assert both.identity_keys() == ["uri:https://x.example/d", "id:cso\x1fD-1"]
    assert Sighting(guid="g", record={}, identifier="D-1").identity_keys() == []        # no publisher: no identity
    assert Sighting(guid="g", record={}, publisher="cso").identity_keys() == []


def test_canonical_text_and_digest():
    assert canonical({"b": [2, 1], "a": "ü"}) == '{"a":"ü","b":[2,1]}'
    assert canonical({"when": datetime.date(2024, 1, 2)}) == '{"when":"2024-01-02"}'
    assert digest({"b": 1, "a": 2}) == "sha256:" + hashlib.sha256(b'{"a":2,"b":1}').hexdigest()
    assert digest({"a": 2, "b": 1}) == digest({"b": 1, "a": 2}) != digest({"a": 1, "b": 2})
    assert digest([1, 2]) != digest([2, 1])


def test_defaults_of_a_sighting_page_and_spec_are_not_shared():
    first, second = Sighting(guid="a", record={}), Sighting(guid="b", record={})
    first.warnings.append("x")
    assert second.warnings == [] and first.kind == DATASET
    page = Page(url="https://x.example/")
    assert (page.sightings, page.errors, page.failed) == ([], [], None)
    spec, other = SourceSpec("s", "ckan", "https://x.example/", "org"), SourceSpec("t", "ckan", "https://y/", "o")
    spec.languages.append("fr")
    assert other.languages == ["en"]
    assert (spec.schedule, spec.delete_threshold, spec.active, spec.priority) == ("MANUAL", 0.8, True, 0)
    assert dataclasses.asdict(Sighting(guid="a", record={"t": 1}))["record"] == {"t": 1}


def test_same_as_keys_join_the_identity_keys_once_each():
    key = registry_key("SciStarter", 17000)
    sighting = Sighting(guid="1", record={}, original_uri="https://a.example/p/1", same_as=[key, key, ""])
    assert sighting.identity_keys() == ["uri:https://a.example/p/1", "id:scistarter\x1f17000"]


def test_a_registry_key_folds_the_registry_name_and_spacing():
    assert registry_key("  Sci   Starter ", " 17000 ") == registry_key("sci starter", "17000") == \
        "id:sci starter\x1f17000"
    assert registry_key("SciStarter", 1) != registry_key("SciStarter", 2)


def test_access_refused_names_the_source_and_the_secret_never_its_value():
    spec = SourceSpec(name="cso-kobo", type="kobo", url="https://kf.example/", organization="o", file="kobo.yaml")
    assert access_refused(spec, 401) == ("source cso-kobo: the source refused access (HTTP 401); no secret is named "
                                         "for it: add secrets.api_token (the name of an environment variable or ini "
                                         "secret) to kobo.yaml")
    named = dataclasses.replace(spec, secret_names={"api_token": "KOBO_TOKEN"})
    assert access_refused(named, 403).endswith("the secret api_token (KOBO_TOKEN) is not set")
    given = dataclasses.replace(named, secrets={"api_token": "s3cr3t"})
    text = access_refused(given, 401)
    assert "KOBO_TOKEN" in text and "was refused" in text and "s3cr3t" not in text
    assert "secrets.password" in access_refused(spec, 401, option="password")
