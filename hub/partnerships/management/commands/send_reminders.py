"""Queue (or run at once) the daily reminders and e-mail digest; meant for cron."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hub.partnerships.tasks import daily_reminders


class Command(BaseCommand):
    help = (
        "Generate today's reminders, refresh strategic scores and send each person's daily "
        "digest. Queues the work for a background worker; --now runs it here instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="Run here instead of queueing.")
        parser.add_argument("--date", help="The day to remind for, YYYY-MM-DD (default: today).")

    def handle(self, *args: Any, **options: Any) -> None:
        day = options.get("date")
        if day:
            try:
                dt.date.fromisoformat(day)
            except ValueError:
                raise CommandError(f"--date must look like 2026-01-31, not {day!r}.") from None
        if options["now"]:
            result = daily_reminders.call(day)
            self.stdout.write(
                f"{result['reminders']} new reminder(s), {result['rescored']} score(s) changed, "
                f"{result['digests']} digest e-mail(s) queued."
            )
        else:
            daily_reminders.enqueue(day)
            self.stdout.write("Daily reminders queued for the background worker.")
