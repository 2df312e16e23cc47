"""The partner directory's periodic job: forget spreadsheet imports nobody confirmed."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from hub.core.schedule import Daily, Job, jobs
from hub.partners.imports import delete_stale_batches, settle_queued_batches

# Imports left unconfirmed (or failed) this long are deleted: their rows may hold personal data.
STALE_AFTER = dt.timedelta(days=7)


def prune_imports() -> dict[str, int]:
    """Fail the imports whose task failed for good, then delete the stale ones."""
    failed = settle_queued_batches()
    deleted = delete_stale_batches(older_than=STALE_AFTER)
    return {"failed": failed, "deleted": deleted}


def register() -> None:
    """Add the job to the schedule (`manage.py prune_imports` does the same from cron)."""
    jobs.register(
        Job(
            "prune_imports",
            prune_imports,
            Daily(dt.time(3, 30)),
            _("Delete spreadsheet imports left unconfirmed for a week"),
        )
    )
