"""Where a harvested record comes from, in DCAT: one ``dcat:CatalogRecord`` per source that lists it (the source
that owns its content first), and the source's identifier as ``adms:identifier``.

Each catalog record has the dataset as ``foaf:primaryTopic``, ``dct:issued`` / ``dct:modified`` (when our
catalog read it), the record at the source as ``dct:source`` (itself a ``dcat:CatalogRecord``, with the modified
date the source states and the original IRI as ``rdfs:seeAlso``), the content hash as an ``spdx:checksum``, and a
title naming the source. Read from ``dataset_dict["harvest_provenance"]`` (what ``after_dataset_show`` adds for
harvested records).

The record at the source has our dataset as ``foaf:primaryTopic`` (the one dataset both catalogs list): DCAT-AP 3
requires the topic of every catalog record to be a typed ``dcat:Dataset`` (or catalog, service, series), and typing
the original IRI ``dcat:Dataset`` would make a second dataset of it for every DCAT reader.

Example::

    add(graph, URIRef("https://catalog.example/dataset/x"), dataset_dict["harvest_provenance"])
"""
from __future__ import annotations

import datetime
import json
from typing import Any, Optional

import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from ckanext.citizendata.namespaces import ADMS, SPDX

KEY = "harvest_provenance"
SHA256 = SPDX["checksumAlgorithm_sha256"]


def _when(text: Optional[str]) -> Optional[Literal]:
    """An xsd:dateTime (or xsd:date) of an ISO 8601 text; None for anything else (a source's odd date)."""
    try:
        moment = datetime.datetime.fromisoformat(str(text or "").replace("Z", "+00:00"))
    except ValueError:
        return None
    if len(str(text)) <= 10:
        return Literal(moment.date().isoformat(), datatype=XSD.date)
    return Literal(moment.isoformat(), datatype=XSD.dateTime)


def _iri(text: Optional[str]) -> Optional[URIRef]:
    return URIRef(text) if text and text.startswith(("http://", "https://")) else None


def add(graph: rdflib.Graph, dataset_ref, listed: Any) -> None:
    """The catalog records of ``listed`` (a list of provenance dicts; anything else adds nothing)."""
    if not isinstance(listed, list):
        return
    for index, entry in enumerate(e for e in listed if isinstance(e, dict)):
        _record(graph, dataset_ref, entry, index)
        if index == 0 and entry.get("identifier"):
            _identifier(graph, dataset_ref, str(entry["identifier"]))


def _record(graph: rdflib.Graph, dataset_ref, entry: dict[str, Any], index: int) -> None:
    record = URIRef(f"{dataset_ref}#record-{index + 1}") if isinstance(dataset_ref, URIRef) else BNode()
    retrieved = _when(entry.get("retrieved_at"))
    graph.add((record, RDF.type, DCAT.CatalogRecord))
    graph.add((record, FOAF.primaryTopic, dataset_ref))
    graph.add((record, DCTERMS.title, Literal(f"Harvested from {entry.get('source_title') or 'a partner source'}")))
    if retrieved is not None:
        graph.add((record, DCTERMS.issued, retrieved))
        graph.add((record, DCTERMS.modified, retrieved))
    original = _iri(entry.get("original_uri"))
    if original is not None:
        graph.add((record, DCTERMS.source, _source_record(graph, dataset_ref, original, entry, retrieved)))
    if (entry.get("content_hash") or "").startswith("sha256:"):   # None once an heir took the record over
        checksum = BNode()
        graph.add((record, SPDX.checksum, checksum))
        graph.add((checksum, RDF.type, SPDX.Checksum))
        graph.add((checksum, SPDX.algorithm, SHA256))
        graph.add((checksum, SPDX.checksumValue, Literal(entry["content_hash"][7:], datatype=XSD.hexBinary)))


def _source_record(graph: rdflib.Graph, dataset_ref, original: URIRef, entry: dict[str, Any], retrieved) -> BNode:
    """The record at the source: a catalog record of the same dataset, found at the original IRI."""
    node = BNode()
    graph.add((node, RDF.type, DCAT.CatalogRecord))
    graph.add((node, FOAF.primaryTopic, dataset_ref))
    graph.add((node, RDFS.seeAlso, original))
    modified = _when(entry.get("upstream_modified")) or retrieved
    if modified is not None:
        graph.add((node, DCTERMS.modified, modified))
    return node


def _identifier(graph: rdflib.Graph, dataset_ref, identifier: str) -> None:
    node = BNode()
    graph.add((dataset_ref, ADMS.identifier, node))
    graph.add((node, RDF.type, ADMS.Identifier))
    graph.add((node, SKOS.notation, Literal(identifier)))


def tidy(graph: rdflib.Graph, dataset_ref, dataset_dict: dict[str, Any]) -> None:
    """Parsing: take the identifiers :func:`add` writes out of euro_dcat_ap_3's ``alternate_identifier`` (it reads
    an ``adms:Identifier`` node's blank-node label, not its notation; our schema has no such field, and where a
    record comes from is the catalog's to say, not a field)."""
    ours = {str(node) for node in graph.objects(dataset_ref, ADMS.identifier) if isinstance(node, BNode)}
    if ours:
        extras = (_without(extra, ours) for extra in dataset_dict.get("extras") or [])
        dataset_dict["extras"] = [extra for extra in extras if extra is not None]


def _without(extra: dict[str, Any], labels: set[str]) -> Optional[dict[str, Any]]:
    """An extra without ``labels`` in its ``alternate_identifier`` list; None when nothing is left of it."""
    if extra.get("key") != "alternate_identifier":
        return extra
    kept = [value for value in json.loads(extra.get("value") or "[]") if value not in labels]
    return dict(extra, value=json.dumps(kept)) if kept else None
