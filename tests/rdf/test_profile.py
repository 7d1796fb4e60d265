"""The ``citizendata`` DCAT profile: what it writes (StatDCAT-AP, themes and subjects, PROV engagement and
attributions, cdt: terms), how it leaves euro_dcat_ap_3's own keys, golden graphs, a peer reading our catalog,
and that it is on by default."""
from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points

import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, SKOS, XSD

from ckan.plugins import toolkit

from ckanext.citizendata.rdf import profile, profile_quality, profile_terms
from ckanext.citizendata.record import fields
from ckanext.citizendata.namespaces import CDT, EU_COUNTRY, QB, STAT, VOCAB

from .test_profile_quality import QUALITY
from .test_profile_records import (RICH_RECORD, as_shown, parse, processor, profile_env,  # noqa: F401
                                   registry_db, serialize)

pytestmark = pytest.mark.usefixtures("profile_env")
GOLDEN = os.path.join(os.path.dirname(__file__), "golden")
REGENERATE = "CITIZENDATA_REGENERATE_GOLDEN"   # CITIZENDATA_REGENERATE_GOLDEN=1 pytest tests/rdf/test_profile.py


def rich_graph() -> tuple[rdflib.Graph, URIRef]:
    graph = rdflib.Graph().parse(data=serialize(as_shown(RICH_RECORD), "turtle"), format="turtle")
    return graph, next(graph.subjects(RDF.type, DCAT.Dataset))


# ---------------------------------------------------------------- IRIs of our concepts
@pytest.mark.parametrize("scheme, notation", [("sdg", "16.6.2"), ("cl-age", "Y15T24"), ("cl-sex", "_T"),
                                              ("engagement-levels", "4"), ("x", "a b/c")])
def test_concept_iris_go_both_ways(scheme, notation):
    iri = profile_terms.concept_iri(scheme, notation)
    assert str(iri).startswith(str(VOCAB)) and " " not in str(iri)
    assert profile_terms.split_concept(iri) == (scheme, notation)


def test_other_terms_are_not_our_concepts():
    assert profile_terms.split_concept(URIRef("http://example.org/sdg/1")) is None
    assert profile_terms.split_concept(Literal(str(VOCAB["sdg/1"]))) is None
    assert profile_terms.split_concept(VOCAB["sdg"]) is None


def test_dimensions_come_from_the_disaggregation_vocabulary():
    found = profile_terms.dimensions()
    assert found["SEX"] == {"code_list": "cl-sex",
                            "sdmx_concept": "urn:sdmx:org.sdmx.infomodel.conceptscheme.Concept="
                                            "IAEG-SDGs:SDG_CONCEPTS(1.0).SEX"}
    assert all(v["code_list"].startswith("cl-") for v in found.values())


# ---------------------------------------------------------------- what the profile writes
def test_statdcat_dimensions_and_standards():
    g, ds = rich_graph()
    dimensions = set(g.objects(ds, STAT.dimension))
    assert dimensions == {VOCAB[f"disaggregation/{n}"] for n in RICH_RECORD["disaggregation"]}
    for dim in dimensions:
        assert (dim, RDF.type, QB.DimensionProperty) in g
        assert str(g.value(dim, QB.codeList)).startswith(str(VOCAB["cl-"]))
    standards = set(g.objects(ds, DCTERMS.conformsTo))
    assert profile_terms.SDG_DSD in standards and VOCAB["cl-sex"] in standards
    assert all((s, RDF.type, DCTERMS.Standard) in g for s in standards)


def test_units_of_measure_are_statdcat_unit_concepts_of_the_sdg_code_list():
    g, ds = rich_graph()
    assert set(g.objects(ds, STAT.statUnitMeasure)) == {VOCAB["cl-unit-measure/PT"]}
    unit = VOCAB["cl-unit-measure/PT"]
    assert (unit, RDF.type, SKOS.Concept) in g and g.value(unit, SKOS.inScheme) == VOCAB["cl-unit-measure"]
    assert g.value(unit, SKOS.prefLabel) == Literal("Percent", lang="en")  # CL_UNIT_MEASURE's own name
    assert VOCAB["cl-unit-measure"] in set(g.objects(ds, DCTERMS.conformsTo))
    [parsed] = parse(serialize(as_shown(RICH_RECORD), "turtle"), "turtle")
    assert parsed["unit_measure"] == ["PT"]
    assert str(VOCAB["cl-unit-measure"]) not in str(parsed.get("conforms_to", ""))  # recomputed, not kept


