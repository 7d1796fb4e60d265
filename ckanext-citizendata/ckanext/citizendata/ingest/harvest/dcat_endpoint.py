"""The DCAT source type: a partner's DCAT catalog (ckanext-dcat's ``/catalog.ttl`` and its kin, DCAT-AP national
variants) read page by page along its Hydra paging; each dataset is mapped by ckanext-dcat's RDFParser with the
profiles ``euro_dcat_ap_3 citizendata`` (ours, loaded by name) into a record our scheming schema takes.

The formats are Turtle, RDF/XML, JSON-LD and N-Triples, told by the response's Content-Type, else the source's
``format`` option, else the URL's extension. Values a catalog states badly (empty IRIs and literals, dates that are
not dates, keywords CKAN cannot take as tags, licences this catalog does not know) are left out, one warning each;
a dataset is never lost for an optional value. A page that cannot be read fails and ends the listing (so no record
is withdrawn), and so does paging that loops or passes ``max_pages``.

Example::

    spec = SourceSpec(name="partner", type="dcat", url="https://data.partner.example/catalog.ttl",
                      organization="partner", languages=["fr", "en"],
                      options={"modified_since_param": "modified_since"})
    for page in pages(spec, fetch.Client(), since=last_run):
        if page.failed:
            ...                                  # the listing is incomplete
        for sighting in page.sightings:          # Sighting(guid=<dataset IRI>, record={"title": ..., ...})
            ...
"""
from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import logging
import urllib.parse
from functools import lru_cache, partial
from typing import Any, Iterator, Optional

import rdflib
from ckanext.dcat.processors import RDFParser
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS

from ckanext.citizendata.namespaces import ADMS, HYDRA, PREFIXES, SCHEMA, VCARD

from . import fetch
from .dcat_record import to_record
from .listing import DATASET, SERIES, Page, Sighting, SourceSpec

log = logging.getLogger(__name__)

PROFILES = ("euro_dcat_ap_3", "citizendata")
MAX_PAGES = 10000
ACCEPT = ("text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.8, application/n-triples;q=0.7, "
          "*/*;q=0.1")
MEDIA_TYPES = {
    "text/turtle": "turtle", "application/x-turtle": "turtle", "application/turtle": "turtle",
    "application/rdf+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "application/ld+json": "json-ld", "application/json": "json-ld",
    "application/n-triples": "nt", "text/n-triples": "nt",
}
# names of formats in the source's ``format`` option and URL extensions
FORMAT_NAMES = {
    "turtle": "turtle", "ttl": "turtle", "xml": "xml", "rdf": "xml", "rdfxml": "xml", "rdf+xml": "xml",
    "json-ld": "json-ld", "jsonld": "json-ld", "json": "json-ld", "nt": "nt", "n-triples": "nt", "ntriples": "nt",
}
FORMAT_WORDS = {"turtle": "Turtle", "xml": "RDF/XML", "json-ld": "JSON-LD", "nt": "N-Triples"}
# relative IRIs are resolved against the page's path and query on this host (RFC 2606 .invalid), so that the empty
# IRI <> (which resolves to the base itself) stays visible; the rest go back to the page's own scheme and host
STAND_IN_HOST = "base.invalid"
# prefixes of the predicates warnings name
NAMES = (*PREFIXES.items(), ("foaf", FOAF), ("vcard", VCARD), ("schema", SCHEMA), ("adms", ADMS),
         ("hydra", HYDRA))


