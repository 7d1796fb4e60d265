"""ingest/harvest/kobotoolbox.py: a KoboToolbox server's deployed surveys listed through KPI's asset list (limit and
start on the source's own address, a restart when the listing changes under it, drafts and archived surveys left
out, 401 / 403 naming the secret and never its value), mapped to records of our schema (engagement, collection
method and initiative type only through the mapping table; sample size only when submissions are respondents;
personal data when the form does not say), and never a request for a data path: not even when the listing names
one, nor through a redirect, in a real job that writes, updates and withdraws records."""
from __future__ import annotations

import copy
import json
import logging
import pathlib
import urllib.parse

import pytest
import yaml
from ckan import model
from ckan.plugins import toolkit
from ckan.tests import factories
from ckanext.harvest.model import HarvestGatherError, HarvestObjectError, HarvestSource

from ckanext.citizendata.ingest.harvest import jobs, kinds, kobotoolbox, mapping, provenance, sources
from ckanext.citizendata.ingest.harvest.fetch import Client, PathRefused
from ckanext.citizendata.ingest.harvest.kobotoolbox import MappingError, map_asset, pages
from ckanext.citizendata.ingest.harvest.listing import SourceSpec
from ckanext.citizendata.ingest.harvest.replay import Replay, Reply

ROOT = pathlib.Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "harvesters" / "fixtures" / "kobo"
RECORDED = "https://kobo.example.org"
API = "/api/v2/assets/"
TOKEN = "k0b0-s3cr3t-t0k3n-9f8e7d6c5b4a"
VARIABLE = "KOBO_PARTNER_TOKEN"
WATER, GHANA, DRAFT, YOUTH, CLINIC = ("aKw3Pt7nYqWfLr9sBx2Hd4", "aGs8Vc5mTzNe2Qh6Jk4Rp7", "aMp2Lk9dWx4Tc7Rb3Nv8Fs",
                                      "aNy6Sf3hGq8Kd2Wm5Zt9Lc", "aCw4Hb7rPx2Mj9Ts6Vd3Qe")
CONSENT = kobotoolbox.CONSENT_WARNING


def fixture(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def assets(prefix="assets"):
    return [a for start in (0, 2, 4) for a in fixture(f"{prefix}-start-{start}.json")["results"]]


def by_uid(uid, prefix="assets"):
    return copy.deepcopy(next(a for a in assets(prefix) if a["uid"] == uid))


def spec_for(url=RECORDED, **options):
    return SourceSpec(name="kobo-partner", type="kobo", url=url, organization="partner", options=options,
                      secret_names={"api_token": VARIABLE}, secrets={"api_token": TOKEN}, file="kobo-partner.yaml")


def listed(found):
    return [s.guid for page in found for s in page.sightings]


def asked(server, path=API):
    """The query of each request of ``path`` the server was asked, as dicts."""
    return [dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(line).query)) for line in server.log
            if urllib.parse.urlsplit(line).path == path]


def answer(results, count=None, next_link=None):
    body = {"count": len(results) if count is None else count, "next": next_link, "previous": None,
            "results": results}
    return Reply(body=json.dumps(body).encode(), content_type="application/json")


def sliced(current):
    """A handler that answers the asset list from ``current()`` by start and limit, its count theirs."""
    def handler(request):
        rows = current()
        start, limit = int(request.query.get("start", 0)), int(request.query.get("limit", 100))
        return answer(rows[start:start + limit], count=len(rows))
    return handler


@pytest.fixture
def server():
    with Replay() as replay:
        yield replay


@pytest.fixture
def recorded(server):
    """The recorded server, its links (``url``, ``data``, exports) naming this server, its data paths forbidden."""
    server.add_recorded(str(FIXTURES), recorded_base=RECORDED)
    for pattern in kobotoolbox.REFUSED_PATHS:
        server.forbid(pattern)
    return server


def client_of(spec):
    return jobs.client_for(spec, allow=["127.0.0.1"], retries=0)


# ---------------------------------------------------------------- the client: token, refused paths


def test_the_token_is_sent_as_a_token_header_and_an_empty_secret_sends_none():
    assert kobotoolbox.authorize(spec_for()) == {"Authorization": f"Token {TOKEN}"}
    prefixed = SourceSpec(name="k", type="kobo", url=RECORDED, organization="o", secrets={"api_token": "Token abc"})
    assert kobotoolbox.authorize(prefixed) == {"Authorization": "Token abc"}
    assert kobotoolbox.authorize(SourceSpec(name="k", type="kobo", url=RECORDED, organization="o")) == {}
    assert kobotoolbox.authorize(SourceSpec(name="k", type="kobo", url=RECORDED, organization="o",
                                            secrets={"api_token": "  "})) == {}


