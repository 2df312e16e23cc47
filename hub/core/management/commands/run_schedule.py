"""Run the scheduled jobs that are due, here and now: for cron, when HUB_SCHEDULER=0."""

from __future__ import annotations

import socket
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from hub.core.models import ScheduledJob
from hub.core.schedule import Scheduler, jobs


class Command(BaseCommand):
    help = (
        "Run every scheduled job that is due (reminders, impact refresh, clean-ups) in this "
        "process, each once per period even when several machines run this command. Workers do "
        "this themselves unless HUB_SCHEDULER=0; then run it from cron every few minutes. "
        "--list shows each job's period, last run and next run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--list", dest="list_jobs", action="store_true", help="Show the jobs; run nothing."
        )

    def handle(self, *args: Any, list_jobs: bool, **options: Any) -> None:
        """Run the due jobs and name them, or list every job with its last outcome."""
        if list_jobs:
            self._list()
            return
        worker_id = f"cron-{socket.gethostname()}"[:64]
        ran = Scheduler(worker_id, queue=False).tick()
        outcomes = dict(
            ScheduledJob.objects.filter(name__in=ran).values_list("name", "last_outcome")
        )
        for name in ran:
            self.stdout.write(f"{name}: {outcomes.get(name, '?')}")
        if not ran and options["verbosity"] > 1:
            self.stdout.write("No job is due.")

    def _list(self) -> None:
        rows = {row.name: row for row in ScheduledJob.objects.all()}
        for job in jobs:
            row = rows.get(job.name)
            last = "never run"
            if row and row.last_started_at:
                started = timezone.localtime(row.last_started_at)
                upcoming = timezone.localtime(row.next_run_at)
                last = (
                    f"last {started:%Y-%m-%d %H:%M} {row.last_outcome or 'never'}; "
                    f"next {upcoming:%Y-%m-%d %H:%M}"
                )
            self.stdout.write(f"{job.name:<20} {job.period!s:<18} {last}")
