"""The partner portal's periodic job: send the partner updates whose period has come."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from hub.core.schedule import Daily, Job, jobs
from hub.surveys.portal.updates import send_due_updates


def register() -> None:
    """Add the daily partner update job to the schedule."""
    jobs.register(
        Job(
            "partner_updates",
            send_due_updates,
            Daily(dt.time(7, 0)),
            _("Send the monthly and quarterly partner update e-mails that are due"),
        )
    )
