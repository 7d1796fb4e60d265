"""ingest/harvest/rules.py: which records a rule's condition matches, how its values join the record's (source >
rules > defaults), and which fields a rule may set."""
import copy

import pytest

from ckanext.citizendata.ingest.harvest import rules

PUBLIC_SERVICES = {"when": {"keyword": "public services"}, "set": {"sdg_indicators": ["16.6.2"]}}
GOVERNMENT = "http://publications.europa.eu/resource/authority/data-theme/GOVE"


def matching(record, condition):
    return rules.matches(record, condition)


# ---------------------------------------------------------------- conditions
@pytest.mark.parametrize("tags, expected", [
    ([{"name": "Public Services"}], True),               # case-insensitive
    (["public   services"], True),                       # spaces folded; tags as plain strings
    ([{"name": "Public services delivery"}], True),      # the words within a tag
    ([{"name": "services"}], False),
    ([{"name": "public servicesx"}], False),             # whole words only
    ([], False),
])
def test_keyword_matches_the_words_within_a_tag(tags, expected):
    assert matching({"tags": tags}, {"keyword": "public services"}) is expected


def test_keyword_reads_tag_string_and_takes_a_list_of_which_one_must_match():
    record = {"tag_string": "water,Health care"}
    assert matching(record, {"keyword": ["sanitation", "health"]})
    assert not matching(record, {"keyword": ["sanitation", "healthy"]})


@pytest.mark.parametrize("tag, expected", [("health", True), ("HEALTH", True), ("public health", False),
                                           ("heal", False)])
def test_tag_matches_a_whole_tag_only(tag, expected):
    assert matching({"tags": [{"name": "Health"}, {"name": "water"}]}, {"tag": tag}) is expected


def test_title_contains_is_a_case_insensitive_substring():
    record = {"title": "Satisfaction with PUBLIC services, 2023"}
    assert matching(record, {"title_contains": "public services"})
    assert matching(record, {"title_contains": ["budget", "satisfaction"]})
    assert not matching(record, {"title_contains": "budget"})
    assert not matching({}, {"title_contains": "x"})


def test_theme_matches_an_iri_exactly():
    record = {"theme": [GOVERNMENT]}
    assert matching(record, {"theme": GOVERNMENT})
    assert matching(record, {"theme": ["http://example.org/other", GOVERNMENT]})
    assert not matching(record, {"theme": GOVERNMENT.lower()})
    assert not matching(record, {"theme": GOVERNMENT + "/"})


def test_every_key_of_a_condition_must_hold_and_any_needs_one():
    record = {"title": "Clinic queues", "tags": [{"name": "health"}]}
    assert matching(record, {"tag": "health", "title_contains": "clinic"})
    assert not matching(record, {"tag": "health", "title_contains": "school"})
    assert matching(record, {"any": [{"tag": "water"}, {"title_contains": "clinic"}]})
    assert not matching(record, {"any": [{"tag": "water"}, {"title_contains": "school"}]})


def test_an_empty_condition_matches_nothing():
    assert not matching({"title": "x"}, {})
    assert rules.apply({"title": "x"}, [{"when": {}, "set": {"sdg_indicators": ["1.1.1"]}}], {}) == {"title": "x"}


# ---------------------------------------------------------------- setting values
def test_list_values_join_the_records_own_in_order_without_duplicates():
    record = {"tags": [{"name": "public services"}], "sdg_indicators": ["3.8.1", "16.6.2"]}
    rule = {"when": {"keyword": "public services"}, "set": {"sdg_indicators": ["16.6.2", "16.7.2", "1.4.1"]}}
    assert rules.apply(record, [rule], {})["sdg_indicators"] == ["3.8.1", "16.6.2", "16.7.2", "1.4.1"]


def test_list_items_that_are_objects_are_not_repeated():
    engagement = {"stage": "collect", "level": 4, "actors": ["community"]}
    record = {"tags": ["survey"], "engagement": [copy.deepcopy(engagement)]}
    rule = {"when": {"tag": "survey"},
            "set": {"engagement": [{"actors": ["community"], "level": 4, "stage": "collect"},
                                   {"stage": "design", "level": 2, "actors": ["nso"]}]}}
    assert rules.apply(record, [rule], {})["engagement"] == [engagement,
                                                               {"stage": "design", "level": 2, "actors": ["nso"]}]


def test_the_sources_scalar_wins_over_a_rule():
    record = {"tags": ["audit"], "initiative_type": "community-survey"}
    rule = {"when": {"tag": "audit"}, "set": {"initiative_type": "social-audit"}}
    assert rules.apply(record, [rule], {})["initiative_type"] == "community-survey"
    assert rules.apply(dict(record, initiative_type=""), [rule], {})["initiative_type"] == "social-audit"


