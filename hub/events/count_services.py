"""Ask for a count of an event's outputs, follow it, and re-count events that need it.

Public functions the other parts use: :func:`start_count` (queue a count, or return the one
already queued), :func:`latest_run`, :func:`queue_due_counts` (the daily job).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.core import audit
from hub.core.models import User
from hub.core.queue import enqueue_on_commit
from hub.events.models import CountRun, Event
from hub.events.tasks import count_event

# Events whose window (with its grace days) ended this many days ago or less are re-counted
# daily, so late edits inside the grace period and the 7- and 30-day retention are caught.
RECOUNT_AFTER_END_DAYS = 35


def latest_run(event: Event) -> CountRun | None:
    """Return the event's newest count, if any."""
    return event.runs.order_by("-created_at", "-pk").first()


def start_count(event: Event, user: User | None) -> CountRun:
    """Queue a count of the event's outputs; an event being counted returns its current run.

    Raise ValidationError (in words an organiser reads) for an event that cannot be counted:
    no wiki, or a window that has not begun.
    """
    if not event.wikis:
        raise ValidationError(_("Add at least one wiki to the event before counting."))
    if event.starts_at > timezone.now():
        raise ValidationError(_("The event has not begun yet: there is nothing to count."))
    active = event.runs.filter(status__in=[CountRun.Status.QUEUED, CountRun.Status.RUNNING])
    existing = active.first()
    if existing is not None:
        return existing
    actor = user if user is not None and user.pk else None
    with transaction.atomic():
        run = CountRun.objects.create(event=event, requested_by=actor)
        audit.record(
            actor=actor,
            affiliate=event.affiliate,
            action="events.count_requested",
            target=event.activity,
            changes={"event": [None, str(event)]},
        )
        enqueue_on_commit(count_event, run.pk)
    return run


def queue_due_counts(*, now: dt.datetime | None = None) -> int:
    """Queue a count of every event under way or ended lately; return how many were queued.

    Under way: begun, and its window (with grace days) not over. Ended lately: its window
    ended less than RECOUNT_AFTER_END_DAYS ago. Events being counted are left alone.
    """
    now = now or timezone.now()
    queued = 0
    events = Event.objects.filter(starts_at__lte=now).exclude(wikis=[])
    busy = CountRun.objects.filter(
        status__in=[CountRun.Status.QUEUED, CountRun.Status.RUNNING]
    ).values("event_id")
    # A first cut in the database (grace periods are counted in days, a year at most in
    # practice), the exact one below with each event's own grace days.
    recent = now - dt.timedelta(days=RECOUNT_AFTER_END_DAYS + 366)
    for event in events.exclude(pk__in=busy).filter(ends_at__gte=recent):
        end = event.ends_at + dt.timedelta(days=event.grace_days)
        if end < now - dt.timedelta(days=RECOUNT_AFTER_END_DAYS):
            continue
        start_count(event, None)
        queued += 1
    return queued
