"""The SDMX registry source type: one structure query for dataflows with their data structures, concept schemes
and code lists; each dataflow becomes one dataset.

Options (``spec.options``):

- ``api``: ``v1`` (SDMX REST 1.x, answers in SDMX-ML 2.1; the default) or ``v2`` (REST 2.x, SDMX-ML 3.0);
- ``agency``, ``id``, ``version``: which dataflows (defaults ``all/all/latest`` in v1, ``*/*/~`` in v2);
- ``references``: what comes with them (default ``descendants``: structures, concept schemes, code lists; ``all``
  also brings the constraints that name the series a dataflow holds).

Mapping (StatDCAT-AP 1.0.1 Annex IV, dataset = dataflow), only what the registry states:

- title: the dataflow's name in the first of ``spec.languages`` it is given in, else English, else any;
- notes: its description, else one built from its structure (dimension ids with their concepts' names,
  measures) by :func:`describe`;
- publisher: the maintenance agency (its name when the message holds it); identifier ``AGENCY:ID(VERSION)``;
  conforms_to: the data structure's URN; one distribution: the REST data URL, SDMX-ML;
- disaggregation: the structure's dimensions that are notations of our ``disaggregation`` scheme;
- sdg_series: the SERIES codes (from the dataflow's constraints, else the CL_SERIES code list as the message holds
  it) that are in ``cl-series``; sdg_indicators: their indicators (the code's ``Indicator`` annotations, else the
  ``[1.1.1]`` that ends its name in our ``cl-series``) that are in ``sdg``;
- unit_measure: the UNIT_MEASURE codes the constraints name (code list CL_UNIT_MEASURE) that are in
  ``cl-unit-measure``;
- StatDCAT-AP annotations: keywords become tags, themes theme; the others (``stat:numSeries`` ...) have no field
  and are reported in the sighting's warnings.

The message is read with lxml, with a parser that loads no DTD, resolves no entity and reads no network, and only
as far as the mapping needs. Not with sdmx1 (2.28 cannot read SDMX-ML 3.0 registry messages, which hold
``MeasureRelationship``, and prints its diagnostics to standard output) nor pysdmx (1.21 keeps one language of
each name, and parses again with a parser that expands entities).

Example::

    spec = SourceSpec(name="unsd-sdg", type="sdmx", url="https://data.un.org/ws/rest", organization="unsd",
                      options={"agency": "IAEG-SDGs", "id": "DF_SDG_GLH", "references": "all"})
    for page in pages(spec, fetch.Client()):        # one page, the query's dataflows
        page.sightings[0].record["sdg_series"]     # ['SI_POV_DAY1']
    structures = read_structures(body)              # pure
    sighting = map_dataflow(structures.dataflows[0], structures, spec, Vocab(disaggregation={"SEX"}))
"""
from __future__ import annotations

import dataclasses
import re
import urllib.parse
from typing import Any, Iterable, Iterator, Mapping, Optional

from lxml import etree

from ckanext.citizendata.text import natural_key
from ckanext.citizendata.vocab import registry

from . import fetch
from .fetch import FetchError
from .listing import DATASET, Page, Sighting, SourceSpec


@dataclasses.dataclass(frozen=True)
class Api:
    path: str                           # the dataflow resource, under the base URL
    defaults: tuple[str, str, str]      # agency, id and version that mean "any"
    accept: str


