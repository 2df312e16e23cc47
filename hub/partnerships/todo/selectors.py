"""Reads for tasks, reminders, My work, the calendar feed and the partnership page's sections."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone

from hub.core.models import Affiliate, Membership, User
from hub.core.permissions import get_for_affiliate_or_404
from hub.partners.models import GLAM_TYPES
from hub.partnerships import scoring
from hub.partnerships.models import AgreementPoint, Partnership, Reminder, Task
from hub.partnerships.selectors import PartnershipPage
from hub.partnerships.todo.reminders import open_reminders

# My work lists follow-ups itself, and tasks have their own list with a Done button: their
# reminders would only repeat them there (the digest and the calendar still carry them).
MY_WORK_REMINDER_KINDS = (
    Reminder.Kind.AGREEMENT_EXPIRY,
    Reminder.Kind.IMPACT_REPORT,
    Reminder.Kind.BUDGET_CYCLE,
)
SECTION_TASKS = 20


@dataclass(frozen=True)
class TaskFilters:
    """What the task list shows: mine or everyone's, open or done."""

    mine: bool = True
    done: bool = False

    @classmethod
    def from_params(cls, params: Any) -> TaskFilters:
        """Return filters read from a query string (anything unknown means the default)."""
        return cls(mine=params.get("who") != "all", done=params.get("state") == "done")


def task_list(affiliate: Affiliate, user: User, filters: TaskFilters) -> QuerySet[Task]:
    """Return the affiliate's tasks: open ones soonest due first (overdue on top, undated last),
    done ones latest first; with their assignee, partnership and partner."""
    qs = Task.objects.filter(affiliate=affiliate)
    if filters.mine:
        qs = qs.filter(assignee=user)
    if filters.done:
        qs = qs.exclude(done_at=None).order_by("-done_at", "-id")
    else:
        qs = qs.filter(done_at=None).order_by(F("due_on").asc(nulls_last=True), "id")
    return qs.select_related("assignee", "partnership", "organisation").only(
        "id",
        "title",
        "due_on",
        "recurrence",
        "done_at",
        "affiliate_id",
        "assignee__id",
        "assignee__username",
        "assignee__first_name",
        "assignee__last_name",
        "partnership__id",
        "partnership__title",
        "organisation__id",
        "organisation__name",
    )


def get_task(affiliate: Affiliate, pk: int) -> Task:
    """Return one of the affiliate's tasks, or raise 404."""
    return get_for_affiliate_or_404(
        Task.objects.select_related("partnership", "organisation", "assignee"), affiliate, pk
    )


def get_reminder(affiliate: Affiliate, user: User, pk: int) -> Reminder:
    """Return one of the person's own reminders in the affiliate, or raise 404."""
    return get_for_affiliate_or_404(Reminder, affiliate, pk, user=user)


@dataclass
class WorkItems:
    """A person's most urgent open reminders and tasks for My work, and how many in all."""

    reminders: list[Reminder]
    tasks: list[Task]
    reminder_count: int
    task_count: int


def my_reminders(affiliate: Affiliate, user: User, *, today: dt.date) -> QuerySet[Reminder]:
    """Return the person's open reminders due (agreements, reports, budgets), soonest first."""
    return (
        open_reminders()
        .filter(
            affiliate=affiliate, user=user, remind_on__lte=today, kind__in=MY_WORK_REMINDER_KINDS
        )
        .select_related("partnership", "organisation")
        .only(
            "id",
            "kind",
            "due_on",
            "remind_on",
            "affiliate_id",
            "partnership__id",
            "partnership__title",
            "organisation__id",
            "organisation__name",
        )
        .order_by("due_on", "id")
    )


def _first(qs: QuerySet[Any], limit: int) -> tuple[list[Any], int]:
    """Return the first rows of qs and how many it has in all (counted only when they fill)."""
    rows = list(qs[:limit])
    return rows, len(rows) if len(rows) < limit else qs.count()


