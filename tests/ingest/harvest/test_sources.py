"""ingest/harvest/sources.py: source files read into SourceSpecs, every problem named with its file, line, column
and rule; secrets named in files and resolved only at run time; the harvest source's stored config and back.
(Writing the sources into CKAN: test_source_sync.py.)"""
import dataclasses
import json
import textwrap

import pytest
from ckanext.harvest.model import UPDATE_FREQUENCIES

from ckanext.citizendata.ingest.harvest import sources
from ckanext.citizendata.ingest.harvest.listing import SourceSpec

GOOD = """\
name: hdx
title: Humanitarian Data Exchange
type: ckan
url: https://data.humdata.org
organization: ocha
schedule: DAILY
languages: [en, fr]
priority: 5
delete_threshold: 60
defaults:
  initiative_type: community-survey
rules:
  - when: {keyword: public services}
    set: {sdg_indicators: ["16.6.2"]}
options:
  page_size: 500
  fq: "groups:syr"
secrets:
  api_token: HDX_TOKEN
"""
MINIMAL = """\
name: portal
title: A portal
type: dcat
url: http://127.0.0.1:8765/dcat/catalog.ttl
organization: some-org
"""
TOKEN = "hdx-3f9c1b7e5a2d4c6b8e0f"


def write(folder, name, text):
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(path):
    with pytest.raises(sources.SourceFileError) as caught:
        sources.load(path)
    return caught.value.problems


# ---------------------------------------------------------------- the shipped files and the schema
def test_every_shipped_source_file_is_valid():
    for folder in (sources.packaged_folder(), sources.packaged_folder() / "demo"):
        specs = sources.load_all(folder)
        assert [s.file for s in specs] == sorted(p.name for p in sources.source_files(folder))
    assert {s.type for s in specs} >= {"ckan", "dcat"}   # the demo harvests one source of each


def test_the_schema_is_draft_2020_12_and_its_schedules_are_ckanext_harvests():
    schema = sources.schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    sources.validator()  # check_schema raises on a broken schema
    assert set(schema["properties"]["schedule"]["enum"]) == set(UPDATE_FREQUENCIES)


def test_without_a_folder_the_packaged_one_is_read():
    assert sources.sources_folder() == sources.packaged_folder()
    assert (sources.packaged_folder() / sources.SCHEMA_FILE).is_file()


def test_the_configured_folder_is_read_when_set(tmp_path, ckan_config, monkeypatch):
    write(tmp_path, "only.yaml", MINIMAL)
    monkeypatch.setitem(ckan_config, "ckanext.citizendata.harvest.sources_dir", str(tmp_path))
    assert [s.name for s in sources.load_all()] == ["portal"]


# ---------------------------------------------------------------- a valid file
def test_a_valid_file_gives_its_spec(tmp_path):
    spec = sources.load(write(tmp_path, "hdx.yaml", GOOD))
    assert spec == SourceSpec(
        name="hdx", title="Humanitarian Data Exchange", type="ckan", url="https://data.humdata.org",
        organization="ocha", schedule="DAILY", languages=["en", "fr"], priority=5, delete_threshold=0.6,
        defaults={"initiative_type": "community-survey"},
        rules=[{"when": {"keyword": "public services"}, "set": {"sdg_indicators": ["16.6.2"]}}],
        options={"page_size": 500, "fq": "groups:syr"}, secrets={}, secret_names={"api_token": "HDX_TOKEN"},
        active=True, file="hdx.yaml")


@pytest.mark.ckan_config("ckanext.citizendata.harvest.delete_threshold", "55")
def test_a_minimal_file_takes_the_defaults_and_the_configured_threshold(tmp_path):
    spec = sources.load(write(tmp_path, "portal.yml", MINIMAL))
    assert (spec.schedule, spec.languages, spec.priority, spec.defaults, spec.rules, spec.options) == \
        ("MANUAL", ["en"], 0, {}, [], {})
    assert spec.delete_threshold == 0.55
    assert spec.active is True and spec.secret_names == {} and spec.file == "portal.yml"


def test_yaml_dates_are_kept_as_text(tmp_path):
    spec = sources.load(write(tmp_path, "portal.yaml", MINIMAL + "defaults: {issued: 2021-03-04}\n"))
    assert spec.defaults == {"issued": "2021-03-04"}
    json.dumps(sources.harvest_config(spec))


