"""Integrity rules for one SKOS concept scheme file (the conventions of vocabularies/README.md).

``check_scheme_graph`` is pure: it reads a parsed graph and returns human-readable problems, each of the form
``<IRI>: [<rule>] <what is wrong>``; an empty list means the scheme is fine. ``load_scheme_files`` parses a
folder of ``*.ttl`` files, keyed by scheme id.

Example::

    >>> import rdflib
    >>> from ckanext.citizendata.vocab.integrity import check_scheme_graph
    >>> graph = rdflib.Graph().parse(data='''
    ... @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
    ... <https://w3id.org/citizendata/vocab/x> a skos:ConceptScheme .
    ... ''', format="turtle")
    >>> check_scheme_graph(graph)[0]
    'https://w3id.org/citizendata/vocab/x: [scheme-metadata] missing dct:identifier'
"""
from __future__ import annotations

import os
import re
from collections import Counter
from typing import Callable, Iterable, Optional
from urllib.parse import quote

import rdflib
from rdflib.namespace import DCTERMS, OWL, RDF, SKOS, XSD

from ckanext.citizendata.namespaces import CDT, QB

OWN_AGENCY = "CITIZENDATA"
OWN_LANGUAGES = ("en", "es", "fr", "ar")
SCHEME_ID_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*\Z")
# the scheme's one-valued metadata, by the name the messages use
SCHEME_PROPERTIES = (
    ("dct:identifier", DCTERMS.identifier),
    ("owl:versionInfo", OWL.versionInfo),
    ("cdt:sdmxAgency", CDT.sdmxAgency),
    ("cdt:sdmxId", CDT.sdmxId),
)
INTEGER_TYPES = {XSD.integer, XSD.int, XSD.long, XSD.short, XSD.nonNegativeInteger, XSD.positiveInteger}


def notation_segment(notation: str) -> str:
    """The URL path segment of a concept IRI for ``notation``: every character outside the RFC 3986 unreserved
    set (``A-Z a-z 0-9 - . _ ~``) is percent-encoded as UTF-8.

    >>> notation_segment("_T"), notation_segment("1.a"), notation_segment("a b/c")
    ('_T', '1.a', 'a%20b%2Fc')
    """
    return quote(notation, safe="")


class SchemeView:
    """The facts of one graph the rules read: its scheme, concepts, and whether it is one of our own schemes."""

    def __init__(self, graph: rdflib.Graph, scheme: rdflib.term.Node):
        self.graph = graph
        self.scheme = scheme
        self.concepts = sorted(set(graph.subjects(RDF.type, SKOS.Concept)), key=str)
        self.concept_set = set(self.concepts)
        agency = graph.value(scheme, CDT.sdmxAgency)
        self.own = agency is not None and str(agency) == OWN_AGENCY

    def values(self, subject, predicate) -> list:
        return sorted(self.graph.objects(subject, predicate), key=str)

    def languages(self, subject, predicate) -> Counter:
        return Counter(getattr(o, "language", None) for o in self.graph.objects(subject, predicate))


def problem(subject, rule: str, message: str) -> str:
    """One problem line: ``<IRI>: [<rule>] <message>``."""
    return f"{subject}: [{rule}] {message}"


# ---------------------------------------------------------------- the scheme
def check_scheme_metadata(view: SchemeView) -> list[str]:
    """dct:identifier, owl:versionInfo, cdt:sdmxAgency and cdt:sdmxId: exactly one each."""
    out = []
    for name, predicate in SCHEME_PROPERTIES:
        count = len(view.values(view.scheme, predicate))
        if count == 0:
            out.append(problem(view.scheme, "scheme-metadata", f"missing {name}"))
        elif count > 1:
            out.append(problem(view.scheme, "scheme-metadata", f"{count} values of {name}, expected one"))
    return out


def check_scheme_iri(view: SchemeView) -> list[str]:
    """The scheme IRI ends with ``/<dct:identifier>`` and the identifier is lower-case words joined by '-'."""
    identifier = view.graph.value(view.scheme, DCTERMS.identifier)
    if identifier is None:
        return []
    if not SCHEME_ID_PATTERN.match(str(identifier)):
        return [problem(view.scheme, "scheme-iri", f"dct:identifier {str(identifier)!r} is not lower-case-words")]
    if not str(view.scheme).endswith("/" + str(identifier)):
        return [problem(view.scheme, "scheme-iri", f"IRI does not end with /{identifier}")]
    return []


