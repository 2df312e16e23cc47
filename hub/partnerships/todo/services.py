"""Every change to tasks and reminders: create, edit, complete (and repeat), reopen, delete."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.core import audit
from hub.core.dates import add_months
from hub.core.models import Affiliate, Membership, User
from hub.partners.models import Organisation
from hub.partnerships.models import Partnership, Reminder, Task

TASK_FIELDS = ("title", "notes", "assignee", "due_on", "partnership", "organisation", "recurrence")
_RECURRENCE_MONTHS = {
    Task.Recurrence.MONTHLY: 1,
    Task.Recurrence.QUARTERLY: 3,
    Task.Recurrence.YEARLY: 12,
}


def next_due(day: dt.date, recurrence: str) -> dt.date:
    """Return the due date after ``day`` for a task that repeats as ``recurrence``."""
    if recurrence == Task.Recurrence.WEEKLY:
        return day + dt.timedelta(days=7)
    months = _RECURRENCE_MONTHS.get(recurrence)  # type: ignore[call-overload]
    if months is None:
        raise ValueError(f"not a recurrence: {recurrence!r}")
    return add_months(day, months)


def _snapshot(task: Task) -> dict[str, Any]:
    return audit.snapshot(task, TASK_FIELDS)


def _check_task(task: Task) -> None:
    """Refuse links and assignees outside the task's affiliate, and repeats without a date."""
    errors: dict[str, str] = {}
    affiliate_id = task.affiliate_id
    if not (task.title or "").strip():
        errors["title"] = _("Give the task a title.")
    if (
        task.assignee_id is not None
        and not Membership.objects.filter(
            affiliate_id=affiliate_id, user_id=task.assignee_id
        ).exists()
    ):
        errors["assignee"] = _("The person must be a member of this affiliate.")
    if (
        task.partnership_id is not None
        and not Partnership.objects.filter(
            pk=task.partnership_id, affiliate_id=affiliate_id
        ).exists()
    ):
        errors["partnership"] = _("Choose one of your own partnerships.")
    if (
        task.organisation_id is not None
        and not Organisation.objects.filter(
            pk=task.organisation_id, affiliate_id=affiliate_id
        ).exists()
    ):
        errors["organisation"] = _("Choose a partner from your own directory.")
    if task.recurrence and task.due_on is None:
        errors["due_on"] = _("A task that repeats needs a due date to count from.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_task(
    *,
    actor: User | None,
    affiliate: Affiliate,
    title: str,
    notes: str = "",
    assignee: User | None = None,
    due_on: dt.date | None = None,
    partnership: Partnership | None = None,
    organisation: Organisation | None = None,
    recurrence: str = "",
) -> Task:
    """Create a task, checking that its assignee and links belong to the affiliate."""
    task = Task(
        affiliate=affiliate,
        title=title.strip(),
        notes=notes,
        assignee=assignee,
        due_on=due_on,
        partnership=partnership,
        organisation=organisation,
        recurrence=recurrence or "",
        created_by=actor if actor is not None and actor.pk else None,
    )
    _check_task(task)
    task.full_clean()
    task.save()
    audit.record(
        actor=actor,
        affiliate=affiliate,
        action="task.created",
        target=task,
        changes=audit.diff({}, _snapshot(task)),
    )
    return task


@transaction.atomic
def update_task(*, actor: User | None, task: Task, **fields: Any) -> Task:
    """Change a task's title, notes, assignee, due date, links or repeat; record what changed."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    before = _snapshot(task)
    for name, value in fields.items():
        if name not in TASK_FIELDS:
            raise ValueError(f"unknown task field {name}")
        setattr(task, name, value)
    task.title = (task.title or "").strip()
    task.recurrence = task.recurrence or ""
    _check_task(task)
    task.full_clean()
    task.save()
    changes = audit.diff(before, _snapshot(task))
    if changes:
        audit.record(
            actor=actor,
            affiliate=task.affiliate,
            action="task.updated",
            target=task,
            changes=changes,
        )
    return task


@transaction.atomic
def complete_task(*, actor: User | None, task: Task, now: dt.datetime | None = None) -> Task | None:
    """Mark a task done; for a repeating task, create and return the next one (else None).

    Completing a task that is already done changes nothing, and the next occurrence is created
    only once, so a double click or a resubmitted form does not multiply tasks.
    """
    now = now or timezone.now()
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.done_at is not None:
        return None
    task.done_at = now
    task.done_by = actor if actor is not None and actor.pk else None
    task.save(update_fields=["done_at", "done_by"])
    # The task's own reminders are answered now: keep them off My work and out of the digest.
    Reminder.objects.filter(task=task, dismissed_at=None).update(dismissed_at=now)
    audit.record(
        actor=actor,
        affiliate=task.affiliate,
        action="task.completed",
        target=task,
        changes={"done": [None, now.date().isoformat()]},
    )
    if not task.recurrence or task.due_on is None:
        return None
    due = next_due(task.due_on, task.recurrence)
    same = dict(
        affiliate_id=task.affiliate_id,
        title=task.title,
        assignee_id=task.assignee_id,
        partnership_id=task.partnership_id,
        organisation_id=task.organisation_id,
        recurrence=task.recurrence,
        due_on=due,
    )
    existing = Task.objects.filter(**same).first()
    if existing is not None:
        return existing
    following = Task.objects.create(notes=task.notes, created_by=task.created_by, **same)
    audit.record(
        actor=actor,
        affiliate=task.affiliate,
        action="task.created",
        target=following,
        changes={"due_on": [None, due.isoformat()], "repeats": [None, task.recurrence]},
    )
    return following


@transaction.atomic
def reopen_task(*, actor: User | None, task: Task) -> Task:
    """Mark a done task as open again (a repeat already created stays)."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.done_at is None:
        return task
    task.done_at = None
    task.done_by = None
    task.save(update_fields=["done_at", "done_by"])
    audit.record(
        actor=actor,
        affiliate=task.affiliate,
        action="task.reopened",
        target=task,
        changes={"done": [True, False]},
    )
    return task


@transaction.atomic
def delete_task(*, actor: User | None, task: Task) -> None:
    """Delete a task and its reminders, keeping a trace in the audit trail."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    audit.record(
        actor=actor,
        affiliate=task.affiliate,
        action="task.deleted",
        target=task,
        changes={name: [value, None] for name, value in _snapshot(task).items()},
    )
    task.delete()


@transaction.atomic
def dismiss_reminder(
    *, actor: User, reminder: Reminder, now: dt.datetime | None = None
) -> Reminder:
    """Hide one of the person's own reminders from My work, the digest and the calendar."""
    if reminder.user_id != actor.pk:
        raise ValidationError(_("You can only dismiss your own reminders."))
    reminder = Reminder.objects.select_for_update().get(pk=reminder.pk)
    if reminder.dismissed_at is None:
        reminder.dismissed_at = now or timezone.now()
        reminder.save(update_fields=["dismissed_at"])
        audit.record(
            actor=actor,
            affiliate=reminder.affiliate,
            action="reminder.dismissed",
            target=reminder,
            changes={"dismissed": [False, True]},
        )
    return reminder
