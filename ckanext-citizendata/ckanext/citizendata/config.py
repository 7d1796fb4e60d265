"""The one place where ckanext-citizendata reads configuration: its own options and the options of CKAN and
ckanext-dcat that it depends on. No other module reads ``config`` (tests/test_config.py scans the package).

Every option of ours is declared in config_declaration.yaml (type, default, description) and its default lives
only there: while the plugin is loaded CKAN fills it in; while it is not (CKAN's test harness unloads plugins
between tests, the configuration still naming them), the default is read from the same file. The options of
CKAN and ckanext-dcat take the defaults of their own declarations.

Example::

    >>> search_backend()
    'postgres'
    >>> option("ckanext.citizendata.dcat.catalog_seconds")
    60
"""
from __future__ import annotations

import importlib.resources
import os
import re
from functools import lru_cache
from typing import Any, MutableMapping

import yaml
from ckan.cli import CKANConfigLoader
from ckan.common import config_declaration
from ckan.config.declaration import Declaration
from ckan.plugins import toolkit
from ckanext.dcat import processors as dcat_processors

from ckanext.citizendata.namespaces import VOCAB_BASE as CANONICAL_VOCAB_BASE

PREFIX = "ckanext.citizendata."
BACKEND = PREFIX + "search.backend"
TEXT_CONFIG = PREFIX + "search.text_config"
RANK_WEIGHTS = PREFIX + "search.rank_weights"
QUERY_CONFIGS = PREFIX + "search.query_configs"
RANDOM_PAGE_COST = PREFIX + "search.postgres.random_page_cost"
WORK_MEM = PREFIX + "search.postgres.work_mem"
REBUILD_WORKERS = PREFIX + "search.rebuild_workers"
ELASTICSEARCH = PREFIX + "search.elasticsearch."
VOCAB_BASE = PREFIX + "vocab.base_uri"
FACETS = PREFIX + "facets"
DCAT = PREFIX + "dcat."
DCAT_PROFILES = "ckanext.dcat.rdf.profiles"
# settings that change what a serializer writes for the same dataset dict (see rdf_settings)
RDF_SETTING_PREFIXES = ("ckanext.dcat.", PREFIX, "ckan.site_url", "ckan.locale_default", "scheming.",
                        "ckan.plugins")  # plugins: IDCATURIGenerator may name datasets
OTHER_PLUGINS = ("dcat",)  # whose options we read (CKAN's own are in CKAN's declaration)
_UNSET = object()


@lru_cache(maxsize=1)
def declared_defaults() -> dict[str, Any]:
    """Key -> default of every option in config_declaration.yaml."""
    text = (importlib.resources.files("ckanext.citizendata") / "config_declaration.yaml").read_text(encoding="utf-8")
    return {opt["key"]: opt.get("default") for group in yaml.safe_load(text)["groups"] for opt in group["options"]}


def option(key: str) -> Any:
    """The configured value of an option, else its declared default (ours: config_declaration.yaml; CKAN's and
    ckanext-dcat's: their declarations); None when nothing declares it."""
    value = toolkit.config.get(key, _UNSET)
    if value is not _UNSET:
        return value
    if key in declared_defaults():
        return declared_defaults()[key]
    declared = config_declaration.get(key) or _other_declarations().get(key)
    return declared.default if declared is not None else None


@lru_cache(maxsize=1)
def _other_declarations() -> Declaration:
    """The declarations of the plugins whose options we read, for when CKAN has not loaded them."""
    declaration = Declaration()
    for plugin in OTHER_PLUGINS:
        declaration.load_plugin(plugin)
    return declaration


def _text(key: str) -> str:
    value = option(key)
    return "" if value is None else str(value).strip()


def _list(key: str) -> list[str]:
    value = option(key) or []
    return value.split() if isinstance(value, str) else [str(v) for v in value]


# ---------------------------------------------------------------- search
def search_backend() -> str:
    """Name of the search backend, e.g. ``"postgres"``."""
    return _text(BACKEND)


def text_search_config() -> str:
    """PostgreSQL text search configuration for records of unknown language, e.g. ``"english"``."""
    return _text(TEXT_CONFIG)


