"""The impact app's periodic job: queue the refresh of every content link that is due."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from hub.core.schedule import Daily, Job, jobs
from hub.impact.refresh import fail_stalled_runs
from hub.impact.services import queue_due_refreshes


def refresh_impact() -> dict[str, int]:
    """Fail refreshes left running, then queue those due (`refresh_impact --due`)."""
    stalled = fail_stalled_runs()
    queued = queue_due_refreshes()
    return {"stalled": stalled, "queued": queued}


def register() -> None:
    """Add the job to the schedule (`manage.py refresh_impact --due` does the same from cron)."""
    jobs.register(
        Job(
            "refresh_impact",
            refresh_impact,
            Daily(dt.time(5, 0)),
            _("Queue a refresh of the content links not refreshed lately"),
        )
    )
