"""ingest/harvest/sdmx_registry.py: the SDMX registry source type, against real structure messages served by the
replay server (harvesters/fixtures/sdmx/, see its README): the REST v1 and v2 queries, the mapping of a real SDG
data structure (disaggregation, SDG series and indicators, units), a description built from a structure, the
preferred language, StatDCAT-AP annotations, failed pages, and records our dataset schema accepts."""
import dataclasses
import datetime
import pathlib
import re

import pytest
import rdflib
import yaml
from ckan.tests import factories, helpers
from rdflib.namespace import SKOS

import ckanext.citizendata.harvesters
import ckanext.citizendata.schemas
import ckanext.citizendata.vocabularies
from ckanext.citizendata.ingest.harvest import fetch
from ckanext.citizendata.ingest.harvest import sdmx_registry as sdmx
from ckanext.citizendata.ingest.harvest.listing import DATASET, SourceSpec
from ckanext.citizendata.ingest.harvest.replay import Reply, Replay
from ckanext.citizendata.testing import MINIMAL_ENGAGEMENT

FIXTURES = pathlib.Path(ckanext.citizendata.harvesters.__file__).parent / "fixtures" / "sdmx"
VOCABULARIES = pathlib.Path(ckanext.citizendata.vocabularies.__file__).parent
SDG = (FIXTURES / "IAEG-SDGs_DF_SDG_GLH-structure-2.1.xml").read_bytes()
NAMAIN = (FIXTURES / "SDMX_NAMAIN_IDC_N-structure-3.0.xml").read_bytes()
STATDCAT = (FIXTURES / "StatDCAT-AP-1.0.1-example-2.1.xml").read_bytes()

V1_ACCEPT = "application/vnd.sdmx.structure+xml;version=2.1"
V2_ACCEPT = "application/vnd.sdmx.structure+xml;version=3.0.0"
SDG_DIMENSIONS = ["REF_AREA", "SEX", "AGE", "URBANISATION", "INCOME_WEALTH_QUANTILE", "EDUCATION_LEV", "OCCUPATION",
                  "DISABILITY_STATUS", "ACTIVITY"]
# the 28 codes the fixture's CL_SERIES keeps: the first 27 of the code list (indicators 1.1.1 to 1.5.1) and the
# retired SG_POV_DOM, which names no indicator
TRIMMED_SERIES = ["SI_POV_DAY1", "SI_POV_EMP1", "SI_POV_NAHC", "SI_POV_NMPI", "SD_MDP_ANDI", "SD_MDP_CSMP",
                  "SD_MDP_MUHC", "SD_MDP_MUHHC", "SI_COV_BENFTS", "SI_COV_CHLD", "SI_COV_DISAB", "SI_COV_LMKT",
                  "SI_COV_MATNL", "SI_COV_PENSN", "SI_COV_POOR", "SI_COV_SOCAST", "SI_COV_SOCINS", "SI_COV_UEMP",
                  "SI_COV_VULN", "SI_COV_WKINJRY", "SP_ACS_BSRV", "SP_ACS_BSRVSAN", "SP_ACS_BSRVH2O",
                  "SP_LGL_LNDDOC", "SP_LGL_LNDSEC", "SP_LGL_LNDSTR", "VC_DSR_MISS", "SG_POV_DOM"]
TRIMMED_INDICATORS = ["1.1.1", "1.2.1", "1.2.2", "1.3.1", "1.4.1", "1.4.2", "1.5.1", "11.5.1", "13.1.1"]


def _scheme(name: str) -> rdflib.Graph:
    return rdflib.Graph().parse(VOCABULARIES / f"{name}.ttl", format="turtle")


@pytest.fixture(scope="module")
def vocab() -> sdmx.Vocab:
    """Our vocabularies' notations, read from the packaged Turtle files (no database)."""
    notations = {name: frozenset(str(n) for n in _scheme(name).objects(None, SKOS.notation))
                 for name in ("disaggregation", "sdg", "cl-unit-measure")}
    series = _scheme("cl-series")
    labels = {str(series.value(c, SKOS.notation)): str(label) for c, label in series.subject_objects(SKOS.prefLabel)}
    return sdmx.Vocab(disaggregation=notations["disaggregation"], series=frozenset(labels),
                      indicators=notations["sdg"], units=notations["cl-unit-measure"],
                      series_indicators={code: sdmx.bracketed_indicators(label) for code, label in labels.items()})