def random_page_cost() -> str:
    """random_page_cost for search queries, e.g. ``"1.1"``; "" leaves the server's setting."""
    value = _text(RANDOM_PAGE_COST)
    if value:
        float(value)  # a number, or a clear error
    return value


def work_mem() -> str:
    """work_mem for search queries, e.g. ``"32MB"``; "" leaves the server's setting."""
    value = _text(WORK_MEM)
    if value and not re.fullmatch(r"[1-9][0-9]*(kB|MB|GB)", value):
        raise ValueError(f"{WORK_MEM} = {value!r}: a size such as 32MB (kB, MB or GB), or empty")
    return value


def query_configs() -> list[str]:
    """Stemmers OR-ed in every text query, e.g. ``["english", "spanish"]``."""
    return _list(QUERY_CONFIGS)


def rank_weights() -> list[float]:
    """Weights of text classes D, C, B, A, e.g. ``[0.1, 0.2, 0.4, 1.0]``."""
    raw = _list(RANK_WEIGHTS)
    try:
        weights = [float(w) for w in raw]
    except ValueError as err:
        raise ValueError(f"{RANK_WEIGHTS} needs 4 numbers (D C B A), got {raw!r}") from err
    if len(weights) != 4:
        raise ValueError(f"{RANK_WEIGHTS} needs 4 numbers (D C B A), got {raw!r}")
    return weights


def elasticsearch_settings() -> dict[str, Any]:
    """Connection settings of the Elasticsearch backend: url, index, username, password, api_key, verify_certs."""
    keys = [key[len(ELASTICSEARCH):] for key in declared_defaults() if key.startswith(ELASTICSEARCH)]
    settings = {key: option(ELASTICSEARCH + key) for key in keys}
    settings["verify_certs"] = toolkit.asbool(settings["verify_certs"])
    return settings


def facets() -> list[str]:
    """Citizen-data facet fields chosen by the operator, e.g. ``["initiative_type", "sdg_goals"]``; [] means the
    record's field table decides (search/facets.py)."""
    return _list(FACETS)


def ckan_search_facets() -> list[str]:
    """CKAN's own ``search.facets``, e.g. ``["organization", "groups", "tags", "res_format", "license_id"]``."""
    return _list("search.facets")


def remove_deleted_packages() -> bool:
    """CKAN's ``ckan.search.remove_deleted_packages``: deleted records leave the search index (CKAN's default)."""
    return toolkit.asbool(toolkit.config.get("ckan.search.remove_deleted_packages"))


def rebuild_workers() -> int:
    """Processes a rebuild of the search index shares its batches among, e.g. ``2``; 1: in the calling process."""
    return _positive_int(REBUILD_WORKERS)


def dataset_search_filter() -> str:
    """The filter CKAN's dataset search page (``/dataset/``) puts on record types: ``""`` when it lists every type
    (``ckan.search.show_all_types = dataset``, or true), else ``"+dataset_type:dataset"``."""
    value = option("ckan.search.show_all_types")
    try:
        shows_all = toolkit.asbool(value)
    except ValueError:           # a type name: that type's page lists every type
        shows_all = str(value).strip() == "dataset"
    return "" if shows_all else "+dataset_type:dataset"


def dcat_content_negotiation() -> bool:
    """Whether ckanext-dcat answers ``/`` and ``/dataset/<id>`` in RDF when the Accept header asks for it
    (``ckanext.dcat.enable_content_negotiation``); our home page then defers to it for such requests."""
    return toolkit.asbool(option("ckanext.dcat.enable_content_negotiation") or False)


def plugin_enabled(name: str = "citizendata") -> bool:
    """Whether ``ckan.plugins`` names the plugin (CKAN's test harness unloads plugins between tests while
    the configuration still names them)."""
    return name in _list("ckan.plugins")


def site_id() -> str:
    """CKAN's ``ckan.site_id``, which scopes every index row."""
    return _text("ckan.site_id") or "default"


