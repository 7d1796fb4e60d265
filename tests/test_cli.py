"""ckan citizendata validate | import | seed-demo | vocab list | harvest ..., as a CSO or an admin would run them."""
import json
import pathlib
import re
import socket

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.cli.cli import ckan as ckan_cli
from ckan.tests import factories, helpers

from ckanext.citizendata import harvesters
from ckanext.citizendata.ingest.harvest.replay import Replay
from ckanext.citizendata.testing import free_port

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
    assert "demo assessments by example-nso-demo: 0 created, 4 kept" in second.output
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
    gss = helpers.call_action("organization_show", id="ghana-statistical-service")
    assert (gss["actor_type"], gss["jurisdiction"]) == ("nso", ["GHA"])
    assert helpers.call_action("organization_show", id="ushahidi")["actor_type"] == "cso"
    assert iraq["recognition_status"] == "under-nso-review"   # an NSO's own record states its status
    assert responses["recognition_status"] == ghana["recognition_status"] == "complementary-source"


def test_vocab_list(cli):
    result = cli.invoke(ckan_cli, ["citizendata", "vocab", "list"])
    assert result.exit_code == 0
    assert "engagement-levels" in result.output and "CITIZENDATA:ENGAGEMENT_LEVEL" in result.output


# ---------------------------------------------------------------- ckan citizendata harvest ...
HDX_FIXTURE = pathlib.Path(harvesters.__file__).parent / "fixtures" / "ckan" / "hdx-package_search.json"
PACKAGE_SEARCH = "/api/3/action/package_search"


def source_file(folder, url, title="HDX (test)", name="hdx"):
    text = f"name: {name}\ntitle: {title}\ntype: ckan\nurl: {url}\norganization: cso-cli\n"
    (folder / f"{name}.yaml").write_text(text, encoding="utf-8")


@pytest.fixture
def portal():
    """A local HDX-shaped portal answering package_search from the recorded fixture."""
    with Replay() as server:
        server.add("/hdx" + PACKAGE_SEARCH, body=HDX_FIXTURE.read_bytes(), content_type="application/json",
                   query={"start": "0"})
        yield server


