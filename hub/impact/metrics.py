"""The impact app's figures for /metrics: refreshes of content links by outcome."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from hub.impact.models import RefreshRun


def refresh_metrics(now: dt.datetime) -> Iterator[Metric]:
    """Yield the refreshes in each state, and those that finished in the last day by outcome."""
    by_status = dict(
        RefreshRun.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    current = GaugeMetricFamily(
        "hub_impact_refreshes", "Refreshes of content links, by state.", labels=["status"]
    )
    for status in RefreshRun.Status:
        current.add_metric([status.value], by_status.get(status.value, 0))
    yield current
    finished = dict(
        RefreshRun.objects.filter(finished_at__gte=now - dt.timedelta(days=1))
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    last_day = GaugeMetricFamily(
        "hub_impact_refreshes_finished_last_day",
        "Refreshes that finished in the last day, by outcome.",
        labels=["outcome"],
    )
    for status in (RefreshRun.Status.DONE, RefreshRun.Status.FAILED):
        last_day.add_metric([status.value], finished.get(status.value, 0))
    yield last_day
