"""What the search index holds of a record: its citizen-data fields (own, inherited, derived) as the field
table says (``x-index``), taken from the made record CKAN indexes (``validated_data_dict``) instead of the stored
JSON text of the extras, plus the index fields derived from it and the labels of its concepts.

Example::

    before_dataset_index({"validated_data_dict": '{"sdg_goals": ["16"], ...}', "sdg_goals": '["16"]'})
    # -> {"sdg_goals": ["16"], "concept_labels": ["Goal 16. Peace, justice and strong institutions", ...], ...}
"""
from __future__ import annotations

import json
from typing import Any

from ckanext.citizendata.vocab import registry

from .derive import index_values
from .fields import FIELDS, Field, all_fields
from .view import MARK

# besides the record's fields: the initiatives it is in (ckanext-dcat's field), and which fields it inherits
EXTRA_FIELDS = ("in_series", MARK)


def _empty(value: Any) -> bool:
    return value in (None, "", [], {})


def _values(value: Any) -> list[Any]:
    if _empty(value):
        return []
    return value if isinstance(value, list) else [value]


def concept_labels(record: dict[str, Any]) -> list[str]:
    """The labels, in every language, of the concepts of the record's labelled fields."""
    found: list[str] = []
    for field in all_fields():
        values = _values(record.get(field.name)) if field.labelled else []
        labels = registry.labels_all(field.vocabulary) if values else {}
        for value in values:
            found += labels.get(str(value), [])
    return found


def _indexed(field: Field, value: Any) -> dict[str, Any]:
    """The index fields of one record field, by its index rule."""
    if field.index == "json":
        return {field.name: json.dumps(value, ensure_ascii=False)}
    if field.index == "subfields":
        return _subfield_texts(field.name, value)
    return {field.name: value}


def _subfield_texts(name: str, items: Any) -> dict[str, str]:
    """Repeating subfields as searchable text, one index field per subfield, named as ckanext-dcat names them
    (``extras_partners__name``), so that whichever of the two plugins indexes first the row is the same."""
    texts: dict[str, list[str]] = {}
    for item in items if isinstance(items, list) else []:
        for key, value in (item.items() if isinstance(item, dict) else []):
            texts.setdefault(f"extras_{name}__{key}", []).extend(str(v) for v in _values(value))
    return {key: " ".join(words) for key, words in texts.items() if words}


def before_dataset_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    try:
        record = json.loads(pkg_dict.get("validated_data_dict") or "{}")
    except ValueError:
        return pkg_dict
    record = {name: record.get(name) for name in (*FIELDS, *EXTRA_FIELDS)}
    record.update(index_values(record))
    for name in FIELDS:
        pkg_dict.pop(f"extras_{name}", None)
    for field in all_fields():
        value = record.get(field.name)
        pkg_dict.pop(field.name, None)
        if not _empty(value):
            pkg_dict.update(_indexed(field, value))
    for name in EXTRA_FIELDS:
        pkg_dict.pop(f"extras_{name}", None)
        if _empty(record[name]):
            pkg_dict.pop(name, None)
        else:
            pkg_dict[name] = record[name]
    labels = concept_labels(record)
    if labels:
        pkg_dict["concept_labels"] = labels
    return pkg_dict
