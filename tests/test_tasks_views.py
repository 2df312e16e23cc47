"""Task pages and My work as a member, a viewer and another affiliate's member see them."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from hub.partnerships.models import Reminder, Task
from hub.partnerships.todo import services as todo
from tests import factories

pytestmark = pytest.mark.django_db
D = dt.date
FROZEN = time_machine.travel(dt.datetime(2026, 6, 15, 9, 0, tzinfo=dt.UTC), tick=False)


def url(name: str, **kwargs: object) -> str:
    return reverse(f"partnerships:{name}", kwargs={"slug": "alpha", **kwargs})


def test_member_adds_a_repeating_task_about_a_partnership(client_a, affiliate_a, member_a):
    p = factories.partnership(affiliate_a, title="WikiGap 2027")
    form = client_a.get(url("task_create"), {"partnership": p.pk})
    assert form.status_code == 200
    assert f'<option value="{p.pk}" selected>' in form.content.decode()
    response = client_a.post(
        url("task_create"),
        {
            "title": "Book the venue",
            "assignee": member_a.pk,
            "due_on": "2027-01-31",
            "partnership": p.pk,
            "recurrence": "monthly",
        },
    )
    assert response.status_code == 302
    task = Task.objects.get()
    assert (task.title, task.partnership, task.recurrence) == ("Book the venue", p, "monthly")
    assert task.created_by == member_a


def test_bad_input_is_explained_and_nothing_is_written(client_a, affiliate_a, affiliate_b):
    other = factories.partnership(affiliate_b)
    response = client_a.post(
        url("task_create"),
        {"title": "", "recurrence": "weekly", "partnership": other.pk, "due_on": "31/02/2026"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in html
    assert "Enter a valid date." in html
    assert "Select a valid choice." in html
    assert not Task.objects.exists()


def test_repeat_without_a_due_date_is_refused_in_words(client_a):
    response = client_a.post(url("task_create"), {"title": "Report", "recurrence": "yearly"})
    assert "A task that repeats needs a due date to count from." in response.content.decode()
    assert not Task.objects.exists()


@FROZEN
def test_task_list_shows_mine_open_and_overdue_first(client_a, affiliate_a, member_a, viewer_a):
    for title, due, who in [
        ("Later", D(2026, 7, 1), member_a),
        ("Undated", None, member_a),
        ("Overdue", D(2026, 6, 1), member_a),
        ("Victor's", D(2026, 6, 2), viewer_a),
    ]:
        todo.create_task(
            actor=member_a, affiliate=affiliate_a, title=title, due_on=due, assignee=who
        )
    html = client_a.get(url("task_list")).content.decode()
    assert html.index("Overdue") < html.index("Later") < html.index("Undated")
    assert "Victor&#x27;s" not in html and "overdue</span>" in html
    everyone = client_a.get(url("task_list"), {"who": "all"}).content.decode()
    assert "Victor&#x27;s" in everyone


def test_completing_from_the_list_returns_to_it_and_shows_the_next_date(
    client_a, affiliate_a, member_a
):
    task = todo.create_task(
        actor=member_a,
        affiliate=affiliate_a,
        title="Quarterly call",
        assignee=member_a,
        due_on=D(2026, 11, 30),
        recurrence="quarterly",
    )
    back = url("task_list") + "?who=all&state=open"
    response = client_a.post(url("task_complete", pk=task.pk), {"next": back}, follow=True)
    assert response.redirect_chain[-1][0] == back
    assert "The next one is due on 2027-02-28." in response.content.decode()
    done = client_a.get(url("task_list"), {"state": "done"}).content.decode()
    assert "Quarterly call" in done and "Reopen" in done
    # An outside address in "next" is ignored.
    response = client_a.post(url("task_reopen", pk=task.pk), {"next": "https://evil.example/"})
    assert response["Location"] == url("task_list")


def test_delete_asks_first_then_deletes(client_a, affiliate_a, member_a):
    task = todo.create_task(actor=member_a, affiliate=affiliate_a, title="Gone soon")
    page = client_a.get(url("task_delete", pk=task.pk))
    assert "cannot be undone" in page.content.decode()
    assert Task.objects.exists()
    client_a.post(url("task_delete", pk=task.pk))
    assert not Task.objects.exists()


def test_viewer_reads_tasks_but_cannot_change_them(affiliate_a, member_a, viewer_a):
    task = todo.create_task(
        actor=member_a, affiliate=affiliate_a, title="Read only", assignee=viewer_a
    )
    client = Client()
    client.force_login(viewer_a)
    html = client.get(url("task_list")).content.decode()
    assert "Read only" in html and "Add task" not in html and f"/tasks/{task.pk}/done/" not in html
    for name in ("task_complete", "task_reopen", "task_delete", "task_edit"):
        assert client.post(url(name, pk=task.pk)).status_code == 403
    assert client.post(url("task_create"), {"title": "Nope"}).status_code == 403
    assert Task.objects.get().done_at is None


def test_another_affiliates_tasks_answer_404(client_b, affiliate_a, member_a):
    task = todo.create_task(actor=member_a, affiliate=affiliate_a, title="Private task")
    for name in ("task_edit", "task_complete", "task_delete"):
        response = client_b.post(
            reverse(f"partnerships:{name}", kwargs={"slug": "beta", "pk": task.pk})
        )
        assert response.status_code == 404
    assert Task.objects.get().done_at is None


@pytest.mark.parametrize("n", [3, 30])
def test_task_list_query_count_does_not_grow(
    client_a, affiliate_a, member_a, n, django_assert_max_num_queries
):
    org = factories.organisation(affiliate_a)
    p = factories.partnership(affiliate_a)
    for i in range(n):
        todo.create_task(
            actor=member_a,
            affiliate=affiliate_a,
            title=f"T{i}",
            assignee=member_a,
            due_on=D(2026, 1, 1) + dt.timedelta(days=i),
            partnership=p if i % 2 else None,
            organisation=None if i % 2 else org,
        )
    # Session, user, membership, count, page (tasks joined with people, partnerships, partners).
    with django_assert_max_num_queries(6):
        response = client_a.get(url("task_list"), {"who": "all"})
    assert response.status_code == 200


@FROZEN
def test_my_work_shows_reminders_and_tasks_with_buttons(
    client_a, affiliate_a, member_a, django_assert_max_num_queries
):
    p = factories.partnership(affiliate_a, title="Archive deal", agreement_expires_on=D(2026, 7, 1))
    p.responsible.add(member_a)
    todo.create_task(
        actor=member_a,
        affiliate=affiliate_a,
        title="Write to the archive",
        assignee=member_a,
        due_on=D(2026, 6, 10),
    )
    from hub.partnerships.todo.reminders import generate_reminders

    generate_reminders()
    my_work = reverse("partners:my_work", kwargs={"slug": "alpha"})
    # The first view counts the directory and keeps the counts; the next reads them back.
    # (One query of them counts the partners' corrections waiting, the surveys app's section.)
    with django_assert_max_num_queries(19):
        client_a.get(my_work)
    with django_assert_max_num_queries(13):
        html = client_a.get(my_work).content.decode()
    assert "Agreement expires: Archive deal" in html
    assert "Write to the archive" in html and "overdue</span>" in html
    reminder = Reminder.objects.get(kind="agreement_expiry")
    assert f"/a/alpha/reminders/{reminder.pk}/dismiss/" in html
    response = client_a.post(url("reminder_dismiss", pk=reminder.pk))
    assert response["Location"] == my_work
    html = client_a.get(my_work).content.decode()
    assert "Archive deal" not in html


def test_a_person_cannot_dismiss_someone_elses_reminder_through_the_page(
    affiliate_a, member_a, viewer_a
):
    reminder = Reminder.objects.create(
        affiliate=affiliate_a,
        user=member_a,
        kind=Reminder.Kind.IMPACT_REPORT,
        key="k",
        due_on=D(2026, 7, 1),
        remind_on=D(2026, 6, 17),
    )
    client = Client()
    client.force_login(viewer_a)
    assert client.post(url("reminder_dismiss", pk=reminder.pk)).status_code == 404
    reminder.refresh_from_db()
    assert reminder.dismissed_at is None
