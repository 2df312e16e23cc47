"""Turn an impact report into words, charts, CSV and PDF for a partner to read."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intword
from django.utils import translation
from django.utils.formats import date_format, number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hub.core.charts import bar_chart, line_chart
from hub.core.exports import CellValue, write_csv
from hub.impact.selectors import ImpactReport


def readable_number(value: int) -> str:
    """Return a count as people say it: 1,240 or 1.8 million, in the current language."""
    if value >= 1_000_000:
        return str(intword(value))
    return number_format(value, use_l10n=True, force_grouping=True)


def summary(report: ImpactReport) -> list[str]:
    """Return the report's plain-language sentences, each with correct plurals."""
    sentences: list[str] = []
    if report.files:
        files = ngettext("%(n)s file", "%(n)s files", report.files) % {
            "n": readable_number(report.files)
        }
        if report.pages_using:
            pages = ngettext(
                "%(n)s Wikipedia page", "%(n)s Wikipedia pages", report.pages_using
            ) % {"n": readable_number(report.pages_using)}
            languages = ngettext("%(n)s language", "%(n)s languages", report.languages or 0) % {
                "n": readable_number(report.languages or 0)
            }
            in_use = ngettext(
                "%(n)s of them is in use.", "%(n)s of them are in use.", report.files_in_use or 0
            ) % {"n": readable_number(report.files_in_use or 0)}
            sentences.append(
                _("Your %(files)s appear on %(pages)s in %(languages)s.")
                % {"files": files, "pages": pages, "languages": languages}
                + " "
                + in_use
            )
        else:
            sentences.append(
                _("Your %(files)s are on Wikimedia Commons; none is used on a wiki page yet.")
                % {"files": files}
            )
    if report.views_year:
        sentences.append(
            ngettext(
                "The pages showing your content were seen %(n)s time in %(year)s.",
                "The pages showing your content were seen %(n)s times in %(year)s.",
                report.views_year,
            )
            % {"n": readable_number(report.views_year), "year": report.year}
        )
    if report.items:
        sentences.append(
            ngettext(
                "%(n)s Wikidata item describes your collection",
                "%(n)s Wikidata items describe your collection",
                report.items,
            )
            % {"n": readable_number(report.items)}
            + ", "
            + ngettext("with %(n)s statement", "with %(n)s statements", report.statements or 0)
            % {"n": readable_number(report.statements or 0)}
            + " "
            + ngettext(
                "and %(n)s link to Wikipedia articles.",
                "and %(n)s links to Wikipedia articles.",
                report.sitelinks or 0,
            )
            % {"n": readable_number(report.sitelinks or 0)}
        )
    if report.articles_created or report.articles_improved:
        sentences.append(_articles_sentence(report))
    if not report.measured:
        sentences.append(not_measured(report))
    return sentences


def not_measured(report: ImpactReport) -> str:
    """Return "Not measured yet" with the day the next refresh runs."""
    if report.next_refresh is None:
        return _("Not measured yet: the figures appear after the first refresh.")
    return _("Not measured yet: the next refresh runs by %(date)s.") % {
        "date": date_format(report.next_refresh, "DATE_FORMAT")
    }


def _articles_sentence(report: ImpactReport) -> str:
    """Return "12 articles were created and 40 improved since the partnership started."."""
    # Translators: the first half of "12 articles were created and 40 improved since ...".
    created = ngettext(
        "%(n)s article was created", "%(n)s articles were created", report.articles_created or 0
    ) % {"n": readable_number(report.articles_created or 0)}
    # Translators: the second half of "12 articles were created and 40 improved since ...".
    improved = ngettext("%(n)s improved", "%(n)s improved", report.articles_improved or 0) % {
        "n": readable_number(report.articles_improved or 0)
    }
    if report.scope == "partnership":
        return _("%(created)s and %(improved)s since the partnership started.") % {
            "created": created,
            "improved": improved,
        }
    return _("%(created)s and %(improved)s since each partnership started.") % {
        "created": created,
        "improved": improved,
    }


def charts(report: ImpactReport) -> dict[str, SafeString]:
    """Return the report's SVG charts: views per month, files in use, top pages and wikis."""
    drawn: dict[str, SafeString] = {}
    month_header = _("Month")
    if report.views_year:
        drawn["views"] = line_chart(
            [(_("Views"), report.views_by_month)],
            report.months,
            title=_("Views per month, %(year)s") % {"year": report.year},
            category_header=month_header,
            chart_id="chart-views",
        )
    if any(report.files_in_use_by_month):
        drawn["files_in_use"] = line_chart(
            [(_("Files in use"), report.files_in_use_by_month)],
            report.months,
            title=_("Files in use, %(year)s") % {"year": report.year},
            category_header=month_header,
            chart_id="chart-files-in-use",
        )
    if report.top_pages:
        drawn["top_pages"] = bar_chart(
            [(_("Views"), [views for _w, _t, views in report.top_pages])],
            [f"{title} ({wiki.split('.')[0]})" for wiki, title, _v in report.top_pages],
            title=_("Most viewed pages"),
            horizontal=True,
            category_header=_("Page"),
            chart_id="chart-top-pages",
        )
    if report.top_wikis:
        drawn["top_wikis"] = bar_chart(
            [(_("Pages"), [n for _w, n in report.top_wikis])],
            [wiki for wiki, _n in report.top_wikis],
            title=_("Wikis using the content"),
            horizontal=True,
            category_header=_("Wiki"),
            chart_id="chart-top-wikis",
        )
    return drawn