API = {
    "v1": Api("dataflow", ("all", "all", "latest"), "application/vnd.sdmx.structure+xml;version=2.1"),
    "v2": Api("structure/dataflow", ("*", "*", "~"), "application/vnd.sdmx.structure+xml;version=3.0.0"),
}
REFERENCES = ("none", "parents", "parentsandsiblings", "children", "descendants", "all")
DATA_FORMAT = "SDMX-ML"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
URN = re.compile(r"^urn:sdmx:org\.sdmx\.infomodel\.\w+\.\w+=([^:]+):([^(]+)\(([^)]*)\)(?:\.(.+))?$")
DATAFLOW_URN = "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow="
DSD_URN = "urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure="
# AnnotationType values that mark StatDCAT-AP annotations: the spec's keyword, its namespace, and the stand-in
# namespace its own SDMX example uses
STATDCAT_TYPES = {"statdcat-ap", "http://data.europa.eu/s1n/", "http://data.europa.eu/xyz"}
KEYWORD = {"http://www.w3.org/ns/dcat#keyword", "dcat:keyword"}
THEME = {"http://www.w3.org/ns/dcat#theme", "dcat:theme"}
TAG = re.compile(r"^[\w .-]{2,100}$")               # what CKAN's tag name validator accepts
BRACKETED = re.compile(r"\[([0-9a-z.,\s]+)\]\s*$")   # "Employed population below ... poverty line [1.1.1]"


class UnreadableMessage(ValueError):
    """A response that is not a usable SDMX structure message; ``reason`` is safe to show."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# ---------------------------------------------------------------- the message, as far as the mapping needs it
# SDMX-ML 2.1 and 3.0 name these elements alike (in their own namespaces), so they are found by local name.
# They differ in references: 2.1 writes <Ref agencyID=".." id=".." version=".."/> (or <URN>), 3.0 the URN as text.
@dataclasses.dataclass(frozen=True)
class Ref:
    """A reference to a maintained artefact, and to an item of it (a concept of a concept scheme)."""
    agency: str
    id: str
    version: str = ""
    item: Optional[str] = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.agency, self.id, self.version)


@dataclasses.dataclass
class Annotation:
    type: str
    title: str
    url: str
    texts: dict[str, str]               # language -> text


@dataclasses.dataclass
class Dataflow:
    agency: str
    id: str
    version: str
    urn: str
    names: dict[str, str]               # language -> name
    descriptions: dict[str, str]
    annotations: list[Annotation]
    structure: Optional[Ref]            # its data structure definition
    uri: Optional[str] = None           # the artefact's ``uri`` attribute: a page about it

    @property
    def identifier(self) -> str:
        return f"{self.agency}:{self.id}({self.version})"


@dataclasses.dataclass
class Component:
    id: str
    kind: str                           # dimension | time | measure | attribute
    concept: Optional[Ref]
    codelist: Optional[Ref]             # its local representation's enumeration


@dataclasses.dataclass
class DataStructure:
    agency: str
    id: str
    version: str
    components: list[Component]

    def component(self, component_id: str) -> Optional[Component]:
        return next((c for c in self.components if c.id == component_id), None)


@dataclasses.dataclass
class Structures:
    """What a structure message holds. Artefacts are keyed by (agency, id, version); code lists keep each code's
    SDG indicators (its ``Indicator`` annotations), constraints the values they name per component."""
    dataflows: list[Dataflow] = dataclasses.field(default_factory=list)
    structures: dict[tuple, DataStructure] = dataclasses.field(default_factory=dict)
    concepts: dict[tuple, dict[str, dict[str, str]]] = dataclasses.field(default_factory=dict)
    codelists: dict[tuple, dict[str, tuple[str, ...]]] = dataclasses.field(default_factory=dict)
    constraints: dict[tuple, dict[str, list[str]]] = dataclasses.field(default_factory=dict)  # of dataflows
    agencies: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)             # id -> names

    def structure_of(self, flow: Dataflow) -> Optional[DataStructure]:
        return lookup(self.structures, flow.structure)

    def concept_names(self, component: Component) -> dict[str, str]:
        if component.concept is None:
            return {}
        scheme = lookup(self.concepts, component.concept) or {}
        return scheme.get(component.concept.item or component.id, {})

    def constraint_of(self, flow: Dataflow) -> dict[str, list[str]]:
        return lookup(self.constraints, Ref(flow.agency, flow.id, flow.version)) or {}


def lookup(table: Mapping[tuple, Any], ref: Optional[Ref]) -> Any:
    """The artefact ``ref`` names: that version, else (a reference without version, or to a range such as
    ``1.0+``) the highest version the message holds of that agency and id."""
    if ref is None:
        return None
    if ref.key in table:
        return table[ref.key]
    versions = sorted((key for key in table if key[:2] == ref.key[:2]), key=lambda key: natural_key(key[2]))
    return table[versions[-1]] if versions else None


def local(element) -> str:
    return etree.QName(element).localname


def _children(element, name: str) -> list:
    return [child for child in element if local(child) == name] if element is not None else []


def _child(element, name: str):
    return next(iter(_children(element, name)), None)


def _text(element, name: str) -> str:
    child = _child(element, name)
    return (child.text or "").strip() if child is not None else ""


def _texts(element, name: str) -> dict[str, str]:
    """``{language: text}`` of the children ``name`` (Name, Description, AnnotationText); the first text of each
    language, ``und`` for one without ``xml:lang``."""
    found: dict[str, str] = {}
    for child in _children(element, name):
        text = (child.text or "").strip()
        if text:
            found.setdefault(child.get(XML_LANG) or "und", text)
    return found


def parse_urn(urn: str) -> Optional[Ref]:
    """``urn:sdmx:org.sdmx.infomodel.conceptscheme.Concept=ESTAT:CS_NA(1.6).FREQ`` ->
    ``Ref("ESTAT", "CS_NA", "1.6", "FREQ")``."""
    match = URN.match(urn.strip())
    return Ref(*match.groups()) if match else None


def reference(element) -> Optional[Ref]:
    """What an element (Structure, ConceptIdentity, Enumeration, a constraint's Dataflow) points to."""
    if element is None:
        return None
    ref = _child(element, "Ref")
    if ref is None:
        urn = _child(element, "URN")
        return parse_urn((urn if urn is not None else element).text or "")
    parent = ref.get("maintainableParentID")
    if parent:
        return Ref(ref.get("agencyID", ""), parent, ref.get("maintainableParentVersion", ""), ref.get("id"))
    return Ref(ref.get("agencyID", ""), ref.get("id", ""), ref.get("version", ""))


def _parse(body: bytes):
    """The root of a structure message, or UnreadableMessage. XML declaring entities is refused by the harvest's
    one check (fetch.check_xml_safe); the parser would load no DTD and resolve no entity anyway."""
    try:
        fetch.check_xml_safe(body, "the structure message")
    except fetch.FetchError as err:
        raise UnreadableMessage(err.reason) from err
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True,
                             remove_pis=True)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as err:
        raise UnreadableMessage("the response is not well-formed XML") from err
    if local(root) == "Error":
        raise UnreadableMessage("the registry answered with an SDMX error message")
    if local(root) != "Structure":
        raise UnreadableMessage("the response is not an SDMX structure message")
    return root


