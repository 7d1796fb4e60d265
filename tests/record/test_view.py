"""record/view.py: the record view, made once per package dict; record_of; the effective record a validator
checks."""
import copy

import pytest
from ckan.tests import factories, helpers

from ckanext.citizendata.record.inherit import SeriesLookup
from ckanext.citizendata.record.view import MARK, WITHHELD, effective, is_made, make, record_of

from .test_inherit import setup  # noqa: F401

pytestmark = pytest.mark.usefixtures("clean_db")


def test_without_an_initiative_the_required_fields_are_required(setup):
    with pytest.raises(helpers.logic.ValidationError) as err:
        helpers.call_action("package_create", context=dict(setup["context"]), name="orphan", notes="x",
                            owner_org=setup["org"]["id"])
    assert err.value.error_dict["engagement"] == ["engagement: required"]
    assert err.value.error_dict["initiative_type"] == ["initiative_type: required"]


# ---------------------------------------------------------------- make()
def test_make_coerces_and_derives_in_place():
    stored = {"type": "dataset", "title": "T", "sample_size": "120", "sdg_indicators": '["16.6.2"]',
              "countries": "GHA", "engagement": [{"stage": "collect", "level": "5"}]}
    made = make(stored)
    assert made is stored and is_made(made)
    assert made["sample_size"] == 120 and made["sdg_indicators"] == ["16.6.2"] and made["countries"] == ["GHA"]
    assert made["engagement"] == [{"stage": "collect", "level": 5}]
    assert (made["sdg_targets"], made["sdg_goals"], made["m49"], made["meets_copenhagen_definition"]) == \
        (["16.6"], ["16"], ["288"], True)
    assert made[MARK] == [] and made["title"] == "T"


def test_a_made_dict_is_returned_as_it_is():
    """package_show's copy from the index, the index's document, the DCAT profile's input: not made twice."""
    made = {MARK: [], "sdg_indicators": ["16.6.2"], "sdg_goals": ["99"], "sample_size": "120"}
    before = copy.deepcopy(made)
    assert make(made) is made
    assert made == before  # the derived value there is not recomputed, nothing is coerced or added


def test_making_twice_changes_nothing_the_second_time():
    made = make({"sdg_indicators": ["16.6.2"], "engagement": [{"stage": "design", "level": 4}]})
    made["sdg_goals"] = ["kept"]
    assert make(made)["sdg_goals"] == ["kept"]


def test_other_dataset_types_are_not_records():
    harvest_source = {"type": "harvest", "sample_size": "120"}
    assert make(harvest_source) == {"type": "harvest", "sample_size": "120"}


def test_a_dataset_in_an_initiative_is_made_with_what_it_inherits(setup):
    stored = {"type": "dataset", "in_series": f'["{setup["series"]["id"]}"]', "sdg_indicators": '["16.7.2"]',
              "initiative_type": ""}
    made = make(stored, SeriesLookup())
    assert made["initiative_type"] == "public-service-feedback" and made["countries"] == ["GHA"]
    assert made["sdg_indicators"] == ["16.7.2"]  # its own
    assert made["sdg_goals"] == ["16"] and made["sdg_targets"] == ["16.7"]  # derived from its own indicators
    assert made["meets_copenhagen_definition"] is True and made["m49"] == ["288"]  # from what it inherits
    assert set(made[MARK]) == {"initiative_type", "engagement", "countries", "partners", "recognition_status"}


@pytest.mark.parametrize("member_private, member_org, gives", [
    (True, "own", True),        # a private member of the initiative's organization: its readers may read it
    (False, "own", False),      # a public member: anyone reads it
    (True, "other", False),     # a private member of another organization: its readers may not
])
def test_a_private_initiative_gives_only_to_private_members_of_its_organization(setup, member_private, member_org,
                                                                               gives):
    helpers.call_action("package_patch", context=dict(setup["context"]), id="ghana-pss-app", private=True)
    owner = setup["org"]["id"] if member_org == "own" else factories.Organization()["id"]
    stored = {"type": "dataset", "in_series": [setup["series"]["id"]], "private": member_private,
              "owner_org": owner}
    made = make(stored, SeriesLookup())
    assert ("countries" in made) is gives
    assert made.get(WITHHELD) == (None if gives else [setup["series"]["id"]])
    assert bool(made[MARK]) is gives


def test_an_initiative_inherits_nothing(setup):
    made = make({"type": "dataset_series", "in_series": [setup["series"]["id"]]}, SeriesLookup())
    assert made[MARK] == [] and "initiative_type" not in made


# ---------------------------------------------------------------- record_of()
def test_record_of_a_made_dict_takes_its_fields_as_they_are():
    made = {MARK: ["countries"], "title": "T", "sdg_indicators": ["16.6.2"], "sdg_goals": ["99"],
            "sample_size": "120", "countries": ["GHA"], "population_groups": []}
    assert record_of(made) == {"sdg_indicators": ["16.6.2"], "sdg_goals": ["99"], "sample_size": "120",
                               "countries": ["GHA"]}


def test_record_of_another_dict_coerces_and_computes_what_it_lacks(setup):
    built = {"title": "T", "sdg_indicators": '["16.6.2"]', "sample_size": "120", "sdg_goals": ["7"],
             "countries": "", "in_series": [setup["series"]["id"]]}
    assert record_of(built) == {
        "sdg_indicators": ["16.6.2"], "sample_size": 120,
        "sdg_goals": ["7"],                      # given: kept
        "sdg_targets": ["16.6"], "m49": [], "meets_copenhagen_definition": False,   # computed
    }  # no initiative read: nothing inherited
    assert not is_made(built)


# ---------------------------------------------------------------- effective()
def test_effective_without_initiatives_is_the_record_itself():
    record = {"sample_size": 3}
    assert effective(record, [], {}) == (record, []) and effective(record, [], {})[0] is record


def test_effective_with_initiatives_adds_what_they_give(setup):
    record = {"initiative_type": "social-audit"}
    result, withheld = effective(record, ["ghana-pss-app", "no-such-initiative"], {"private": False}, SeriesLookup())
    assert result["initiative_type"] == "social-audit" and result["countries"] == ["GHA"]
    assert result["engagement"] == [{"stage": "design", "level": 4, "actors": ["nso", "cso"]}]
    assert withheld == [] and record == {"initiative_type": "social-audit"}
    assert effective(record, ["no-such-initiative"], {}, SeriesLookup()) == (record, [])