class UnreadablePage(Exception):
    """A page that cannot be read as a whole; ``reason`` says why (no library text)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# ---------------------------------------------------------------- the listing
def pages(spec: SourceSpec, fetcher: Any, since: Any = None) -> Iterator[Page]:
    """The catalog's pages, following Hydra paging (hydra:next / hydra:nextPage of a hydra:PagedCollection or
    hydra:PartialCollectionView) from ``spec.url``. Ends with a failed page when a page cannot be fetched or read,
    when the paging loops (a next page already read, or a page with the content of an earlier one) and after
    ``spec.options["max_pages"]`` pages. ``since`` goes to the query parameter named by
    ``spec.options["modified_since_param"]`` (ckanext-dcat's endpoints take ``modified_since``); without that
    option it is ignored."""
    listing = _Listing(spec, since)
    url: Optional[str] = spec.url
    while url is not None:
        refusal = listing.refusal(url)
        if refusal:
            yield Page(url, failed=refusal)
            return
        page, url = listing.read(fetcher, url)
        yield page
        if page.failed:
            return


class _Listing:
    """What one listing has seen: pages by address and by content, guids, the page count."""

    def __init__(self, spec: SourceSpec, since: Any):
        self.spec = spec
        self.since = since
        self.max_pages = int(spec.options.get("max_pages", MAX_PAGES))
        self.count = 0
        self.addresses: set[str] = set()
        self.bodies: dict[str, str] = {}     # sha256 of a page's body -> its address
        self.guids: dict[str, str] = {}      # guid -> address of the page that listed it

    def refusal(self, url: str) -> Optional[str]:
        if _address(url) in self.addresses:
            return f"the paging loops: the next page {url} was read before"
        if self.count >= self.max_pages:
            return f"stopped after {self.max_pages} pages (max_pages): the listing is incomplete"
        return None

    def read(self, fetcher: Any, url: str) -> tuple[Page, Optional[str]]:
        self.count += 1
        self.addresses.add(_address(url))
        try:
            response = fetcher.get(url, params=self.params(url), headers={"Accept": ACCEPT})
        except fetch.FetchError as err:
            return Page(url, failed=err.reason), None
        self.addresses.add(_address(response.url))
        body_hash = hashlib.sha256(response.body).hexdigest()
        if body_hash in self.bodies:
            return Page(response.url, failed=f"the paging loops: this page repeats {self.bodies[body_hash]}"), None
        self.bodies[body_hash] = response.url
        try:
            sightings, errors, next_url = read_page(response.body, response.content_type, response.url, self.spec,
                                                    lazy=True)
        except UnreadablePage as err:
            return Page(response.url, failed=err.reason), None
        return Page(response.url, self.first_seen(sightings, errors, response.url), errors), next_url

    def params(self, url: str) -> Optional[dict[str, str]]:
        name = self.spec.options.get("modified_since_param")
        if not name or self.since is None:
            return None
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
        if name in query:                    # next-page links of ckanext-dcat carry it on
            return None
        since = self.since.isoformat() if hasattr(self.since, "isoformat") else str(self.since)
        return {name: since}

    def first_seen(self, sightings: list[Sighting], errors: list[tuple[str, str]], url: str) -> list[Sighting]:
        kept = []
        for sighting in sightings:
            if sighting.guid in self.guids:
                errors.append((sighting.guid, f"listed before on {self.guids[sighting.guid]}; this copy is skipped"))
                continue
            self.guids[sighting.guid] = url
            kept.append(sighting)
        return kept


def _address(url: str) -> str:
    return urllib.parse.urldefrag(url)[0]


# ---------------------------------------------------------------- one page
def read_page(body: bytes, content_type: str, url: str, spec: SourceSpec,
              lazy: bool = False) -> tuple[list[Sighting], list[tuple[str, str]], Optional[str]]:
    """The sightings of one catalog page, the datasets that could not be mapped as (guid or position, why), and
    the next page's address (None on the last page). Raises :class:`UnreadablePage` for a page that cannot be read.
    ``lazy``: each sighting carries a digest of its statements (``raw``) and maps its record only when asked
    (``materialized()``), so a harvest maps only the datasets that changed.

    Example::

        sightings, errors, next_url = read_page(b"@prefix dcat: ...", "text/turtle",
                                                "https://data.partner.example/catalog.ttl?page=1", spec)
    """
    fmt = choose_format(content_type, spec, url)
    graph, dropped = parse_graph(body, fmt, url)
    nodes = dataset_nodes(graph)
    context = _PageGraph(graph, _parser(graph), _address(url), list(spec.languages), dropped,
                         frozenset(node for node, _ in nodes))
    sightings: list[Sighting] = []
    errors: list[tuple[str, str]] = []
    for position, (ref, kind) in enumerate(nodes, start=1):
        found = (_lazy_dataset if lazy else _read_dataset)(context, ref, kind, position)
        if isinstance(found, Sighting):
            _add_unique(found, sightings, errors)
        else:
            errors.append(found)
    return sightings, errors, _next_page(context.parser, url)


def choose_format(content_type: str, spec: SourceSpec, url: str) -> str:
    """rdflib's name of the page's format: from the Content-Type, else the ``format`` option, else the extension.

    >>> source = SourceSpec("partner", "dcat", "https://x.example/catalog.rdf", "partner")
    >>> choose_format("text/plain", source, source.url), choose_format("text/turtle", source, source.url)
    ('xml', 'turtle')
    """
    found = MEDIA_TYPES.get((content_type or "").split(";")[0].strip().lower())
    if not found:
        found = FORMAT_NAMES.get(str(spec.options.get("format") or "").strip().lower())
    if not found:
        name = urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1]
        found = FORMAT_NAMES.get(name.rsplit(".", 1)[-1].lower()) if "." in name else None
    if not found:
        raise UnreadablePage(f"cannot tell the RDF format: Content-Type {content_type or '(none)'!r}, no format "
                             "option, no known extension (ttl, rdf, xml, jsonld, json, nt)")
    return found


def parse_graph(body: bytes, fmt: str, url: str) -> tuple[rdflib.Graph, list[tuple[Any, URIRef, str]]]:
    """The page's graph, relative IRIs resolved against ``url``, and the values left out of it as (subject,
    predicate, why): empty IRIs ``<>`` and empty literals."""
    if fmt == "xml":
        try:
            fetch.check_xml_safe(body, url)
        except fetch.FetchError as err:
            raise UnreadablePage(err.reason) from err
    if fmt == "json-ld":
        _refuse_remote_context(body)
    base = _Base(url)
    graph = rdflib.Graph()
    try:
        graph.parse(data=body, format=fmt, publicID=base.stand_in)
    except Exception as err:  # noqa: BLE001 - rdflib's parsers raise many kinds (BadSyntax, SAX, assertions, JSON)
        raise UnreadablePage(f"the page is not valid {FORMAT_WORDS[fmt]} ({type(err).__name__})") from err
    return graph, base.clean(graph)


def _refuse_remote_context(body: bytes) -> None:
    """rdflib would fetch a remote JSON-LD ``@context`` by itself, past the fetcher's guards: refused."""
    try:
        stack = [json.loads(body)]
    except (ValueError, RecursionError) as err:
        raise UnreadablePage(f"the page is not valid JSON-LD ({type(err).__name__})") from err
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            context = item.get("@context")
            named = [context] if isinstance(context, str) else context if isinstance(context, list) else []
            if "@import" in item or any(isinstance(c, str) for c in named):
                raise UnreadablePage("the page names a remote JSON-LD @context, which is not fetched")
            stack.extend(item.values())


