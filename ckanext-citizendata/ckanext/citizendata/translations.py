"""Our gettext catalogs (i18n/): extraction from the source tree with Babel (the mapping is ``babel.cfg`` at the
repository root), the .pot and the es / fr / ar .po files kept deterministic (sorted by msgid, file names without
line numbers, fixed dates), drafts applied from ``i18n/drafts/*.json``, .mo files compiled, and what is missing.
``scripts/i18n.py`` is the command line over it.

Besides Babel's Python, JavaScript and CKAN's Jinja extractors, three of ours read the strings that live in data:
``extract_scheming`` (the scheming YAML labels, help texts, placeholders and choice labels that are plain strings:
scheming passes them through gettext), ``extract_json_schema`` (field and facet titles of the record's JSON Schema)
and ``extract_scheme_titles`` (the titles of the generated concept schemes, which are in English only).

Example::

    template = extract(ROOT)                     # a babel Catalog of every msgid of ours
    write_catalog(pot_path(), template)
    for lang in LANGUAGES:
        update(lang, template)                   # the .po file follows the template
    apply_drafts(template)                       # {"es": {"Countries": "Países"}, ...} filled where empty
    compile_catalog("es")                        # i18n/es/LC_MESSAGES/ckanext-citizendata.mo
    missing(template)["ar"]                      # ["Vocabularies", ...] still untranslated in Arabic
"""
from __future__ import annotations

import datetime
import io
import json
import os
import pathlib
import re
from typing import Any, Iterable, Iterator

import yaml
import ckan
from babel.messages import frontend, mofile, pofile
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir

DOMAIN = "ckanext-citizendata"
LANGUAGES = ("es", "fr", "ar")
I18N = pathlib.Path(__file__).resolve().parent / "i18n"
# fixed header dates keep the files unchanged by a run that changes no message
EPOCH = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "ungettext": (1, 2), "N_": None}
SCHEMING_KEYS = ("label", "help_text", "form_placeholder", "form_snippet_label", "submit_text")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]|\{(\w*)\}")
# CKAN merges our catalog over its own, so a msgid both have shows OUR translation on CKAN's pages too: ours
# takes CKAN's wording (core_align), except where CKAN's is wrong for the word, as said here
CORE_OVERRIDES = {
    "fr": {"Name": "CKAN's French says « Titre » (a title) for a name",
           "Role": "CKAN's French has a stray leading space"},
}
CKAN_I18N = pathlib.Path(ckan.__file__).resolve().parent / "i18n"
# the folders extraction enters (everything else of the repository is tests, data and tooling)
ENTERED = ("ckanext-citizendata", "schemas", "vocabularies")
HEADER = ("# Translations of ckanext-citizendata: drafts that await review by native speakers.\n"
          "# Kept by scripts/i18n.py (extract, update, drafts, compile); edit msgstr lines only.")


