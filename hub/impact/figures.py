"""Impact's figures for partnerships, offered to apps beside it (hub.partnerships.slots)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence

from django.db.models import BigIntegerField, Max, Min, QuerySet, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.impact.models import ContentLink, Metric, MetricPoint, Source
from hub.impact.totals import SUMMED
from hub.partnerships.models import Partnership
from hub.partnerships.slots import Figure


def partnership_figures(partnerships: Sequence[Partnership]) -> dict[int, list[Figure]]:
    """Return each partnership's newest summed figures, their sources and oldest date (2 queries,
    1 when none has a content link).

    A figure no link measured is left out (it has no value, not zero); its date is the oldest
    fetch among the links that measured it, so "as of" never claims more than it knows.
    """
    labels = dict(Metric.choices)
    sources = dict(Source.choices)
    sums: dict[int, dict[str, int]] = defaultdict(dict)
    seen: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    oldest: dict[int, dict[str, dt.date]] = defaultdict(dict)
    ids = [p.pk for p in partnerships]
    links = ContentLink.objects.filter(partnership__in=ids).only("id", "partnership_id", "latest")
    linked = False
    for link in links:
        linked = True
        pk = link.partnership_id
        for metric, _attribute in SUMMED:
            entry = (link.latest or {}).get(metric)
            if not entry:
                continue
            sums[pk][metric] = sums[pk].get(metric, 0) + int(entry.get("value") or 0)
            seen[pk][metric].add(str(sources.get(entry.get("source", ""), entry.get("source", ""))))
            fetched = entry.get("fetched_at")
            if fetched:
                day = dt.datetime.fromisoformat(fetched).date()
                if metric not in oldest[pk] or day < oldest[pk][metric]:
                    oldest[pk][metric] = day
    found = {
        pk: [
            Figure(
                label=str(labels[metric]),
                value=value,
                source=", ".join(sorted(seen[pk][metric])),
                as_of=oldest[pk].get(metric),
                key=str(metric),
            )
            for metric, _attribute in SUMMED
            if (value := by_metric.get(metric)) is not None
        ]
        for pk, by_metric in sums.items()
    }
    if not linked:  # views are counted per link: without a link there are none to read
        return found
    for pk, figure in _views_this_year(ids).items():
        found.setdefault(pk, []).append(figure)
    return found


def _views_this_year(ids: list[int]) -> dict[int, Figure]:
    """Return each partnership's page views so far this year, with sources and last month (1
    query): what the badge says ("3.1 M views in 2026")."""
    year = timezone.localdate().year
    sources = dict(Source.choices)
    rows = (
        MetricPoint.objects.filter(
            link__partnership__in=ids,
            metric=Metric.VIEWS,
            month__gte=dt.date(year, 1, 1),
            month__lt=dt.date(year + 1, 1, 1),
        )
        .order_by()  # the model's ordering would split the groups by month
        .values_list("link__partnership_id", "source")
        .annotate(total=Sum("value"), newest=Max("month"))
    )
    totals: dict[int, int] = defaultdict(int)
    seen: dict[int, set[str]] = defaultdict(set)
    newest: dict[int, dt.date] = {}
    for pk, source, total, month in rows:
        totals[pk] += int(total or 0)
        seen[pk].add(str(sources.get(source, source)))
        newest[pk] = max(month, newest.get(pk, month))
    return {
        pk: Figure(
            label=_("Page views in %(year)s") % {"year": year},
            value=value,
            source=", ".join(sorted(seen[pk])),
            as_of=newest[pk],
            key="views",
        )
        for pk, value in totals.items()
    }


def _date_of(fetched: str | None) -> dt.date | None:
    return dt.datetime.fromisoformat(fetched).date() if fetched else None


def partnership_totals(partnerships: QuerySet[Partnership], keys: Collection[str]) -> list[Figure]:
    """Return the figures of the given keys summed over many partnerships, in SQL (at most 4
    queries, however many partnerships).

    What partnership_figures gives each partnership, added up: the newest summed figures with
    every source they come from and the oldest fetch, then this year's page views.
    """
    labels = {str(k): str(v) for k, v in Metric.choices}
    sources = {str(k): str(v) for k, v in Source.choices}
    summed = [str(metric) for metric, _attribute in SUMMED if metric in keys]
    figures = _summed_totals(partnerships, summed, labels, sources) if summed else []
    if "views" in keys:
        figures += _views_total(partnerships, sources)
    return figures


def _summed_totals(
    partnerships: QuerySet[Partnership],
    summed: list[str],
    labels: dict[str, str],
    sources: dict[str, str],
) -> list[Figure]:
    # One pass over the links, grouped by where each figure came from: the sums, the oldest
    # fetch and the sources all come from these few rows.
    names = {f"source_{metric}": KT(f"latest__{metric}__source") for metric in summed}
    rows = (
        ContentLink.objects.filter(partnership__in=partnerships)
        .order_by()
        .values(**names)
        .annotate(
            **{
                f"sum_{metric}": Sum(Cast(KT(f"latest__{metric}__value"), BigIntegerField()))
                for metric in summed
            },
            **{f"oldest_{metric}": Min(KT(f"latest__{metric}__fetched_at")) for metric in summed},
        )
    )
    sums: dict[str, int | None] = {f"sum_{metric}": None for metric in summed}
    oldest: dict[str, str] = {}
    seen: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        for metric in summed:
            value = row[f"sum_{metric}"]
            if value is None:
                continue
            sums[f"sum_{metric}"] = (sums[f"sum_{metric}"] or 0) + int(value)
            source = row[f"source_{metric}"]
            if source:
                seen[metric].add(str(sources.get(source, source)))
            fetched = row[f"oldest_{metric}"]
            if fetched and (metric not in oldest or fetched < oldest[metric]):
                oldest[metric] = fetched
    return [
        Figure(
            label=str(labels[metric]),
            value=int(sums[f"sum_{metric}"] or 0),
            source=", ".join(sorted(seen[metric])),
            as_of=_date_of(oldest.get(metric)),
            key=str(metric),
        )
        for metric in summed
        if sums[f"sum_{metric}"] is not None
    ]


def _views_total(partnerships: QuerySet[Partnership], sources: dict[str, str]) -> list[Figure]:
    year = timezone.localdate().year
    views = MetricPoint.objects.filter(
        link__partnership__in=partnerships,
        metric=Metric.VIEWS,
        month__gte=dt.date(year, 1, 1),
        month__lt=dt.date(year + 1, 1, 1),
    ).order_by()
    # One grouped pass: each source's total and newest month.
    rows = list(views.values_list("source").annotate(total=Sum("value"), newest=Max("month")))
    if not rows:
        return []
    return [
        Figure(
            label=_("Page views in %(year)s") % {"year": year},
            value=sum(int(total or 0) for _source, total, _newest in rows),
            source=", ".join(sorted(str(sources.get(s, s)) for s, _total, _newest in rows)),
            as_of=max(newest for _source, _total, newest in rows),
            key="views",
        )
    ]
