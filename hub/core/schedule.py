"""Run the periodic jobs from the workers themselves, each once per period however many
workers run, on however many machines.

Apps contribute their jobs to ``jobs`` in their AppConfig.ready (core cannot import them).
Every worker's lease keeper calls ``Scheduler.tick`` every few seconds; a tick claims each due
job with a conditional UPDATE on its ScheduledJob row (``next_run_at <= now`` becomes the next
run), which one worker wins on SQLite and PostgreSQL alike. A claimed job is queued as a task
(``run_scheduled_job``), so it runs on a worker's main loop with the queue's
lease and reaper behind it; only the queue's own housekeeping (``inline=True``: the reaper,
pruning finished tasks) runs in the tick itself, because it must go on while every worker is
busy with a long task. A machine that was off finds its jobs overdue and runs each once, not
once per missed period: the next run is counted from now.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django_tasks import task

from hub.core.models import ScheduledJob
from hub.core.registry import Registry

logger = logging.getLogger(__name__)

# A failed job's traceback is kept for the admin, cut to its last characters.
ERROR_CHARS = 4000


class Period(Protocol):
    """When a job runs next."""

    def next_after(self, now: dt.datetime) -> dt.datetime:
        """Return the first run time strictly after now."""
        ...  # pragma: no cover

    def __str__(self) -> str: ...  # pragma: no cover

    def describe(self) -> str: ...  # pragma: no cover


@dataclass(frozen=True)
class Daily:
    """Once a day, at a time of day in the Hub's time zone (TIME_ZONE)."""

    at: dt.time

    def next_after(self, now: dt.datetime) -> dt.datetime:
        """Return the next time of day ``at`` after now."""
        zone = timezone.get_default_timezone()
        day = now.astimezone(zone).date()
        candidate = dt.datetime.combine(day, self.at, tzinfo=zone)
        if candidate <= now:
            candidate = dt.datetime.combine(day + dt.timedelta(days=1), self.at, tzinfo=zone)
        return candidate

    def __str__(self) -> str:
        return f"daily at {self.at:%H:%M}"

    def describe(self) -> str:
        """Say when, in the reader's language (str() stays English for logs and the JSON)."""
        return _("daily at %(time)s") % {"time": f"{self.at:%H:%M}"}


@dataclass(frozen=True)
class Every:
    """Every so many minutes (or seconds), counted from the last run."""

    minutes: float = 0
    seconds: float = 0

    def __post_init__(self) -> None:
        if self.interval <= dt.timedelta(0):
            raise ValueError("A period must be longer than zero.")

    @property
    def interval(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.minutes, seconds=self.seconds)

    def next_after(self, now: dt.datetime) -> dt.datetime:
        """Return now plus the interval."""
        return now + self.interval

    def __str__(self) -> str:
        seconds = self.interval.total_seconds()
        if seconds % 60:
            return f"every {seconds:g} s"
        return f"every {seconds / 60:g} min"

    def describe(self) -> str:
        """Say how often, in the reader's language."""
        seconds = self.interval.total_seconds()
        if seconds % 60:
            return _("every %(n)s s") % {"n": _figure(seconds)}
        return _("every %(n)s min") % {"n": _figure(seconds / 60)}


def _figure(value: float) -> str:
    return number_format(int(value) if value == int(value) else value)


@dataclass(frozen=True)
class Job:
    """A periodic job: a name (its row), what it runs, and when."""

    name: str
    run: Callable[[], Any]
    period: Period
    description: str | Promise = ""
    # Run in the scheduler's tick, not as a task: only for quick queue housekeeping.
    inline: bool = False


jobs: Registry[Job] = Registry("scheduled jobs")


def find(name: str) -> Job | None:
    """Return the registered job of that name, or None."""
    return next((job for job in jobs if job.name == name), None)


def claim(job: Job, *, now: dt.datetime, worker_id: str) -> bool:
    """Take this period's run of the job if it is due and nobody took it; return whether taken.

    One UPDATE with the due condition in its WHERE: on PostgreSQL a second worker waits for the
    first one's row lock and then finds the row no longer due; SQLite lets one writer at a time.
    """
    taken = ScheduledJob.objects.filter(name=job.name, next_run_at__lte=now).update(
        next_run_at=job.period.next_after(now),
        last_started_at=now,
        last_outcome=ScheduledJob.Outcome.QUEUED,
        last_worker=worker_id[:64],
    )
    return taken == 1


