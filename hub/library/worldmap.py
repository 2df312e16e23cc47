"""Draw the showcase's world map on the server: an SVG with countries shaded by count."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MAP_FILE = Path(__file__).resolve().parent / "data" / "world-110m.json"
# Light to dark blue (ColorBrewer "Blues", 5 classes): readable for colour-blind people too,
# and the table beside the map carries the same numbers.
SHADES = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
EMPTY = "#e5e5e5"


@cache
def outlines() -> dict[str, Any]:
    """Return the map's size and each country's outline (read once per process)."""
    data: dict[str, Any] = json.loads(MAP_FILE.read_text(encoding="utf-8"))
    return data


def shade(count: int, most: int) -> str:
    """Return the fill for a country with `count` of `most` partnerships."""
    if count <= 0 or most <= 0:
        return EMPTY
    step = min(len(SHADES) - 1, (count * len(SHADES) - 1) // most)
    return SHADES[step]


def world_map(counts: list[tuple[str, str, int]]) -> SafeString:
    """Return the map as inline SVG; names and numbers are escaped, the table has the same."""
    data = outlines()
    by_code = {code: (name, n) for code, name, n in counts}
    most = max((n for _c, _name, n in counts), default=0)
    title = _("Published partnerships by partner country")  # xgettext skips f-strings
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {data["width"]} {data["height"]}"'
        f' class="world-map" role="img" aria-labelledby="map-title">'
        f'<title id="map-title">{escape(title)}</title>'
    ]
    for code, path in data["countries"].items():
        name, n = by_code.get(code, ("", 0))
        if not n:
            parts.append(f'<path d="{path}" fill="{EMPTY}"/>')
            continue
        label = ngettext("%(country)s: %(n)s partnership", "%(country)s: %(n)s partnerships", n) % {
            "country": name,
            "n": n,
        }
        parts.append(
            f'<path d="{path}" fill="{shade(n, most)}"><title>{escape(label)}</title></path>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  # paths are our data file's; text escaped