def _key(element) -> tuple[str, str, str]:
    return (element.get("agencyID", ""), element.get("id", ""), element.get("version") or "1.0")


def _annotations(element) -> list[Annotation]:
    """The element's annotations; the URL is AnnotationURL, or (3.0) the first Link's ``url``."""
    found = []
    for item in _children(_child(element, "Annotations"), "Annotation"):
        link = _child(item, "Link")
        url = _text(item, "AnnotationURL") or (link.get("url", "").strip() if link is not None else "")
        found.append(Annotation(_text(item, "AnnotationType"), _text(item, "AnnotationTitle"), url,
                                _texts(item, "AnnotationText")))
    return found


def _read_dataflow(element, found: Structures) -> None:
    agency, flow_id, version = _key(element)
    if agency and flow_id:
        found.dataflows.append(Dataflow(
            agency, flow_id, version, urn=element.get("urn") or f"{DATAFLOW_URN}{agency}:{flow_id}({version})",
            names=_texts(element, "Name"), descriptions=_texts(element, "Description"),
            annotations=_annotations(element), structure=reference(_child(element, "Structure")),
            uri=element.get("uri")))


# the components of a DimensionList, MeasureList (2.1: PrimaryMeasure) or AttributeList
COMPONENT_KINDS = {"Dimension": "dimension", "TimeDimension": "time", "MeasureDimension": "dimension",
                   "PrimaryMeasure": "measure", "Measure": "measure", "Attribute": "attribute"}