def report_csv(report: ImpactReport) -> bytes:
    """Return the report's figures as CSV: one row per figure, with its source and age."""
    headers = [
        _("Scope"),
        _("Content"),
        _("Figure"),
        _("Month"),
        _("Value"),
        _("Source"),
        _("Method"),
        _("Fetched"),
    ]
    rows: list[list[CellValue]] = []
    if not report.measured:
        rows.append([report.title, _("All content"), not_measured(report), "", "", "", "", None])
    for month, views in zip(report.months, report.views_by_month, strict=True):
        if views is not None:  # a month nothing was measured in has no row, not a zero
            rows.append([report.title, _("All content"), _("Views"), month, views, "", "", None])
    for entry in report.links:
        for figure in entry.figures:
            rows.append(
                [
                    report.title,
                    str(entry.link),
                    str(figure["label"]),
                    figure["month"],
                    figure["value"],
                    str(figure["source"]),
                    figure["method"],
                    figure["fetched_at"],
                ]
            )
    for wiki, title, views in report.top_pages:
        rows.append([report.title, wiki, _("Most viewed page"), "", views, "", title, None])
    for activity in report.activities:
        for line in activity.output_lines:  # type: ignore[attr-defined]
            rows.append(
                [
                    report.title,
                    activity.title,
                    line.label,
                    activity.starts_on.isoformat()[:7],
                    line.value,
                    line.source,
                    "",
                    line.as_of,
                ]
            )
    return write_csv(rows, headers)


def share_greeting(partner_names: str, sender: str) -> list[str]:
    """Return the lines that open a shared report: to whom it is, and which affiliate sends it."""
    if partner_names:
        opening = _("Dear %(names)s,") % {"names": partner_names}
    else:
        opening = _("Hello,")
    return [
        opening,
        _("%(affiliate)s sends you this report of what your content does on Wikimedia projects.")
        % {"affiliate": sender},
    ]