def test_units_alone_conform_to_the_sdg_structure_and_its_unit_code_list():
    from ckanext.citizendata.rdf.profile_out import standards_of
    assert standards_of({"unit_measure": ["NUMBER"]}, str(VOCAB)) == [profile_terms.SDG_DSD, VOCAB["cl-unit-measure"]]
    assert standards_of({}, str(VOCAB)) == []


def test_concepts_as_themes_and_subjects_typed_with_scheme_and_label():
    g, ds = rich_graph()
    themes = set(g.objects(ds, DCAT.theme))
    assert {VOCAB["sdg/16.6.2"], VOCAB["sdg/16.6"], VOCAB["sdg/16"], VOCAB["sdg/16.7.2"]} <= themes
    subjects = set(g.objects(ds, DCTERMS.subject))
    assert {VOCAB["initiative-types/public-service-feedback"], VOCAB["population-groups/youth"],
            VOCAB["cl-series/SI_POV_DAY1"]} <= subjects
    for concept in themes | subjects:
        assert (concept, RDF.type, SKOS.Concept) in g
        assert g.value(concept, SKOS.inScheme) is not None and g.value(concept, SKOS.notation) is not None
    assert g.value(VOCAB["sdg/16"], SKOS.prefLabel).language == "en"


def test_engagement_is_one_activity_per_stage():
    g, ds = rich_graph()
    activities = list(g.objects(ds, PROV.wasGeneratedBy))
    assert len(activities) == len(RICH_RECORD["engagement"])
    by_stage = {str(g.value(a, DCTERMS.type)).rsplit("/", 1)[1]: a for a in activities}
    design = by_stage["design"]
    assert {(design, RDF.type, PROV.Activity), (design, RDF.type, CDT.EngagementActivity)} <= set(g)
    assert g.value(design, CDT.engagementLevel) == VOCAB["engagement-levels/4"]
    assert set(g.objects(design, CDT.actorType)) == {VOCAB["actor-types/community"], VOCAB["actor-types/cso"]}
    assert str(g.value(design, DCTERMS.description)) == "Questions co-written."


def test_partners_are_qualified_attributions():
    g, ds = rich_graph()
    found = {}
    for attribution in g.objects(ds, PROV.qualifiedAttribution):
        agent = g.value(attribution, PROV.agent)
        assert (attribution, RDF.type, PROV.Attribution) in g and (agent, RDF.type, FOAF.Agent) in g
        found[str(g.value(agent, FOAF.name))] = (agent, g.value(attribution, DCAT.hadRole))
    agent, role = found["Ghana Statistical Service"]
    assert agent == URIRef("https://statsghana.gov.gh/") and role == VOCAB["partner-roles/initiator"]
    assert g.value(agent, DCTERMS.type) == VOCAB["actor-types/nso"]
    assert isinstance(found["Community radio network"][0], rdflib.BNode)


def test_method_ethics_recognition_and_derived_flag():
    g, ds = rich_graph()
    assert g.value(ds, CDT.sampleSize) == Literal(1200, datatype=XSD.nonNegativeInteger)
    assert g.value(ds, CDT.probabilitySample) == Literal(True)
    assert g.value(ds, CDT.meetsCopenhagenDefinition) == Literal(True)
    assert g.value(ds, CDT.personalData) == Literal(False) and g.value(ds, CDT.ethicsReview) == Literal(True)
    assert g.value(ds, CDT.recognitionStatus) == VOCAB["recognition-status/complementary-source"]
    assert set(g.objects(ds, CDT.collectionMethod)) == {VOCAB["collection-methods/mobile-app"],
                                                        VOCAB["collection-methods/sms"]}
    assert {EU_COUNTRY["GHA"], VOCAB["cl-area/288"]} <= set(g.objects(ds, DCTERMS.spatial))


def test_m49_places_are_codes_of_the_sdg_area_code_list():
    g = rdflib.Graph().parse(data=serialize(as_shown({**RICH_RECORD, "countries": ["BRA"]}), "nt"), format="nt")
    place = VOCAB["cl-area/76"]          # the SDG REF_AREA code list has no leading zeros; the record says "076"
    assert (None, DCTERMS.spatial, place) in g and str(g.value(place, SKOS.prefLabel)) == "Brazil"
    assert profile_terms.m49_code("76") == "076" == as_shown({"countries": ["BRA"]})["m49"][0]


