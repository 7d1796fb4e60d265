"""translations.py: our Babel extractors (scheming YAML, JSON Schema titles, scheme titles), extraction over a
source tree (Python, Jinja, JavaScript for CKAN's /api/i18n), deterministic catalog files, drafts that fill only
empty msgstrs and keep placeholders, compiled .mo files, and scripts/i18n.py over them. The completeness of the
real catalogs is tests/test_i18n.py."""
import io
import json
import pathlib
import shutil
import subprocess
import sys

import pytest
from babel.messages import mofile
from babel.messages.catalog import Catalog
from ckan.lib import i18n as ckan_i18n

from ckanext.citizendata import translations

ROOT = pathlib.Path(__file__).resolve().parent.parent


def run(extractor, text, **options):
    return list(extractor(io.BytesIO(text.encode("utf-8")), None, None, options))


# ------------------------------------------------------------------ extractors
def test_scheming_labels_help_texts_placeholders_and_choice_labels_are_extracted():
    text = ("dataset_fields:\n"
            "- field_name: countries\n"
            "  label: Countries\n"
            "  help_text: Where the data was collected\n"
            "  form_placeholder: e.g. GHA\n"
            "  choices:\n"
            "  - {value: 'yes', label: 'Yes'}\n"
            "- field_name: title\n"
            "  label: {en: Title, es: Título}\n"
            "  preset: title\n")
    found = [(line, message) for line, _, message, _ in run(translations.extract_scheming, text)]
    assert found == [(3, "Countries"), (4, "Where the data was collected"), (5, "e.g. GHA"), (7, "Yes")]


def test_the_scheming_extractor_reads_the_keys_it_is_told():
    text = "metrics:\n- key: k\n  hint: Add a keyword.\n  label: Keywords\n  field: tag_string\n"
    assert [m for _, _, m, _ in run(translations.extract_scheming, text, keys="hint")] == ["Add a keyword."]


def test_json_schema_titles_of_fields_subfields_and_facets_but_not_the_schema_itself():
    schema = {"title": "The schema", "properties": {
        "countries": {"title": "Countries", "type": "array", "x-facet": {"title": "Countries covered", "order": 3}},
        "partners": {"title": "Partners", "items": {"properties": {"role": {"title": "Role"}}}}}}
    found = [m for _, _, m, _ in run(translations.extract_json_schema, json.dumps(schema, indent=2))]
    assert found == ["Countries", "Countries covered", "Partners", "Role"]


SCHEME = """<https://w3id.org/citizendata/vocab/cl-sex>
    a skos:ConceptScheme ;
    dct:title "Sex code list"@en ;
    skos:hasTopConcept <https://w3id.org/citizendata/vocab/cl-sex/F> .
<https://w3id.org/citizendata/vocab/cl-sex/F> dct:title "Female"@en .
"""


def test_the_english_only_title_of_a_scheme_is_extracted():
    assert run(translations.extract_scheme_titles, SCHEME) == [(3, None, "Sex code list", [])]


def test_a_scheme_titled_in_several_languages_is_left_to_the_vocabulary():
    text = SCHEME.replace('"Sex code list"@en ;', '"Sex code list"@en , "Sexo"@es ;')
    assert run(translations.extract_scheme_titles, text) == []


