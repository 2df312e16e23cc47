"""Draw bar and line charts as SVG on the server: no JavaScript, readable, printable, accessible.

Each chart is a ``<figure>``: the SVG (``role="img"`` with a ``<title>`` and a ``<desc>`` that
says what it shows) and the same figures as a table, for screen readers and for copying into a
report. The markup is well-formed XML, so a test (or a PDF renderer) can parse it.

Colours come from the Okabe–Ito palette, which people with colour-blindness tell apart; values
are printed on the bars so that no figure depends on colour alone. Attributes, not ``style``,
carry the presentation: the Content-Security-Policy forbids inline styles.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from django.utils import translation
from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

Number = int | float | Decimal
SeriesInput = Sequence[tuple[str, Sequence[Number | None]]]

PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#7f7f7f")
TEXT = "#202122"
MUTED = "#54595d"
GRID = "#c8ccd1"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif"
FONT_SIZE = 12
CHAR_WIDTH = 7.2  # an average glyph at FONT_SIZE, to reserve room for labels
MAX_LABEL_CHARS = 32


def format_number(value: Number | None) -> str:
    """Return a number as people read it in the current language: grouped, two decimals at most."""
    if value is None:
        return "—"
    if isinstance(value, Decimal | float) and value != int(value):
        return number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
    return number_format(int(value), use_l10n=True, force_grouping=True)


def _attr(value: object) -> str:
    return quoteattr(str(value))


def _num(value: float) -> str:
    """Return a coordinate with at most one decimal, as compact SVG text."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _short(label: str, limit: int = MAX_LABEL_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def nice_ticks(maximum: float, count: int = 5, *, integer: bool = False) -> list[float]:
    """Return round tick values from 0 that cover maximum (steps of 1, 2 or 5 times 10^n).

    With ``integer`` (counts of things), no step is smaller than 1.
    """
    if maximum <= 0:
        return [0.0, 1.0]
    rough = maximum / count
    magnitude = 10 ** math.floor(math.log10(rough))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= rough)
    if integer:
        step = max(step, 1)
    top = math.ceil(maximum / step) * step
    return [i * step for i in range(int(round(top / step)) + 1)]


def _chart_id(title: str, labels: Sequence[str], chart_id: str | None) -> str:
    if chart_id:
        return chart_id
    digest = hashlib.sha256("\x1f".join([title, *labels]).encode()).hexdigest()[:10]
    return f"chart-{digest}"


def _integral(series: SeriesInput) -> bool:
    """Return True if every value is a whole number (counts), so ticks stay whole too."""
    return all(v is None or float(v).is_integer() for _name, values in series for v in values)


def _clean(series: SeriesInput, n: int) -> list[tuple[str, list[float | None]]]:
    """Return the series with one value per label; negative values are drawn as zero."""
    cleaned = []
    for name, values in series:
        row: list[float | None] = [
            None if v is None else max(float(v), 0.0) for v in list(values)[:n]
        ]
        row += [None] * (n - len(row))
        cleaned.append((str(name), row))
    return cleaned


def _data_table(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: SeriesInput,
    fmt: Callable[[Number | None], str],
    category_header: str,
) -> str:
    category_header = category_header or _("Category")
    # Outside the f-string: xgettext does not look inside f-strings for messages.
    summary = _("Show the figures as a table")
    head = "".join(f'<th scope="col">{escape(str(name))}</th>' for name, _values in series)
    rows = []
    for i, label in enumerate(labels):
        cells = "".join(
            f"<td>{escape(fmt(values[i] if i < len(values) else None))}</td>"
            for _name, values in series
        )
        rows.append(f'<tr><th scope="row">{escape(label)}</th>{cells}</tr>')
    # Outside the f-string: xgettext does not look inside one, so the message would not be
    # extracted for translators.
    summary = _("Show the figures as a table")
    return (
        f'<details class="chart-data"><summary>{escape(summary)}'
        f"</summary><table id={_attr(chart_id + '-table')}><caption>{escape(title)}</caption>"
        f'<thead><tr><th scope="col">{escape(category_header)}</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></details>"
    )


