"""The count part's daily job: re-count events under way or ended lately."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from hub.core.schedule import Daily, Job, jobs
from hub.events.count_services import queue_due_counts
from hub.events.counting import fail_stalled_runs


def recount_events() -> dict[str, int]:
    """Fail counts left running, then queue the counts that are due."""
    stalled = fail_stalled_runs()
    queued = queue_due_counts()
    return {"stalled": stalled, "queued": queued}


def register() -> None:
    """Add the job to the schedule."""
    jobs.register(
        Job(
            "recount_events",
            recount_events,
            Daily(dt.time(5, 30)),
            _("Re-count the outputs of events under way or ended lately"),
        )
    )