def check_scheme_labels(view: SchemeView) -> list[str]:
    """dct:title and dct:description in English (our own schemes: a title in en, es, fr and ar)."""
    out = []
    title_languages = OWN_LANGUAGES if view.own else ("en",)
    titles = view.languages(view.scheme, DCTERMS.title)
    out += [problem(view.scheme, "scheme-labels", f"no dct:title in {lang!r}")
            for lang in title_languages if not titles[lang]]
    if not view.languages(view.scheme, DCTERMS.description)["en"]:
        out.append(problem(view.scheme, "scheme-labels", "no dct:description in 'en'"))
    return out


# ---------------------------------------------------------------- one concept
def check_concept_typed(view: SchemeView) -> list[str]:
    """Whatever claims membership of a scheme (skos:inScheme, skos:topConceptOf) is a skos:Concept."""
    members = set(view.graph.subjects(SKOS.inScheme, None)) | set(view.graph.subjects(SKOS.topConceptOf, None))
    return [problem(s, "concept-type", "has skos:inScheme or skos:topConceptOf but is not a skos:Concept")
            for s in sorted(members - view.concept_set, key=str)]


def check_in_scheme(view: SchemeView, concept) -> list[str]:
    """Exactly one skos:inScheme, and that is the file's scheme."""
    schemes = view.values(concept, SKOS.inScheme)
    if len(schemes) != 1:
        return [problem(concept, "in-scheme", f"{len(schemes)} skos:inScheme values, expected exactly one")]
    if schemes[0] != view.scheme:
        return [problem(concept, "in-scheme", f"skos:inScheme is {schemes[0]}, not the scheme {view.scheme}")]
    return []


def check_pref_labels(view: SchemeView, concept) -> list[str]:
    """At most one skos:prefLabel per language; one in English (our schemes: in en, es, fr and ar)."""
    counts = view.languages(concept, SKOS.prefLabel)
    out = [problem(concept, "pref-label-unique", f"{n} skos:prefLabel values in {lang!r}")
           for lang, n in sorted(counts.items(), key=lambda item: str(item[0])) if n > 1]
    if not counts["en"]:
        out.append(problem(concept, "pref-label-en", "no skos:prefLabel in 'en'"))
    if view.own:
        out += [problem(concept, "own-languages", f"no skos:prefLabel in {lang!r} (required in our schemes)")
                for lang in OWN_LANGUAGES[1:] if not counts[lang]]
    return out


def check_definition(view: SchemeView, concept) -> list[str]:
    """Our own schemes define every concept in English."""
    if view.own and not view.languages(concept, SKOS.definition)["en"]:
        return [problem(concept, "definition-en", "no skos:definition in 'en' (required in our schemes)")]
    return []


def check_notation(view: SchemeView, concept) -> list[str]:
    """Exactly one skos:notation, and the concept IRI is ``<scheme IRI>/<notation_segment(notation)>``."""
    notations = view.values(concept, SKOS.notation)
    if len(notations) != 1:
        return [problem(concept, "notation", f"{len(notations)} skos:notation values, expected exactly one")]
    expected = f"{view.scheme}/{notation_segment(str(notations[0]))}"
    if str(concept) != expected:
        return [problem(concept, "concept-iri", f"IRI should be {expected} (scheme IRI / encoded notation)")]
    return []


def check_broader_targets(view: SchemeView, concept) -> list[str]:
    """skos:broader names concepts of the same scheme."""
    return [problem(concept, "broader-target", f"skos:broader {target} is not a concept of this scheme")
            for target in view.values(concept, SKOS.broader)
            if target not in view.concept_set or (target, SKOS.inScheme, view.scheme) not in view.graph]


def check_top_concept(view: SchemeView, concept) -> list[str]:
    """skos:hasTopConcept and skos:topConceptOf agree, and name this scheme."""
    has_top = (view.scheme, SKOS.hasTopConcept, concept) in view.graph
    top_of = view.values(concept, SKOS.topConceptOf)
    out = [problem(concept, "top-concept", f"skos:topConceptOf {other} is not the scheme")
           for other in top_of if other != view.scheme]
    if has_top and view.scheme not in top_of:
        out.append(problem(concept, "top-concept", "skos:hasTopConcept without skos:topConceptOf"))
    if view.scheme in top_of and not has_top:
        out.append(problem(concept, "top-concept", "skos:topConceptOf without skos:hasTopConcept"))
    return out


