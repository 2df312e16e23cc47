"""Tell whether the Hub can do its work: database, cache, task queue, workers, scheduled jobs.

Only counts, ages and job names leave this module: no worker host names, no task arguments,
no error texts (those can hold personal data; the admin shows a failed job's error).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from hub.core.models import ScheduledJob, WorkerHeartbeat
from hub.core.queue import lease
from hub.core.schedule import jobs
from hub.core.selectors import database_ping

# What a load balancer may ask for: the web process's own needs only, so a stuck queue does
# not take every web server out of rotation at once.
WEB_SCOPE = "web"


@dataclass(frozen=True)
class QueueState:
    """The task queue at a moment: what waits, for how long, what failed, who works it."""

    waiting: int
    oldest_wait_seconds: float | None
    failed_last_day: int
    workers_alive: int
    workers_dead: int


@dataclass(frozen=True)
class JobState:
    """A scheduled job's last run, as far as health is concerned."""

    name: str
    period: str
    outcome: str
    last_started_at: str | None
    last_finished_at: str | None
    last_succeeded_at: str | None
    duration_seconds: float | None
    next_run_at: str | None
    late: bool


def queue_state(now: dt.datetime | None = None) -> QueueState:
    """Return the queue's waiting tasks, its oldest wait, failures and workers (three queries)."""
    now = now or timezone.now()
    never = get_date_max()
    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY).filter(
        Q(run_after=never) | Q(run_after__lte=now)
    )
    # A task queued to run later waits from its run_after, not from when it was queued.
    tasks = waiting.aggregate(
        count=Count("id"),
        queued_since=Min("enqueued_at", filter=Q(run_after=never)),
        due_since=Min("run_after", filter=~Q(run_after=never)),
    )
    since = [t for t in (tasks["queued_since"], tasks["due_since"]) if t is not None]
    failed = DBTaskResult.objects.filter(
        status=TaskResultStatus.FAILED, finished_at__gte=now - dt.timedelta(days=1)
    ).count()
    cutoff = now - lease()
    workers = WorkerHeartbeat.objects.aggregate(
        alive=Count("worker_id", filter=Q(last_seen__gte=cutoff)),
        dead=Count("worker_id", filter=Q(last_seen__lt=cutoff)),
    )
    return QueueState(
        waiting=tasks["count"],
        oldest_wait_seconds=max(0.0, (now - min(since)).total_seconds()) if since else None,
        failed_last_day=failed,
        workers_alive=workers["alive"],
        workers_dead=workers["dead"],
    )


def job_states(now: dt.datetime | None = None) -> list[JobState]:
    """Return every registered job's last run and whether it is late (no worker claimed it)."""
    now = now or timezone.now()
    rows = {row.name: row for row in ScheduledJob.objects.all()}
    late_after = dt.timedelta(seconds=settings.HUB_HEALTH_JOB_LATE_SECONDS)
    states = []
    for job in jobs:
        row = rows.get(job.name)
        states.append(
            JobState(
                name=job.name,
                period=str(job.period),
                outcome=(row.last_outcome if row else "") or "never",
                last_started_at=_iso(row.last_started_at if row else None),
                last_finished_at=_iso(row.last_finished_at if row else None),
                last_succeeded_at=_iso(row.last_succeeded_at if row else None),
                duration_seconds=row.last_duration if row else None,
                next_run_at=_iso(row.next_run_at if row else None),
                # Only workers move next_run_at on: with the scheduler off (cron), it says nothing.
                late=bool(settings.HUB_SCHEDULER and row and row.next_run_at < now - late_after),
            )
        )
    return states


def report(now: dt.datetime | None = None, *, scope: str = "") -> dict[str, Any]:
    """Return every check with its figures and problems, and the overall status.

    ``scope="web"`` checks only what a web process needs (the database and the cache).
    """
    now = now or timezone.now()
    checks = {
        "database": _run(_database),
        "cache": _run(_cache, _("The cache did not answer.")),
    }
    if scope != WEB_SCOPE:
        checks["queue"] = _run(lambda: _queue(now))
        checks["scheduled_jobs"] = _run(lambda: _jobs(now))
    healthy = all(check["ok"] for check in checks.values())
    return {
        "status": "ok" if healthy else "failing",
        "checked_at": now.isoformat(),
        "checks": checks,
    }


def _run(check: Callable[[], dict[str, Any]], unanswered: str = "") -> dict[str, Any]:
    """Run one check; a database that does not answer is that check's problem, not a 500."""
    try:
        result = check()
    except DatabaseError:
        return {"ok": False, "problems": [unanswered or _("The database did not answer.")]}
    result.setdefault("problems", [])
    result["ok"] = not result["problems"]
    return result


def _database() -> dict[str, Any]:
    database_ping()
    return {}


def _cache() -> dict[str, Any]:
    key = f"hub:health:{uuid.uuid4().hex}"
    cache.set(key, "1", 30)
    answered = cache.get(key) == "1"
    cache.delete(key)
    return {"problems": [] if answered else [_("The cache did not keep a value.")]}


def _queue(now: dt.datetime) -> dict[str, Any]:
    state = queue_state(now)
    problems = []
    wait = state.oldest_wait_seconds
    if wait is not None and wait > settings.HUB_HEALTH_MAX_TASK_WAIT_SECONDS:
        minutes = int(wait // 60)
        problems.append(
            ngettext(
                "The oldest waiting task has waited %(minutes)d minute: are the workers running?",
                "The oldest waiting task has waited %(minutes)d minutes: are the workers running?",
                minutes,
            )
            % {"minutes": minutes}
        )
    if state.workers_dead > settings.HUB_HEALTH_MAX_DEAD_WORKERS:
        problems.append(
            ngettext(
                "%(count)d worker stopped answering without shutting down.",
                "%(count)d workers stopped answering without shutting down.",
                state.workers_dead,
            )
            % {"count": state.workers_dead}
        )
    if state.failed_last_day > settings.HUB_HEALTH_MAX_FAILED_TASKS:
        problems.append(
            ngettext(
                "%(count)d task failed in the last day.",
                "%(count)d tasks failed in the last day.",
                state.failed_last_day,
            )
            % {"count": state.failed_last_day}
        )
    return {**asdict(state), "problems": problems}


def _jobs(now: dt.datetime) -> dict[str, Any]:
    states = job_states(now)
    problems = [
        _("The job %(name)s failed on its last run.") % {"name": s.name}
        for s in states
        if s.outcome == ScheduledJob.Outcome.FAILED
    ] + [
        _("The job %(name)s is late: no worker has started it.") % {"name": s.name}
        for s in states
        if s.late
    ]
    return {"jobs": [asdict(s) for s in states], "problems": problems}


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None