def test_the_job_client_sends_the_token_header_with_every_listing_request(recorded):
    seen = []
    for start in ("0", "2", "4"):
        body = (FIXTURES / f"assets-start-{start}.json").read_bytes().replace(RECORDED.encode(), recorded.base.encode())

        def handler(request, body=body):
            seen.append(request.headers.get("Authorization"))
            return Reply(body=body, content_type="application/json")
        recorded.add(API, query={"q": "asset_type:survey", "start": start}, handler=handler)
    with client_of(spec_for(recorded.base, page_size=2)) as client:
        assert len(listed(pages(spec_for(recorded.base, page_size=2), client))) == 3
    assert seen == [f"Token {TOKEN}"] * 3


@pytest.mark.parametrize("path", [
    f"/api/v2/assets/{WATER}/data/", f"/api/v2/assets/{WATER}/data", f"/api/v2/assets/{WATER}/data.json",
    f"/api/v2/assets/{WATER}/data/1234/", f"/api/v2/assets/{WATER}/data/1234/attachments/9/",
    f"/api/v2/assets/{WATER}/attachments/", f"/api/v2/assets/{WATER}/exports/",
    f"/api/v2/assets/{WATER}/export-settings/es1/data.csv", f"/api/v2/assets/{WATER}/export-settings/es1/data.xlsx",
    f"/api/v2/assets/{WATER}/reports/", f"/api/v2/assets/{WATER}/paired-data/",
    f"/api/v2/assets/{WATER}/hooks/h1/logs/",
    "/api/v1/data", "/api/v1/data/12", "/api/v1/submissions", "/api/v1/stats/submissions/12",
    "/kobo_user/exports/form_id/csv/", "/private-media/kobo_user/exports/x.xlsx", "/media/original/x.jpg",
    "/kobo_user/forms/form_id/data.csv", "/export/survey.xlsx", "/download/survey.csv",
])
def test_the_refused_paths_cover_every_data_path(path):
    assert kobotoolbox.refused("https://kobo.example.org" + path), path


@pytest.mark.parametrize("path", ["/api/v2/assets/", "/api/v2/assets/hash/", f"/api/v2/assets/{WATER}/",
                                  "/kobo/api/v2/assets/", "/"])
def test_the_listing_and_hash_paths_are_not_refused(path):
    assert not kobotoolbox.refused("https://kobo.example.org" + path)


def test_the_job_client_refuses_a_data_url_and_a_redirect_to_one(server):
    spec = spec_for(server.base)
    server.add("/moved", status=302, headers={"Location": f"/api/v2/assets/{WATER}/data/?format=json"})
    server.add(f"/api/v2/assets/{WATER}/data/", body=b'{"results": []}', content_type="application/json")
    with client_of(spec) as client:
        with pytest.raises(PathRefused):
            client.get_json(server.url(f"/api/v2/assets/{WATER}/data/"))
        with pytest.raises(PathRefused):
            client.get_json(server.url(f"/api/v2/assets/{WATER}/export-settings/es1/data.csv"))
        with pytest.raises(PathRefused):
            client.get_json(server.url("/moved"))
    assert server.log == ["/moved"]                     # the data path itself was never asked
    assert kinds.SOURCE_TYPES["kobo"].refuse_paths == kobotoolbox.REFUSED_PATHS


# ---------------------------------------------------------------- listing


def test_a_full_listing_pages_by_limit_and_start_and_lists_only_deployed_surveys(recorded):
    spec = spec_for(recorded.base, page_size=2)
    with client_of(spec) as client:
        found = list(pages(spec, client))
    assert [p.failed for p in found] == [None, None, None]
    assert listed(found) == [WATER, GHANA, YOUTH]         # the draft and the archived survey are not listed
    queries = asked(recorded)
    assert [q["start"] for q in queries] == ["0", "2", "4"]
    assert {(q["limit"], q["q"], q["format"], q["ordering"]) for q in queries} == {
        ("2", "asset_type:survey", "json", "-date_modified")}
    assert found[1].url == (recorded.base + API + "?q=asset_type%3Asurvey&limit=2&start=2&ordering=-date_modified"
                                                   "&format=json")
    assert recorded.violations == []
    recorded.check()


def test_the_page_size_is_100_by_default_and_at_most_1000(server):
    server.add(API, handler=sliced(assets))
    with Client(allow=["127.0.0.1"]) as client:
        list(pages(spec_for(server.base), client))
        list(pages(spec_for(server.base, page_size=5000), client))
    assert [q["limit"] for q in asked(server)] == ["100", "1000"]
    assert kobotoolbox.page_size(spec_for(page_size=0)) == 1
    assert kobotoolbox.page_size(spec_for(page_size="many")) == 100


