"""RDF documents assembled from ready fragments: one serialized graph per dataset, joined under one header.

A fragment is a graph serialized on its own and split into what belongs to the document header (``head``:
Turtle prefixes, RDF/XML namespace declarations) and the rest (``body``). Joining fragments gives the same
graph as serializing their union, provided no two fragments share a blank node label (``relabel_bnodes``) and
a prefix means one namespace everywhere (``bind_stable_prefixes``; a clash raises ``AssemblyError``).

Formats (one entry per format in ``FORMATS``): ``turtle`` (also served for N3), ``xml`` (rdflib's pretty-xml),
``nt`` (N-Triples, plain concatenation) and ``jsonld`` (compacted with schemas/context.jsonld through pyld).

Example::

    >>> fragment = make_fragment(graph, "turtle", label_seed="1f0c")     # Fragment(head={...}, body="...")
    >>> page = assemble("turtle", [catalog_fragment, fragment])           # one @prefix block, both bodies
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import re
from importlib import resources
from typing import Callable, Iterable, Optional
from xml.sax.saxutils import quoteattr

import rdflib
from pyld import jsonld
from rdflib import BNode, URIRef
from rdflib.namespace import NAME_START_CATEGORIES, RDF, split_uri

from ckanext.citizendata import schemas


class AssemblyError(ValueError):
    """Fragments that cannot share one header (a prefix bound to two namespaces)."""


@dataclasses.dataclass
class Fragment:
    """``head``: prefix -> namespace; ``body``: the serialization without its header; ``subject``: the IRI
    of the dataset it describes (empty for catalog parts)."""
    head: dict[str, str]
    body: str
    subject: str = ""


# ckanext-dcat's endpoint format names (and rdflib's) -> our fragment format
FORMAT_ALIASES = {"ttl": "turtle", "turtle": "turtle", "n3": "turtle", "xml": "xml", "rdf": "xml",
                  "pretty-xml": "xml", "jsonld": "jsonld", "json-ld": "jsonld", "nt": "nt", "ntriples": "nt",
                  "nt11": "nt"}


def fragment_format(url_format: Optional[str]) -> Optional[str]:
    """Our format for an endpoint format (ckanext-dcat defaults to RDF/XML); None if we do not assemble it.

    >>> fragment_format("ttl"), fragment_format(None), fragment_format("trig")
    ('turtle', 'xml', None)
    """
    return FORMAT_ALIASES.get((url_format or "xml").lower())


# ---------------------------------------------------------------- graph preparation
def relabel_bnodes(graph: rdflib.Graph, seed: str) -> rdflib.Graph:
    """Rename the blank nodes of ``graph`` in place to ``<seed>n<i>`` (a valid Turtle, N-Triples and XML
    label); fragments relabelled with different seeds never share a label. Returns the graph.

    >>> g = rdflib.Graph(); _ = g.add((BNode(), RDF.type, URIRef("http://x/T")))
    >>> [str(s) for s in relabel_bnodes(g, "b1")]
    ... # doctest: +SKIP
    """
    mapping: dict[BNode, BNode] = {}

    def rename(node):
        if isinstance(node, BNode):
            if node not in mapping:
                mapping[node] = BNode(f"{seed}n{len(mapping)}")
            return mapping[node]
        return node

    touched = [t for t in graph.triples((None, None, None)) if isinstance(t[0], BNode) or isinstance(t[2], BNode)]
    for triple in touched:
        graph.remove(triple)
    for s, p, o in touched:
        graph.add((rename(s), p, rename(o)))
    return graph


def label_seed(key: str, kind: str = "b") -> str:
    """A blank node label prefix for one fragment, e.g. ``label_seed("pkg-id")`` -> ``"b3fa0c1d9e2b47a01c5"``."""
    return kind + hashlib.sha1(key.encode()).hexdigest()[:18]


def _stable_name(namespace: str) -> str:
    return "ns" + hashlib.sha1(namespace.encode()).hexdigest()[:8]


def bind_stable_prefixes(graph: rdflib.Graph) -> rdflib.Graph:
    """Bind every unbound namespace of a predicate or class to a name derived from the namespace itself,
    so that rdflib's generated ``ns1``, ``ns2`` never mean different things in different fragments."""
    manager = graph.namespace_manager
    iris = {p for p in graph.predicates()} | {o for o in graph.objects(None, RDF.type) if isinstance(o, URIRef)}
    for iri in iris:
        for compute, categories in ((manager.compute_qname, None), (manager.compute_qname_strict,
                                                                     NAME_START_CATEGORIES)):
            try:
                compute(str(iri), generate=False)
            except KeyError:
                try:
                    namespace = split_uri(iri, categories) if categories else split_uri(iri)
                except ValueError:
                    continue
                manager.bind(_stable_name(namespace[0]), namespace[0], override=False)
            except ValueError:
                continue
    return graph


