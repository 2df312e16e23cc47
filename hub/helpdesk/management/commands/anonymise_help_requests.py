"""Anonymise the help requests closed longer than HUB_HELPDESK_RETENTION_DAYS."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from hub.helpdesk.services_privacy import anonymise_closed_requests


class Command(BaseCommand):
    help = (
        "Forget the sender's name and address of every done or declined help request untouched "
        "for HUB_HELPDESK_RETENTION_DAYS (the workers' daily helpdesk_retention job does the "
        "same). Safe to run twice."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        """Anonymise the due requests and say how many."""
        self.stdout.write(f"anonymised: {anonymise_closed_requests()}")