def test_next_links_are_never_followed(server):
    """The answer's ``next`` names another host and a data path: pages are asked by start on the source only."""
    rows = assets()

    def handler(request):
        start = int(request.query["start"])
        return answer(rows[start:start + 2], count=len(rows),
                      next_link=f"http://elsewhere.example/api/v2/assets/{WATER}/data/?start={start + 2}")
    server.add(API, handler=handler)
    with Client(allow=["127.0.0.1"]) as client:
        assert listed(pages(spec_for(server.base, page_size=2), client)) == [WATER, GHANA, YOUTH]
    assert [urllib.parse.urlsplit(line).path for line in server.log] == [API] * 3


def test_an_empty_server_is_one_empty_page(server):
    server.add(API, handler=lambda request: answer([]))
    with Client(allow=["127.0.0.1"]) as client:
        found = list(pages(spec_for(server.base), client))
    assert [(p.failed, p.sightings, p.errors) for p in found] == [(None, [], [])]


def test_a_count_change_restarts_the_listing_and_lists_each_survey_once(server):
    rows, calls = assets(), []
    new = dict(copy.deepcopy(rows[0]), uid="aNew9Survey3Added2Late1", name="A survey deployed meanwhile")

    def current():
        calls.append(1)
        if len(calls) == 2:
            rows.insert(0, new)                   # created between the first and the second page
        return rows
    server.add(API, handler=sliced(current))
    with Client(allow=["127.0.0.1"]) as client:
        found = list(pages(spec_for(server.base, page_size=2), client))
    assert [p.failed for p in found] == [None] * len(found)
    assert sorted(listed(found)) == sorted([WATER, GHANA, YOUTH, "aNew9Survey3Added2Late1"])
    assert [q["start"] for q in asked(server)] == ["0", "2", "0", "2", "4"]


def test_a_survey_edited_during_the_listing_is_not_missed(server):
    """Edited, a survey moves to the top of the -date_modified order and pushes the others down one place: the one
    that slid onto the next page comes twice, and the listing starts again instead of missing the edited one."""
    deployed = [dict(a, deployment_status="deployed", deployment__active=True) for a in assets()]
    rows, calls = list(deployed), []

    def current():
        calls.append(1)
        if len(calls) == 2:
            rows.insert(0, rows.pop(3))           # the fourth survey edited after the first page was read
        return rows
    server.add(API, handler=sliced(current))
    with Client(allow=["127.0.0.1"]) as client:
        found = list(pages(spec_for(server.base, page_size=2), client))
    assert sorted(listed(found)) == sorted(a["uid"] for a in deployed)
    assert len(listed(found)) == 5
    assert [q["start"] for q in asked(server)] == ["0", "2", "0", "2", "4"]


def test_a_listing_that_keeps_changing_fails_after_five_restarts(server):
    rows = assets()
    counter = iter(range(1000))
    server.add(API, handler=lambda request: answer(rows[:2], count=10 + next(counter)))
    with Client(allow=["127.0.0.1"]) as client:
        found = list(pages(spec_for(server.base, page_size=2), client))
    assert found[-1].failed.startswith("the listing kept changing")
    assert len(asked(server)) == 12


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_token_fails_the_page_naming_the_source_and_the_secret_never_its_value(server, status):
    server.add(API, status=status, body=(FIXTURES / "401.json").read_bytes(), content_type="application/json")
    spec = spec_for(server.base)
    with client_of(spec) as client:
        found = list(pages(spec, client))
    assert len(found) == 1 and found[0].sightings == []
    failed = found[0].failed
    assert f"source kobo-partner: the source refused access (HTTP {status})" in failed
    assert VARIABLE in failed and "was refused" in failed
    assert TOKEN not in failed and TOKEN not in found[0].url


def test_a_recorded_401_without_a_token_says_the_secret_is_not_set(server):
    server.add_recorded(str(FIXTURES), routes_file="replay-refused.yaml")
    spec = SourceSpec(name="kobo-partner", type="kobo", url=server.base, organization="o",
                      secret_names={"api_token": VARIABLE}, file="kobo-partner.yaml")
    unnamed = SourceSpec(name="kobo-partner", type="kobo", url=server.base, organization="o", file="kobo-partner.yaml")
    with Client(allow=["127.0.0.1"]) as client:
        assert [p.failed for p in pages(spec, client)] == [
            f"source kobo-partner: the source refused access (HTTP 401); the secret api_token ({VARIABLE}) is not set"]
        assert "add secrets.api_token" in next(pages(unnamed, client)).failed
        assert kobotoolbox.listing_hash(spec, client) is None


