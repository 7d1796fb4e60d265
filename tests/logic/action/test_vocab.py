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


# ---------------------------------------------------------------- hostile parameters: 409 naming them, never 500
@pytest.mark.parametrize("value", ["maybe", "2", [], {"a": 1}])
def test_vocabulary_show_refuses_an_include_concepts_that_is_not_a_boolean(value):
    with pytest.raises(toolkit.ValidationError) as err:
        helpers.call_action("citizendata_vocabulary_show", id="sdg", include_concepts=value)
    assert err.value.error_dict == {"include_concepts": [f"{value!r} is not true or false"]}


@pytest.mark.parametrize("action, params, name, rule", [
    ("citizendata_vocabulary_show", {"id": "sd\x00g"}, "id", "a NUL character (U+0000) at position 3"),
    ("citizendata_vocabulary_show", {"id": "x" * 201}, "id", "201 characters, more than the limit of 200"),
    ("citizendata_concept_search", {"q": "wa\udc80"}, "q", "a lone surrogate (U+DC80) at position 3"),
    ("citizendata_concept_search", {"q": "x" * 2001}, "q", "2001 characters, more than the limit of 2000"),
    ("citizendata_concept_search", {"q": "a", "scheme": "sdg,\x00"}, "scheme", "a NUL character"),
    ("citizendata_concept_search", {"q": "a", "lang": "e\x00"}, "lang", "a NUL character"),
    ("citizendata_concept_show", {"scheme": "sdg", "notation": "16\x00"}, "notation", "a NUL character"),
    ("citizendata_concept_show", {"iri": "http://x/\udc80"}, "iri", "a lone surrogate"),
])
def test_unreadable_or_long_text_parameters_are_refused_naming_them(action, params, name, rule):
    with pytest.raises(toolkit.ValidationError) as err:
        helpers.call_action(action, **params)
    [message] = err.value.error_dict[name]
    assert message.startswith(rule)


def test_through_the_api_a_json_body_with_a_nul_is_a_409(app):
    response = app.post("/api/3/action/citizendata_concept_search", json={"q": "a\x00"}, status=409)
    assert response.json["error"]["q"] == ["a NUL character (U+0000) at position 2, which no parameter can hold"]
