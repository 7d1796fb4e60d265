"""ingest/harvest/ppsr_schema.py: the vendored PPSR Core JSON Schema (unchanged, as its attribution says; its stray
Windows-1252 bytes read), widened by the PMM extension attributes; ``check`` drops each violating value with a
warning naming the path and the rule, refuses a project without a usable projectId or projectName, and reads
the schema's quirks as documented."""
import copy
import hashlib
import json
import pathlib
import re

import pytest

from ckanext.citizendata.ingest.harvest import ppsr_schema
from ckanext.citizendata.ingest.harvest.ppsr_schema import MappingError, check, json_path, m49_code

ROOT = pathlib.Path(__file__).resolve().parents[3]
STANDARD = ROOT / "harvesters" / "standards" / "ppsr-core"
FIXTURES = ROOT / "harvesters" / "fixtures" / "ppsr"


def projects():
    return json.loads((FIXTURES / "projects.json").read_text(encoding="utf-8"))


def globe():
    return copy.deepcopy(projects()[0])


def minimal(**more):
    return {"projectId": "17000", "projectName": "Globe at Night", **more}


def dropped(project, warnings):
    """The warnings other than the one about missing mandatory attributes."""
    return [w for w in warnings if "(required)" not in w]


# ---------------------------------------------------------------- the vendored files
def test_the_vendored_schema_is_the_file_its_attribution_names():
    attribution = (STANDARD / "ATTRIBUTION.md").read_text(encoding="utf-8")
    digest = hashlib.sha256((STANDARD / "PPSR_JSONSchema.json").read_bytes()).hexdigest()
    assert f"SHA-256 `{digest}`" in attribution
    assert "citizen-science-association/ppsr-core" in attribution and "GNU General Public License" in attribution


def test_the_schemas_stray_bytes_are_read_as_windows_1252_dashes():
    raw = (STANDARD / "PPSR_JSONSchema.json").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")                       # the copy is unchanged: the quirk is still there
    regions = ppsr_schema.project_schema()["properties"]["unRegions"]["items"]["enum"]
    assert "Americas \u2013 South America (005)" in regions and "World (001)" in regions


def test_the_project_schema_is_the_standards_item_with_the_extension_attributes():
    schema = ppsr_schema.project_schema()
    standard = json.loads(ppsr_schema._decoded((STANDARD / "PPSR_JSONSchema.json").read_bytes()))
    core = standard["properties"]["Project"]["items"]["properties"]
    extensions = json.loads((STANDARD / "PMM_extensions.schema.json").read_text(encoding="utf-8"))["properties"]
    assert set(schema["properties"]) == set(core) | set(extensions)
    assert {"scientificProcessInvolved", "projectTask", "projectAssociatedParty", "projectFunding",
            "projectCountry", "projectExternalId", "projectOriginalRepository"} <= set(extensions)
    assert set(core).isdisjoint(extensions)
    assert schema["additionalProperties"] is False and schema["required"] == \
        standard["properties"]["Project"]["items"]["required"]
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"


# ---------------------------------------------------------------- check
def test_a_complete_project_passes_unchanged_and_is_not_modified_in_place():
    project = globe()
    before = copy.deepcopy(project)
    checked, warnings = check(project)
    assert (checked, warnings) == (before, [])
    assert project == before


@pytest.mark.parametrize("change, warning, gone", [
    ({"projectStatus": "Ongoing"},
     'projectStatus: "Ongoing" is not one of the values PMM 2020.0 allows (enum); dropped', "projectStatus"),
    ({"projectStartDate": "sometime in 2019"},
     'projectStartDate: "sometime in 2019" is not a date-time (format); dropped', "projectStartDate"),
    ({"projectUrl": "www.example.org/pond"},
     'projectUrl: "www.example.org/pond" is not a uri (format); dropped', "projectUrl"),
    ({"keyword": ["birds", "bats"]},
     'keyword: ["birds", "bats"] is not of the type PMM 2020.0 gives it, string (type); dropped', "keyword"),
    ({"projectColour": "green"},
     "projectColour: not an attribute of PPSR Core PMM 2020.0 (additionalProperties); dropped", "projectColour"),
    ({"numberOfScientificPublications": -1},
     "numberOfScientificPublications: -1 breaks the schema's minimum rule (minimum); dropped",
     "numberOfScientificPublications"),
])
def test_a_value_that_breaks_the_schema_is_dropped_with_its_path_and_rule(change, warning, gone):
    checked, warnings = check({**globe(), **change})
    assert warnings == [warning]
    assert gone not in checked
    assert checked["projectName"] == "Globe at Night"


def test_list_items_and_nested_values_are_dropped_one_by_one():
    project = {**globe(), "hasTag": ["Free pizza", "Suitable for children", "Open bar"],
               "contactPoint": {**globe()["contactPoint"], "meansOfContact": "Fax", "fax": "+00"},
               "projectAssociatedParty": [{"projectAssociatedPartyName": "A", "projectAssociatedPartyRole": 7},
                                          {"projectAssociatedPartyName": "B", "projectAssociatedPartyRole": "Partner"}]}
    checked, warnings = check(project)
    assert checked["hasTag"] == ["Suitable for children"]
    assert checked["contactPoint"] == {"contactName": "Globe at Night team",
                                       "contactDetails": "globe-at-night@example.org",
                                       "contactPointType": "General enquiries"}
    assert checked["projectAssociatedParty"] == [{"projectAssociatedPartyName": "A"},
                                                 {"projectAssociatedPartyName": "B",
                                                  "projectAssociatedPartyRole": "Partner"}]
    assert warnings == [
        "contactPoint.fax: not an attribute of PPSR Core PMM 2020.0 (additionalProperties); dropped",
        'contactPoint.meansOfContact: "Fax" is not one of the values PMM 2020.0 allows (enum); dropped',
        'hasTag[0]: "Free pizza" is not one of the values PMM 2020.0 allows (enum); dropped',
        'hasTag[2]: "Open bar" is not one of the values PMM 2020.0 allows (enum); dropped',
        "projectAssociatedParty[0].projectAssociatedPartyRole: 7 is not of the type PMM 2020.0 gives it, string "
        "(type); dropped"]


