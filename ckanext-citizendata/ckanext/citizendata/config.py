"""The one place where ckanext-citizendata reads its configuration.

Every option is declared in config_declaration.yaml (type, default, description); code elsewhere calls
these functions instead of reading ``config`` directly.
"""
from __future__ import annotations

from ckan.plugins import toolkit

from ckanext.citizendata.namespaces import VOCAB_BASE as canonical

BACKEND = "ckanext.citizendata.search.backend"
TEXT_CONFIG = "ckanext.citizendata.search.text_config"
RANK_WEIGHTS = "ckanext.citizendata.search.rank_weights"
VOCAB_BASE = "ckanext.citizendata.vocab.base_uri"
FACETS = "ckanext.citizendata.facets"
QUERY_CONFIGS = "ckanext.citizendata.search.query_configs"
DEFAULT_FACETS = ["initiative_type", "engagement_stage", "engagement_level_max", "meets_copenhagen_definition",
                  "sdg_goals", "sdg_targets", "sdg_indicators", "population_groups", "disaggregation", "countries",
                  "recognition_status"]


def search_backend() -> str:
    """Name of the search backend, e.g. ``"postgres"``."""
    # the explicit default keeps CKAN quiet while the plugin (and so its declaration) is unloaded in tests
    return str(toolkit.config.get(BACKEND, "postgres") or "postgres").strip()


def text_search_config() -> str:
    """PostgreSQL text search configuration for records of unknown language, e.g. ``"english"``."""
    return str(toolkit.config.get(TEXT_CONFIG, "english") or "english").strip()


def random_page_cost() -> str:
    """random_page_cost for search queries, e.g. ``"1.1"``; "" leaves the server's setting."""
    value = str(toolkit.config.get("ckanext.citizendata.search.postgres.random_page_cost", "1.1") or "").strip()
    if value:
        float(value)  # a number, or a clear error
    return value


def query_configs() -> list[str]:
    """Stemmers OR-ed in every text query, e.g. ``["english", "spanish"]``."""
    raw = toolkit.config.get(QUERY_CONFIGS, ["english", "spanish", "french", "arabic", "portuguese"]) or []
    return raw.split() if isinstance(raw, str) else list(raw)


def rank_weights() -> list[float]:
    """Weights of text classes D, C, B, A, e.g. ``[0.1, 0.2, 0.4, 1.0]``."""
    raw = toolkit.config.get(RANK_WEIGHTS) or [0.1, 0.2, 0.4, 1.0]
    if isinstance(raw, str):
        raw = raw.split()
    weights = [float(w) for w in raw]
    if len(weights) != 4:
        raise ValueError(f"{RANK_WEIGHTS} needs 4 numbers (D C B A), got {raw!r}")
    return weights


def vocab_base_uri() -> str:
    """Base IRI of the published vocabularies, e.g. ``"https://w3id.org/citizendata/vocab/"``."""
    value = str(toolkit.config.get(VOCAB_BASE, canonical) or canonical).strip()
    if not value.endswith("/"):
        raise ValueError(f"{VOCAB_BASE} must end with '/': {value!r}")
    return value


def facets() -> list[str]:
    """Citizen-data facet fields, e.g. ``["initiative_type", "sdg_goals"]``."""
    raw = toolkit.config.get(FACETS, DEFAULT_FACETS) or []
    return raw.split() if isinstance(raw, str) else list(raw)


def elasticsearch_settings() -> dict:
    """Connection settings of the Elasticsearch backend: url, index, username, password, api_key, verify_certs."""
    prefix = "ckanext.citizendata.search.elasticsearch."
    defaults = {"url": "http://127.0.0.1:9200", "index": "ckan-citizendata", "username": "", "password": "",
                "api_key": "", "verify_certs": True}
    settings = {key: toolkit.config.get(prefix + key, default) for key, default in defaults.items()}
    settings["verify_certs"] = toolkit.asbool(settings["verify_certs"])
    return settings


def plugin_enabled(name: str = "citizendata") -> bool:
    """Whether ``ckan.plugins`` names the plugin (CKAN's test harness unloads plugins between tests while
    the configuration still names them)."""
    plugins = toolkit.config.get("ckan.plugins") or []
    if isinstance(plugins, str):
        plugins = plugins.split()
    return name in plugins


def site_id() -> str:
    """CKAN's ``ckan.site_id``, which scopes every index row."""
    return str(toolkit.config.get("ckan.site_id") or "default")


DCAT_PREFIX = "ckanext.citizendata.dcat."
DCAT_DEFAULTS = {
    "catalog_description": "Catalog of citizen data, data produced with the participation of citizens and "
                           "communities.",
    "publisher_name": "", "publisher_uri": "", "publisher_type": "", "catalog_license": "",
}


def dcat_catalog() -> dict:
    """What the DCAT catalog states beyond CKAN's settings, with CKAN's settings as fallbacks, e.g.
    ``{"description": "...", "publisher_name": "Citizen Data Catalog", "publisher_uri": "http://x/#publisher",
    "publisher_type": "", "license": "", "spatial": []}``."""
    get = toolkit.config.get
    values = {key: str(get(DCAT_PREFIX + key, default) or "").strip() for key, default in DCAT_DEFAULTS.items()}
    site_url = str(get("ckanext.dcat.base_uri") or get("ckan.site_url") or "").rstrip("/")
    spatial = get(DCAT_PREFIX + "catalog_spatial", []) or []
    return {
        "description": str(get("ckan.site_description") or "").strip() or values["catalog_description"],
        "publisher_name": values["publisher_name"] or str(get("ckan.site_title") or "").strip(),
        "publisher_uri": values["publisher_uri"] or f"{site_url}/#publisher",
        "publisher_type": values["publisher_type"],
        "license": values["catalog_license"],
        "spatial": spatial.split() if isinstance(spatial, str) else list(spatial),
    }


DEFAULT_CATALOG_LICENSE = "http://creativecommons.org/publicdomain/zero/1.0/"


def dcat_catalog_license() -> str:
    """dct:license of the catalog's metadata: ``ckanext.citizendata.dcat.catalog_license`` or, when empty,
    CC0 1.0 (the metadata of a public catalog are meant to be reused freely), e.g.
    ``"http://creativecommons.org/publicdomain/zero/1.0/"``."""
    return dcat_catalog()["license"] or DEFAULT_CATALOG_LICENSE


def dcat_catalog_seconds() -> float:
    """How long the catalog node of DCAT pages (built by the profiles: publisher, licence, spatial coverage,
    first issue) is reused before it is built again, in seconds; 0 builds it for every page."""
    return float(toolkit.config.get("ckanext.citizendata.dcat.catalog_seconds", 60) or 0)