def _components(listing) -> Iterator[Component]:
    """The components of one list; a component without id (2.1 allows it) takes its concept's."""
    for item in listing:
        kind, concept = COMPONENT_KINDS.get(local(item)), reference(_child(item, "ConceptIdentity"))
        if kind is None or (not item.get("id") and concept is None):
            continue
        codelist = reference(_child(_child(item, "LocalRepresentation"), "Enumeration"))
        yield Component(item.get("id") or concept.item or concept.id, kind, concept, codelist)


def _read_structure(element, found: Structures) -> None:
    lists = _child(element, "DataStructureComponents")
    components = [c for listing in (lists if lists is not None else []) for c in _components(listing)]
    found.structures[_key(element)] = DataStructure(*_key(element), components)


def _read_concept_scheme(element, found: Structures) -> None:
    found.concepts[_key(element)] = {c.get("id"): _texts(c, "Name") for c in _children(element, "Concept")}


def _indicators(code) -> tuple[str, ...]:
    """The SDG indicators a CL_SERIES code names: one annotation of type ``Indicator`` per indicator."""
    return tuple(next(iter(a.texts.values())) for a in _annotations(code) if a.type == "Indicator" and a.texts)


def _read_codelist(element, found: Structures) -> None:
    found.codelists[_key(element)] = {c.get("id"): _indicators(c) for c in _children(element, "Code")}


def _included(element, flag: str) -> bool:
    return (element.get(flag) or "true").strip().lower() != "false"


def _value_pairs(element) -> list:
    """The KeyValue (3.0 also Component) elements of a constraint's included cube regions and data key sets."""
    regions = [r for r in _children(element, "CubeRegion") if _included(r, "include")]
    keys = [key for keys in _children(element, "DataKeySet") if _included(keys, "isIncluded")
            for key in _children(keys, "Key")]
    return [pair for holder in regions + keys
            for pair in _children(holder, "KeyValue") + _children(holder, "Component")]


def _constraint_values(element) -> dict[str, list[str]]:
    """Component id -> the values the constraint names (included ones), in order."""
    values: dict[str, list[str]] = {}
    for pair in _value_pairs(element):
        named = values.setdefault(pair.get("id", ""), [])
        named += [v for v in ((value.text or "").strip() for value in _children(pair, "Value")) if v]
    return {component: list(dict.fromkeys(codes)) for component, codes in values.items()}


def _read_constraint(element, found: Structures) -> None:
    """An allowed or actual constraint, kept for each dataflow it is attached to."""
    values = _constraint_values(element)
    for target in _children(_child(element, "ConstraintAttachment"), "Dataflow"):
        ref = reference(target)
        if ref is None:
            continue
        held = found.constraints.setdefault(ref.key, {})
        for component, codes in values.items():
            held[component] = list(dict.fromkeys(held.get(component, []) + codes))


def _read_agency(element, found: Structures) -> None:
    if element.get("id"):
        found.agencies.setdefault(element.get("id"), _texts(element, "Name"))


# element -> (the containers in which it is a definition, not a reference, and its reader)
READERS = {
    "Dataflow": ({"Dataflows"}, _read_dataflow),
    "DataStructure": ({"DataStructures"}, _read_structure),
    "ConceptScheme": ({"Concepts", "ConceptSchemes"}, _read_concept_scheme),
    "Codelist": ({"Codelists"}, _read_codelist),
    "ContentConstraint": ({"Constraints"}, _read_constraint),
    "DataConstraint": ({"DataConstraints", "Constraints"}, _read_constraint),
    "Agency": ({"AgencyScheme"}, _read_agency),
}


