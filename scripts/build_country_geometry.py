#!/usr/bin/env python
"""Generate vocabularies/country-geometry.csv: a bounding box and a centroid per country (ISO 3166-1 alpha-3),
derived from Natural Earth's Admin 0 country boundaries at 1:10m as redistributed by the npm package
world-atlas (TopoJSON, file countries-10m.json).

The DCAT profile states them as ``dcat:bbox`` and ``dcat:centroid`` of every country it names (DCAT-AP 3
recommends both for ``dct:Location``). Nothing here runs inside CKAN: the CSV is the only thing shipped.

- bbox: the smallest and largest longitude and latitude of the country's rings (plain lon/lat; a country whose
  rings touch both sides of the antimeridian, such as Russia or Fiji, gets the full -180..180 span);
- centroid: the area-weighted centroid of the country's polygons in plain lon/lat (holes subtracted; rings
  and polygons across the antimeridian unwrapped first, the result brought back into -180..180).

Values are rounded to 3 decimals (about 100 m; the 1:10m data are quantized to about 0.0004 degrees). The
output is deterministic: rows sorted by code, same input, same bytes.

Usage::

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz          # gives package/countries-10m.json
    .venv/bin/python scripts/build_country_geometry.py package/countries-10m.json
    .venv/bin/python scripts/build_country_geometry.py SOURCE --out /tmp/country-geometry.csv
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from typing import Optional

import pycountry

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(ROOT, "vocabularies", "country-geometry.csv")
COLUMNS = ["code", "min_lon", "min_lat", "max_lon", "max_lat", "centroid_lon", "centroid_lat"]
DIGITS = 3


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """The arcs of a quantized TopoJSON topology in degrees (delta decoding, then the transform)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(arcs: list, indexes: list[int]) -> list[tuple[float, float]]:
    """One ring from arc indexes (``~i`` is arc ``i`` reversed); shared end points are not repeated."""
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc[1:] if points else arc)
    return points


def polygons(geometry: dict, arcs: list) -> list[list[list[tuple[float, float]]]]:
    """A Polygon or MultiPolygon geometry as a list of polygons, each a list of rings."""
    if geometry["type"] == "Polygon":
        return [[ring(arcs, r) for r in geometry["arcs"]]]
    if geometry["type"] == "MultiPolygon":
        return [[ring(arcs, r) for r in polygon] for polygon in geometry["arcs"]]
    return []


def ring_moments(points: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Signed area and the first moments of a ring (shoelace formula)."""
    area = mx = my = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1]):
        cross = x0 * y1 - x1 * y0
        area += cross
        mx += (x0 + x1) * cross
        my += (y0 + y1) * cross
    return area / 2, mx / 6, my / 6


def unwrap(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """A ring whose longitudes stay continuous where it crosses the antimeridian (the data are spherical:
    a ring may jump from 180 to -180)."""
    out, shift = [points[0]], 0.0
    for (x0, _), (x1, y1) in zip(points, points[1:]):
        if x1 - x0 > 180:
            shift -= 360
        elif x0 - x1 > 180:
            shift += 360
        out.append((x1 + shift, y1))
    return out


def _near(lon: float, reference: float) -> float:
    """``lon`` moved by whole turns to within half a turn of ``reference``."""
    return lon - 360 * round((lon - reference) / 360)


def geometry_row(shapes: list) -> dict[str, float]:
    """bbox and area-weighted centroid of a country's polygons (polygons on both sides of the antimeridian
    are brought next to the largest one before weighting).

    >>> square = [[[(0, 0), (2, 0), (2, 2), (0, 2)]]]
    >>> geometry_row(square)["centroid_lon"], geometry_row(square)["max_lat"]
    (1.0, 2.0)
    >>> across = [[[(179, 0), (-179, 0), (-179, 2), (179, 2)]]]
    >>> geometry_row(across)["centroid_lon"], geometry_row(across)["min_lon"]
    (180.0, -179.0)
    """
    xs = [x for polygon in shapes for r in polygon for x, _ in r]
    ys = [y for polygon in shapes for r in polygon for _, y in r]
    centroid = _centroid(shapes)
    if centroid is None:  # no polygon has an area: the middle of the bbox
        centroid = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    row = {"min_lon": min(xs), "min_lat": min(ys), "max_lon": max(xs), "max_lat": max(ys),
           "centroid_lon": centroid[0], "centroid_lat": centroid[1]}
    return {key: round(value, DIGITS) + 0.0 for key, value in row.items()}


def polygon_centroid(polygon: list[list[tuple[float, float]]]) -> Optional[tuple[float, float, float]]:
    """(area, centroid lon, centroid lat) of a polygon (its first ring the exterior, holes subtracted; rings
    across the antimeridian unwrapped); None when it has no area.

    >>> polygon_centroid([[(0, 0), (4, 0), (4, 4), (0, 4)], [(1, 1), (1, 3), (3, 3), (3, 1)]])
    (12.0, 2.0, 2.0)
    """
    moments = [ring_moments(unwrap(r)) for r in polygon]
    sign = 1.0 if moments[0][0] >= 0 else -1.0  # the exterior's orientation; holes run the other way
    area, mx, my = (sign * sum(m[k] for m in moments) for k in range(3))
    return (area, mx / area, my / area) if area else None


def _centroid(shapes: list) -> Optional[tuple[float, float]]:
    """The area-weighted centroid of polygons, each brought next to the largest one across the antimeridian;
    None when none has an area."""
    parts = [part for part in map(polygon_centroid, shapes) if part is not None]
    if not parts:
        return None
    reference = max(parts)[1]
    total = sum(a for a, _, _ in parts)
    lon = sum(a * _near(x, reference) for a, x, _ in parts) / total
    return _near(lon, 0.0), sum(a * y for a, _, y in parts) / total


def build(topology: dict) -> list[dict]:
    """One row per ISO 3166-1 country found in the topology (features without a known numeric code are
    skipped; several features with one code are merged)."""
    arcs = decode_arcs(topology)
    by_code: dict[str, list] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        country = pycountry.countries.get(numeric=str(geometry.get("id") or "").zfill(3))
        if country is not None:
            by_code.setdefault(country.alpha_3, []).extend(polygons(geometry, arcs))
    return [dict(code=code, **geometry_row(shapes)) for code, shapes in sorted(by_code.items()) if shapes]


def render(rows: list[dict]) -> str:
    out = io.StringIO()
    out.write("# Generated by scripts/build_country_geometry.py from Natural Earth Admin 0 countries 1:10m "
              "(npm world-atlas 2.0.2); do not edit by hand.\n# Sources and licences: vocabularies/ATTRIBUTION.md\n")
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: (f"{v:.{DIGITS}f}" if isinstance(v, float) else v) for k, v in row.items()})
    return out.getvalue()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", help="world-atlas countries-10m.json")
    parser.add_argument("--out", default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    with open(args.source, encoding="utf-8") as handle:
        rows = build(json.load(handle))
    with open(args.out, "w", encoding="utf-8") as handle:
        handle.write(render(rows))
    print(f"{len(rows)} countries -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
