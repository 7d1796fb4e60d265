"""record/countries.py: UN M49 codes of countries by ISO 3166-1 alpha-3 code, and back."""
import pytest

from ckanext.citizendata.record.countries import from_m49, m49


@pytest.mark.parametrize("alpha3, code", [("GHA", "288"), ("COL", "170"), ("IRQ", "368"), ("BRA", "076"),
                                          ("AFG", "004")])
def test_m49_is_the_three_digit_numeric_code(alpha3, code):
    assert m49(alpha3) == code


@pytest.mark.parametrize("code", ["XXX", "", "GH", "EU"])
def test_m49_of_an_unknown_code_is_none(code):
    assert m49(code) is None


@pytest.mark.parametrize("code, alpha3", [("76", "BRA"), ("076", "BRA"), (76, "BRA"), ("4", "AFG"), ("004", "AFG"),
                                          ("288", "GHA")])
def test_from_m49_with_and_without_leading_zeros(code, alpha3):
    assert from_m49(code) == alpha3


@pytest.mark.parametrize("code", ["999", "1", "001", "150", "abc", "", "-76", "7.6"])
def test_from_m49_of_a_code_no_country_has_is_none(code):
    """001 (World) and 150 (Europe) are M49 regions, not countries."""
    assert from_m49(code) is None


def test_the_mapping_goes_both_ways():
    for alpha3 in ("GHA", "COL", "IRQ", "BRA", "KEN", "TGO"):
        assert from_m49(m49(alpha3)) == alpha3
