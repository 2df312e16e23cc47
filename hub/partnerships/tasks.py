"""Background entry points of the partnerships app: thin, idempotent, taking plain values."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django_tasks import task

from hub.core.models import Affiliate
from hub.partnerships.scoring import refresh_scores
from hub.partnerships.todo.reminders import generate_reminders, send_digests


@task()
def daily_reminders(day: str | None = None) -> dict[str, Any]:
    """Generate the day's reminders, refresh strategic scores, then queue the e-mail digests.

    ``day`` is an ISO date (default: today). Safe to run twice: reminders are unique per person
    and key, and a reminder already mailed is not mailed again.
    """
    today = dt.date.fromisoformat(day) if day else None
    created = generate_reminders(today)
    rescored = refresh_scores(today=today)
    mailed = send_digests(today)
    return {"reminders": created, "rescored": rescored, "digests": mailed}


@task()
def refresh_strategic_scores(affiliate_id: int | None = None) -> int:
    """Recompute stored strategic scores (one affiliate's or all); return how many changed."""
    affiliate = Affiliate.objects.filter(pk=affiliate_id).first() if affiliate_id else None
    if affiliate_id and affiliate is None:
        return 0
    return refresh_scores(affiliate)
