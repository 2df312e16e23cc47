"""The scheduled jobs: once per period however many workers, a missed day caught up once, a
crash recorded and retried next period, queued jobs run as tasks."""

from __future__ import annotations

import datetime as dt
import signal
import threading
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django_tasks_db.models import DBTaskResult

from hub.core.models import ScheduledJob
from hub.core.schedule import Daily, Every, Job, Scheduler, claim, jobs, run_scheduled_job
from hub.partnerships.models import Reminder

pytestmark = pytest.mark.django_db

# A Monday morning in the Hub's time zone (UTC).
START = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)


class Recorder:
    """A job body that notes when it ran, and can be told to crash."""

    def __init__(self) -> None:
        self.runs: list[dt.datetime] = []
        self.crash = False

    def __call__(self) -> str:
        from django.utils import timezone

        self.runs.append(timezone.now())
        if self.crash:
            raise ValueError("the partner's wiki said no")
        return "done"


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _ticks(*schedulers: Scheduler, until: dt.datetime, step: dt.timedelta, clock: Any) -> None:
    """Let every scheduler tick, in turn, every step until the given moment."""
    now = START
    while now <= until:
        clock.move_to(now)
        for scheduler in schedulers:
            scheduler.tick()
        now += step


def test_each_job_runs_once_per_period_with_two_workers(clock: Any) -> None:
    daily, quarterly = Recorder(), Recorder()
    defined = [
        Job("test_daily", daily, Daily(dt.time(6, 0))),
        Job("test_quarter_hour", quarterly, Every(minutes=15)),
    ]
    first = Scheduler("worker-a", jobs=defined, queue=False)
    second = Scheduler("worker-b", jobs=defined, queue=False)

    _ticks(
        first, second, until=START + dt.timedelta(days=2), step=dt.timedelta(minutes=5), clock=clock
    )

    # Seen for the first time at 07:00: run at once (today's 06:00 was missed), then each 06:00.
    assert daily.runs == [
        START,
        dt.datetime(2026, 3, 3, 6, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 4, 6, 0, tzinfo=dt.UTC),
    ]
    assert len(quarterly.runs) == 2 * 24 * 4 + 1
    gaps = {b - a for a, b in zip(quarterly.runs, quarterly.runs[1:], strict=False)}
    assert gaps == {dt.timedelta(minutes=15)}
    row = ScheduledJob.objects.get(name="test_daily")
    assert row.last_outcome == ScheduledJob.Outcome.SUCCEEDED
    assert row.next_run_at == dt.datetime(2026, 3, 5, 6, 0, tzinfo=dt.UTC)
    assert row.last_worker in {"worker-a", "worker-b"}


def test_a_missed_week_is_caught_up_once_not_seven_times(clock: Any) -> None:
    daily = Recorder()
    defined = [Job("test_daily", daily, Daily(dt.time(6, 0)))]
    workers = [Scheduler(f"worker-{n}", jobs=defined, queue=False) for n in range(2)]
    for worker in workers:
        worker.tick()
    assert len(daily.runs) == 1

    # The machine was off for a week; it starts again on a Monday at 09:00.
    back = START + dt.timedelta(days=7, hours=2)
    clock.move_to(back)
    for _ in range(3):
        for worker in workers:
            worker.tick()

    assert daily.runs == [START, back]
    assert ScheduledJob.objects.get(name="test_daily").next_run_at == dt.datetime(
        2026, 3, 10, 6, 0, tzinfo=dt.UTC
    )


def test_a_crashing_job_is_recorded_and_tried_again_next_period(clock: Any, client: Any) -> None:
    flaky = Recorder()
    flaky.crash = True
    defined = [Job("test_flaky", flaky, Daily(dt.time(6, 0)))]
    worker = Scheduler("worker-a", jobs=defined, queue=False)

    assert worker.tick() == ["test_flaky"]
    row = ScheduledJob.objects.get(name="test_flaky")
    assert row.last_outcome == ScheduledJob.Outcome.FAILED
    assert "ValueError: the partner's wiki said no" in row.last_error
    assert row.last_duration is not None
    assert row.last_succeeded_at is None

    # Not again in the same period, however often the workers look.
    clock.move_to(START + dt.timedelta(hours=12))
    assert worker.tick() == []
    # The next period tries again, and a success clears the error.
    flaky.crash = False
    clock.move_to(dt.datetime(2026, 3, 3, 6, 0, 5, tzinfo=dt.UTC))
    assert worker.tick() == ["test_flaky"]
    row.refresh_from_db()
    assert row.last_outcome == ScheduledJob.Outcome.SUCCEEDED
    assert row.last_error == ""
    assert len(flaky.runs) == 2