# ---------------------------------------------------------------- problems: file:line:column: place: rule
@pytest.mark.parametrize("change, expected", [
    ({"languages: [en, fr]": "languages:\n  - en\n  - english"},
     'hdx.yaml:9:5: languages[1]: "english" does not have the expected form (^[a-z]{2}$)'),
    ({"schedule: DAILY": "schedule: HOURLY"},
     'hdx.yaml:6:11: schedule: "HOURLY" is not allowed; allowed: MANUAL, DAILY, WEEKLY, BIWEEKLY, MONTHLY, ALWAYS'),
    ({"priority: 5": "priority: high"}, 'hdx.yaml:8:11: priority: expected a whole number, got "high"'),
    ({"url: https://data.humdata.org": "url: ftp://data.humdata.org"},
     'hdx.yaml:4:6: url: "ftp://data.humdata.org" does not have the expected form'),
    ({"name: hdx": "name: HDX Portal"}, 'hdx.yaml:1:7: name: "HDX Portal" does not have the expected form'),
    ({"delete_threshold: 60": "delete_threshold: 150"},
     "hdx.yaml:9:19: delete_threshold: 150 is above the maximum 100"),
    ({"organization: ocha\n": ""}, "hdx.yaml:1:1: organization: is required but missing"),
    ({"  page_size: 500": "  page_size: 500\n  format: turtle"},
     "hdx.yaml:17:3: options.format: unknown key (allowed: fq, page_size, profile, requests_per_second)"),
    ({"priority: 5": "priority: 5\ncolour: blue"}, "hdx.yaml:9:1: colour: unknown key (allowed: active, "),
    ({"{keyword: public services}": "{keyword: public services, color: red}"},
     "hdx.yaml:13:38: rules[0].when.color: unknown key (allowed: any, keyword, tag, theme, title_contains)"),
    ({"{keyword: public services}": "{keyword: 16}"}, "hdx.yaml:13:21: rules[0].when.keyword: must be a text or a "
                                                      "list of texts"),
    ({'set: {sdg_indicators: ["16.6.2"]}': 'set: {sdg_goals: ["16"]}'},
     'hdx.yaml:14:11: rules[0].set.sdg_goals: "sdg_goals" is derived from other fields'),
    ({"initiative_type: community-survey": "initiative_type: [community-survey]"},
     'hdx.yaml:11:3: defaults.initiative_type: "initiative_type" takes one value, not a list'),
    ({"priority: 5": "priority: 5\nname: again"}, "hdx.yaml:9:1: name: the key is given twice"),
    ({"languages: [en, fr]": "languages: [en, fr"}, "hdx.yaml:8:9: not valid YAML: expected ',' or ']', but got ':'"),
])
def test_each_problem_names_file_line_column_place_and_rule(tmp_path, change, expected):
    text = GOOD
    for old, new in change.items():
        assert old in text
        text = text.replace(old, new)
    found = problems_of(write(tmp_path, "hdx.yaml", text))
    assert len(found) == 1, found
    assert found[0].startswith(f"{tmp_path}/{expected}"), found


def test_every_problem_of_a_file_is_given_in_the_order_of_the_file(tmp_path):
    text = GOOD.replace("schedule: DAILY", "schedule: hourly").replace("languages: [en, fr]", "languages: [EN]")
    found = problems_of(write(tmp_path, "hdx.yaml", text + "extra: 1\n"))
    assert [p.split(": ", 2)[1] for p in found] == ["schedule", "languages[0]", "extra"]


def test_packaged_files_are_named_from_harvesters(tmp_path):
    assert sources.shown_name(sources.packaged_folder() / "x.yaml") == "harvesters/x.yaml"
    assert sources.shown_name(tmp_path / "x.yaml") == f"{tmp_path}/x.yaml"


def test_an_empty_file_holds_no_source(tmp_path):
    assert problems_of(write(tmp_path, "empty.yaml", "# nothing yet\n")) == [
        f"{tmp_path}/empty.yaml:1:1: the file holds no source"]