def read_structures(body: bytes) -> Structures:
    """The dataflows, data structures, concept schemes, code lists, constraints and agencies of an SDMX-ML 2.1 or
    3.0 structure message. Raises UnreadableMessage."""
    found = Structures()
    for element in _parse(body).iter(etree.Element):
        containers, reader = READERS.get(local(element), ((), None))
        parent = element.getparent()
        if reader is not None and parent is not None and local(parent) in containers:
            reader(element, found)
    return found


# ---------------------------------------------------------------- our vocabularies
@dataclasses.dataclass(frozen=True)
class Vocab:
    """The notations a harvested value must be (registry schemes), and the indicators our ``cl-series`` names
    state for each series (``"... [1.5.1, 11.5.1, 13.1.1]"``), for a code that comes without annotations."""
    disaggregation: frozenset = frozenset()
    series: frozenset = frozenset()
    indicators: frozenset = frozenset()
    units: frozenset = frozenset()
    series_indicators: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)


def bracketed_indicators(label: str) -> tuple[str, ...]:
    """``"Number of missing persons due to disaster [1.5.1, 11.5.1, 13.1.1]"`` -> ``("1.5.1", "11.5.1",
    "13.1.1")``; ``()`` for a name without them (a retired series)."""
    match = BRACKETED.search(label)
    return tuple(part.strip() for part in match.group(1).split(",") if part.strip()) if match else ()


def registry_vocab() -> Vocab:
    """The vocabulary registry's notations (the database must hold the loaded vocabularies)."""
    return Vocab(disaggregation=registry.notations("disaggregation"), series=registry.notations("cl-series"),
                 indicators=registry.notations("sdg"), units=registry.notations("cl-unit-measure"),
                 series_indicators={code: bracketed_indicators(label)
                                    for code, label in registry.labels("cl-series", "en").items()})


# ---------------------------------------------------------------- mapping
def pick(texts: Mapping[str, str], languages: Iterable[str]) -> Optional[str]:
    """The text in the first of ``languages`` present (``fr`` also takes ``fr-CA``), else English, else any."""
    for language in [*languages, "en"]:
        for tag, text in texts.items():
            if tag == language or tag.split("-")[0] == language:
                return text
    return next(iter(texts.values()), None)


def _api(spec: SourceSpec) -> tuple[Api, str]:
    name, references = spec.options.get("api", "v1"), spec.options.get("references", "descendants")
    if name not in API:
        raise ValueError(f"unknown SDMX REST API {name!r} (v1 or v2)")
    if references not in REFERENCES:
        raise ValueError(f"unknown references value {references!r} ({', '.join(REFERENCES)})")
    return API[name], references


def _path(spec: SourceSpec, *parts: str) -> str:
    """``spec.url`` and path segments (``*``, ``~``, ``+`` and ``,`` kept: they are REST syntax)."""
    return "/".join([spec.url.rstrip("/"), *(urllib.parse.quote(str(p), safe="/*+,~") for p in parts)])


def structure_query(spec: SourceSpec) -> tuple[str, dict[str, str], dict[str, str]]:
    """(URL, query parameters, headers) of the source's dataflow query."""
    api, references = _api(spec)
    parts = [spec.options.get(key) or default for key, default in zip(("agency", "id", "version"), api.defaults)]
    return _path(spec, api.path, *parts), {"references": references}, {"Accept": api.accept}


def dataflow_url(spec: SourceSpec, flow: Dataflow) -> str:
    """The dataflow's own REST structure URL (the sighting's original_uri)."""
    return _path(spec, _api(spec)[0].path, flow.agency, flow.id, flow.version)


