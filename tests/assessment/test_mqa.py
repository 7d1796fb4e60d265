"""assessment/mqa.py: MQA points on crafted records (each metric proven by a pair of records differing only in
its input), bands at the thresholds, the citizen-data dimension beside the MQA score, the metric table against
the vendored vocabularies, and storage, indexing and faceting of the score."""
from __future__ import annotations

import importlib.resources

import pytest
import rdflib
import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.tests import factories, helpers
from rdflib.namespace import RDF

from ckanext.citizendata.assessment import mqa, store
from ckanext.citizendata.model.assessment import quality_score_table, url_check_table
from ckanext.citizendata.testing import CitizenDataset

DQV = rdflib.Namespace("http://www.w3.org/ns/dqv#")
PV = rdflib.Namespace("https://piveau.eu/ns/voc#")
DCATNO = rdflib.Namespace("https://data.norge.no/vocabulary/dcatno-mqa#")
URL = "https://data.example.org/survey"
DL = "https://data.example.org/survey.csv"
EU_PUBLIC = "http://publications.europa.eu/resource/authority/access-right/PUBLIC"


def res(**values):
    return {"resources": [{"url": URL, **values}]}


def case(a, b, checks=({}, {}), conforms=(None, None)):
    return {"a": a, "b": b, "checks": checks, "conforms": conforms}


# metric -> two records (with their URL checks and DCAT-AP results) that differ only in that metric's input
CASES = {
    "keywordAvailability": case({}, {"tags": [{"name": "water"}]}),
    "categoryAvailability": case({}, {"theme": ["http://publications.europa.eu/resource/authority/data-theme/SOCI"]}),
    "spatialAvailability": case({}, {"countries": ["GHA"]}),
    "temporalAvailability": case({"temporal_coverage": [{"start": "", "end": None}]},
                                 {"temporal_coverage": [{"start": "2024-01-01"}]}),
    "accessUrlStatusCode": case(res(), res(), checks=({URL: {"ok": False}}, {URL: {"ok": True}})),
    "downloadUrlAvailability": case(res(), res(download_url=DL)),
    "downloadUrlStatusCode": case(res(download_url=DL), res(download_url=DL),
                                  checks=({DL: {"ok": False}}, {DL: {"ok": True}})),
    "formatAvailability": case(res(format=""), res(format="MYFORMAT")),
    "mediaTypeAvailability": case(res(format="CSV"), res(format="CSV", mimetype="text/csv")),
    "formatMediaTypeVocabularyAlignment": case(res(format="MS-WORD-97"), res(format="DOC")),
    "formatMediaTypeNonProprietary": case(res(format="XLS"), res(format="ODS")),
    "formatMediaTypeMachineInterpretable": case(res(format="TXT"), res(format="CSV")),
    "dcatApCompliance": case({}, {}, conforms=(False, True)),
    "licenceAvailability": case({}, {"license_id": "other-open"}),
    "knownLicence": case({"license_id": "cc-by"},
                         {"license_id": "cc-by", "license_url": "http://www.opendefinition.org/licenses/cc-by"}),
    "accessRightsAvailability": case({}, {"access_rights": "public"}),
    "accessRightsVocabularyAlignment": case({"access_rights": "public"}, {"access_rights": EU_PUBLIC}),
    "contactPointAvailability": case({"contact": [{"name": ""}]}, {"contact": [{"name": "Ama Mensah"}]}),
    "publisherAvailability": case({"publisher": [{"email": ""}]}, {"publisher": [{"name": "Civic Data Ghana"}]}),
    "rightsAvailability": case(res(), res(rights="Reuse with attribution")),
    "byteSizeAvailability": case(res(), res(size=1024)),
    "dateIssuedAvailability": case({}, {"issued": "2024-03-01"}),
    "dateModifiedAvailability": case({}, {"modified": "2024-06-01"}),
    "engagementDescribed": case({"engagement": [{"stage": "collection", "level": 3}]},
                                {"engagement": [{"stage": "collection", "level": 3, "actors": ["community"]}]}),
    "sdgIndicatorsGiven": case({}, {"sdg_indicators": ["16.6.2"]}),
    "populationGroupsGiven": case({}, {"population_groups": ["F"]}),
    "methodDescribed": case({"collection_methods": ["survey"]}, {"collection_methods": ["survey"], "sample_size": 500}),
    "ethicsDescribed": case({"ethics": {"informed_consent": True}},
                            {"ethics": {"informed_consent": True, "ethics_review": False}}),
    "partnersGiven": case({"partners": []}, {"partners": [{"name": "Civic Data Ghana", "role": "lead"}]}),
}

