"""ingest/harvest/mapping.py: the mapping tables of harvesters/mappings/ are read as data; every target they name is
a concept of our vocabularies; engagement is derived only from stated values, one entry per stage, each naming its
rule; a value no table lists is a warning, never a guess."""
import pathlib

import pytest
from rdflib.namespace import SKOS

from ckanext.citizendata.ingest.harvest import mapping
from ckanext.citizendata.vocab.integrity import load_scheme_files

ROOT = pathlib.Path(__file__).resolve().parents[3]

TABLE = """
platform: Example registry
tables:
  task:
    label: participation tasks
    to: engagement
    values:
      Data collection: {stage: collect, level: 3, actors: [community]}
      Co-design:       {stage: design, level: 4, actors: [community, cso]}
      Protocol design: {stage: design, level: 2}
      Other: null
  process:
    label: scientific processes
    to: engagement
    values:
      Measurement: {stage: collect, level: 4}
  role:
    label: party roles
    to: partner-roles
    values:
      Sponsor/funder: funder
      Stakeholder: null
  status:
    label: statuses
    to: status
    values:
      Completed: completed
"""


@pytest.fixture
def tables(tmp_path, monkeypatch):
    (tmp_path / "example.yaml").write_text(TABLE, encoding="utf-8")
    monkeypatch.setattr(mapping, "folder", lambda: tmp_path)
    mapping.tables.cache_clear()
    yield tmp_path
    mapping.tables.cache_clear()


def test_each_stage_once_with_the_highest_stated_level_and_the_rule_that_derived_it(tables):
    entries, warnings = mapping.engagement("example", {"task": ["Data collection", "Protocol design", "Co-design"],
                                                      "process": ["measurement"]})
    assert warnings == []
    assert [(e["stage"], e["level"]) for e in entries] == [("collect", 4), ("design", 4)]
    collect, design = entries
    assert collect["actors"] == ["community"]
    assert design["actors"] == ["community", "cso"]
    assert collect["derived_from"] == ("derived from the source's participation tasks: Data collection; scientific "
                                       "processes: measurement (mapping table example.yaml: task, process)")
    assert "Protocol design, Co-design" in design["derived_from"]


def test_nothing_is_derived_from_values_mapped_to_null_or_from_no_values(tables):
    assert mapping.engagement("example", {"task": ["Other"], "process": []}) == ([], [])
    assert mapping.engagement("example", {"task": [None, "", {"a": 1}, ["x"]]}) == ([], [])


def test_an_unknown_value_is_a_warning_naming_the_table_and_is_ignored(tables):
    entries, warnings = mapping.engagement("example", {"task": ["Data collection", "Dancing"]})
    assert [e["stage"] for e in entries] == ["collect"]
    assert warnings == ["task: 'Dancing' is not in the mapping table example.yaml; ignored"]
    assert mapping.unknown("example", "task", ["Dancing", "data  COLLECTION", "Other"]) == ["Dancing"]


def test_given_actors_replace_the_tables(tables):
    entries, _ = mapping.engagement("example", {"task": ["Co-design"]}, actors=["nso"])
    assert entries[0]["actors"] == ["nso"]


def test_concepts_are_looked_up_with_case_and_spacing_folded(tables):
    assert mapping.concept("example", "role", "  sponsor/FUNDER ") == ("funder", None)
    assert mapping.concept("example", "role", "Stakeholder") == (None, None)
    assert mapping.concept("example", "role", "Agent") == (
        None, "role: 'Agent' is not in the mapping table example.yaml; ignored")
    assert mapping.concept("example", "role", None) == (None, None)


def test_coverage_counts_distinct_values_that_map_to_something(tables):
    assert mapping.coverage("example", "task", ["Data collection", "Other", "Dancing", "data collection"]) == (1, 3)


@pytest.mark.parametrize("body, named", [
    ("tables: {t: {to: engagement, values: {A: {stage: collect}}}}", "tables.t.values.A: must be null or"),
    ("tables: {t: {to: engagement, values: {A: {stage: collect, level: true}}}}", "tables.t.values.A"),
    ("tables: {t: {to: engagement, values: {A: {stage: collect, level: 3, why: x}}}}", "tables.t.values.A"),
    ("tables: {t: {to: partner-roles, values: {A: [funder]}}}", "a concept's notation"),
    ("tables: {t: {to: status, values: {A: finished}}}", "one of planned, active"),
    ("tables: {t: {to: colours, values: {}}}", "tables.t: needs `to`"),
    ("tables: [1, 2]", "has no `tables` mapping"),
    ("tables: {t: [", "cannot be read"),
])
def test_a_bad_table_is_refused_naming_the_file_and_entry(tables, body, named):
    (tables / "bad.yaml").write_text(body, encoding="utf-8")
    with pytest.raises(mapping.MappingTableError, match="bad.yaml") as err:
        mapping.tables("bad")
    assert named in str(err.value)


def test_a_missing_file_or_table_is_an_error(tables):
    with pytest.raises(mapping.MappingTableError, match="nowhere.yaml: cannot be read"):
        mapping.tables("nowhere")
    with pytest.raises(mapping.MappingTableError, match="has no table for colour"):
        mapping.table("example", "colour")


# ---------------------------------------------------------------- the shipped tables


@pytest.fixture(scope="module")
def notations():
    graphs = load_scheme_files(str(ROOT / "vocabularies"))
    return {scheme: {str(n) for n in graph.objects(None, SKOS.notation)} for scheme, graph in graphs.items()}


def test_the_shipped_tables_are_the_packaged_ones_and_there_is_one_per_new_platform():
    assert mapping.folder().resolve() == (ROOT / "harvesters" / "mappings").resolve()
    assert {p.stem for p in mapping.folder().glob("*.yaml")} >= {
        "ppsr-core", "eu-citizen-science", "kobotoolbox", "odk-central"}


def test_every_target_of_every_shipped_table_is_one_of_our_concepts(notations):
    problems = []
    for rows, value, mapped in mapping.targets():
        if mapped is None or rows.to == mapping.STATUS:
            continue
        if rows.to == mapping.ENGAGEMENT:
            wanted = [("engagement-stages", mapped["stage"]), ("engagement-levels", str(mapped["level"]))]
            wanted += [("actor-types", actor) for actor in mapped.get("actors", [])]
        else:
            wanted = [(rows.to, mapped)]
        problems += [f"{rows.platform}.yaml {rows.field} {value!r}: {code!r} is not in {scheme}"
                     for scheme, code in wanted if code not in notations[scheme]]
    assert problems == []
    assert len(list(mapping.targets())) > 20