def _spec(server: Replay, **options) -> SourceSpec:
    languages = options.pop("languages", ["en"])
    return SourceSpec(name="registry", type="sdmx", url=server.url("/ws/rest/"), organization="unsd",
                      languages=languages, options=options)


def _serve(server: Replay, path: str, body: bytes, seen: list) -> None:
    def answer(request):
        seen.append(request.headers)
        return Reply(body=body, content_type="application/xml")
    server.add(path, handler=answer)


def _only_page(spec: SourceSpec, vocab: sdmx.Vocab, since=None):
    [page] = list(sdmx.pages(spec, fetch.Client(), since=since, vocab=vocab))
    return page


def _structures_spec(api: str = "v1", languages=("en",)) -> SourceSpec:
    return SourceSpec(name="registry", type="sdmx", url="https://registry.example/ws/rest", organization="unsd",
                      languages=list(languages), options={"api": api})


def _mapped(body: bytes, vocab, api: str = "v1", languages=("en",)):
    structures = sdmx.read_structures(body)
    return [sdmx.map_dataflow(flow, structures, _structures_spec(api, languages), vocab)
            for flow in structures.dataflows]


# ---------------------------------------------------------------- the REST queries
def test_a_v1_source_asks_for_its_dataflow_with_references_and_the_sdmx_ml_2_1_media_type(vocab):
    seen = []
    with Replay() as server:
        _serve(server, "/ws/rest/dataflow/IAEG-SDGs/DF_SDG_GLH/latest", SDG, seen)
        spec = _spec(server, agency="IAEG-SDGs", id="DF_SDG_GLH", references="all")
        page = _only_page(spec, vocab)
        log = list(server.log)
    assert log == ["/ws/rest/dataflow/IAEG-SDGs/DF_SDG_GLH/latest?references=all"]
    assert [headers.get("Accept") for headers in seen] == [V1_ACCEPT]
    assert page.failed is None and page.url == server.url(log[0])
    [sighting] = page.sightings
    assert sighting.guid == "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=IAEG-SDGs:DF_SDG_GLH(1.22)"
    assert sighting.kind == DATASET
    assert sighting.original_uri == server.url("/ws/rest/dataflow/IAEG-SDGs/DF_SDG_GLH/1.22")
    assert sighting.record["resources"] == [{"url": server.url("/ws/rest/data/IAEG-SDGs,DF_SDG_GLH,1.22/all"),
                                             "name": "IAEG-SDGs:DF_SDG_GLH(1.22) data (SDMX REST)",
                                             "format": "SDMX-ML"}]


def test_a_v2_source_asks_for_any_dataflow_with_descendants_and_the_sdmx_ml_3_0_media_type(vocab):
    seen = []
    with Replay() as server:
        _serve(server, "/ws/rest/structure/dataflow/*/*/~", NAMAIN, seen)
        page = _only_page(_spec(server, api="v2"), vocab)
        log = list(server.log)
    assert log == ["/ws/rest/structure/dataflow/*/*/~?references=descendants"]
    assert [headers.get("Accept") for headers in seen] == [V2_ACCEPT]
    [sighting] = page.sightings
    assert sighting.guid == "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=SDMX:NAMAIN_IDC_N(1.0)"
    assert sighting.original_uri == server.url("/ws/rest/structure/dataflow/SDMX/NAMAIN_IDC_N/1.0")
    assert sighting.record["resources"][0]["url"] == server.url("/ws/rest/data/dataflow/SDMX/NAMAIN_IDC_N/1.0/*")


def test_since_changes_nothing_in_the_query(vocab):
    with Replay() as server:
        _serve(server, "/ws/rest/dataflow/all/all/latest", SDG, [])
        spec = _spec(server, references="children")
        full, incremental = _only_page(spec, vocab), _only_page(spec, vocab, since=datetime.datetime(2025, 1, 1))
        log = list(server.log)
    assert log == ["/ws/rest/dataflow/all/all/latest?references=children"] * 2
    assert [s.content_hash() for s in full.sightings] == [s.content_hash() for s in incremental.sightings]