METRICS = {m["key"]: m for m in mqa.table()["metrics"]}


def measurement(scored, key):
    return next(m for m in scored["measurements"] if m["metric"] == key)


def dimension(scored, key):
    return next(d for d in scored["dimensions"] if d["dimension"] == key)


@pytest.mark.parametrize("key", sorted(METRICS))
def test_each_metric_is_worth_exactly_its_points(key):
    assert key in CASES, f"no crafted pair of records for the metric {key} (add one to CASES)"
    metric, pair = METRICS[key], CASES[key]
    without = mqa.score(pair["a"], pair["checks"][0], pair["conforms"][0])
    with_it = mqa.score(pair["b"], pair["checks"][1], pair["conforms"][1])

    assert (measurement(without, key)["earned"], measurement(with_it, key)["earned"]) == (0, metric["points"])
    gained = {d["dimension"]: dimension(with_it, d["dimension"])["earned"] - d["earned"]
              for d in without["dimensions"]}
    assert gained == {d: (metric["points"] if d == metric["dimension"] else 0) for d in gained}
    mqa_part = mqa.dimensions()[metric["dimension"]]["mqa"]
    assert with_it["score"] - without["score"] == (metric["points"] if mqa_part else 0)


def test_no_crafted_pair_names_a_metric_that_is_gone():
    assert set(CASES) == set(METRICS)


def test_the_mqa_dimensions_and_points_are_data_europa_eu_s():
    possible = {d["key"]: sum(m["points"] for m in METRICS.values() if m["dimension"] == d["key"])
                for d in mqa.table()["dimensions"]}
    assert possible == {"findability": 100, "accessibility": 100, "interoperability": 110, "reusability": 75,
                        "contextuality": 20, "citizen-data": 60}
    assert mqa.table()["max_score"] == 405 == sum(v for k, v in possible.items() if k != "citizen-data")


@pytest.mark.parametrize("points, expected", [(405, "excellent"), (351, "excellent"), (350, "good"), (221, "good"),
                                              (220, "sufficient"), (121, "sufficient"), (120, "bad"), (0, "bad")])
def test_bands_at_the_thresholds(points, expected):
    assert mqa.band(points) == expected


def full_record():
    record = {"resources": [{"url": URL, "download_url": DL, "format": "CSV", "mimetype": "text/csv",
                             "rights": "CC-BY", "size": 10}],
              "license_url": "http://www.opendefinition.org/licenses/cc-by"}
    for pair in CASES.values():
        for key, value in pair["b"].items():
            if key != "resources":
                record.setdefault(key, value)
    return dict(record, access_rights=EU_PUBLIC)


def test_a_complete_record_scores_405_excellent_and_its_citizen_data_points_stand_beside():
    scored = mqa.score(full_record(), {URL: {"ok": True}, DL: {"ok": True}}, True)
    assert (scored["score"], scored["max_score"], scored["band"]) == (405, 405, "excellent")
    assert dimension(scored, "citizen-data") == {"dimension": "citizen-data", "iri": str(mqa.table()["cdt"])
                                                 + "citizenDataQuality", "mqa": False, "earned": 60, "possible": 60}
    missing = {m["metric"] for m in scored["measurements"] if not m["value"]}
    assert missing == set()