# ---------------------------------------------------------------- vocabularies
def vocab_base_uri() -> str:
    """Base IRI of the published vocabularies, e.g. ``"https://w3id.org/citizendata/vocab/"``."""
    value = _text(VOCAB_BASE) or CANONICAL_VOCAB_BASE
    if not value.endswith("/"):
        raise ValueError(f"{VOCAB_BASE} must end with '/': {value!r}")
    return value


# ---------------------------------------------------------------- DCAT
def dcat_catalog() -> dict[str, Any]:
    """What the DCAT catalog states beyond CKAN's settings, with CKAN's settings as fallbacks, e.g.
    ``{"description": "...", "publisher_name": "Citizen Data Catalog", "publisher_uri": "http://x/#publisher",
    "publisher_type": "", "license": "http://creativecommons.org/publicdomain/zero/1.0/", "spatial": []}``."""
    site_url = (_text("ckanext.dcat.base_uri") or _text("ckan.site_url")).rstrip("/")
    return {
        "description": _text("ckan.site_description") or _text(DCAT + "catalog_description"),
        "publisher_name": _text(DCAT + "publisher_name") or _text("ckan.site_title"),
        "publisher_uri": _text(DCAT + "publisher_uri") or f"{site_url}/#publisher",
        "publisher_type": _text(DCAT + "publisher_type"),
        "license": _text(DCAT + "catalog_license"),
        "spatial": _list(DCAT + "catalog_spatial"),
    }


def dcat_catalog_seconds() -> float:
    """How long the catalog node of DCAT pages (built by the profiles: publisher, licence, spatial coverage,
    first issue) is reused before it is built again, in seconds; 0 builds it for every page."""
    return float(option(DCAT + "catalog_seconds") or 0)


def dcat_profiles() -> list[str]:
    """The profiles ckanext-dcat serves by default, read as it reads them, e.g. ``["euro_dcat_ap_3"]``."""
    return _list(DCAT_PROFILES) or list(dcat_processors.DEFAULT_RDF_PROFILES)


def dcat_subcatalogs() -> bool:
    """ckanext-dcat's ``expose_subcatalogs``."""
    return toolkit.asbool(option("ckanext.dcat.expose_subcatalogs"))


def dcat_compatibility_mode() -> bool:
    """ckanext-dcat's ``compatibility_mode``."""
    return toolkit.asbool(option(dcat_processors.COMPAT_MODE_CONFIG_OPTION))


def dcat_datasets_per_page() -> int:
    """Datasets per page of ckanext-dcat's catalog endpoint, e.g. ``100``."""
    return int(option("ckanext.dcat.datasets_per_page"))


def rdf_settings() -> list[tuple[str, str]]:
    """Every setting that changes what a serializer writes for the same dataset dict, sorted (the fragment
    cache keys on them)."""
    return sorted((k, str(v)) for k, v in toolkit.config.items() if k.startswith(RDF_SETTING_PREFIXES))


def use_dcat_profiles_by_default(config: MutableMapping[str, Any], profiles: str) -> None:
    """IConfigurer.update_config: make ``profiles`` those of ckanext-dcat unless the operator chose them
    (``ckanext.dcat.rdf.profiles`` in the ini file or set in the config by code).

    ckanext-dcat declares the option with a default callable and CKAN fills declared defaults into the config
    before plugins' update_config run, so a value equal to ckanext-dcat's stock default that the ini file does
    not hold is the default, not a choice.

    Example::

        use_dcat_profiles_by_default(config, "euro_dcat_ap_3 citizendata")
        config["ckanext.dcat.rdf.profiles"]        # "euro_dcat_ap_3 citizendata"
    """
    value = config.get(DCAT_PROFILES)
    stock = dcat_processors._get_default_rdf_profiles()
    if value in (None, "", stock) and not _in_ini_file(config, DCAT_PROFILES):
        config[DCAT_PROFILES] = profiles


def _in_ini_file(config: MutableMapping[str, Any], key: str) -> bool:
    path = config.get("__file__")
    return bool(path) and key in CKANConfigLoader(path).get_config()


# ---------------------------------------------------------------- request and write bounds
LIMITS = PREFIX + "limits."