def _auto_description(labels: Sequence[str], series: SeriesInput, fmt: Callable[..., str]) -> str:
    parts = []
    for name, values in series[:3]:
        pairs = ", ".join(
            f"{label}: {fmt(value)}"
            for label, value in list(zip(labels, values, strict=False))[:12]
        )
        parts.append(f"{name} — {pairs}" if len(series) > 1 else pairs)
    return "; ".join(parts)


def _open_svg(chart_id: str, width: float, height: float, title: str, description: str) -> str:
    direction = ' direction="rtl"' if translation.get_language_bidi() else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg"{direction} role="img" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" width="{_num(width)}" '
        f'height="{_num(height)}" preserveAspectRatio="xMinYMin meet" '
        f"aria-labelledby={_attr(f'{chart_id}-title {chart_id}-desc')} "
        f'font-family={_attr(FONT)} font-size="{FONT_SIZE}" fill={_attr(TEXT)}>'
        f"<title id={_attr(chart_id + '-title')}>{escape(title)}</title>"
        f"<desc id={_attr(chart_id + '-desc')}>{escape(description)}</desc>"
    )


_X_ATTR = re.compile(r'\b(x|x1|x2|cx)="(-?[\d.]+)"')
_ELEMENT = re.compile(r"<text\b([^>]*)>(.*?)</text>|<(rect|line|circle|polyline)\b([^>]*)>", re.S)
_ANCHOR_SWAP = {"start": "end", "end": "start", "middle": "middle"}


def _mirror(markup: str, width: float, *, numbers: bool = True) -> str:
    """Return chart markup mirrored for a right-to-left language: the category axis and the
    bars run from the right, labels keep their own direction, and figures stay left-to-right
    (so "1,234 SEK" does not turn into "SEK 1,234"). With ``direction="rtl"`` on the SVG,
    ``text-anchor`` is logical, so labels keep their anchor; figures, set left-to-right, swap it.
    """

    def flip(match: re.Match[str]) -> str:
        if match.group(3):
            tag, attrs, content = match.group(3), match.group(4), ""
        else:
            tag, attrs, content = "text", match.group(1), match.group(2)
        if tag == "rect":
            rect_width = float(re.search(r'\swidth="([\d.]+)"', attrs).group(1))  # type: ignore[union-attr]
            attrs = re.sub(
                r'\bx="(-?[\d.]+)"',
                lambda m: f'x="{_num(width - float(m.group(1)) - rect_width)}"',
                attrs,
                count=1,
            )
        elif tag == "polyline":
            attrs = re.sub(
                r'points="([^"]*)"',
                lambda m: (
                    'points="'
                    + " ".join(
                        f"{_num(width - float(x))},{y}"
                        for x, y in (p.split(",") for p in m.group(1).split())
                    )
                    + '"'
                ),
                attrs,
            )
        else:
            attrs = _X_ATTR.sub(
                lambda m: f'{m.group(1)}="{_num(width - float(m.group(2)))}"', attrs
            )
        if tag != "text":
            return f"<{tag}{attrs}>"
        if numbers and "<title>" not in content:
            anchor = re.search(r'text-anchor="(\w+)"', attrs)
            swapped = _ANCHOR_SWAP[anchor.group(1) if anchor else "start"]
            attrs = re.sub(r'\s*text-anchor="\w+"', "", attrs)
            attrs += f' text-anchor="{swapped}" direction="ltr"'
        else:
            attrs += ' unicode-bidi="plaintext"'
        return f"<text{attrs}>{content}</text>"

    return _ELEMENT.sub(flip, markup)


def _assemble(
    chart_id: str, width: float, height: float, title: str, desc: str, body: list[str]
) -> str:
    """Return the SVG of a chart whose first body part is its legend, mirrored in RTL."""
    if translation.get_language_bidi():
        body = [_mirror(body[0], width, numbers=False), _mirror("".join(body[1:]), width)]
    return _open_svg(chart_id, width, height, title, desc) + "".join(body) + "</svg>"


