"""quality_views.py: the publisher's report (score and NSO judgements in separate panels, what to fix with links
to the form fields that exist, SHACL findings, example assessments said to be made up, drafts only for the
assessing NSO), the methodology page, the dashboards with their charts and tables; who sees what."""
import datetime
import re

import pytest
from bs4 import BeautifulSoup
from ckan import model
from ckan.tests import factories, helpers
from ckanext.scheming.helpers import scheming_get_dataset_schema

from ckanext.citizendata.assessment import report
from ckanext.citizendata.model.assessment import assessment_table
from ckanext.citizendata.testing import CitizenDataset, forget_score, put_score
from ckanext.citizendata.vocab import registry

pytestmark = pytest.mark.usefixtures("clean_db")

NOW = datetime.datetime(2026, 12, 1, 9, 30, tzinfo=datetime.timezone.utc)
PV = "https://piveau.eu/ns/voc#"
MEASUREMENTS = [  # (metric, dimension, earned, possible, field)
    ("keywordAvailability", "findability", 30, 30, "tag_string"),
    ("categoryAvailability", "findability", 0, 30, "theme"),
    ("licenceAvailability", "reusability", 0, 20, "license_id"),
    ("contactPointAvailability", "reusability", 0, 20, "contact"),
    ("formatAvailability", "interoperability", 0, 20, "resources.format"),
]


def page(response):
    return BeautifulSoup(response.body, "html.parser")


def add_score(package_id, score=150, band="sufficient"):
    put_score(
        package_id=package_id, score=score, max_score=425, band=band,
        dimensions=[{"dimension": d, "iri": PV + d, "earned": e, "possible": p} for d, e, p in
                    (("findability", 30, 60), ("reusability", 0, 40), ("interoperability", 0, 20))],
        measurements=[{"metric": m, "iri": PV + m, "dimension": d, "earned": e, "possible": p, "value": e == p,
                       "hint": f"Fix {m}.", "field": f} for m, d, e, p, f in MEASUREMENTS],
        record_modified=datetime.datetime(2026, 11, 30, 10), computed_at=NOW)


def add_assessment(aid, package_id, org, assessor, state, verdict="endorse-complementary", **values):
    model.Session.execute(assessment_table.insert().values(
        id=aid, package_id=package_id, organization_id=org["id"], framework="un-nqaf-2019",
        intended_use="SDG 16.6.2 reporting", intended_indicators=["16.6.2"],
        criteria=[{"criterion": "The collection method is documented", "dimension": "relevance",
                   "mandatory": True, "answer": "yes", "rating": 3, "evidence_url": "https://example.org/m",
                   "comment": ""}],
        verdict=verdict, rationale={"en": f"Rationale of {aid}."}, state=state, assessor_id=assessor["id"],
        created=NOW, modified=NOW, published_at=NOW if state == "published" else None,
        valid_until=datetime.date(2030, 12, 31), judged_version=datetime.datetime(2030, 1, 1), **values))


@pytest.fixture
def site():
    """A CSO publishing a public and a private record, an editor of another organization, an NSO assessor."""
    owner, stranger, assessor = (factories.UserWithToken() for _ in range(3))
    cso = factories.Organization(name="cso", users=[{"name": owner["name"], "capacity": "editor"}])
    other = factories.Organization(name="other", users=[{"name": stranger["name"], "capacity": "editor"}])
    nso = factories.Organization(name="nso", users=[{"name": assessor["name"], "capacity": "editor"}])
    public = CitizenDataset(name="public-rec", owner_org=cso["id"], resources=[{"url": "https://example.org/d.csv"}])
    private = CitizenDataset(name="private-rec", owner_org=cso["id"], private=True)
    unscored = CitizenDataset(name="other-rec", owner_org=other["id"])
    forget_score(unscored["id"])       # as a record loaded by the bulk path, which runs no write hook
    add_score(public["id"])
    add_score(private["id"], score=300, band="good")
    add_assessment("pub", public["id"], nso, assessor, "published", example=True)
    add_assessment("draft", public["id"], nso, assessor, "draft", verdict="endorse-official")
    model.Session.commit()
    auth = {name: {"Authorization": user["token"]} for name, user in
            (("owner", owner), ("stranger", stranger), ("assessor", assessor))}
    auth["anonymous"] = {}
    return {"public": public, "private": private, "cso": cso, "other": other, "nso": nso, "auth": auth,
            "owner": owner}


# ---------------------------------------------------------------- the report
def test_the_report_shows_score_and_assessments_in_separate_panels(app, site):
    html = page(app.get("/dataset/public-rec/quality", status=200))
    score = html.select_one("section.citizendata-quality-score")
    judged = html.select_one("section.citizendata-quality-assessments")
    assert "150 of 425 points" in score.get_text() and score.select_one(".citizendata-band-sufficient")
    assert [t["data-metric"] for t in score.select("ul.citizendata-quality-fix li")] == [
        "categoryAvailability", "licenceAvailability", "contactPointAvailability", "formatAvailability"]
    assert "Fix categoryAvailability." in score.get_text()
    assert score.select_one('tbody[data-dimension="findability"] tr[data-metric="keywordAvailability"]')
    assert "Rationale of pub." not in score.get_text()          # judgements never in the score panel
    [article] = judged.select("article.citizendata-assessment")
    assert article["data-assessment"] == "pub" and "Rationale of pub." in article.get_text()
    assert "made up for the demonstration" in article.select_one(".citizendata-example").get_text()
    assert html.select_one('a[href="/quality/methodology"]')
    assert html.select_one("section.citizendata-quality-shacl")


