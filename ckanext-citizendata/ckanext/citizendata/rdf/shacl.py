"""SHACL validation of our DCAT output: the official DCAT-AP 3.0.1 shapes and our own shapes.

The shapes files are parsed once per process (cached) and validated one set at a time, so every result says
which set it came from. Validation runs pySHACL with ``inference="none"``: the shapes target the classes our
output states explicitly (``conformance.py`` adds the typing the shapes need), harvesters do not infer either,
and RDFS inference without the imported ontologies (which we do not vendor) adds nothing but time. No
SHACL-AF (``advanced``) or SHACL-JS features are used by these shapes, so both stay off. Cost on these
machines: about 10 ms per dataset for the three official sets together (a page of 20 datasets: ~0.3 s).

Example::

    >>> from ckanext.citizendata.rdf import shacl
    >>> results = shacl.validate(graph, "official")          # [] when the graph conforms
    >>> print(shacl.render_text(results))
    >>> shacl.failures(results)                               # every result, whatever its severity
"""
from __future__ import annotations

import dataclasses
import functools
from collections import defaultdict
from importlib import resources
from typing import Iterable, Optional

import pyshacl
import rdflib
from rdflib.namespace import RDF, RDFS, SH

SCHEMAS = "ckanext.citizendata.schemas"
OFFICIAL = "dcat-ap-3.0.1"
# shapes set name -> file under schemas/; data, so a new set is one line
SHAPES_FILES = {
    "mandatory": f"shacl/{OFFICIAL}/shapes.ttl",
    "recommended": f"shacl/{OFFICIAL}/shapes_recommended.ttl",
    "range": f"shacl/{OFFICIAL}/range.ttl",
    "citizendata": "shapes/citizendata-shapes.ttl",
}
GROUPS = {
    "official": ("mandatory", "recommended", "range"),
    "own": ("citizendata",),
    "all": ("mandatory", "recommended", "range", "citizendata"),
}
PYSHACL_OPTIONS = {"inference": "none", "advanced": False, "js": False, "meta_shacl": False,
                   "abort_on_first": False, "allow_infos": False, "allow_warnings": False}


@dataclasses.dataclass(frozen=True)
class Result:
    """One SHACL validation result as plain values (``dataclasses.asdict`` gives JSON-ready data)."""

    shapes: str          # the shapes set, e.g. "range"
    severity: str        # "Violation", "Warning" or "Info"
    focus: str           # the focus node, e.g. "http://example.org/dataset/1"
    path: str            # the property path as a CURIE, e.g. "dct:language" ("" for node constraints)
    value: str           # the offending value in N3, e.g. '"en"' ("" when there is none, e.g. min count)
    shape: str           # the source shape; a property shape as "<node shape> <path>", e.g. ":Dataset_Shape dct:title"
    constraint: str      # the constraint component, e.g. "ClassConstraintComponent"
    message: str

    def as_dict(self) -> dict:
        """JSON-ready dict, e.g. ``{"shapes": "range", "severity": "Violation", ...}``."""
        return dataclasses.asdict(self)


def shapes_path(name: str):
    """The packaged file of a shapes set, e.g. ``shapes_path("range")``; it may not exist (own shapes)."""
    return resources.files(SCHEMAS).joinpath(SHAPES_FILES[name])


def available(which: str = "all") -> list[str]:
    """Names of the shapes sets of a group whose file exists, e.g. ``available("official")``."""
    if which not in GROUPS:
        raise ValueError(f"unknown shapes group {which!r}; known: {', '.join(GROUPS)}")
    return [name for name in GROUPS[which] if shapes_path(name).is_file()]


@functools.lru_cache(maxsize=None)
def shapes_graph(name: str) -> rdflib.Graph:
    """The parsed shapes graph of a set, parsed once per process, e.g. ``shapes_graph("mandatory")``."""
    with shapes_path(name).open("rb") as handle:
        return rdflib.Graph().parse(handle, format="turtle")


def validate(data_graph: rdflib.Graph, which: str = "all") -> list[Result]:
    """Validate a data graph against every available set of a group; returns every result, sorted.

    Example: ``validate(graph, "official")`` -> ``[Result(shapes="range", severity="Violation", ...)]``
    """
    results: list[Result] = []
    for name in available(which):
        results.extend(validate_with(data_graph, name))
    return sorted(results, key=lambda r: (r.shapes, r.shape, r.focus, r.value))