@pytest.fixture
def tree(tmp_path):
    """A source tree shaped like ours, with our mapping."""
    shutil.copy(ROOT / "babel.cfg", tmp_path / "babel.cfg")
    package = tmp_path / "ckanext-citizendata" / "ckanext" / "citizendata"
    (package / "assets" / "js").mkdir(parents=True)
    (package / "assets" / "vendor").mkdir()
    (package / "templates").mkdir()
    (package / "assets" / "js" / "suggest.js").write_text(
        "this.ckan.module('m', function ($) { return {go: function () { this._('Datasets'); }}; });\n")
    (package / "assets" / "vendor" / "lib.js").write_text("_('Not ours');\n")
    (package / "views.py").write_text("from ckan.plugins import toolkit\nN_('Heading')\n"
                                      "def f():\n    return toolkit._('{n} records').format(n=1)\n")
    (package / "templates" / "page.html").write_text("<h1>{{ _('Vocabularies') }}</h1>{% block x %}{% endblock %}\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text("_('A test string')\n")
    return tmp_path


def test_extraction_reads_python_templates_and_our_javascript_only(tree):
    catalog = translations.extract(tree)
    found = {m.id: sorted(pathlib.PurePath(f).name for f, _ in m.locations) for m in catalog if m.id}
    assert found == {"Datasets": ["suggest.js"], "Heading": ["views.py"], "{n} records": ["views.py"],
                     "Vocabularies": ["page.html"]}


def test_ckan_serves_the_javascript_strings_of_our_pot_at_api_i18n(tree, tmp_path):
    """CKAN's build_js_translations picks a plugin's JS strings by the .js locations in its .pot."""
    catalog = translations.extract(tree)
    pot = tmp_path / "out.pot"
    translations.write_catalog(pot, catalog)
    assert ckan_i18n._get_js_translation_entries(str(pot)) == {"Datasets"}
    po = Catalog(locale="es", domain=translations.DOMAIN)
    po.add("Datasets", "Conjuntos de datos", locations=[("x.js", 1)])
    po.add("Heading", "Encabezado")
    po_file = tmp_path / "es.po"
    translations.write_catalog(po_file, po)
    out = tmp_path / "es.js"
    ckan_i18n._build_js_translation("es", [str(po_file)], {"Datasets"}, str(out))
    built = json.loads(out.read_text(encoding="utf-8"))
    assert built["Datasets"] == [None, "Conjuntos de datos"] and "Heading" not in built


# ------------------------------------------------------------------ catalogs, drafts, compiling
def test_placeholders_of_both_styles():
    assert translations.placeholders("{count} of %(total)s, %s") == ["%(total)s", "%s", "{count}"]
    assert translations.placeholders("No placeholder") == []


@pytest.fixture
def i18n(tmp_path, monkeypatch):
    folder = tmp_path / "i18n"
    monkeypatch.setattr(translations, "I18N", folder)
    template = Catalog(domain=translations.DOMAIN)
    for msgid in ("Countries", "{n} records", "Stage"):
        template.add(msgid, locations=[("schemas/dataset.yaml", 1)])
    translations.write_catalog(translations.pot_path(), template)
    for lang in translations.LANGUAGES:
        translations.update(lang, template)
    return template


def test_update_makes_a_po_per_language_with_every_msgid_empty_and_is_idempotent(i18n):
    for lang in translations.LANGUAGES:
        catalog = translations.read_catalog(translations.po_path(lang), lang)
        assert sorted(m.id for m in catalog if m.id) == ["Countries", "Stage", "{n} records"]
        assert translations.update(lang, i18n) is False  # nothing changed, nothing written
    assert translations.missing(i18n)["ar"] == ["Countries", "Stage", "{n} records"]


def test_the_files_carry_no_changing_date_and_no_line_number(i18n):
    text = translations.po_path("es").read_text(encoding="utf-8")
    assert "2026-01-01 00:00+0000" in text and "#: schemas/dataset.yaml\n" in text


def write_drafts(folder, drafts):
    folder.mkdir(exist_ok=True)
    (folder / "helper.json").write_text(json.dumps(drafts, ensure_ascii=False), encoding="utf-8")


def test_drafts_fill_empty_msgstrs_never_a_reviewed_one_and_report_what_they_could_not(i18n, tmp_path):
    catalog = translations.read_catalog(translations.po_path("es"), "es")
    catalog["Stage"].string = "Fase"  # reviewed
    translations.write_catalog(translations.po_path("es"), catalog)
    write_drafts(tmp_path / "drafts", {
        "Countries": {"es": "Países", "fr": "Pays", "ar": "البلدان"},
        "Stage": {"es": "Etapa", "fr": "Étape", "ar": "المرحلة"},
        "{n} records": {"es": "{n} registros", "fr": "{count} fiches", "ar": "{n} سجلات"},
        "Gone": {"es": "Ido"}})
    report = translations.apply_drafts(i18n, tmp_path / "drafts")
    assert report["unused"] == ["Gone"]
    assert report["refused"] == {"es": [], "fr": ["{n} records"], "ar": []}
    assert report["filled"] == {"es": 2, "fr": 2, "ar": 3}
    es = translations.read_catalog(translations.po_path("es"), "es")
    assert es["Stage"].string == "Fase" and es["Countries"].string == "Países"
    assert translations.missing(i18n) == {"es": [], "fr": ["{n} records"], "ar": []}


def test_a_plural_message_is_drafted_by_its_singular_with_every_form_of_the_language(i18n, tmp_path):
    i18n.add(("%(num)d suggestion", "%(num)d suggestions"), locations=[("assets/js/suggest.js", 1)])
    translations.write_catalog(translations.pot_path(), i18n)
    for lang in translations.LANGUAGES:
        translations.update(lang, i18n)
    assert all("%(num)d suggestion" in missing for missing in translations.missing(i18n).values())
    arabic = ["%(num)d اقتراح"] * 5 + ["%(num)d اقتراحًا"]
    write_drafts(tmp_path / "drafts", {"%(num)d suggestion": {
        "es": ["%(num)d sugerencia", "%(num)d sugerencias"], "fr": ["%(num)d suggestion"],  # fr: one form short
        "ar": arabic}})
    report = translations.apply_drafts(i18n, tmp_path / "drafts")
    assert report["refused"] == {"es": [], "fr": ["%(num)d suggestion"], "ar": []}
    assert translations.read_catalog(translations.po_path("ar"), "ar")["%(num)d suggestion"].string == tuple(arabic)
    assert "%(num)d suggestion" not in translations.missing(i18n)["es"]
    assert "%(num)d suggestion" in translations.missing(i18n)["fr"]


def test_a_fuzzy_or_mismatched_translation_counts_as_missing_or_wrong(i18n):
    catalog = translations.read_catalog(translations.po_path("fr"), "fr")
    catalog["Countries"].string = "Pays"
    catalog["Countries"].flags.add("fuzzy")
    catalog["{n} records"].string = "{count} fiches"
    translations.write_catalog(translations.po_path("fr"), catalog)
    assert "Countries" in translations.missing(i18n)["fr"]
    assert translations.placeholder_mismatches("fr") == ["{n} records"]


def test_compile_writes_the_mo_once_and_leaves_fuzzy_entries_out(i18n):
    catalog = translations.read_catalog(translations.po_path("es"), "es")
    catalog["Countries"].string = "Países"
    catalog["Stage"].string = "Etapa"
    catalog["Stage"].flags.add("fuzzy")
    translations.write_catalog(translations.po_path("es"), catalog)
    assert translations.compile_catalog("es") is True
    assert translations.compile_catalog("es") is False
    with open(translations.mo_path("es"), "rb") as handle:
        compiled = mofile.read_mo(handle)
    assert compiled["Countries"].string == "Países" and compiled.get("Stage") is None


def test_the_script_reports_what_is_missing_and_fails_then(tmp_path):
    """scripts/i18n.py runs on the real catalogs; `missing` exits 0 when they are complete (tests/test_i18n.py)."""
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "i18n.py"), "missing"], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    assert "es: 0 untranslated" in proc.stdout and proc.returncode == 0, proc.stdout + proc.stderr


