"""Private iCal feeds: secret links (only their hash is kept) and RFC 5545 calendars."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.core import audit
from hub.core.links import absolute_url
from hub.core.models import User
from hub.partnerships.models import CalendarFeed, Reminder, Task
from hub.partnerships.todo.reminders import describe

FEED_LIFETIME = dt.timedelta(days=365)
# token_urlsafe(32) gives 43 characters; anything far longer is not ours and not worth hashing.
MAX_TOKEN_LENGTH = 100
FOLD_OCTETS = 75


class FeedGone(Exception):
    """Report that a feed link existed but was revoked or has expired."""


class FeedUnknown(Exception):
    """Report that no feed has this link."""


def hash_token(token: str) -> str:
    """Return the SHA-256 hex digest kept in place of a feed's secret."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def feed_url(token: str) -> str:
    """Return the full address of a feed, to copy into a calendar application."""
    return absolute_url(reverse("partnerships:calendar_feed", kwargs={"token": token}))


@transaction.atomic
def create_feed(
    *, actor: User, now: dt.datetime | None = None, lifetime: dt.timedelta = FEED_LIFETIME
) -> tuple[CalendarFeed, str]:
    """Revoke the person's current feed links and make a new one; return it and its secret.

    The secret is returned once, to show once: only its hash is stored.
    """
    now = now or timezone.now()
    for old in CalendarFeed.objects.select_for_update().filter(user=actor, revoked_at=None):
        _revoke(actor, old, now)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(
        user=actor, token_hash=hash_token(token), expires_at=now + lifetime
    )
    audit.record(
        actor=actor,
        affiliate=None,
        action="calendar_feed.created",
        target=feed,
        changes={"expires_at": [None, feed.expires_at.isoformat() if feed.expires_at else None]},
    )
    return feed, token


def _revoke(actor: User, feed: CalendarFeed, now: dt.datetime) -> None:
    feed.revoked_at = now
    feed.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor,
        affiliate=None,
        action="calendar_feed.revoked",
        target=feed,
        changes={"revoked": [False, True]},
    )


@transaction.atomic
def revoke_feed(*, actor: User, feed: CalendarFeed, now: dt.datetime | None = None) -> None:
    """Revoke one of the person's feed links: calendars using it get nothing more."""
    feed = CalendarFeed.objects.select_for_update().get(pk=feed.pk, user=actor)
    if feed.revoked_at is None:
        _revoke(actor, feed, now or timezone.now())


def feed_for_token(token: str, *, now: dt.datetime | None = None) -> CalendarFeed:
    """Return the live feed a secret opens; raise FeedUnknown or FeedGone otherwise."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise FeedUnknown
    feed = CalendarFeed.objects.select_related("user").filter(token_hash=hash_token(token)).first()
    if feed is None or not feed.user.is_active:
        raise FeedUnknown
    now = now or timezone.now()
    if feed.revoked_at is not None or (feed.expires_at is not None and feed.expires_at <= now):
        raise FeedGone
    return feed


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newlines."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    # Other control characters are not allowed in a content line.
    return "".join(ch for ch in value if ch == "\t" or ord(ch) >= 0x20 and ord(ch) != 0x7F)


def fold(line: str) -> str:
    """Fold a content line into pieces of at most 75 octets, never inside a UTF-8 character."""
    out: list[str] = []
    current = ""
    size = 0
    limit = FOLD_OCTETS
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            out.append(current)
            current = " "
            size = 1
        current += ch
        size += n
    out.append(current)
    return "\r\n".join(out)


@dataclass(frozen=True)
class Event:
    """One all-day entry of a calendar."""

    uid: str
    day: dt.date
    summary: str
    description: str = ""
    url: str = ""


def _date(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def render_calendar(events: Iterable[Event], *, name: str, now: dt.datetime) -> bytes:
    """Return a VCALENDAR of all-day VEVENTs as RFC 5545 bytes (CRLF, folded, escaped)."""
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Partnerships Hub//Tasks and reminders//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{_date(event.day)}",
            f"DTEND;VALUE=DATE:{_date(event.day + dt.timedelta(days=1))}",
            f"SUMMARY:{escape_text(event.summary)}",
        ]
        if event.description:
            lines.append(f"DESCRIPTION:{escape_text(event.description)}")
        if event.url:
            lines.append(f"URL:{event.url}")
        lines += ["TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "partnerships-hub"


def _site(path: str) -> str:
    return absolute_url(path)


def task_event(task: Task) -> Event:
    """Return a task as a calendar entry (its due date must be set)."""
    assert task.due_on is not None  # noqa: S101  (feed_items selects dated tasks only)
    about = task.partnership.title if task.partnership else ""
    if not about and task.organisation:
        about = task.organisation.name
    description = "\n".join(part for part in (about, task.affiliate.name, task.notes) if part)
    return Event(
        uid=f"task-{task.pk}@{_host()}",
        day=task.due_on,
        summary=_("Task: %(title)s") % {"title": task.title},
        description=description,
        url=_site(
            reverse("partnerships:task_edit", kwargs={"slug": task.affiliate.slug, "pk": task.pk})
        ),
    )


def reminder_event(reminder: Reminder) -> Event:
    """Return a reminder as a calendar entry on its due date."""
    return Event(
        uid=f"reminder-{reminder.pk}@{_host()}",
        day=reminder.due_on,
        summary=describe(reminder),
        description=reminder.affiliate.name,
        url=_site(reverse("partners:my_work", kwargs={"slug": reminder.affiliate.slug})),
    )


def render_feed(
    tasks: Iterable[Task], reminders: Iterable[Reminder], *, now: dt.datetime | None = None
) -> bytes:
    """Return the calendar of a person's tasks and reminders."""
    events = [task_event(t) for t in tasks] + [reminder_event(r) for r in reminders]
    return render_calendar(events, name=_("Partnerships Hub: my tasks"), now=now or timezone.now())