def _legend(series_names: Sequence[str], x: float, y: float) -> tuple[str, float]:
    """Return the legend's markup (one row, wrapping) and the height it takes."""
    if len(series_names) < 2:
        return "", 0.0
    parts = ['<g class="legend">']
    cx, cy = x, y
    for i, name in enumerate(series_names):
        width = 18 + len(_short(name, 40)) * CHAR_WIDTH + 16
        if cx + width > 620 and cx > x:
            cx, cy = x, cy + 18
        parts.append(
            f'<rect x="{_num(cx)}" y="{_num(cy)}" width="12" height="12" '
            f"fill={_attr(PALETTE[i % len(PALETTE)])}/>"
            f'<text x="{_num(cx + 18)}" y="{_num(cy + 10)}">{escape(_short(name, 40))}</text>'
        )
        cx += width
    parts.append("</g>")
    return "".join(parts), cy - y + 24


def _figure(chart_id: str, svg: str, table: str, caption: str) -> SafeString:
    figcaption = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return mark_safe(  # noqa: S308  every value above went through escape() or quoteattr()
        f'<figure class="chart" id={_attr(chart_id)}>{svg}{figcaption}{table}</figure>'
    )


def bar_chart(
    series: SeriesInput,
    labels: Sequence[str],
    *,
    title: str,
    description: str = "",
    caption: str = "",
    horizontal: bool = False,
    stacked: bool = False,
    value_format: Callable[[Number | None], str] = format_number,
    category_header: str = "",
    chart_id: str | None = None,
    width: int = 640,
) -> SafeString:
    """Return an accessible SVG bar chart (grouped or stacked for several series) and its table.

    ``series`` is a list of (name, values), one value per label; a single series draws plain
    bars. ``horizontal`` suits long labels (partner names, in-kind types) and many categories.
    """
    labels = [str(label) for label in labels]
    chart_id = _chart_id(title, labels, chart_id)
    data = _clean(series, len(labels))
    names = [name for name, _values in data]
    if stacked:
        peak = max(
            (sum(v or 0.0 for v in column) for column in zip(*(v for _, v in data), strict=True)),
            default=0.0,
        )
    else:
        peak = max((v or 0.0 for _, values in data for v in values), default=0.0)
    ticks = nice_ticks(peak, integer=_integral(series))
    top = ticks[-1] or 1.0
    description = description or _auto_description(labels, series, value_format)
    legend_y = 8.0
    legend, legend_height = _legend(names, 8, legend_y)
    body: list[str] = [legend]
    n_series = max(len(data), 1)

    if horizontal:
        label_room = min(max((len(_short(lb)) for lb in labels), default=4), MAX_LABEL_CHARS)
        left = 16 + label_room * CHAR_WIDTH
        right = 64.0
        band = 22.0 if stacked or n_series == 1 else 12.0 * n_series + 10
        plot_top = legend_y + legend_height + 4
        plot_height = max(band * len(labels), band)
        height = plot_top + plot_height + 28
        plot_width = width - left - right

        def x_of(value: float) -> float:
            return left + plot_width * value / top

        for tick in ticks:
            x = x_of(tick)
            body.append(
                f'<line x1="{_num(x)}" y1="{_num(plot_top)}" x2="{_num(x)}" '
                f'y2="{_num(plot_top + plot_height)}" stroke={_attr(GRID)} stroke-width="1"/>'
                f'<text x="{_num(x)}" y="{_num(plot_top + plot_height + 16)}" '
                f'text-anchor="middle" fill={_attr(MUTED)}>{escape(value_format(tick))}</text>'
            )
        for i, label in enumerate(labels):
            y0 = plot_top + i * band
            body.append(
                f'<text x="{_num(left - 6)}" y="{_num(y0 + band / 2 + 4)}" text-anchor="end">'
                f"<title>{escape(label)}</title>{escape(_short(label))}</text>"
            )
            offset = 0.0
            for s, (name, values) in enumerate(data):
                value = values[i] or 0.0
                color = PALETTE[s % len(PALETTE)]
                tip = f"{label} — {name}: {value_format(values[i])}" if names[0] else label
                if stacked or n_series == 1:
                    y, h = y0 + 3, band - 6
                    x = x_of(offset)
                    offset += value
                else:
                    y, h = y0 + 5 + s * 12, 10.0
                    x = left
                w = x_of(value) - left
                body.append(
                    f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" height="{_num(h)}" '
                    f"fill={_attr(color)}><title>{escape(tip)}</title></rect>"
                )
                if not stacked:
                    body.append(
                        f'<text x="{_num(x + w + 4)}" y="{_num(y + h / 2 + 4)}" '
                        f'font-size="{FONT_SIZE - 1}">{escape(value_format(values[i]))}</text>'
                    )
            if stacked:
                body.append(
                    f'<text x="{_num(x_of(offset) + 4)}" y="{_num(y0 + band / 2 + 4)}" '
                    f'font-size="{FONT_SIZE - 1}">{escape(value_format(offset))}</text>'
                )
        body.append(
            f'<line x1="{_num(left)}" y1="{_num(plot_top)}" x2="{_num(left)}" '
            f'y2="{_num(plot_top + plot_height)}" stroke={_attr(MUTED)} stroke-width="1"/>'
        )
    else:
        tick_room = max(len(value_format(t)) for t in ticks)
        left = 12 + tick_room * CHAR_WIDTH
        right = 12.0
        plot_top = legend_y + legend_height + 12
        plot_height = 220.0
        height = plot_top + plot_height + 40
        plot_width = width - left - right
        band = plot_width / max(len(labels), 1)
        label_chars = max(int(band / CHAR_WIDTH), 3)

        def y_of(value: float) -> float:
            return plot_top + plot_height - plot_height * value / top

        for tick in ticks:
            y = y_of(tick)
            body.append(
                f'<line x1="{_num(left)}" y1="{_num(y)}" x2="{_num(width - right)}" '
                f'y2="{_num(y)}" stroke={_attr(GRID)} stroke-width="1"/>'
                f'<text x="{_num(left - 6)}" y="{_num(y + 4)}" text-anchor="end" '
                f"fill={_attr(MUTED)}>{escape(value_format(tick))}</text>"
            )
        for i, label in enumerate(labels):
            x0 = left + i * band
            body.append(
                f'<text x="{_num(x0 + band / 2)}" y="{_num(plot_top + plot_height + 16)}" '
                f'text-anchor="middle"><title>{escape(label)}</title>'
                f"{escape(_short(label, label_chars))}</text>"
            )
            offset = 0.0
            # Bars no wider than 72 units each: two years should not look like two walls.
            inner = min(band * 0.7, 72.0 * (1 if stacked else n_series))
            start = x0 + (band - inner) / 2
            for s, (name, values) in enumerate(data):
                value = values[i] or 0.0
                color = PALETTE[s % len(PALETTE)]
                tip = f"{label} — {name}: {value_format(values[i])}" if names[0] else label
                if stacked or n_series == 1:
                    x, w = start, inner
                    y = y_of(offset + value)
                    h = y_of(offset) - y
                    offset += value
                else:
                    w = inner / n_series
                    x = start + s * w
                    y = y_of(value)
                    h = y_of(0) - y
                body.append(
                    f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" height="{_num(h)}" '
                    f"fill={_attr(color)}><title>{escape(tip)}</title></rect>"
                )
                if not stacked and (n_series == 1 or w >= 24):
                    body.append(
                        f'<text x="{_num(x + w / 2)}" y="{_num(y - 4)}" text-anchor="middle" '
                        f'font-size="{FONT_SIZE - 1}">{escape(value_format(values[i]))}</text>'
                    )
            if stacked:
                body.append(
                    f'<text x="{_num(x0 + band / 2)}" y="{_num(y_of(offset) - 4)}" '
                    f'text-anchor="middle" font-size="{FONT_SIZE - 1}">'
                    f"{escape(value_format(offset))}</text>"
                )
        body.append(
            f'<line x1="{_num(left)}" y1="{_num(y_of(0))}" x2="{_num(width - right)}" '
            f'y2="{_num(y_of(0))}" stroke={_attr(MUTED)} stroke-width="1"/>'
        )

    svg = _assemble(chart_id, width, height, title, description, body)
    table = _data_table(chart_id, title, labels, series, value_format, category_header)
    return _figure(chart_id, svg, table, caption)


