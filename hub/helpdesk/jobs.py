"""The helpdesk's periodic job: anonymise requests closed longer than the retention period."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from hub.core.schedule import Daily, Job, jobs


def anonymise_closed() -> dict[str, int]:
    """Forget the senders of requests closed longer than HUB_HELPDESK_RETENTION_DAYS."""
    from hub.helpdesk.services_privacy import anonymise_closed_requests

    return {"anonymised": anonymise_closed_requests()}


def register() -> None:
    """Add the job to the schedule."""
    jobs.register(
        Job(
            "helpdesk_retention",
            anonymise_closed,
            Daily(dt.time(3, 45)),
            _("Anonymise help requests closed longer than the retention period"),
        )
    )
