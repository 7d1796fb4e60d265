"""The vocabulary registry in the database: load SKOS files, read schemes and concepts back.

Example::

    reports = load_directory()              # vocabularies/*.ttl -> database (idempotent)
    get_concept("engagement-levels", "4")["pref_labels"]["es"]
    search("particip", schemes=["initiative-types"], lang="fr")
"""
from __future__ import annotations

import dataclasses
import datetime
import hashlib
import os
import re
import time
from functools import lru_cache
from typing import Any, Iterable, Optional

import rdflib
import sqlalchemy as sa
from ckan import model
from rdflib.namespace import DCTERMS, OWL, RDFS, SKOS

from ckanext.citizendata import config as cd_config
from ckanext.citizendata import vocabularies
from ckanext.citizendata.model import concept_table, scheme_table
from ckanext.citizendata.namespaces import CDT, QB, VOCAB_BASE, bind_prefixes
from ckanext.citizendata.text import fold as fold_marks
from ckanext.citizendata.text import natural_key

from . import integrity

MAPPING_PROPERTIES = {"exactMatch": SKOS.exactMatch, "closeMatch": SKOS.closeMatch, "seeAlso": RDFS.seeAlso,
                      "broadMatch": SKOS.broadMatch, "narrowMatch": SKOS.narrowMatch,
                      "relatedMatch": SKOS.relatedMatch}


class VocabularyError(ValueError):
    """A scheme file that fails validation; ``problems`` lists what is wrong, each naming concept and rule."""

    def __init__(self, scheme: str, problems: list[str]):
        self.scheme = scheme
        self.problems = problems
        super().__init__(f"{scheme}: " + "; ".join(problems[:20]) + (" ..." if len(problems) > 20 else ""))


@dataclasses.dataclass
class LoadReport:
    scheme: str
    concepts: int
    status: str        # "loaded", "unchanged"


def default_directory() -> str:
    return os.path.dirname(vocabularies.__file__)


# ---------------------------------------------------------------- loading
def load_directory(directory: Optional[str] = None, force: bool = False) -> list[LoadReport]:
    """Validate every ``*.ttl`` of ``directory`` and load it; all or nothing (one transaction).
    Unchanged files (same content and base IRI) are skipped unless ``force``."""
    directory = directory or default_directory()
    base = cd_config.vocab_base_uri()
    files = sorted(f for f in os.listdir(directory) if f.endswith(".ttl"))
    known = dict(model.Session.execute(sa.select(scheme_table.c.content_hash, scheme_table.c.id)).all())
    parsed, reports = [], []
    for name in files:
        with open(os.path.join(directory, name), "rb") as handle:
            data = handle.read()
        digest = hashlib.sha256(data + base.encode()).hexdigest()
        if digest in known and not force:  # this exact file was validated and loaded before
            reports.append(LoadReport(known[digest], -1, "unchanged"))
            continue
        graph = rdflib.Graph().parse(data=data, format="turtle")
        problems = integrity.check_scheme_graph(graph)
        if problems:
            raise VocabularyError(name, problems)
        parsed.append((graph, digest))
    reports += [_load_graph(graph, digest, base) for graph, digest in parsed]
    counts = dict(model.Session.execute(sa.select(scheme_table.c.id, scheme_table.c.concept_count)).all())
    reports = sorted((dataclasses.replace(r, concepts=counts.get(r.scheme, r.concepts)) for r in reports),
                     key=lambda r: r.scheme)
    model.Session.commit()
    clear_caches()
    return reports


def clear_caches() -> None:
    """Forget what this process keeps of the registry (after a load, or a change made behind its back)."""
    for cached in (_notations, _labels, _display_labels, _labels_all):
        cached.cache_clear()
    _revision_seen[0] = 0.0


def _load_graph(graph: rdflib.Graph, digest: str, base: str) -> LoadReport:
    scheme_iri = next(graph.subjects(rdflib.RDF.type, SKOS.ConceptScheme))
    scheme_id = str(graph.value(scheme_iri, DCTERMS.identifier))
    session = model.Session
    if base != VOCAB_BASE:
        graph = rebase(graph, VOCAB_BASE, base)
        scheme_iri = rdflib.URIRef(str(scheme_iri).replace(VOCAB_BASE, base, 1))
    concepts = concept_rows(graph, scheme_iri, scheme_id, base)
    row = scheme_row(graph, scheme_iri, scheme_id, digest, len(concepts))
    session.execute(sa.delete(scheme_table).where(scheme_table.c.id == scheme_id))
    session.execute(sa.insert(scheme_table).values(row))
    if concepts:
        session.execute(sa.insert(concept_table), concepts)
    return LoadReport(scheme_id, len(concepts), "loaded")