def test_a_secret_value_in_place_of_a_name_is_refused_without_repeating_it(tmp_path):
    found = problems_of(write(tmp_path, "hdx.yaml", GOOD.replace("HDX_TOKEN", TOKEN)))
    assert found == [f"{tmp_path}/hdx.yaml:19:14: secrets.api_token: must be the NAME of an environment variable or "
                     "ini secret (^[A-Z][A-Z0-9_]*$), never the secret itself"]
    assert all(TOKEN not in p for p in found)


def test_secrets_given_as_a_value_are_refused_without_repeating_it(tmp_path):
    found = problems_of(write(tmp_path, "hdx.yaml", GOOD.replace("  api_token: HDX_TOKEN", f"  {TOKEN}")))
    assert found == [f"{tmp_path}/hdx.yaml:19:3: secrets: must be a mapping of option name -> the NAME of an "
                     "environment variable or ini secret"]


def test_an_option_that_is_also_a_secret_is_refused(tmp_path):
    found = problems_of(write(tmp_path, "hdx.yaml", GOOD.replace("  page_size: 500", "  api_token: xyz")))
    assert f'{tmp_path}/hdx.yaml:16:3: options.api_token: "api_token" is a secret: its value never goes into the ' \
           'file' in found


def test_options_are_checked_for_the_sources_type(tmp_path):
    sdmx = MINIMAL.replace("type: dcat", "type: sdmx") + "options: {api: v2, agency: UNSD, id: DF_SDG}\n"
    assert sources.load(write(tmp_path, "sdmx.yaml", sdmx)).options["agency"] == "UNSD"
    dcat = MINIMAL + "options: {api: v2}\n"
    assert problems_of(write(tmp_path, "dcat.yaml", dcat)) == [
        f"{tmp_path}/dcat.yaml:6:11: options.api: unknown key (allowed: format, max_pages, modified_since_param, "
        f"requests_per_second)"]


# ---------------------------------------------------------------- a folder
def test_load_all_reads_the_yaml_files_in_name_order_and_nothing_else(tmp_path):
    write(tmp_path, "b.yaml", MINIMAL.replace("name: portal", "name: bbb"))
    write(tmp_path, "a.yml", MINIMAL.replace("name: portal", "name: aaa"))
    write(tmp_path, "notes.md", "not a source")
    (tmp_path / "fixtures").mkdir()
    write(tmp_path / "fixtures", "c.yaml", "recorded: response")
    assert [(s.name, s.file) for s in sources.load_all(tmp_path)] == [("aaa", "a.yml"), ("bbb", "b.yaml")]


def test_load_all_lists_every_problem_of_every_file(tmp_path):
    write(tmp_path, "one.yaml", MINIMAL.replace("type: dcat", "type: csw"))
    write(tmp_path, "two.yaml", MINIMAL.replace("name: portal", "name: x"))
    write(tmp_path, "three.yaml", MINIMAL.replace("name: portal", "name: fine"))
    with pytest.raises(sources.SourceFileError) as caught:
        sources.load_all(tmp_path)
    assert caught.value.problems == [
        f'{tmp_path}/one.yaml:3:7: type: "csw" is not allowed; allowed: ckan, dcat, sdmx, ppsr, eucs, kobo, odk',
        f'{tmp_path}/two.yaml:1:7: name: "x" does not have the expected form (^[a-z0-9_-]{{2,100}}$)',
    ]


def test_two_files_may_not_define_one_name(tmp_path):
    write(tmp_path, "a.yaml", MINIMAL)
    write(tmp_path, "b.yaml", MINIMAL.replace("title: A portal", "title: Another"))
    with pytest.raises(sources.SourceFileError) as caught:
        sources.load_all(tmp_path)
    assert caught.value.problems == [
        f'{tmp_path}/b.yaml:1:7: name: "portal" is also the name of the source in {tmp_path}/a.yaml']


def test_a_missing_folder_is_a_problem(tmp_path):
    with pytest.raises(sources.SourceFileError, match="no such folder"):
        sources.load_all(tmp_path / "nowhere")


# ---------------------------------------------------------------- secrets
def test_secrets_are_resolved_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("HDX_TOKEN", TOKEN)
    spec = sources.load(write(tmp_path, "hdx.yaml", GOOD))
    resolved = sources.resolve_secrets(spec)
    assert resolved.secrets == {"api_token": TOKEN}
    assert spec.secrets == {} and resolved.secret_names == {"api_token": "HDX_TOKEN"}