def test_derived_values_missing_from_a_dict_not_made_by_the_record_view_are_computed():
    shown = as_shown(RICH_RECORD)
    for name in [name for name, field in fields.FIELDS.items() if field.derived]:
        shown.pop(name)
    g = rdflib.Graph().parse(data=serialize(shown, "nt"), format="nt")
    assert (None, CDT.meetsCopenhagenDefinition, Literal(True)) in g and (None, DCAT.theme, VOCAB["sdg/16"]) in g


def test_a_made_record_is_written_as_it_is_not_derived_again():
    """A dict the record view made (package_show, the index's copy) carries its derived fields: the profile
    writes them as they are instead of computing them a second time."""
    shown = dict(as_shown(RICH_RECORD), inherited_fields=[], sdg_goals=["5"])
    g = rdflib.Graph().parse(data=serialize(shown, "nt"), format="nt")
    assert (None, DCAT.theme, VOCAB["sdg/5"]) in g and (None, DCAT.theme, VOCAB["sdg/16"]) not in g


def test_conformance_runs_last_on_the_finished_graph(monkeypatch):
    from ckanext.citizendata.rdf import conformance
    seen = []
    monkeypatch.setattr(conformance, "dataset", lambda g, ref: seen.append(
        (ref, (ref, CDT.meetsCopenhagenDefinition, None) in g, (ref, STAT.dimension, None) in g)))
    monkeypatch.setattr(conformance, "catalog", lambda g, ref: seen.append((ref, "catalog")))
    serializer = processor("RDFSerializer")
    serializer.serialize_catalog({}, dataset_dicts=[as_shown(RICH_RECORD)], _format="turtle")
    assert [s for s in seen if s[1] == "catalog"], "conformance.catalog was not called"
    assert [s[1:] for s in seen if s[1] != "catalog"] == [(True, True)]


# ---------------------------------------------------------------- what the parser leaves to euro_dcat_ap_3
def test_parser_leaves_only_foreign_values_in_euro_keys():
    theme, standard = "http://publications.europa.eu/resource/authority/data-theme/SOCI", "http://example.org/std"
    [parsed] = parse(serialize(as_shown(RICH_RECORD, theme=[theme], conforms_to=[standard]), "turtle"), "turtle")
    assert parsed["theme"] == [theme] and parsed["conforms_to"] == [standard]
    for key in ("provenance_activity", "qualified_attribution", "spatial_coverage"):
        assert key not in parsed, key
    assert not {e["key"] for e in parsed.get("extras", [])} & {"spatial_uri", "spatial_text"}


def test_euro_dcat_ap_3_alone_reads_none_of_our_fields():
    [parsed] = parse(serialize(as_shown(RICH_RECORD), "turtle"), "turtle", profiles=["euro_dcat_ap_3"])
    assert not set(RICH_RECORD) & set(parsed)


# ---------------------------------------------------------------- golden graphs
GOLDEN_RECORDS = {
    "rich-dataset": as_shown(
        RICH_RECORD, id="6f1c2c1e-0000-4000-8000-000000000001", name="psa-ghana-round-3",
        title="Public service satisfaction, round 3", notes="Citizens rate public services they used.",
        tags=[{"name": "governance"}], url="https://example.org/psa",
        resources=[{"id": "6f1c2c1e-0000-4000-8000-0000000000r1", "url": "https://example.org/psa.csv",
                    "format": "CSV", "name": "Responses"}],
        publisher=[{"name": "Ghana Statistical Service", "uri": "https://statsghana.gov.gh/"}]),
    "minimal-initiative": as_shown(
        {"initiative_type": "social-audit", "engagement": [{"stage": "collect", "level": 3}]},
        id="6f1c2c1e-0000-4000-8000-000000000002", name="social-audits", type="dataset_series",
        title="Social audits of public works", notes="An initiative of community social audits."),
}
# the rich record again, with a published assessment and a score (rdf/profile_quality.py); "rich-dataset" without
# them is the graph it was before issue 14
GOLDEN_RECORDS["rich-dataset-assessed"] = {**GOLDEN_RECORDS["rich-dataset"], profile_quality.KEY: QUALITY}