def line_chart(
    series: SeriesInput,
    labels: Sequence[str],
    *,
    title: str,
    description: str = "",
    caption: str = "",
    value_format: Callable[[Number | None], str] = format_number,
    category_header: str = "",
    chart_id: str | None = None,
    width: int = 640,
    max_x_labels: int = 12,
) -> SafeString:
    """Return an accessible SVG line chart of series over labels (months, years) and its table.

    A missing value (None) breaks the line rather than drawing it down to zero.
    """
    labels = [str(label) for label in labels]
    chart_id = _chart_id(title, labels, chart_id)
    data = _clean(series, len(labels))
    names = [name for name, _values in data]
    peak = max((v or 0.0 for _, values in data for v in values), default=0.0)
    ticks = nice_ticks(peak, integer=_integral(series))
    top = ticks[-1] or 1.0
    description = description or _auto_description(labels, series, value_format)
    legend_y = 8.0
    legend, legend_height = _legend(names, 8, legend_y)
    body: list[str] = [legend]
    tick_room = max(len(value_format(t)) for t in ticks)
    left = 12 + tick_room * CHAR_WIDTH
    right = 16.0
    plot_top = legend_y + legend_height + 12
    plot_height = 220.0
    height = plot_top + plot_height + 40
    plot_width = width - left - right
    pad = 16.0  # room for the first and last labels, centred on their points
    step = (plot_width - 2 * pad) / max(len(labels) - 1, 1)
    every = max(math.ceil(len(labels) / max_x_labels), 1)

    def x_of(i: int) -> float:
        return left + pad + (i * step if len(labels) > 1 else (plot_width - 2 * pad) / 2)

    def y_of(value: float) -> float:
        return plot_top + plot_height - plot_height * value / top

    for tick in ticks:
        y = y_of(tick)
        body.append(
            f'<line x1="{_num(left)}" y1="{_num(y)}" x2="{_num(width - right)}" y2="{_num(y)}" '
            f'stroke={_attr(GRID)} stroke-width="1"/>'
            f'<text x="{_num(left - 6)}" y="{_num(y + 4)}" text-anchor="end" '
            f"fill={_attr(MUTED)}>{escape(value_format(tick))}</text>"
        )
    for i, label in enumerate(labels):
        if i % every == 0:
            body.append(
                f'<text x="{_num(x_of(i))}" y="{_num(plot_top + plot_height + 16)}" '
                f'text-anchor="middle"><title>{escape(label)}</title>'
                f"{escape(_short(label, 12))}</text>"
            )
    for s, (name, values) in enumerate(data):
        color = PALETTE[s % len(PALETTE)]
        runs: list[list[str]] = [[]]
        for i, value in enumerate(values):
            if value is None:
                runs.append([])
                continue
            runs[-1].append(f"{_num(x_of(i))},{_num(y_of(value))}")
        for run in runs:
            if len(run) > 1:
                body.append(
                    f'<polyline points="{" ".join(run)}" fill="none" stroke={_attr(color)} '
                    f'stroke-width="2"/>'
                )
        for i, value in enumerate(values):
            if value is None:
                continue
            tip = f"{labels[i]} — {name}: {value_format(value)}"
            body.append(
                f'<circle cx="{_num(x_of(i))}" cy="{_num(y_of(value))}" r="3" '
                f"fill={_attr(color)}><title>{escape(tip)}</title></circle>"
            )
    body.append(
        f'<line x1="{_num(left)}" y1="{_num(y_of(0))}" x2="{_num(width - right)}" '
        f'y2="{_num(y_of(0))}" stroke={_attr(MUTED)} stroke-width="1"/>'
    )
    svg = _assemble(chart_id, width, height, title, description, body)
    table = _data_table(chart_id, title, labels, series, value_format, category_header)
    return _figure(chart_id, svg, table, caption)
