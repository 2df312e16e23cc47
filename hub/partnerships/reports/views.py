"""The reports dashboard, the in-kind summary, the grant-report exports and the strategic view."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from hub.core.charts import bar_chart, format_number
from hub.core.exports import CellValue, write_csv, write_xlsx
from hub.core.forms import apply_errors
from hub.core.models import Affiliate
from hub.core.params import text_param
from hub.core.permissions import acting_user, affiliate_view, hub_staff_view
from hub.partnerships import scoring
from hub.partnerships.reports import dashboard as reports
from hub.partnerships.reports import exports, services, strategic
from hub.partnerships.reports.forms import ReportFilterForm, StrategicDefinitionForm

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
TOP_PARTNERS = 12
PAGE_SIZE = 50


def _download(
    name: str, fmt: str, headers: Sequence[str], rows: Iterable[Sequence[CellValue]]
) -> HttpResponse:
    """Return rows as a CSV or XLSX file named after what it holds and today's date."""
    filename = f"{name}-{timezone.localdate().isoformat()}.{fmt}"
    body = (
        write_xlsx(rows, headers, title=_("Partnerships")[:31])
        if fmt == "xlsx"
        else write_csv(rows, headers)
    )
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, filename) or ""
    response["Cache-Control"] = "private, no-store"
    return response


def _format(request: HttpRequest) -> str | None:
    fmt = (request.GET.get("format") or "csv").lower()
    return fmt if fmt in CONTENT_TYPES else None


def _charts(board: reports.Dashboard) -> dict[str, SafeString]:
    """Return the dashboard's charts, one per breakdown that has something to show (drawn on
    a cache miss only: reports.dashboard keeps them with the board)."""
    count = _("Partnerships")

    def chart(key: str, buckets: list[reports.Bucket], title: str, **kw: object) -> None:
        if any(b.count for b in buckets):
            charts[key] = bar_chart(
                [(count, [b.count for b in buckets])],
                [b.label for b in buckets],
                title=title,
                chart_id=f"chart-{key}",
                width=480,
                **kw,  # type: ignore[arg-type]
            )

    charts: dict[str, SafeString] = {}
    chart("stage", board.by_stage, _("Partnerships by stage"), horizontal=True)
    chart("type", board.by_partner_type, _("Partnerships by main partner's type"), horizontal=True)
    chart("region", board.by_region, _("Partnerships by region"), horizontal=True)
    chart("goal", board.by_goal, _("Partnerships by goal"), horizontal=True)
    chart(
        "contribution",
        board.by_contribution_type,
        _("Partnerships by contribution type"),
        horizontal=True,
    )
    chart("year", list(reversed(board.by_year)), _("Partnerships by start year"))
    for entry in board.money:
        if entry.by_year:
            charts[f"money-{entry.currency}"] = bar_chart(
                [
                    (_("Financial"), [y.financial.amount for y in entry.by_year]),
                    (_("In kind"), [y.in_kind.amount for y in entry.by_year]),
                ],
                [str(y.year) for y in entry.by_year],
                title=_("Contributions by year, in %(code)s") % {"code": entry.currency},
                description=_(
                    "Converted contributions per year; amounts without a rate are left out "
                    "and listed below."
                ),
                stacked=True,
                chart_id=f"chart-money-{entry.currency}",
                category_header=_("Year"),
            )
    return charts


def _dashboard_page(
    request: HttpRequest, *, affiliate: Affiliate | None, hub: bool
) -> HttpResponse:
    filters = reports.ReportFilters.from_params(request.GET)
    board = reports.dashboard(filters, affiliate=affiliate, published_only=hub, draw=_charts)
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        "partnerships/dashboard.html",
        {
            "board": board,
            "charts": board.charts,
            "form": ReportFilterForm(request.GET or None),
            "filters": filters,
            "query": query.urlencode(),
            "hub": hub,
            "affiliate": affiliate,
            "outputs": reports.dashboard_outputs(filters, affiliate=affiliate, published_only=hub),
        },
    )