def _positive_int(key: str) -> int:
    value = int(option(key))
    if value < 1:
        raise ValueError(f"{key} must be a positive whole number, got {value!r}")
    return value


def body_bytes() -> int:
    """Largest API request body in bytes, e.g. ``10485760``."""
    return _positive_int(LIMITS + "body_bytes")


def json_depth() -> int:
    """Deepest nesting of lists and objects in an API request's JSON body, e.g. ``32``."""
    return _positive_int(LIMITS + "json_depth")


def text_chars() -> int:
    """Longest text value a dataset write accepts, in characters, e.g. ``100000``."""
    return _positive_int(LIMITS + "text_chars")


def field_chars() -> dict[str, int]:
    """Per-field overrides of :func:`text_chars`, e.g. ``{"title": 1000, "name": 100}``."""
    pairs = {}
    for item in _list(LIMITS + "field_chars"):
        field, _, chars = item.partition(":")
        if not field or not chars.isdigit() or int(chars) < 1:
            raise ValueError(f"{LIMITS}field_chars needs field:characters pairs, got {item!r}")
        pairs[field] = int(chars)
    return pairs

# ---------------------------------------------------------------- session safety (web/csrf.py, security.py,
# cookies.py, throttle.py)
SECURITY = PREFIX + "security."
SECURITY_HEADERS = (("X-Frame-Options", "frame_options"), ("X-Content-Type-Options", "content_type_options"),
                    ("Referrer-Policy", "referrer_policy"))


def csrf_everywhere() -> bool:
    """Whether CKAN's CSRF token is checked on every state-changing request of a session-cookie user (API
    included) and on the anonymous forms; ``WTF_CSRF_ENABLED`` false still turns every check off."""
    return toolkit.asbool(option(SECURITY + "csrf")) and toolkit.asbool(option("WTF_CSRF_ENABLED"))


def security_headers() -> dict[str, str]:
    """The headers sent with every response, e.g. ``{"X-Frame-Options": "SAMEORIGIN", "X-Content-Type-Options":
    "nosniff", "Referrer-Policy": "strict-origin-when-cross-origin", "Content-Security-Policy": "frame-ancestors
    'self'"}``; an option left empty sends no header."""
    headers = {name: _text(SECURITY + key) for name, key in SECURITY_HEADERS}
    ancestors = _text(SECURITY + "frame_ancestors")
    headers["Content-Security-Policy"] = f"frame-ancestors {ancestors}" if ancestors else ""
    return {name: value for name, value in headers.items() if value}


def site_is_https() -> bool:
    """Whether ``ckan.site_url`` is an https:// address (then cookies are sent over HTTPS only)."""
    return _text("ckan.site_url").lower().startswith("https://")


def login_limits() -> dict[str, int]:
    """Failed sign-ins allowed per account and per address within the window (0: no limit), e.g.
    ``{"account": 5, "address": 20, "window": 900}``."""
    limits = {"account": option(SECURITY + "login_attempts"),
              "address": option(SECURITY + "login_attempts_per_address"),
              "window": option(SECURITY + "login_window")}
    try:
        values = {name: int(value) for name, value in limits.items()}
    except (TypeError, ValueError) as err:
        raise ValueError(f"{SECURITY}login_attempts, login_attempts_per_address and login_window must be whole "
                         f"numbers, got {limits!r}") from err
    if values["window"] < 1 or min(values.values()) < 0:
        raise ValueError(f"{SECURITY}login_window must be at least 1 and the attempts at least 0, got {values!r}")
    return values


def cookie_settings() -> dict[str, Any]:
    """The Flask settings of the session and remember-me cookies, hardened: ``Secure`` when the site is served
    over HTTPS (``ckan.site_url``) or the operator asked for it, and never ``SameSite=None`` without ``Secure``
    (then ``Lax``), e.g. ``{"SESSION_COOKIE_SECURE": False, "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_SECURE": False, "REMEMBER_COOKIE_SAMESITE": "Lax"}``."""
    settings: dict[str, Any] = {}
    for cookie in ("SESSION_COOKIE_", "REMEMBER_COOKIE_"):
        secure = toolkit.asbool(option(cookie + "SECURE")) or site_is_https()
        samesite = option(cookie + "SAMESITE")
        if samesite is None or (str(samesite).lower() == "none" and not secure):
            samesite = "Lax"
        settings[cookie + "SECURE"], settings[cookie + "SAMESITE"] = secure, samesite
    return settings


