"""Read impact figures for pages and reports: scoped to the affiliate, a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from hub.core.models import Affiliate
from hub.core.permissions import get_for_affiliate_or_404
from hub.impact.models import (
    AffiliateMonthTotal,
    AffiliateTotals,
    ContentLink,
    Metric,
    MetricPoint,
    RefreshRun,
    ShareLink,
    Source,
)
from hub.impact.totals import SERIES_METRICS, summarise
from hub.partners.models import Organisation
from hub.partnerships.activities.outputs import with_output_lines
from hub.partnerships.models import Activity, Partnership, PartnershipPartner

FILE_METRICS = (Metric.FILES_DEEP, Metric.FILES_IN_USE, Metric.PAGES_USING)


@dataclass
class LinkFigures:
    """One content link with its newest figures, each with source and age."""

    link: ContentLink
    figures: list[dict[str, Any]]
    active_run: RefreshRun | None = None
    last_run: RefreshRun | None = None


@dataclass
class ImpactReport:
    """Everything a report page, its PDF and its CSV show, computed from stored figures."""

    title: str
    year: int
    links: list[LinkFigures]
    # None: not measured yet (no link has that figure), never shown as a zero.
    files: int | None = None
    files_in_use: int | None = None
    pages_using: int | None = None
    languages: int | None = None
    wikis: int | None = None
    items: int | None = None
    statements: int | None = None
    sitelinks: int | None = None
    articles: int | None = None
    articles_created: int | None = None
    articles_improved: int | None = None
    # "partnership", "partner" or "affiliate": one partnership's start, or each one's.
    scope: str = "partnership"
    views_year: int | None = None
    months: list[str] = field(default_factory=list)
    # None for a month nothing was measured in (not yet counted, or not published yet).
    views_by_month: list[int | None] = field(default_factory=list)
    files_in_use_by_month: list[int | None] = field(default_factory=list)
    top_pages: list[tuple[str, str, int]] = field(default_factory=list)
    top_wikis: list[tuple[str, int]] = field(default_factory=list)
    sources: list[tuple[str, dt.datetime]] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    # The day the next refresh runs at the latest (for a report with no figures yet).
    next_refresh: dt.date | None = None
    # Some figures were made up for the demo data (Source.DEMO), not measured: pages say so.
    demo: bool = False
    # The activities with outputs (newest first), each with ``output_lines``: counted from the
    # wikis with their source and date, or typed by hand (hub.partnerships.activities.outputs).
    activities: list[Activity] = field(default_factory=list)

    @property
    def has_figures(self) -> bool:
        return any(lf.figures for lf in self.links)

    @property
    def measured(self) -> bool:
        """Return whether any figure of the report was measured (fetched) at all."""
        return bool(self.sources)

    @property
    def as_of(self) -> dt.datetime | None:
        return min((when for _label, when in self.sources), default=None)


def partnership_for(affiliate: Affiliate, pk: int) -> Partnership:
    """Return the affiliate's partnership, or answer 404."""
    return get_for_affiliate_or_404(Partnership, affiliate, pk)


def link_for(partnership: Partnership, pk: int) -> ContentLink:
    """Return a content link of the partnership, or answer 404."""
    return get_object_or_404(ContentLink, pk=pk, partnership=partnership)


def run_for(partnership: Partnership, pk: int) -> RefreshRun:
    """Return a refresh run of one of the partnership's links, or answer 404."""
    return get_object_or_404(
        RefreshRun.objects.select_related("link"), pk=pk, link__partnership=partnership
    )


def organisation_for(affiliate: Affiliate, pk: int) -> Organisation:
    """Return the affiliate's organisation, or answer 404."""
    return get_for_affiliate_or_404(Organisation, affiliate, pk)


def share_links(
    affiliate: Affiliate,
    *,
    partnership: Partnership | None = None,
    organisation: Organisation | None = None,
) -> list[ShareLink]:
    """Return the share links of a partnership or partner still in force, newest first."""
    qs = ShareLink.objects.filter(
        affiliate=affiliate, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )
    if partnership is not None:
        qs = qs.filter(partnership=partnership)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return list(qs[:20])


def _figures_of(link: ContentLink) -> list[dict[str, Any]]:
    """Return the link's newest figures in display order, with their labels and sources."""
    labels = dict(Metric.choices)
    sources = dict(Source.choices)
    rows = []
    for metric in Metric.values:
        entry = link.latest.get(metric)
        if not entry or metric == Metric.TOP_PAGES:
            continue
        rows.append(
            {
                "metric": metric,
                "label": labels[metric],
                "value": entry["value"],
                "month": entry["month"][:7],
                "monthly": metric in (Metric.VIEWS, Metric.UPLOADS),
                "source": sources.get(entry["source"], entry["source"]),
                "method": entry["method"],
                "fetched_at": dt.datetime.fromisoformat(entry["fetched_at"]),
            }
        )
    return rows


