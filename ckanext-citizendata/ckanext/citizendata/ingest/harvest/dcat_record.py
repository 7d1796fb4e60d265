"""A DCAT dataset as a record for the harvest: from the dict ckanext-dcat's RDFParser makes of it (profiles
``euro_dcat_ap_3 citizendata``) to the keys our scheming schema takes (schemas/dataset.yaml, or initiative.yaml for
a series), with the texts in the source's preferred languages, lists in one order, and each value our schema or
CKAN would refuse left out with a warning that names the field and why.

Example::

    record, warnings = to_record(parser_dict, graph, dataset_ref, DATASET, ["fr", "en"])
    # record == {"title": "Comptage des vélos 2021", "tags": [{"name": "vélo"}], "issued": "2022-03-01T00:00:00",
    #            "temporal_coverage": [{"start": "2021-01-01", "end": "2021-12-31"}], ...}
    # warnings == ["license_id: <http://dcat-ap.ch/vocabulary/licenses/terms_by> is not a licence of ...; dropped"]
"""
from __future__ import annotations

import dataclasses
import datetime
import importlib.resources
import json
import re
from functools import lru_cache
from typing import Any, Optional

import rdflib
import yaml
from jsonschema import Draft202012Validator
from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDFS

from ckanext.citizendata import schemas
from ckanext.citizendata.namespaces import EU_FILE_TYPE, IANA_MEDIA_TYPES
from ckanext.citizendata.record.schema import FIELDS as CITIZEN_FIELDS
from ckanext.citizendata.record.schema import READ_ONLY, SCHEMA as RECORD_SCHEMA, property_schema

from .listing import SERIES

# CKAN's tag rule (ckan.logic.validators.tag_name_validator and tag_length_validator)
TAG = re.compile(r"[\w \-.]{2,100}")
YEAR_OR_MONTH = re.compile(r"-?\d{4,}(-(0[1-9]|1[0-2]))?")
# record keys the engine sets, or that a harvest does not take from a source
NOT_HARVESTED = {"id", "name", "owner_org", "tag_string", "in_series"}
# what ckanext-dcat's resource dicts may keep beyond the scheming resource fields
RESOURCE_EXTRA_KEYS = ("mimetype",)
# dcat:mediaType IRIs of IANA's register become the media type itself (text/csv), under https: or http:
MEDIA_TYPE_BASES = (str(IANA_MEDIA_TYPES), str(IANA_MEDIA_TYPES).replace("https:", "http:", 1))


@dataclasses.dataclass(frozen=True)
class Shape:
    """What the scheming schema of a kind takes: field -> its subfields (empty for a plain field), resource keys."""
    fields: dict[str, tuple[str, ...]]
    resource_keys: frozenset

    def takes(self, key: str) -> bool:
        return key in ("tags", "resources") or (key in self.fields and key not in NOT_HARVESTED
                                                and key not in READ_ONLY)


@lru_cache(maxsize=2)
def shape(kind: str) -> Shape:
    """The shape of schemas/dataset.yaml (DATASET) or schemas/initiative.yaml (SERIES)."""
    name = "initiative.yaml" if kind == SERIES else "dataset.yaml"
    schema = yaml.safe_load((importlib.resources.files(schemas) / name).read_text(encoding="utf-8"))
    fields = {f["field_name"]: tuple(s["field_name"] for s in f.get("repeating_subfields", []))
              for f in schema["dataset_fields"]}
    resources = {f["field_name"] for f in schema.get("resource_fields", [])} | set(RESOURCE_EXTRA_KEYS)
    return Shape(fields, frozenset(resources))


