"""The record validator on its own: a table of invalid records, each refused with the right field error."""
import pytest

from ckanext.citizendata.record.validate import StaticVocabularies, close_matches, validate

VOCABS = StaticVocabularies({
    "initiative-types": {"community-survey", "citizen-science", "social-audit"},
    "engagement-stages": {"identify-needs", "design", "collect", "process", "analyse", "disseminate", "use"},
    "engagement-levels": {"1", "2", "3", "4", "5"},
    "actor-types": {"community", "cso", "nso", "public-body", "academia", "international", "private"},
    "sdg": {"16", "16.6", "16.6.1", "16.6.2", "16.7", "16.7.2", "10", "10.3", "10.3.1", "16.b", "16.b.1"},
    "population-groups": {"women-girls", "persons-with-disabilities", "youth"},
    "disaggregation": {"SEX", "AGE", "DISABILITY_STATUS"},
    "collection-methods": {"mobile-app", "web-survey"},
    "recognition-status": {"not-assessed", "complementary-source"},
    "cl-series": {"VC_DSR_MISS"},
    "partner-roles": {"initiator", "funder", "collector", "technical-partner", "nso-partner"},
    "iso-3166-1-alpha-3": {"GHA", "COL", "IRQ", "BRA"},
})

VALID = {
    "initiative_type": "community-survey",
    "engagement": [{"stage": "design", "level": 4, "actors": ["community", "cso"]},
                   {"stage": "collect", "level": 5, "actors": ["community"], "description": "Volunteers"}],
    "sdg_indicators": ["16.6.2", "10.3.1"],
    "population_groups": ["women-girls"],
    "disaggregation": ["SEX", "AGE"],
    "countries": ["GHA", "COL"],
    "collection_methods": ["mobile-app"],
    "sample_size": 1200,
    "probability_sample": True,
    "ethics": {"informed_consent": True, "ethics_review": True, "anonymised": True, "personal_data": True},
    "partners": [{"name": "Ghana Statistical Service", "role": "nso-partner", "actor_type": "nso",
                  "uri": "https://statsghana.gov.gh"}],
    "recognition_status": "complementary-source",
}


def with_changes(**changes):
    record = {k: (v.copy() if isinstance(v, (list, dict)) else v) for k, v in VALID.items()}
    for key, value in changes.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    return record


def test_a_complete_record_is_valid():
    assert validate(VALID, VOCABS) == {}


INVALID = [
    # (changes, field, the exact message)
    ({"initiative_type": None}, "initiative_type", "initiative_type: required"),
    ({"engagement": None}, "engagement", "engagement: required"),
    ({"engagement": []}, "engagement", "engagement: at least 1 item(s) required"),
    ({"initiative_type": "survey"}, "initiative_type",
     'initiative_type: "survey" is not an initiative type; allowed: citizen-science, community-survey, social-audit'),
    ({"sdg_indicators": ["16.6.2", "16.6.9"]}, "sdg_indicators",
     'sdg_indicators[1]: "16.6.9" is not an SDG indicator; close matches: 16.6.1, 16.6.2'),
    ({"sdg_indicators": ["sixteen"]}, "sdg_indicators",
     'sdg_indicators[0]: "sixteen" does not have the expected form (^[0-9]{1,2}\\.[0-9a-z]{1,2}\\.[0-9]{1,2}$)'),
    ({"sdg_indicators": ["16.6.2", "16.6.2"]}, "sdg_indicators",
     "sdg_indicators: values must be unique; a value is repeated"),
    ({"engagement": [{"stage": "desing", "level": 4}]}, "engagement",
     'engagement[0].stage: "desing" is not an engagement stage; close matches: design'),
    ({"engagement": [{"stage": "design", "level": 7}]}, "engagement", "engagement[0].level: 7 is above the maximum 5"),
    ({"engagement": [{"stage": "design", "level": "high"}]}, "engagement",
     'engagement[0].level: expected a whole number, got "high"'),
    ({"engagement": [{"stage": "design"}]}, "engagement", "engagement[0].level: required"),
    ({"engagement": [{"stage": "design", "level": 4, "actors": ["ngo"]}]}, "engagement",
     'engagement[0].actors[0]: "ngo" is not an actor type; close matches: nso'),
    ({"engagement": [{"stage": "design", "level": 4, "who": "x"}]}, "engagement",
     "engagement[0].who: unknown field; allowed: stage, level, actors, description, derived_from"),
    ({"engagement": [{"stage": "design", "level": 4}, {"stage": "design", "level": 2}]}, "engagement",
     'engagement[1].stage: "design" appears twice; one entry per stage'),
    ({"countries": ["GHN"]}, "countries",
     'countries[0]: "GHN" is not an ISO 3166-1 alpha-3 country code; close matches: GHA'),
    ({"countries": ["gha"]}, "countries", 'countries[0]: "gha" does not have the expected form (^[A-Z]{3}$)'),
    ({"sample_size": -5}, "sample_size", "sample_size: -5 is below the minimum 0"),
    ({"sample_size": "many"}, "sample_size", 'sample_size: expected a whole number, got "many"'),
    ({"sample_size": None}, "sample_size", "sample_size: required when probability_sample is true"),
    ({"probability_sample": "maybe"}, "probability_sample",
     'probability_sample: expected true or false, got "maybe"'),
    ({"ethics": {"personal_data": True}}, "ethics",
     "ethics.personal_data: personal or sensitive data need informed_consent or ethics_review to be true"),
    ({"ethics": {"consent": True}}, "ethics",
     "ethics.consent: unknown field; allowed: informed_consent, ethics_review, anonymised, personal_data"),
    ({"ethics": "yes"}, "ethics", 'ethics: expected an object, got "yes"'),
    ({"partners": [{"name": "X", "role": "boss"}]}, "partners",
     'partners[0].role: "boss" is not a partner role; allowed: collector, funder, initiator, nso-partner, technical-partner'),
    ({"partners": [{"role": "funder"}]}, "partners", "partners[0].name: required"),
    ({"partners": [{"name": "X", "role": "funder", "uri": "ftp://x"}]}, "partners",
     'partners[0].uri: "ftp://x" does not have the expected form (^https?://)'),
    ({"population_groups": ["women"]}, "population_groups",
     'population_groups[0]: "women" is not a population group; close matches: women-girls'),
    ({"disaggregation": ["GENDER"]}, "disaggregation",
     'disaggregation[0]: "GENDER" is not a disaggregation dimension; allowed: AGE, DISABILITY_STATUS, SEX'),
    ({"recognition_status": "approved"}, "recognition_status",
     'recognition_status: "approved" is not a recognition status; allowed: complementary-source, not-assessed'),
    ({"collection_methods": ["web"]}, "collection_methods",
     'collection_methods[0]: "web" is not a collection method; close matches: web-survey'),
    ({"sdg_series": ["VC_DSR"]}, "sdg_series",
     'sdg_series[0]: "VC_DSR" is not an SDG series code; close matches: VC_DSR_MISS'),
]


