"""views.py: the vocabulary registry's pages and downloads (HTML, Turtle, JSON-LD, by extension or Accept) and the
SDMX structure REST endpoint (SDMX-ML by default, SDMX-JSON by Accept, SDMX error messages, 404 / 406), checked by
what they carry, not only by their status."""
import json

import pytest
import rdflib
from bs4 import BeautifulSoup
from lxml import etree
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SKOS

from ckanext.citizendata.namespaces import VOCAB
from ckanext.citizendata.vocab import registry

pytestmark = pytest.mark.usefixtures("clean_db")

SDMX = "/sdmx/rest/v2/structure"
SDMX_JSON = "application/vnd.sdmx.structure+json;version=2.0.0"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
MES = "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/message"
STR = "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/structure"
COM = "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/common"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def text_of(body):
    return body if isinstance(body, str) else body.decode("utf-8")


def soup(response):
    assert response.headers["Content-Type"].startswith("text/html")
    return BeautifulSoup(text_of(response.body), "html.parser")


def english_label(scheme_id, notation):
    return registry.get_concept(scheme_id, notation)["pref_labels"]["en"]


# ------------------------------------------------------------------ /vocabulary/


def test_the_index_lists_every_scheme_with_its_title_and_code_list(app):
    page = soup(app.get("/vocabulary/", status=200))
    rows = page.select("table.citizendata-schemes tbody tr")
    schemes = registry.list_schemes()
    assert len(rows) == len(schemes) > 0
    by_link = {row.find("a")["href"]: row for row in rows}
    for scheme in schemes:
        row = by_link[f"/vocabulary/{scheme['id']}"]
        assert row.find("a").get_text(strip=True) == scheme["title"]["en"]
        assert f"{scheme['sdmx_agency']}:CL_{scheme['sdmx_id']}" in row.get_text()
        assert row.find_all("td")[-1].get_text(strip=True) == str(scheme["concept_count"])


def test_a_scheme_page_shows_its_concepts_with_labels(app):
    page = soup(app.get("/vocabulary/engagement-levels", status=200))
    assert page.find("h1").get_text(strip=True) == registry.get_scheme("engagement-levels")["title"]["en"]
    rows = {row["id"]: [td.get_text(strip=True) for td in row.find_all("td")]
            for row in page.select("table.citizendata-concepts tbody tr")}
    assert list(rows) == ["1", "2", "3", "4", "5"]
    assert rows["4"][:2] == ["4", english_label("engagement-levels", "4")]
    assert rows["5"][2] == registry.get_concept("engagement-levels", "5")["definitions"]["en"]
    links = {a.get_text(): a["href"] for a in page.find_all("a")}
    assert links["Turtle"] == "/vocabulary/engagement-levels.ttl"
    assert links["JSON-LD"] == "/vocabulary/engagement-levels.jsonld"
    assert links["SDMX-ML"] == f"{SDMX}/codelist/CITIZENDATA/CL_ENGAGEMENT_LEVEL/1.0"


def test_a_scheme_page_links_a_concept_to_its_broader_one(app):
    page = soup(app.get("/vocabulary/sdg", status=200))
    row = page.find("tr", id="16.6.2")
    assert row is not None
    assert english_label("sdg", "16.6.2") in row.get_text()
    assert [a["href"] for a in row.find_all("a")] == ["#16.6"]