def rebase(graph: rdflib.Graph, old: str, new: str) -> rdflib.Graph:
    """A copy of ``graph`` with every IRI under ``old`` moved under ``new``."""
    def move(term):
        if isinstance(term, rdflib.URIRef) and str(term).startswith(old):
            return rdflib.URIRef(new + str(term)[len(old):])
        return term

    out = bind_prefixes(rdflib.Graph())
    for s, p, o in graph:
        out.add((move(s), p, move(o)))
    return out


def _langs(graph: rdflib.Graph, subject, predicate) -> dict[str, str]:
    return {(o.language or "und"): str(o) for o in graph.objects(subject, predicate)}


def scheme_row(graph, scheme_iri, scheme_id: str, digest: str, count: int) -> dict[str, Any]:
    text = bind_prefixes(graph).serialize(format="turtle")
    return {
        "id": scheme_id, "iri": str(scheme_iri),
        "version": str(graph.value(scheme_iri, OWL.versionInfo)),
        "sdmx_agency": str(graph.value(scheme_iri, CDT.sdmxAgency)),
        "sdmx_id": str(graph.value(scheme_iri, CDT.sdmxId)),
        "title": _langs(graph, scheme_iri, DCTERMS.title),
        "description": _langs(graph, scheme_iri, DCTERMS.description),
        "source": _optional(graph.value(scheme_iri, DCTERMS.source)),
        "license": _optional(graph.value(scheme_iri, DCTERMS.license)),
        "turtle": text, "content_hash": digest, "concept_count": count,
        "loaded_at": datetime.datetime.now(datetime.timezone.utc),
    }


def _optional(value) -> Optional[str]:
    return None if value is None else str(value)


def concept_rows(graph, scheme_iri, scheme_id: str, base: str) -> list[dict[str, Any]]:
    concepts = list(graph.subjects(SKOS.inScheme, scheme_iri))
    notation_of = {c: str(graph.value(c, SKOS.notation)) for c in concepts}
    rows = []
    for concept in concepts:
        labels = _langs(graph, concept, SKOS.prefLabel)
        code_list = graph.value(concept, QB.codeList)
        rows.append({
            "scheme_id": scheme_id, "notation": notation_of[concept], "iri": str(concept),
            "position": _order(graph, concept),
            "pref_labels": labels,
            "definitions": _langs(graph, concept, SKOS.definition),
            "broader": sorted(notation_of[b] for b in graph.objects(concept, SKOS.broader) if b in notation_of),
            "mappings": {name: sorted(str(o) for o in graph.objects(concept, prop))
                         for name, prop in MAPPING_PROPERTIES.items() if (concept, prop, None) in graph},
            "code_list": str(code_list)[len(base):] if code_list is not None else None,
            "search_terms": search_terms(notation_of[concept], labels.values()),
        })
    rows.sort(key=lambda r: (r["position"], natural_key(r["notation"])))
    for position, row in enumerate(rows):
        row["position"] = position
    return rows


def _order(graph, concept) -> int:
    value = graph.value(concept, CDT.order)
    return int(value) if value is not None else 1_000_000


def fold(text: str) -> str:
    """Lower-case, accents removed: ``fold("Discriminación") == "discriminacion"``."""
    return fold_marks(text.lower())


def search_terms(notation: str, labels: Iterable[str]) -> list[str]:
    terms = {fold(notation)}
    for label in labels:
        folded = fold(label)
        terms.add(folded)
        terms.update(w for w in re.split(r"[\s/,;:()\-]+", folded) if w)
    return sorted(terms)


# ---------------------------------------------------------------- reading
def _scheme_dict(row) -> dict[str, Any]:
    data = dict(row._mapping)
    data.pop("turtle", None)
    data.pop("content_hash", None)
    data["loaded_at"] = data["loaded_at"].isoformat()
    return data


def list_schemes() -> list[dict[str, Any]]:
    rows = model.Session.execute(sa.select(scheme_table).order_by(scheme_table.c.id))
    return [_scheme_dict(r) for r in rows]


def get_scheme(scheme_id: str) -> Optional[dict[str, Any]]:
    row = model.Session.execute(sa.select(scheme_table).where(scheme_table.c.id == scheme_id)).first()
    return _scheme_dict(row) if row else None


def scheme_turtle(scheme_id: str) -> Optional[str]:
    return model.Session.execute(sa.select(scheme_table.c.turtle).where(scheme_table.c.id == scheme_id)).scalar()


def _concept_dict(row) -> dict[str, Any]:
    data = dict(row._mapping)
    data.pop("search_terms", None)
    return data


def concepts(scheme_id: str) -> list[dict[str, Any]]:
    stmt = sa.select(concept_table).where(concept_table.c.scheme_id == scheme_id).order_by(concept_table.c.position)
    return [_concept_dict(r) for r in model.Session.execute(stmt)]


