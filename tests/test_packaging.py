"""A plain (non-editable) build ships the code, the data folders and the migrations."""
import os
import shutil
import subprocess
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# what a build must not see: the environment, and what builds and runs leave in the checkout
NOT_SOURCES = shutil.ignore_patterns(".git", ".venv", ".state", "storage", "build", "dist", "*.egg-info",
                                     "__pycache__", ".hypothesis", "ckan.ini", "bench*.ini")


def test_wheel_contains_data_folders_migrations_and_entry_points(tmp_path):
    """Built from a copy of the checkout: a build in the checkout itself would leave a ``*.egg-info`` at its root,
    whose stale entry points would then shadow the installed ones for every process started there."""
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCES)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path), str(source)], check=True, capture_output=True, timeout=300)
    assert not any(name.endswith(".egg-info") for name in os.listdir(ROOT))
    (wheel,) = tmp_path.glob("ckanext_citizendata-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(archive.read(n).decode() for n in names if n.endswith("entry_points.txt"))
    expected = [
        "ckanext/citizendata/plugin.py",
        "ckanext/citizendata/config_declaration.yaml",
        "ckanext/citizendata/search/postgres/backend.py",
        "ckanext/citizendata/ingest/bulkload.py",
        "ckanext/citizendata/logic/auth/vocab.py",
        "ckanext/citizendata/migration/citizendata/alembic.ini",
        "ckanext/citizendata/migration/citizendata/env.py",
        "ckanext/citizendata/migration/citizendata/versions/a1c3e5f70001_create_search_index.py",
        "ckanext/citizendata/schemas/__init__.py",
        "ckanext/citizendata/schemas/README.md",
        "ckanext/citizendata/schemas/citizendata-ns.ttl",
        "ckanext/citizendata/schemas/shapes/citizendata-shapes.ttl",
        "ckanext/citizendata/schemas/shacl/dcat-ap-3.0.1/shapes.ttl",
        "ckanext/citizendata/schemas/shacl/dcat-ap-3.0.1/ATTRIBUTION.md",
        "ckanext/citizendata/assets/webassets.yml",
        "ckanext/citizendata/assets/js/suggest.js",
        "ckanext/citizendata/assets/vendor/chartjs/chart.umd.js",
        "ckanext/citizendata/assets/vendor/chartjs/LICENSE.md",
        "ckanext/citizendata/vocabularies/__init__.py",
        "ckanext/citizendata/harvesters/__init__.py",
        "ckanext/citizendata/i18n/ckanext-citizendata.pot",
        *(f"ckanext/citizendata/i18n/{lang}/LC_MESSAGES/ckanext-citizendata.{ext}"
          for lang in ("es", "fr", "ar") for ext in ("po", "mo")),
    ]
    missing = [name for name in expected if name not in names]
    assert not missing, missing
    assert not any(n.startswith(("tests/", "ckanext/__init__.py")) for n in names)
    assert "citizendata = ckanext.citizendata.plugin:CitizenDataPlugin" in entry_points
    assert "postgres = ckanext.citizendata.search.postgres.backend:PostgresBackend" in entry_points
    assert "citizendata = ckanext.citizendata.rdf.profile:CitizenDataProfile" in entry_points
