"""Our translations are complete and current: every msgid of ours, extracted from the source tree now (not read from
the committed .pot), has a reviewed or drafted translation in es, fr and ar that keeps its placeholders; the .pot
(which CKAN reads to pick the JavaScript strings) and the committed .mo files are what the sources and the .po
files give; a msgid CKAN also translates keeps CKAN's wording; and CKAN serves our catalogs: /es/dataset/ and /ar/vocabulary/ show our headings translated."""
import pathlib

import pytest
from bs4 import BeautifulSoup

from ckanext.citizendata import translations

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def extracted():
    return translations.extract(ROOT)


@pytest.fixture(scope="module")
def msgids(extracted):
    ids = [translations.singular(m.id) for m in extracted if m.id]  # a plural message by its singular
    assert len(ids) > 200  # the extraction reaches templates, Python, YAML, JSON Schema and vocabularies
    return ids


@pytest.mark.parametrize("lang", translations.LANGUAGES)
def test_every_msgid_of_ours_is_translated(lang, msgids):
    catalog = translations.read_catalog(translations.po_path(lang), lang)
    missing = translations.untranslated(catalog, msgids)
    assert missing == [], f"run scripts/i18n.py all; untranslated in {lang}: {missing}"


@pytest.mark.parametrize("lang", translations.LANGUAGES)
def test_translations_keep_the_placeholders_of_their_msgid(lang):
    assert translations.placeholder_mismatches(lang) == []


@pytest.mark.parametrize("lang", translations.LANGUAGES)
def test_a_msgid_ckan_also_translates_keeps_ckans_wording(lang):
    """CKAN merges our catalog over its own: a different translation would change CKAN's own pages."""
    assert translations.core_translations(lang)  # CKAN's catalog is found
    assert translations.core_differences(lang) == {}, "run scripts/i18n.py core"


@pytest.mark.parametrize("lang", translations.LANGUAGES)
def test_the_committed_mo_is_the_compiled_po(lang):
    assert translations.mo_path(lang).read_bytes() == translations.compiled(lang), "run scripts/i18n.py compile"


def test_the_committed_pot_holds_the_extracted_msgids(extracted, msgids):
    committed = translations.read_catalog(translations.pot_path())
    assert sorted(translations.singular(m.id) for m in committed if m.id) == sorted(msgids), "run scripts/i18n.py extract"
    assert translations.pot_path().read_bytes() == translations._render(extracted)


def test_each_source_kind_is_extracted(extracted):
    kinds = {pathlib.PurePath(name).suffix for message in extracted for name, _ in message.locations}
    assert {".py", ".html", ".yaml", ".json", ".ttl"} <= kinds


# ------------------------------------------------------------------ CKAN serves them

def headings(response):
    page = BeautifulSoup(response.body if isinstance(response.body, str) else response.body.decode(), "html.parser")
    return page


@pytest.mark.usefixtures("clean_db")
def test_the_spanish_search_page_shows_our_facet_titles_translated(app):
    page = headings(app.get("/es/dataset/", status=200))
    text = page.get_text(" ")
    assert "Tipos de iniciativa" in text and "Indicadores de los ODS" in text and "Países" in text
    assert "Initiative types" not in text and "SDG indicators" not in text


@pytest.mark.usefixtures("clean_db")
def test_the_arabic_vocabulary_page_is_translated_and_right_to_left(app):
    page = headings(app.get("/ar/vocabulary/", status=200))
    assert page.find("html")["dir"] == "rtl"
    assert page.find("h1").get_text(strip=True) == "المفردات"
    header = [th.get_text(strip=True) for th in page.select("table.citizendata-schemes thead th")]
    assert header == ["المخطط", "المعرّف", "الإصدار", "SDMX", "المفاهيم"]
    # a generated scheme has an English title only: it is shown from our catalog; codes are isolated
    titles = [a.get_text(strip=True) for a in page.select("table.citizendata-schemes tbody a")]
    assert "قائمة رموز الجنس" in titles and "Sex code list" not in titles
    assert page.select("table.citizendata-schemes tbody td code bdi")


@pytest.mark.usefixtures("clean_db")
def test_english_pages_keep_the_english_strings(app):
    text = headings(app.get("/dataset/", status=200)).get_text(" ")
    assert "Initiative types" in text and "Tipos de iniciativa" not in text


@pytest.mark.usefixtures("clean_db")
def test_a_scheme_page_in_arabic_isolates_its_codes_and_says_version_in_words(app):
    response = app.get("/ar/vocabulary/engagement-levels", status=200)
    body = response.body if isinstance(response.body, str) else response.body.decode()
    assert "&lt;bdi" not in body
    page = headings(response)
    assert "1.0" in [tag.get_text() for tag in page.select("p bdi")]
    assert "الإصدار" in page.get_text(" ")
    notations = [td.select_one("code bdi").get_text() for td in page.select("table.citizendata-concepts tbody tr")]
    assert notations and all(notations)