def _links_for_partnership(affiliate: Affiliate, partnership: Partnership) -> QuerySet[ContentLink]:
    return ContentLink.objects.filter(affiliate=affiliate, partnership=partnership)


def _links_for_organisation(
    affiliate: Affiliate, organisation: Organisation
) -> QuerySet[ContentLink]:
    roles = PartnershipPartner.objects.filter(
        partnership=OuterRef("partnership"), organisation=organisation
    )
    return ContentLink.objects.filter(affiliate=affiliate).filter(Exists(roles))


def partnership_links(affiliate: Affiliate, partnership: Partnership) -> list[LinkFigures]:
    """Return the partnership's links, each with figures and its active or last run (2 queries)."""
    links = list(_links_for_partnership(affiliate, partnership))
    runs: dict[int, list[RefreshRun]] = defaultdict(list)
    # The newest runs of these links; a link has one active run at most.
    for run in RefreshRun.objects.filter(link__in=[lk.pk for lk in links]).order_by(
        "link_id", "-created_at", "-id"
    ):
        if len(runs[run.link_id]) < 1:
            runs[run.link_id].append(run)
    result = []
    for link in links:
        newest = runs[link.pk][0] if runs[link.pk] else None
        result.append(
            LinkFigures(
                link=link,
                figures=_figures_of(link),
                active_run=newest if newest and newest.is_active else None,
                last_run=newest,
            )
        )
    return result


def _series(rows: Iterable[Mapping[str, Any]]) -> dict[str, dict[dt.date, int]]:
    by_metric: dict[str, dict[dt.date, int]] = defaultdict(dict)
    for row in rows:
        by_metric[row["metric"]][row["month"]] = row["total"] or 0
    return by_metric


def _build(
    title: str,
    year: int | None,
    links: list[LinkFigures],
    by_metric: dict[str, dict[dt.date, int]],
    summary: dict[str, Any],
    scope: str,
    next_refresh: dt.date | None = None,
) -> ImpactReport:
    """Return a report from its monthly series and the summary of its links' newest figures."""
    view_years = sorted({m.year for m in by_metric[Metric.VIEWS]})
    if year is None:
        year = view_years[-1] if view_years else timezone.localdate().year
    months = [dt.date(year, m, 1) for m in range(1, 13)]
    report = ImpactReport(
        title=title,
        year=year,
        links=links,
        months=[m.isoformat()[:7] for m in months],
        views_by_month=[by_metric[Metric.VIEWS].get(m) for m in months],
        files_in_use_by_month=[by_metric[Metric.FILES_IN_USE].get(m) for m in months],
        years=view_years,
        scope=scope,
        next_refresh=next_refresh,
    )
    measured_views = [v for v in report.views_by_month if v is not None]
    report.views_year = sum(measured_views) if measured_views else None
    if not summary:
        return report
    for attribute, value in summary["sums"].items():
        setattr(report, attribute, value)
    report.wikis = summary["wikis"]
    report.languages = summary["languages"]
    report.top_wikis = [(wiki, n) for wiki, n in summary["top_wikis"]]
    report.top_pages = [(wiki, page, views) for wiki, page, views in summary["top_pages"]]
    labels = dict(Source.choices)
    sources: dict[str, dt.datetime] = {}
    for source, when in summary["sources"]:
        label = str(labels.get(source, source))
        fetched = dt.datetime.fromisoformat(when)
        if label not in sources or fetched < sources[label]:
            sources[label] = fetched
    report.sources = sorted(sources.items())
    report.demo = any(source == Source.DEMO for source, _when in summary["sources"])
    return report


def _report(
    title: str, links_qs: QuerySet[ContentLink], year: int | None, scope: str
) -> ImpactReport:
    """Build the report of a few links from their newest figures and their monthly points."""
    links = list(
        links_qs.select_related("partnership").only(
            "id",
            "kind",
            "target",
            "items",
            "wiki_url",
            "latest",
            "status",
            "partnership__title",
            "last_refreshed_at",
        )
    )
    # The report names its links' ids, so the (link, metric, month) index answers.
    series = (
        MetricPoint.objects.filter(link_id__in=[lk.pk for lk in links], metric__in=SERIES_METRICS)
        .values("metric", "month")
        .annotate(total=Sum("value"))
        .order_by("month")
    )
    return _build(
        title,
        year,
        [LinkFigures(link=lk, figures=_figures_of(lk)) for lk in links],
        _series(series),
        summarise(lk.latest for lk in links),
        scope,
        next_refresh(
            min((lk.last_refreshed_at for lk in links if lk.last_refreshed_at), default=None),
            any_never=any(lk.last_refreshed_at is None for lk in links),
        ),
    )


