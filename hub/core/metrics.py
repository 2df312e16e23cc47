"""Figures for Prometheus: requests counted by a middleware, the rest read from the database.

Requests are counted with prometheus-client, which keeps one set of counters per process and,
under gunicorn's several processes, adds them up at scrape time when PROMETHEUS_MULTIPROC_DIR
names a folder they share (docs/deployment.md); counters kept per process by hand would show
whichever process answered the scrape. Everything else (the queue, workers, e-mails, jobs and
what apps contribute to ``metric_sources``) is counted from the database at scrape time, so
every process and every machine reports the same figures.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector

from hub.core.health import job_states, queue_state
from hub.core.models import ScheduledJob
from hub.core.registry import Registry
from hub.core.tasks import send_mail_task

logger = logging.getLogger(__name__)

# A source returns metric families (prometheus_client.core.GaugeMetricFamily and friends)
# counted at the given moment. Apps register theirs in AppConfig.ready.
MetricSource = Callable[[dt.datetime], Iterable[Metric]]
metric_sources: Registry[MetricSource] = Registry("metric sources")

# The *_created series double every counter for little use.
disable_created_metrics()

# The probes and the scrapes themselves are not the traffic anyone wants to see.
UNCOUNTED_PATHS = ("/health/", "/metrics")

REQUESTS = Counter(
    "hub_http_requests",
    "HTTP requests answered, by status class.",
    ["status_class"],
    registry=None,
)
DURATION = Histogram(
    "hub_http_request_duration_seconds",
    "Time from a request's arrival to its response.",
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=None,
)


class RequestMetricsMiddleware:
    """Count every request by its status class and time it (outermost, so all of it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        if not request.path.startswith(UNCOUNTED_PATHS):
            REQUESTS.labels(status_class=f"{response.status_code // 100}xx").inc()
            DURATION.observe(time.perf_counter() - started)
        return response


def _multiprocess_dir() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


class _DatabaseCollector:
    """Yield every registered source's figures, skipping (and logging) a source that fails."""

    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        failed = GaugeMetricFamily(
            "hub_metrics_source_failed",
            "1 when a source of figures failed during this scrape (see the logs).",
            labels=["source"],
        )
        for source in metric_sources:
            name = getattr(source, "__qualname__", repr(source))
            try:
                families = list(source(now))
            except Exception:
                logger.exception("Metric source %s failed", name)
                failed.add_metric([name], 1)
                continue
            yield from families
        yield failed


def render() -> bytes:
    """Return every metric in Prometheus' text format."""
    registry = CollectorRegistry(auto_describe=False)
    if _multiprocess_dir():
        MultiProcessCollector(registry)
    else:
        registry.register(REQUESTS)
        registry.register(DURATION)
    registry.register(_DatabaseCollector())
    return generate_latest(registry)


def queue_metrics(now: dt.datetime) -> Iterator[Metric]:
    """Yield the queue's depth and oldest wait, failed tasks and workers."""
    state = queue_state(now)
    yield GaugeMetricFamily(
        "hub_tasks_waiting", "Tasks ready to run, waiting for a worker.", value=state.waiting
    )
    yield GaugeMetricFamily(
        "hub_tasks_oldest_wait_seconds",
        "How long the oldest waiting task has waited (0 when none waits).",
        value=state.oldest_wait_seconds or 0,
    )
    yield GaugeMetricFamily(
        "hub_tasks_failed_last_day",
        "Tasks that failed in the last day.",
        value=state.failed_last_day,
    )
    workers = GaugeMetricFamily(
        "hub_workers", "Background workers by whether they answer.", labels=["state"]
    )
    workers.add_metric(["alive"], state.workers_alive)
    workers.add_metric(["dead"], state.workers_dead)
    yield workers


def mail_metrics(now: dt.datetime) -> Iterator[Metric]:
    """Yield the e-mails sent and failed in the last day, and those waiting, from the queue.

    Every e-mail goes through send_mail_task, whose results the queue keeps for
    HUB_TASK_RESULT_RETENTION_DAYS: a count over the last day holds whatever the retention.
    """
    counts = DBTaskResult.objects.filter(task_path=send_mail_task.module_path).aggregate(
        sent=Count(
            "id",
            filter=Q(
                status=TaskResultStatus.SUCCESSFUL,
                finished_at__gte=now - dt.timedelta(days=1),
            ),
        ),
        failed=Count(
            "id",
            filter=Q(status=TaskResultStatus.FAILED, finished_at__gte=now - dt.timedelta(days=1)),
        ),
        waiting=Count("id", filter=Q(status=TaskResultStatus.READY)),
    )
    family = GaugeMetricFamily(
        "hub_emails_last_day", "E-mails sent or failed in the last day.", labels=["outcome"]
    )
    family.add_metric(["sent"], counts["sent"])
    family.add_metric(["failed"], counts["failed"])
    yield family
    yield GaugeMetricFamily(
        "hub_emails_waiting", "E-mails queued and not sent yet.", value=counts["waiting"]
    )


def job_metrics(now: dt.datetime) -> Iterator[Metric]:
    """Yield each scheduled job's last success, last duration and whether its last run failed."""
    succeeded = GaugeMetricFamily(
        "hub_job_last_success_timestamp_seconds",
        "When the scheduled job last succeeded (Unix time; 0: never).",
        labels=["job"],
    )
    duration = GaugeMetricFamily(
        "hub_job_last_duration_seconds", "How long the job's last run took.", labels=["job"]
    )
    failed = GaugeMetricFamily(
        "hub_job_failed", "1 when the job's last run failed.", labels=["job"]
    )
    late = GaugeMetricFamily("hub_job_late", "1 when no worker started the job.", labels=["job"])
    for state in job_states(now):
        last = state.last_succeeded_at
        stamp = dt.datetime.fromisoformat(last).timestamp() if last else 0
        succeeded.add_metric([state.name], stamp)
        duration.add_metric([state.name], state.duration_seconds or 0)
        failed.add_metric([state.name], int(state.outcome == ScheduledJob.Outcome.FAILED))
        late.add_metric([state.name], int(state.late))
    yield from (succeeded, duration, failed, late)


metric_sources.register(queue_metrics)
metric_sources.register(mail_metrics)
metric_sources.register(job_metrics)