def test_other_http_errors_fail_the_page_with_their_reason(server):
    server.add(API, status=404, body=b"not found", content_type="text/plain")
    with Client(allow=["127.0.0.1"], retries=0) as client:
        found = list(pages(spec_for(server.base), client))
    assert len(found) == 1 and "404" in found[0].failed and TOKEN not in found[0].failed


@pytest.mark.parametrize("body, why", [
    (b"[]", "the answer is not a JSON object"),
    (b'{"results": []}', "the answer has no count"),
    (b'{"count": 3, "results": {}}', "the answer has no list of results"),
])
def test_an_unreadable_answer_is_a_failed_page(server, body, why):
    server.add(API, body=body, content_type="application/json")
    with Client(allow=["127.0.0.1"]) as client:
        assert [p.failed for p in pages(spec_for(server.base), client)] == [why]


def test_an_empty_page_before_the_count_is_reached_fails(server):
    server.add(API, handler=lambda request: answer([], count=4))
    with Client(allow=["127.0.0.1"]) as client:
        assert [p.failed for p in pages(spec_for(server.base), client)] == ["an empty page at start 0 of 4 surveys"]


def test_assets_without_uid_or_name_are_page_errors_and_the_rest_is_kept(server):
    nameless = dict(by_uid(YOUTH), name="  ")
    rows = [{"name": "no uid", "deployment_status": "deployed"}, nameless, by_uid(WATER), "not an object"]
    server.add(API, handler=lambda request: answer(rows))
    with Client(allow=["127.0.0.1"]) as client:
        (page,) = list(pages(spec_for(server.base), client))
    assert listed([page]) == [WATER]
    assert page.errors == [("#1", "the asset has no uid"), (YOUTH, "the survey has no readable name"),
                           ("#4", "the asset has no uid")]


def test_older_servers_without_deployment_status_use_deployment_active():
    survey = by_uid(WATER)
    for status, active, deployed in [(None, True, True), ("-", True, True), (None, False, False),
                                     ("archived", True, False), ("draft", False, False), ("deployed", False, True)]:
        survey.update(deployment_status=status, deployment__active=active)
        if status is None:
            del survey["deployment_status"]
        assert kobotoolbox.is_deployed(survey) is deployed, (status, active)


def test_the_listing_hash_is_read_and_none_when_it_cannot_be(server):
    server.add_recorded(str(FIXTURES))
    with Client(allow=["127.0.0.1"]) as client:
        assert kobotoolbox.listing_hash(spec_for(server.base), client) == fixture("hash.json")["hash"]
        server.add_recorded(str(FIXTURES), routes_file="replay-changed.yaml")
        assert kobotoolbox.listing_hash(spec_for(server.base), client) == fixture("changed-hash.json")["hash"]
        server.add("/api/v2/assets/hash/", body=b'{"hash": 12}', content_type="application/json")
        assert kobotoolbox.listing_hash(spec_for(server.base), client) is None
        assert kobotoolbox.listing_hash(spec_for(server.base + "/nowhere"), client) is None


# ---------------------------------------------------------------- mapping


def test_a_deployed_survey_maps_every_field():
    sighting = map_asset(by_uid(WATER), spec_for())
    assert sighting.guid == sighting.identifier == WATER
    assert sighting.kind == "dataset"
    assert sighting.original_uri == f"{RECORDED}/api/v2/assets/{WATER}/"
    assert sighting.publisher == "Example Water Users Network (Kilifi)"
    assert sighting.upstream_modified == "2024-06-02T11:05:47.902311Z"
    assert sighting.record == {
        "title": "Community water point functionality survey, Kilifi 2024",
        "private": True,                                      # private at the server
        "identifier": WATER,
        "notes": "Monthly check of the functionality of community water points (hand pumps, kiosks and tanks) in "
                 "Kilifi County, filled in by members of the water users' associations.\n\n"
                 "Operational purpose: Monitoring and evaluation\n\n"
                 "Sector: Humanitarian - Sanitation, Water & Hygiene",
        "tags": [{"name": "Humanitarian - Sanitation Water Hygiene"}, {"name": "water"}, {"name": "WASH"},
                 {"name": "water points"}],
        "countries": ["KEN"],
        "issued": "2024-01-15T07:42:10.118274Z",
        "modified": "2024-06-02T11:05:47.902311Z",
        "language": ["en", "sw"],
        "engagement": [{"stage": "collect", "level": 2, "actors": ["cso"],
                        "derived_from": "derived from the source's asset type: survey (mapping table "
                                        "kobotoolbox.yaml: asset_type)"}],
        "collection_methods": ["digital-form-survey"],
        "initiative_type": "community-survey",
        "ethics": {"personal_data": False},
        "publisher": [{"name": "Example Water Users Network (Kilifi)"}],
    }
    assert [w.split(":")[0] for w in sighting.warnings] == ["temporal_coverage"]


