"""ckan citizendata validate | import | seed-demo | vocab list, as a CSO or an admin would run them."""
import json

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.cli.cli import ckan as ckan_cli
from ckan.tests import factories, helpers

pytestmark = pytest.mark.usefixtures("clean_db")

GOOD = {"name": "community-water-survey", "title": "Community water survey", "notes": "Households report water access.",
        "initiative_type": "community-survey", "engagement": [{"stage": "collect", "level": 4, "actors": ["community"]}],
        "sdg_indicators": ["6.1.1"], "countries": ["KEN"]}
BAD = dict(GOOD, name="bad-survey", sdg_indicators=["6.1.9"], engagement=[{"stage": "collect", "level": 8}])

CSV = """name,title,notes,initiative_type,engagement,sdg_indicators,countries,population_groups,tags
csv-one,CSV one,From a spreadsheet,social-audit,design:4:community|cso; collect:5:community,16.6.2;16.7.2,GHA;KEN,youth,audit;water
csv-two,CSV two,Bad level,social-audit,design:9,16.6.2,GHA,,
"""


def package_count(prefix):
    return model.Session.execute(sa.text("SELECT count(*) FROM package WHERE name LIKE :p AND state = 'active'"),
                                 {"p": prefix + "%"}).scalar()


@pytest.fixture
def org():
    return factories.Organization(name="cso-cli")


def test_validate_json_reports_each_record_and_exits_1(cli, tmp_path, org):
    path = tmp_path / "records.json"
    path.write_text(json.dumps([GOOD, BAD]))
    result = cli.invoke(ckan_cli, ["citizendata", "validate", str(path), "--org", "cso-cli"])
    assert result.exit_code == 1
    assert "record 1 community-water-survey: ok" in result.output
    assert "record 2 bad-survey: INVALID" in result.output
    assert 'sdg_indicators[0]: "6.1.9" is not an SDG indicator; close matches: 6.1.1' in result.output
    assert "engagement[0].level: 8 is above the maximum 5" in result.output
    assert "2 records, 1 valid, 1 invalid" in result.output
    assert package_count("community-water") == 0  # validate writes nothing


def test_validate_good_file_exits_0(cli, tmp_path, org):
    path = tmp_path / "records.jsonl"
    path.write_text(json.dumps(GOOD) + "\n")
    result = cli.invoke(ckan_cli, ["citizendata", "validate", str(path), "--org", "cso-cli"])
    assert result.exit_code == 0, result.output
    assert "1 records, 1 valid, 0 invalid" in result.output


def test_import_csv_is_all_or_nothing_per_record(cli, tmp_path, org):
    path = tmp_path / "records.csv"
    path.write_text(CSV)
    result = cli.invoke(ckan_cli, ["citizendata", "import", str(path), "--org", "cso-cli"])
    assert result.exit_code == 1
    assert "2 records: 1 created, 0 updated, 1 failed" in result.output
    assert "record 2 csv-two: not imported" in result.output
    model.Session.remove()
    one = helpers.call_action("package_show", id="csv-one")
    assert one["engagement"] == [{"stage": "design", "level": 4, "actors": ["community", "cso"]},
                                 {"stage": "collect", "level": 5, "actors": ["community"]}]
    assert one["sdg_indicators"] == ["16.6.2", "16.7.2"] and one["countries"] == ["GHA", "KEN"]
    assert sorted(t["name"] for t in one["tags"]) == ["audit", "water"]
    assert package_count("csv-two") == 0
    # a second import updates by name
    again = cli.invoke(ckan_cli, ["citizendata", "import", str(path), "--org", "cso-cli"])
    assert "1 updated" in again.output


def test_unreadable_file_is_a_clear_error(cli, tmp_path, org):
    path = tmp_path / "records.xml"
    path.write_text("<x/>")
    result = cli.invoke(ckan_cli, ["citizendata", "validate", str(path)])
    assert result.exit_code == 2 and "unknown file type '.xml'" in result.output
    broken = tmp_path / "broken.json"
    broken.write_text("[{")
    result = cli.invoke(ckan_cli, ["citizendata", "validate", str(broken)])
    assert result.exit_code == 2 and "not JSON" in result.output


def test_seed_demo_is_idempotent(cli):
    first = cli.invoke(ckan_cli, ["citizendata", "seed-demo"])
    assert first.exit_code == 0, first.output
    assert "records: 13 created, 0 updated, 0 kept" in first.output
    second = cli.invoke(ckan_cli, ["citizendata", "seed-demo"])
    assert "records: 0 created, 0 updated, 13 kept" in second.output
    model.Session.remove()
    ghana = helpers.call_action("package_show", id="ghana-public-service-satisfaction-app")
    assert ghana["sdg_indicators"] == ["16.6.2"] and ghana["meets_copenhagen_definition"] is True
    assert ghana["type"] == "dataset_series"
    responses = helpers.call_action("package_show", id="ghana-public-service-satisfaction-responses")
    assert responses["in_series"] == [ghana["id"]] and "engagement" in responses["inherited_fields"]
    assert responses["engagement"] == ghana["engagement"]
    iraq = helpers.call_action("package_show", id="iraq-public-service-satisfaction-citizen-data")
    assert iraq["meets_copenhagen_definition"] is False  # design stage at level 3 only
    appdiversa = helpers.call_action("package_show", id="appdiversa-discrimination-experiences")
    assert appdiversa["sdg_goals"] == ["10", "16"]
    assert helpers.call_action("package_search", q="discrimination")["count"] >= 1


def test_vocab_list(cli):
    result = cli.invoke(ckan_cli, ["citizendata", "vocab", "list"])
    assert result.exit_code == 0
    assert "engagement-levels" in result.output and "CITIZENDATA:ENGAGEMENT_LEVEL" in result.output
