"""Impact's figures for partnerships, offered to apps beside it (hub.partnerships.slots)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from hub.impact.models import ContentLink, Metric, Source
from hub.impact.totals import SUMMED
from hub.partnerships.models import Partnership
from hub.partnerships.slots import Figure


def partnership_figures(partnerships: Sequence[Partnership]) -> dict[int, list[Figure]]:
    """Return each partnership's newest summed figures, their sources and oldest date (1 query).

    A figure no link measured is left out (it has no value, not zero); its date is the oldest
    fetch among the links that measured it, so "as of" never claims more than it knows.
    """
    labels = dict(Metric.choices)
    sources = dict(Source.choices)
    sums: dict[int, dict[str, int]] = defaultdict(dict)
    seen: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    oldest: dict[int, dict[str, dt.date]] = defaultdict(dict)
    links = ContentLink.objects.filter(partnership__in=[p.pk for p in partnerships]).only(
        "id", "partnership_id", "latest"
    )
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
    return {
        pk: [
            Figure(
                label=str(labels[metric]),
                value=value,
                source=", ".join(sorted(seen[pk][metric])),
                as_of=oldest[pk].get(metric),
            )
            for metric, _attribute in SUMMED
            if (value := by_metric.get(metric)) is not None
        ]
        for pk, by_metric in sums.items()
    }
