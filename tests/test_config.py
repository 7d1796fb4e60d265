"""config.py is the one place configuration is read: every option of ours is declared once, with its default
only in config_declaration.yaml, and read through config.py; no other module of the package reads ``config``."""
import ast
import inspect
import pathlib

import pytest
from ckan.config.declaration import Declaration
from ckan.lib.search.common import SearchError

from ckanext.citizendata import config as cd_config
from ckanext.citizendata.search import seam

PACKAGE = pathlib.Path(cd_config.__file__).parent


def _config_reads(tree: ast.AST) -> list[int]:
    """Lines that read CKAN's configuration: ``<module>.config`` (toolkit.config, ckan.common.config, ...) or an
    import of ``config`` from CKAN."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "config" and isinstance(node.value, ast.Name):
            found.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "ckan" \
                and any(alias.name == "config" for alias in node.names):
            found.append(node.lineno)
    return found


def test_no_module_but_config_reads_the_configuration():
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "config.py" or "migration" in path.parts:  # alembic's own config object
            continue
        lines = _config_reads(ast.parse(path.read_text(encoding="utf-8")))
        if lines:
            offenders[str(path.relative_to(PACKAGE))] = lines
    assert offenders == {}


def test_the_scan_finds_a_config_read():
    assert _config_reads(ast.parse("from ckan.plugins import toolkit\nx = toolkit.config.get('a')\n")) == [2]
    assert _config_reads(ast.parse("from ckan.common import config\n")) == [1]
    assert _config_reads(ast.parse("def f(config):\n    return config.get('a')\n")) == []


def _keys_read(monkeypatch) -> set:
    """Every key config.py's public readers ask for (each called once, ``option`` recorded)."""
    seen = set()
    original = cd_config.option

    def recording(key):
        seen.add(key)
        return original(key)
    monkeypatch.setattr(cd_config, "option", recording)
    for name, func in inspect.getmembers(cd_config, inspect.isfunction):
        if func.__module__ == cd_config.__name__ and not name.startswith("_") and name not in (
                "option", "declared_defaults", "use_dcat_profiles_by_default") and not inspect.signature(func).parameters:
            func()
    return seen


def test_every_declared_option_is_read_through_config_and_every_option_read_is_declared(monkeypatch):
    declaration = Declaration()
    declaration.load_plugin("citizendata")
    declared = set(cd_config.declared_defaults())
    assert declared and all(key in declaration for key in declared)
    read = _keys_read(monkeypatch)
    ours = {key for key in read if key.startswith(cd_config.PREFIX)}
    assert ours == declared


def test_defaults_come_from_the_declaration_even_while_the_plugin_is_unloaded(ckan_config, monkeypatch):
    for key, default in cd_config.declared_defaults().items():
        monkeypatch.delitem(ckan_config, key, raising=False)
        assert cd_config.option(key) == default, key
    assert cd_config.search_backend() == "postgres"
    assert cd_config.rank_weights() == [0.1, 0.2, 0.4, 1.0]
    assert cd_config.facets() == []  # the record's field table decides
    assert cd_config.dcat_catalog()["license"] == "http://creativecommons.org/publicdomain/zero/1.0/"


def test_options_of_ckan_and_ckanext_dcat_take_their_own_declared_defaults(ckan_config, monkeypatch):
    monkeypatch.delitem(ckan_config, "ckanext.dcat.datasets_per_page", raising=False)
    assert cd_config.dcat_datasets_per_page() == 100
    assert cd_config.option("no.such.option") is None


@pytest.mark.ckan_config("ckanext.citizendata.search.backend", "nosuch")
def test_unknown_backend_is_a_clear_error():
    with pytest.raises(SearchError, match="'nosuch' is not a known search backend; known: elasticsearch, postgres, solr"):
        seam.make_connection()


@pytest.mark.ckan_config("ckanext.citizendata.search.rank_weights", "1 2 3")
def test_bad_rank_weights_name_the_option():
    with pytest.raises(ValueError, match="rank_weights needs 4 numbers"):
        cd_config.rank_weights()


@pytest.mark.parametrize("value, expected", [("32MB", "32MB"), ("512kB", "512kB"), ("", "")])
def test_the_search_work_mem_is_a_size_or_empty(ckan_config, monkeypatch, value, expected):
    monkeypatch.setitem(ckan_config, cd_config.WORK_MEM, value)
    assert cd_config.work_mem() == expected


@pytest.mark.parametrize("value", ["32", "32 MB", "0MB", "1TB; DROP TABLE x"])
def test_a_work_mem_that_is_not_a_size_names_the_option(ckan_config, monkeypatch, value):
    monkeypatch.setitem(ckan_config, cd_config.WORK_MEM, value)
    with pytest.raises(ValueError, match="search.postgres.work_mem"):
        cd_config.work_mem()


@pytest.mark.ckan_config("ckanext.citizendata.vocab.base_uri", "https://example.org/vocab")
def test_a_vocabulary_base_without_a_slash_is_refused():
    with pytest.raises(ValueError, match="must end with '/'"):
        cd_config.vocab_base_uri()


@pytest.mark.parametrize("value, expected", [
    ("dataset", ""), ("true", ""), ("false", "+dataset_type:dataset"), ("dataset_series", "+dataset_type:dataset")])
def test_the_dataset_search_filter_follows_what_the_search_page_lists(ckan_config, monkeypatch, value, expected):
    monkeypatch.setitem(ckan_config, "ckan.search.show_all_types", value)
    assert cd_config.dataset_search_filter() == expected