def check_top_position(view: SchemeView, concept) -> list[str]:
    """Top concepts have no skos:broader; a concept without skos:broader is a top concept."""
    is_top = ((view.scheme, SKOS.hasTopConcept, concept) in view.graph
              or (concept, SKOS.topConceptOf, None) in view.graph)
    has_broader = (concept, SKOS.broader, None) in view.graph
    if is_top and has_broader:
        return [problem(concept, "top-concept", "a top concept has skos:broader")]
    if not is_top and not has_broader:
        return [problem(concept, "top-concept", "no skos:broader and not a top concept")]
    return []


def check_code_list(view: SchemeView, concept) -> list[str]:
    """qb:codeList names a scheme IRI of ours: ``<our base><scheme-id>`` (same base as this scheme)."""
    base = scheme_base(view)
    out = []
    for target in view.values(concept, QB.codeList):
        text = str(target)
        ours = isinstance(target, rdflib.URIRef) and base is not None and text.startswith(base)
        if not ours or not SCHEME_ID_PATTERN.match(text[len(base):]):
            out.append(problem(concept, "code-list", f"qb:codeList {text} is not a scheme IRI under {base}"))
    return out


def check_order_value(view: SchemeView, concept) -> list[str]:
    """cdt:order, where present, is one integer."""
    orders = view.values(concept, CDT.order)
    if len(orders) > 1:
        return [problem(concept, "order", f"{len(orders)} cdt:order values, expected at most one")]
    if orders and getattr(orders[0], "datatype", None) not in INTEGER_TYPES:
        return [problem(concept, "order", f"cdt:order {orders[0]!r} is not an xsd:integer")]
    return []


def scheme_base(view: SchemeView) -> Optional[str]:
    """The base the scheme IRI was minted under (the IRI without its identifier), if it follows the rule."""
    identifier = view.graph.value(view.scheme, DCTERMS.identifier)
    text = str(view.scheme)
    if identifier is None or not text.endswith("/" + str(identifier)):
        return None
    return text[: -len(str(identifier))]


# ---------------------------------------------------------------- across concepts
def check_unique_values(view: SchemeView, predicate, rule: str, name: str) -> list[str]:
    """No two concepts share a value of ``predicate`` (notations, orders)."""
    holders: dict[str, list] = {}
    for concept in view.concepts:
        for value in set(view.graph.objects(concept, predicate)):
            holders.setdefault(str(value), []).append(concept)
    return [problem(concepts[0], rule, f"{name} {value!r} also used by " + ", ".join(map(str, concepts[1:])))
            for value, concepts in sorted(holders.items()) if len(concepts) > 1]


def check_broader_cycles(view: SchemeView) -> list[str]:
    """skos:broader never leads back to where it started."""
    out, done = [], set()
    for concept in view.concepts:
        cycle = None if concept in done else find_cycle(view.graph, concept, done)
        if cycle:
            done.update(cycle)  # report each cycle once
            out.append(problem(cycle[0], "broader-cycle", "skos:broader cycle: " + " -> ".join(map(str, cycle))))
    return out


def find_cycle(graph: rdflib.Graph, start, done: set) -> Optional[list]:
    """The first cycle reachable from ``start`` along skos:broader (depth first), or None. ``done`` collects the
    concepts already explored so that every node is walked once."""
    path, on_path = [start], {start}
    stack = [(start, iter(sorted(graph.objects(start, SKOS.broader), key=str)))]
    while stack:
        node, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            on_path.discard(path.pop())
            done.add(node)
        elif child in on_path:
            return path[path.index(child):] + [child]
        elif child not in done:
            stack.append((child, iter(sorted(graph.objects(child, SKOS.broader), key=str))))
            path.append(child)
            on_path.add(child)
    return None


def check_declared_top_concepts(view: SchemeView) -> list[str]:
    """Every skos:hasTopConcept value is a concept of the graph."""
    return [problem(top, "top-concept", "named by skos:hasTopConcept but is not a skos:Concept of this scheme")
            for top in view.values(view.scheme, SKOS.hasTopConcept) if top not in view.concept_set]