@pytest.fixture
def synced(cli, tmp_path, org, portal):
    source_file(tmp_path, portal.url("/hdx"))
    result = cli.invoke(ckan_cli, ["citizendata", "harvest", "sources", "sync", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    return portal


def test_harvest_sources_sync_says_what_it_created_updated_and_left_unchanged(cli, tmp_path, org):
    source_file(tmp_path, "http://127.0.0.1:8765/hdx")
    sync = ["citizendata", "harvest", "sources", "sync", "--dir", str(tmp_path)]
    first = cli.invoke(ckan_cli, sync)
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines() == ["created      hdx", "updated      -", "unchanged    -", "deactivated  -"]
    assert "unchanged    hdx" in cli.invoke(ckan_cli, sync).stdout
    source_file(tmp_path, "http://127.0.0.1:8765/hdx", title="HDX, renamed (test)")
    for _ in range(2):   # a dry run writes nothing: the change is still to make
        assert "updated      hdx" in cli.invoke(ckan_cli, sync + ["--dry-run"]).stdout
    assert "updated      hdx" in cli.invoke(ckan_cli, sync).stdout
    assert "unchanged    hdx" in cli.invoke(ckan_cli, sync).stdout


def test_harvest_sources_sync_of_an_invalid_file_exits_1_naming_file_line_and_column(cli, tmp_path, org):
    (tmp_path / "bad.yaml").write_text("name: bad\ntitle: Bad\ntype: ckan\nurl: http://127.0.0.1:8765/\n"
                                       "organization: cso-cli\nlanguages: [english]\n", encoding="utf-8")
    result = cli.invoke(ckan_cli, ["citizendata", "harvest", "sources", "sync", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "Invalid source files:" in result.stderr
    assert f'  - {tmp_path}/bad.yaml:6:13: languages[0]: "english" does not have the expected form' in result.stderr
    assert model.Session.query(model.Package).filter_by(type="harvest").count() == 0


@pytest.mark.ckan_config("ckanext.citizendata.harvest.requests_per_second", "0")
def test_harvest_run_prints_the_summary_and_exits_0(cli, synced):
    result = cli.invoke(ckan_cli, ["citizendata", "harvest", "run", "hdx"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "hdx: Finished: 3 added, 0 updated, 0 unchanged, 0 withdrawn, 0 errors"
    assert re.fullmatch(r"job [0-9a-f-]{36}; peak memory \d+ MB", lines[1])
    again = cli.invoke(ckan_cli, ["citizendata", "harvest", "run", "hdx", "--full"])
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[0] == "hdx: Finished: 0 added, 0 updated, 3 unchanged, 0 withdrawn, 0 errors"


@pytest.mark.ckan_config("ckanext.citizendata.harvest.requests_per_second", "0")
@pytest.mark.ckan_config("ckanext.citizendata.harvest.backoff_seconds", "0")
def test_harvest_run_of_a_failing_source_exits_1_with_the_reason(cli, synced):
    synced.add("/hdx" + PACKAGE_SEARCH, status=500, body=b"oops", content_type="text/plain", query={"start": "0"})
    result = cli.invoke(ckan_cli, ["citizendata", "harvest", "run", "hdx"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "hdx: Failed: 0 added, 0 updated, 0 unchanged, 0 withdrawn, 0 errors"
    assert lines[1].startswith(f"  - {synced.url('/hdx' + PACKAGE_SEARCH)}?rows=100&start=0")
    assert lines[1].endswith(": the source answered with HTTP status 500")


def test_harvest_run_of_an_unknown_source_is_a_clear_error(cli):
    result = cli.invoke(ckan_cli, ["citizendata", "harvest", "run", "no-such-source"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "no harvest source 'no-such-source' (see: ckan citizendata harvest status)"
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output


def test_harvest_run_of_a_source_whose_secret_is_not_set_says_which_and_exits_2(cli, tmp_path, org, monkeypatch):
    monkeypatch.delenv("CLI_TEST_TOKEN", raising=False)
    source_file(tmp_path, "http://127.0.0.1:8765/hdx")
    with open(tmp_path / "hdx.yaml", "a", encoding="utf-8") as handle:
        handle.write("secrets:\n  api_token: CLI_TEST_TOKEN\n")
    assert cli.invoke(ckan_cli, ["citizendata", "harvest", "sources", "sync", "--dir", str(tmp_path)]).exit_code == 0
    result = cli.invoke(ckan_cli, ["citizendata", "harvest", "run", "hdx"])
    assert result.exit_code == 2
    assert result.stderr.strip() == ("hdx.yaml: secrets.api_token: neither the environment variable CLI_TEST_TOKEN nor "
                                     "the ini option ckanext.citizendata.harvest.secret.CLI_TEST_TOKEN is set")


@pytest.mark.ckan_config("ckanext.citizendata.harvest.requests_per_second", "0")
def test_harvest_status_lists_each_source_with_its_last_job(cli, synced, tmp_path):
    source_file(tmp_path, "http://127.0.0.1:8765/dcat", title="Another (test)", name="another")
    assert cli.invoke(ckan_cli, ["citizendata", "harvest", "sources", "sync", "--dir", str(tmp_path)]).exit_code == 0
    assert cli.invoke(ckan_cli, ["citizendata", "harvest", "run", "hdx"]).exit_code == 0
    result = cli.invoke(ckan_cli, ["citizendata", "harvest", "status"])
    assert result.exit_code == 0
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert re.fullmatch(r"hdx +citizendata_ckan +active +3 records  last job: Finished "
                        r"\d{4}-\d\d-\d\d \d\d:\d\d \(3 added\)", lines["hdx"])
    assert re.fullmatch(r"another +citizendata_ckan +active +0 records  last job: never run", lines["another"])


def test_harvest_demo_harvests_the_demo_sources_on_the_port_given(cli):
    assert cli.invoke(ckan_cli, ["citizendata", "seed-demo"]).exit_code == 0
    result = cli.invoke(ckan_cli, ["citizendata", "harvest", "demo", "--port", str(free_port())])
    assert result.exit_code == 0, result.output
    summaries = [line for line in result.stdout.splitlines() if line.startswith("demo-")]
    assert summaries == ["demo-ckan-portal: Finished: 3 added, 0 updated, 0 unchanged, 0 withdrawn, 0 errors",
                         "demo-dcat-catalog: Finished: 4 added, 0 updated, 0 unchanged, 0 withdrawn, 0 errors",
                         "demo-eu-citizen-science: Finished: 6 added, 0 updated, 0 unchanged, 0 withdrawn, 0 errors",
                         "demo-kobotoolbox: Finished: 3 added, 0 updated, 0 unchanged, 0 withdrawn, 0 errors",
                         "demo-ppsr-core: Finished: 8 added, 1 updated, 0 unchanged, 0 withdrawn, 0 errors"]


def test_harvest_demo_without_the_demo_organizations_says_what_to_do(cli):
    result = cli.invoke(ckan_cli, ["citizendata", "harvest", "demo", "--port", str(free_port())])
    assert result.exit_code == 1
    assert "run `ckan citizendata seed-demo` first?" in result.stderr
    assert "organization: 'demo-partner-sources' is not an organization of this site" in result.stderr
    assert model.Session.query(model.Package).filter_by(type="harvest").count() == 0


def test_harvest_demo_on_a_port_in_use_is_a_clear_error(cli):
    assert cli.invoke(ckan_cli, ["citizendata", "seed-demo"]).exit_code == 0
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli.invoke(ckan_cli, ["citizendata", "harvest", "demo", "--port", str(port)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"cannot serve the recorded responses on 127.0.0.1:{port}: ")
    assert "Traceback" not in result.output


# ---------------------------------------------------------------- quality recompute
def test_quality_recompute_scores_every_record_or_one_organization_s(cli):
    from ckanext.citizendata.assessment import store
    from ckanext.citizendata.model.assessment import quality_score_table
    from ckanext.citizendata.testing import CitizenDataset

    mine, other = factories.Organization(name="cso-quality"), factories.Organization()
    a = CitizenDataset(owner_org=mine["id"], tags=[{"name": "water"}])
    b = CitizenDataset(owner_org=other["id"])
    model.Session.execute(sa.delete(quality_score_table))
    model.Session.commit()

    result = cli.invoke(ckan_cli, ["citizendata", "quality", "recompute", "--org", "cso-quality"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("1 records scored")
    assert set(store.scores([a["id"], b["id"]])) == {a["id"]} and store.scores([a["id"]])[a["id"]]["score"] == 30

    result = cli.invoke(ckan_cli, ["citizendata", "quality", "recompute"])
    assert result.exit_code == 0 and "2 records scored" in result.output
    assert set(store.scores([a["id"], b["id"]])) == {a["id"], b["id"]}


def test_quality_recompute_checks_urls_when_asked_and_refuses_an_unknown_organization(cli):
    from ckanext.citizendata.assessment import store
    from ckanext.citizendata.testing import CitizenDataset

    with Replay() as server:
        server.add("/a.csv", body=b"a,b\n")
        pkg = CitizenDataset(owner_org=factories.Organization()["id"], resources=[{"url": server.url("/a.csv")}])
        result = cli.invoke(ckan_cli, ["citizendata", "quality", "recompute", "--check-urls"])
        assert result.exit_code == 0, result.output
        assert server.log == ["/a.csv"]
    earned = {m["metric"]: m["earned"] for m in store.scores([pkg["id"]])[pkg["id"]]["measurements"]}
    assert earned["accessUrlStatusCode"] == 50 and earned["dcatApCompliance"] == 30

    refused = cli.invoke(ckan_cli, ["citizendata", "quality", "recompute", "--org", "nope"])
    assert refused.exit_code == 2 and "No organization is named 'nope'" in refused.output
