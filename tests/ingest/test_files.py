"""ingest/files.py: records from JSON, JSON Lines and CSV files, numbered from 1; CSV cells as lists (";" or
JSON), objects (JSON) and engagement items (``stage:level:actor|actor``); a clear FileError for a file that
cannot be read as records."""
import json

import pytest

from ckanext.citizendata.ingest.files import FileError, read_records
from ckanext.citizendata.record.coerce import record_from_flat
from ckanext.citizendata.record.validate import validate

GOOD = {"name": "water-survey", "title": "Water survey", "notes": "Households report their water access.",
        "initiative_type": "community-survey",
        "engagement": [{"stage": "design", "level": 4, "actors": ["community", "cso"]}],
        "sdg_indicators": ["6.1.1"], "countries": ["GHA"]}


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return str(path)


def read(path):
    return list(read_records(path))


# ------------------------------------------------------------------ JSON


@pytest.mark.parametrize("data", [GOOD, [GOOD], {"records": [GOOD]}])
def test_json_a_record_a_list_or_records(tmp_path, data):
    assert read(write(tmp_path, "one.json", json.dumps(data))) == [(1, GOOD)]


def test_json_records_are_numbered_in_order(tmp_path):
    records = [dict(GOOD, name=f"survey-{i}") for i in range(3)]
    found = read(write(tmp_path, "many.json", json.dumps(records)))
    assert [(n, r["name"]) for n, r in found] == [(1, "survey-0"), (2, "survey-1"), (3, "survey-2")]


def test_json_that_is_not_json_names_the_file(tmp_path):
    path = write(tmp_path, "broken.json", '[{"name": "x",]')
    with pytest.raises(FileError, match="not JSON") as err:
        read(path)
    assert str(err.value).startswith(path)


@pytest.mark.parametrize("data, problem", [
    (42, "expected a record, a list of records"),
    ("a string", "expected a record, a list of records"),
    ([GOOD, 7], "record 2: expected an object, got int"),
    ([GOOD, [GOOD]], "record 2: expected an object, got list"),
])
def test_json_that_is_not_records(tmp_path, data, problem):
    path = write(tmp_path, "odd.json", json.dumps(data))
    with pytest.raises(FileError, match=problem) as err:
        read(path)
    assert str(err.value).startswith(path)


# ------------------------------------------------------------------ JSON Lines


@pytest.mark.parametrize("name", ["records.jsonl", "records.ndjson", "RECORDS.JSONL"])
def test_json_lines_skip_blank_lines_and_count_records(tmp_path, name):
    text = "\n" + json.dumps(GOOD) + "\n\n   \n" + json.dumps(dict(GOOD, name="second")) + "\n"
    assert read(write(tmp_path, name, text)) == [(1, GOOD), (2, dict(GOOD, name="second"))]


def test_json_lines_bad_line_names_the_record(tmp_path):
    path = write(tmp_path, "records.jsonl", json.dumps(GOOD) + "\n{not json}\n" + json.dumps(GOOD) + "\n")
    found = read_records(path)
    assert next(found) == (1, GOOD)  # records before the bad line are read
    with pytest.raises(FileError, match=r"record 2: not JSON") as err:
        next(found)
    assert str(err.value).startswith(path)


def test_json_lines_a_line_that_is_not_an_object(tmp_path):
    path = write(tmp_path, "records.jsonl", json.dumps(GOOD) + "\n[1, 2]\n")
    with pytest.raises(FileError, match="record 2: expected an object, got list"):
        read(path)


def test_json_lines_a_line_that_is_not_an_object_is_not_called_bad_json(tmp_path):
    path = write(tmp_path, "records.jsonl", "[1, 2]\n")
    with pytest.raises(FileError) as err:
        read(path)
    assert "not JSON" not in str(err.value)


# ------------------------------------------------------------------ other files


@pytest.mark.parametrize("name", ["records.xml", "records.xlsx", "records"])
def test_an_unknown_extension_is_refused(tmp_path, name):
    path = write(tmp_path, name, json.dumps(GOOD))
    with pytest.raises(FileError, match=r"unknown file type .*use \.json, \.jsonl or \.csv") as err:
        read(path)
    assert str(err.value).startswith(path)