def test_fix_links_are_for_those_who_may_edit_and_point_at_fields_the_form_has(app, site):
    anonymous = page(app.get("/dataset/public-rec/quality"))
    assert anonymous.select("a.citizendata-fix-link") == []
    owner = site["auth"]["owner"]
    links = [a["href"] for a in page(app.get("/dataset/public-rec/quality", headers=owner))
             .select("a.citizendata-fix-link")]
    assert len(links) == 4
    forms = {}
    for link in links:
        path, anchor = link.split("#")
        forms.setdefault(path, app.get(path, headers=owner, status=200).body)
        assert f'id="{anchor}"' in forms[path], f"{link}: the form has no element {anchor}"
    assert any("/resource/" in link for link in links)


def test_every_field_the_report_can_link_to_has_its_element_in_the_forms(app, site):
    owner = site["auth"]["owner"]
    public = site["public"]
    forms = {"dataset": app.get("/dataset/edit/public-rec", headers=owner, status=200).body,
             "resource": app.get(f"/dataset/public-rec/resource/{public['resources'][0]['id']}/edit",
                                 headers=owner, status=200).body}
    anchors = report.form_anchors(scheming_get_dataset_schema("dataset"))
    assert len(anchors) > 30
    missing = {name: anchor for name, (form, anchor) in anchors.items() if f'id="{anchor}"' not in forms[form]}
    assert missing == {}


def test_drafts_are_shown_only_to_the_assessing_nso(app, site):
    def shown(who):
        html = page(app.get("/dataset/public-rec/quality", headers=site["auth"][who]))
        return sorted(a["data-assessment"] for a in html.select("article.citizendata-assessment"))
    assert shown("anonymous") == ["pub"]
    assert shown("owner") == ["pub"]
    assert shown("stranger") == ["pub"]
    assert shown("assessor") == ["draft", "pub"]


@pytest.mark.parametrize("who, status", [("anonymous", 403), ("stranger", 403), ("owner", 200)])
def test_the_report_of_a_private_record_is_for_those_who_may_see_it(app, site, who, status):
    app.get("/dataset/private-rec/quality", headers=site["auth"][who], status=status)
    result = app.get("/api/3/action/citizendata_quality_report", query_string={"id": "private-rec"},
                     headers=site["auth"][who], status=status)
    if status == 200:
        assert result.json["result"]["score"]["band"] == "good"


@pytest.mark.parametrize("junk", ["no-such-record", "x" * 300, "other-rec%2Fquality", "' OR 1=1"])
def test_junk_ids_get_a_404(app, site, junk):
    app.get(f"/dataset/{junk}/quality", status=404)


def test_an_unreadable_id_gets_a_400_from_the_guard(app, site):
    app.get("/dataset/%00/quality", status=400)


def test_a_dataset_is_not_reported_under_the_initiative_address(app, site):
    app.get("/dataset_series/public-rec/quality", status=404)


def test_an_initiative_has_its_report_at_its_own_address_with_links_into_its_form(app, site):
    owner = site["auth"]["owner"]
    series = helpers.call_action(
        "package_create", context={"user": site["owner"]["name"]}, type="dataset_series", name="an-initiative",
        title="An initiative", notes="Example initiative made for the demonstration", owner_org=site["cso"]["id"],
        initiative_type="community-survey", engagement=[{"stage": "design", "level": 4, "actors": ["cso"]}])
    add_score(series["id"])
    model.Session.commit()
    html = page(app.get("/dataset_series/an-initiative/quality", headers=owner, status=200))
    links = [a["href"] for a in html.select("a.citizendata-fix-link")]
    assert links and all(link.startswith("/dataset_series/") for link in links)
    app.get("/dataset/an-initiative/quality", status=404)
    form = app.get("/dataset_series/edit/an-initiative", headers=owner, status=200).body
    anchors = report.form_anchors(scheming_get_dataset_schema("dataset_series"))
    assert {name: a for name, (kind, a) in anchors.items() if kind == "dataset" and f'id="{a}"' not in form} == {}
    assert html.select_one('.citizendata-quality-link') is None      # the report is not the dataset page
    assert page(app.get("/dataset_series/an-initiative", status=200)).select_one(
        '.citizendata-quality-link a[href="/dataset_series/an-initiative/quality"]')


def test_the_dataset_page_links_to_its_report(app, site):
    html = page(app.get("/dataset/public-rec", status=200))
    assert html.select_one('.citizendata-quality-link a[href="/dataset/public-rec/quality"]')


