"""Daily reminders and the e-mail digest, with frozen days across month and year ends."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from hub.core.models import Membership
from hub.partnerships.models import Reminder
from hub.partnerships.todo import reminders
from hub.partnerships.todo import services as todo
from tests import factories

pytestmark = pytest.mark.django_db
D = dt.date


def keys(user: Any = None) -> set[str]:
    qs = Reminder.objects.all()
    if user is not None:
        qs = qs.filter(user=user)
    return set(qs.values_list("key", flat=True))


@pytest.fixture
def manager_a(affiliate_a):
    return factories.member(affiliate_a, username="mona", role="manager")


def test_follow_up_reminds_its_creator_and_people_involved_who_are_members(
    affiliate_a, member_a, viewer_a, member_b
):
    org = factories.organisation(affiliate_a)
    interaction = factories.interaction(
        org, actor=member_a, users=[viewer_a], follow_up_on=D(2026, 3, 2)
    )
    assert reminders.generate_reminders(D(2026, 2, 26)) == 0  # four days ahead: not yet
    assert reminders.generate_reminders(D(2026, 2, 27)) == 2  # three days ahead, across Feb
    reminder = Reminder.objects.get(user=member_a)
    assert reminder.kind == "follow_up" and reminder.interaction == interaction
    assert reminder.due_on == D(2026, 3, 2) and reminder.remind_on == D(2026, 2, 27)
    assert Reminder.objects.filter(user=viewer_a).exists()
    assert not Reminder.objects.filter(user=member_b).exists()


def test_done_follow_ups_and_former_members_get_no_reminder(affiliate_a, member_a, viewer_a):
    org = factories.organisation(affiliate_a)
    done = factories.interaction(org, actor=member_a, follow_up_on=D(2026, 3, 2))
    done.follow_up_done = True
    done.save()
    factories.interaction(org, actor=viewer_a, follow_up_on=D(2026, 3, 2))
    Membership.objects.filter(user=viewer_a).delete()
    assert reminders.generate_reminders(D(2026, 3, 1)) == 0


def test_task_due_reminds_the_assignee_and_forgets_long_overdue_tasks(affiliate_a, member_a):
    todo.create_task(
        actor=member_a, affiliate=affiliate_a, title="Soon", assignee=member_a, due_on=D(2027, 1, 1)
    )
    todo.create_task(
        actor=member_a, affiliate=affiliate_a, title="Old", assignee=member_a, due_on=D(2026, 11, 1)
    )
    todo.create_task(actor=member_a, affiliate=affiliate_a, title="Nobody's", due_on=D(2027, 1, 1))
    assert reminders.generate_reminders(D(2026, 12, 29)) == 1
    assert Reminder.objects.get().key.startswith("task:")
    assert Reminder.objects.filter(task__title="Soon").exists()


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2026, 12, 31), set()),  # 61 days ahead
        (D(2027, 1, 1), {"60"}),  # 60 days ahead of 2 March, across the year end
        (D(2027, 1, 20), {"60"}),
        (D(2027, 1, 30), {"60"}),
        (D(2027, 1, 31), {"30"}),  # 30 days ahead of 2 March, over a 28-day February
        (D(2027, 3, 2), {"30"}),  # the day itself
        (D(2027, 3, 3), set()),  # expired: nothing to remind any more
    ],
)
def test_agreement_expiry_is_reminded_60_and_30_days_ahead(affiliate_a, member_a, today, expected):
    p = factories.partnership(affiliate_a, agreement_expires_on=D(2027, 3, 2))
    p.responsible.add(member_a)
    reminders.generate_reminders(today)
    assert {k.rsplit(":", 1)[1] for k in keys(member_a)} == expected


def test_agreement_expiry_goes_to_managers_when_nobody_is_responsible(
    affiliate_a, member_a, manager_a
):
    factories.partnership(affiliate_a, agreement_expires_on=D(2026, 6, 30))
    reminders.generate_reminders(D(2026, 6, 1))
    assert Reminder.objects.get().user == manager_a


def test_both_expiry_reminders_accumulate_over_the_weeks(affiliate_a, member_a):
    p = factories.partnership(affiliate_a, agreement_expires_on=D(2026, 6, 30))
    p.responsible.add(member_a)
    reminders.generate_reminders(D(2026, 5, 1))
    reminders.generate_reminders(D(2026, 5, 31))
    assert {k.rsplit(":", 1)[1] for k in keys(member_a)} == {"60", "30"}


def test_ended_or_archived_partnerships_are_not_reminded(affiliate_a, member_a, manager_a):
    factories.partnership(affiliate_a, agreement_expires_on=D(2026, 6, 30), stage="ended")
    p = factories.partnership(affiliate_a, agreement_expires_on=D(2026, 6, 30))
    p.archived_at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    p.save()
    assert reminders.generate_reminders(D(2026, 6, 1)) == 0


@pytest.mark.parametrize(
    ("reported_on", "start_date", "every", "today", "due"),
    [
        # From the last report: 31 January + 1 month is 28 February.
        (D(2026, 1, 31), None, 1, D(2026, 2, 14), D(2026, 2, 28)),
        # From the start date when no report was made yet, across the year end.
        (None, D(2026, 7, 15), 6, D(2027, 1, 1), D(2027, 1, 15)),
        # Overdue: still reminded once.
        (None, D(2025, 1, 1), 12, D(2026, 3, 1), D(2026, 1, 1)),
    ],
)
def test_impact_report_is_reminded_two_weeks_before_its_cadence_comes_round(
    affiliate_a, member_a, reported_on, start_date, every, today, due
):
    p = factories.partnership(
        affiliate_a,
        impact_reported_on=reported_on,
        start_date=start_date,
        impact_report_every_months=every,
    )
    p.responsible.add(member_a)
    reminders.generate_reminders(today)
    reminder = Reminder.objects.get(kind="impact_report")
    assert reminder.due_on == due and reminder.user == member_a
    assert reminder.key == f"impact:{p.pk}:{due.isoformat()}"


def test_impact_report_is_not_reminded_too_early_or_without_a_cadence(affiliate_a, member_a):
    factories.partnership(
        affiliate_a, impact_reported_on=D(2026, 1, 31), impact_report_every_months=1
    ).responsible.add(member_a)
    factories.partnership(affiliate_a, start_date=D(2020, 1, 1)).responsible.add(member_a)
    assert reminders.generate_reminders(D(2026, 2, 13)) == 0


@pytest.mark.parametrize(
    ("month", "notice", "today", "start"),
    [
        (1, 3, D(2026, 10, 1), D(2027, 1, 1)),  # December→January: the next year's start
        (1, 3, D(2026, 12, 31), D(2027, 1, 1)),
        (1, 3, D(2027, 1, 1), D(2027, 1, 1)),  # the day itself
        (7, 6, D(2026, 1, 1), D(2026, 7, 1)),
        (3, 0, D(2026, 3, 1), D(2026, 3, 1)),  # no notice: on the day
    ],
)
def test_budget_cycle_is_reminded_months_before_the_fiscal_year_starts(
    affiliate_a, member_a, month, notice, today, start
):
    org = factories.organisation(affiliate_a)
    org.fiscal_year_starts = month
    org.budget_notice_months = notice
    org.save()
    p = factories.partnership(affiliate_a, partners=[(org, "funder")])
    p.responsible.add(member_a)
    reminders.generate_reminders(today)
    reminder = Reminder.objects.get(kind="budget_cycle")
    assert reminder.due_on == start and reminder.user == member_a
    assert reminder.organisation == org


@pytest.mark.parametrize(
    ("month", "notice", "today"),
    [(1, 3, D(2026, 9, 30)), (7, 6, D(2025, 12, 31)), (3, 0, D(2026, 2, 28))],
)
def test_budget_cycle_is_not_reminded_before_the_notice_period(
    affiliate_a, manager_a, month, notice, today
):
    org = factories.organisation(affiliate_a)
    org.fiscal_year_starts = month
    org.budget_notice_months = notice
    org.save()
    assert reminders.generate_reminders(today) == 0


def test_budget_cycle_of_a_partner_without_partnerships_goes_to_managers(
    affiliate_a, member_a, manager_a
):
    org = factories.organisation(affiliate_a)
    org.fiscal_year_starts = 1
    org.save()
    reminders.generate_reminders(D(2026, 11, 15))
    assert set(Reminder.objects.values_list("user__username", flat=True)) == {"mona"}


def _busy_affiliate(affiliate: Any, member: Any, n: int) -> None:
    for i in range(n):
        org = factories.organisation(affiliate)
        org.fiscal_year_starts = 1
        org.save()
        p = factories.partnership(
            affiliate,
            partners=[(org, "main")],
            agreement_expires_on=D(2026, 12, 1),
            start_date=D(2026, 1, 1),
            impact_report_every_months=11,
        )
        p.responsible.add(member)
        factories.interaction(org, actor=member, follow_up_on=D(2026, 11, 20))
        todo.create_task(
            actor=member,
            affiliate=affiliate,
            title=f"Task {i}",
            assignee=member,
            due_on=D(2026, 11, 20),
            partnership=p,
        )


def test_generating_twice_creates_nothing_new(affiliate_a, member_a):
    _busy_affiliate(affiliate_a, member_a, 3)
    first = reminders.generate_reminders(D(2026, 11, 18))
    assert first == 3 * 5
    assert reminders.generate_reminders(D(2026, 11, 18)) == 0
    assert Reminder.objects.count() == first


def test_a_reminder_a_concurrent_run_inserted_meanwhile_is_skipped(affiliate_a, member_a):
    """Two runs may both find a reminder missing; the database keeps one (user, key)."""
    due = reminders._Due(
        affiliate_id=affiliate_a.pk,
        user_id=member_a.pk,
        kind=Reminder.Kind.TASK_DUE,
        key="task:1:2026-11-20",
        due_on=D(2026, 11, 20),
        remind_on=D(2026, 11, 17),
    )
    reminders._insert([due])
    reminders._insert([due, due])
    assert list(Reminder.objects.values_list("user", "key", "kind")) == [
        (member_a.pk, "task:1:2026-11-20", "task_due")
    ]


@pytest.mark.parametrize("n", [2, 12])
def test_generation_query_count_does_not_grow_with_partnerships(
    affiliate_a, member_a, n, django_assert_max_num_queries
):
    _busy_affiliate(affiliate_a, member_a, n)
    # Fixed: memberships, two counts, follow-ups (rows, people), tasks, agreements and their
    # responsible people, impact reports and theirs, partners' cycles, links and people; plus
    # one insert per kind and the transaction points around them.
    with django_assert_max_num_queries(30):
        reminders.generate_reminders(D(2026, 11, 18))
    assert Reminder.objects.count() == 5 * n


def test_digest_sends_one_email_per_person_once(
    affiliate_a, member_a, manager_a, django_capture_on_commit_callbacks
):
    _busy_affiliate(affiliate_a, member_a, 2)
    reminders.generate_reminders(D(2026, 11, 18))
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_digests(D(2026, 11, 18)) == 1
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "hub.core.tasks.send_mail_task"
    subject, body, recipients = queued.args_kwargs["args"]
    assert recipients == ["alice@example.org"]
    assert "10 reminder(s)" in subject
    assert "Wikimedia Alpha" in body and "/a/alpha/" in body
    assert "Task 0" in body
    assert not Reminder.objects.filter(user=member_a, emailed_at=None).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_digests(D(2026, 11, 18)) == 0
    assert DBTaskResult.objects.count() == 1


def test_digest_skips_people_without_email_and_dismissed_or_answered_reminders(
    affiliate_a, member_a, django_capture_on_commit_callbacks
):
    silent = factories.member(affiliate_a, username="silent")
    silent.email = ""
    silent.save()
    org = factories.organisation(affiliate_a)
    factories.interaction(org, actor=silent, follow_up_on=D(2026, 5, 2))
    task = todo.create_task(
        actor=member_a, affiliate=affiliate_a, title="T", assignee=member_a, due_on=D(2026, 5, 2)
    )
    reminders.generate_reminders(D(2026, 5, 1))
    assert Reminder.objects.count() == 2
    todo.complete_task(actor=member_a, task=task)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_digests(D(2026, 5, 1)) == 0
    assert not DBTaskResult.objects.exists()


def test_daily_task_runs_twice_safely(affiliate_a, member_a, django_capture_on_commit_callbacks):
    from hub.partnerships.tasks import daily_reminders

    _busy_affiliate(affiliate_a, member_a, 2)
    with django_capture_on_commit_callbacks(execute=True):
        first = daily_reminders.call("2026-11-18")
    with django_capture_on_commit_callbacks(execute=True):
        second = daily_reminders.call("2026-11-18")
    assert first["reminders"] == 10 and first["digests"] == 1
    assert second == {"reminders": 0, "rescored": 0, "digests": 0}
    assert DBTaskResult.objects.filter(task_path="hub.core.tasks.send_mail_task").count() == 1


def test_command_runs_now_for_the_frozen_day(affiliate_a, member_a):
    _busy_affiliate(affiliate_a, member_a, 1)
    out = StringIO()
    with time_machine.travel(dt.datetime(2026, 11, 18, 6, 0, tzinfo=dt.UTC), tick=False):
        call_command("send_reminders", "--now", stdout=out)
    assert "5 new reminder(s)" in out.getvalue()
    # Follow-up, task and impact report (due 1 December, 14 days' lead), the agreement's
    # 30-day window (it expires in 13 days), the January fiscal year three months ahead.
    assert sorted(Reminder.objects.values_list("kind", "remind_on")) == [
        ("agreement_expiry", D(2026, 11, 1)),
        ("budget_cycle", D(2026, 10, 1)),
        ("follow_up", D(2026, 11, 17)),
        ("impact_report", D(2026, 11, 17)),
        ("task_due", D(2026, 11, 17)),
    ]


def test_command_queues_the_work_for_the_worker_by_default(db):
    out = StringIO()
    call_command("send_reminders", stdout=out)
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "hub.partnerships.tasks.daily_reminders"
    assert "queued" in out.getvalue()


def test_command_refuses_a_malformed_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="2026-01-31"):
        call_command("send_reminders", "--now", "--date", "31/01/2026")