def test_core_align_gives_shared_msgids_ckans_wording_save_the_overrides(i18n, tmp_path, monkeypatch):
    core = Catalog(locale="fr", domain="ckan")
    core.add("Countries", "Pays (CKAN)")
    core.add("Stage", "Étape (CKAN)")
    (tmp_path / "ckan" / "fr" / "LC_MESSAGES").mkdir(parents=True)
    with open(tmp_path / "ckan" / "fr" / "LC_MESSAGES" / "ckan.mo", "wb") as handle:
        mofile.write_mo(handle, core)
    monkeypatch.setattr(translations, "CKAN_I18N", tmp_path / "ckan")
    monkeypatch.setattr(translations, "CORE_OVERRIDES", {"fr": {"Stage": "a reason"}})
    catalog = translations.read_catalog(translations.po_path("fr"), "fr")
    catalog["Countries"].string = "Pays"
    translations.write_catalog(translations.po_path("fr"), catalog)
    assert translations.core_differences("fr") == {"Countries": ("Pays", "Pays (CKAN)")}
    assert translations.core_align("fr") == ["Countries"]
    assert translations.core_differences("fr") == {} and translations.core_align("fr") == []
    fr = translations.read_catalog(translations.po_path("fr"), "fr")
    assert fr["Countries"].string == "Pays (CKAN)" and fr["Stage"].string == ""
    assert translations.core_translations("es") == {}