def readable_diff(got: rdflib.Graph, expected: rdflib.Graph) -> str:
    _, only_got, only_expected = graph_diff(to_isomorphic(got), to_isomorphic(expected))
    lines = [f"+ {line}" for line in sorted(only_got.serialize(format="nt").splitlines()) if line]
    lines += [f"- {line}" for line in sorted(only_expected.serialize(format="nt").splitlines()) if line]
    return "graph differs from the golden file (+ only in output, - only in golden):\n" + "\n".join(lines)


@pytest.mark.parametrize("name", sorted(GOLDEN_RECORDS))
def test_golden_graphs(name):
    path = os.path.join(GOLDEN, f"{name}.ttl")
    text = serialize(GOLDEN_RECORDS[name], "turtle")
    if os.environ.get(REGENERATE):
        os.makedirs(GOLDEN, exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    got = rdflib.Graph().parse(data=text, format="turtle")
    expected = rdflib.Graph().parse(path, format="turtle")
    assert isomorphic(got, expected), readable_diff(got, expected)


# ---------------------------------------------------------------- a peer reads our catalog
def test_euro_dcat_ap_3_reads_our_catalog_page(app, registry_db):
    from ckan.tests import factories, helpers
    from ckanext.citizendata.testing import CitizenDataset
    org = factories.Organization(title="Peer CSO")
    for i in range(2):
        CitizenDataset(owner_org=org["id"], title=f"Peer dataset {i}", notes=f"About {i}.",
                       resources=[{"url": f"http://example.org/{i}.csv", "format": "CSV", "name": f"data {i}"}])
    body = app.get("/catalog.ttl", query_string={"fq": f"organization:{org['name']}"}, status=200).body
    assert (None, CDT.meetsCopenhagenDefinition, None) in rdflib.Graph().parse(data=body, format="turtle")
    datasets = parse(body, "turtle", profiles=["euro_dcat_ap_3"])
    assert len(datasets) == 2
    for parsed in datasets:
        shown = helpers.call_action("package_show", id=parsed["identifier"])
        assert (parsed["title"], parsed["notes"]) == (shown["title"], shown["notes"])
        assert sorted(r["url"] for r in parsed["resources"]) == sorted(r["url"] for r in shown["resources"])
        assert parsed["publisher"][0]["name"] == shown["organization"]["title"]


# ---------------------------------------------------------------- registered and on by default
def test_entry_point_names_the_profile():
    [point] = [e for e in entry_points(group="ckan.rdf.profiles") if e.name == profile.PROFILE_NAME]
    assert point.load() is profile.CitizenDataProfile


def test_test_ini_serves_our_profile_without_saying_so():
    assert "ckanext.dcat.rdf.profiles" not in open(toolkit.config["__file__"], encoding="utf-8").read()
    assert toolkit.config["ckanext.dcat.rdf.profiles"] == "euro_dcat_ap_3 citizendata"


def test_a_fresh_ckan_ini_gets_our_profile(tmp_path):
    from ckan.cli import CKANConfigLoader
    from ckanext.dcat.processors import _get_default_rdf_profiles
    path = tmp_path / "ckan.ini"
    ckan = os.path.join(os.path.dirname(sys.executable), "ckan")
    subprocess.run([ckan, "generate", "config", str(path)], check=True, capture_output=True)
    config = dict(CKANConfigLoader(str(path)).get_config())
    config.setdefault("ckanext.dcat.rdf.profiles", _get_default_rdf_profiles())  # as CKAN's make_safe does
    profile.enable_by_default(config)
    assert config["ckanext.dcat.rdf.profiles"] == "euro_dcat_ap_3 citizendata"


@pytest.mark.parametrize("in_ini, value", [(True, "euro_dcat_ap_3"), (False, "euro_dcat_ap_2 my_profile")])
def test_an_operator_choice_is_kept(tmp_path, in_ini, value):
    path = tmp_path / "ckan.ini"
    path.write_text("[app:main]\n" + (f"ckanext.dcat.rdf.profiles = {value}\n" if in_ini else ""))
    config = {"__file__": str(path), "ckanext.dcat.rdf.profiles": value}
    profile.enable_by_default(config)
    assert config["ckanext.dcat.rdf.profiles"] == value