# ---------------------------------------------------------------- splitting serializations
_PREFIX_LINE = re.compile(r"@prefix\s+([^:\s]*):\s*<([^>]*)>\s*\.\s*$")
_XML_ROOT = re.compile(r"<(\w[\w.-]*):RDF\b([^>]*?)(/?)>", re.S)
_XMLNS = re.compile(r'xmlns:([\w.-]+)="([^"]*)"')


def split_turtle(text: str) -> Fragment:
    """Prefix lines -> head, the rest -> body.

    >>> split_turtle("@prefix dct: <http://purl.org/dc/terms/> .\\n\\n<a> dct:title \\"x\\" .\\n")
    Fragment(head={'dct': 'http://purl.org/dc/terms/'}, body='<a> dct:title "x" .\\n')
    """
    head, lines = {}, text.splitlines(keepends=True)
    index = 0
    for index, line in enumerate(lines):
        match = _PREFIX_LINE.match(line.strip())
        if match:
            head[match.group(1)] = match.group(2)
        elif line.strip():
            break
    else:
        index = len(lines)
    return Fragment(head, "".join(lines[index:]))


def split_xml(text: str) -> Fragment:
    """Namespace declarations of the ``rdf:RDF`` root -> head, its content -> body."""
    match = _XML_ROOT.search(text)
    if match is None:
        raise AssemblyError("no rdf:RDF root in the RDF/XML fragment")
    head = dict(_XMLNS.findall(match.group(2)))
    head["\0root"] = match.group(1)
    if match.group(3):
        return Fragment(head, "")
    end = text.rindex(f"</{match.group(1)}:RDF>")
    return Fragment(head, text[match.end():end].strip("\n") + "\n")


def split_nt(text: str) -> Fragment:
    return Fragment({}, text if text.endswith("\n") or not text else text + "\n")


@functools.lru_cache(maxsize=1)
def jsonld_context() -> dict:
    """The ``@context`` of schemas/context.jsonld (readable keys for what the DCAT profiles write)."""
    text = resources.files(schemas).joinpath("context.jsonld").read_text(encoding="utf-8")
    return json.loads(text)["@context"]


def _no_remote_documents(url, options=None):
    raise AssemblyError(f"remote JSON-LD context not allowed: {url}")


def compact_nodes(graph: rdflib.Graph) -> list[dict]:
    """The graph as compacted JSON-LD node objects (shared context: ``jsonld_context()``)."""
    expanded = json.loads(graph.serialize(format="json-ld"))
    compacted = jsonld.compact(expanded, {"@context": jsonld_context()},
                               {"documentLoader": _no_remote_documents})
    compacted.pop("@context", None)
    if "@graph" in compacted:
        return compacted["@graph"]
    return [compacted] if compacted else []


def split_jsonld(nodes: list[dict]) -> Fragment:
    body = json.dumps(nodes, ensure_ascii=False, separators=(",", ":"))[1:-1]
    return Fragment({}, body)


def _turtle(graph):
    return split_turtle(graph.serialize(format="turtle"))


def _xml(graph):
    return split_xml(graph.serialize(format="pretty-xml"))


def _nt(graph):
    return split_nt(graph.serialize(format="nt"))


def _jsonld(graph):
    return split_jsonld(compact_nodes(graph))


SERIALIZE: dict[str, Callable[[rdflib.Graph], Fragment]] = {
    "turtle": _turtle, "xml": _xml, "nt": _nt, "jsonld": _jsonld}


def make_fragment(graph: rdflib.Graph, fmt: str, seed: str) -> Fragment:
    """Relabel blank nodes with ``seed``, fix prefixes and serialize ``graph`` as a fragment of ``fmt``."""
    relabel_bnodes(graph, seed)
    bind_stable_prefixes(graph)
    return SERIALIZE[fmt](graph)


# ---------------------------------------------------------------- catalog links
DCAT_DATASET = "http://www.w3.org/ns/dcat#dataset"


