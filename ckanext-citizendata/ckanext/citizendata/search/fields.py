"""Which index field is what, and how CKAN's index document becomes text and filterable values.

Mirrors the field types of CKAN's Solr schema: ``name``, ``tags``, ``res_format`` and unknown fields are
exact strings; ``title``, ``notes``, ``text``, ``res_name``, ``res_description``, ``extras_*`` are analysed
text; ``*_ngram`` fields match word prefixes (autocomplete); ``metadata_*`` and ``*_date`` are dates.
"""
from __future__ import annotations

import datetime
from typing import Any, Optional

from dateutil.parser import isoparse

COLUMN = "column"      # exact string, own column
DATE = "date"          # timestamp column
ARRAY = "array"        # text[] column
TEXT = "text"          # analysed text, answered from the weighted tsvector
STRING = "string"      # exact string(s) in the ``fields`` jsonb

COLUMNS = frozenset({"index_id", "site_id", "id", "name", "entity_type", "dataset_type", "state",
                     "capacity", "owner_org"})
DATE_COLUMNS = frozenset({"metadata_created", "metadata_modified"})
ARRAY_COLUMNS = frozenset({"permission_labels"})
# text fields with a weight class of their own in the tsvector
TEXT_WEIGHT = {"title": "A", "title_ngram": "A", "name_ngram": "A", "notes": "C"}
TEXT_FIELDS = frozenset({"text", "res_name", "res_description", "author", "maintainer", "urls"})
TEXT_PREFIXES = ("extras_", "res_extras_")

BIG_TEXT = ("data_dict", "validated_data_dict")
# words that act as keywords (weight B): tags, and the labels of the record's vocabulary concepts
KEYWORD_FIELDS = frozenset({"tags", "concept_labels"})
# fields that carry no words worth searching
NOT_TEXT = frozenset({"index_id", "site_id", "id", "entity_type", "dataset_type", "type", "state", "capacity",
                      "owner_org", "creator_user_id", "permission_labels", "metadata_created",
                      "metadata_modified", "indexed_ts", "num_resources", "num_tags", "private", "isopen",
                      "title_string", "res_url", "url", "urls", "res_type", "version", "license_id",
                      "author_email", "maintainer_email", "revision_id", "res_format", "language",
                      "inherited_fields", "in_series", "m49",
                      "quality_band"}   # the metadata-quality band (assessment/mqa.py): a facet, not words
                     | set(BIG_TEXT))


def kind(field: Optional[str]) -> str:
    """The kind of an index field: ``kind("tags") == STRING``, ``kind("notes") == TEXT``."""
    if field is None or field in TEXT_WEIGHT or field in TEXT_FIELDS or field.startswith(TEXT_PREFIXES):
        return TEXT
    if field.endswith("_ngram"):
        return TEXT
    if field in COLUMNS:
        return COLUMN
    if field in DATE_COLUMNS:
        return DATE
    if field in ARRAY_COLUMNS:
        return ARRAY
    return STRING


def _values(value: Any) -> list[str]:
    items = value if isinstance(value, (list, tuple)) else [value]
    out = []
    for item in items:
        if item is None or isinstance(item, dict):
            continue
        text = ("true" if item else "false") if isinstance(item, bool) else str(item)
        if text != "":
            out.append(text)
    return out


def normalise(doc: dict[str, Any]) -> dict[str, list[str]]:
    """Every field as a list of strings, for exact filters and facets:
    ``normalise({"tags": ["a"], "private": False}) == {"tags": ["a"], "private": ["false"]}``."""
    out = {}
    for key, value in doc.items():
        if key in BIG_TEXT:
            continue
        values = _values(value)
        if values:
            out[key] = values
    return out


def text_classes(doc: dict[str, Any]) -> dict[str, str]:
    """The document's words in the four weight classes: A title and name, B tags and vocabulary tags,
    C description, D everything else that is text."""
    classes: dict[str, list[str]] = {"A": [], "B": [], "C": [], "D": []}
    classes["A"] += _values(doc.get("title"))
    classes["A"] += [v.replace("-", " ").replace("_", " ") for v in _values(doc.get("name"))]
    classes["C"] += _values(doc.get("notes"))
    for key, value in doc.items():
        if key in ("title", "name", "notes") or key in NOT_TEXT or key.endswith(("_id", "_date")):
            continue
        target = "B" if key in KEYWORD_FIELDS or key.startswith("vocab_") else "D"
        classes[target] += _values(value)
    return {weight: "\n".join(words) for weight, words in classes.items()}


def as_datetime(value: Any) -> Optional[datetime.datetime]:
    """CKAN's ``2024-05-01T10:00:00.123456Z`` as an aware datetime (None when absent or not a date)."""
    if not value:
        return None
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
    try:
        parsed = isoparse(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.timezone.utc)


def pick(doc: dict[str, Any], wanted: set) -> dict[str, Any]:
    """The fields of a document that a request asks for (``fl``); the whole document for ``*``:
    ``pick({"id": "x", "name": "y"}, {"id", "title"}) == {"id": "x"}``."""
    if "*" in wanted:
        return doc
    return {name: doc[name] for name in wanted if name in doc}


def strip_nul(value: Any) -> Any:
    """PostgreSQL text and jsonb cannot hold NUL characters; drop them everywhere in a document."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {strip_nul(k): strip_nul(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strip_nul(v) for v in value]
    return value


# ISO 639-1 / 639-2 (as in EU language IRIs) -> PostgreSQL text search configuration
LANGUAGE_CONFIGS = {
    "en": "english", "eng": "english", "es": "spanish", "spa": "spanish", "fr": "french", "fra": "french",
    "ar": "arabic", "ara": "arabic", "pt": "portuguese", "por": "portuguese", "de": "german", "deu": "german",
    "it": "italian", "ita": "italian", "nl": "dutch", "nld": "dutch", "ru": "russian", "rus": "russian",
    "tr": "turkish", "tur": "turkish", "id": "indonesian", "ind": "indonesian", "hi": "hindi", "hin": "hindi",
    "ne": "nepali", "nep": "nepali", "ta": "tamil", "tam": "tamil", "el": "greek", "ell": "greek",
    "ca": "catalan", "cat": "catalan", "sv": "swedish", "swe": "swedish", "da": "danish", "dan": "danish",
}


def record_configs(doc: dict[str, Any], default: str) -> tuple[str, str]:
    """The record's two stemmers: the default language (metadata is often written in it whatever the data's
    language) and the first language the record states (DCAT ``language``: ISO 639-1 codes or EU language
    IRIs), e.g. ``("english", "spanish")``."""
    for value in _values(doc.get("language")):
        code = value.rstrip("/").rsplit("/", 1)[-1].lower()
        if code in LANGUAGE_CONFIGS:
            return default, LANGUAGE_CONFIGS[code]
    return default, default
