"""ingest/harvest/values.py: what every source type's mapping does with a value: text or a warning naming the
field, empty values, the source's defaults (sub-keys of an object too), CKAN tags."""
import pytest

from ckanext.citizendata.ingest.harvest.values import EMAIL, TAG, WEB, MappingError, as_text, fill, is_empty, \
    tag_list, timestamps, web_address


@pytest.mark.parametrize("value, expected, warning", [
    ("  Water points ", "Water points", None),
    (17000, "17000", None),
    ("   ", None, None),
    (None, None, None),
    (True, None, "title: a bool is not text; dropped"),
    ({"a": 1}, None, "title: a dict is not text; dropped"),
    (["x"], None, "title: a list is not text; dropped"),
])
def test_as_text_keeps_text_and_drops_other_shapes_with_a_warning_naming_the_field(value, expected, warning):
    warnings = []
    assert as_text(value, "title", warnings) == expected
    assert warnings == ([warning] if warning else [])


def test_unreadable_text_is_dropped_with_the_reason():
    warnings = []
    assert as_text("bad\x00text", "notes", warnings) is None
    assert len(warnings) == 1 and warnings[0].startswith("notes: ") and warnings[0].endswith("; dropped")


@pytest.mark.parametrize("value, empty", [(None, True), ("", True), ([], True), ({}, True), (0, False),
                                          (False, False), ("x", False), ([None], False)])
def test_is_empty(value, empty):
    assert is_empty(value) is empty


def test_fill_sets_only_what_the_record_leaves_empty_and_the_empty_sub_keys_of_an_object_it_states():
    defaults = {"countries": ["GHA"], "initiative_type": "citizen-science",
                "ethics": {"informed_consent": True, "personal_data": False}}
    record = {"initiative_type": "social-audit", "countries": [], "ethics": {"personal_data": True}}
    fill(record, defaults)
    assert record == {"initiative_type": "social-audit", "countries": ["GHA"],
                      "ethics": {"personal_data": True, "informed_consent": True}}
    record["countries"].append("TGO")
    assert defaults["countries"] == ["GHA"]                  # a copy: the source's defaults are not changed


def test_tag_list_keeps_ckan_tags_once_in_order_and_drops_others_with_a_warning():
    warnings = []
    assert tag_list(["air quality", {"name": "NO2"}, "air quality", "x", "a/b", None], warnings) == {
        "tags": [{"name": "air quality"}, {"name": "NO2"}]}
    assert warnings == ["tags: 'x' is not a CKAN tag (2-100 letters, digits, spaces, - _ .); dropped",
                        "tags: 'a/b' is not a CKAN tag (2-100 letters, digits, spaces, - _ .); dropped"]
    assert tag_list("air quality", []) == {} and tag_list([], []) == {}


def test_the_rules_of_addresses_and_tags():
    assert "https://x.example".startswith(WEB) and not "javascript:alert(1)".startswith(WEB)
    assert EMAIL.match("info@example.org") and not EMAIL.match("not-an-email")
    assert TAG.match("light pollution") and not TAG.match("x")
    assert issubclass(MappingError, ValueError)


def test_timestamps_keeps_iso_8601_values_under_our_keys_and_drops_others_naming_the_field():
    warnings = []
    found = timestamps({"created": "2024-05-01T09:00:00Z", "updated": "yesterday", "other": "2024-01-01"},
                       (("created", "issued"), ("updated", "modified"), ("missing", "x")), warnings)
    assert found == {"issued": "2024-05-01T09:00:00Z"}
    assert warnings == ["modified: updated 'yesterday' is not an ISO 8601 date; dropped"]
    assert timestamps({"d": "nope"}, (("d", "start"),), warnings, field="temporal_coverage") == {}
    assert warnings[-1].startswith("temporal_coverage: d 'nope'")


def test_web_address_keeps_http_and_https_and_drops_other_schemes_naming_the_field():
    warnings = []
    assert web_address(" https://x.example/p ", "url", warnings) == "https://x.example/p"
    assert web_address("www.icrea.cat", "organisation.url", warnings) is None
    assert web_address("javascript:alert(1)", "url", warnings) is None
    assert warnings == ["organisation.url: 'www.icrea.cat' is not an http(s) address; dropped",
                        "url: 'javascript:alert(1)' is not an http(s) address; dropped"]