def my_work_items(
    affiliate: Affiliate, user: User, *, today: dt.date | None = None, limit: int = 20
) -> WorkItems:
    """Return the person's first open reminders due and open tasks, and how many of each."""
    today = today or timezone.localdate()
    reminders, reminder_count = _first(my_reminders(affiliate, user, today=today), limit)
    tasks, task_count = _first(task_list(affiliate, user, TaskFilters()), limit)
    return WorkItems(reminders, tasks, reminder_count=reminder_count, task_count=task_count)


def open_tasks_of(partnership: Partnership, *, limit: int = SECTION_TASKS) -> list[Task]:
    """Return a partnership's open tasks, soonest due first, with their assignees."""
    return list(
        Task.objects.filter(partnership=partnership, done_at=None)
        .select_related("assignee")
        .order_by(F("due_on").asc(nulls_last=True), "id")[:limit]
    )


def section_context(
    page: PartnershipPage, activity_outputs: dict[str, int], *, today: dt.date | None = None
) -> dict[str, Any]:
    """Return what the partnership page's task and strategic sections show.

    The rules' facts come from what the page has already loaded (its partners, main goals,
    checklist, newest interaction and activity counts), and so do the open tasks when the
    timeline read every task: then this costs one query, the definition. Else the open tasks
    cost one more, and a third when they fill the section (the overdue ones are then counted,
    not guessed from the first few).
    """
    today = today or timezone.localdate()
    partnership = page.partnership
    if "tasks" in page.complete:  # the timeline read every task: pick the open ones here
        open_tasks = sorted(
            (t for t in page.latest_tasks if t.done_at is None),
            key=lambda t: (t.due_on is None, t.due_on or dt.date.min, t.id),
        )[:SECTION_TASKS]
    else:
        open_tasks = open_tasks_of(partnership)
    overdue = None
    if len(open_tasks) < SECTION_TASKS:  # all of them: count here
        overdue = sum(1 for t in open_tasks if t.due_on is not None and t.due_on < today)
    facts = scoring.Facts(
        activities=activity_outputs["count"],
        uploads=activity_outputs["upload_activities"],
        last_interaction=page.last_interaction,
        has_main_goal=bool(page.main_goals),
        has_glam_partner=any(pp.organisation.partner_type in GLAM_TYPES for pp in page.partners),
    )
    return {
        "open_tasks": open_tasks,
        "assessment": scoring.assess(partnership, scoring.get_definition(), facts, today=today),
        "health_flags": scoring.health_flags(
            partnership,
            today=today,
            last_interaction=facts.last_interaction,
            known=True,
            open_points=sum(
                1 for ap in page.checklist if ap.status == AgreementPoint.Status.NOT_DISCUSSED
            ),
            overdue=overdue,
        ),
        "today": today,
    }


def feed_items(user: User, *, today: dt.date | None = None, limit: int = 500) -> dict[str, Any]:
    """Return a person's open dated tasks and open reminders in the affiliates they belong to."""
    today = today or timezone.localdate()
    affiliate_ids = Membership.objects.filter(user=user).values("affiliate_id")
    tasks = list(
        Task.objects.filter(
            assignee=user, done_at=None, due_on__isnull=False, affiliate_id__in=affiliate_ids
        )
        .select_related("affiliate", "partnership", "organisation")
        .order_by("due_on", "id")[:limit]
    )
    reminders = list(
        open_reminders()
        .filter(
            user=user,
            affiliate_id__in=affiliate_ids,
            due_on__gte=today - dt.timedelta(days=90),
        )
        # A task is on the calendar already; its reminder would be a second entry.
        .exclude(kind=Reminder.Kind.TASK_DUE)
        .select_related("affiliate", "partnership", "organisation", "task")
        .order_by("due_on", "id")[:limit]
    )
    return {"tasks": tasks, "reminders": reminders}
