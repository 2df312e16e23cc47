"""The surveys app's periodic jobs: reminders, sending by rule, anonymising old answers."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from hub.core.schedule import Daily, Job, jobs
from hub.surveys import answering


def register() -> None:
    """Add the surveys' jobs to the schedule."""
    from hub.surveys import services

    jobs.register(
        Job(
            "survey_rules",
            services.run_rules,
            Daily(dt.time(6, 0)),
            _("Send surveys by their rules (after an activity, at evaluation, yearly)"),
        )
    )
    jobs.register(
        Job(
            "survey_reminders",
            services.send_reminders,
            Daily(dt.time(9, 0)),
            _("Remind partners who have not answered a survey yet"),
        )
    )
    jobs.register(
        Job(
            "survey_retention",
            answering.anonymise_old_answers,
            Daily(dt.time(3, 30)),
            _("Anonymise survey answers older than the retention period"),
        )
    )
