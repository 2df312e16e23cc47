"""My work shows the most urgent of each list with its count; the whole lists are a link away."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from hub.partners import selectors
from hub.partners.models import Interaction
from hub.partnerships.models import Reminder
from hub.partnerships.todo import services as todo
from tests import factories

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 6, 15)
FROZEN = time_machine.travel(dt.datetime(2026, 6, 15, 9, 0, tzinfo=dt.UTC), tick=False)
SHOWN = selectors.MY_WORK_ROWS


def _url(name: str, **kwargs: object) -> str:
    return reverse(name, kwargs={"slug": "alpha", **kwargs})


def _follow_ups(affiliate: Any, actor: Any, n: int, *, due: dt.date, name: str) -> list[Any]:
    """Log n interactions with one organisation, each with an open follow-up due on the day."""
    org = factories.organisation(affiliate, name=name)
    return [
        factories.interaction(
            org, actor=actor, date=D(2026, 6, 1), summary=f"{name} {i}", follow_up_on=due
        )
        for i in range(n)
    ]


def test_my_work_shows_the_most_urgent_follow_ups_and_counts_them_all(affiliate_a, member_a):
    other = factories.member(affiliate_a, username="other")
    theirs_overdue = _follow_ups(affiliate_a, other, SHOWN + 5, due=D(2026, 6, 10), name="Theirs")
    mine_soon = _follow_ups(affiliate_a, member_a, 3, due=D(2026, 6, 20), name="Mine")
    mine_overdue = _follow_ups(affiliate_a, member_a, 2, due=D(2026, 6, 1), name="Mine late")
    _follow_ups(affiliate_a, member_a, 1, due=D(2026, 8, 1), name="Later")  # beyond two weeks

    work = selectors.my_work(affiliate_a, member_a, today=TODAY)

    assert len(work.follow_ups) == SHOWN
    shown = [i.pk for i in work.follow_ups]
    mine = [i.pk for i in mine_overdue + mine_soon]
    assert shown[:5] == mine  # mine first, the overdue ones on top
    assert shown[5:] == [i.pk for i in theirs_overdue[: SHOWN - 5]]
    # The counts cover every follow-up due, not only those shown.
    assert work.counts["follow_ups"] == SHOWN + 10
    assert work.counts["overdue"] == SHOWN + 7


@FROZEN
def test_my_work_links_to_every_follow_up_when_it_shows_only_some(client_a, affiliate_a, member_a):
    _follow_ups(affiliate_a, member_a, SHOWN + 1, due=D(2026, 6, 12), name="Busy partner")
    html = client_a.get(_url("partners:my_work")).content.decode()
    assert html.count(": Busy partner ") == SHOWN
    assert f"The {SHOWN} most urgent of {SHOWN + 1} follow-ups." in html
    assert f'href="{_url("partners:follow_up_list")}"' in html
    assert '<strong class="overdue">21</strong>' in html  # overdue follow-ups, all counted


@FROZEN
def test_follow_up_list_pages_through_every_follow_up_with_its_done_button(
    client_a, affiliate_a, member_a, affiliate_b
):
    rows = _follow_ups(affiliate_a, member_a, 52, due=D(2026, 6, 12), name="Archive")
    _follow_ups(affiliate_b, None, 1, due=D(2026, 6, 12), name="Other tenant")
    page = _url("partners:follow_up_list")

    first = client_a.get(page).content.decode()
    second = client_a.get(page, {"page": 2}).content.decode()

    assert "52 open follow-ups due" in first and "Page 1 of 2" in first
    assert first.count(": Archive ") == 50 and second.count(": Archive ") == 2
    assert "Other tenant" not in first + second
    last = rows[-1]
    done = _url("partners:follow_up_done", pk=last.pk)
    assert f'action="{done}"' in second  # a plain form: no JavaScript needed
    response = client_a.post(done, {"next": "follow_ups", "page": "2"})
    assert response["Location"] == f"{page}?page=2"
    assert Interaction.objects.get(pk=last.pk).follow_up_done


@FROZEN
def test_a_viewer_sees_the_follow_ups_without_done_buttons(affiliate_a, member_a, viewer_a):
    _follow_ups(affiliate_a, member_a, 1, due=D(2026, 6, 12), name="Archive")
    client = Client()
    client.force_login(viewer_a)
    html = client.get(_url("partners:follow_up_list")).content.decode()
    assert "Archive</a>" in html and "/done/" not in html


@FROZEN
def test_follow_up_list_query_count_is_pinned(
    client_a, affiliate_a, member_a, django_assert_num_queries
):
    _follow_ups(affiliate_a, member_a, 12, due=D(2026, 6, 12), name="Archive")
    # Session, user, membership, the count, the page of follow-ups with their organisations.
    with django_assert_num_queries(5):
        response = client_a.get(_url("partners:follow_up_list"))
    assert response.status_code == 200


def _reminders(affiliate: Any, user: Any, n: int) -> list[Reminder]:
    org = factories.organisation(affiliate, name="Budget partner")
    return [
        Reminder.objects.create(
            affiliate=affiliate,
            user=user,
            kind=Reminder.Kind.BUDGET_CYCLE,
            key=f"budget-{i}",
            due_on=D(2026, 7, 1) + dt.timedelta(days=i),
            remind_on=D(2026, 6, 1),
            organisation=org,
        )
        for i in range(n)
    ]


@FROZEN
def test_my_work_shows_the_first_reminders_and_tasks_with_their_counts(
    client_a, affiliate_a, member_a
):
    _reminders(affiliate_a, member_a, SHOWN + 2)
    for i in range(SHOWN + 3):
        todo.create_task(
            actor=member_a, affiliate=affiliate_a, title=f"Task {i}", assignee=member_a
        )
    html = client_a.get(_url("partners:my_work")).content.decode()
    assert html.count("/dismiss/") == SHOWN
    assert f"The first {SHOWN} of {SHOWN + 2} reminders." in html
    assert f'href="{_url("partnerships:reminder_list")}"' in html
    assert f"The {SHOWN} most urgent of your {SHOWN + 3} open tasks." in html
    assert "?who=mine&amp;state=open" in html


@FROZEN
def test_reminder_list_shows_every_reminder_and_dismisses_back_to_itself(
    client_a, affiliate_a, member_a, affiliate_b
):
    mine = _reminders(affiliate_a, member_a, SHOWN + 2)
    someone = factories.member(affiliate_a, username="someone")
    _reminders(affiliate_a, someone, 1)  # another person's reminder: not on my list
    page = _url("partnerships:reminder_list")

    html = client_a.get(page).content.decode()

    assert f"{SHOWN + 2} open reminders" in html
    assert html.count("/dismiss/") == SHOWN + 2
    response = client_a.post(_url("partnerships:reminder_dismiss", pk=mine[-1].pk), {"next": page})
    assert response["Location"] == page
    assert f"{SHOWN + 1} open reminders" in client_a.get(page).content.decode()


@FROZEN
def test_reminder_list_query_count_is_pinned(
    client_a, affiliate_a, member_a, django_assert_num_queries
):
    _reminders(affiliate_a, member_a, 12)
    # Session, user, membership, the count, the page of reminders with what they are about.
    with django_assert_num_queries(5):
        response = client_a.get(_url("partnerships:reminder_list"))
    assert response.status_code == 200
