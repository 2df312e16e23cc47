"""Re-queue, once, the tasks whose worker died (for cron when workers run on several machines)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from hub.core.queue import reap_stuck_tasks


class Command(BaseCommand):
    help = "Re-queue running tasks whose worker stopped answering; fail those out of attempts."

    def handle(self, *args: Any, **options: Any) -> None:
        """Reap stuck tasks once and say how many were handled."""
        count = reap_stuck_tasks()
        if options["verbosity"] > 0:
            self.stdout.write(
                ngettext(
                    "%(count)d stuck task re-queued or failed.",
                    "%(count)d stuck tasks re-queued or failed.",
                    count,
                )
                % {"count": count}
            )