# ---------------------------------------------------------------- mapping a real SDG structure
def test_the_sdg_dataflow_maps_its_dsd_dimensions_series_indicators_and_units(vocab):
    [sighting] = _mapped(SDG, vocab)
    record = sighting.record
    assert record["title"] == "SDG Harmonized Global Dataflow"
    assert record["notes"] == "Reporting and dissemination dataflow for harmonized global SDG indicators."
    assert record["identifier"] == sighting.identifier == "IAEG-SDGs:DF_SDG_GLH(1.22)"
    assert record["publisher"] == [{"name": "Inter-agency and Expert Group on SDG Indicators (IAEG-SDGs)"}]
    assert sighting.publisher == "IAEG-SDGs"
    assert record["conforms_to"] == ["urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=IAEG-SDGs:SDG(1.4)"]
    # the DSD's dimensions in its order, FREQ, REPORTING_TYPE, SERIES, the breakdowns and PRODUCT left out
    assert record["disaggregation"] == SDG_DIMENSIONS
    # the series constraint CN_SERIES_SDG_GLH names one series, its unit (an attribute) and its breakdowns
    assert record["sdg_series"] == ["SI_POV_DAY1"]
    assert record["sdg_indicators"] == ["1.1.1"]
    assert record["unit_measure"] == ["PT"]
    assert sighting.warnings == []


def test_without_a_constraint_the_series_are_the_code_list_s_and_the_indicators_its_annotations(vocab):
    structures = sdmx.read_structures(SDG)
    structures = dataclasses.replace(structures, constraints={})
    sighting = sdmx.map_dataflow(structures.dataflows[0], structures, _structures_spec(), vocab)
    assert sighting.record["sdg_series"] == TRIMMED_SERIES
    # VC_DSR_MISS names three indicators; the retired SG_POV_DOM none
    assert sighting.record["sdg_indicators"] == TRIMMED_INDICATORS
    assert "unit_measure" not in sighting.record   # units only from constraints, never the whole code list


def test_codes_without_indicator_annotations_take_them_from_our_series_names(vocab):
    structures = sdmx.read_structures(SDG)
    [code_list] = [key for key in structures.codelists if key[1] == "CL_SERIES"]
    bare = {code: () for code in structures.codelists[code_list]}
    structures = dataclasses.replace(structures, constraints={}, codelists={**structures.codelists, code_list: bare})
    sighting = sdmx.map_dataflow(structures.dataflows[0], structures, _structures_spec(), vocab)
    assert sighting.record["sdg_indicators"] == TRIMMED_INDICATORS
    assert sdmx.bracketed_indicators("Number of missing persons due to disaster [1.5.1, 11.5.1, 13.1.1]") == (
        "1.5.1", "11.5.1", "13.1.1")


def test_codes_outside_our_vocabularies_are_dropped_with_a_warning(vocab):
    narrow = dataclasses.replace(vocab, series=frozenset({"SI_POV_DAY1", "VC_DSR_MISS"}),
                                 indicators=frozenset({"1.1.1", "1.5.1"}), disaggregation=frozenset({"SEX"}))
    structures = dataclasses.replace(sdmx.read_structures(SDG), constraints={})
    sighting = sdmx.map_dataflow(structures.dataflows[0], structures, _structures_spec(), narrow)
    assert sighting.record["sdg_series"] == ["SI_POV_DAY1", "VC_DSR_MISS"]
    assert sighting.record["sdg_indicators"] == ["1.1.1", "1.5.1"]
    assert sighting.record["disaggregation"] == ["SEX"]
    assert sighting.warnings == ["26 code(s) not in cl-series, not kept: " + ", ".join(TRIMMED_SERIES[1:11]),
                                 "2 code(s) not in sdg, not kept: 11.5.1, 13.1.1"]


# ---------------------------------------------------------------- a dataflow with a name only (SDMX-ML 3.0)
def test_a_dataflow_without_description_is_described_by_its_structure_only(vocab):
    [sighting] = _mapped(NAMAIN, vocab, api="v2")
    record = sighting.record
    assert record["title"] == "NAMAIN_IDC_N"          # its name is its id
    assert record["notes"] == (
        "SDMX dataflow NAMAIN_IDC_N of SDMX, version 1.0. Structure NA_MAIN (ESTAT, version 1.6): dimensions "
        "FREQ (Frequency), ADJUSTMENT (Adjustment indicator), REF_AREA (Reference area), COUNTERPART_AREA "
        "(Counterpart area), REF_SECTOR (Reporting institutional sector), COUNTERPART_SECTOR (Counterpart "
        "institutional sector), ACCOUNTING_ENTRY (Accounting Entry), STO (Stocks, Transactions, Other Flows), "
        "INSTR_ASSET (Instrument and Assets Classification), ACTIVITY (Activity classification), EXPENDITURE "
        "(Expenditure (COFOG, COICOP, COPP or COPNI)), UNIT_MEASURE (Unit), PRICES (Prices), TRANSFORMATION "
        "(Transformation), TIME_PERIOD (Time period); measure OBS_VALUE (Observation value).")
    assert record["conforms_to"] == ["urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=ESTAT:NA_MAIN(1.6)"]
    assert record["disaggregation"] == ["REF_AREA", "ACTIVITY"]
    # UNIT_MEASURE is a dimension here, but of the IMF's CL_UNIT, not the SDG code list
    assert not {"sdg_series", "sdg_indicators", "unit_measure"} & set(record)


