"""The vocabulary registry in the database: loading, actions, pages, Turtle/JSON-LD, SDMX REST."""
import io
import json
import os
import shutil

import pytest
import rdflib
import sdmx
import sqlalchemy as sa
from rdflib.namespace import SKOS

from ckan import model
from ckan.common import config
from ckan.tests import helpers

from ckanext.citizendata.model import concept_table, scheme_table
from ckanext.citizendata.namespaces import EU_COUNTRY, VOCAB
from ckanext.citizendata.vocab import registry

pytestmark = pytest.mark.usefixtures("clean_db")


def counts():
    scheme_count = model.Session.execute(sa.select(sa.func.count()).select_from(scheme_table)).scalar()
    concept_count = model.Session.execute(sa.select(sa.func.count()).select_from(concept_table)).scalar()
    return scheme_count, concept_count


def test_load_is_idempotent_and_reports_unchanged():
    before = counts()
    reports = registry.load_directory()
    assert {r.status for r in reports} == {"unchanged"}
    assert counts() == before
    assert before[0] == len([f for f in os.listdir(registry.default_directory()) if f.endswith(".ttl")])


def test_an_invalid_file_is_refused_whole(tmp_path):
    source = registry.default_directory()
    for name in ("engagement-levels.ttl", "actor-types.ttl"):
        shutil.copy(os.path.join(source, name), tmp_path / name)
    broken = (tmp_path / "actor-types.ttl").read_text(encoding="utf-8")
    # a second concept with the notation of another one
    broken += ('\n<https://w3id.org/citizendata/vocab/actor-types/clone> a <http://www.w3.org/2004/02/skos/core#Concept> ;'
               ' <http://www.w3.org/2004/02/skos/core#inScheme> <https://w3id.org/citizendata/vocab/actor-types> ;'
               ' <http://www.w3.org/2004/02/skos/core#notation> "cso" ;'
               ' <http://www.w3.org/2004/02/skos/core#prefLabel> "Clone"@en .\n')
    (tmp_path / "actor-types.ttl").write_text(broken, encoding="utf-8")
    before = counts()
    with pytest.raises(registry.VocabularyError) as err:
        registry.load_directory(str(tmp_path), force=True)
    assert err.value.scheme == "actor-types.ttl" and err.value.problems
    assert counts() == before


@pytest.mark.ckan_config("ckanext.citizendata.vocab.base_uri", "https://data.example.org/vocab/")
def test_a_configured_base_rewrites_the_iris(tmp_path):
    shutil.copy(os.path.join(registry.default_directory(), "engagement-levels.ttl"), tmp_path)
    registry.load_directory(str(tmp_path))
    concept = registry.get_concept("engagement-levels", "4")
    assert concept["iri"] == "https://data.example.org/vocab/engagement-levels/4"
    assert "https://data.example.org/vocab/engagement-levels" in registry.scheme_turtle("engagement-levels")
    registry.load_directory(str(tmp_path))  # unchanged: same file, same base
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(config, "ckanext.citizendata.vocab.base_uri", "https://w3id.org/citizendata/vocab/")
        registry.load_directory(str(tmp_path))
    assert registry.get_concept("engagement-levels", "4")["iri"] == str(VOCAB["engagement-levels/4"])


def test_actions_list_show_concept_show():
    schemes = helpers.call_action("citizendata_vocabulary_list")
    by_id = {s["id"]: s for s in schemes}
    assert by_id["engagement-levels"]["sdmx_id"] == "ENGAGEMENT_LEVEL"
    assert by_id["sdg"]["concept_count"] == len(registry.concepts("sdg"))
    shown = helpers.call_action("citizendata_vocabulary_show", id="engagement-stages")
    assert [c["notation"] for c in shown["concepts"]] == ["identify-needs", "design", "collect", "process",
                                                           "analyse", "disseminate", "use"]
    target = helpers.call_action("citizendata_concept_show", scheme="sdg", notation="16.6")
    assert target["broader"] == ["16"] and target["narrower"] == ["16.6.1", "16.6.2"]
    by_iri = helpers.call_action("citizendata_concept_show", iri=str(VOCAB["sdg/16.6.2"]))
    assert by_iri["notation"] == "16.6.2"
    with pytest.raises(Exception, match="No concept scheme"):
        helpers.call_action("citizendata_vocabulary_show", id="nope")


@pytest.mark.parametrize("q, scheme, lang, expected", [
    ("particip", "initiative-types", "en", "participatory-mapping"),
    ("cartograf", "initiative-types", "es", "participatory-mapping"),
    ("16.6", "sdg", None, "16.6"),
    ("colabor", "engagement-levels", "es", "4"),
    ("DISAB", "disaggregation", None, "DISABILITY_STATUS"),
])
def test_concept_search_any_language_and_notation(q, scheme, lang, expected):
    results = helpers.call_action("citizendata_concept_search", q=q, scheme=scheme, lang=lang, limit=20)
    assert expected in [r["notation"] for r in results], results
    assert all(r["scheme_id"] == scheme for r in results)


def test_concept_search_arabic_and_limits():
    levels = {c["notation"]: c for c in registry.concepts("engagement-levels")}
    arabic = levels["5"]["pref_labels"]["ar"]
    results = helpers.call_action("citizendata_concept_search", q=arabic[:3], scheme="engagement-levels", lang="ar")
    assert "5" in [r["notation"] for r in results] and results[0]["label"]
    with pytest.raises(Exception, match="limit"):
        helpers.call_action("citizendata_concept_search", q="a", limit=1000)


