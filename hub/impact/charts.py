"""Draw the impact report's charts as SVG: hub.core.charts when present, else a small bar chart.

hub.core.charts (the shared chart module) is being built in another slice; until it is merged,
the fallback below draws plain accessible bars with the same call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _


def format_number(value: Any) -> str:
    """Return a whole number grouped as people read it in the current language."""
    if value is None:
        return "—"
    return number_format(int(value), use_l10n=True, force_grouping=True)


def _fallback_bar_chart(
    series: Sequence[tuple[str, Sequence[Any]]],
    labels: Sequence[str],
    *,
    title: str,
    horizontal: bool = False,
    category_header: str = "",
    chart_id: str | None = None,
    **_ignored: Any,
) -> SafeString:
    """Return a one-series SVG bar chart with its figures as a table."""
    values = [float(v or 0) for v in (series[0][1] if series else [])]
    peak = max(values, default=0.0) or 1.0
    chart_id = chart_id or "chart"
    parts = []
    if horizontal:
        height = 24 * len(labels) + 8
        for i, (label, value) in enumerate(zip(labels, values, strict=False)):
            y = 4 + 24 * i
            width = 360 * value / peak
            parts.append(
                f'<text x="196" y="{y + 15}" text-anchor="end">{escape(label[:32])}</text>'
                f'<rect x="200" y="{y + 2}" width="{width:.1f}" height="18" fill="#0072b2"/>'
                f'<text x="{204 + width:.1f}" y="{y + 15}">{escape(format_number(value))}</text>'
            )
        size = f'viewBox="0 0 640 {height}" width="640" height="{height}"'
    else:
        band = 600 / max(len(labels), 1)
        for i, (label, value) in enumerate(zip(labels, values, strict=False)):
            h = 200 * value / peak
            x = 30 + i * band
            parts.append(
                f'<rect x="{x + band * 0.15:.1f}" y="{220 - h:.1f}" width="{band * 0.7:.1f}" '
                f'height="{h:.1f}" fill="#0072b2"/>'
                f'<text x="{x + band / 2:.1f}" y="238" text-anchor="middle">'
                f"{escape(label[-5:])}</text>"
            )
        size = 'viewBox="0 0 640 250" width="640" height="250"'
    rows = "".join(
        f'<tr><th scope="row">{escape(label)}</th><td>{escape(format_number(value))}</td></tr>'
        for label, value in zip(labels, values, strict=False)
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart-svg" {size} '
        f'aria-labelledby="{chart_id}-title" font-size="12">'
        f'<title id="{chart_id}-title">{escape(title)}</title>{"".join(parts)}</svg>'
    )
    table = (
        f'<details class="chart-data"><summary>{escape(_("Show the figures as a table"))}'
        f"</summary><table><caption>{escape(title)}</caption><thead><tr>"
        f'<th scope="col">{escape(category_header)}</th>'
        f'<th scope="col">{escape(series[0][0] if series else "")}</th></tr></thead>'
        f"<tbody>{rows}</tbody></table></details>"
    )
    return mark_safe(  # noqa: S308  every value went through escape()
        f'<figure class="chart" id="{chart_id}">{svg}{table}</figure>'
    )


try:
    from hub.core.charts import bar_chart  # type: ignore[import-not-found,unused-ignore]
except ImportError:
    bar_chart = _fallback_bar_chart
