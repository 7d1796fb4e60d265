"""Index fields: which field is what kind, and how CKAN's index document becomes text and exact values."""
import datetime

import pytest

from ckanext.citizendata.search import fields as F

UTC = datetime.timezone.utc


@pytest.mark.parametrize("field, kind", [
    (None, F.TEXT), ("title", F.TEXT), ("notes", F.TEXT), ("text", F.TEXT), ("extras_sdg", F.TEXT),
    ("res_extras_x", F.TEXT), ("name_ngram", F.TEXT), ("my_ngram", F.TEXT),
    ("name", F.COLUMN), ("capacity", F.COLUMN), ("metadata_modified", F.DATE), ("permission_labels", F.ARRAY),
    ("tags", F.STRING), ("sdg_goals", F.STRING), ("anything_else", F.STRING),
])
def test_kind(field, kind):
    assert F.kind(field) == kind


def test_normalise_gives_every_field_as_strings_but_the_big_texts():
    doc = {"tags": ["a", None, ""], "private": False, "num_resources": 3, "empty": [], "nested": {"a": 1},
           "data_dict": "{}", "validated_data_dict": "{}"}
    assert F.normalise(doc) == {"tags": ["a"], "private": ["false"], "num_resources": ["3"]}


def test_text_classes_weigh_title_and_name_keywords_description_and_the_rest():
    classes = F.text_classes({"title": "Water", "name": "water-point_map", "notes": "About floods",
                              "tags": ["rivers"], "vocab_sdg": ["Clean water"], "extras_x": "other words",
                              "owner_org": "org-id", "res_format": "CSV", "creator_user_id": "u1",
                              "start_date": "2024"})
    assert classes == {"A": "Water\nwater point map", "B": "rivers\nClean water", "C": "About floods",
                       "D": "other words"}


@pytest.mark.parametrize("value, expected", [
    ("2024-05-01T10:00:00.123456Z", datetime.datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=UTC)),
    ("2024-05-01", datetime.datetime(2024, 5, 1, tzinfo=UTC)),
    (datetime.datetime(2024, 5, 1), datetime.datetime(2024, 5, 1, tzinfo=UTC)),
    ("not a date", None),
    ("", None),
    (None, None),
])
def test_as_datetime(value, expected):
    assert F.as_datetime(value) == expected


def test_strip_nul_reaches_keys_values_and_lists():
    assert F.strip_nul({"a\x00": ["b\x00", {"c": "d\x00"}], "n": 1}) == {"a": ["b", {"c": "d"}], "n": 1}


def test_pick_keeps_the_wanted_fields_there_are():
    doc = {"id": "x", "name": "n", "score": 1.0}
    assert F.pick(doc, {"id", "score", "missing"}) == {"id": "x", "score": 1.0}
    assert F.pick(doc, {"*"}) == doc
    assert F.pick(doc, {"*", "id"}) == doc


def test_record_configs_follow_the_language_field():
    assert F.record_configs({"language": ["es"]}, "english") == ("english", "spanish")
    assert F.record_configs({"language": ["http://publications.europa.eu/resource/authority/language/ARA"]},
                            "english") == ("english", "arabic")
    assert F.record_configs({"language": ["xx"]}, "english") == ("english", "english")
    assert F.record_configs({}, "french") == ("french", "french")
