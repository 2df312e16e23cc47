"""Rebuild world-110m.json, the showcase map's country outlines, from npm's world-atlas.

Run by hand when updating the map: `npm pack world-atlas@2.0.2`, unpack it, then
`python hub/library/data/build_world_map.py package/countries-110m.json`. The output holds one
SVG path per country (ISO 3166-1 alpha-2), in an equirectangular projection 720 wide, cropped
below 60°S (Antarctica left out), rounded to whole units, points closer than 2 units dropped,
to keep pages light. Each ring is drawn in relative steps (`l`), which gzip well.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django_countries import countries

SCALE = 2  # map units per degree
SOUTH = -60  # Antarctica is left out: no partnerships there, and it takes a fifth of the map
MIN_STEP = 2
WIDTH, HEIGHT = 360 * SCALE, (90 - SOUTH) * SCALE


def _arcs(topology: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def _ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[int, int]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    projected: list[tuple[int, int]] = []
    for lon, lat in points:
        point = (round((lon + 180) * SCALE), round((90 - max(lat, SOUTH)) * SCALE))
        # Drop points within MIN_STEP of the last kept one: invisible at this size.
        if (
            not projected
            or max(abs(point[0] - projected[-1][0]), abs(point[1] - projected[-1][1])) >= MIN_STEP
        ):
            projected.append(point)
    return projected


def _path(rings: list[list[tuple[int, int]]]) -> str:
    parts = []
    for ring in rings:
        if len(ring) < 3 or len(set(ring)) < 3:
            continue
        (x0, y0) = ring[0]
        # Relative steps (small numbers, no repeated command letter) halve the gzipped page.
        steps = [f"{x - px} {y - py}" for (px, py), (x, y) in zip(ring, ring[1:], strict=False)]
        parts.append(f"M{x0} {y0}l" + " ".join(steps).replace(" -", "-") + "z")
    return "".join(parts)


def build(source: Path) -> dict:
    topology = json.loads(source.read_text())
    arcs = _arcs(topology)
    shapes: dict[str, str] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = countries.alpha2(geometry.get("id", "")) or ""
        if not code or code == "AQ":
            continue  # Kosovo, Northern Cyprus, Somaliland: no ISO number in the data
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        rings = [_ring(arcs, ring) for polygon in polygons for ring in polygon]
        path = _path(rings)
        if path:
            shapes[code] = shapes.get(code, "") + path
    return {
        "source": "Natural Earth 1:110m (public domain) via world-atlas 2.0.2 (ISC licence)",
        "width": WIDTH,
        "height": HEIGHT,
        "countries": dict(sorted(shapes.items())),
    }


if __name__ == "__main__":
    import django

    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    out = Path(__file__).with_name("world-110m.json")
    out.write_text(json.dumps(build(Path(sys.argv[1])), separators=(",", ":")) + "\n")
    print(out, out.stat().st_size, "bytes")
