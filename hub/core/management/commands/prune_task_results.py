"""Delete finished background tasks past their retention, with the e-mails in their arguments."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from hub.core.queue import prune_finished_tasks


class Command(BaseCommand):
    help = (
        "Delete background tasks that finished more than HUB_TASK_RESULT_RETENTION_DAYS ago "
        "(every worker also does this once an hour)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        """Prune once and say how many finished tasks were deleted."""
        count = prune_finished_tasks()
        if options["verbosity"] > 0:
            self.stdout.write(
                ngettext(
                    "%(count)d finished task deleted.",
                    "%(count)d finished tasks deleted.",
                    count,
                )
                % {"count": count}
            )
