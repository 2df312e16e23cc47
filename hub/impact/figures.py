"""Impact's figures for partnerships, offered to apps beside it (hub.partnerships.slots).

Both read the partnerships' totals rows (PartnershipTotals), which every refresh and every
removed link rewrites in its transaction (hub.impact.totals), never the links themselves.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import Any

from django.db.models import Case, F, Max, Min, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.impact.models import TOTALLED, Metric, PartnershipTotals, Source
from hub.partnerships.models import Partnership
from hub.partnerships.slots import Figure

VIEWS = str(Metric.VIEWS)


def _label(metric: str, year: int) -> str:
    if metric == VIEWS:
        return _("Page views in %(year)s") % {"year": year}
    return str(dict(Metric.choices)[metric])


def _sources(codes: Collection[str]) -> str:
    """Return the sources' names, sorted and joined, from their codes."""
    names = dict(Source.choices)
    return ", ".join(sorted({str(names.get(code, code)) for code in codes if code}))


def partnership_figures(partnerships: Sequence[Partnership]) -> dict[int, list[Figure]]:
    """Return each partnership's figures: its links' newest figures summed, with their sources
    and oldest fetch, then its page views so far this year (1 query).

    A figure no link measured is left out (it has no value, not zero), and "as of" never
    claims more than the oldest fetch knows.
    """
    year = timezone.localdate().year
    found: dict[int, list[Figure]] = {}
    rows = PartnershipTotals.objects.filter(partnership__in=[p.pk for p in partnerships])
    for values in rows.order_by().values():
        row: dict[str, Any] = dict(values)
        figures = []
        for metric in map(str, TOTALLED):
            value = row[metric]
            if value is None or (metric == VIEWS and row["views_year"] != year):
                continue
            figures.append(
                Figure(
                    label=_label(metric, year),
                    value=int(value),
                    source=_sources(row[f"{metric}_sources"].split(",")),
                    as_of=row[f"{metric}_as_of"],
                    key=metric,
                )
            )
        if figures:
            found[row["partnership_id"]] = figures
    return found


def _this_year(name: str, year: int, otherwise: Any = None) -> Case:
    """Return a views column where the row counts views of ``year``, else ``otherwise``."""
    return Case(When(views_year=year, then=F(name)), default=Value(otherwise))


def partnership_totals(partnerships: QuerySet[Partnership], keys: Collection[str]) -> list[Figure]:
    """Return the figures of the given keys summed over many partnerships (1 query, however
    many partnerships): what partnership_figures gives each one, added up, with every source
    and the oldest fetch (for page views, the newest month)."""
    year = timezone.localdate().year
    wanted = [str(metric) for metric in TOTALLED if metric in keys]
    if not wanted:
        return []
    groups: dict[str, Any] = {}
    sums: dict[str, Any] = {}
    for metric in wanted:
        if metric == VIEWS:
            groups[f"s_{metric}"] = _this_year(f"{metric}_sources", year, "")
            sums[f"v_{metric}"] = Sum(_this_year(metric, year))
            sums[f"d_{metric}"] = Max(_this_year(f"{metric}_as_of", year))
        else:
            groups[f"s_{metric}"] = F(f"{metric}_sources")
            sums[f"v_{metric}"] = Sum(metric)
            sums[f"d_{metric}"] = Min(f"{metric}_as_of")
    # Grouped by where each figure came from: a few rows, whatever the partnerships.
    rows = (
        PartnershipTotals.objects.filter(partnership__in=partnerships.order_by().values("pk"))
        .order_by()
        .values(**groups)
        .annotate(**sums)
    )
    values: dict[str, int] = {}
    sources: dict[str, set[str]] = defaultdict(set)
    dates: dict[str, list[dt.date]] = defaultdict(list)
    for row in rows:
        for metric in wanted:
            if row[f"v_{metric}"] is None:
                continue
            values[metric] = values.get(metric, 0) + int(row[f"v_{metric}"])
            sources[metric].update(row[f"s_{metric}"].split(","))
            if row[f"d_{metric}"]:
                dates[metric].append(row[f"d_{metric}"])
    return [
        Figure(
            label=_label(metric, year),
            value=values[metric],
            source=_sources(sources[metric]),
            as_of=(max if metric == VIEWS else min)(dates[metric], default=None),
            key=metric,
        )
        for metric in wanted
        if metric in values
    ]