def test_an_empty_record_scores_nothing_and_says_what_to_add():
    scored = mqa.score({}, {})
    assert (scored["score"], scored["band"]) == (0, "bad")
    keyword = measurement(scored, "keywordAvailability")
    assert keyword["hint"].startswith("Add at least one keyword") and keyword["field"] == "tag_string"
    assert keyword["iri"] == str(PV.keywordAvailability)


def test_interoperability_counts_the_best_distribution_not_the_sum():
    pdf_and_csv = {"resources": [{"url": URL, "format": "PDF"}, {"url": DL, "format": "CSV"}]}
    csv_only = {"resources": [{"url": DL, "format": "CSV"}]}
    assert dimension(mqa.score(pdf_and_csv, {}), "interoperability")["earned"] == 70   # 20 + 10 + 20 + 20
    assert mqa.score(pdf_and_csv, {})["score"] == mqa.score(csv_only, {})["score"]


@pytest.mark.parametrize("resource, expected", [({"format": ".csv"}, "CSV"), ({"format": "json-ld"}, "JSON_LD"),
                                                ({"format": "http://publications.europa.eu/resource/authority/"
                                                            "file-type/XLSX"}, "XLSX"),
                                                ({"format": "", "mimetype": "application/json; charset=utf-8"},
                                                 "JSON"), ({"format": "text/csv"}, "CSV"), ({"format": "Scan"}, None)])
def test_formats_are_read_from_name_iri_or_media_type(resource, expected):
    assert mqa.format_of(resource) == expected


# ---------------------------------------------------------------- the table against the published vocabularies
def vendored(name):
    path = importlib.resources.files("ckanext.citizendata.assessment") / "mqa_vocabulary" / name
    return rdflib.Graph().parse(data=path.read_text(encoding="utf-8"), format="turtle")


def ours():
    path = importlib.resources.files("ckanext.citizendata.schemas") / "citizendata-ns.ttl"
    return rdflib.Graph().parse(data=path.read_text(encoding="utf-8"), format="turtle")


def test_every_iri_is_published_by_piveau_or_defined_by_us():
    piveau, cdt = vendored("piveau-dqv-vocabulary.ttl"), ours()
    for item in [*mqa.table()["dimensions"], *METRICS.values()]:
        iri = rdflib.URIRef(item["iri"])
        kind = DQV.Dimension if item in mqa.table()["dimensions"] else DQV.Metric
        graph = piveau if iri.startswith(str(PV)) else cdt
        assert (iri, RDF.type, kind) in graph, f"{iri} is not a {kind} of its vocabulary"


def test_each_metric_is_in_the_dimension_the_vocabulary_names_and_worth_its_points():
    piveau, cdt = vendored("piveau-dqv-vocabulary.ttl"), ours()
    dims = mqa.dimensions()
    for metric in METRICS.values():
        iri = rdflib.URIRef(metric["iri"])
        graph = piveau if iri.startswith(str(PV)) else cdt
        published = str(graph.value(iri, DQV.inDimension))
        assert published == (metric["in_dimension"] or dims[metric["dimension"]]["iri"]), metric["key"]
        if graph is piveau:
            assert int(piveau.value(iri, PV.trueScore)) == metric["points"], metric["key"]


def test_the_misspelled_reusability_dimension_is_kept_as_published():
    piveau = vendored("piveau-dqv-vocabulary.ttl")
    assert str(piveau.value(PV.accessRightsAvailability, DQV.inDimension)) == str(PV) + "reusablity"
    assert METRICS["accessRightsAvailability"]["in_dimension"] == str(PV) + "reusablity"
    assert mqa.dimensions()["reusability"]["iri"] == str(PV.reusability)


DCATNO_NAMES = {"licenceAvailability": "licenseAvailability", "knownLicence": "knownLicense"}