def report_pdf(report: ImpactReport, *, greeting: Sequence[str] = ()) -> bytes:
    """Return the report as a PDF: greeting (if any), summary, figures with sources, charts.

    In the reader's language: in Arabic the text is shaped and right to left, the charts mirror
    (hub.core.pdf), and names typed in another script keep their own direction."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.units import cm
    from reportlab.platypus import Spacer, Table, TableStyle

    from hub.core import pdf

    regular, _bold = pdf.fonts()
    rtl = pdf.right_to_left()
    styles = pdf.styles()
    story: list[Any] = [
        pdf.paragraph(_("Impact report: %(title)s") % {"title": report.title}, styles["Title"])
    ]
    for line in greeting:
        story.append(pdf.paragraph(line, styles["BodyText"]))
    for sentence in summary(report):
        story.append(pdf.paragraph(sentence, styles["BodyText"]))
    story.append(Spacer(1, 0.4 * cm))

    def bars(title: str, labels: list[str], values: list[int], horizontal: bool) -> None:
        story.append(pdf.paragraph(title, styles["Heading2"]))
        height = 14 * len(labels) + 40 if horizontal else 180
        drawing = Drawing(16 * cm, height)
        chart: Any = HorizontalBarChart() if horizontal else VerticalBarChart()
        chart.x, chart.y = (150, 20) if horizontal else (40, 30)
        chart.width = 16 * cm - chart.x - 20
        chart.height = height - chart.y - 10
        if rtl:  # room for the labels or the figures' axis on the right
            chart.x = 20
        chart.data = [values or [0]]
        chart.categoryAxis.categoryNames = [pdf.visual(label) for label in labels] or [""]
        chart.categoryAxis.labels.fontSize = 7
        chart.categoryAxis.labels.fontName = regular
        chart.valueAxis.valueMin = 0
        chart.valueAxis.labels.fontSize = 7
        # Axis figures grouped the reader's way (1,000 / 1 000), not as ReportLab writes them.
        chart.valueAxis.labelTextFormat = lambda v: number_format(
            int(v) if v == int(v) else v, use_l10n=True, force_grouping=True
        )
        chart.valueAxis.labels.fontName = regular
        if rtl and horizontal:  # labels on the right, bars growing leftwards
            chart.valueAxis.reverseDirection = 1
            chart.categoryAxis.joinAxisMode = "right"
            chart.categoryAxis.labels.boxAnchor = "w"
            chart.categoryAxis.labels.dx = 6
        elif rtl:  # the first month on the right, the figures' axis on the right
            chart.categoryAxis.reverseDirection = 1
            chart.valueAxis.joinAxisMode = "right"
            chart.valueAxis.labels.boxAnchor = "w"
            chart.valueAxis.labels.dx = 6
        chart.bars[0].fillColor = colors.HexColor("#0072b2")
        drawing.add(chart)
        story.append(drawing)

    for title, values in (
        (_("Views per month, %(year)s"), report.views_by_month),
        (_("Files in use, %(year)s"), report.files_in_use_by_month),
    ):
        measured = [(m[5:], v) for m, v in zip(report.months, values, strict=True) if v is not None]
        if any(v for _m, v in measured):  # only the months measured, each with its label
            bars(
                title % {"year": report.year},
                [m for m, _v in measured],
                [v for _m, v in measured],
                False,
            )
    if report.top_pages:
        top = list(reversed(report.top_pages))
        bars(
            _("Most viewed pages"),
            [f"{t[:28]} ({w.split('.')[0]})" for w, t, _v in top],
            [v for _w, _t, v in top],
            True,
        )
    if report.links:
        story.append(pdf.paragraph(_("Figures and their sources"), styles["Heading2"]))
        cell = styles["BodyText"].clone("HubCell", fontSize=8, leading=10)
        data: list[list[Any]] = [
            [pdf.visual(h) for h in (_("Content"), _("Figure"), _("Value"), _("Source"))]
            + [pdf.visual(_("Fetched"))]
        ]
        for entry in report.links:
            for figure in entry.figures:
                data.append(
                    [
                        pdf.paragraph(str(entry.link), styles["BodyText"]),
                        pdf.paragraph(str(figure["label"]), cell),
                        readable_number(figure["value"]),
                        pdf.paragraph(str(figure["source"]), cell),
                        figure["fetched_at"].date().isoformat(),
                    ]
                )
        widths = [5 * cm, 3.5 * cm, 2.2 * cm, 3.8 * cm, 2 * cm]
        if rtl:  # the first column on the right
            data = [list(reversed(row)) for row in data]
            widths.reverse()
        table = Table(data, repeatRows=1, colWidths=widths)
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), regular),
                    ("FONTSIZE", (0, 0), (-1, -1), 8),
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eaecf0")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("ALIGN", (0, 0), (-1, -1), "RIGHT" if rtl else "LEFT"),
                ]
            )
        )
        story.append(table)
    if report.activities:
        story.append(pdf.paragraph(_("Activities and their outputs"), styles["Heading2"]))
        cell = styles["BodyText"].clone("HubActivityCell", fontSize=8, leading=10)
        rows: list[list[Any]] = [
            [pdf.visual(h) for h in (_("Activity"), _("Output"), _("Value"), _("Source"))]
        ]
        for activity in report.activities:
            for line in activity.output_lines:  # type: ignore[attr-defined]
                source = (
                    _("typed by hand")
                    if line.typed
                    else _("%(source)s, %(date)s")
                    % {"source": line.source, "date": line.as_of.isoformat() if line.as_of else ""}
                )
                rows.append(
                    [
                        pdf.paragraph(f"{activity.title} ({activity.starts_on.isoformat()})", cell),
                        pdf.paragraph(line.label, cell),
                        readable_number(line.value),
                        pdf.paragraph(source, cell),
                    ]
                )
        activity_widths = [5.5 * cm, 4 * cm, 2.2 * cm, 4.8 * cm]
        if rtl:
            rows = [list(reversed(row)) for row in rows]
            activity_widths.reverse()
        activity_table = Table(rows, repeatRows=1, colWidths=activity_widths)
        activity_table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), regular),
                    ("FONTSIZE", (0, 0), (-1, -1), 8),
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eaecf0")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("ALIGN", (0, 0), (-1, -1), "RIGHT" if rtl else "LEFT"),
                ]
            )
        )
        story.append(activity_table)
    if report.sources:
        story.append(Spacer(1, 0.3 * cm))
        for label, fetched in report.sources:
            story.append(
                pdf.paragraph(
                    _("Source: %(source)s, fetched %(date)s.")
                    % {"source": label, "date": date_format(fetched.date(), "DATE_FORMAT")},
                    styles["Italic"],
                )
            )
    buffer = io.BytesIO()
    # The reader's language (the page's): PDF readers and screen readers take it from /Lang.
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=report.title,
        author=_("Partnerships Hub"),
        lang=translation.get_language() or settings.LANGUAGE_CODE,
    )
    document.build(story)
    return buffer.getvalue()
