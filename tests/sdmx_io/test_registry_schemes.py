"""sdmx_io/registry_schemes.py: the vocabulary registry's schemes as SDMX artefacts: every scheme a code list
``CL_<sdmx id>``, our own agency's schemes also concept schemes ``CS_<sdmx id>``; ``with_items`` fills the codes
(or concepts) with their names, descriptions, notations and parents."""
import dataclasses

import pytest

from ckanext.citizendata.sdmx_io.registry_schemes import OWN_AGENCY, all_schemes, with_items
from ckanext.citizendata.sdmx_io.structures import validate_scheme
from ckanext.citizendata.vocab import registry

pytestmark = pytest.mark.usefixtures("clean_db")


def by_id(schemes):
    found = {s.id: s for s in schemes}
    assert len(found) == len(schemes), "two artefacts with one id"
    return found


def test_every_registry_scheme_is_a_code_list():
    rows = registry.list_schemes()
    codelists = by_id(all_schemes("codelist"))
    assert len(rows) > 20 and len(codelists) == len(rows)
    for row in rows:
        scheme = codelists[f"CL_{row['sdmx_id']}"]
        assert (scheme.kind, scheme.agency, scheme.version) == ("codelist", row["sdmx_agency"], row["version"])
        assert scheme.names == row["title"] and scheme.descriptions == row["description"]
        assert scheme.items == []  # to select from; filled by with_items
    assert codelists["CL_SEX"].agency == "IAEG-SDGs" and codelists["CL_ENGAGEMENT_LEVEL"].agency == OWN_AGENCY


def test_only_our_own_agencys_schemes_are_concept_schemes():
    rows = registry.list_schemes()
    own = {f"CS_{row['sdmx_id']}" for row in rows if row["sdmx_agency"] == OWN_AGENCY}
    concept_schemes = by_id(all_schemes("conceptscheme"))
    assert set(concept_schemes) == own
    assert {"CS_ENGAGEMENT_LEVEL", "CS_DISAGGREGATION", "CS_INITIATIVE_TYPE"} <= own
    assert "CS_SEX" not in concept_schemes and "CS_SDG_INDICATOR" not in concept_schemes
    assert {s.kind for s in concept_schemes.values()} == {"conceptscheme"}
    assert {s.agency for s in concept_schemes.values()} == {OWN_AGENCY}


def test_codes_carry_names_descriptions_notations_and_parents():
    sdg = by_id(all_schemes("codelist"))["CL_SDG_INDICATOR"]
    [filled] = with_items([sdg])
    assert sdg.items == []  # the input is left as it was
    concepts = registry.concepts("sdg")
    assert [item.notation for item in filled.items] == [c["notation"] for c in concepts]
    codes = {item.id: item for item in filled.items}
    indicator = codes["16_6_2"]
    assert indicator.notation == "16.6.2"
    assert indicator.names == registry.get_concept("sdg", "16.6.2")["pref_labels"]
    assert indicator.parent == "16_6"  # skos:broader 16.6
    assert codes["16_6"].parent == "16" and codes["16"].parent is None
    assert codes["16"].descriptions["en"] == registry.get_concept("sdg", "16")["definitions"]["en"]
    with_parent = [c for c in concepts if c["broader"]]
    assert len(with_parent) == sum(1 for item in filled.items if item.parent) > 400


def test_concepts_are_ncnames_and_keep_their_notation():
    [levels] = with_items([by_id(all_schemes("conceptscheme"))["CS_ENGAGEMENT_LEVEL"]])
    assert [(item.id, item.notation) for item in levels.items] == [(f"C{n}", str(n)) for n in range(1, 6)]
    assert levels.items[3].names["en"] == registry.get_concept("engagement-levels", "4")["pref_labels"]["en"]
    [codes] = with_items([by_id(all_schemes("codelist"))["CL_ENGAGEMENT_LEVEL"]])
    assert [item.id for item in codes.items] == ["1", "2", "3", "4", "5"]  # code ids need not be NCNames


def test_a_concepts_parent_is_an_ncname_too(monkeypatch):
    """No scheme of our agency has a hierarchy today: a registry that has one (numeric notations) is faked."""
    row = dict(next(r for r in registry.list_schemes() if r["id"] == "engagement-levels"), id="phases",
               sdmx_id="PHASE")
    concepts = [{"notation": "1", "pref_labels": {"en": "Phase"}, "definitions": {}, "broader": []},
                {"notation": "1.1", "pref_labels": {"en": "Sub-phase"}, "definitions": {"en": "Part of 1"},
                 "broader": ["1"]}]
    monkeypatch.setattr(registry, "list_schemes", lambda: [row])
    monkeypatch.setattr(registry, "concepts", lambda scheme_id: concepts if scheme_id == "phases" else [])
    [scheme] = all_schemes("conceptscheme")
    [filled] = with_items([scheme])
    assert [(i.id, i.parent, i.notation) for i in filled.items] == [("C1", None, "1"), ("C1_1", "C1", "1.1")]
    assert filled.items[1].descriptions == {"en": "Part of 1"}
    validate_scheme(filled)


def test_every_filled_scheme_is_valid_sdmx():
    counts = {(r["sdmx_agency"], r["sdmx_id"], r["version"]): r["concept_count"] for r in registry.list_schemes()}
    for kind in ("codelist", "conceptscheme"):
        for scheme in with_items(all_schemes(kind)):
            validate_scheme(scheme)  # ids, duplicates (after sdmx_id), parents inside the scheme
            assert len(scheme.items) == counts[(scheme.agency, scheme.id[3:], scheme.version)], scheme.id


def test_a_scheme_not_in_the_registry_is_a_key_error():
    sex = by_id(all_schemes("codelist"))["CL_SEX"]
    with pytest.raises(KeyError, match="CL_SEX"):
        with_items([dataclasses.replace(sex, version="9.9")])