def test_the_norwegian_default_points_agree_where_they_name_the_same_metric():
    dcatno = vendored("dcatno-mqa-default-score-values.ttl")
    for key, metric in METRICS.items():
        if metric["iri"].startswith(str(PV)):
            points = dcatno.value(DCATNO[DCATNO_NAMES.get(key, key)], DCATNO.trueScore)
            assert points is not None and int(points) == metric["points"], key


# ---------------------------------------------------------------- storage, hook, index, facet
def stored_row(package_id):
    return model.Session.execute(sa.select(quality_score_table).where(
        quality_score_table.c.package_id == package_id)).mappings().first()


@pytest.mark.usefixtures("clean_db")
def test_a_record_is_scored_when_written_and_indexed_by_band_without_changing_it():
    org = factories.Organization()
    pkg = CitizenDataset(owner_org=org["id"], tags=[{"name": "water"}], sdg_indicators=["16.6.2"])
    row = stored_row(pkg["id"])
    assert row is not None and row["band"] == "bad" and row["score"] == 30   # keywords, nothing else of the MQA
    assert row["record_modified"].isoformat() == pkg["metadata_modified"]
    found = toolkit.get_action("package_search")({}, {"fq": "quality_band:bad", "facet.field": '["quality_band"]'})
    assert [r["id"] for r in found["results"]] == [pkg["id"]]
    assert found["search_facets"]["quality_band"]["items"][0]["display_name"] == "Bad"
    assert toolkit.get_action("package_search")({}, {"q": "bad"})["count"] == 0     # a facet, not a word

    helpers.call_action("package_patch", context={"user": factories.Sysadmin()["name"]}, id=pkg["id"],
                        issued="2024-03-01", modified="2024-06-01")
    shown = toolkit.get_action("package_show")({}, {"id": pkg["id"]})
    assert stored_row(pkg["id"])["score"] == 40
    model.Session.execute(sa.update(quality_score_table).where(
        quality_score_table.c.package_id == pkg["id"]).values(band="good"))
    assert mqa.recompute([pkg["id"]]) == 1
    assert toolkit.get_action("package_show")({}, {"id": pkg["id"]})["metadata_modified"] == \
        shown["metadata_modified"]
    assert store.scores([pkg["id"]])[pkg["id"]]["band"] == "bad"


@pytest.mark.usefixtures("clean_db")
def test_recompute_reads_the_stored_checks_and_reindexes_a_changed_band():
    org = factories.Organization()
    record = dict(tags=[{"name": "water"}], theme=["SOCI"], countries=["GHA"],
                  temporal_coverage=[{"start": "2024-01-01"}], license_id="cc-by",
                  resources=[{"url": URL, "format": "CSV"}])
    pkg = CitizenDataset(owner_org=org["id"], **record)
    before = stored_row(pkg["id"])["score"]
    model.Session.execute(url_check_table.insert().values(url=URL, ok=True, status=200, method="HEAD"))
    model.Session.commit()

    assert mqa.recompute([pkg["id"], "no-such-record"]) == 1

    after = stored_row(pkg["id"])
    assert after["score"] == before + 50 and after["band"] != mqa.band(before)
    found = toolkit.get_action("package_search")({}, {"fq": f"quality_band:{after['band']}"})
    assert [r["id"] for r in found["results"]] == [pkg["id"]]


def test_each_hint_links_to_a_field_of_the_form_it_names():
    import yaml
    schema = yaml.safe_load((importlib.resources.files("ckanext.citizendata.schemas") / "dataset.yaml")
                            .read_text(encoding="utf-8"))
    forms = {"dataset": {f["field_name"] for f in schema["dataset_fields"]},
             "resource": {f["field_name"] for f in schema["resource_fields"]}}
    for metric in METRICS.values():
        assert metric["hint"].endswith(".") and len(metric["hint"]) < 120, metric["key"]
        if metric.get("field"):
            assert metric["field"] in forms[metric.get("form", "dataset")], metric["key"]