class _Base:
    """The stand-in base of a page and the cleaning of what it reveals."""

    def __init__(self, url: str):
        parts = urllib.parse.urlsplit(_address(url))
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.prefix = f"http://{STAND_IN_HOST}/"
        self.stand_in = urllib.parse.urlunsplit(("http", STAND_IN_HOST, parts.path or "/", parts.query, ""))

    def real(self, term):
        text = str(term)
        if isinstance(term, URIRef) and text.startswith(self.prefix):
            return URIRef(self.origin + text[len(self.prefix) - 1:])
        return term

    def empty(self, term) -> Optional[str]:
        if isinstance(term, URIRef) and str(term) == self.stand_in:
            return "empty IRI <>"
        if isinstance(term, Literal) and not str(term).strip():
            return "empty value"
        return None

    def clean(self, graph: rdflib.Graph) -> list[tuple[Any, URIRef, str]]:
        dropped = []
        for s, p, o in list(graph):
            why = self.empty(o)
            if why:
                graph.remove((s, p, o))
                dropped.append((self.real(s), p, why))
                continue
            real = (self.real(s), p, self.real(o))
            if real != (s, p, o):
                graph.remove((s, p, o))
                graph.add(real)
        return dropped


class _OneDataset(RDFParser):
    """ckanext-dcat's parser asked for one dataset node at a time: its own ``_datasets`` yields dcat:Dataset nodes
    only (not subclasses or series), and a profile failing on one dataset would end its generator for the page."""
    node = None

    def _datasets(self):
        yield self.node

    def dataset(self, node) -> dict[str, Any]:
        self.node = node
        return next(self.datasets())


