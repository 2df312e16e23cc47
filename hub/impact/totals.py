"""Sum content links' stored figures: for one report, or kept per affiliate for its report."""

from __future__ import annotations

import datetime as dt
import heapq
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db.models import Sum

from hub.impact.models import (
    AffiliateMonthTotal,
    AffiliateTotals,
    ContentLink,
    Metric,
    MetricPoint,
)
from hub.wikimedia.pageviews import project_host

# The monthly series a report draws, and how many wikis and pages it lists.
SERIES_METRICS = (Metric.VIEWS, Metric.FILES_IN_USE, Metric.UPLOADS)
TOP_N = 10
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
