"""logic/display.py: the record page's helpers, and the page they build (summary, stages, sections)."""
import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories

from ckanext.citizendata.logic import display, registered

from ..record.test_inherit import round_dataset, setup  # noqa: F401
from .test_helpers import request_as  # noqa: F401

pytestmark = pytest.mark.usefixtures("clean_db")


def page(app, url, **kwargs):
    return BeautifulSoup(app.get(url, **kwargs).body, "html.parser")


def text(node):
    return node.get_text(" ", strip=True) if node is not None else None


def test_the_page_helpers_are_registered():
    names = {n for n, f in registered()["helpers"].items() if f.__module__ == display.__name__}
    assert names == {"citizendata_concept_links", "citizendata_level_scale", "citizendata_definition_reasons",
                     "citizendata_field_labels", "citizendata_language_name", "citizendata_more_metadata",
                     "citizendata_quality_summary"}


# ---------------------------------------------------------------- helpers
def test_concept_links_lead_to_the_search_and_the_vocabulary(request_as):
    with request_as("en"):
        [indicator] = display.citizendata_concept_links("sdg_indicators", '["16.6.2"]')
        [actor] = display.citizendata_concept_links("actors", ["cso"])
        [stage] = display.citizendata_concept_links("stage", "collect")
        [unknown] = display.citizendata_concept_links("countries", ["XXX"])
        assert display.citizendata_concept_links("countries", None) == []
    assert indicator["coded"] and indicator["text"].startswith("Proportion of population satisfied")
    assert indicator["search"] == "/dataset/?sdg_indicators=16.6.2"
    assert indicator["vocabulary"] == "/vocabulary/sdg#16.6.2"
    assert actor["search"] is None and actor["vocabulary"] == "/vocabulary/actor-types#cso"   # no facet for actors
    assert not actor["coded"] and actor["text"] == "Civil society organisation"
    assert stage["search"] == "/dataset/?engagement_stage=collect"        # searched as the index field
    assert unknown == {"notation": "XXX", "text": "XXX", "coded": False, "search": "/dataset/?countries=XXX",
                       "vocabulary": None}


@pytest.mark.parametrize("pkg, reasons", [
    ({"engagement": [{"stage": "design", "level": 4}]}, []),
    ({"engagement": [{"stage": "collect", "level": 2}, {"stage": "use", "level": 5}]},
     ["Citizens' highest engagement in design or collection is level 2 (Consult); the definition needs level 4 "
      "(Collaborate) or 5 (Citizen-led)."]),
    ({"engagement": '[{"stage": "use", "level": 5}]'},
     ["No level of citizen engagement is stated for the design or the collection of the data; the definition "
      "needs level 4 (Collaborate) or 5 (Citizen-led) in one of them."]),
    ({"engagement": [{"stage": "design", "level": 5}], "ethics": '{"personal_data": true}'},
     ["The data hold personal or sensitive information, and neither informed consent nor an ethics review is "
      "stated."]),
])
def test_definition_reasons_in_plain_words(request_as, pkg, reasons):
    with request_as("en"):
        assert display.citizendata_definition_reasons(pkg) == reasons


@pytest.mark.parametrize("lang, code, name", [
    ("en", "es", "Spanish"), ("es", "en", "inglés"), ("fr", "ara", "arabe"), ("ar", "fr", "الفرنسية"),
    ("en", "http://publications.europa.eu/resource/authority/language/ENG", "English"),
    ("en", "xx-unknown", "xx-unknown"), ("en", None, ""),
])
def test_language_names_not_codes(request_as, lang, code, name):
    with request_as(lang):
        assert display.citizendata_language_name(code) == name


def test_field_labels_are_the_schemas_labels(request_as):
    schema = {"dataset_fields": [{"field_name": "initiative_type", "label": "Initiative type"}]}
    with request_as("en"):
        labels = display.citizendata_field_labels(["initiative_type", "countries", "no_such_field"], schema)
    assert labels == ["Initiative type", "Countries (ISO 3166-1 alpha-3)", "no_such_field"]