def test_nothing_of_a_submission_or_an_account_is_copied():
    for uid in (WATER, GHANA, YOUTH):
        survey = by_uid(uid)
        text = json.dumps(map_asset(survey, spec_for()).record)
        assert survey["owner__username"] not in text
        assert "/data" not in text and "export" not in text and ".xls" not in text
        assert str(survey["deployment__submission_count"]) not in text
        assert "temporal_coverage" not in text and "sample_size" not in text


def test_a_language_without_a_code_is_a_warning_and_the_others_are_kept():
    sighting = map_asset(by_uid(GHANA), spec_for())
    assert sighting.record["language"] == ["en"]
    assert "language: 'Twi' has no ISO 639 code (the form names its languages as \"English (en)\"); not stated" \
        in sighting.warnings
    survey = by_uid(WATER)
    survey["summary"]["languages"] = ["Español (es)", "English (en-GB)", "Quechua (que)", None, "Klingon (zz)",
                                      "English (en)", "Dholuo (luo)"]
    mapped = map_asset(survey, spec_for())
    assert mapped.record["language"] == ["es", "en", "qu", "luo"]     # ISO 639-1, else 639-3
    assert sum(w.startswith("language:") for w in mapped.warnings) == 2


def test_a_data_path_or_a_bad_url_is_never_the_records_address():
    youth = map_asset(by_uid(YOUTH), spec_for())
    assert youth.original_uri == f"{RECORDED}/#/forms/{YOUTH}/summary"
    assert ("url: the asset's address is a data path (submissions), never linked; the form's page at the server "
            "is used") in youth.warnings
    for url, warned in [(None, False), ("javascript:alert(1)", True), ("  ", False)]:
        survey = dict(by_uid(WATER), url=url)
        mapped = map_asset(survey, spec_for(RECORDED + "/"))
        assert mapped.original_uri == f"{RECORDED}/#/forms/{WATER}/summary"
        assert any(w.startswith("url:") for w in mapped.warnings) is warned


def test_countries_are_checked_iso3_codes_in_any_shape_the_server_gives():
    survey = by_uid(WATER)
    survey["settings"]["country"] = [{"label": "Kenya", "value": "KEN"}, {"label": "Kosovo", "value": "XKX"},
                                     {"label": "Uganda", "value": "uga"}, {"label": "Kenya", "value": "KEN"}]
    mapped = map_asset(survey, spec_for())
    assert mapped.record["countries"] == ["KEN", "UGA"]
    assert "countries: 'XKX' (Kosovo) is not an ISO 3166-1 alpha-3 country; dropped" in mapped.warnings
    survey["settings"]["country"] = {"label": "Ghana", "value": "GHA"}          # one object (older servers)
    assert map_asset(survey, spec_for()).record["countries"] == ["GHA"]
    survey["settings"]["country"] = None
    survey["settings"]["country_codes"] = ["TZA"]
    assert map_asset(survey, spec_for()).record["countries"] == ["TZA"]


def test_the_mapping_table_lists_every_fixture_value_and_maps_it():
    values = [a["asset_type"] for prefix in ("assets", "changed-assets") for a in assets(prefix)]
    for table in (kobotoolbox.ENGAGEMENT_TABLE, kobotoolbox.METHOD_TABLE, kobotoolbox.INITIATIVE_TABLE):
        assert mapping.unknown("kobotoolbox", table, values) == []
        assert mapping.coverage("kobotoolbox", table, values) == (1, 1)
    tables = mapping.tables("kobotoolbox")
    assert tables["asset_type"].to == "engagement"
    assert tables[kobotoolbox.METHOD_TABLE].to == "collection-methods"
    assert tables[kobotoolbox.INITIATIVE_TABLE].to == "initiative-types"


def test_sample_size_is_the_submission_count_only_when_submissions_are_respondents():
    survey = by_uid(GHANA)
    assert "sample_size" not in map_asset(survey, spec_for()).record
    assert "sample_size" not in map_asset(survey, spec_for(submissions_are_respondents=False)).record
    assert map_asset(survey, spec_for(submissions_are_respondents=True)).record["sample_size"] == 2418
    survey["deployment__submission_count"] = None           # the token may not view the submissions
    mapped = map_asset(survey, spec_for(submissions_are_respondents=True))
    assert "sample_size" not in mapped.record
    assert any(w.startswith("sample_size:") for w in mapped.warnings)


