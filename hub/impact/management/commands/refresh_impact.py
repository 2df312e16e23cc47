"""Queue refreshes of impact figures: those due by the monthly schedule, or one link (for cron)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hub.impact import services
from hub.impact.models import ContentLink
from hub.impact.refresh import fail_stalled_runs


class Command(BaseCommand):
    help = (
        "Queue a refresh of every content link not refreshed this month (--due), or of one "
        "link (--link ID). The background worker does the fetching."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--due", action="store_true", help="Queue every link that is due.")
        parser.add_argument("--link", type=int, help="Queue this content link now.")
        parser.add_argument("--limit", type=int, default=1000, help="Queue at most this many.")

    def handle(self, *args: Any, due: bool, link: int | None, limit: int, **options: Any) -> None:
        """Fail stalled runs, then queue what was asked for and say how many."""
        if not due and link is None:
            raise CommandError("Say --due or --link ID.")
        stalled = fail_stalled_runs()
        if stalled:
            self.stdout.write(f"{stalled} stalled refresh(es) marked failed.")
        if link is not None:
            found = ContentLink.objects.filter(pk=link).first()
            if found is None:
                raise CommandError(f"There is no content link {link}.")
            try:
                run = services.request_refresh(actor=None, link=found)
            except ValidationError as refused:
                raise CommandError(refused.messages[0]) from refused
            self.stdout.write(f"Refresh {run.pk} queued for link {link}.")
            return
        count = services.queue_due_refreshes(limit=limit)
        self.stdout.write(f"{count} refresh(es) queued.")