def _links_turtle(subject: str, objects: list[str]) -> Fragment:
    if not objects:
        return Fragment({}, "")
    listed = ",\n        ".join(URIRef(o).n3() for o in objects)
    return Fragment({}, f"{URIRef(subject).n3()} <{DCAT_DATASET}> {listed} .\n")


def _links_nt(subject: str, objects: list[str]) -> Fragment:
    head = f"{URIRef(subject).n3()} <{DCAT_DATASET}> "
    return Fragment({}, "".join(f"{head}{URIRef(o).n3()} .\n" for o in objects))


def _links_xml(subject: str, objects: list[str]) -> Fragment:
    if not objects:
        return Fragment({}, "")
    links = "".join(f"    <dcat:dataset rdf:resource={quoteattr(o)}/>\n" for o in objects)
    body = f"  <rdf:Description rdf:about={quoteattr(subject)}>\n{links}  </rdf:Description>\n"
    return Fragment({"dcat": "http://www.w3.org/ns/dcat#", "rdf": str(RDF)}, body)


def _links_jsonld(subject: str, objects: list[str]) -> Fragment:
    if not objects:
        return Fragment({}, "")
    context = jsonld_context()
    term = context.get("dataset")
    if isinstance(term, dict) and term.get("@id") == "dcat:dataset" and term.get("@type") == "@id":
        key, values = "dataset", list(objects)          # the context's own term: IRIs as plain strings
    else:
        key = "dcat:dataset" if context.get("dcat") == "http://www.w3.org/ns/dcat#" else DCAT_DATASET
        values = [{"@id": o} for o in objects]
    node = {"id" if context.get("id") == "@id" else "@id": subject, key: values}
    return split_jsonld([node])


LINKS: dict[str, Callable[[str, list[str]], Fragment]] = {
    "turtle": _links_turtle, "xml": _links_xml, "nt": _links_nt, "jsonld": _links_jsonld}


def catalog_links(fmt: str, catalog: str, datasets: list[str]) -> Fragment:
    """The ``catalog dcat:dataset dataset`` triples of a page as a fragment of ``fmt`` (one statement)."""
    return LINKS[fmt](catalog, datasets)


# ---------------------------------------------------------------- joining fragments
def merged_head(fragments: Iterable[Fragment]) -> dict[str, str]:
    """Union of the heads; a prefix bound to two namespaces is an ``AssemblyError``."""
    head: dict[str, str] = {}
    for fragment in fragments:
        for prefix, namespace in fragment.head.items():
            if head.setdefault(prefix, namespace) != namespace:
                raise AssemblyError(f"prefix {prefix!r} means {head[prefix]} and {namespace}")
    return head


def _join_turtle(fragments: list[Fragment]) -> str:
    head = merged_head(fragments)
    lines = [f"@prefix {prefix}: <{namespace}> .\n" for prefix, namespace in sorted(head.items())]
    return "".join(lines) + "\n" + "\n".join(f.body for f in fragments if f.body.strip())


def _join_xml(fragments: list[Fragment]) -> str:
    head = merged_head(fragments)
    root = head.pop("\0root", "rdf")
    declarations = "".join(f'\n   xmlns:{prefix}="{namespace}"' for prefix, namespace in sorted(head.items()))
    bodies = "".join(f.body for f in fragments)
    return f'<?xml version="1.0" encoding="utf-8"?>\n<{root}:RDF{declarations}\n>\n{bodies}</{root}:RDF>\n'


def _join_nt(fragments: list[Fragment]) -> str:
    return "".join(f.body for f in fragments)


@functools.lru_cache(maxsize=1)
def _context_text() -> str:
    """The context as it goes into every JSON-LD page (and into the fragments' digest), serialized once."""
    return json.dumps(jsonld_context(), ensure_ascii=False, separators=(",", ":"))


def _join_jsonld(fragments: list[Fragment]) -> str:
    context = _context_text()
    nodes = ",".join(f.body for f in fragments if f.body)
    return f'{{"@context":{context},"@graph":[{nodes}]}}'


JOIN: dict[str, Callable[[list[Fragment]], str]] = {
    "turtle": _join_turtle, "xml": _join_xml, "nt": _join_nt, "jsonld": _join_jsonld}


def assemble(fmt: str, fragments: list[Fragment]) -> str:
    """One document of ``fmt`` from fragments of that format (catalog part first, by convention)."""
    return JOIN[fmt](fragments)