def get_concept(scheme_id: Optional[str] = None, notation: Optional[str] = None,
                iri: Optional[str] = None) -> Optional[dict[str, Any]]:
    stmt = sa.select(concept_table)
    if iri:
        stmt = stmt.where(concept_table.c.iri == iri)
    else:
        stmt = stmt.where(concept_table.c.scheme_id == scheme_id, concept_table.c.notation == notation)
    row = model.Session.execute(stmt).first()
    if not row:
        return None
    concept = _concept_dict(row)
    narrower = sa.select(concept_table.c.notation).where(
        concept_table.c.scheme_id == concept["scheme_id"], concept_table.c.broader.any(concept["notation"]))
    concept["narrower"] = sorted((r[0] for r in model.Session.execute(narrower)), key=natural_key)
    return concept


def search(q: str, schemes: Optional[list[str]] = None, lang: Optional[str] = None,
           limit: int = 10) -> list[dict[str, Any]]:
    """Concepts whose notation or a label (any language, or a word of it) starts with ``q``."""
    prefix = fold(q.strip())
    if not prefix:
        return []
    term = sa.func.unnest(concept_table.c.search_terms).table_valued("term").render_derived(name="t")
    matches = sa.select(1).select_from(term).where(term.c.term.startswith(prefix, autoescape=True)).exists()
    exact = sa.func.lower(concept_table.c.notation) == prefix
    stmt = sa.select(concept_table).where(matches)
    if schemes:
        stmt = stmt.where(concept_table.c.scheme_id.in_(schemes))
    stmt = stmt.order_by(exact.desc(), concept_table.c.scheme_id, concept_table.c.position).limit(limit)
    results = []
    for row in model.Session.execute(stmt):
        concept = _concept_dict(row)
        concept["label"] = label(concept, lang)
        results.append(concept)
    return results


def label(concept: dict[str, Any], lang: Optional[str] = None) -> str:
    """The concept's label in ``lang``, else English, else its notation."""
    labels = concept.get("pref_labels") or {}
    return labels.get(lang or "en") or labels.get("en") or concept["notation"]


def display(notation: str, text: str) -> str:
    """How a concept is named to people, everywhere (forms, facets, pages): a concept whose notation is a number
    (SDG goals, targets and indicators, engagement levels) leads with it.

    >>> display("16.6.2", "Proportion of population satisfied ..."), display("social-audit", "Social audit")
    ('16.6.2 Proportion of population satisfied ...', 'Social audit')
    """
    return f"{notation} {text}" if notation[:1].isdigit() and text != notation else text


def display_labels(scheme_id: str, lang: Optional[str] = None) -> dict[str, str]:
    """notation -> :func:`display` name in ``lang`` (else English), cached per registry revision (pages ask it
    once per value shown)."""
    return _display_labels(scheme_id, lang or "en", revision())


@lru_cache(maxsize=256)
def _display_labels(scheme_id: str, lang: str, _revision: str) -> dict[str, str]:
    return {notation: display(notation, text) for notation, text in _labels(scheme_id, lang, _revision).items()}


def labels(scheme_id: str, lang: Optional[str] = None) -> dict[str, str]:
    """notation -> label in ``lang`` (else English), cached per registry revision."""
    return _labels(scheme_id, lang or "en", revision())


@lru_cache(maxsize=256)
def _labels(scheme_id: str, lang: str, _revision: str) -> dict[str, str]:
    stmt = sa.select(concept_table.c.notation, concept_table.c.pref_labels).where(
        concept_table.c.scheme_id == scheme_id).order_by(concept_table.c.position)
    return {n: labels.get(lang) or labels.get("en") or n for n, labels in model.Session.execute(stmt)}


REVISION_TTL = 5.0  # seconds a process trusts its last look at the registry revision
_revision_seen: list = [0.0, ""]


def revision() -> str:
    """Changes whenever the registry is reloaded (for caches); looked up at most every REVISION_TTL seconds
    (a reload in this process is seen at once)."""
    now = time.monotonic()
    if now - _revision_seen[0] > REVISION_TTL:
        row = model.Session.execute(sa.select(sa.func.max(scheme_table.c.loaded_at), sa.func.count())).one()
        _revision_seen[:] = [now, f"{row[0]}/{row[1]}"]
    return _revision_seen[1]


def labels_all(scheme_id: str) -> dict[str, list[str]]:
    """notation -> its labels in every language (for search: a label in any language finds the concept)."""
    return _labels_all(scheme_id, revision())


@lru_cache(maxsize=256)
def _labels_all(scheme_id: str, _revision: str) -> dict[str, list[str]]:
    stmt = sa.select(concept_table.c.notation, concept_table.c.pref_labels).where(
        concept_table.c.scheme_id == scheme_id)
    return {n: sorted(set(labels.values())) for n, labels in model.Session.execute(stmt)}


def notations(scheme_id: str) -> frozenset:
    """All notations of a scheme, cached per registry revision."""
    return _notations(scheme_id, revision())


@lru_cache(maxsize=256)
def _notations(scheme_id: str, _revision: str) -> frozenset:
    stmt = sa.select(concept_table.c.notation).where(concept_table.c.scheme_id == scheme_id)
    return frozenset(r[0] for r in model.Session.execute(stmt))