def test_the_3_0_message_reads_urn_references_with_their_whitespace():
    structures = sdmx.read_structures(NAMAIN)
    dsd = structures.structure_of(structures.dataflows[0])
    activity = dsd.component("ACTIVITY")
    assert activity.concept == sdmx.Ref("ESTAT", "CS_NA", "1.6", "ACTIVITY")
    assert activity.codelist == sdmx.Ref("ESTAT", "CL_ACTIVITY", "1.3")
    assert structures.concept_names(activity) == {"en": "Activity classification"}
    assert [c.id for c in dsd.components if c.kind == "measure"] == ["OBS_VALUE"]


# ---------------------------------------------------------------- languages and StatDCAT-AP annotations
@pytest.mark.parametrize("languages, title", [
    (["fr", "en"], "Population âgée de 15 à 74 ans, par sexe, groupe d'âge, niveau d'instruction (ISCED 1997) et "
                   "profession (CITP-88)"),
    (["de"], "Bevölkerung im Alter zwischen 15 und 74 Jahren nach Geschlecht, Altersklasse, erreichtes "
             "Bildungsniveau (ISCED 1997) und Beruf (ISCO-88)"),
    (["es", "ar"], "Population by education and occupation"),       # neither given: English
])
def test_the_title_is_in_the_first_preferred_language_given(vocab, languages, title):
    [sighting] = _mapped(STATDCAT, vocab, languages=languages)
    assert sighting.record["title"] == title
    # the description exists in English only
    assert sighting.record["notes"] == ("Population aged 15-74 by sex, age group, educational attainment "
                                        "(ISCED 1997) and occupation (ISCO 1988)")


def test_pick_takes_a_regional_variant_and_else_any_language():
    assert sdmx.pick({"fr-CA": "Nom", "en": "Name"}, ["fr"]) == "Nom"
    assert sdmx.pick({"de": "Name (de)"}, ["fr"]) == "Name (de)"
    assert sdmx.pick({}, ["fr"]) is None


def test_statdcat_ap_annotations_give_keywords_and_themes_and_report_the_rest(vocab):
    [sighting] = _mapped(STATDCAT, vocab)
    record = sighting.record
    assert record["tags"] == [{"name": "Population"}, {"name": "Austria"}, {"name": "Census"}]
    assert record["theme"] == ["urn:sdmx:org.sdmx.infomodel.categoryscheme.Category=ESTAT:MDR_THEMES(1.0).SOC"]
    assert record["publisher"] == [{"name": "Eurostat"}]
    assert "StatDCAT-AP annotation stat:numSeries '106850' not kept: no field for it" in sighting.warnings
    assert len(sighting.warnings) == 5      # distribution, numSeries, statUnitMeasure, two quality annotations
    # its structure is not in the message: referenced, not described, no citizen-data fields
    assert record["conforms_to"] == [
        "urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=ESTAT:CENS_01_NEISCO(1.0)"]
    assert "disaggregation" not in record


def test_annotations_of_another_type_or_with_an_invalid_keyword_are_not_tags():
    notes = [sdmx.Annotation("StatDCAT-AP", "dcat:keyword", "", {"en": "Open data"}),
             sdmx.Annotation("StatDCAT-AP", "dcat:keyword", "", {"en": "a/b?"}),
             sdmx.Annotation("ORDER", "dcat:keyword", "", {"en": "Other"})]
    flow = sdmx.Dataflow("X", "DF", "1.0", "urn:x", {}, {}, notes, None)
    warnings = []
    assert sdmx.statdcat_fields(flow, ["en"], warnings) == {"tags": [{"name": "Open data"}]}
    assert warnings == ["keyword 'a/b?' not kept: not a tag"]