def validate_with(data_graph: rdflib.Graph, name: str) -> list[Result]:
    """The results of one shapes set, e.g. ``validate_with(graph, "range")``."""
    shapes = shapes_graph(name)
    _, report, _ = pyshacl.validate(data_graph, shacl_graph=shapes, **PYSHACL_OPTIONS)
    return [_result(report, node, shapes, name) for node in report.subjects(RDF.type, SH.ValidationResult)]


def failures(results: Iterable[Result], severities: Optional[set[str]] = None) -> list[Result]:
    """Results that count as failures: all of them by default (warnings too), or those of some severities."""
    return [r for r in results if severities is None or r.severity in severities]


def _curie(graph: rdflib.Graph, term) -> str:
    if term is None:
        return ""
    if isinstance(term, rdflib.URIRef):
        try:
            return graph.namespace_manager.normalizeUri(term)
        except Exception:  # rdflib refuses some IRIs as CURIEs; keep the IRI
            return f"<{term}>"
    if isinstance(term, rdflib.BNode):
        return "[]"  # blank node ids differ per parse and mean nothing to a reader
    return term.n3(graph.namespace_manager)


def _shape_name(shapes: rdflib.Graph, shape) -> str:
    """A readable name of a source shape: a property shape (usually a blank node) is named by its node
    shape and its path, e.g. ``":Dataset_Shape dct:language"``."""
    path = shapes.value(shape, SH.path)
    parent = shapes.value(None, SH.property, shape)
    if parent is None:
        if isinstance(shape, rdflib.URIRef):
            return _curie(shapes, shape)
        return str(shapes.value(shape, RDFS.label) or "[]")
    return f"{_curie(shapes, parent)} {_curie(shapes, path)}".strip()


def _result(report: rdflib.Graph, node, shapes: rdflib.Graph, name: str) -> Result:
    severity = report.value(node, SH.resultSeverity)
    component = report.value(node, SH.sourceConstraintComponent)
    value = report.value(node, SH.value)
    return Result(
        shapes=name,
        severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
        focus=str(report.value(node, SH.focusNode) or ""),
        path=_curie(shapes, report.value(node, SH.resultPath)),
        value="" if value is None else (str(value) if isinstance(value, rdflib.URIRef) else _curie(shapes, value)),
        shape=_shape_name(shapes, report.value(node, SH.sourceShape)),
        constraint=str(component).rsplit("#", 1)[-1] if component else "",
        message=" ".join(str(m) for m in report.objects(node, SH.resultMessage)),
    )


def render_text(results: Iterable[Result]) -> str:
    """A readable report grouped by shape, e.g.::

        range  :Distribution_Shape dct:format  (ClassConstraintComponent, Violation, 2 results)
          http://example.org/dataset/1/resource/2  value "CSV"  Value does not have class dct:MediaTypeOrExtent
    """
    groups: dict[tuple, list[Result]] = defaultdict(list)
    for result in results:
        groups[(result.shapes, result.shape, result.constraint, result.severity)].append(result)
    if not groups:
        return "Conforms: no results."
    lines = []
    for (shapes, shape, constraint, severity), members in sorted(groups.items()):
        lines.append(f"{shapes}  {shape}  ({constraint}, {severity}, {len(members)} result"
                     f"{'s' if len(members) != 1 else ''})")
        for r in sorted(members, key=lambda r: (r.focus, r.path, r.value)):
            value = f"  value {r.value}" if r.value else ""
            lines.append(f"  {r.focus}{value}  {r.message}")
    every = [r for members in groups.values() for r in members]
    lines.append(f"{len(every)} results: " + ", ".join(f"{n} {s}" for s, n in sorted(summary(every).items())))
    return "\n".join(lines)


def summary(results: Iterable[Result]) -> dict[str, int]:
    """Count of results per severity, e.g. ``{"Violation": 2, "Warning": 1}``."""
    counts: dict[str, int] = defaultdict(int)
    for result in results:
        counts[result.severity] += 1
    return dict(counts)
