"""/health/: what a load balancer and a person on call see, and what they never see."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hub.core.models import ScheduledJob, WorkerHeartbeat
from hub.core.queue import beat
from hub.core.tasks import send_mail_task

pytestmark = pytest.mark.django_db


def _json(client: Client, url: str = "/health/?format=json") -> tuple[int, dict[str, Any]]:
    response = client.get(url)
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    return response.status_code, response.json()


def test_a_healthy_hub_answers_200_to_an_anonymous_visitor() -> None:
    beat("worker-1")

    status, report = _json(Client())

    assert status == 200
    assert report["status"] == "ok"
    assert set(report["checks"]) == {"database", "cache", "queue", "scheduled_jobs"}
    assert report["checks"]["queue"]["workers_alive"] == 1
    names = {job["name"] for job in report["checks"]["scheduled_jobs"]["jobs"]}
    assert {"send_reminders", "refresh_impact", "reap_tasks"} <= names


def test_a_dead_worker_and_an_old_waiting_task_answer_503(settings: Any) -> None:
    settings.HUB_HEALTH_MAX_TASK_WAIT_SECONDS = 600
    WorkerHeartbeat.objects.create(
        worker_id="gone",
        hostname="db-internal-7",
        last_seen=timezone.now() - dt.timedelta(minutes=3),
    )
    waiting = send_mail_task.enqueue("Hello", "Body", ["ana@example.org"])
    DBTaskResult.objects.filter(id=waiting.id).update(
        enqueued_at=timezone.now() - dt.timedelta(minutes=40)
    )

    status, report = _json(Client())

    assert status == 503
    queue = report["checks"]["queue"]
    assert queue["ok"] is False
    assert queue["workers_dead"] == 1
    assert queue["waiting"] == 1
    assert queue["oldest_wait_seconds"] >= 40 * 60
    assert any("40 minutes" in p for p in queue["problems"])
    assert any("1 worker stopped answering" in p for p in queue["problems"])
    # The page for people says the same, with the same status.
    page = Client().get("/health/", HTTP_ACCEPT="text/html")
    assert page.status_code == 503
    assert b"Something needs attention" in page.content
    # Nothing private: no host names, no addresses from the task's arguments.
    for body in (page.content, Client().get("/health/?format=json").content):
        assert b"db-internal-7" not in body
        assert b"ana@example.org" not in body
        assert b"gone" not in body


def test_a_task_waiting_for_its_retry_time_is_not_late() -> None:
    later = send_mail_task.using(run_after=timezone.now() + dt.timedelta(hours=1)).enqueue(
        "Hello", "Body", ["ana@example.org"]
    )
    DBTaskResult.objects.filter(id=later.id).update(
        enqueued_at=timezone.now() - dt.timedelta(hours=2)
    )

    status, report = _json(Client())

    assert status == 200
    assert report["checks"]["queue"]["waiting"] == 0


def test_a_failed_job_fails_health_without_showing_its_error() -> None:
    ScheduledJob.objects.create(
        name="send_reminders",
        next_run_at=timezone.now() + dt.timedelta(hours=5),
        last_started_at=timezone.now(),
        last_outcome=ScheduledJob.Outcome.FAILED,
        last_error="SMTPRecipientsRefused: {'ana@example.org': (550, 'no')}",
    )

    response = Client().get("/health/", HTTP_ACCEPT="application/json")

    assert response.status_code == 503
    problems = response.json()["checks"]["scheduled_jobs"]["problems"]
    assert problems == ["The job send_reminders failed on its last run."]
    assert b"ana@example.org" not in response.content


def test_a_job_no_worker_started_is_late(settings: Any) -> None:
    settings.HUB_HEALTH_JOB_LATE_SECONDS = 3600
    ScheduledJob.objects.create(
        name="refresh_impact", next_run_at=timezone.now() - dt.timedelta(hours=3)
    )
    status, report = _json(Client())
    assert status == 503
    assert report["checks"]["scheduled_jobs"]["problems"] == [
        "The job refresh_impact is late: no worker has started it."
    ]
    # With the scheduler off, cron runs the jobs: the rows say nothing about lateness.
    settings.HUB_SCHEDULER = False
    assert _json(Client())[0] == 200


def test_the_load_balancer_scope_checks_only_the_web_process_needs() -> None:
    WorkerHeartbeat.objects.create(
        worker_id="gone", last_seen=timezone.now() - dt.timedelta(minutes=3)
    )
    assert _json(Client())[0] == 503

    status, report = _json(Client(), "/health/?scope=web&format=json")

    assert status == 200
    assert set(report["checks"]) == {"database", "cache"}


def test_garbage_parameters_get_the_full_page(client_a: Client) -> None:
    response = client_a.get("/health/?format=%00xml&scope=" + "x" * 5000, HTTP_ACCEPT="a" * 4000)
    assert response.status_code == 200
    assert b"Everything works." in response.content
