"""Run the background worker: django-tasks-db's db_worker plus a heartbeat, the reaper and the
scheduled jobs."""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import DatabaseError, close_old_connections, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from hub.core.queue import (
    beat,
    prune_finished_tasks,
    reap_stuck_tasks,
    register_worker,
    unregister_worker,
)
from hub.core.schedule import Scheduler

logger = logging.getLogger(__name__)

# Finished tasks are pruned this often by each worker (HUB_TASK_RESULT_RETENTION_DAYS says which).
PRUNE_EVERY_SECONDS = 60 * 60


class LeaseKeeper:
    """Beat a worker's heartbeat and start the scheduled jobs (or, without the scheduler, reap
    stuck tasks and prune old ones) from a daemon thread.

    A thread, so the heartbeat goes on while the worker's main thread runs a long task, and the
    reaper goes on even when every worker is busy. It has its own database connection. With a
    scheduler, the reaper and the pruning are scheduled jobs like the others (run in this
    thread, once per period across all workers); the other jobs are queued as tasks.
    """

    def __init__(
        self,
        worker_id: str,
        *,
        beat_every: float,
        reap_every: float,
        prune_every: float = PRUNE_EVERY_SECONDS,
        scheduler: Scheduler | None = None,
    ) -> None:
        self.worker_id = worker_id
        self.scheduler = scheduler
        self.beat_every = beat_every
        self.reap_every = reap_every
        self.prune_every = prune_every
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"lease-keeper-{worker_id}", daemon=True
        )

    def start(self) -> None:
        """Start beating and reaping in the background."""
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread and wait a bounded time for it to finish its current step."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        """Beat every beat_every seconds, reap every reap_every, prune every prune_every."""
        next_reap = time.monotonic() + self.reap_every
        next_prune = time.monotonic()  # at start, then now and again
        try:
            while not self._stop.wait(self.beat_every):
                close_old_connections()
                try:
                    beat(self.worker_id)
                except DatabaseError:
                    logger.exception("Worker %s could not record its heartbeat", self.worker_id)
                if self.scheduler is not None:
                    try:
                        self.scheduler.tick()
                    except Exception:  # a bug in a job's period must not stop the heartbeat
                        logger.exception("Worker %s could not start scheduled jobs", self.worker_id)
                    continue
                if time.monotonic() >= next_prune:
                    next_prune = time.monotonic() + self.prune_every
                    try:
                        prune_finished_tasks()
                    except DatabaseError:
                        logger.exception("Worker %s could not prune old tasks", self.worker_id)
                if time.monotonic() < next_reap:
                    continue
                next_reap = time.monotonic() + self.reap_every
                try:
                    reap_stuck_tasks()
                except DatabaseError:
                    logger.exception("Worker %s could not reap stuck tasks", self.worker_id)
        finally:
            connections.close_all()


class LeasedWorker(db_worker.Worker):
    """Run tasks like db_worker, while a lease keeper vouches for this worker and reaps the dead."""

    def run(self) -> None:
        """Register, start the lease keeper, run the loop; on any exit, stop and unregister."""
        lease_seconds = float(settings.HUB_WORKER_LEASE_SECONDS)
        # Registering re-queues whatever an earlier process with this id left running, and writes
        # the first heartbeat before this worker claims anything.
        reaped = register_worker(self.worker_id)
        if reaped:
            logger.warning("Worker %s re-queued %d stuck task(s) at start", self.worker_id, reaped)
        scheduler = Scheduler(self.worker_id) if settings.HUB_SCHEDULER else None
        if scheduler is not None:
            # Before the first task: jobs missed while no worker ran start at once (and a
            # --batch worker runs them before it finds the queue empty).
            try:
                scheduler.tick()
            except Exception:
                logger.exception("Worker %s could not start scheduled jobs", self.worker_id)
        keeper = LeaseKeeper(
            self.worker_id,
            beat_every=max(0.2, min(10.0, lease_seconds / 4)),
            reap_every=max(0.5, lease_seconds / 2),
            scheduler=scheduler,
        )
        keeper.start()
        try:
            super().run()
        finally:
            keeper.stop()
            try:
                unregister_worker(self.worker_id)
            except DatabaseError:
                logger.exception("Worker %s could not remove its heartbeat", self.worker_id)


class Command(db_worker.Command):
    help = (
        "Run a background worker that records a heartbeat and re-queues tasks whose worker "
        "died (same options as db_worker)."
    )

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options: Any,
    ) -> None:
        """Build a LeasedWorker from db_worker's options and run it, reloading in development."""
        self.configure_logging(verbosity)
        if reload and batch:
            logger.warning("--reload and --batch cannot be used together; not reloading.")
            reload = False
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        if settings.HUB_WORKER_LEASE_SECONDS <= 0:
            raise CommandError("HUB_WORKER_LEASE_SECONDS must be greater than zero")

        worker = LeasedWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded_queue_names,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                # Only the reloaded child runs the worker, so only it takes the signals.
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
