"""Impact's figures for partnerships, offered to apps beside it (hub.partnerships.slots).

Both read the partnerships' totals rows (PartnershipTotals), which every refresh and every
removed link rewrites in its transaction (hub.impact.totals), never the links themselves.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.core.labels import choice_labels
from hub.core.languages import join_list
from hub.core.sqlrows import Columns, fetch, marks
from hub.impact.models import TOTALLED, Metric, MetricPoint, PartnershipTotals
from hub.partnerships.models import Partnership
from hub.partnerships.slots import Figure

VIEWS = str(Metric.VIEWS)
_TOTALS = Columns(PartnershipTotals, "t")


def _label(metric: str, year: int) -> str:
    if metric == VIEWS:
        return _("Page views in %(year)s") % {"year": year}
    return choice_labels(MetricPoint, "metric")[metric]


def _sources(codes: Collection[str]) -> str:
    """Return the sources' names, sorted and joined, from their codes."""
    names = choice_labels(MetricPoint, "source")
    return join_list(sorted({names.get(code, code) for code in codes if code}))


def read_totals(ids: Sequence[int]) -> list[PartnershipTotals]:
    """Return the totals rows of the partnerships of those ids (whole rows, in no order).

    PartnershipTotals.objects.filter(partnership_id__in=ids), written out (hub.core.sqlrows):
    pages drawn on every visit (the partner portal) paid more compiling the queryset than
    running it. tests/test_showcase_totals.py compares the two.
    """
    if not ids:
        return []
    rows = fetch(
        f"SELECT {_TOTALS.select()} FROM {_TOTALS.table()}"  # noqa: S608
        f" WHERE t.partnership_id IN ({marks(ids)})",
        ids,
    )
    return list(map(_TOTALS.reader(), rows))


def partnership_figures(partnerships: Sequence[Partnership]) -> dict[int, list[Figure]]:
    """Return each partnership's figures: its links' newest figures summed, with their sources
    and oldest fetch, then its page views so far this year (1 query).

    A figure no link measured is left out (it has no value, not zero), and "as of" never
    claims more than the oldest fetch knows.
    """
    year = timezone.localdate().year
    found: dict[int, list[Figure]] = {}
    ids = [p.pk for p in partnerships]
    # Each label and each set of sources named once per call, not once per figure.
    labels = {metric: _label(metric, year) for metric in map(str, TOTALLED)}
    named: dict[str, str] = {}
    for totals in read_totals(ids):
        figures = []
        for metric, label in labels.items():
            value = getattr(totals, metric)
            if value is None or (metric == VIEWS and totals.views_year != year):
                continue
            codes = getattr(totals, f"{metric}_sources")
            if codes not in named:
                named[codes] = _sources(codes.split(","))
            figures.append(
                Figure(
                    label=label,
                    value=int(value),
                    source=named[codes],
                    as_of=getattr(totals, f"{metric}_as_of"),
                    key=metric,
                )
            )
        if figures:
            found[totals.partnership_id] = figures
    return found


def partnership_totals(partnerships: QuerySet[Partnership], keys: Collection[str]) -> list[Figure]:
    """Return the figures of the given keys summed over many partnerships (1 query, however
    many partnerships): what partnership_figures gives each one, added up, with every source
    and the oldest fetch (for page views, the newest month)."""
    year = timezone.localdate().year
    wanted = [str(metric) for metric in TOTALLED if metric in keys]
    if not wanted:
        return []
    # Written out: the query is simple, and building it with the ORM's conditional
    # expressions cost a showcase page three times what running it does. Every name in it
    # is a column of TOTALLED; the values are parameters. A row's page views count only in
    # the year they were counted for.
    q = connection.ops.quote_name
    groups, sums = [], []
    for metric in wanted:
        value, origin, as_of = q(metric), q(f"{metric}_sources"), q(f"{metric}_as_of")
        if metric == VIEWS:
            this_year = f"{q('views_year')} = %s"
            groups.append(f"CASE WHEN {this_year} THEN {origin} ELSE '' END")
            sums.append(f"SUM(CASE WHEN {this_year} THEN {value} END)")
            sums.append(f"MAX(CASE WHEN {this_year} THEN {as_of} END)")
        else:
            groups.append(origin)
            sums.append(f"SUM({value})")
            sums.append(f"MIN({as_of})")
    inner, inner_params = partnerships.order_by().values("pk").query.sql_with_params()
    # Names from TOTALLED, quoted; every value a parameter.
    table, column = q(PartnershipTotals._meta.db_table), q("partnership_id")
    numbers = ", ".join(str(n + 1) for n in range(len(groups)))
    select = f"SELECT {', '.join(groups)}, {', '.join(sums)} FROM {table}"  # noqa: S608
    sql = f"{select} WHERE {column} IN ({inner}) GROUP BY {numbers}"  # noqa: S608
    # Page views come last: their three placeholders are the last before the partnerships'.
    params = [year] * (3 if VIEWS in wanted else 0) + list(inner_params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    values: dict[str, int] = {}
    sources: dict[str, set[str]] = defaultdict(set)
    dates: dict[str, list[dt.date]] = defaultdict(list)
    for row in found:
        for n, metric in enumerate(wanted):
            value, when = row[len(wanted) + 2 * n], row[len(wanted) + 2 * n + 1]
            if value is None:
                continue
            values[metric] = values.get(metric, 0) + int(value)
            sources[metric].update((row[n] or "").split(","))
            if when:
                # SQLite answers an aggregate of dates as text.
                dates[metric].append(dt.date.fromisoformat(when) if isinstance(when, str) else when)
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