def data_url(spec: SourceSpec, flow: Dataflow) -> str:
    """All the dataflow's data: v1 ``data/{agency},{id},{version}/all``, v2 ``data/dataflow/{agency}/{id}/
    {version}/*``."""
    if _api(spec)[0] is API["v1"]:
        return _path(spec, "data", f"{flow.agency},{flow.id},{flow.version}", "all")
    return _path(spec, "data", "dataflow", flow.agency, flow.id, flow.version, "*")


def _named(component: Component, structures: Structures, languages: list[str]) -> str:
    name = pick(structures.concept_names(component), languages)
    return f"{component.id} ({name})" if name and name != component.id else component.id


def describe(flow: Dataflow, structures: Structures, languages: list[str]) -> str:
    """A description made only of what the message states, for a dataflow without one:
    ``"SDMX dataflow NAMAIN_IDC_N of SDMX, version 1.0. Structure NA_MAIN (ESTAT, version 1.6): dimensions FREQ
    (Frequency), ...; measure OBS_VALUE (Observation value)."``"""
    text = f"SDMX dataflow {flow.id} of {flow.agency}, version {flow.version}."
    dsd, ref = structures.structure_of(flow), flow.structure
    if dsd is None:
        return text + (f" Structure {ref.id} ({ref.agency}, version {ref.version})." if ref else "")
    dimensions = [_named(c, structures, languages) for c in dsd.components if c.kind in ("dimension", "time")]
    measures = [_named(c, structures, languages) for c in dsd.components if c.kind == "measure"]
    text += f" Structure {dsd.id} ({dsd.agency}, version {dsd.version}): dimensions {', '.join(dimensions)}"
    if measures:
        text += f"; {'measure' if len(measures) == 1 else 'measures'} {', '.join(measures)}"
    return text + "."


def _coded(structures: Structures, flow: Dataflow, component_id: str, codelist_id: str,
           listed: bool = True) -> tuple[list[str], dict[str, tuple[str, ...]]]:
    """(codes, the code list's code -> indicators) of the component ``component_id`` when the code list
    ``codelist_id`` enumerates it: the values the dataflow's constraints name, else, when ``listed``, the codes
    of the code list as the message holds it."""
    dsd = structures.structure_of(flow)
    component = dsd.component(component_id) if dsd else None
    if component is None or component.codelist is None or component.codelist.id != codelist_id:
        return [], {}
    codes = lookup(structures.codelists, component.codelist) or {}
    constrained = structures.constraint_of(flow).get(component_id)
    return (constrained if constrained is not None else list(codes) if listed else []), codes


def _known(codes: Iterable[str], allowed: frozenset, scheme: str, warnings: list[str]) -> list[str]:
    codes = list(codes)
    dropped = [code for code in codes if code not in allowed]
    if dropped:
        warnings.append(f"{len(dropped)} code(s) not in {scheme}, not kept: {', '.join(dropped[:10])}")
    return [code for code in codes if code in allowed]


def citizen_fields(flow: Dataflow, structures: Structures, vocab: Vocab, warnings: list[str]) -> dict[str, Any]:
    """disaggregation, sdg_series, sdg_indicators and unit_measure, as far as the message states them."""
    dsd = structures.structure_of(flow)
    if dsd is None:
        return {}
    series, code_list = _coded(structures, flow, "SERIES", "CL_SERIES")
    series = _known(series, vocab.series, "cl-series", warnings)
    indicators = {indicator for code in series
                  for indicator in (code_list.get(code) or vocab.series_indicators.get(code, ()))}
    units, _ = _coded(structures, flow, "UNIT_MEASURE", "CL_UNIT_MEASURE", listed=False)
    dimensions = [c.id for c in dsd.components if c.kind == "dimension"]
    fields = {"disaggregation": [d for d in dimensions if d in vocab.disaggregation],
              "sdg_series": series,
              "sdg_indicators": _known(sorted(indicators, key=natural_key), vocab.indicators, "sdg", warnings),
              "unit_measure": _known(units, vocab.units, "cl-unit-measure", warnings)}
    return {name: values for name, values in fields.items() if values}