@pytest.mark.parametrize("changes, field, message", INVALID, ids=[m for _, _, m in INVALID])
def test_invalid_records_name_the_field_and_the_rule(changes, field, message):
    errors = validate(with_changes(**changes), VOCABS)
    assert message in errors.get(field, []), errors
    assert set(errors) == {field}, errors


def test_derived_fields_in_input_are_ignored():
    assert validate(with_changes(meets_copenhagen_definition="garbage", sdg_goals="x"), VOCABS) == {}


def test_unloaded_vocabulary_is_reported_not_silently_passed():
    errors = validate(VALID, StaticVocabularies({}))
    assert "cannot be checked: vocabulary initiative-types is not loaded" in errors["initiative_type"][0]


def test_close_matches():
    assert close_matches("16.6.9", frozenset({"16.6.1", "16.6.2", "16.9.1", "1.6.9"})) == ["16.6.1", "16.6.2"]
    assert close_matches("zzz", frozenset({"design", "collect"})) == []


def test_a_harvested_record_need_not_state_the_required_fields_but_what_it_states_is_checked():
    assert set(validate({}, VOCABS)) == {"initiative_type", "engagement"}
    assert validate({}, VOCABS, harvested=True) == {}
    errors = validate({"sdg_indicators": ["16.6.9"], "engagement": [{"level": 4}]}, VOCABS, harvested=True)
    assert set(errors) == {"sdg_indicators", "engagement"}
    assert errors["engagement"] == ["engagement[0].stage: required"]


@pytest.mark.parametrize("field", ["contact", "publisher"])
def test_an_e_mail_address_of_a_contact_or_publisher_is_checked(field):
    errors = validate(with_changes(**{field: [{"name": "A", "email": "a@b.org"}, {"email": "not-an-email"}]}),
                      VOCABS, with_paths=True)
    assert [(path, message) for path, message in errors] == [
        ([field, 1, "email"], f'{field}[1].email: "not-an-email" is not an e-mail address (name@domain.example)')]
    assert errors[0][1].rule == "email" and errors[0][1].params == {"value": "not-an-email"}


def test_a_harvested_record_is_not_refused_for_an_e_mail_address():
    """The harvest mappings drop an address that is not one (ingest/harvest/values.py EMAIL, the same rule)."""
    assert validate(with_changes(contact=[{"email": "not-an-email"}]), VOCABS, harvested=True) == {}


def test_every_message_names_its_rule_for_the_form():
    errors = validate(with_changes(initiative_type=None, sample_size="many",
                                   engagement=[{"stage": "design", "level": 4}, {"stage": "design", "level": 5}]),
                      VOCABS, with_paths=True)
    rules = {str(path): message.rule for path, message in errors}
    assert rules["['initiative_type']"] == "required" and rules["['sample_size']"] == "type"
    assert rules["['engagement', 1, 'stage']"] == "unique_stage"
