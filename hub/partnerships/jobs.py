"""The partnerships app's periodic job: the day's reminders, scores and digest e-mails."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from hub.core.schedule import Daily, Job, jobs
from hub.partnerships.tasks import daily_reminders


def send_reminders() -> dict[str, Any]:
    """Run the daily reminders here (the scheduled job is already a task of its own)."""
    return daily_reminders.call()


def register() -> None:
    """Add the job to the schedule (`manage.py send_reminders` does the same from cron)."""
    jobs.register(
        Job(
            "send_reminders",
            send_reminders,
            Daily(dt.time(6, 0)),
            _("Create the day's reminders, refresh strategic scores, send the digests"),
        )
    )
