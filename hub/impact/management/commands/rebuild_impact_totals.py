"""Rewrite the impact totals (per affiliate and per partnership) from the content links."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from hub.impact.totals import rebuild_all_totals


class Command(BaseCommand):
    help = (
        "Rewrite every affiliate's and partnership's impact totals from their content links: "
        "after data was loaded around the services (a bulk import, a restored backup). "
        "Refreshes and removed links keep them current by themselves; safe to run any time."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        """Rebuild everything, one affiliate per transaction, and say how much."""
        affiliates, partnerships = rebuild_all_totals()
        self.stdout.write(
            f"Totals rewritten for {affiliates} affiliate(s) and {partnerships} partnership(s)."
        )