@lru_cache(maxsize=1)
def _parser_template() -> _OneDataset:
    return _OneDataset(profiles=list(PROFILES))     # reads the entry points once (~0.1 s)


def _parser(graph: rdflib.Graph) -> _OneDataset:
    parser = copy.copy(_parser_template())
    parser.g = graph
    return parser


def _next_page(parser: RDFParser, url: str) -> Optional[str]:
    """ckanext-dcat's reading of the Hydra paging node, made absolute against the page's address."""
    found = parser.next_page()
    return urllib.parse.urljoin(url, found.strip()) if found and found.strip() else None


def subclasses(graph: rdflib.Graph, cls: URIRef) -> set:
    """``cls`` and every class the graph declares a subclass of it (rdfs:subClassOf, transitively)."""
    found, todo = {cls}, [cls]
    while todo:
        for sub in graph.subjects(RDFS.subClassOf, todo.pop()):
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


def dataset_nodes(graph: rdflib.Graph) -> list[tuple[Any, str]]:
    """(node, kind) of each dataset of the graph: typed dcat:Dataset or a subclass the graph declares (DATASET),
    dcat:DatasetSeries or a subclass (SERIES)."""
    kinds: dict[Any, str] = {}
    for kind, top in ((DATASET, DCAT.Dataset), (SERIES, DCAT.DatasetSeries)):
        for cls in subclasses(graph, top):
            kinds.update((node, kind) for node in graph.subjects(RDF.type, cls))
    return sorted(kinds.items(), key=lambda item: (isinstance(item[0], BNode), str(item[0])))


# ---------------------------------------------------------------- one dataset
@dataclasses.dataclass
class _PageGraph:
    graph: rdflib.Graph
    parser: _OneDataset
    url: str
    languages: list[str]
    dropped: list[tuple[Any, URIRef, str]]
    datasets: frozenset


def _read_dataset(context: _PageGraph, ref, kind: str, position: int):
    """The dataset's Sighting, or (guid or position, why) when it cannot be mapped."""
    iri = str(ref) if isinstance(ref, URIRef) and str(ref) != context.url else None
    identifier = _first_text(context.graph, ref, DCTERMS.identifier)
    guid = iri or identifier
    if not guid:
        return f"#{position}", "a dataset without an IRI or dct:identifier: no guid to follow it by"
    try:
        parsed = context.parser.dataset(ref)
        record, warnings = to_record(parsed, context.graph, ref, kind, context.languages)
    except Exception as err:  # noqa: BLE001 - one dataset that cannot be mapped must not lose the page
        log.warning("DCAT dataset %s of %s could not be mapped", guid, context.url, exc_info=True)
        return guid, f"could not be mapped ({type(err).__name__})"
    warnings = _dropped_warnings(context, ref) + warnings
    if iri is None and isinstance(ref, URIRef):
        warnings.insert(0, "the dataset's IRI is empty (<>, the page itself); it is followed by its dct:identifier")
    return Sighting(guid=guid, record=record, kind=kind, original_uri=iri, identifier=identifier,
                    publisher=_publisher(record), upstream_modified=record.get("modified"), warnings=warnings)