# ------------------------------------------------------------------ CSV

CSV = (
    "name,title,notes,initiative_type,engagement,sdg_indicators,disaggregation,countries,ethics,tags,sample_size\n"
    'csv-one,CSV one,From a spreadsheet,social-audit,design:4:community|cso; collect:5:community,16.6.2;16.7.2,'
    'SEX;AGE,GHA,"{""informed_consent"": true, ""personal_data"": false}",audit; water,250\n'
    'csv-two,"[Draft] CSV two",Lists as JSON,community-survey,"[{""stage"": ""use"", ""level"": 3}]",'
    '"[""16.6.2""]","[""SEX"", ""AGE""]",KEN;UGA,,,\n'
)


def test_csv_cells_become_the_records_types(tmp_path):
    found = read(write(tmp_path, "records.csv", CSV))
    assert [n for n, _ in found] == [1, 2]
    one, two = found[0][1], found[1][1]
    assert one["engagement"] == [{"stage": "design", "level": "4", "actors": ["community", "cso"]},
                                 {"stage": "collect", "level": "5", "actors": ["community"]}]
    assert one["sdg_indicators"] == ["16.6.2", "16.7.2"] and one["disaggregation"] == ["SEX", "AGE"]
    assert one["countries"] == ["GHA"]  # one value of an array field is still a list
    assert one["ethics"] == {"informed_consent": True, "personal_data": False}
    assert one["tags"] == [{"name": "audit"}, {"name": "water"}]
    assert one["sample_size"] == "250"  # text: the record's coercion turns it into a number
    # lists written as JSON read the same as lists separated by ";"
    assert two["engagement"] == [{"stage": "use", "level": 3}]
    assert two["sdg_indicators"] == ["16.6.2"] and two["disaggregation"] == ["SEX", "AGE"]
    assert two["countries"] == ["KEN", "UGA"]
    assert two["title"] == "[Draft] CSV two"  # text that merely looks like JSON stays text
    assert "ethics" not in two and "tags" not in two and "sample_size" not in two  # empty cells are left out


@pytest.mark.usefixtures("clean_db")
def test_csv_records_are_valid_records_once_coerced(tmp_path):
    for number, record in read(write(tmp_path, "records.csv", CSV)):
        coerced = record_from_flat(record)
        assert coerced["engagement"][0]["level"] in (3, 4)
        assert validate(coerced) == {}, number


def test_csv_with_a_byte_order_mark(tmp_path):
    path = write(tmp_path, "excel.csv", "name,title,engagement\nbom,With BOM,design:4:cso\n", encoding="utf-8-sig")
    assert read(path) == [(1, {"name": "bom", "title": "With BOM",
                               "engagement": [{"stage": "design", "level": "4", "actors": ["cso"]}]})]


def test_csv_engagement_items_with_parts_left_out(tmp_path):
    path = write(tmp_path, "records.csv", "name,engagement\nshort,design; collect:5; ;analyse::cso\n")
    [(_, record)] = read(path)
    assert record["engagement"] == [{"stage": "design"}, {"stage": "collect", "level": "5"},
                                    {"stage": "analyse", "actors": ["cso"]}]


@pytest.mark.usefixtures("clean_db")
def test_csv_engagement_item_with_a_bad_level_is_refused_by_the_validator_naming_it(tmp_path):
    path = write(tmp_path, "records.csv", "name,initiative_type,engagement\nbad,social-audit,design:high:cso\n")
    [(_, record)] = read(path)
    errors = validate(record_from_flat(record))
    assert list(errors) == ["engagement"]
    assert errors["engagement"][0].startswith("engagement[0].level:")


def test_csv_engagement_item_with_too_many_parts_is_a_file_error(tmp_path):
    path = write(tmp_path, "records.csv", "name,engagement\nextra,design:4:community:cso\n")
    with pytest.raises(FileError, match="design:4:community:cso"):
        read(path)


def test_csv_row_with_more_cells_than_the_header_is_a_file_error(tmp_path):
    path = write(tmp_path, "records.csv", "name,title\nshifted,A title,an extra cell\n")
    with pytest.raises(FileError, match="record 1"):
        read(path)
