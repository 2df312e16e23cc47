"""Delete import batches never confirmed: their rows may hold personal data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hub.partners.imports import delete_stale_batches, settle_queued_batches


class Command(BaseCommand):
    help = (
        "Delete spreadsheet imports left unconfirmed, or failed, for more than --days days "
        "(default 7), and the rejected rows kept by older applied ones."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=7)

    def handle(self, *args: Any, **options: Any) -> None:
        days = max(0, options["days"])
        failed = settle_queued_batches()
        if failed:
            self.stdout.write(f"Marked {failed} import(s) failed: their task failed for good.")
        deleted = delete_stale_batches(older_than=dt.timedelta(days=days))
        self.stdout.write(f"Deleted {deleted} unconfirmed import(s) older than {days} day(s).")