def test_secrets_are_resolved_from_the_ini_file(tmp_path, monkeypatch, ckan_config):
    monkeypatch.delenv("HDX_TOKEN", raising=False)
    monkeypatch.setitem(ckan_config, "ckanext.citizendata.harvest.secret.HDX_TOKEN", TOKEN)
    assert sources.resolve_secrets(sources.load(write(tmp_path, "hdx.yaml", GOOD))).secrets == {"api_token": TOKEN}


def test_a_missing_secret_names_its_variable(tmp_path, monkeypatch):
    monkeypatch.delenv("HDX_TOKEN", raising=False)
    spec = sources.load(write(tmp_path, "hdx.yaml", GOOD))
    with pytest.raises(sources.SourceFileError) as caught:
        sources.resolve_secrets(spec)
    assert caught.value.problems == [
        "hdx.yaml: secrets.api_token: neither the environment variable HDX_TOKEN nor the ini option "
        "ckanext.citizendata.harvest.secret.HDX_TOKEN is set"]


# ---------------------------------------------------------------- the stored config and back
def test_the_harvest_config_holds_the_run_settings_and_secret_names_never_values(tmp_path, monkeypatch):
    monkeypatch.setenv("HDX_TOKEN", TOKEN)
    resolved = sources.resolve_secrets(sources.load(write(tmp_path, "hdx.yaml", GOOD)))
    config = sources.harvest_config(resolved)
    assert config == {
        "file": "hdx.yaml", "languages": ["en", "fr"], "priority": 5, "delete_threshold": 60,
        "defaults": {"initiative_type": "community-survey"},
        "rules": [{"when": {"keyword": "public services"}, "set": {"sdg_indicators": ["16.6.2"]}}],
        "options": {"page_size": 500, "fq": "groups:syr"}, "secrets": {"api_token": "HDX_TOKEN"}}
    assert TOKEN not in json.dumps(config)


def package_dict(spec, **changes):
    """A harvest source as harvest_source_show gives it."""
    return dict({"id": "0b6f", "name": spec.name, "title": spec.title, "url": spec.url,
                 "source_type": "citizendata_" + spec.type, "frequency": spec.schedule,
                 "config": json.dumps(sources.harvest_config(spec)), "organization": {"name": spec.organization},
                 "owner_org": "9d1e", "state": "active", "active": True}, **changes)


def test_a_spec_comes_back_from_its_harvest_source(tmp_path):
    spec = sources.load(write(tmp_path, "hdx.yaml", GOOD))
    assert sources.spec_from_source(package_dict(spec)) == spec
    assert sources.spec_from_source(package_dict(spec, active=False)) == dataclasses.replace(spec, active=False)


@pytest.mark.ckan_config("ckanext.citizendata.harvest.delete_threshold", "70")
def test_a_hand_made_source_of_our_type_takes_the_defaults(tmp_path):
    spec = sources.spec_from_source(package_dict(sources.load(write(tmp_path, "p.yaml", MINIMAL)), config=""))
    assert (spec.languages, spec.priority, spec.delete_threshold, spec.rules, spec.file) == (["en"], 0, 0.7, [], "")


def test_a_source_of_another_type_or_a_bad_config_is_refused(tmp_path):
    spec = sources.load(write(tmp_path, "hdx.yaml", GOOD))
    with pytest.raises(sources.SourceFileError, match='type: "ckan" is not a citizendata source type'):
        sources.spec_from_source(package_dict(spec, source_type="ckan"))
    bad = json.dumps(dict(sources.harvest_config(spec), languages=["english"]))
    with pytest.raises(sources.SourceFileError) as caught:
        sources.spec_from_source(package_dict(spec, config=bad))
    assert caught.value.problems == [
        'harvest source hdx: languages[0]: "english" does not have the expected form (^[a-z]{2}$)']


def test_the_example_in_the_harvesters_readme_is_a_valid_source_file(tmp_path):
    readme = (sources.packaged_folder() / "README.md").read_text(encoding="utf-8")
    example = textwrap.dedent(readme.split("```yaml\n", 1)[1].split("```", 1)[0])
    spec = sources.load(write(tmp_path, "city-portal.yaml", example))
    assert (spec.name, spec.type, spec.secret_names) == ("city-portal", "ckan", {"api_token": "CITY_PORTAL_TOKEN"})