def test_missing_mandatory_attributes_are_one_warning_per_object():
    checked, warnings = check(minimal(contactPoint={"contactName": "Team"}))
    assert checked == minimal(contactPoint={"contactName": "Team"})
    assert warnings == [
        "(project): missing the attributes PMM 2020.0 makes mandatory (required): language, projectAim, "
        "projectDateCreated, projectDescription, projectDuration, projectGeographicLocation, projectLastUpdatedDate, "
        "projectMedia, "
        "projectResponsiblePartyContactEmail, projectResponsiblePartyName, projectScienceType, projectStartDate, "
        "projectStatus",
        "contactPoint: missing the attributes PMM 2020.0 makes mandatory (required): contactDetails, "
        "contactPointType, meansOfContact"]


def test_a_date_alone_passes_as_a_date_time():
    assert dropped(*check(minimal(projectStartDate="2006-03-01", projectDateCreated="2014-04-09"))) == []
    assert dropped(*check(minimal(projectStartDate="2006-03-01T00:00:00Z"))) == []


def test_unregions_values_with_an_m49_code_are_kept_for_their_code_and_others_dropped():
    checked, warnings = check(minimal(unRegions=["840", 404, "Americas - South America (005)", "World (001)",
                                                 "Narnia"]))
    assert checked["unRegions"] == ["840", 404, "Americas - South America (005)", "World (001)"]
    assert dropped(checked, warnings) == [
        'unRegions[4]: "Narnia" is not one of the values PMM 2020.0 allows (enum); dropped']


def test_a_numeric_project_id_is_read_as_text_with_a_warning():
    checked, warnings = check(minimal(projectId=17000))
    assert checked["projectId"] == "17000"
    assert warnings[0] == "projectId: 17000 is a number; PMM 2020.0 makes it text (type); read as '17000'"


def test_the_schemas_end_date_and_duration_rule_is_applied_as_written():
    # "Unknown" end date: the duration must be "Unknown" too; a known end: an ISO 8601 duration
    assert dropped(*check(minimal(projectEndDate="Unknown", projectDuration="Unknown"))) == []
    assert dropped(*check(minimal(projectEndDate="2023-06-30", projectDuration="P1Y"))) == []
    _checked, warnings = check(minimal(projectEndDate="2023-06-30", projectDuration="a year"))
    assert dropped(_checked, warnings) == ['projectDuration: "a year" is not a duration (format); dropped']
    # no end date reads as the "Unknown" branch (the schema's `if` has no `required`)
    checked, warnings = check(minimal(projectDuration="P2Y"))
    assert "projectDuration" not in checked
    assert dropped(checked, warnings) == ['projectDuration: "P2Y" does not match ^Unknown$ (pattern); dropped']


@pytest.mark.parametrize("project, why", [
    ({"projectId": "17000"}, "projectName: missing; PMM 2020.0 requires it (required)"),
    ({"projectName": "Globe at Night"}, "projectId: missing; PMM 2020.0 requires it (required)"),
    (minimal(projectName=42), "projectName: 42 is not of the type PMM 2020.0 gives it, string (type)"),
    (minimal(projectId={"id": 1}), 'projectId: {"id": 1} is not of the type PMM 2020.0 gives it, string (type)'),
    (minimal(projectId=True), "projectId: true is not of the type PMM 2020.0 gives it, string (type)"),
    (["not", "an", "object"], "the project is not a JSON object (type)"),
    ("17000", "the project is not a JSON object (type)"),
])
def test_a_project_without_a_usable_id_or_name_is_refused_naming_the_path_and_rule(project, why):
    with pytest.raises(MappingError) as raised:
        check(project)
    assert str(raised.value) == why


@pytest.mark.parametrize("value, code", [("Europe - Western Europe (155)", 155), ("Asia - Central Asia 143)", 143),
                                         ("840", 840), (840, 840), ("World (001)", 1), (" 404 ", 404),
                                         ("Kenya", None), (True, None), (None, None), ("12345", None)])
def test_m49_codes_are_read_from_region_names_and_bare_codes(value, code):
    assert m49_code(value) == code


def test_json_paths_name_keys_and_positions():
    assert json_path([]) == "(project)"
    assert json_path(["unRegions", 2]) == "unRegions[2]"
    assert json_path(["projectFunding", 0, "projectFundingSourceType", "fundingSourceTypeSubsetA"]) == \
        "projectFunding[0].projectFundingSourceType.fundingSourceTypeSubsetA"


def test_every_fixture_project_is_checked_without_an_error_of_the_code():
    for path in sorted(FIXTURES.glob("*.json")):
        body = json.loads(path.read_text(encoding="utf-8"))
        items = body["Project"] if isinstance(body, dict) and "Project" in body else \
            body if isinstance(body, list) else [body]
        for project in items:
            try:
                checked, warnings = check(project)
            except MappingError as err:
                assert re.match(r"^(projectName|projectId|the project)", str(err)), (path.name, str(err))
                continue
            assert all(re.search(r"\((enum|type|format|pattern|required|additionalProperties|minimum)\)", w)
                       for w in warnings), (path.name, warnings)
