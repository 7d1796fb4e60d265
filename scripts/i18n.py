"""Our translations (ckanext/citizendata/i18n/), from the repository root:

    .venv/bin/python scripts/i18n.py extract   # the .pot, freshly extracted (babel.cfg)
    .venv/bin/python scripts/i18n.py update    # es, fr, ar .po files follow the .pot
    .venv/bin/python scripts/i18n.py core      # msgids CKAN also translates take CKAN's translation
    .venv/bin/python scripts/i18n.py drafts    # i18n/drafts/*.json fill empty msgstrs (never a reviewed one);
                                               # --from DIR reads DIR/*.json instead
    .venv/bin/python scripts/i18n.py compile   # the .mo files
    .venv/bin/python scripts/i18n.py missing   # msgids still untranslated, per language (exit 1 if any)
    .venv/bin/python scripts/i18n.py all       # extract, update, core, drafts, compile, missing

Every step is idempotent and writes a file only when its content changes; the files are sorted by msgid and carry
no changing dates, so merges stay clean.
"""
from __future__ import annotations

import argparse
import pathlib
import sys

from ckanext.citizendata import translations

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _said(path: pathlib.Path, changed: bool) -> None:
    print(f"{'wrote' if changed else 'unchanged'} {path.relative_to(ROOT)}")


def extract() -> int:
    template = translations.extract(ROOT)
    _said(translations.pot_path(), translations.write_catalog(translations.pot_path(), template))
    print(f"{len(template)} msgids")
    return 0


def _template():
    return translations.read_catalog(translations.pot_path())


def update() -> int:
    template = _template()
    for lang in translations.LANGUAGES:
        _said(translations.po_path(lang), translations.update(lang, template))
    return 0


def core() -> int:
    for lang in translations.LANGUAGES:
        changed = translations.core_align(lang)
        print(f"{lang}: {len(changed)} set to CKAN's own translation")
        for msgid in changed:
            print(f"  {lang}: {msgid!r}")
    return 0


def drafts(folder: pathlib.Path | None = None) -> int:
    report = translations.apply_drafts(_template(), folder)
    for lang in translations.LANGUAGES:
        print(f"{lang}: {report['filled'][lang]} filled from drafts")
        for msgid in report["refused"][lang]:
            print(f"  {lang}: not applied, placeholders differ from the msgid: {msgid!r}")
    for msgid in report["unused"]:
        print(f"draft no longer in the .pot: {msgid!r}")
    return 0


def compile_() -> int:
    for lang in translations.LANGUAGES:
        _said(translations.mo_path(lang), translations.compile_catalog(lang))
    return 0


def missing() -> int:
    template = _template()
    where = translations.locations(template)
    gaps = translations.missing(template)
    for lang in translations.LANGUAGES:
        print(f"{lang}: {len(gaps[lang])} untranslated")
        for msgid in gaps[lang]:
            print(f"  {msgid!r}  ({', '.join(where.get(msgid, []))})")
        for msgid in translations.placeholder_mismatches(lang):
            print(f"  {lang}: placeholders differ: {msgid!r}")
    return 1 if any(gaps.values()) else 0


def run_all() -> int:
    for step in (extract, update, core, drafts, compile_):
        step()
    return missing()


STEPS = {"extract": extract, "update": update, "core": core, "drafts": drafts, "compile": compile_, "missing": missing,
         "all": run_all}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=sorted(STEPS))
    parser.add_argument("--from", dest="folder", type=pathlib.Path, help="drafts: the folder of JSON files to apply")
    args = parser.parse_args(argv)
    return drafts(args.folder) if args.step == "drafts" else STEPS[args.step]()


if __name__ == "__main__":
    sys.exit(main())