def to_record(parsed: dict[str, Any], graph: rdflib.Graph, ref, kind: str,
              languages: list[str]) -> tuple[dict[str, Any], list[str]]:
    """The record of one dataset from ckanext-dcat's dict of it (``parsed``): only keys our scheming schema takes,
    texts in the preferred language, lists in one order (the content hash does not change with the format or the
    order of triples), invalid optional values left out with one warning each."""
    form = shape(kind)
    record = {k: v for k, v in parsed.items() if form.takes(k) and not _empty(v)}
    warnings = _texts(record, graph, ref, languages)
    warnings += _licence(record, parsed, graph, ref)
    warnings += _dates(record)
    warnings += _agents(record, graph, ref, languages, form)
    warnings += _citizen_values(record)
    warnings += [f"in_series: {series} is a series of the source; membership is not harvested"
                 for series in parsed.get("in_series") or []]
    if "resources" in record:
        record["resources"] = _resources(record["resources"], graph, ref, languages, form)
    for key in ("theme", "language", "conforms_to"):
        if isinstance(record.get(key), list):
            record[key] = sorted(set(map(str, record[key])))
    return {k: v for k, v in record.items() if not _empty(v)}, warnings


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _rank(literal: Literal, languages: list[str]) -> int:
    """0.. for the preferred languages in order ("fr" takes "fr-CH"), then untagged, then any other language."""
    tag = (literal.language or "").lower()
    for index, wanted in enumerate(languages):
        if tag == wanted.lower() or tag.split("-")[0] == wanted.lower():
            return index
    return len(languages) + (1 if tag else 0)


def choose_text(literals, languages: list[str]) -> tuple[Optional[str], list[str]]:
    """The text in the first preferred language present, else untagged, else in any language; and the other
    texts of that same language (a source stating two).

    >>> choose_text([Literal("Titel", lang="de"), Literal("Titre", lang="fr")], ["fr", "en"])
    ('Titre', [])
    """
    found = [o for o in literals if isinstance(o, Literal) and str(o).strip()]
    if not found:
        return None, []
    best = min(found, key=lambda o: (_rank(o, languages), o.language or "", str(o).strip()))
    rivals = sorted({str(o).strip() for o in found if o.language == best.language} - {str(best).strip()})
    return str(best).strip(), rivals


def _texts(record: dict[str, Any], graph: rdflib.Graph, ref, languages: list[str]) -> list[str]:
    warnings = []
    for key, predicate in (("title", DCTERMS.title), ("notes", DCTERMS.description)):
        text, rivals = choose_text(graph.objects(ref, predicate), languages)
        record.pop(key, None)
        if text:
            record[key] = text
        warnings += [f"{key}: a second value in the same language, {rival!r}; dropped" for rival in rivals]
    tags, dropped = keywords(graph, ref, languages)
    record["tags"] = [{"name": name} for name in tags]
    return warnings + [f"tags: keyword {word!r} is not a CKAN tag (2 to 100 letters, digits, spaces, - _ .); "
                       "dropped" for word in dropped]


def keywords(graph: rdflib.Graph, ref, languages: list[str]) -> tuple[list[str], list[str]]:
    """The dataset's dcat:keyword values in the preferred languages or untagged (comma-separated ones split, as
    ckanext-dcat does), and those CKAN would refuse as tags."""
    kept, dropped = set(), set()
    for literal in graph.objects(ref, DCAT.keyword):
        if not isinstance(literal, Literal) or _rank(literal, languages) > len(languages):
            continue
        for word in filter(None, (w.strip() for w in str(literal).split(","))):
            (kept if TAG.fullmatch(word) else dropped).add(word)
    return sorted(kept), sorted(dropped)


def _licence(record: dict[str, Any], parsed: dict[str, Any], graph: rdflib.Graph, ref) -> list[str]:
    """ckanext-dcat's license_id (a distribution's licence found in CKAN's licence register); the licences it
    could not place are named."""
    if parsed.get("license_id"):
        record["license_id"] = parsed["license_id"]
        return []
    record.pop("license_id", None)
    nodes = [ref, *graph.objects(ref, DCAT.distribution)]
    stated = sorted({_describe(graph, o) for node in nodes for o in graph.objects(node, DCTERMS.license)})
    return [f"license_id: {licence} is not a licence of this catalog's licence register; dropped"
            for licence in stated]


def _describe(graph: rdflib.Graph, node) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return repr(str(node))
    label, _ = choose_text([*graph.objects(node, DCTERMS.title), *graph.objects(node, RDFS.label),
                            *graph.objects(node, FOAF.name)], [])
    return repr(label) if label else "a licence without IRI or title"