# ---------------------------------------------------------------- extractors of our data files
def _scalar_strings(node: Any, keys: tuple, key: str = "") -> Iterator[tuple[int, str]]:
    """(line, text) of every plain-string value under one of ``keys`` in a YAML node tree."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            yield from _scalar_strings(value, keys, key_node.value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _scalar_strings(item, keys, key)
    elif isinstance(node, yaml.ScalarNode) and key in keys and node.tag.endswith(":str") and node.value:
        yield node.start_mark.line + 1, node.value


def extract_scheming(fileobj: Any, keywords: Any, comment_tags: Any, options: dict) -> Iterator[tuple]:
    """Babel extractor: ``label: Countries`` in a scheming YAML file gives ``(line, None, "Countries", [])``;
    per-language labels (``label: {en: ..., es: ...}``) are left alone, scheming picks their language itself.
    The option ``keys`` (babel.cfg) names other keys, e.g. ``keys = label hint`` for assessment/metrics.yaml."""
    keys = tuple(options["keys"].split()) if options.get("keys") else SCHEMING_KEYS
    root = yaml.compose(fileobj.read().decode("utf-8"))
    for line, text in _scalar_strings(root, keys):
        yield line, None, text, []


def _titles(node: Any, depth: int = 0) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "title" and isinstance(value, str) and depth > 0:
                yield value
            else:
                yield from _titles(value, depth + 1)
    elif isinstance(node, list):
        for item in node:
            yield from _titles(item, depth + 1)


def _line_of(text: str, needle: str) -> int:
    return text[:max(text.find(json.dumps(needle, ensure_ascii=False)), 0)].count("\n") + 1


def extract_json_schema(fileobj: Any, keywords: Any, comment_tags: Any, options: dict) -> Iterator[tuple]:
    """Babel extractor: the ``title`` of every field, subfield and ``x-facet`` of a JSON Schema (not the schema's
    own title): facet headings and field names are shown through gettext (search/facets.py)."""
    text = fileobj.read().decode("utf-8")
    for title in _titles(json.loads(text)):
        yield _line_of(text, title), None, title, []


SCHEME_TITLE = re.compile(r'dct:title\s+"((?:[^"\\]|\\.)*)"@en\s*[;.]')


def extract_scheme_titles(fileobj: Any, keywords: Any, comment_tags: Any, options: dict) -> Iterator[tuple]:
    """Babel extractor: the English title of a concept scheme (a vocabularies/*.ttl file) that has no title in
    another language; the pages show it through gettext."""
    text = fileobj.read().decode("utf-8")
    head = text.split("skos:hasTopConcept", 1)[0]
    found = SCHEME_TITLE.search(head)
    if found and not re.search(r'dct:title[^;]*"@(?!en)', head):
        yield head[:found.start()].count("\n") + 1, None, found.group(1).replace('\\"', '"'), []


# ---------------------------------------------------------------- extraction
def mapping(root: pathlib.Path) -> tuple[list, dict]:
    """Babel's method map and options map, read from ``babel.cfg`` at the repository root."""
    with open(root / "babel.cfg", encoding="utf-8") as handle:
        return frontend.parse_mapping_cfg(handle)


def _entered(root: pathlib.Path):
    def directory_filter(path: str) -> bool:
        relative = pathlib.Path(path).relative_to(root).parts
        return bool(relative) and relative[0] in ENTERED and not any(
            part.startswith((".", "_")) or part in ("vendor", "node_modules") for part in relative)
    return directory_filter


def extract(root: pathlib.Path) -> Catalog:
    """Every msgid of ours, freshly extracted from the source tree at ``root``."""
    method_map, options_map = mapping(root)
    catalog = Catalog(project=DOMAIN, version="1", creation_date=EPOCH, revision_date=EPOCH, fuzzy=False,
                      msgid_bugs_address="", copyright_holder="", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
            str(root), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True,
            directory_filter=_entered(root)):
        if message:
            catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


# ---------------------------------------------------------------- files
def pot_path() -> pathlib.Path:
    return I18N / f"{DOMAIN}.pot"


def po_path(lang: str) -> pathlib.Path:
    return I18N / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str) -> pathlib.Path:
    return I18N / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


def read_catalog(path: pathlib.Path, lang: str | None = None) -> Catalog:
    with open(path, "rb") as handle:
        return pofile.read_po(handle, locale=lang, domain=DOMAIN)


def _render(catalog: Catalog) -> bytes:
    catalog.creation_date = catalog.revision_date = EPOCH
    catalog.last_translator = catalog.language_team = "citizendata <https://w3id.org/citizendata>"
    catalog.msgid_bugs_address = "https://w3id.org/citizendata"
    catalog.header_comment = HEADER
    buffer = io.BytesIO()
    pofile.write_po(buffer, catalog, width=100, sort_output=True, include_lineno=False, ignore_obsolete=True)
    return buffer.getvalue()


def write_catalog(path: pathlib.Path, catalog: Catalog) -> bool:
    """Writes a .pot or .po file; True when its content changed."""
    data = _render(catalog)
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def _catalog_for(lang: str) -> Catalog:
    path = po_path(lang)
    if path.exists():
        return read_catalog(path, lang)
    return Catalog(locale=lang, domain=DOMAIN, project=DOMAIN, version="1", fuzzy=False)


def update(lang: str, template: Catalog) -> bool:
    """The .po file of ``lang`` follows ``template``: new msgids empty, gone ones dropped, no fuzzy guesses."""
    catalog = _catalog_for(lang)
    catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
    catalog.project, catalog.version = DOMAIN, "1"
    return write_catalog(po_path(lang), catalog)


# ---------------------------------------------------------------- drafts
def placeholders(text: str) -> list[str]:
    """``placeholders("{count} of %(total)s") == ["%(total)s", "{count}"]``: what a translation must keep."""
    return sorted(found.group(0) for found in PLACEHOLDER.finditer(text))


def read_drafts(folder: pathlib.Path | None = None) -> dict[str, dict[str, str]]:
    """Every drafts file merged: ``{msgid: {"es": ..., "fr": ..., "ar": ...}}`` (a later file adds, never
    replaces); a plural message is drafted under its singular msgid, one list of forms per language."""
    merged: dict[str, dict[str, str]] = {}
    for path in sorted((folder or I18N / "drafts").glob("*.json")):
        for msgid, texts in json.loads(path.read_text(encoding="utf-8")).items():
            entry = merged.setdefault(msgid, {})
            for lang, text in texts.items():
                entry.setdefault(lang, text)
    return merged


def singular(msgid: Any) -> Any:
    """A message's key: its msgid, or the singular of a plural one (``("%(num)d record", "%(num)d records")``)."""
    return msgid[0] if isinstance(msgid, tuple) else msgid


def _usable(draft: Any, message: Any, forms: int) -> bool:
    """Whether a draft fits its message: the same placeholders; for a plural message, a list of ``forms`` texts
    (Arabic has six), each keeping the plural msgid's placeholders."""
    if isinstance(message.id, tuple):
        return isinstance(draft, list) and len(draft) == forms and all(
            placeholders(text) == placeholders(message.id[1]) for text in draft)
    return isinstance(draft, str) and placeholders(draft) == placeholders(message.id)


def _fill(catalog: Catalog, drafts: dict[str, dict[str, Any]], lang: str) -> tuple[int, list[str]]:
    filled, refused = 0, []
    for message in catalog:
        draft = drafts.get(singular(message.id), {}).get(lang) if message.id else None
        if not draft or (all(message.string if isinstance(message.string, tuple) else [message.string])
                         and not message.fuzzy):
            continue
        if not _usable(draft, message, catalog.num_plurals):
            refused.append(singular(message.id))
            continue
        message.string = tuple(draft) if isinstance(message.id, tuple) else draft
        message.flags.discard("fuzzy")
        filled += 1
    return filled, refused


def apply_drafts(template: Catalog, folder: pathlib.Path | None = None) -> dict[str, Any]:
    """Fills empty (or fuzzy) msgstrs from the drafts, never a reviewed one; says what it filled per language,
    which drafts' placeholders differ from their msgid (not applied) and which drafted msgids are no longer
    extracted."""
    drafts = read_drafts(folder)
    report: dict[str, Any] = {"filled": {}, "refused": {},
                              "unused": sorted(m for m in drafts if m not in template)}
    for lang in LANGUAGES:
        catalog = _catalog_for(lang)
        filled, refused = _fill(catalog, drafts, lang)
        report["filled"][lang], report["refused"][lang] = filled, refused
        write_catalog(po_path(lang), catalog)
    return report


# ---------------------------------------------------------------- CKAN's own wording
def core_translations(lang: str) -> dict[str, str]:
    """CKAN core's translations of ``lang``: ``{"Organizations": "Organizaciones", ...}``."""
    path = CKAN_I18N / lang / "LC_MESSAGES" / "ckan.mo"
    if not path.exists():
        return {}
    with open(path, "rb") as handle:
        return {m.id: m.string for m in mofile.read_mo(handle) if isinstance(m.id, str) and m.id and m.string}


def core_differences(lang: str) -> dict[str, tuple[str, str]]:
    """``{msgid: (ours, CKAN's)}`` where our translation of a msgid CKAN also translates differs from CKAN's and
    no override says why."""
    core, allowed = core_translations(lang), CORE_OVERRIDES.get(lang, {})
    return {m.id: (m.string, core[m.id]) for m in _catalog_for(lang)
            if isinstance(m.id, str) and m.id in core and m.id not in allowed and m.string != core[m.id]}


def core_align(lang: str) -> list[str]:
    """Gives the msgids CKAN also translates CKAN's translation (save the overrides); returns those changed."""
    core, allowed = core_translations(lang), CORE_OVERRIDES.get(lang, {})
    catalog, changed = _catalog_for(lang), []
    for message in catalog:
        if isinstance(message.id, str) and message.id in core and message.id not in allowed \
                and message.string != core[message.id]:
            message.string = core[message.id]
            message.flags.discard("fuzzy")
            changed.append(message.id)
    write_catalog(po_path(lang), catalog)
    return changed


# ---------------------------------------------------------------- compiled catalogs and checks
def compiled(lang: str) -> bytes:
    """The .mo file the .po of ``lang`` compiles to (fuzzy entries left out)."""
    buffer = io.BytesIO()
    mofile.write_mo(buffer, read_catalog(po_path(lang), lang), use_fuzzy=False)
    return buffer.getvalue()


def compile_catalog(lang: str) -> bool:
    data = compiled(lang)
    path = mo_path(lang)
    if path.exists() and path.read_bytes() == data:
        return False
    path.write_bytes(data)
    return True


def untranslated(catalog: Catalog, msgids: Iterable[str]) -> list[str]:
    """The msgids among ``msgids`` that ``catalog`` lacks, leaves empty or marks fuzzy."""
    result = []
    for msgid in msgids:
        message = catalog.get(msgid)
        if message is None or message.fuzzy or not message.string or not all(
                message.string if isinstance(message.string, tuple) else [message.string]):
            result.append(msgid)
    return sorted(result)


def missing(template: Catalog) -> dict[str, list[str]]:
    """Per language, the msgids of ``template`` without a reviewed or drafted translation."""
    ids = [singular(m.id) for m in template if m.id]
    return {lang: untranslated(_catalog_for(lang), ids) for lang in LANGUAGES}


def placeholder_mismatches(lang: str) -> list[str]:
    """The msgids whose translation in ``lang`` does not keep exactly their placeholders."""
    return sorted(m.id for m in _catalog_for(lang) if m.id and isinstance(m.id, str) and m.string
                  and placeholders(m.string) != placeholders(m.id))


def locations(template: Catalog) -> dict[str, list[str]]:
    """``{msgid: [file, ...]}`` of a template, to say where an untranslated string comes from."""
    return {m.id: sorted({os.path.basename(f) for f, _ in m.locations}) for m in template if m.id}
