"""Impact's figures for partnerships, offered to apps beside it (hub.partnerships.slots)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.impact.models import ContentLink, Metric, MetricPoint, Source
from hub.impact.totals import SUMMED
from hub.partnerships.models import Partnership
from hub.partnerships.slots import Figure


def partnership_figures(partnerships: Sequence[Partnership]) -> dict[int, list[Figure]]:
    """Return each partnership's newest summed figures, their sources and oldest date (2 queries).

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
    for link in links:
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
