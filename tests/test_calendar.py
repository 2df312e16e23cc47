"""Private iCal feeds: made and shown once, RFC 5545 output, and refused when revoked or forged."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from hub.core.models import AuditEvent, Membership
from hub.partnerships.models import CalendarFeed, Reminder
from hub.partnerships.todo import ical
from hub.partnerships.todo import services as todo
from tests import factories

pytestmark = pytest.mark.django_db
D = dt.date


def unfold(body: bytes) -> list[str]:
    """Parse content lines strictly: CRLF only, each physical line at most 75 octets."""
    assert body.endswith(b"\r\n")
    physical = body[:-2].split(b"\r\n")
    for line in physical:
        assert b"\n" not in line and b"\r" not in line
        assert len(line) <= 75, line
    logical: list[bytes] = []
    for line in physical:
        if line.startswith(b" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return [line.decode("utf-8") for line in logical]


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def events(body: bytes) -> list[dict[str, str]]:
    """Return each VEVENT as {property (with parameters): value}."""
    found: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in unfold(body):
        name, _, value = line.partition(":")
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            assert current is not None
            found.append(current)
            current = None
        elif current is not None:
            current[name] = value
    return found


def test_fold_never_splits_a_character_and_escape_covers_the_specials():
    line = "SUMMARY:" + "é" * 100
    folded = ical.fold(line).split("\r\n")
    assert len(folded) > 1 and all(len(part.encode()) <= 75 for part in folded)
    assert "".join(p[1:] if i else p for i, p in enumerate(folded)) == line
    assert ical.escape_text("a,b;c\\d\ne\r\nf\x00") == "a\\,b\\;c\\\\d\\ne\\nf"


def test_render_calendar_is_valid_rfc5545():
    now = dt.datetime(2026, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
    body = ical.render_calendar(
        [
            ical.Event(
                uid="task-1@hub.example.org",
                day=D(2026, 12, 31),
                summary="Call Museo, Nacional; about \\ permits",
                description="Line one\nLine two — Tromsø " + "x" * 120,
            )
        ],
        name="My tasks",
        now=now,
    )
    lines = unfold(body)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    (event,) = events(body)
    assert event["UID"] == "task-1@hub.example.org"
    assert event["DTSTAMP"] == "20261231T235959Z"
    assert event["DTSTART;VALUE=DATE"] == "20261231"
    assert event["DTEND;VALUE=DATE"] == "20270101"  # all-day, over the year end
    assert unescape(event["SUMMARY"]) == "Call Museo, Nacional; about \\ permits"
    assert unescape(event["DESCRIPTION"]).startswith("Line one\nLine two — Tromsø xxx")


def make_feed(client: Client) -> str:
    client.post(reverse("partnerships:calendar_feed_create"))
    page = client.get(reverse("partnerships:calendar_feeds")).content.decode()
    match = re.search(r'value="(http[^"]+\.ics)"', page)
    assert match, "the new link is shown"
    return match.group(1)


def path_of(url: str) -> str:
    return urlsplit(url).path


def test_person_makes_a_link_sees_it_once_and_only_its_hash_is_kept(client_a, member_a):
    url = make_feed(client_a)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    feed = CalendarFeed.objects.get(user=member_a)
    assert feed.token_hash == ical.hash_token(token) and token not in feed.token_hash
    assert feed.expires_at is not None
    again = client_a.get(reverse("partnerships:calendar_feeds")).content.decode()
    assert token not in again and "Revoke" in again
    assert AuditEvent.objects.filter(action="calendar_feed.created").count() == 1


def test_feed_lists_own_open_dated_tasks_and_reminders_as_all_day_events(
    client_a, affiliate_a, affiliate_b, member_a, viewer_a
):
    org = factories.organisation(affiliate_a, name="Museo; Nacional, de Arte")
    mine = todo.create_task(
        actor=member_a,
        affiliate=affiliate_a,
        title="Send the agreement, signed",
        assignee=member_a,
        due_on=D(2027, 1, 31),
        organisation=org,
    )
    todo.create_task(
        actor=member_a, affiliate=affiliate_a, title="Undated", assignee=member_a, due_on=None
    )
    done = todo.create_task(
        actor=member_a, affiliate=affiliate_a, title="Done", assignee=member_a, due_on=D(2027, 1, 1)
    )
    todo.complete_task(actor=member_a, task=done)
    todo.create_task(
        actor=member_a,
        affiliate=affiliate_a,
        title="Victor's",
        assignee=viewer_a,
        due_on=D(2027, 1, 1),
    )
    Reminder.objects.create(
        affiliate=affiliate_a,
        user=member_a,
        kind=Reminder.Kind.BUDGET_CYCLE,
        key="budget:x",
        due_on=D(2099, 1, 1),
        remind_on=D(2098, 10, 1),
        organisation=org,
    )
    url = make_feed(client_a)
    response = Client().get(path_of(url))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Referrer-Policy"] == "no-referrer"
    found = {unescape(e["SUMMARY"]): e for e in events(response.content)}
    assert set(found) == {
        "Task: Send the agreement, signed",
        "Partner's budget cycle: Museo; Nacional, de Arte",
    }
    task_event = found["Task: Send the agreement, signed"]
    assert task_event["UID"] == f"task-{mine.pk}@127.0.0.1"
    assert task_event["DTSTART;VALUE=DATE"] == "20270131"
    assert task_event["URL"].endswith(f"/a/alpha/tasks/{mine.pk}/edit/")
    # Stable: the same UID on the next fetch, so calendars update rather than duplicate.
    again = {e["UID"] for e in events(Client().get(path_of(url)).content)}
    assert task_event["UID"] in again
    # Leaving the affiliate takes its items off the calendar.
    Membership.objects.filter(user=member_a, affiliate=affiliate_a).delete()
    assert events(Client().get(path_of(url)).content) == []


@pytest.mark.parametrize(
    "token", ["forged", "x" * 43, "A" * 500, "%00", "../../etc/passwd", "abc.ics"]
)
def test_forged_or_unknown_token_gets_nothing(client_a, member_a, token):
    todo.create_task(
        actor=member_a,
        affiliate=member_a.memberships.get().affiliate,
        title="Private task",
        assignee=member_a,
        due_on=D(2027, 1, 1),
    )
    make_feed(client_a)
    response = Client().get(f"/calendar/{token}.ics")
    assert response.status_code == 404
    assert b"Private task" not in response.content
    assert b"VCALENDAR" not in response.content


def test_revoked_link_answers_410_and_a_new_link_replaces_the_old(client_a, member_a):
    first = make_feed(client_a)
    second = make_feed(client_a)  # making a new link revokes the old one
    assert first != second
    gone = Client().get(path_of(first))
    assert gone.status_code == 410
    assert gone["Content-Type"].startswith("text/plain")
    assert b"revoked or has expired" in gone.content
    assert Client().get(path_of(second)).status_code == 200
    live = CalendarFeed.objects.get(user=member_a, revoked_at=None)
    client_a.post(reverse("partnerships:calendar_feed_revoke", kwargs={"pk": live.pk}))
    assert Client().get(path_of(second)).status_code == 410
    assert AuditEvent.objects.filter(action="calendar_feed.revoked").count() == 2


def test_expired_link_answers_410(client_a):
    url = make_feed(client_a)
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=366)):
        response = Client().get(path_of(url))
    assert response.status_code == 410


def test_another_person_cannot_revoke_my_link(client_a, client_b, member_a):
    url = make_feed(client_a)
    feed = CalendarFeed.objects.get(user=member_a)
    response = client_b.post(reverse("partnerships:calendar_feed_revoke", kwargs={"pk": feed.pk}))
    assert response.status_code == 404
    assert Client().get(path_of(url)).status_code == 200


def test_feed_management_needs_a_log_in(db: Any):
    response = Client().get(reverse("partnerships:calendar_feeds"))
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    response = Client().post(reverse("partnerships:calendar_feed_create"))
    assert response.status_code == 302
    assert not CalendarFeed.objects.exists()