def test_the_turtle_download_carries_the_concepts_and_labels(app):
    response = app.get("/vocabulary/engagement-stages.ttl", status=200)
    assert response.headers["Content-Type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=text_of(response.body), format="turtle")
    design = VOCAB["engagement-stages/design"]
    assert (design, RDF.type, SKOS.Concept) in graph
    assert (design, SKOS.inScheme, VOCAB["engagement-stages"]) in graph
    assert (design, SKOS.notation, rdflib.Literal("design")) in graph
    labels = {o.language: str(o) for o in graph.objects(design, SKOS.prefLabel)}
    assert labels["en"] == english_label("engagement-stages", "design")
    assert {"en", "es", "fr", "ar"} <= set(labels)
    assert len(set(graph.subjects(SKOS.inScheme, VOCAB["engagement-stages"]))) == 7


def test_the_jsonld_download_is_the_same_graph(app):
    turtle = rdflib.Graph().parse(data=text_of(app.get("/vocabulary/actor-types.ttl").body), format="turtle")
    response = app.get("/vocabulary/actor-types.jsonld", status=200)
    assert response.headers["Content-Type"].startswith("application/ld+json")
    json.loads(response.body)  # well-formed JSON
    graph = rdflib.Graph().parse(data=text_of(response.body), format="json-ld")
    assert isomorphic(graph, turtle)
    cso = VOCAB["actor-types/cso"]
    assert str(graph.value(cso, SKOS.prefLabel, any=True)) in registry.get_concept("actor-types", "cso")[
        "pref_labels"].values()


@pytest.mark.parametrize("accept, media_type, fmt", [
    ("text/turtle", "text/turtle", "turtle"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("application/n-triples", "application/n-triples", "nt"),
])
def test_accept_chooses_the_rdf_format(app, accept, media_type, fmt):
    response = app.get("/vocabulary/engagement-levels", headers={"Accept": accept}, status=200)
    assert response.headers["Content-Type"].startswith(media_type)
    graph = rdflib.Graph().parse(data=text_of(response.body), format=fmt)
    level = VOCAB["engagement-levels/4"]
    assert (level, SKOS.notation, rdflib.Literal("4")) in graph
    assert rdflib.Literal(english_label("engagement-levels", "4"), lang="en") in set(
        graph.objects(level, SKOS.prefLabel))


@pytest.mark.parametrize("accept", [None, BROWSER, "text/html", "text/turtle;q=0.5, text/html"])
def test_a_browser_gets_html(app, accept):
    headers = {"Accept": accept} if accept else {}
    page = soup(app.get("/vocabulary/engagement-levels", headers=headers, status=200))
    assert page.find("tr", id="4") is not None


@pytest.mark.parametrize("path, message", [
    ("/vocabulary/nope", "Concept scheme not found"),
    ("/vocabulary/nope.ttl", "Concept scheme not found"),
    ("/vocabulary/engagement-levels.xyz", "Unknown format"),
    ("/vocabulary/engagement-levels.html", "Unknown format"),  # HTML is the page without an extension
])
def test_unknown_scheme_or_format_is_404(app, path, message):
    response = app.get(path, status=404)
    assert message in text_of(response.body)


# ------------------------------------------------------------------ /sdmx/rest/v2/structure/


def xml_root(response):
    body = response.body if isinstance(response.body, bytes) else response.body.encode("utf-8")
    return etree.fromstring(body)


def test_a_code_list_is_sdmx_ml_3_by_default(app):
    response = app.get(f"{SDMX}/codelist/CITIZENDATA/CL_ENGAGEMENT_LEVEL/latest", status=200)
    assert response.headers["Content-Type"].startswith("application/vnd.sdmx.structure+xml;version=3.0.0")
    root = xml_root(response)
    assert root.tag == f"{{{MES}}}Structure"
    [codelist] = root.iter(f"{{{STR}}}Codelist")
    assert (codelist.get("id"), codelist.get("agencyID"), codelist.get("version")) == (
        "CL_ENGAGEMENT_LEVEL", "CITIZENDATA", "1.0")
    codes = {code.get("id"): code for code in codelist.iter(f"{{{STR}}}Code")}
    assert list(codes) == ["1", "2", "3", "4", "5"]
    names = {name.get(XML_LANG): name.text for name in codes["4"].findall(f"{{{COM}}}Name")}
    assert names["en"] == english_label("engagement-levels", "4")
    assert {"en", "es", "fr", "ar"} <= set(names)


def test_a_code_list_is_sdmx_json_by_accept(app):
    response = app.get(f"{SDMX}/codelist/IAEG-SDGs/CL_SDG_INDICATOR", headers={"Accept": SDMX_JSON}, status=200)
    assert response.headers["Content-Type"].startswith("application/vnd.sdmx.structure+json")
    [codelist] = json.loads(response.body)["data"]["codelists"]
    assert (codelist["id"], codelist["agencyID"], codelist["version"]) == ("CL_SDG_INDICATOR", "IAEG-SDGs", "2023")
    codes = {code["id"]: code for code in codelist["codes"]}
    assert len(codes) == len(registry.concepts("sdg"))
    indicator = codes["16_6_2"]
    assert indicator["names"]["en"] == english_label("sdg", "16.6.2")
    assert indicator["parent"] == "16_6" and codes["16_6"]["parent"] == "16"
    assert {"title": "16.6.2", "type": "NOTATION"} in indicator["annotations"]


def test_a_concept_scheme_of_our_agency(app):
    response = app.get(f"{SDMX}/conceptscheme/CITIZENDATA/CS_DISAGGREGATION/1.0", headers={"Accept": "application/json"},
                       status=200)
    [scheme] = json.loads(response.body)["data"]["conceptSchemes"]
    assert scheme["id"] == "CS_DISAGGREGATION"
    concepts = {c["id"]: c for c in scheme["concepts"]}
    assert concepts["SEX"]["names"]["en"] == english_label("disaggregation", "SEX")


def test_wildcards_select_by_agency(app):
    root = xml_root(app.get(f"{SDMX}/codelist/CITIZENDATA/*/*", status=200))
    found = {(c.get("agencyID"), c.get("id")) for c in root.iter(f"{{{STR}}}Codelist")}
    own = {("CITIZENDATA", f"CL_{s['sdmx_id']}") for s in registry.list_schemes() if s["sdmx_agency"] == "CITIZENDATA"}
    assert found == own and len(own) >= 9


@pytest.mark.parametrize("path, detail", [
    ("/dataflow/CITIZENDATA/DF_X/1.0", "Unknown or unsupported structure type 'dataflow'"),
    ("/categoryscheme", "Unknown or unsupported structure type 'categoryscheme'"),
    ("/codelist/CITIZENDATA/CL_NOPE/1.0", "No codelist matches CITIZENDATA/CL_NOPE/1.0"),
    ("/codelist/NOBODY", "No codelist matches NOBODY/*/~"),
    ("/codelist/CITIZENDATA/CL_ENGAGEMENT_LEVEL/9.9", "No codelist matches CITIZENDATA/CL_ENGAGEMENT_LEVEL/9.9"),
    ("/conceptscheme/IAEG-SDGs/CS_SEX", "No conceptscheme matches IAEG-SDGs/CS_SEX/~"),  # not our agency
])
def test_unknown_type_or_artefact_is_a_404_error_message(app, path, detail):
    as_xml = app.get(SDMX + path, status=404)
    [message] = xml_root(as_xml).iter(f"{{{MES}}}ErrorMessage")
    assert message.get("code") == "100"
    assert message.find(f"{{{COM}}}Text").text == detail
    as_json = json.loads(app.get(SDMX + path, headers={"Accept": SDMX_JSON}, status=404).body)
    assert [(e["code"], e["detail"]) for e in as_json["errors"]] == [(100, detail)]


@pytest.mark.parametrize("accept", ["image/png", "text/html", "application/vnd.sdmx.structure+json;version=1.0.0"])
def test_an_unacceptable_accept_is_406(app, accept):
    response = app.get(f"{SDMX}/codelist/CITIZENDATA/CL_ENGAGEMENT_LEVEL", headers={"Accept": accept}, status=406)
    assert accept in text_of(response.body)


def test_an_unknown_format_parameter_is_406(app):
    response = app.get(f"{SDMX}/codelist/CITIZENDATA/CL_ENGAGEMENT_LEVEL", query_string={"format": "csv"}, status=406)
    assert "format='csv'" in text_of(response.body)


def test_an_unsupported_version_wildcard_is_501(app):
    response = app.get(f"{SDMX}/codelist/CITIZENDATA/CL_ENGAGEMENT_LEVEL/1.*", status=501)
    assert "1.*" in text_of(response.body)


def test_a_malformed_query_is_400(app):
    response = app.get(f"{SDMX}/codelist/not%20an%20agency", status=400)
    assert "not an agency" in text_of(response.body)


@pytest.mark.parametrize("resource", ["*", "codelist,conceptscheme"])
def test_every_structure_type_by_star_or_comma_list(app, resource):
    """``*`` for the structure type (documented in sdmx_io/rest.py) answered 404; it selects both kinds."""
    root = xml_root(app.get(f"{SDMX}/{resource}/CITIZENDATA/*/*", status=200))
    codelists = {c.get("id") for c in root.iter(f"{{{STR}}}Codelist")}
    schemes = {c.get("id") for c in root.iter(f"{{{STR}}}ConceptScheme")}
    own = {s["sdmx_id"] for s in registry.list_schemes() if s["sdmx_agency"] == "CITIZENDATA"}
    assert codelists == {f"CL_{i}" for i in own} and schemes == {f"CS_{i}" for i in own}


@pytest.mark.parametrize("path, status, detail", [
    ("/codelist/%21bad/*/*", 400, "'!bad' is not a valid agency"),
    ("/codelist/CITIZENDATA/%21bad", 400, "'!bad' is not a valid resource id"),
    ("/codelist/CITIZENDATA/CL_SEX/%21%21", 400, "'!!' is not a valid version"),
    ("/codelist/a%00", 400, "'a\\x00' is not a valid agency"),
    ("/codelist/CITIZENDATA/*/1.*", 501, "version wildcard '1.*' is not supported"),
    ("/codelist/CITIZENDATA/*/1%2B.0.0", 501, "version wildcard '1+.0.0' is not supported"),
    ("/codelist,dataflow/CITIZENDATA", 404, "Unknown or unsupported structure type 'codelist,dataflow'"),
])
def test_bad_queries_are_sdmx_error_messages_with_their_status(app, path, status, detail):
    as_json = json.loads(app.get(SDMX + path, headers={"Accept": SDMX_JSON}, status=status).body)
    [error] = as_json["errors"]
    assert error["detail"].startswith(detail)


@pytest.mark.parametrize("path, accept, name", [
    ("/codelist/CITIZENDATA/CL_ENGAGEMENT_LEVEL/latest", None, "CITIZENDATA-CL_ENGAGEMENT_LEVEL-1.0.xml"),
    ("/codelist/CITIZENDATA/CL_ENGAGEMENT_LEVEL/latest", SDMX_JSON, "CITIZENDATA-CL_ENGAGEMENT_LEVEL-1.0.json"),
    ("/codelist/CITIZENDATA/CL_ENGAGEMENT_LEVEL/~?format=sdmx-ml-2.1", None,
     "CITIZENDATA-CL_ENGAGEMENT_LEVEL-1.0.xml"),
    ("/codelist/CITIZENDATA", None, "CITIZENDATA-codelist.xml"),
])
def test_a_structure_message_is_shown_inline_under_a_real_file_name(app, path, accept, name):
    response = app.get(SDMX + path, headers={"Accept": accept} if accept else {}, status=200)
    assert response.headers["Content-Disposition"] == f'inline; filename="{name}"'


def test_an_sdmx_error_message_names_no_file(app):
    response = app.get(f"{SDMX}/codelist/NOBODY/CL_X/latest", status=404)
    assert "Content-Disposition" not in response.headers