def test_a_job_queued_for_the_workers_is_claimed_once_and_records_its_outcome(clock: Any) -> None:
    [job] = [job for job in jobs if job.name == "prune_imports"]
    workers = [Scheduler(f"worker-{n}", jobs=[job]) for n in range(2)]

    assert [worker.tick() for worker in workers] == [["prune_imports"], []]
    [queued] = DBTaskResult.objects.filter(task_path=run_scheduled_job.module_path)
    assert queued.args_kwargs["args"] == ["prune_imports"]
    assert ScheduledJob.objects.get(name="prune_imports").last_outcome == "queued"

    assert run_scheduled_job.call("prune_imports") == "succeeded"
    row = ScheduledJob.objects.get(name="prune_imports")
    assert row.last_outcome == ScheduledJob.Outcome.SUCCEEDED
    assert row.last_succeeded_at == START


def test_every_app_contributes_its_daily_jobs() -> None:
    names = {job.name for job in jobs}
    assert {
        "send_reminders",
        "refresh_impact",
        "prune_imports",
        "clear_sessions",
        "reap_tasks",
        "prune_task_results",
    } <= names
    inline = {job.name for job in jobs if job.inline}
    assert inline == {"reap_tasks", "prune_task_results"}


def test_the_reminders_job_reminds_on_the_first_day(clock: Any) -> None:
    from tests import factories

    aff = factories.affiliate()
    owner = factories.member(aff, username="ola")
    org = factories.organisation(aff, actor=owner)
    factories.interaction(org, actor=owner, follow_up_on=START.date())
    [job] = [job for job in jobs if job.name == "send_reminders"]

    Scheduler("worker-a", jobs=[job], queue=False).tick()

    assert Reminder.objects.filter(affiliate=aff).exists()
    assert ScheduledJob.objects.get(name="send_reminders").last_outcome == "succeeded"


def test_cron_runs_the_due_jobs_and_lists_them(clock: Any) -> None:
    out = StringIO()
    call_command("run_schedule", stdout=out)
    assert "send_reminders: succeeded" in out.getvalue()
    assert "reap_tasks: succeeded" in out.getvalue()
    out = StringIO()
    call_command("run_schedule", stdout=out)
    assert "send_reminders" not in out.getvalue()  # done for today

    listing = StringIO()
    call_command("run_schedule", "--list", stdout=listing)
    assert "send_reminders       daily at 06:00" in listing.getvalue()
    assert "next 2026-03-03 06:00" in listing.getvalue()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_at_the_same_instant_get_one_run_on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent connections: the PostgreSQL run checks this")
    job = Job("test_race", lambda: None, Every(minutes=5))
    ScheduledJob.objects.create(name="test_race", next_run_at=START)
    wins: list[bool] = []
    lock = threading.Lock()

    for round_ in range(10):
        now = START + dt.timedelta(minutes=5 * round_)
        barrier = threading.Barrier(2)

        def race(worker: str, now: dt.datetime = now, barrier: threading.Barrier = barrier) -> None:
            try:
                barrier.wait(timeout=10)
                won = claim(job, now=now, worker_id=worker)
                with lock:
                    wins.append(won)
            finally:
                connection.close()

        threads = [threading.Thread(target=race, args=(f"w{n}",)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=20)

    assert len(wins) == 20
    assert wins.count(True) == 10


@pytest.fixture
def restore_signals() -> Iterator[None]:
    """Put back the test runner's signal handlers, which an in-process worker replaces."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


@pytest.mark.django_db(transaction=True)
def test_a_worker_started_for_the_first_time_sends_the_days_reminders(
    restore_signals: None, mailoutbox: list[Any]
) -> None:
    """What `make run` does: a fresh worker runs the day's jobs at once, nobody needs cron."""
    from django.utils import timezone

    from tests import factories

    aff = factories.affiliate()
    owner = factories.member(aff, username="ola")
    org = factories.organisation(aff, actor=owner, name="Museo")
    factories.interaction(org, actor=owner, follow_up_on=timezone.localdate())

    call_command("run_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)

    assert Reminder.objects.filter(user=owner).exists()
    outcomes = dict(ScheduledJob.objects.values_list("name", "last_outcome"))
    assert set(outcomes.values()) == {"succeeded"}, outcomes
    assert "send_reminders" in outcomes
    assert [m.to for m in mailoutbox] == [["ola@example.org"]]  # the digest


@pytest.mark.django_db(transaction=True)
def test_with_the_scheduler_off_the_worker_leaves_the_jobs_to_cron(
    restore_signals: None, settings: Any
) -> None:
    settings.HUB_SCHEDULER = False

    call_command("run_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)

    assert not ScheduledJob.objects.exists()
    assert not DBTaskResult.objects.filter(task_path=run_scheduled_job.module_path).exists()