@pytest.mark.parametrize("stated, personal, warned", [
    ({"label": "No", "value": "No"}, False, False),
    ({"label": "Yes", "value": "Yes"}, True, False),
    ("Yes", True, False), ("no", False, False), (True, True, False), (False, False, False),
    (None, True, True), ({"label": "", "value": ""}, True, True), ("Maybe", True, True),
])
def test_collects_pii_gives_personal_data_and_absent_is_personal_data_with_a_warning(stated, personal, warned):
    survey = by_uid(WATER)
    survey["settings"]["collects_pii"] = stated
    mapped = map_asset(survey, spec_for())
    assert mapped.record["ethics"] == {"personal_data": personal}
    assert any("whether it collects personal data (settings.collects_pii)" in w for w in mapped.warnings) is warned
    assert (CONSENT in mapped.warnings) is personal


def test_a_form_that_does_not_state_collects_pii_is_personal_data():
    survey = by_uid(WATER)
    del survey["settings"]["collects_pii"]
    mapped = map_asset(survey, spec_for())
    assert mapped.record["ethics"] == {"personal_data": True}
    assert ("ethics: the form does not state whether it collects personal data (settings.collects_pii); "
            "personal_data is set to true, to be safe") in mapped.warnings
    assert CONSENT in mapped.warnings


def test_defaults_fill_what_the_survey_leaves_empty_and_the_consent_it_does_not_state():
    survey = by_uid(WATER)
    survey["settings"].update(description="", collects_pii={"label": "Yes", "value": "Yes"})
    spec = spec_for()
    spec.defaults = {"notes": "Described by the source file.", "countries": ["UGA"], "sdg_indicators": ["6.1.1"],
                     "ethics": {"informed_consent": True, "personal_data": False}}
    record = map_asset(survey, spec).record
    assert record["notes"].startswith("Operational purpose: Monitoring")            # the survey's sections stay
    assert record["countries"] == ["KEN"] and record["sdg_indicators"] == ["6.1.1"]
    assert record["ethics"] == {"personal_data": True, "informed_consent": True}  # the form's own value wins
    assert CONSENT not in map_asset(survey, spec).warnings
    survey["settings"].update(operational_purpose=None, sector=None)
    assert map_asset(survey, spec).record["notes"] == "Described by the source file."


def test_odd_values_become_warnings_not_lost_surveys():
    survey = by_uid(WATER)
    survey.update(date_created="last spring", tag_string="ok, x ,##", name="Survey\x00")
    survey["settings"]["description"] = {"text": "not a string"}
    with pytest.raises(MappingError, match="no readable name"):
        map_asset(survey, spec_for())
    survey["name"] = "Survey"
    mapped = map_asset(survey, spec_for())
    assert "issued" not in mapped.record and "notes" in mapped.record
    assert "issued: date_created 'last spring' is not an ISO 8601 date; dropped" in mapped.warnings
    assert "notes: a dict is not text; dropped" in mapped.warnings
    assert any(w.startswith("tags: 'x' cannot be a CKAN tag") for w in mapped.warnings)
    assert any(w.startswith("tags: '##' cannot be a CKAN tag") for w in mapped.warnings)
    assert {"name": "ok"} in mapped.record["tags"]
    with pytest.raises(MappingError, match="no uid"):
        map_asset(dict(survey, uid=None), spec_for())
    with pytest.raises(MappingError, match="not a JSON object"):
        map_asset(["not", "an", "asset"], spec_for())


def test_mapping_is_pure_the_same_survey_gives_the_same_hash():
    survey = by_uid(GHANA)
    before = copy.deepcopy(survey)
    assert map_asset(survey, spec_for()).content_hash() == map_asset(survey, spec_for()).content_hash()
    assert survey == before


def test_mapped_records_only_use_our_scheming_fields():
    schema = yaml.safe_load((ROOT / "schemas" / "dataset.yaml").read_text(encoding="utf-8"))
    allowed = {f["field_name"] for f in schema["dataset_fields"]} - {"name", "owner_org"} | {"tags", "private"}
    for survey in assets() + assets("changed-assets"):
        record = map_asset(survey, spec_for(submissions_are_respondents=True)).record
        assert set(record) <= allowed, survey["uid"]
        assert {"id", "name", "owner_org", "url", "resources"}.isdisjoint(record)


# ---------------------------------------------------------------- a real job into the database


