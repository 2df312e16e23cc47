"""Task services: dates that repeat, links kept inside the affiliate, audit, completing once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from hub.core.models import AuditEvent
from hub.partnerships.models import Reminder, Task
from hub.partnerships.todo import services as todo
from tests import factories

D = dt.date


@pytest.mark.parametrize(
    ("day", "recurrence", "expected"),
    [
        (D(2026, 12, 29), "weekly", D(2027, 1, 5)),
        (D(2026, 1, 31), "monthly", D(2026, 2, 28)),
        (D(2026, 11, 30), "quarterly", D(2027, 2, 28)),
        (D(2026, 12, 31), "yearly", D(2027, 12, 31)),
    ],
)
def test_next_due_for_each_recurrence(day, recurrence, expected):
    assert todo.next_due(day, recurrence) == expected


def test_next_due_refuses_a_task_that_does_not_repeat():
    with pytest.raises(ValueError):
        todo.next_due(D(2026, 1, 1), "")


@pytest.mark.django_db
def test_create_task_records_an_audit_event(affiliate_a, member_a):
    org = factories.organisation(affiliate_a)
    task = todo.create_task(
        actor=member_a,
        affiliate=affiliate_a,
        title="  Send the concept note  ",
        assignee=member_a,
        due_on=D(2026, 3, 1),
        organisation=org,
    )
    assert task.title == "Send the concept note"
    event = AuditEvent.objects.get(action="task.created")
    assert event.actor == member_a and event.affiliate == affiliate_a
    assert event.changes["title"] == [None, "Send the concept note"]


@pytest.mark.django_db
def test_create_task_refuses_links_and_people_of_another_affiliate(
    affiliate_a, affiliate_b, member_a, member_b
):
    other_org = factories.organisation(affiliate_b)
    other_partnership = factories.partnership(affiliate_b)
    for fields, field in [
        ({"assignee": member_b}, "assignee"),
        ({"organisation": other_org}, "organisation"),
        ({"partnership": other_partnership}, "partnership"),
        ({"recurrence": "monthly"}, "due_on"),
        ({"title": "   "}, "title"),
    ]:
        kwargs = {"title": "Call the museum", **fields}
        with pytest.raises(ValidationError) as error:
            todo.create_task(actor=member_a, affiliate=affiliate_a, **kwargs)
        assert field in error.value.message_dict
    assert not Task.objects.exists()
    assert not AuditEvent.objects.filter(action="task.created").exists()


@pytest.mark.django_db
def test_completing_a_monthly_task_on_31_january_creates_one_due_28_february(affiliate_a, member_a):
    task = todo.create_task(
        actor=member_a,
        affiliate=affiliate_a,
        title="Monthly report",
        assignee=member_a,
        due_on=D(2026, 1, 31),
        recurrence="monthly",
    )
    following = todo.complete_task(actor=member_a, task=task)
    assert following is not None
    assert following.due_on == D(2026, 2, 28)
    assert following.done_at is None and following.recurrence == "monthly"
    assert following.assignee == member_a
    task.refresh_from_db()
    assert task.done_at is not None and task.done_by == member_a
    # A second click changes nothing; reopen and complete again: still one next task.
    assert todo.complete_task(actor=member_a, task=task) is None
    todo.reopen_task(actor=member_a, task=task)
    assert todo.complete_task(actor=member_a, task=task) == following
    assert Task.objects.count() == 2


@pytest.mark.django_db
def test_completing_a_task_that_does_not_repeat_creates_nothing(affiliate_a, member_a):
    task = todo.create_task(actor=member_a, affiliate=affiliate_a, title="Once")
    assert todo.complete_task(actor=member_a, task=task) is None
    assert Task.objects.count() == 1


@pytest.mark.django_db
def test_completing_a_task_dismisses_its_reminders(affiliate_a, member_a):
    task = todo.create_task(
        actor=member_a, affiliate=affiliate_a, title="T", assignee=member_a, due_on=D(2026, 5, 1)
    )
    Reminder.objects.create(
        affiliate=affiliate_a,
        user=member_a,
        kind=Reminder.Kind.TASK_DUE,
        key="task",
        due_on=D(2026, 5, 1),
        remind_on=D(2026, 4, 28),
        task=task,
    )
    todo.complete_task(actor=member_a, task=task)
    assert Reminder.objects.get().dismissed_at is not None


@pytest.mark.django_db
def test_update_and_delete_are_audited_field_by_field(affiliate_a, member_a):
    task = todo.create_task(actor=member_a, affiliate=affiliate_a, title="Draft")
    todo.update_task(actor=member_a, task=task, title="Final", due_on=D(2026, 9, 1))
    updated = AuditEvent.objects.get(action="task.updated")
    assert updated.changes == {"title": ["Draft", "Final"], "due_on": [None, "2026-09-01"]}
    todo.delete_task(actor=member_a, task=task)
    assert not Task.objects.exists()
    deleted = AuditEvent.objects.get(action="task.deleted")
    assert deleted.changes["title"] == ["Final", None]


@pytest.mark.django_db
def test_update_task_refuses_an_assignee_from_elsewhere_and_keeps_the_task(
    affiliate_a, member_a, member_b
):
    task = todo.create_task(actor=member_a, affiliate=affiliate_a, title="Keep me")
    with pytest.raises(ValidationError):
        todo.update_task(actor=member_a, task=task, title="Changed", assignee=member_b)
    task.refresh_from_db()
    assert task.title == "Keep me" and task.assignee is None


@pytest.mark.django_db
def test_a_person_cannot_dismiss_someone_elses_reminder(affiliate_a, member_a, viewer_a):
    reminder = Reminder.objects.create(
        affiliate=affiliate_a,
        user=member_a,
        kind=Reminder.Kind.BUDGET_CYCLE,
        key="k",
        due_on=D(2027, 1, 1),
        remind_on=D(2026, 10, 1),
    )
    with pytest.raises(ValidationError):
        todo.dismiss_reminder(actor=viewer_a, reminder=reminder)
    todo.dismiss_reminder(actor=member_a, reminder=reminder)
    reminder.refresh_from_db()
    assert reminder.dismissed_at is not None
    assert AuditEvent.objects.filter(action="reminder.dismissed").count() == 1
