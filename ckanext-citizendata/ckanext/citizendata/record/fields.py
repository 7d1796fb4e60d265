"""The field table: every citizen-data field as the record's JSON Schema describes it, read once.

The schema (schemas/citizen-data-record.schema.json) is the only place a field is described; its ``x-``
keywords say what JSON Schema cannot: the concept scheme of a value (``x-vocabulary``), whether an initiative
gives it (``x-inherited``), how the search index holds it (``x-index``), its facet (``x-facet``), and the index
fields derived from record fields (``x-index-fields``). The index, the facets, the bulk loader, the form's
choices, the DCAT term table and the agreement tests read this table instead of restating any of it.

Example::

    >>> FIELDS["sdg_indicators"].vocabulary, FIELDS["sdg_indicators"].multiple
    ('sdg', True)
    >>> [f.name for f in facets()][:3]
    ['initiative_type', 'engagement_stage', 'engagement_level_max']
    >>> leaf_vocabulary("actor_type")
    'actor-types'
"""
from __future__ import annotations

import dataclasses
import re
from typing import Any, Iterator, Optional

from .schema import SCHEMA

INDEX_RULES = ("value", "labels", "json", "subfields")


@dataclasses.dataclass(frozen=True)
class Facet:
    """A field's facet: its heading, and its place among the facets shown by default (None: not shown unless
    configured)."""
    title: str
    order: Optional[int] = None


@dataclasses.dataclass(frozen=True)
class Field:
    """One field of the record, or an index field derived from one (``derived_from``)."""
    name: str
    title: str
    kind: str                      # JSON type of the value: string, array, object, integer, boolean
    vocabulary: Optional[str]      # concept scheme of the value (of each item of a list)
    pattern: Optional[str]         # pattern of the value (of each item of a list)
    inherited: bool                # an initiative gives it to the datasets that do not state it
    derived: bool                  # computed, never accepted from input (readOnly)
    index: str                     # how the search index holds it: one of INDEX_RULES
    facet: Optional[Facet]
    derived_from: Any = None   # for index fields: the record field (or list of fields) they are computed from

    @property
    def multiple(self) -> bool:
        return self.kind == "array"

    def takes(self, value: str) -> bool:
        """Whether a value fits the field's pattern (``sdg_targets`` takes ``"16.6"``, not ``"16.6.2"``)."""
        return self.pattern is None or re.fullmatch(self.pattern, value) is not None

    @property
    def labelled(self) -> bool:
        """Whether the labels of its concepts (every language) are indexed as keywords."""
        return self.index == "labels"


def _item(prop: dict[str, Any]) -> dict[str, Any]:
    return prop.get("items", prop) if prop.get("type") == "array" else prop


def _facet(value: Any, name: str) -> Optional[Facet]:
    if value is False:
        return None
    if not isinstance(value, dict) or "title" not in value:
        raise ValueError(f"{name}: x-facet must be false or an object with a title, got {value!r}")
    return Facet(title=value["title"], order=value.get("order"))


def _field(name: str, prop: dict[str, Any]) -> Field:
    if prop.get("x-index") not in INDEX_RULES:
        raise ValueError(f"{name}: x-index must be one of {', '.join(INDEX_RULES)}, got {prop.get('x-index')!r}")
    if "x-facet" not in prop:
        raise ValueError(f"{name}: no x-facet (a facet, or false)")
    item = _item(prop)
    return Field(name=name, title=prop.get("title", name), kind=prop.get("type", "string"),
                 vocabulary=item.get("x-vocabulary"), pattern=item.get("pattern"),
                 inherited=bool(prop.get("x-inherited")), derived=bool(prop.get("readOnly")),
                 index=prop["x-index"], facet=_facet(prop["x-facet"], name),
                 derived_from=prop.get("x-derived-from"))


def _table(properties: dict[str, Any]) -> dict[str, Field]:
    return {name: _field(name, prop) for name, prop in properties.items()}


FIELDS: dict[str, Field] = _table(SCHEMA["properties"])
INDEX_FIELDS: dict[str, Field] = _table(SCHEMA.get("x-index-fields", {}))
INHERITED: tuple[str, ...] = tuple(name for name, f in FIELDS.items() if f.inherited)


def all_fields() -> Iterator[Field]:
    """The record's fields, then the index fields derived from them."""
    yield from FIELDS.values()
    yield from INDEX_FIELDS.values()


def facets() -> list[Field]:
    """Fields shown as facets by default, in their order."""
    shown = [f for f in all_fields() if f.facet is not None and f.facet.order is not None]
    return sorted(shown, key=lambda f: f.facet.order)


def facet_fields() -> dict[str, Field]:
    """Every field that has a facet (shown by default or not), by name."""
    return {f.name: f for f in all_fields() if f.facet is not None}


def _subfields(prop: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, sub in _item(prop).get("properties", {}).items():
        yield name, sub
        yield from _subfields(sub)


def _leaf_vocabularies() -> dict[str, Optional[str]]:
    """Field or subfield name -> its vocabulary; a name must mean one vocabulary wherever it stands."""
    found: dict[str, Optional[str]] = {}
    for name, prop in SCHEMA["properties"].items():
        for leaf, sub in [(name, prop), *_subfields(prop)]:
            scheme = _item(sub).get("x-vocabulary")
            if found.setdefault(leaf, scheme) != scheme:
                raise ValueError(f"{leaf}: two vocabularies ({found[leaf]}, {scheme}) under one name")
    return found


LEAF_VOCABULARIES = _leaf_vocabularies()


def leaf_vocabulary(name: str) -> Optional[str]:
    """The vocabulary of a field or of a subfield (``stage``, ``actor_type``), as the form names them."""
    return LEAF_VOCABULARIES.get(name)


def input_vocabularies() -> list[str]:
    """Every scheme whose notations some input field takes (what the bulk loader needs loaded)."""
    schemes = {LEAF_VOCABULARIES[leaf] for name, prop in SCHEMA["properties"].items() if not prop.get("readOnly")
               for leaf in [name, *(sub for sub, _ in _subfields(prop))] if LEAF_VOCABULARIES.get(leaf)}
    return sorted(schemes)