def test_more_metadata_leaves_empty_fields_and_subfields_out():
    schema = {"dataset_fields": [
        {"field_name": "title"}, {"field_name": "countries"}, {"field_name": "issued"}, {"field_name": "frequency"},
        {"field_name": "ethics", "display_snippet": None},
        {"field_name": "contact", "repeating_subfields": [{"field_name": "name"}, {"field_name": "email"}]},
        {"field_name": "language"}]}
    pkg = {"title": "T", "countries": ["GHA"], "issued": "", "frequency": None, "ethics": {"anonymised": True},
           "contact": [{"name": "GSS", "email": ""}, {"name": "", "email": None}], "language": ["en"]}
    more = display.citizendata_more_metadata(pkg, schema)
    assert [row["field"]["field_name"] for row in more] == ["contact", "language"]
    [item] = more[0]["entries"]
    assert "entries" not in more[1]  # a plain field: the template must not take dict.items for its entries
    assert item["data"] == {"name": "GSS", "email": ""} and [s["field_name"] for s in item["subfields"]] == ["name"]


# ---------------------------------------------------------------- the page
@pytest.fixture
def outsider():
    user = factories.UserWithToken()
    factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    return {"Authorization": user["token"]}


def test_the_dataset_page_leads_with_a_summary_of_concept_links(app, setup):
    round_dataset(setup, "round-2023", sdg_indicators=["16.6.2"], population_groups=["women-girls"])
    html = page(app, "/dataset/round-2023")
    summary = html.select_one(".cd-summary")
    assert summary.select_one(".citizendata-meets")                            # design at level 4
    assert summary.select_one('a[href="/dataset_series/ghana-pss-app"]')
    indicator = summary.select_one('a[href="/dataset/?sdg_indicators=16.6.2"]')
    assert text(indicator.select_one("bdi.cd-code")) == "16.6.2" and "Proportion of population" in text(indicator)
    assert summary.select_one('a[href="/vocabulary/sdg#16.6.2"]')
    assert summary.select_one('a[href="/dataset/?sdg_goals=16"]') and summary.select_one(
        'a[href="/dataset/?countries=GHA"]')
    assert "Peace, justice and strong institutions" in text(summary)
    groups = html.select_one("section#groups")
    assert text(groups.select_one('a[href="/dataset/?population_groups=women-girls"]')) == "Women and girls"
    assert "women-girls" not in text(html.select_one("[role=main]"))
    inherited = text(summary.select_one(".cd-inherited"))
    assert "Initiative type" in inherited and "initiative_type" not in inherited
    assert text(html.select_one("#partners .cd-partner-name")) == "UNDP"
    assert "Technical partner" in text(html.select_one("#partners"))


def test_the_badge_says_why_the_definition_is_not_met(app, setup):
    round_dataset(setup, "round-2022", in_series=[], initiative_type="social-audit",
                  engagement=[{"stage": "collect", "level": 2, "actors": ["community"]}])
    html = page(app, "/dataset/round-2022")
    badge = html.select_one(".cd-summary .citizendata-not-meets")
    assert "level 2 (Consult)" in text(badge) and "level 4 (Collaborate)" in text(badge)
    assert html.select_one(".cd-summary .citizendata-meets") is None


def test_the_stages_are_seven_cards_in_order_with_levels(app, setup):
    round_dataset(setup, "round-2021")
    stages = page(app, "/dataset/round-2021").select("ol.cd-stages > li")
    assert len(stages) == 7
    engaged = [s for s in stages if "citizendata-engaged" in s["class"]]
    [design] = engaged
    assert "Design" in text(design.select_one(".cd-stage-name"))
    assert text(design.select_one(".cd-level-text")) == "Level 4 of 5: Collaborate"
    assert len(design.select(".cd-meter-step.cd-on")) == 4
    assert design.select_one('a[href="/vocabulary/actor-types#nso"]')


