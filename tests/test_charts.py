"""Server-side SVG charts: valid XML, accessible names, a data table, no scripts or styles."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

from defusedxml.ElementTree import fromstring

from hub.core.charts import bar_chart, format_number, line_chart, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"


def _svg(markup: str) -> ET.Element:
    figure = fromstring(str(markup))
    assert figure.tag == "figure"
    svg = figure.find(f"{SVG}svg")
    assert svg is not None
    return svg


def test_bar_chart_is_valid_svg_with_title_desc_and_role():
    markup = bar_chart([("Partnerships", [3, 5, 0])], ["Idea", "Active", "Ended"], title="By stage")
    svg = _svg(markup)
    assert svg.get("role") == "img"
    title = svg.find(f"{SVG}title")
    desc = svg.find(f"{SVG}desc")
    assert title is not None and title.text == "By stage"
    assert desc is not None and "Active: 5" in (desc.text or "")
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert len(svg.findall(f"{SVG}rect")) == 3


def test_chart_escapes_labels_and_titles():
    markup = bar_chart([("<b>", [1])], ['Museum "A" & <script>'], title="<script>alert(1)</script>")
    assert "<script>" not in markup
    svg = _svg(markup)
    assert svg.find(f"{SVG}title").text == "<script>alert(1)</script>"  # type: ignore[union-attr]


def test_chart_has_a_data_table_alternative_with_caption_and_headers():
    figure = fromstring(
        str(bar_chart([("Value", [Decimal("1200.50")])], ["Venue"], title="In kind"))
    )
    table = figure.find("details/table")
    assert table is not None
    assert table.find("caption").text == "In kind"  # type: ignore[union-attr]
    assert [th.text for th in table.findall("thead/tr/th")] == ["Category", "Value"]
    assert table.find("tbody/tr/th").get("scope") == "row"  # type: ignore[union-attr]
    assert table.find("tbody/tr/td").text == "1,200.50"  # type: ignore[union-attr]


def test_stacked_and_grouped_bars_draw_one_rect_per_value_and_a_legend():
    series: list[tuple[str, list[int | None]]] = [("Financial", [10, 20]), ("In kind", [5, None])]
    stacked = _svg(bar_chart(series, ["2025", "2026"], title="S", stacked=True))
    grouped = _svg(bar_chart(series, ["2025", "2026"], title="G", horizontal=True))
    for svg in (stacked, grouped):
        legend = svg.find(f"{SVG}g[@class='legend']")
        assert legend is not None
        assert len(legend.findall(f"{SVG}rect")) == 2
        bars = [r for r in svg.findall(f"{SVG}rect")]
        assert len(bars) == 4


def test_chart_uses_no_style_attribute_or_script():
    markup = str(bar_chart([("x", [1, 2])], ["a", "b"], title="t", horizontal=True))
    markup += str(line_chart([("x", [1, 2])], ["a", "b"], title="t"))
    assert "style=" not in markup
    assert "<script" not in markup


def test_line_chart_breaks_the_line_at_missing_values():
    svg = _svg(line_chart([("Views", [1, 2, None, 4, 5])], ["J", "F", "M", "A", "M"], title="V"))
    assert len(svg.findall(f"{SVG}polyline")) == 2
    assert len(svg.findall(f"{SVG}circle")) == 4


def test_empty_and_all_zero_charts_still_render():
    _svg(bar_chart([], [], title="Nothing"))
    _svg(bar_chart([("x", [0, 0])], ["a", "b"], title="Zeros"))
    _svg(line_chart([("x", [])], [], title="Empty"))


def test_negative_values_are_drawn_as_zero():
    svg = _svg(bar_chart([("x", [-5, 3])], ["a", "b"], title="t"))
    widths = [float(r.get("height", "0")) for r in svg.findall(f"{SVG}rect")]
    assert widths[0] == 0 and widths[1] > 0


def test_nice_ticks_are_round_and_cover_the_maximum():
    assert nice_ticks(7) == [0, 2, 4, 6, 8]
    assert nice_ticks(1000)[-1] >= 1000
    assert nice_ticks(0) == [0.0, 1.0]


def test_ids_are_stable_and_can_be_chosen():
    a = bar_chart([("x", [1])], ["a"], title="t")
    assert a == bar_chart([("x", [1])], ["a"], title="t")
    assert 'id="mine"' in bar_chart([("x", [1])], ["a"], title="t", chart_id="mine")


def _mirror_pairs(
    ltr: ET.Element, rtl: ET.Element, tag: str
) -> list[tuple[ET.Element, ET.Element]]:
    return list(zip(ltr.iter(f"{SVG}{tag}"), rtl.iter(f"{SVG}{tag}"), strict=True))


def test_right_to_left_charts_mirror_the_axis_and_keep_figures_left_to_right():
    from django.utils import translation

    args = ([("Views", [1234, 50]), ("Files", [7, 3])], ["Nordic Museum (en)", "متحف"])
    ltr = _svg(bar_chart(*args, title="t", horizontal=True))
    with translation.override("ar"):
        rtl = _svg(bar_chart(*args, title="t", horizontal=True))
        thousands = format_number(1234)
    width = float(rtl.get("width") or 0)
    assert ltr.get("direction") is None and rtl.get("direction") == "rtl"
    for a, b in _mirror_pairs(ltr, rtl, "rect"):  # every bar grows from the right
        x, w = float(a.get("x") or 0), float(a.get("width") or 0)
        assert abs(float(b.get("x") or 0) - (width - x - w)) < 0.2
    texts = list(rtl.iter(f"{SVG}text"))
    label = next(t for t in texts if t.find(f"{SVG}title") is not None)
    assert label.get("unicode-bidi") == "plaintext" and label.get("text-anchor") == "end"
    figure = next(t for t in texts if t.text == thousands)
    assert figure.get("direction") == "ltr" and figure.get("text-anchor") == "end"
    legend = [t for t in texts if t.text in {"Views", "Files"}]
    assert legend and all(t.get("direction") is None for t in legend)


def test_right_to_left_line_chart_runs_from_the_right():
    from django.utils import translation

    with translation.override("ar"):
        svg = _svg(line_chart([("Views", [1, 2, 3])], ["Jan", "Feb", "Mar"], title="t"))
    xs = [float(p.split(",")[0]) for p in svg.find(f".//{SVG}polyline").get("points").split()]  # type: ignore[union-attr]
    assert xs == sorted(xs, reverse=True)
