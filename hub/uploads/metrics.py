"""The uploads app's figures for /metrics: batches by status, files by ledger state."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from hub.uploads.models import UploadBatch, UploadRow


def upload_metrics(now: dt.datetime) -> Iterator[Metric]:
    """Yield the batches in each status and the files in each ledger state.

    Files that reached the wiki (uploaded, done) and those that ended skipped or failed are the
    upload outcomes; the others are still on their way.
    """
    del now  # the counts are of the present state; the registry passes the scrape's moment
    batches = dict(
        UploadBatch.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    by_status = GaugeMetricFamily(
        "hub_upload_batches", "Batch uploads, by status.", labels=["status"]
    )
    for status in UploadBatch.Status:
        by_status.add_metric([status.value], batches.get(status.value, 0))
    yield by_status
    rows = dict(
        UploadRow.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n")
    )
    by_state = GaugeMetricFamily(
        "hub_upload_files", "Files of batch uploads, by ledger state.", labels=["state"]
    )
    for state in UploadRow.State:
        by_state.add_metric([state.value], rows.get(state.value, 0))
    yield by_state
