"""Sum content links' stored figures: for one report, or kept per affiliate for its report."""

from __future__ import annotations

import datetime as dt
import heapq
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from typing import Any

from django.db.models import Max, Model, Q, Sum
from django.utils import timezone

from hub.impact.models import (
    AffiliateMonthTotal,
    AffiliateTotals,
    ContentLink,
    Metric,
    MetricPoint,
    PartnershipTotals,
)
from hub.wikimedia.pageviews import project_host

# The monthly series a report draws, and how many wikis and pages it lists.
SERIES_METRICS = (Metric.VIEWS, Metric.FILES_IN_USE, Metric.UPLOADS)
TOP_N = 10
VIEWS = str(Metric.VIEWS)
# The newest figures a report adds up over its links, and the report field each one fills.
SUMMED = (
    (Metric.FILES_DEEP, "files"),
    (Metric.FILES_IN_USE, "files_in_use"),
    (Metric.PAGES_USING, "pages_using"),
    (Metric.ITEMS, "items"),
    (Metric.STATEMENTS, "statements"),
    (Metric.SITELINKS, "sitelinks"),
    (Metric.ARTICLES, "articles"),
    (Metric.ARTICLES_CREATED, "articles_created"),
    (Metric.ARTICLES_IMPROVED, "articles_improved"),
)