def test_a_false_probability_sample_shows_no_and_empty_dcat_fields_are_absent(app, setup):
    round_dataset(setup, "round-2020", probability_sample=False, sample_size=1200, language=["es"],
                  contact=[{"name": "GSS", "email": ""}])
    html = page(app, "/dataset/round-2020")
    assert text(html.select_one(".cd-probability-sample")) == "No"
    assert text(html.select_one(".cd-sample-size")) == "1,200"
    more = html.select_one("#more-metadata")
    labels = [text(dt) for dt in more.select("dt")]
    assert "Contact points" in labels and "Name" in labels and "Languages" in labels
    for empty in ("Email", "Release date", "Frequency", "Landing page", "Conforms to", "Publisher"):
        assert empty not in labels, empty
    assert "Spanish" in text(more) and not html.select("table.table-striped")   # scheming's table is gone
    assert text(page(app, "/es/dataset/round-2020").select_one("#more-metadata")).count("español") == 1


def test_an_initiative_page_is_titled_initiative_and_lists_its_datasets(app, setup):
    round_dataset(setup, "round-2019")
    html = page(app, "/dataset_series/ghana-pss-app")
    title = text(html.find("title"))
    assert " - Initiative - " in title and "Dataset_Series" not in title and "Dataset Series" not in title
    assert [text(li) for li in html.select(".breadcrumb li")][-2] == "Initiatives"
    assert html.select_one(".cd-summary .citizendata-meets") and html.select_one("ol.cd-stages")
    assert html.select_one('#datasets a[href="/dataset/round-2019"]')


def test_arabic_isolates_codes(app, setup):
    round_dataset(setup, "round-2018")
    html = page(app, "/ar/dataset/round-2018")
    assert html.find("html")["dir"] == "rtl"
    assert [text(b) for b in html.select(".cd-fact-sdg-indicators bdi.cd-code")] == ["16.6.2"]
    assert text(html.select_one("[role=main] h1 bdi")) == "round-2018"          # the title, isolated


@pytest.mark.parametrize("who", ["anonymous", "outsider", "owner"])
def test_a_private_record_is_shown_only_to_its_organization(app, setup, outsider, who):
    round_dataset(setup, "private-round", private=True, in_series=[], initiative_type="social-audit",
                  engagement=[{"stage": "collect", "level": 2}], probability_sample=False)
    headers = {"anonymous": {}, "outsider": outsider, "owner": setup["headers"]}[who]
    response = app.get("/dataset/private-round", headers=headers, status=200 if who == "owner" else 404)
    html = BeautifulSoup(response.body, "html.parser")
    assert (html.select_one(".citizendata-not-meets") is not None) is (who == "owner")
    assert ("level 2 (Consult)" in response.body) is (who == "owner")


def test_odd_but_valid_values_render(app, setup):
    round_dataset(setup, "odd-round", in_series=[], initiative_type="social-audit", sample_size=0,
                  probability_sample=True,
                  engagement=[{"stage": "collect", "level": 3, "actors": ["community"], "description": "وصف المرحلة"}],
                  partners=[{"name": "Ajuntament", "role": "initiator", "uri": "https://example.org/"},
                            {"name": "Xarxa", "role": "funder"}])
    html = page(app, "/dataset/odd-round")
    assert text(html.select_one(".cd-sample-size")) == "0" and text(html.select_one(".cd-probability-sample")) == "Yes"
    collect = html.select_one(".citizendata-engaged")
    assert collect.select_one(".cd-stage-description")["dir"] == "auto"
    names = html.select("#partners .cd-partner-name")
    assert names[0].select_one('a[href="https://example.org/"]') and text(names[1]) == "Xarxa"
    assert names[1].select_one("a") is None
    reason = text(html.select_one(".cd-summary .citizendata-not-meets"))
    assert "level 3 (Involve)" in reason and "level 4 (Collaborate)" in reason