def test_vocabulary_pages(app):
    body = app.get("/vocabulary/").body
    assert "engagement-levels" in body and "sdg" in body
    page = app.get("/vocabulary/engagement-stages").body
    assert "identify-needs" in page and "gsbpm" in page.lower()
    app.get("/vocabulary/nope", status=404)


def test_sdg_turtle_has_17_goals_and_169_targets(app):
    response = app.get("/vocabulary/sdg.ttl")
    assert response.headers["Content-Type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=response.body, format="turtle")
    concepts = set(graph.subjects(SKOS.inScheme, VOCAB["sdg"]))
    notations = [str(graph.value(c, SKOS.notation)) for c in concepts]
    assert sum(n.count(".") == 0 for n in notations) == 17
    assert sum(n.count(".") == 1 for n in notations) == 169


@pytest.mark.parametrize("accept, fmt", [("text/turtle", "turtle"), ("application/ld+json", "json-ld")])
def test_content_negotiation(app, accept, fmt):
    response = app.get("/vocabulary/engagement-levels", headers={"Accept": accept})
    assert response.headers["Content-Type"].startswith(accept)
    graph = rdflib.Graph().parse(data=response.body, format=fmt)
    assert (VOCAB["engagement-levels/4"], SKOS.notation, rdflib.Literal("4")) in graph


def test_jsonld_download(app):
    data = json.loads(app.get("/vocabulary/actor-types.jsonld").body)
    assert any("actor-types/cso" in json.dumps(node) for node in data)


def read_sdmx(body: bytes):
    return sdmx.read_sdmx(io.BytesIO(body))


def test_sdmx_codelist_cl_sex_is_read_by_sdmx1(app):
    response = app.get("/sdmx/rest/v2/structure/codelist/IAEG-SDGs/CL_SEX/latest")
    assert "application/vnd.sdmx.structure+xml" in response.headers["Content-Type"]
    message = read_sdmx(response.body if isinstance(response.body, bytes) else response.body.encode())
    codelist = message.codelist["CL_SEX"]
    assert str(codelist.maintainer.id) == "IAEG-SDGs"
    assert {"F", "M", "_T"} <= {code.id for code in codelist}
    assert str(codelist["F"].name) == "Female"


def test_countries_are_a_scheme_like_any_other_and_an_sdmx_code_list(app):
    kenya = registry.get_concept("iso-3166-1-alpha-3", "KEN")
    assert kenya["pref_labels"] == {"en": "Kenya", "es": "Kenia", "fr": "Kenya", "ar": "كينيا"}
    assert kenya["mappings"] == {"exactMatch": [str(EU_COUNTRY.KEN), str(VOCAB["cl-area/404"])]}
    body = app.get("/sdmx/rest/v2/structure/codelist/ISO/CL_ISO_3166_1_ALPHA_3/latest").body
    codelist = read_sdmx(body if isinstance(body, bytes) else body.encode()).codelist["CL_ISO_3166_1_ALPHA_3"]
    assert len(list(codelist)) == len(registry.concepts("iso-3166-1-alpha-3")) > 240
    assert {"en", "es", "fr", "ar"} <= set(codelist["GHA"].name.localizations)


def test_sdmx_engagement_levels_codelist_in_four_languages(app):
    body = app.get("/sdmx/rest/v2/structure/codelist/CITIZENDATA/CL_ENGAGEMENT_LEVEL/~").body
    message = read_sdmx(body if isinstance(body, bytes) else body.encode())
    codelist = message.codelist["CL_ENGAGEMENT_LEVEL"]
    assert [code.id for code in codelist] == ["1", "2", "3", "4", "5"]
    names = codelist["4"].name.localizations
    assert {"en", "es", "fr", "ar"} <= set(names)


def test_sdmx_conceptscheme_and_json(app):
    body = app.get("/sdmx/rest/v2/structure/conceptscheme/CITIZENDATA/CS_DISAGGREGATION/*").body
    message = read_sdmx(body if isinstance(body, bytes) else body.encode())
    assert "SEX" in {c.id for c in message.concept_scheme["CS_DISAGGREGATION"]}
    json_response = app.get("/sdmx/rest/v2/structure/codelist/CITIZENDATA/CL_RECOGNITION_STATUS",
                            headers={"Accept": "application/vnd.sdmx.structure+json;version=2.0.0"})
    data = json.loads(json_response.body)
    codes = data["data"]["codelists"][0]["codes"]
    assert [c["id"] for c in codes][:1] == ["not-endorsed"]


def test_sdmx_wildcards_and_errors(app):
    body = app.get("/sdmx/rest/v2/structure/codelist/CITIZENDATA/*/*").body
    message = read_sdmx(body if isinstance(body, bytes) else body.encode())
    assert {"CL_ENGAGEMENT_LEVEL", "CL_ENGAGEMENT_STAGE"} <= set(message.codelist)
    assert "CL_SEX" not in message.codelist  # another agency's list
    missing = app.get("/sdmx/rest/v2/structure/codelist/CITIZENDATA/CL_NOPE/1.0", status=404)
    assert b"ErrorMessage" in (missing.body if isinstance(missing.body, bytes) else missing.body.encode())
    app.get("/sdmx/rest/v2/structure/dataflow/CITIZENDATA/X/1.0", status=404)
    app.get("/sdmx/rest/v2/structure/codelist/CITIZENDATA/CL_SEX/1.0", headers={"Accept": "image/png"}, status=406)