def summarise(latests: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Return what a report shows from its links' newest figures, as plain JSON values.

    Lists, not mappings, carry every order that matters (PostgreSQL's jsonb reorders keys).
    """
    # Only figures some link measured are summed: a figure nobody measured has no value,
    # not zero.
    sums: dict[str, int] = {}
    wikis: Counter[str] = Counter()
    measured_wikis = False
    pages: list[tuple[str, str, int]] = []
    oldest: dict[str, dt.datetime] = {}
    parsed: dict[str, dt.datetime] = {}
    for latest in latests:
        for metric, attribute in SUMMED:
            if metric in latest:
                sums[attribute] = sums.get(attribute, 0) + latest[metric]["value"]
        # Wikis by one id, their host name, whichever spelling a figure was stored with.
        if Metric.WIKIS_USING in latest:
            measured_wikis = True
            for wiki, count in latest[Metric.WIKIS_USING]["detail"].get("wikis", {}).items():
                wikis[project_host(wiki)] += count
        if Metric.TOP_PAGES in latest:
            pages += [
                (project_host(wiki), title, views)
                for wiki, title, views in latest[Metric.TOP_PAGES]["detail"].get("pages", [])
            ]
        for entry in latest.values():
            # One refresh writes one fetch time on many figures: parse each distinct one once.
            stamp = entry["fetched_at"]
            fetched = parsed.get(stamp)
            if fetched is None:
                fetched = parsed[stamp] = dt.datetime.fromisoformat(stamp)
            if entry["source"] not in oldest or fetched < oldest[entry["source"]]:
                oldest[entry["source"]] = fetched
    return {
        "sums": sums,
        "wikis": len(wikis) if measured_wikis else None,
        "languages": len({w for w in wikis if w.endswith(".wikipedia.org")})
        if measured_wikis
        else None,
        "top_wikis": [list(pair) for pair in wikis.most_common(TOP_N)],
        "top_pages": [
            list(p) for p in heapq.nsmallest(TOP_N, pages, key=lambda p: (-p[2], p[0], p[1]))
        ],
        "sources": sorted([source, when.isoformat()] for source, when in oldest.items()),
    }


def rebuild_affiliate_totals(affiliate_id: int) -> None:
    """Rewrite the affiliate's totals from its links; call in the transaction that changed them.

    The totals row is locked first, so two refreshes finishing together take turns and the
    second one sums the first one's committed figures: nothing is counted twice or lost.
    """
    AffiliateTotals.objects.get_or_create(affiliate_id=affiliate_id)
    totals = AffiliateTotals.objects.select_for_update().get(affiliate_id=affiliate_id)
    links = ContentLink.objects.filter(affiliate_id=affiliate_id)
    totals.figures = summarise(links.values_list("latest", flat=True).iterator(chunk_size=500))
    totals.save(update_fields=["figures", "updated_at"])
    series = (
        MetricPoint.objects.filter(link__in=links.values("pk"), metric__in=SERIES_METRICS)
        .values("metric", "month")
        .annotate(total=Sum("value"))
        .order_by()
    )
    AffiliateMonthTotal.objects.filter(affiliate_id=affiliate_id).delete()
    AffiliateMonthTotal.objects.bulk_create(
        AffiliateMonthTotal(
            affiliate_id=affiliate_id,
            metric=row["metric"],
            month=row["month"],
            value=row["total"] or 0,
        )
        for row in series
    )


def rebuild_totals(affiliate_id: int, partnership_id: int) -> None:
    """Rewrite the affiliate's totals and the partnership's from their links; call in the
    transaction that changed a link's figures or removed a link.

    The affiliate's totals row is locked first (rebuild_affiliate_totals), and every link of a
    partnership belongs to its affiliate: two refreshes of one partnership take turns here, and
    the second sums the first one's committed figures.
    """
    rebuild_affiliate_totals(affiliate_id)
    rebuild_partnership_totals([partnership_id])


def rebuild_partnership_totals(
    partnership_ids: Collection[int],
    *,
    year: int | None = None,
    models: tuple[type[Model], type[Model], type[Model]] = (
        ContentLink,
        MetricPoint,
        PartnershipTotals,
    ),
) -> int:
    """Rewrite the totals rows of the partnerships from their links (2 queries and the
    writes); return how many partnerships have a row now (those with a content link).

    What hub.impact.figures gives each partnership: the sum of each metric of SUMMED over the
    links that measured it (a figure no link measured stays null: no value, not zero), its
    sources and oldest fetch, and the page views of ``year`` (this year) with their sources
    and newest month. ``models`` (content link, metric point, partnership totals) lets a
    migration pass its historical models.
    """
    link_model, point_model, totals_model = models
    ids = list(partnership_ids)
    year = year or timezone.localdate().year
    rows: dict[int, dict[str, Any]] = {}
    sources: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    parsed: dict[str, dt.date] = {}
    links = link_model.objects.filter(partnership_id__in=ids).order_by()  # type: ignore[attr-defined]
    for pk, latest in links.values_list("partnership_id", "latest").iterator(chunk_size=500):
        row = rows.setdefault(pk, {"views_year": year})
        for metric, _attribute in SUMMED:
            entry = (latest or {}).get(metric)
            if not entry:
                continue
            name = str(metric)
            row[name] = row.get(name, 0) + int(entry.get("value") or 0)
            if entry.get("source"):
                sources[pk][name].add(str(entry["source"]))
            stamp = entry.get("fetched_at")
            if stamp:
                day = parsed.get(stamp)
                if day is None:
                    day = parsed[stamp] = dt.datetime.fromisoformat(stamp).date()
                oldest = row.get(f"{name}_as_of")
                row[f"{name}_as_of"] = day if oldest is None else min(oldest, day)
    views = (
        point_model.objects.filter(  # type: ignore[attr-defined]
            link__partnership_id__in=ids,
            metric=Metric.VIEWS,
            month__gte=dt.date(year, 1, 1),
            month__lt=dt.date(year + 1, 1, 1),
        )
        .order_by()
        .values_list("link__partnership_id", "source")
        .annotate(total=Sum("value"), newest=Max("month"))
    )
    for pk, source, total, month in views:
        row = rows.setdefault(pk, {"views_year": year})
        row[VIEWS] = row.get(VIEWS, 0) + int(total or 0)
        sources[pk][VIEWS].add(str(source))
        newest = row.get(f"{VIEWS}_as_of")
        row[f"{VIEWS}_as_of"] = month if newest is None else max(newest, month)
    for pk, row in rows.items():
        for name, codes in sources[pk].items():
            row[f"{name}_sources"] = ",".join(sorted(codes))[:200]
    totals_model.objects.filter(partnership_id__in=ids).delete()  # type: ignore[attr-defined]
    totals_model.objects.bulk_create(  # type: ignore[attr-defined]
        [totals_model(partnership_id=pk, **row) for pk, row in rows.items()], batch_size=500
    )
    return len(rows)


def rebuild_all_totals(*, batch: int = 500) -> tuple[int, int]:
    """Rewrite every affiliate's and partnership's totals from the links, one affiliate per
    transaction (its totals row locked, as a refresh does); return (affiliates, partnerships).

    For data written around the services (a bulk load, a restored backup): the refreshes
    and removed links keep the totals current by themselves.
    """
    from django.db import transaction

    from hub.core.models import Affiliate
    from hub.partnerships.models import Partnership

    affiliates = partnerships = 0
    for affiliate_id in Affiliate.objects.order_by("pk").values_list("pk", flat=True):
        # The partnerships with links, and those with totals left from links gone since.
        ids = list(
            Partnership.objects.filter(affiliate_id=affiliate_id)
            .filter(Q(content_links__isnull=False) | Q(impact_totals__isnull=False))
            .order_by("pk")
            .values_list("pk", flat=True)
            .distinct()
        )
        if not ids and not AffiliateTotals.objects.filter(affiliate_id=affiliate_id).exists():
            continue
        with transaction.atomic():
            rebuild_affiliate_totals(affiliate_id)
            for start in range(0, len(ids), batch):
                rebuild_partnership_totals(ids[start : start + batch])
        affiliates += 1
        partnerships += len(ids)
    return affiliates, partnerships