def site_context() -> dict:
    return {"user": toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"], "ignore_auth": True}


def make_source(org, url: str, name: str = "kobo-partner", **more) -> tuple[HarvestSource, dict]:
    """A citizendata_kobo source as the source files make them (its config from harvest_config)."""
    spec = SourceSpec(name=name, title="Partner KoboToolbox", type="kobo", url=url, organization=org["name"],
                      options={"page_size": 2}, secret_names={"api_token": VARIABLE}, file=f"{name}.yaml",
                      **more)
    config = sources.harvest_config(spec)
    created = toolkit.get_action("harvest_source_create")(site_context(), {
        "name": name, "title": spec.title, "url": url, "source_type": sources.source_type(spec),
        "frequency": "MANUAL", "owner_org": org["id"], "config": json.dumps(config)})
    return HarvestSource.get(created["id"]), config


def run(source, server):
    """A run as ``ckan citizendata harvest run`` does it: the spec from the stored config, the secret from the
    environment, the source type's client (its token, its refused paths)."""
    spec = sources.resolve_secrets(sources.spec_from_source(source))
    with client_of(spec) as client:
        summary = jobs.run(source, spec, kinds.SOURCE_TYPES["kobo"].pages, full=True, incremental=False,
                           fetcher=client)
    server.check()
    return summary


def shown(source, guid):
    row = provenance.get(source.id, guid)
    return toolkit.get_action("package_show")({"ignore_auth": True}, {"id": row.package_id})


def job_texts(source_id) -> list[str]:
    gathered = [e.message for e in model.Session.query(HarvestGatherError).all()]
    objects = [e.message for e in model.Session.query(HarvestObjectError).all()]
    return gathered + objects


def check_first_run(source, server, first) -> None:
    """The three deployed surveys written, with what the mapping table derives and nothing of a data path."""
    assert (first.status, first.added, first.errors) == ("Finished", 3, 0), job_texts(source.id)
    assert provenance.current_guids(source.id) == {WATER, GHANA, YOUTH}
    ghana = shown(source, GHANA)
    assert ghana["title"] == "Public service satisfaction survey 2024 (SDG 16.6.2)"
    assert ghana["engagement"] == [{"stage": "collect", "level": 2, "actors": ["cso"],
                                    "derived_from": "derived from the source's asset type: survey (mapping table "
                                                    "kobotoolbox.yaml: asset_type)"}]
    assert ghana["collection_methods"] == ["digital-form-survey"]
    assert ghana["initiative_type"] == "community-survey"
    assert ghana["countries"] == ["GHA"]
    assert ghana["ethics"]["personal_data"] is False
    assert ghana["meets_copenhagen_definition"] is False
    assert [p["name"] for p in ghana["publisher"]] == ["Example Ghana Civic Monitors"]
    youth = shown(source, YOUTH)
    assert "/data" not in json.dumps(youth)
    assert youth["harvest_provenance"][0]["original_uri"] == f"{server.base}/#/forms/{YOUTH}/summary"
    assert ghana["harvest_provenance"][0]["original_uri"] == f"{server.base}/api/v2/assets/{GHANA}/"
    assert any("Twi" in w for w in ghana["harvest_provenance"][0]["warnings"])


@pytest.mark.usefixtures("clean_db")
def test_a_job_writes_updates_and_withdraws_surveys_never_reads_data_and_never_shows_the_token(
        recorded, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv(VARIABLE, TOKEN)
    org = factories.Organization(name="kobo-partner-cso")
    # three surveys: one archived of three is below the default threshold of 80%
    source, config = make_source(org, recorded.base, delete_threshold=0.5)
    assert config["secrets"] == {"api_token": VARIABLE}
    assert TOKEN not in json.dumps(config) and TOKEN not in (HarvestSource.get(source.id).config or "")

    first = run(source, recorded)
    check_first_run(source, recorded, first)

    again = run(source, recorded)                                   # nothing changed upstream
    assert (again.added, again.updated, again.unchanged, again.withdrawn) == (0, 0, 3, 0)

    recorded.add_recorded(str(FIXTURES), routes_file="replay-changed.yaml", recorded_base=RECORDED)
    changed = run(source, recorded)                                 # one edited, one archived
    assert (changed.status, changed.added, changed.updated, changed.unchanged, changed.withdrawn) == \
        ("Finished", 0, 1, 1, 1)
    assert shown(source, WATER)["title"] == "Community water point functionality survey, Kilifi 2024 (round 2)"
    assert shown(source, GHANA)["state"] == "deleted"
    assert provenance.current_guids(source.id) == {WATER, YOUTH}

    assert recorded.violations == []
    assert {urllib.parse.urlsplit(line).path for line in recorded.log} == {API}
    assert all(TOKEN not in text for text in job_texts(source.id))
    assert TOKEN not in caplog.text


@pytest.mark.usefixtures("clean_db")
def test_a_refused_token_fails_the_job_naming_its_variable_never_its_value(server, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv(VARIABLE, TOKEN)
    server.add_recorded(str(FIXTURES), routes_file="replay-refused.yaml")
    org = factories.Organization(name="kobo-partner-cso")
    source, _ = make_source(org, server.base)
    summary = run(source, server)
    assert summary.status == "Failed"
    assert any(VARIABLE in reason and "HTTP 401" in reason for reason in summary.reasons), summary.reasons
    texts = job_texts(source.id)
    assert any(VARIABLE in text for text in texts)
    assert all(TOKEN not in text for text in texts + summary.reasons)
    assert TOKEN not in caplog.text
    assert provenance.count(source.id) == 0


@pytest.mark.usefixtures("clean_db")
def test_a_survey_that_may_hold_personal_data_is_written_with_the_consent_warning(server, monkeypatch):
    """A harvested form that does not state ``collects_pii`` is written with personal data and the consent
    warning (record/derive.safeguarded keeps it from meeting the definition until consent is stated: see
    tests/record/test_derive.py), and takes the consent its source file's defaults state."""
    monkeypatch.setenv(VARIABLE, TOKEN)
    survey = by_uid(WATER)
    del survey["settings"]["collects_pii"]
    server.add(API, handler=lambda request: answer([survey]))
    org = factories.Organization(name="kobo-partner-cso")
    source, _ = make_source(org, server.base)
    spec = sources.resolve_secrets(sources.spec_from_source(source))
    with client_of(spec) as client:
        written = jobs.run(source, spec, kobotoolbox.pages, full=True, incremental=False, fetcher=client)
    assert (written.added, written.errors) == (1, 0), job_texts(source.id)
    record = shown(source, WATER)
    assert record["ethics"] == {"personal_data": True}
    assert record["meets_copenhagen_definition"] is False
    assert kobotoolbox.CONSENT_WARNING in record["harvest_provenance"][0]["warnings"]

    spec.defaults = {"ethics": {"informed_consent": True}}        # the partner confirmed consent
    with client_of(spec) as client:
        again = jobs.run(source, spec, kobotoolbox.pages, full=True, incremental=False, fetcher=client)
    assert again.updated == 1
    record = shown(source, WATER)
    assert record["ethics"] == {"personal_data": True, "informed_consent": True}
    assert kobotoolbox.CONSENT_WARNING not in record["harvest_provenance"][0]["warnings"]


@pytest.mark.parametrize("status, option, private", [
    ("private", None, True), (None, None, True), ("shared", None, False), ("public-discoverable", None, False),
    ("private", True, False), ("private", False, True),
])
def test_a_form_private_at_the_server_is_a_private_record_unless_the_source_publishes_them(status, option, private):
    survey = by_uid(GHANA)
    survey["status"] = status
    options = {} if option is None else {"publish_private_forms": option}
    assert map_asset(survey, spec_for(**options)).record["private"] is private


@pytest.mark.usefixtures("clean_db")
def test_a_form_private_at_the_server_is_seen_only_by_its_organization(recorded, monkeypatch, app):
    monkeypatch.setenv(VARIABLE, TOKEN)
    editor, stranger = factories.User(), factories.User()
    org = factories.Organization(name="kobo-partner-cso", users=[{"name": editor["name"], "capacity": "editor"}])
    factories.Organization(name="other-cso", users=[{"name": stranger["name"], "capacity": "editor"}])
    source, _ = make_source(org, recorded.base)
    assert run(source, recorded).added == 3
    record = shown(source, WATER)
    assert record["private"] is True                     # "status": "private" at the server
    show = toolkit.get_action("package_show")
    assert show({"user": editor["name"]}, {"id": record["id"]})["id"] == record["id"]
    for user in (stranger["name"], ""):
        with pytest.raises(toolkit.NotAuthorized):
            show({"user": user, "ignore_auth": False}, {"id": record["id"]})
    search = toolkit.get_action("package_search")
    assert search({"user": ""}, {"q": f'identifier:"{WATER}"', "include_private": True})["count"] == 0
    assert search({"user": stranger["name"]}, {"q": "*:*", "include_private": True})["count"] == 0
    assert search({"user": editor["name"]}, {"q": "*:*", "include_private": True})["count"] == 3
    app.get(f"/dataset/{record['name']}", status=404)                 # an anonymous reader
