"""The core app's periodic jobs: the task queue's housekeeping and expired sessions."""

from __future__ import annotations

import datetime as dt
from importlib import import_module

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from hub.core.queue import prune_finished_tasks, reap_stuck_tasks
from hub.core.schedule import Daily, Every, Job, jobs


def clear_sessions() -> str:
    """Delete expired sessions (what `manage.py clearsessions` does)."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
    return "expired sessions deleted"


def register() -> None:
    """Add core's jobs to the schedule."""
    lease = settings.HUB_WORKER_LEASE_SECONDS
    # The reaper keeps to the lease's pace (half a lease, as before it was scheduled) and runs
    # in the tick itself: it must go on while every worker is busy with a long task.
    jobs.register(
        Job(
            "reap_tasks",
            reap_stuck_tasks,
            Every(seconds=max(0.5, lease / 2)),
            _("Re-queue tasks whose worker stopped answering"),
            inline=True,
        )
    )
    jobs.register(
        Job(
            "prune_task_results",
            prune_finished_tasks,
            Every(minutes=60),
            _("Delete finished tasks past their retention, with the e-mails they hold"),
            inline=True,
        )
    )
    jobs.register(
        Job("clear_sessions", clear_sessions, Daily(dt.time(3, 0)), _("Delete expired sessions"))
    )