def _lazy_dataset(context: _PageGraph, ref, kind: str, position: int):
    """The dataset's Sighting with the digest of its statements, mapped only when asked."""
    iri = str(ref) if isinstance(ref, URIRef) and str(ref) != context.url else None
    identifier = _first_text(context.graph, ref, DCTERMS.identifier)
    if not (iri or identifier):
        return f"#{position}", "a dataset without an IRI or dct:identifier: no guid to follow it by"
    return Sighting(guid=iri or identifier, record={}, kind=kind, original_uri=iri, identifier=identifier,
                    raw=statements_digest(context.graph, ref, context.datasets),
                    build=partial(_read_dataset, context, ref, kind, position))


def statements_digest(graph: rdflib.Graph, ref, datasets: frozenset) -> str:
    """A digest of everything the page states about a dataset: its triples and those of every node it reaches
    (distributions, agents, periods, concepts; not other datasets), blank nodes named by what they state, so the
    same statements give the same digest in any order, syntax or blank-node labelling."""
    reached, todo = {ref}, [ref]
    while todo:
        for o in graph.objects(todo.pop()):
            if not isinstance(o, Literal) and o not in reached and o not in datasets:
                reached.add(o)
                todo.append(o)
    names: dict[Any, str] = {}
    lines = sorted(f"{_term(s, graph, names)} {p.n3()} {_term(o, graph, names)}"
                   for s in reached for p, o in graph.predicate_objects(s))
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _term(term, graph: rdflib.Graph, names: dict[Any, str], seen: frozenset = frozenset()) -> str:
    """A term's text; a blank node's is the digest of what it states (cycles cut)."""
    if not isinstance(term, BNode):
        return term.n3()
    if term in names:
        return names[term]
    if term in seen:
        return "_:cycle"
    inner = sorted(f"{p.n3()} {_term(o, graph, names, seen | {term})}" for p, o in graph.predicate_objects(term))
    names[term] = "_:" + hashlib.sha256("\n".join(inner).encode("utf-8")).hexdigest()[:32]
    return names[term]


def _add_unique(sighting: Sighting, sightings: list[Sighting], errors: list[tuple[str, str]]) -> None:
    if any(s.guid == sighting.guid for s in sightings):
        errors.append((sighting.guid, "a second dataset with this guid on the page; skipped"))
    else:
        sightings.append(sighting)


def _first_text(graph: rdflib.Graph, ref, predicate) -> Optional[str]:
    values = sorted(str(o).strip() for o in graph.objects(ref, predicate) if isinstance(o, Literal))
    return values[0] if values else None


def _publisher(record: dict[str, Any]) -> Optional[str]:
    for agent in record.get("publisher") or []:
        if agent.get("uri") or agent.get("name"):
            return agent.get("uri") or agent.get("name")
    return None


def _dropped_warnings(context: _PageGraph, ref) -> list[str]:
    """One warning per value left out of the graph on the dataset or a node it points to (two steps at most)."""
    if not context.dropped:
        return []
    paths = _near(context.graph, ref, context.datasets)
    return [f"{paths[s]}{_name(p)}: {why}; dropped" for s, p, why in context.dropped if s in paths]


def _near(graph: rdflib.Graph, ref, datasets: frozenset, steps: int = 2) -> dict[Any, str]:
    """Nodes reachable from ``ref`` in ``steps`` steps (other datasets excluded) -> the path there."""
    paths, frontier = {ref: ""}, [ref]
    for _ in range(steps):
        reached = []
        for node in frontier:
            for p, o in graph.predicate_objects(node):
                if isinstance(o, Literal) or o in paths or o in datasets or p == RDF.type:
                    continue
                paths[o] = f"{paths[node]}{_name(p)}/"
                reached.append(o)
        frontier = reached
    return paths


def _name(uri) -> str:
    text = str(uri)
    for prefix, namespace in NAMES:
        if text.startswith(str(namespace)) and len(text) > len(str(namespace)):
            return f"{prefix}:{text[len(str(namespace)):]}"
    return f"<{text}>"