def test_the_report_action_answers_json(app, site):
    result = app.get("/api/3/action/citizendata_quality_report", query_string={"id": "public-rec"},
                     status=200).json["result"]
    assert result["score"]["score"] == 150 and [a["id"] for a in result["assessments"]] == ["pub"]
    assert result["assessments"][0]["example"] is True
    assert all(set(f) >= {"severity", "focus", "path", "message"} for f in result["shacl"]["findings"])
    app.get("/api/3/action/citizendata_quality_report", query_string={"id": "nothing"}, status=404)
    missing = app.get("/api/3/action/citizendata_quality_report", status=409).json["error"]
    assert missing["id"] == ["Missing value"]


# ---------------------------------------------------------------- methodology
def test_the_methodology_page_is_public_and_names_bands_and_roles(app):
    html = page(app.get("/quality/methodology", status=200))
    assert [tr["data-band"] for tr in html.select("table.citizendata-method-bands tr[data-band]")] == \
        ["excellent", "good", "sufficient", "bad"]
    assert "351" in html.select_one('tr[data-band="excellent"]').get_text()
    assert "never records of their own organization" in html.select_one("ul.citizendata-method-roles").get_text()
    assert "never mixed" in html.get_text()
    assert "took part at each stage" in html.select_one(".citizendata-method-citizen").get_text()


def test_the_methodology_lists_frameworks_with_their_pages_and_what_each_verdict_grants(app):
    html = page(app.get("/quality/methodology", status=200))
    frameworks = {li["data-framework"]: li for li in html.select("ul.citizendata-method-frameworks li")}
    assert set(frameworks) == {"un-nqaf-2019", "ess-qaf-2", "paris21-cgd-2021", "psa-cgd-2019", "kesqaf-2022"}
    nqaf = registry.get_concept("assessment-frameworks", "un-nqaf-2019")
    assert nqaf["pref_labels"]["en"] in frameworks["un-nqaf-2019"].get_text()
    assert [a["href"] for a in frameworks["un-nqaf-2019"].find_all("a")] == nqaf["mappings"]["seeAlso"]
    grants = {tr["data-verdict"]: tr.find_all("td")[1].get_text(strip=True)
              for tr in html.select("table.citizendata-method-verdicts tr[data-verdict]")}
    for verdict, status in grants.items():
        [iri] = registry.get_concept("assessment-verdicts", verdict)["mappings"]["closeMatch"]
        assert status == registry.get_concept(iri=iri)["pref_labels"]["en"]
    assert set(grants) == {"endorse-official", "endorse-experimental", "endorse-complementary", "not-endorsed"}


# ---------------------------------------------------------------- dashboards
def band_counts(html):
    return {tr["data-band"]: int(tr.find("td").get_text()) for tr in
            html.select("table.citizendata-figures-bands tr[data-band]")}


@pytest.mark.parametrize("who, good", [("anonymous", 0), ("stranger", 0), ("owner", 1)])
def test_dashboards_count_private_records_only_for_who_may_see_them(app, site, who, good):
    headers = site["auth"][who]
    catalog = page(app.get("/quality/", headers=headers, status=200))
    assert band_counts(catalog)["good"] == good and band_counts(catalog)["sufficient"] == 1
    assert band_counts(catalog)["not-scored"] == 1                 # other-rec
    organization = page(app.get("/organization/cso/quality", headers=headers, status=200))
    assert band_counts(organization) == {"excellent": 0, "good": good, "sufficient": 1, "bad": 0, "not-scored": 0}
    assessed = {tr["data-assessed"]: int(tr.find("td").get_text())
                for tr in organization.select("table.citizendata-figures-assessed tr")
                if tr.has_attr("data-assessed")}
    assert assessed == {"yes": 1, "no": good}


def test_the_catalog_dashboard_has_a_row_per_organization_and_links_to_searches(app, site):
    html = page(app.get("/quality/", status=200))
    rows = {tr["data-organization"] for tr in html.select("table.citizendata-figures-organizations tbody tr")}
    assert rows == {"cso", "other"}
    assert html.select_one('a[href="/dataset/?quality_band=good"]')
    assert html.select_one('a[href^="/dataset/?recognition_status="]')


def test_an_unknown_organization_has_no_dashboard(app, site):
    app.get("/organization/no-such-org/quality", status=404)
    app.get("/organization/" + "x" * 300 + "/quality", status=404)


def test_charts_are_served_from_the_site_not_a_cdn(app, site):
    body = app.get("/quality/", status=200).body
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', body)
    assert all(not s.startswith(("http://", "https://", "//")) for s in scripts)
    charts = [s for s in scripts if "charts" in s]
    assert charts, "the charts bundle is not on the page"
    script = app.get(charts[0], status=200).body
    assert "Chart.js v4" in script and "citizendata-chart" in script
    assert len(page(app.get("/quality/")).select('figure[data-module="citizendata-chart"] canvas')) == 4


def test_pages_render_right_to_left_in_arabic(app, site):
    for url in ("/ar/quality/", "/ar/quality/methodology", "/ar/dataset/public-rec/quality"):
        html = page(app.get(url, status=200))
        assert html.find("html").get("dir") == "rtl"
