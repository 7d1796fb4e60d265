"""logic/action/vocab.py: the vocabulary registry's actions and their parameters (the registry's own behaviour:
tests/vocab/test_registry.py)."""
import pytest
from ckan.plugins import toolkit
from ckan.tests import helpers

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.mark.parametrize("limit, message", [
    ("ten", "'ten' is not a whole number"),
    ("2.5", "'2.5' is not a whole number"),
    ("", "'' is not a whole number"),
    (0, "must be between 1 and 100, got 0"),
    (-3, "must be between 1 and 100, got -3"),
    (101, "must be between 1 and 100, got 101"),
])
def test_concept_search_refuses_a_bad_limit_naming_it(limit, message):
    with pytest.raises(toolkit.ValidationError) as err:
        helpers.call_action("citizendata_concept_search", q="a", limit=limit)
    assert err.value.error_dict == {"limit": [message]}


def test_concept_search_limits_within_range_cut_the_same_list():
    def search(limit):
        return [(r["scheme_id"], r["notation"]) for r in helpers.call_action(
            "citizendata_concept_search", q="d", scheme="engagement-stages,engagement-levels", limit=limit)]
    everything = search(100)  # the upper bound is allowed
    assert len(everything) > 3 and {scheme for scheme, _ in everything} <= {"engagement-stages", "engagement-levels"}
    assert search(1) == everything[:1] and search("3") == everything[:3]


def test_concept_search_default_limit_is_ten():
    assert len(helpers.call_action("citizendata_concept_search", q="1", scheme="sdg")) == 10


def test_concept_search_in_several_schemes():
    notations = {(r["scheme_id"], r["notation"]) for r in helpers.call_action(
        "citizendata_concept_search", q="collab", scheme="engagement-levels,actor-types", lang="en", limit=20)}
    assert ("engagement-levels", "4") in notations
    listed = helpers.call_action("citizendata_concept_search", q="collab", scheme=["engagement-levels"])
    assert {r["scheme_id"] for r in listed} == {"engagement-levels"}


@pytest.mark.parametrize("action, params, missing", [
    ("citizendata_concept_search", {}, "q"),
    ("citizendata_vocabulary_show", {}, "id"),
    ("citizendata_concept_show", {"scheme": "sdg"}, "notation"),
    ("citizendata_concept_show", {"notation": "16"}, "scheme"),
])
def test_a_missing_parameter_is_named(action, params, missing):
    with pytest.raises(toolkit.ValidationError) as err:
        helpers.call_action(action, **params)
    assert err.value.error_dict == {missing: ["Missing value"]}


def test_concept_show_of_an_unknown_concept_is_not_found():
    with pytest.raises(toolkit.ObjectNotFound, match="No such concept"):
        helpers.call_action("citizendata_concept_show", scheme="sdg", notation="99.9")
    with pytest.raises(toolkit.ObjectNotFound):
        helpers.call_action("citizendata_concept_show", iri="https://example.org/nothing")


def test_concept_show_of_a_numeric_notation():
    assert helpers.call_action("citizendata_concept_show", scheme="engagement-levels", notation=4)["notation"] == "4"


@pytest.mark.parametrize("include, has_concepts", [("false", False), ("no", False), (False, False),
                                                   ("true", True), (None, True)])
def test_vocabulary_show_with_or_without_concepts(include, has_concepts):
    params = {"id": "engagement-levels"} if include is None else {"id": "engagement-levels",
                                                                 "include_concepts": include}
    shown = helpers.call_action("citizendata_vocabulary_show", **params)
    assert shown["id"] == "engagement-levels" and ("concepts" in shown) is has_concepts
    if has_concepts:
        assert [c["notation"] for c in shown["concepts"]] == ["1", "2", "3", "4", "5"]
