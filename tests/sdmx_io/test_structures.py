"""sdmx_id, Item.from_notation, validate_scheme, and the modules' own docstring examples."""
import doctest

import pytest

from ckanext.citizendata.sdmx_io import structures
from ckanext.citizendata.sdmx_io.structures import (
    ID_PATTERN,
    NCNAME_PATTERN,
    Item,
    Scheme,
    best_text,
    names_or_id,
    sdmx_id,
    validate_scheme,
)


@pytest.mark.parametrize("notation, expected", [
    ("16.6.2", "16_6_2"),
    ("_T", "_T"),
    ("F", "F"),
    ("1", "1"),
    ("A-B@C$", "A-B@C$"),
    ("a b/c", "a_b_c"),
    (" 16.6 ", "16_6"),
    ("Éducation", "Education"),
    ("x.y.z", "x_y_z"),
])
def test_sdmx_id(notation, expected):
    assert sdmx_id(notation) == expected
    assert ID_PATTERN.fullmatch(sdmx_id(notation))


@pytest.mark.parametrize("notation, expected", [
    ("SEX", "SEX"),
    ("1", "C1"),
    ("_T", "C_T"),
    ("16.6.2", "C16_6_2"),
    ("A@B", "A_B"),
])
def test_sdmx_id_ncname(notation, expected):
    assert sdmx_id(notation, ncname=True) == expected
    assert NCNAME_PATTERN.fullmatch(sdmx_id(notation, ncname=True))


def test_sdmx_id_keeps_distinct_notations_distinct():
    notations = ["1.1", "1.10", "11", "1.1.1", "_1"]
    assert len({sdmx_id(n) for n in notations}) == len(notations)


@pytest.mark.parametrize("notation", ["", "   "])
def test_sdmx_id_rejects_empty(notation):
    with pytest.raises(ValueError, match="empty notation"):
        sdmx_id(notation)


def test_item_from_notation_keeps_the_original_notation():
    item = Item.from_notation("16.6.2", {"en": "Satisfaction"}, parent_notation="16.6")
    assert (item.id, item.parent, item.notation) == ("16_6_2", "16_6", "16.6.2")
    assert item.changed_notation == "16.6.2"
    assert Item.from_notation("_T", {"en": "Both"}).changed_notation is None


def test_best_text_prefers_english_then_first():
    assert best_text({"fr": "Femme", "en": "Female"}) == ("en", "Female")
    assert best_text({"fr": "Femme", "es": "Mujer"}) == ("fr", "Femme")
    assert best_text({}) is None
    assert names_or_id({}, "F") == {"en": "F"}
    assert names_or_id({"fr": "Femme"}, "F") == {"fr": "Femme"}


def _scheme(items, kind="codelist", **changes):
    fields = dict(agency="CITIZENDATA", id="CL_X", version="1.0", names={"en": "X"},
                  descriptions={}, items=items, kind=kind)
    fields.update(changes)
    return Scheme(**fields)


def test_validate_scheme_accepts_a_good_scheme():
    validate_scheme(_scheme([Item("_T", {"en": "a"}), Item("F", {"en": "b"}, parent="_T")]))


@pytest.mark.parametrize("scheme, message", [
    (_scheme([Item("1.2", {})]), "not a valid SDMX id"),
    (_scheme([Item("1", {})], kind="conceptscheme"), r"ncname=True"),
    (_scheme([Item("A", {}), Item("A", {})]), "duplicate item ids"),
    (_scheme([Item("A", {}, parent="Z")]), "not items of the scheme"),
    (_scheme([], kind="dataflow"), "unknown kind"),
    (_scheme([], agency="1BAD"), "agency"),
    (_scheme([], id="CL X"), "scheme id"),
    (_scheme([], version=""), "empty version"),
])
def test_validate_scheme_rejects(scheme, message):
    with pytest.raises(ValueError, match=message):
        validate_scheme(scheme)


def test_docstring_examples_run():
    result = doctest.testmod(structures)
    assert result.attempted > 0
    assert result.failed == 0
