"""Keep the queue honest: worker heartbeats, a reaper of stuck tasks, pruning of finished
tasks, enqueue on commit."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from collections.abc import Collection
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django_tasks import TaskResultStatus
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from hub.core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

# A heartbeat this many leases old belongs to a worker that is gone for good: forget it.
HEARTBEAT_RETENTION_LEASES = 10


class WorkerLostError(Exception):
    """Report that the worker running a task stopped answering too many times."""


def lease() -> dt.timedelta:
    """Return how long a worker may stay silent before it is taken for dead."""
    return dt.timedelta(seconds=settings.HUB_WORKER_LEASE_SECONDS)


def beat(worker_id: str) -> None:
    """Record that the worker is alive now (create its heartbeat on the first beat)."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "last_seen": timezone.now(),
            "hostname": socket.gethostname()[:200],
            "pid": os.getpid(),
        },
    )


def register_worker(worker_id: str) -> int:
    """Start a worker's lease afresh and return how many of its orphaned tasks were re-queued.

    A worker that starts runs nothing yet, so any task still marked as running under its id was
    left behind by an earlier process with the same id (a restart with a fixed --worker-id). Its
    old heartbeat must not vouch for that task.
    """
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()
    reaped = reap_stuck_tasks(dead_worker_ids=[worker_id])
    beat(worker_id)
    return reaped


def unregister_worker(worker_id: str) -> None:
    """Forget a worker that stops cleanly, so anything it left running is reaped at once."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def reap_stuck_tasks(
    now: dt.datetime | None = None, *, dead_worker_ids: Collection[str] = ()
) -> int:
    """Re-queue running tasks whose worker died, fail those out of attempts; return how many.

    A task counts as stuck when the worker that claimed it last has sent no heartbeat within one
    lease and the task started more than one lease ago (so a worker that claimed a task before its
    first heartbeat reached the database is not robbed). Workers in ``dead_worker_ids`` are taken
    for dead without those checks. Every claim appends a worker id, so ``len(worker_ids)`` is the
    number of attempts: at HUB_TASK_MAX_ATTEMPTS the task is marked failed instead.
    """
    now = now or timezone.now()
    cutoff = now - lease()
    max_attempts = settings.HUB_TASK_MAX_ATTEMPTS
    dead = set(dead_worker_ids)
    reaped = 0
    # An exclusive transaction on SQLite (one writer at a time); row locks that other reapers
    # skip on PostgreSQL, so two workers never reap the same task twice.
    with exclusive_transaction(DBTaskResult.objects.db):
        running = (
            DBTaskResult.objects.running()
            .select_for_update(skip_locked=True)
            .order_by("started_at")
        )
        if not dead:
            running = running.filter(started_at__lt=cutoff)
        candidates = list(running)
        alive = set(
            WorkerHeartbeat.objects.filter(last_seen__gte=cutoff)
            .exclude(worker_id__in=dead)
            .values_list("worker_id", flat=True)
        )
        for result in candidates:
            last_worker = result.worker_ids[-1] if result.worker_ids else ""
            if last_worker not in dead and (
                last_worker in alive or (result.started_at and result.started_at >= cutoff)
            ):
                continue
            if len(result.worker_ids) >= max_attempts:
                _give_up(result, last_worker, now)
            else:
                _requeue(result, last_worker)
            reaped += 1
        WorkerHeartbeat.objects.filter(
            last_seen__lt=now - HEARTBEAT_RETENTION_LEASES * lease()
        ).delete()
    return reaped


def _requeue(result: DBTaskResult, worker_id: str) -> None:
    """Put a stuck task back in the queue for another worker."""
    logger.warning(
        "Re-queueing task %s (%s): worker %r stopped answering (attempt %d).",
        result.id,
        result.task_path,
        worker_id,
        len(result.worker_ids),
    )
    result.status = TaskResultStatus.READY
    result.started_at = None
    result.save(update_fields=["status", "started_at"])


def _give_up(result: DBTaskResult, worker_id: str, now: dt.datetime) -> None:
    """Mark a stuck task failed because its workers kept dying under it."""
    logger.error(
        "Giving up on task %s (%s): worker %r stopped answering on attempt %d.",
        result.id,
        result.task_path,
        worker_id,
        len(result.worker_ids),
    )
    reason = gettext(
        "The worker running this task stopped answering (last one: %(worker)s). "
        "It was tried %(attempts)d times, the most allowed, and was not run again."
    ) % {"worker": worker_id or "?", "attempts": len(result.worker_ids)}
    result.status = TaskResultStatus.FAILED
    result.finished_at = now
    result.return_value = None
    result.exception_class_path = f"{WorkerLostError.__module__}.{WorkerLostError.__qualname__}"
    result.traceback = f"{result.exception_class_path}: {reason}\n"
    result.save(
        update_fields=["status", "finished_at", "return_value", "exception_class_path", "traceback"]
    )


def prune_finished_tasks(now: dt.datetime | None = None) -> int:
    """Delete tasks that finished over HUB_TASK_RESULT_RETENTION_DAYS ago; return how many.

    A finished task keeps its arguments, and those hold e-mail bodies and addresses: they
    must not outlive their use. Zero or less keeps them all.
    """
    days = settings.HUB_TASK_RESULT_RETENTION_DAYS
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    if deleted:
        logger.info("Pruned %d finished task(s) older than %d day(s).", deleted, days)
    return deleted


def enqueue_on_commit(task: Task[P, T], /, *args: P.args, **kwargs: P.kwargs) -> None:
    """Enqueue the task once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs))