def is_date(value: Any) -> bool:
    """An ISO 8601 / XSD date: year, year-month, date or date-time (``2020-02-30`` is none).

    >>> [is_date(v) for v in ("2021", "2021-04", "2021-04-30T10:00:00Z", "2021-04-31", "unknown")]
    [True, True, True, False, False]
    """
    text = str(value).strip()
    if YEAR_OR_MONTH.fullmatch(text):
        return True
    try:
        datetime.datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _dates(record: dict[str, Any]) -> list[str]:
    warnings = []
    for key in ("issued", "modified"):
        if key in record and not is_date(record[key]):
            warnings.append(f"{key}: {record.pop(key)!r} is not an ISO 8601 date; dropped")
    periods = []
    for period in record.get("temporal_coverage") or []:
        for end in ("start", "end"):
            if end in period and not is_date(period[end]):
                warnings.append(f"temporal_coverage: {end} {period.pop(end)!r} is not an ISO 8601 date; dropped")
        periods.append(period)
    if "temporal_coverage" in record:
        record["temporal_coverage"] = periods
    return warnings


def _agents(record: dict[str, Any], graph: rdflib.Graph, ref, languages: list[str], form: Shape) -> list[str]:
    """Publisher names in the preferred language (ckanext-dcat takes the site's default one, or any), an agent
    named in plain text kept by that name; every repeating field reduced to its schema's subfields."""
    warnings = []
    publishers = record.get("publisher") or []
    for agent, node in zip(publishers, graph.objects(ref, DCTERMS.publisher)):
        if isinstance(node, Literal):
            agent["name"] = str(node).strip()
            continue
        name, rivals = choose_text(graph.objects(node, FOAF.name), languages)
        if name:
            agent["name"] = name
        warnings += [f"publisher: {_describe(graph, node)} has a second name {rival!r} in the same language; "
                     "dropped" for rival in rivals]
    for key, subfields in form.fields.items():
        if subfields and isinstance(record.get(key), list):
            record[key] = _entries(record[key], subfields, ordered=key not in CITIZEN_FIELDS)
    return warnings


def _entries(items: list[Any], subfields: tuple[str, ...], ordered: bool) -> list[dict[str, Any]]:
    """The items reduced to ``subfields``, empty ones gone; in one order unless their order is the profile's
    (engagement by stage)."""
    entries = [{k: v for k, v in item.items() if k in subfields and not _empty(v)}
               for item in items if isinstance(item, dict)]
    entries = [e for e in entries if e]
    return sorted(entries, key=_canonical) if ordered else entries


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


@lru_cache(maxsize=None)
def _field_validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(property_schema(name))


def _citizen_values(record: dict[str, Any]) -> list[str]:
    """An optional citizen-data field whose value does not have the record schema's form is left out (a value in
    RDF can be of any datatype); vocabulary membership is the record validation's."""
    warnings = []
    required = set(RECORD_SCHEMA.get("required", []))
    for name in [n for n in CITIZEN_FIELDS if n in record and n not in required]:
        error = next(iter(_field_validator(name).iter_errors(record[name])), None)
        if error is not None:
            del record[name]
            warnings.append(f"{name}: {error.message}; dropped")
    return warnings


def _resources(items: list[Any], graph: rdflib.Graph, ref, languages: list[str], form: Shape) -> list[dict]:
    """Resources with the scheming resource fields (and the media type), names in the preferred language, EU
    file-type IRIs as their codes (``CSV``), IANA media type IRIs as the media type (``text/csv``), in one order."""
    nodes = {str(node): node for node in graph.objects(ref, DCAT.distribution)}
    resources = [_resource(item, nodes.get(str(item.get("distribution_ref"))), graph, languages, form)
                 for item in items if isinstance(item, dict)]
    return sorted((r for r in resources if r), key=_canonical)


def _resource(item: dict[str, Any], node, graph: rdflib.Graph, languages: list[str], form: Shape) -> dict:
    resource = {k: v for k, v in item.items() if k in form.resource_keys and not _empty(v)}
    if node is not None:
        for key, predicate in (("name", DCTERMS.title), ("description", DCTERMS.description)):
            text = choose_text(graph.objects(node, predicate), languages)[0]
            if text:
                resource[key] = text
    if str(resource.get("format", "")).startswith(str(EU_FILE_TYPE)):
        resource["format"] = str(resource["format"])[len(EU_FILE_TYPE):]
    for base in MEDIA_TYPE_BASES:
        if str(resource.get("mimetype", "")).startswith(base):
            resource["mimetype"] = str(resource["mimetype"])[len(base):]
    return resource