def test_of_two_matching_rules_the_first_scalar_wins_and_both_lists_join():
    first = {"when": {"tag": "audit"}, "set": {"initiative_type": "social-audit", "sdg_indicators": ["16.5.1"]}}
    second = {"when": {"tag": "audit"}, "set": {"initiative_type": "community-survey", "sdg_indicators": ["16.6.2"]}}
    result = rules.apply({"tags": ["audit"]}, [first, second], {})
    assert result["initiative_type"] == "social-audit"
    assert result["sdg_indicators"] == ["16.5.1", "16.6.2"]


def test_defaults_fill_only_what_neither_the_source_nor_a_rule_gave():
    defaults = {"initiative_type": "public-service-feedback", "countries": ["BRA"], "recognition_status": "official",
                "sdg_indicators": ["1.1.1"]}
    record = {"tags": ["public services"], "countries": ["ARG"], "recognition_status": ""}
    result = rules.apply(record, [PUBLIC_SERVICES], defaults)
    assert result["initiative_type"] == "public-service-feedback"    # nobody gave one
    assert result["countries"] == ["ARG"]                              # the source's
    assert result["recognition_status"] == "official"                 # empty counts as missing
    assert result["sdg_indicators"] == ["16.6.2"]                     # the rule's, not the default's
    rule = {"when": {"tag": "public services"}, "set": {"initiative_type": "social-audit"}}
    assert rules.apply(record, [rule], defaults)["initiative_type"] == "social-audit"


def test_conditions_read_the_record_as_the_source_gave_it():
    """A rule does not match on what an earlier rule set."""
    first = {"when": {"tag": "x"}, "set": {"theme": [GOVERNMENT]}}
    second = {"when": {"theme": GOVERNMENT}, "set": {"sdg_indicators": ["16.6.2"]}}
    assert "sdg_indicators" not in rules.apply({"tags": ["x"]}, [first, second], {})


def test_apply_changes_neither_its_arguments_nor_shares_values_with_them():
    record = {"tags": [{"name": "public services"}], "sdg_indicators": ["3.8.1"]}
    rule_list, defaults = [copy.deepcopy(PUBLIC_SERVICES)], {"countries": ["BRA"]}
    before = copy.deepcopy((record, rule_list, defaults))
    result = rules.apply(record, rule_list, defaults)
    result["countries"].append("ARG")
    result["tags"].append({"name": "other"})
    assert (record, rule_list, defaults) == before
    assert result["sdg_indicators"] == ["3.8.1", "16.6.2"]


def test_a_record_that_matches_nothing_comes_back_equal():
    record = {"title": "Bus stops", "tags": [{"name": "transport"}]}
    assert rules.apply(record, [PUBLIC_SERVICES], {}) == record


# ---------------------------------------------------------------- which fields a rule may set
def test_rules_on_record_and_scheming_fields_pass_the_check():
    good = [{"when": {"tag": "x"}, "set": {"sdg_indicators": ["16.6.2"], "initiative_type": "social-audit",
                                           "population_groups": ["youth"], "engagement": [],
                                           "theme": [GOVERNMENT], "language": ["es"], "notes": "text"}}]
    assert rules.check_rules(good) == []


def test_the_check_names_the_rule_the_field_and_why():
    bad = [{"when": {"tag": "x"}, "set": {"sdg_indicators": ["16.6.2"]}},
           {"when": {"tag": "y"}, "set": {"sdg_goals": ["16"], "colour": "red", "owner_org": "someone",
                                          "sdg_indicators": "16.6.2", "initiative_type": ["social-audit"]}}]
    assert rules.check_rules(bad) == [
        'rules[1].set.sdg_goals: "sdg_goals" is derived from other fields',
        'rules[1].set.colour: "colour" is not a field of the record (citizen-data-record.schema.json) or of '
        'the dataset schema',
        'rules[1].set.owner_org: "owner_org" is set by the harvest engine, not by a source file',
        'rules[1].set.sdg_indicators: "sdg_indicators" takes a list',
        'rules[1].set.initiative_type: "initiative_type" takes one value, not a list',
    ]


def test_the_engine_sets_name_and_organization_and_rules_cannot():
    assert {"name", "owner_org", "id"} & rules.settable_fields() == set()
    assert {"title", "notes", "theme", "sdg_indicators", "engagement"} <= rules.settable_fields()