# ---------------------------------------------------------------- failed pages
BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
                  b'<Structure>&lol2;</Structure>')
SDMX_ERROR = (b'<?xml version="1.0" encoding="UTF-8"?><mes:Error '
              b'xmlns:mes="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message" '
              b'xmlns:com="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"><mes:ErrorMessage code="100">'
              b'<com:Text xml:lang="en">No Results Found</com:Text></mes:ErrorMessage></mes:Error>')


@pytest.mark.parametrize("status, body, reason", [
    (200, SDG[:5000], "the response is not well-formed XML"),
    (200, b"", "the response is not well-formed XML"),
    (200, b"<html><body>Service unavailable</body></html>", "the response is not an SDMX structure message"),
    (200, BILLION_LAUGHS, "XML with a DTD entity declaration is not accepted"),
    (200, BILLION_LAUGHS.decode().replace('"1.0"?>', '"1.0" encoding="UTF-16"?>', 1).encode("utf-16"),
     "XML with a DTD entity declaration is not accepted"),
    (200, SDMX_ERROR, "the registry answered with an SDMX error message"),
    (200, re.sub(rb"<str:Dataflows>.*</str:Dataflows>", b"", SDG, flags=re.S), "the message holds no dataflow"),
    (500, b"Internal error", "the source answered with HTTP status 500"),
])
def test_an_unusable_answer_is_a_failed_page(vocab, status, body, reason):
    with Replay() as server:
        server.add("/ws/rest/dataflow/all/all/latest", body=body, status=status, content_type="application/xml")
        page = _only_page(_spec(server), vocab)
    assert page.failed == reason
    assert page.sightings == []


def test_an_unknown_option_fails_without_a_request(vocab):
    with Replay() as server:
        bad_api = _only_page(_spec(server, api="v3"), vocab)
        bad_references = _only_page(_spec(server, references="everything"), vocab)
        log = list(server.log)
    assert bad_api.failed == "unknown SDMX REST API 'v3' (v1 or v2)"
    assert bad_references.failed.startswith("unknown references value 'everything'")
    assert log == []


# ---------------------------------------------------------------- records our dataset schema accepts
def _schema_fields() -> tuple[set, set]:
    path = pathlib.Path(ckanext.citizendata.schemas.__file__).parent / "dataset.yaml"
    schema = yaml.safe_load(path.read_text(encoding="utf-8"))
    return ({f["field_name"] for f in schema["dataset_fields"]} | {"tags", "resources"},
            {f["field_name"] for f in schema["resource_fields"]})


@pytest.mark.parametrize("body, api", [(SDG, "v1"), (NAMAIN, "v2"), (STATDCAT, "v1")])
def test_records_hold_only_fields_of_the_dataset_schema_and_never_the_engine_s(vocab, body, api):
    dataset_fields, resource_fields = _schema_fields()
    for sighting in _mapped(body, vocab, api=api):
        assert set(sighting.record) <= dataset_fields
        assert not {"id", "name", "owner_org"} & set(sighting.record)
        assert all(set(resource) <= resource_fields for resource in sighting.record["resources"])


@pytest.mark.usefixtures("clean_db")
def test_the_registry_vocabularies_are_the_default_and_the_records_pass_package_create(vocab):
    admin = factories.Sysadmin()
    organization = factories.Organization()
    structures = sdmx.read_structures(SDG)
    from_registry = sdmx.map_dataflow(structures.dataflows[0], structures, _structures_spec())
    assert from_registry.record == _mapped(SDG, vocab)[0].record
    # what a source's defaults give (an SDMX registry states no initiative type nor engagement)
    defaults = {"initiative_type": "community-survey", "engagement": MINIMAL_ENGAGEMENT}
    for number, sighting in enumerate([from_registry, *_mapped(STATDCAT, vocab), *_mapped(NAMAIN, vocab, "v2")]):
        created = helpers.call_action("package_create", context={"user": admin["name"]}, name=f"sdmx-{number}",
                                      owner_org=organization["id"], **defaults, **sighting.record)
        for field in ("title", "notes", "identifier", "disaggregation", "sdg_series", "sdg_indicators"):
            assert created.get(field) == sighting.record.get(field)
        assert sorted(t["name"] for t in created["tags"]) == sorted(t["name"] for t in sighting.record.get("tags", []))
