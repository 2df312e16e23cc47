"""/metrics: refused without the token, Prometheus' text format, figures from every process."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.parser import text_string_to_metric_families

from hub.core.metrics import metric_sources
from hub.core.models import WorkerHeartbeat
from hub.core.tasks import send_mail_task
from hub.impact.models import ContentLink, RefreshRun
from tests import factories

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
TOKEN = "scrape-me-3b8f0c"


@pytest.fixture(autouse=True)
def _token(settings: Any) -> None:
    settings.HUB_METRICS_TOKEN = TOKEN


def _scrape() -> dict[str, Metric]:
    response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    return {f.name: f for f in text_string_to_metric_families(response.content.decode())}


def _value(family: Metric, suffix: str = "", **labels: str) -> float:
    """Return the one sample of that name and labels (0 for a label set not seen yet)."""
    found = [s for s in family.samples if s.name == family.name + suffix and s.labels == labels]
    assert len(found) <= 1, found
    return found[0].value if found else 0.0


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer", "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", TOKEN],
)
def test_refused_without_the_right_bearer_token(authorization: str) -> None:
    response = Client().get("/metrics", HTTP_AUTHORIZATION=authorization)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"hub_" not in response.content


@pytest.mark.parametrize("query", [f"token={TOKEN}", f"access_token={TOKEN}", f"x={TOKEN}"])
def test_a_token_in_the_address_is_refused_even_with_the_header(query: str) -> None:
    response = Client().get(f"/metrics?{query}", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 400
    assert b"Authorization header" in response.content
    assert b"hub_" not in response.content


def test_no_token_configured_means_no_metrics(settings: Any) -> None:
    settings.HUB_METRICS_TOKEN = ""
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_requests_queue_workers_mails_and_refreshes_in_prometheus_format(
    affiliate_a: Any, member_a: Any
) -> None:
    before = _scrape()["hub_http_requests"]
    Client().get("/no-such-page/")
    Client().get("/login/")
    send_mail_task.enqueue("Hello", "Body", ["ana@example.org"])
    WorkerHeartbeat.objects.create(worker_id="w1", last_seen=timezone.now())
    WorkerHeartbeat.objects.create(
        worker_id="w2", last_seen=timezone.now() - dt.timedelta(minutes=5)
    )
    partnership = factories.partnership(affiliate_a, actor=member_a)
    link = ContentLink.objects.create(
        affiliate=affiliate_a,
        partnership=partnership,
        kind=ContentLink.Kind.ARTICLES,
        wiki_url="https://sv.wikipedia.org",
    )
    RefreshRun.objects.create(
        link=link, status=RefreshRun.Status.FAILED, finished_at=timezone.now()
    )

    families = _scrape()

    requests = families["hub_http_requests"]
    assert requests.type == "counter"
    for status_class in ("2xx", "4xx"):
        grew = _value(requests, "_total", status_class=status_class) - _value(
            before, "_total", status_class=status_class
        )
        assert grew == 1, status_class  # the scrapes themselves are not counted
    duration = families["hub_http_request_duration_seconds"]
    assert duration.type == "histogram"
    assert _value(duration, "_bucket", le="+Inf") == _value(duration, "_count") > 0
    assert _value(families["hub_tasks_waiting"]) == 1
    assert _value(families["hub_tasks_oldest_wait_seconds"]) >= 0
    assert _value(families["hub_workers"], state="alive") == 1
    assert _value(families["hub_workers"], state="dead") == 1
    assert _value(families["hub_emails_waiting"]) == 1
    assert _value(families["hub_emails_last_day"], outcome="failed") == 0
    assert _value(families["hub_impact_refreshes"], status="failed") == 1
    assert _value(families["hub_impact_refreshes_finished_last_day"], outcome="failed") == 1
    assert _value(families["hub_job_failed"], job="send_reminders") == 0
    assert (
        b"ana@example.org"
        not in Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content
    )


@pytest.fixture
def broken_source() -> Iterator[None]:
    def broken(now: dt.datetime) -> Iterator[Metric]:
        raise RuntimeError("the uploads table is missing")
        yield GaugeMetricFamily("never", "never")  # pragma: no cover

    def uploads(now: dt.datetime) -> Iterator[Metric]:
        yield GaugeMetricFamily("hub_uploads_files", "Files uploaded.", value=7)

    metric_sources.register(broken)
    metric_sources.register(uploads)
    yield
    metric_sources._items.remove(broken)
    metric_sources._items.remove(uploads)


@pytest.mark.usefixtures("broken_source")
def test_apps_contribute_figures_and_a_failing_source_is_flagged_not_fatal() -> None:
    families = _scrape()
    assert _value(families["hub_uploads_files"]) == 7
    failed = families["hub_metrics_source_failed"]
    [sample] = failed.samples
    assert sample.value == 1 and "broken" in sample.labels["source"]
    assert "hub_tasks_waiting" in families


def test_gunicorn_processes_add_up_through_the_shared_folder(tmp_path: Path) -> None:
    """Two processes count requests; a third answers the scrape with the sum of all three."""
    shared = tmp_path / "metrics"
    shared.mkdir()
    env = {
        **os.environ,
        "HUB_TESTING": "1",
        "HUB_DATA_DIR": str(tmp_path),
        "PROMETHEUS_MULTIPROC_DIR": str(shared),
    }
    env.pop("HUB_DATABASE_URL", None)
    count = (
        "import django, sys; django.setup();"
        "from django.http import HttpResponse;"
        "from django.test import RequestFactory;"
        "from hub.core.metrics import RequestMetricsMiddleware, render;"
        "m = RequestMetricsMiddleware(lambda r: HttpResponse(status=int(sys.argv[1])));"
        "[m(RequestFactory().get('/x/')) for _ in range(int(sys.argv[2]))];"
        "sys.argv[3:] and sys.stdout.write(render().decode())"
    )

    def run(*args: str) -> str:
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-c", count, *args],
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    run("200", "2")
    run("500", "1")
    text = run("200", "1", "render")

    families = {f.name: f for f in text_string_to_metric_families(text)}
    requests = families["hub_http_requests"]
    assert _value(requests, "_total", status_class="2xx") == 3
    assert _value(requests, "_total", status_class="5xx") == 1
    assert _value(families["hub_http_request_duration_seconds"], "_count") == 4


def test_upload_outcomes_count_batches_by_status_and_files_by_ledger_state(
    affiliate_a: Any,
) -> None:
    from hub.uploads.models import UploadBatch, UploadRow

    partnership = factories.partnership(affiliate_a, title="Poster collection")
    batch = UploadBatch.objects.create(
        affiliate=affiliate_a,
        partnership=partnership,
        title="Posters",
        status=UploadBatch.Status.FINISHED,
    )
    for number, state in enumerate(["done", "done", "skipped", "failed"], start=2):
        UploadRow.objects.create(batch=batch, number=number, state=state)
    families = _scrape()
    assert _value(families["hub_upload_batches"], status="finished") == 1
    assert _value(families["hub_upload_batches"], status="running") == 0
    files = families["hub_upload_files"]
    assert (_value(files, state="done"), _value(files, state="skipped")) == (2, 1)
    assert _value(files, state="failed") == 1