def _statdcat_item(note: Annotation, languages: list[str]) -> tuple[str, Any]:
    """``("tags", {"name": ...})``, ``("theme", iri)`` or ``("warning", why it is not kept)``."""
    title, text = note.title.strip(), pick(note.texts, languages) or ""
    if title in KEYWORD:
        return ("tags", {"name": text}) if TAG.match(text) else ("warning", f"keyword {text!r} not kept: not a tag")
    if title in THEME and (note.url or text):
        return "theme", note.url or text
    return "warning", f"StatDCAT-AP annotation {title} {text or note.url!r} not kept: no field for it"


def statdcat_fields(flow: Dataflow, languages: list[str], warnings: list[str]) -> dict[str, Any]:
    """tags and theme from the dataflow's StatDCAT-AP annotations; the others are reported, not kept."""
    fields: dict[str, list] = {"tags": [], "theme": []}
    for note in flow.annotations:
        if note.type.strip().lower() in STATDCAT_TYPES:
            name, value = _statdcat_item(note, languages)
            if name == "warning":
                warnings.append(value)
            elif value not in fields[name]:
                fields[name].append(value)
    return {name: values for name, values in fields.items() if values}


def map_dataflow(flow: Dataflow, structures: Structures, spec: SourceSpec,
                 vocab: Optional[Vocab] = None) -> Sighting:
    """One dataflow of a read message as a sighting of a dataset (guid: the dataflow's URN). ``vocab`` defaults to
    the registry's."""
    vocab = vocab if vocab is not None else registry_vocab()
    languages, warnings = list(spec.languages), []
    record: dict[str, Any] = {
        "title": pick(flow.names, languages) or flow.id,
        "notes": pick(flow.descriptions, languages) or describe(flow, structures, languages),
        "publisher": [{"name": pick(structures.agencies.get(flow.agency, {}), languages) or flow.agency}],
        "identifier": flow.identifier,
        "resources": [{"url": data_url(spec, flow), "name": f"{flow.identifier} data (SDMX REST)",
                       "format": DATA_FORMAT}],
    }
    if flow.structure is not None:
        record["conforms_to"] = [f"{DSD_URN}{flow.structure.agency}:{flow.structure.id}({flow.structure.version})"]
    if flow.uri:
        record["url"] = flow.uri
    record.update(citizen_fields(flow, structures, vocab, warnings))
    record.update(statdcat_fields(flow, languages, warnings))
    return Sighting(guid=flow.urn, record=record, kind=DATASET, original_uri=dataflow_url(spec, flow),
                    identifier=flow.identifier, publisher=flow.agency, warnings=warnings)


# ---------------------------------------------------------------- the source type
def pages(spec: SourceSpec, fetcher, since: Any = None, vocab: Optional[Vocab] = None) -> Iterator[Page]:
    """One page: the dataflows of the source's structure query, mapped. ``since`` is not used: structure queries
    have no changed-since filter, and the engine's content hash tells what changed. A failed request, an
    unreadable message or one without any dataflow gives a failed page (so nothing is withdrawn)."""
    try:
        url, params, headers = structure_query(spec)
    except ValueError as err:
        yield Page(url=spec.url, failed=str(err))
        return
    page_url = f"{url}?{urllib.parse.urlencode(params)}"
    try:
        structures = read_structures(fetcher.get(url, params=params, headers=headers).body)
    except (FetchError, UnreadableMessage) as err:
        yield Page(url=page_url, failed=err.reason)
        return
    if not structures.dataflows:
        yield Page(url=page_url, failed="the message holds no dataflow")
        return
    vocab = vocab if vocab is not None else registry_vocab()
    yield Page(url=page_url, sightings=[map_dataflow(flow, structures, spec, vocab) for flow in structures.dataflows])