SCHEME_RULES: tuple[Callable[[SchemeView], list[str]], ...] = (
    check_scheme_metadata, check_scheme_iri, check_scheme_labels, check_concept_typed,
    check_declared_top_concepts, check_broader_cycles,
    lambda view: check_unique_values(view, SKOS.notation, "notation-unique", "skos:notation"),
    lambda view: check_unique_values(view, CDT.order, "order", "cdt:order"),
)
CONCEPT_RULES: tuple[Callable[[SchemeView, rdflib.term.Node], list[str]], ...] = (
    check_in_scheme, check_pref_labels, check_definition, check_notation, check_broader_targets,
    check_top_concept, check_top_position, check_code_list, check_order_value,
)


def check_scheme_graph(graph: rdflib.Graph) -> list[str]:
    """Problems of one scheme file's graph, each naming the IRI and the rule; ``[]`` when it is fine.

    Rules: scheme-count, scheme-metadata, scheme-iri, scheme-labels, concept-type, in-scheme, pref-label-unique,
    pref-label-en, own-languages, definition-en, notation, concept-iri, notation-unique, broader-target,
    broader-cycle, top-concept, code-list, order.

    Example::

        >>> import rdflib
        >>> check_scheme_graph(rdflib.Graph())
        ['(graph): [scheme-count] expected exactly one skos:ConceptScheme, found 0']
    """
    schemes = sorted(set(graph.subjects(RDF.type, SKOS.ConceptScheme)), key=str)
    if len(schemes) != 1:
        found = ", ".join(map(str, schemes)) or "0"
        return [problem("(graph)", "scheme-count", f"expected exactly one skos:ConceptScheme, found {found}")]
    view = SchemeView(graph, schemes[0])
    problems: list[str] = []
    for scheme_rule in SCHEME_RULES:
        problems += scheme_rule(view)
    for concept in view.concepts:
        for concept_rule in CONCEPT_RULES:
            problems += concept_rule(view, concept)
    return problems


# ---------------------------------------------------------------- files
def scheme_id_of(graph: rdflib.Graph) -> Optional[str]:
    """The dct:identifier of the graph's (first) concept scheme, if any."""
    for scheme in sorted(graph.subjects(RDF.type, SKOS.ConceptScheme), key=str):
        identifier = graph.value(scheme, DCTERMS.identifier)
        if identifier is not None:
            return str(identifier)
    return None


def load_scheme_files(directory: str) -> dict[str, rdflib.Graph]:
    """Parse every ``*.ttl`` of ``directory`` (sorted by name), keyed by scheme id (the scheme's dct:identifier,
    else the file name without ``.ttl``). Raises ``ValueError`` when two files claim the same id.

    Example::

        graphs = load_scheme_files("vocabularies")
        problems = {sid: check_scheme_graph(g) for sid, g in graphs.items()}
    """
    graphs: dict[str, rdflib.Graph] = {}
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".ttl"):
            continue
        graph = rdflib.Graph().parse(os.path.join(directory, name), format="turtle")
        scheme_id = scheme_id_of(graph) or name[: -len(".ttl")]
        if scheme_id in graphs:
            raise ValueError(f"{name}: scheme id {scheme_id!r} is already used by another file")
        graphs[scheme_id] = graph
    return graphs


def unresolved_code_lists(graphs: dict[str, rdflib.Graph], base: str) -> list[str]:
    """Across files: qb:codeList values that name no loaded scheme (``base`` + scheme id).

    Example::

        unresolved_code_lists(load_scheme_files("vocabularies"), VOCAB_BASE)   # [] when all resolve
    """
    known = {base + scheme_id for scheme_id in graphs}
    return [problem(s, "code-list", f"qb:codeList {o} names no scheme file")
            for graph in graphs.values() for s, o in sorted(graph.subject_objects(QB.codeList))
            if str(o) not in known]


def iter_problems(graphs: dict[str, rdflib.Graph]) -> Iterable[str]:
    """Every problem of every graph, prefixed with its scheme id."""
    for scheme_id, graph in graphs.items():
        for line in check_scheme_graph(graph):
            yield f"{scheme_id}: {line}"