def next_refresh(oldest: dt.datetime | None, *, any_never: bool) -> dt.date:
    """Return the day the next link is refreshed at the latest, from the oldest refresh.

    The daily ``refresh_impact --due`` queues a link never refreshed (``any_never``), or
    refreshed more than HUB_IMPACT_REFRESH_DAYS ago: the first is due tomorrow at the latest.
    """
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    if any_never or oldest is None:
        return tomorrow
    due = timezone.localdate(oldest) + dt.timedelta(days=settings.HUB_IMPACT_REFRESH_DAYS + 1)
    return max(tomorrow, due)


def partnership_report(
    affiliate: Affiliate, partnership: Partnership, *, year: int | None = None
) -> ImpactReport:
    """Return the impact report of one partnership."""
    report = _report(
        partnership.title, _links_for_partnership(affiliate, partnership), year, "partnership"
    )
    report.activities = _activities_with_outputs(
        Activity.objects.filter(partnership=partnership, partnership__affiliate=affiliate)
    )
    return report


def organisation_report(
    affiliate: Affiliate, organisation: Organisation, *, year: int | None = None
) -> ImpactReport:
    """Return the impact report of one partner across all its partnerships."""
    report = _report(
        organisation.name, _links_for_organisation(affiliate, organisation), year, "partner"
    )
    report.activities = _activities_with_outputs(
        Activity.objects.filter(
            partnership__affiliate=affiliate,
            partnership__in=PartnershipPartner.objects.filter(organisation=organisation).values(
                "partnership_id"
            ),
        )
    )
    return report


# A report lists at most this many activities, the newest.
REPORT_ACTIVITIES = 50


def _activities_with_outputs(activities: QuerySet[Activity]) -> list[Activity]:
    """Return the newest activities that have outputs, each with its output lines (two
    queries: the activities, and their counted figures)."""
    rows = with_output_lines(
        activities.select_related("partnership").order_by("-starts_on", "-id")[:REPORT_ACTIVITIES]
    )
    return [a for a in rows if a.output_lines]  # type: ignore[attr-defined]


def affiliate_report(affiliate: Affiliate, *, year: int | None = None) -> ImpactReport:
    """Return the impact report of all the affiliate's partnerships (totals, no link list).

    It reads the totals every refresh keeps (two queries, one row per month), not the links.
    """
    totals = AffiliateTotals.objects.filter(affiliate=affiliate).first()
    series = AffiliateMonthTotal.objects.filter(affiliate=affiliate).values(
        "metric", "month", total=F("value")
    )
    figures = totals.figures if totals else {}
    refreshed = ContentLink.objects.filter(affiliate=affiliate).aggregate(
        oldest=Min("last_refreshed_at"),
        never=Count("pk", filter=Q(last_refreshed_at__isnull=True)),
    )
    due = next_refresh(refreshed["oldest"], any_never=bool(refreshed["never"]))
    return _build(affiliate.name, year, [], _series(series), figures, "affiliate", due)


def section_context(partnership: Partnership) -> dict[str, Any]:
    """Return what the partnership page's impact section shows: link count and key figures."""
    links = list(ContentLink.objects.filter(partnership=partnership).only("id", "latest", "status"))
    views = 0
    if links:  # nothing linked, nothing to count
        views = (
            MetricPoint.objects.filter(
                link__partnership=partnership,
                metric=Metric.VIEWS,
                month__gte=dt.date(timezone.localdate().year - 1, timezone.localdate().month, 1),
            ).aggregate(total=Sum("value"))["total"]
            or 0
        )

    def latest_sum(metric: str) -> int:
        return sum(lk.latest.get(metric, {}).get("value", 0) for lk in links if lk.latest)

    in_use = latest_sum(Metric.FILES_IN_USE)
    return {
        "impact_partnership": partnership,
        "impact_link_count": len(links),
        "impact_unverified": sum(1 for lk in links if lk.status != ContentLink.Status.VERIFIED),
        "impact_files_in_use": in_use,
        "impact_views_12_months": views,
        "impact_articles_created": latest_sum(Metric.ARTICLES_CREATED),
        "impact_articles_improved": latest_sum(Metric.ARTICLES_IMPROVED),
    }


def share_partner_names(share: ShareLink) -> list[str]:
    """Return the names of the partners a share link is for (the partnership's partners)."""
    if share.organisation is not None:
        return [share.organisation.name]
    return list(
        PartnershipPartner.objects.filter(partnership=share.partnership)
        .order_by("organisation__name")
        .values_list("organisation__name", flat=True)
    )


def share_for(
    affiliate: Affiliate,
    pk: int,
    *,
    partnership: Partnership | None = None,
    organisation: Organisation | None = None,
) -> ShareLink:
    """Return one share link of the partnership or partner, or answer 404."""
    return get_for_affiliate_or_404(
        ShareLink, affiliate, pk, partnership=partnership, organisation=organisation
    )