@affiliate_view()
def dashboard(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Show the affiliate's partnerships counted by stage, partner, region, goal and year."""
    return _dashboard_page(request, affiliate=affiliate, hub=False)


@affiliate_view()
def dashboard_export(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Download a grant-report row per partnership the dashboard counts, as CSV or XLSX."""
    fmt = _format(request)
    if fmt is None:
        return HttpResponseBadRequest(_("Choose CSV or XLSX."))
    filters = reports.ReportFilters.from_params(request.GET)
    qs = reports.report_partnerships(filters, affiliate=affiliate)
    return _download(
        f"{affiliate.slug}-partnerships", fmt, exports.export_headers(), exports.export_rows(qs)
    )


@hub_staff_view
def hub_dashboard(request: HttpRequest) -> HttpResponse:
    """Show hub staff the dashboard across affiliates, counting published partnerships only."""
    return _dashboard_page(request, affiliate=None, hub=True)


@hub_staff_view
def hub_export(request: HttpRequest) -> HttpResponse:
    """Download a grant-report row per published partnership across affiliates."""
    fmt = _format(request)
    if fmt is None:
        return HttpResponseBadRequest(_("Choose CSV or XLSX."))
    filters = reports.ReportFilters.from_params(request.GET)
    qs = reports.report_partnerships(filters, published_only=True)
    return _download(
        "hub-partnerships",
        fmt,
        exports.export_headers(hub=True),
        exports.export_rows(qs, hub=True),
    )


@affiliate_view()
def in_kind(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Show in-kind support by type and by partner, for a year or all years, with charts."""
    year = reports.parse_year(text_param(request.GET, "year", 4))
    summary = reports.in_kind_summary(affiliate, year=year)
    charts: dict[str, SafeString] = {}
    when = str(year) if year else _("all years")
    if summary.by_type:
        charts["type"] = bar_chart(
            [(summary.currency, [t.amount for _key, _label, t in summary.by_type])],
            [label for _key, label, _t in summary.by_type],
            title=_("In-kind support by type, %(when)s, in %(code)s")
            % {"when": when, "code": summary.currency},
            horizontal=True,
            chart_id="chart-in-kind-type",
            category_header=_("In-kind type"),
        )
    if summary.by_partner:
        top = summary.by_partner[:TOP_PARTNERS]
        rest = summary.by_partner[TOP_PARTNERS:]
        labels = [name for _pk, name, _t in top]
        values = [t.amount for _pk, _name, t in top]
        if rest:
            labels.append(_("%(n)s other partners") % {"n": len(rest)})
            values.append(sum((t.amount for _pk, _name, t in rest), start=values[0] * 0))
        charts["partner"] = bar_chart(
            [(summary.currency, values)],
            labels,
            title=_("In-kind support by partner, %(when)s, in %(code)s")
            % {"when": when, "code": summary.currency},
            horizontal=True,
            chart_id="chart-in-kind-partner",
            category_header=_("Partner"),
        )
    return render(
        request,
        "partnerships/inkind.html",
        {"summary": summary, "charts": charts, "format_number": format_number},
    )


@affiliate_view()
def strategic_overview(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """List the affiliate's partnerships with their strategic score, label and health flags."""
    filters = strategic.StrategicFilters.from_params(request.GET)
    page = Paginator(strategic.strategic_list(affiliate, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    flags = scoring.health_flags_for(rows)
    query = urlencode({k: v for k, v in (("label", filters.label),) if v})
    return render(
        request,
        "partnerships/strategy_overview.html",
        {
            "page": page,
            "rows": [(p, flags[p.pk]) for p in rows],
            "filters": filters,
            "query": query,
            "counts": strategic.strategic_counts(affiliate),
            "definition": scoring.get_definition(),
        },
    )


@hub_staff_view
def strategic_definition(request: HttpRequest) -> HttpResponse:
    """Let hub staff change the one definition of a strategic partnership."""
    definition = scoring.get_definition()
    form = StrategicDefinitionForm(request.POST or None, instance=definition)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_definition(actor=acting_user(request), **form.service_fields())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Definition saved. Scores are being recomputed in the background."),
            )
            return redirect("partnerships:strategic_definition")
    return render(
        request, "partnerships/strategy_definition.html", {"form": form, "definition": definition}
    )