def set_flask_options(app: Any, values: dict[str, Any]) -> None:
    """Set options of CKAN's Flask app that our guards take over (Flask, Flask-Login and Flask-WTF read them
    from the app on each request). CKAN's own config is left as the operator wrote it."""
    app.config.update(values)


# ---------------------------------------------------------------- limits on searches
QUERY_LIMIT_KEYS = ("q_chars", "fq_chars", "query_clauses", "query_depth", "search_statement_timeout_ms")


def query_limits() -> dict[str, int]:
    """The bounds on what a search may ask, by short name, e.g. ``{"q_chars": 2000, "fq_chars": 8000,
    "query_clauses": 256, "query_depth": 32, "search_statement_timeout_ms": 10000}``; a value that is not a
    whole number of 0 or more is a clear error."""
    return _whole_numbers(LIMITS, QUERY_LIMIT_KEYS)


def _whole_numbers(prefix: str, names: tuple[str, ...]) -> dict[str, int]:
    """The options ``prefix + name``, each a whole number of 0 or more (else a ValueError naming the key)."""
    numbers = {}
    for name in names:
        raw = option(prefix + name)
        try:
            value = int(raw)
        except (TypeError, ValueError) as err:
            raise ValueError(f"{prefix + name} must be a whole number, got {raw!r}") from err
        if value < 0:
            raise ValueError(f"{prefix + name} must be 0 or more, got {value}")
        numbers[name] = value
    return numbers


# ---------------------------------------------------------------- harvesting (ingest/harvest/)
HARVEST = PREFIX + "harvest."


def harvest_allow_addresses() -> list[str]:
    """Private or loopback addresses (IPs or CIDR networks) harvests may reach, e.g. ``["127.0.0.1"]``."""
    return _list(HARVEST + "allow_addresses")


HARVEST_NUMBERS = ("timeout_seconds", "retries", "backoff_seconds", "retry_after_max_seconds", "requests_per_second",
                   "max_response_bytes", "max_redirects", "delete_threshold", "idle_job_minutes", "keep_jobs")


def harvest_numbers() -> dict[str, int]:
    """The whole-number harvest options by short name, e.g. ``{"timeout_seconds": 30, "retries": 3, ...}``; a
    value that is not a whole number of 0 or more is a clear error."""
    return _whole_numbers(HARVEST, HARVEST_NUMBERS)


def harvest_number(name: str) -> int:
    """One of :func:`harvest_numbers`, e.g. ``harvest_number("retries") == 3``."""
    return harvest_numbers()[name]


def harvest_sources_dir() -> str:
    """The folder of partner-source YAML files; empty when the packaged harvesters/ folder is meant."""
    return str(option(HARVEST + "sources_dir") or "")


def harvest_user_agent() -> str:
    return str(option(HARVEST + "user_agent"))


def secret(name: str) -> str | None:
    """A source's secret (an API token) by the name its YAML gives: the environment variable of that name, else
    the ini option ``ckanext.citizendata.harvest.secret.<name>``; None when neither is set."""
    return os.environ.get(name) or toolkit.config.get(HARVEST + "secret." + name) or None


# ---------------------------------------------------------------- the metadata-quality score (assessment/)
QUALITY = PREFIX + "quality."
QUALITY_NUMBERS = ("url_check_timeout_seconds", "url_check_max_age_hours")


def quality_numbers() -> dict[str, int]:
    """The URL check options by short name, e.g. ``{"url_check_timeout_seconds": 10,
    "url_check_max_age_hours": 168}``; a value that is not a whole number of 0 or more is a clear error."""
    return _whole_numbers(QUALITY, QUALITY_NUMBERS)