def run_job(job: Job, *, worker_id: str = "") -> BaseException | None:
    """Run the job here and record its outcome and duration; return the error it raised."""
    started = timezone.now()
    ScheduledJob.objects.filter(name=job.name).update(
        last_outcome=ScheduledJob.Outcome.RUNNING,
        last_started_at=started,
        **({"last_worker": worker_id[:64]} if worker_id else {}),
    )
    clock = time.monotonic()
    try:
        result = job.run()
    except Exception as error:
        duration = time.monotonic() - clock
        logger.exception("Scheduled job %s failed after %.1f s", job.name, duration)
        ScheduledJob.objects.filter(name=job.name).update(
            last_outcome=ScheduledJob.Outcome.FAILED,
            last_finished_at=timezone.now(),
            last_duration=duration,
            last_error=traceback.format_exc()[-ERROR_CHARS:],
        )
        return error
    duration = time.monotonic() - clock
    finished = timezone.now()
    # The queue's housekeeping runs every few seconds: only the other jobs speak up.
    logger.log(
        logging.DEBUG if job.inline else logging.INFO,
        "Scheduled job %s done in %.1f s: %s",
        job.name,
        duration,
        result,
    )
    ScheduledJob.objects.filter(name=job.name).update(
        last_outcome=ScheduledJob.Outcome.SUCCEEDED,
        last_finished_at=finished,
        last_succeeded_at=finished,
        last_duration=duration,
        last_error="",
    )
    return None


class Scheduler:
    """Claim and start the due jobs; one per worker (or per cron run), all sharing the rows."""

    def __init__(
        self, worker_id: str, *, jobs: Iterable[Job] | None = None, queue: bool = True
    ) -> None:
        self.worker_id = worker_id
        self._jobs = list(jobs) if jobs is not None else None
        # False runs every job in the tick (cron's `manage.py run_schedule`, which has no worker).
        self.queue = queue

    def jobs(self) -> list[Job]:
        """Return the jobs this scheduler runs (by default every registered one)."""
        return list(jobs) if self._jobs is None else list(self._jobs)

    def tick(self, now: dt.datetime | None = None) -> list[str]:
        """Claim every due job, start each one claimed; return their names.

        A job seen for the first time is due at once: a new installation (or `make run`) runs
        the day's jobs on its first start instead of waiting for tomorrow.
        """
        now = now or timezone.now()
        by_name = {job.name: job for job in self.jobs()}
        due_at = dict(
            ScheduledJob.objects.filter(name__in=by_name).values_list("name", "next_run_at")
        )
        missing = [name for name in by_name if name not in due_at]
        if missing:
            ScheduledJob.objects.bulk_create(
                [ScheduledJob(name=name, next_run_at=now) for name in missing],
                ignore_conflicts=True,
            )
            due_at.update(dict.fromkeys(missing, now))
        claimed = []
        for name, job in by_name.items():
            if due_at[name] > now or not claim(job, now=now, worker_id=self.worker_id):
                continue
            claimed.append(name)
            if job.inline or not self.queue:
                run_job(job, worker_id=self.worker_id)
            else:
                self._enqueue(job)
        return claimed

    def _enqueue(self, job: Job) -> None:
        """Queue the job for any worker; record a failure to queue it on its row."""
        try:
            run_scheduled_job.enqueue(job.name)
        except Exception:
            logger.exception("Could not queue scheduled job %s", job.name)
            ScheduledJob.objects.filter(name=job.name).update(
                last_outcome=ScheduledJob.Outcome.FAILED,
                last_error=traceback.format_exc()[-ERROR_CHARS:],
            )


@task()
def run_scheduled_job(name: str) -> str:
    """Run a claimed job on this worker and record how it went; a failure fails the task too.

    Safe to run twice (the reaper re-queues it if its worker dies): every job is idempotent.
    A job no longer registered (removed in an upgrade) is skipped.
    """
    job = find(name)
    if job is None:
        logger.warning("No scheduled job is called %r any more; skipped.", name)
        return "unknown job"
    error = run_job(job)
    if error is not None:
        raise error
    return "succeeded"
