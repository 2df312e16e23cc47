"""Generate each day's reminders for every affiliate, set-based, and send the daily digest."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from hub.core.dates import add_months
from hub.core.languages import in_language_of
from hub.core.links import absolute_url
from hub.core.models import Membership, User
from hub.core.queue import enqueue_on_commit
from hub.core.tasks import send_mail_task
from hub.partners.models import Interaction, Organisation
from hub.partnerships.lifecycle import impact_report_due
from hub.partnerships.models import (
    Partnership,
    PartnershipPartner,
    Reminder,
    Stage,
    Task,
)

# Follow-ups and tasks show up this many days before they are due...
LEAD_DAYS = 3
# ...impact reports two weeks before...
IMPACT_LEAD_DAYS = 14
# ...and agreements at these distances from their expiry.
AGREEMENT_WINDOWS = (60, 30)
# Something overdue for longer than this is not reminded any more (nor mailed): by then it is
# either done or forgotten on purpose, and a first run must not flood people with old history.
GRACE_DAYS = 30
# Keep each IN (...) list well below SQLite's and PostgreSQL's parameter limits.
CHUNK = 500
DIGEST_LIMIT = 200
# At most this many rows per INSERT.
INSERT_ROWS = 1000


@dataclass
class _People:
    """Who belongs to which affiliate (active accounts only), its managers, and who is
    responsible for each live partnership."""

    members: dict[int, set[int]]
    managers: dict[int, list[int]]
    responsible: dict[int, set[int]]

    @classmethod
    def load(cls) -> _People:
        members: dict[int, set[int]] = defaultdict(set)
        managers: dict[int, list[int]] = defaultdict(list)
        rows = Membership.objects.filter(user__is_active=True).values_list(
            "affiliate_id", "user_id", "role"
        )
        for affiliate_id, user_id, role in rows.order_by("affiliate_id", "user_id"):
            members[affiliate_id].add(user_id)
            if role == Membership.Role.MANAGER:
                managers[affiliate_id].append(user_id)
        # Three of the rules need them: one join over the live partnerships serves all three,
        # rather than lists of ids sent back a few hundred at a time.
        responsible: dict[int, set[int]] = defaultdict(set)
        for pid, uid in (
            Partnership.responsible.through.objects.filter(partnership__archived_at=None)
            .exclude(partnership__stage=Stage.ENDED)
            .values_list("partnership_id", "user_id")
        ):
            responsible[pid].add(uid)
        return cls(members, managers, responsible)

    def keep(self, affiliate_id: int, user_ids: Iterable[int | None]) -> set[int]:
        """Return the users among ``user_ids`` who are still members of the affiliate."""
        allowed = self.members.get(affiliate_id, set())
        return {u for u in user_ids if u is not None and u in allowed}

    def or_managers(self, affiliate_id: int, user_ids: Iterable[int | None]) -> set[int]:
        """Return the users who are members, or the affiliate's managers when none is."""
        kept = self.keep(affiliate_id, user_ids)
        return kept or set(self.managers.get(affiliate_id, ()))


@dataclass(frozen=True, slots=True)
class _Due:
    """A reminder to create, as plain values: it becomes a Reminder only once it is known to
    be new."""

    affiliate_id: int
    user_id: int
    kind: Reminder.Kind
    key: str
    due_on: dt.date
    remind_on: dt.date
    partnership_id: int | None = None
    organisation_id: int | None = None
    task_id: int | None = None
    interaction_id: int | None = None


def _live_partnerships() -> QuerySet[Partnership]:
    return Partnership.objects.filter(archived_at=None).exclude(stage=Stage.ENDED)


def _follow_ups(today: dt.date, people: _People) -> Iterator[_Due]:
    due = Interaction.objects.filter(
        follow_up_done=False,
        follow_up_on__gte=today - dt.timedelta(days=GRACE_DAYS),
        follow_up_on__lte=today + dt.timedelta(days=LEAD_DAYS),
        organisation__archived_at=None,
    )
    rows = list(
        due.values_list("id", "affiliate_id", "organisation_id", "follow_up_on", "created_by_id")
    )
    involved: dict[int, set[int]] = defaultdict(set)
    for iid, uid in Interaction.users.through.objects.filter(
        interaction_id__in=due.values("pk")
    ).values_list("interaction_id", "user_id"):
        involved[iid].add(uid)
    for iid, affiliate_id, org_id, follow_up_on, creator in rows:
        if follow_up_on is None:
            continue
        for user_id in people.keep(affiliate_id, {creator, *involved[iid]}):
            yield _Due(
                affiliate_id=affiliate_id,
                user_id=user_id,
                kind=Reminder.Kind.FOLLOW_UP,
                key=f"follow_up:{iid}:{follow_up_on.isoformat()}",
                due_on=follow_up_on,
                remind_on=follow_up_on - dt.timedelta(days=LEAD_DAYS),
                organisation_id=org_id,
                interaction_id=iid,
            )


def _tasks_due(today: dt.date, people: _People) -> Iterator[_Due]:
    rows = Task.objects.filter(
        done_at=None,
        assignee__isnull=False,
        due_on__gte=today - dt.timedelta(days=GRACE_DAYS),
        due_on__lte=today + dt.timedelta(days=LEAD_DAYS),
    ).values_list(
        "id", "affiliate_id", "assignee_id", "due_on", "partnership_id", "organisation_id"
    )
    for tid, affiliate_id, assignee_id, due_on, pid, org_id in rows:
        if due_on is None:
            continue
        for user_id in people.keep(affiliate_id, [assignee_id]):
            yield _Due(
                affiliate_id=affiliate_id,
                user_id=user_id,
                kind=Reminder.Kind.TASK_DUE,
                key=f"task:{tid}:{due_on.isoformat()}",
                due_on=due_on,
                remind_on=due_on - dt.timedelta(days=LEAD_DAYS),
                task_id=tid,
                partnership_id=pid,
                organisation_id=org_id,
            )


def agreement_window(expires_on: dt.date, today: dt.date) -> int | None:
    """Return the reminder window (60 or 30 days) an expiry date falls in today, if any."""
    days_left = (expires_on - today).days
    if days_left < 0:
        return None
    windows = sorted(AGREEMENT_WINDOWS)
    return next((w for w in windows if days_left <= w), None)


def _agreements(today: dt.date, people: _People) -> Iterator[_Due]:
    rows = list(
        _live_partnerships()
        .filter(
            agreement_expires_on__gte=today,
            agreement_expires_on__lte=today + dt.timedelta(days=max(AGREEMENT_WINDOWS)),
        )
        .values_list("id", "affiliate_id", "agreement_expires_on")
    )
    for pid, affiliate_id, expires_on in rows:
        window = agreement_window(expires_on, today) if expires_on else None
        if expires_on is None or window is None:
            continue
        for user_id in people.or_managers(affiliate_id, people.responsible.get(pid, ())):
            yield _Due(
                affiliate_id=affiliate_id,
                user_id=user_id,
                kind=Reminder.Kind.AGREEMENT_EXPIRY,
                key=f"agreement:{pid}:{expires_on.isoformat()}:{window}",
                due_on=expires_on,
                remind_on=expires_on - dt.timedelta(days=window),
                partnership_id=pid,
            )


def _impact_reports(today: dt.date, people: _People) -> Iterator[_Due]:
    rows = (
        _live_partnerships()
        .filter(impact_report_every_months__gt=0)
        .filter(Q(impact_reported_on__isnull=False) | Q(start_date__isnull=False))
        .values_list(
            "id", "affiliate_id", "impact_report_every_months", "impact_reported_on", "start_date"
        )
    )
    wanted: list[tuple[int, int, dt.date]] = []
    for pid, affiliate_id, every, reported_on, start_date in rows:
        due = impact_report_due(every, reported_on, start_date)
        if due is not None and due - dt.timedelta(days=IMPACT_LEAD_DAYS) <= today:
            wanted.append((pid, affiliate_id, due))
    for pid, affiliate_id, due in wanted:
        for user_id in people.or_managers(affiliate_id, people.responsible.get(pid, ())):
            yield _Due(
                affiliate_id=affiliate_id,
                user_id=user_id,
                kind=Reminder.Kind.IMPACT_REPORT,
                key=f"impact:{pid}:{due.isoformat()}",
                due_on=due,
                remind_on=due - dt.timedelta(days=IMPACT_LEAD_DAYS),
                partnership_id=pid,
            )


def next_fiscal_year_start(month: int, today: dt.date) -> dt.date:
    """Return the first day of the partner's next fiscal year (today if it starts today)."""
    start = dt.date(today.year, month, 1)
    return start if start >= today else dt.date(today.year + 1, month, 1)


def budget_reminder_dates(
    month: int, notice_months: int, today: dt.date
) -> tuple[dt.date, dt.date]:
    """Return (fiscal year start, day to remind) for the partner's next budget cycle."""
    start = next_fiscal_year_start(month, today)
    return start, add_months(start, -min(max(notice_months, 0), 11))


def _budget_cycles(today: dt.date, people: _People) -> Iterator[_Due]:
    rows = Organisation.objects.filter(
        archived_at=None, fiscal_year_starts__isnull=False
    ).values_list("id", "affiliate_id", "fiscal_year_starts", "budget_notice_months")
    wanted: list[tuple[int, int, dt.date, dt.date]] = []
    for org_id, affiliate_id, month, notice in rows:
        if month is None or not 1 <= month <= 12:
            continue
        start, remind_on = budget_reminder_dates(month, notice, today)
        if remind_on <= today:
            wanted.append((org_id, affiliate_id, start, remind_on))
    # One join over the live partnerships of every partner with a budget year, rather than
    # "organisation IN (...) AND partnership IN (subquery)": without statistics SQLite walks
    # the (partnership, organisation) index once per pair of the two lists.
    wanted_orgs = {org_id for org_id, *_rest in wanted}
    partnerships_of: dict[int, set[int]] = defaultdict(set)
    links = (
        PartnershipPartner.objects.filter(
            organisation__archived_at=None,
            organisation__fiscal_year_starts__isnull=False,
            partnership__archived_at=None,
        )
        .exclude(partnership__stage=Stage.ENDED)
        .values_list("organisation_id", "partnership_id")
    )
    for org_id, pid in links.order_by() if wanted_orgs else ():
        if org_id in wanted_orgs:
            partnerships_of[org_id].add(pid)
    for org_id, affiliate_id, start, remind_on in wanted:
        candidates = {
            uid for pid in partnerships_of[org_id] for uid in people.responsible.get(pid, ())
        }
        for user_id in people.or_managers(affiliate_id, candidates):
            yield _Due(
                affiliate_id=affiliate_id,
                user_id=user_id,
                kind=Reminder.Kind.BUDGET_CYCLE,
                key=f"budget:{org_id}:{start.isoformat()}",
                due_on=start,
                remind_on=remind_on,
                organisation_id=org_id,
            )


def _not_yet_generated(candidates: Iterable[_Due]) -> list[_Due]:
    """Return the candidates whose (user, key) has no reminder yet, each pair once.

    Asking the (user, key) unique index a few hundred keys at a time costs far less than
    handing every candidate to the insert only for the database to skip it.
    """
    by_user: dict[int, dict[str, _Due]] = defaultdict(dict)
    for reminder in candidates:
        by_user[reminder.user_id].setdefault(reminder.key, reminder)
    fresh: list[_Due] = []
    for user_id, by_key in by_user.items():
        keys = list(by_key)
        for start in range(0, len(keys), CHUNK):
            for key in Reminder.objects.filter(
                user_id=user_id, key__in=keys[start : start + CHUNK]
            ).values_list("key", flat=True):
                by_key.pop(key, None)
        fresh.extend(by_key.values())
    return fresh


def generate_reminders(today: dt.date | None = None) -> int:
    """Create the day's reminders for every affiliate and return how many were new.

    Safe to run any number of times a day: each reminder has a key unique per person
    (``kind:object:date``); keys already there are left out, and rows a concurrent run
    inserted meanwhile are skipped by the database.
    """
    today = today or timezone.localdate()
    people = _People.load()
    candidates: list[_Due] = []
    for source in (_follow_ups, _tasks_due, _agreements, _impact_reports, _budget_cycles):
        candidates.extend(source(today, people))
    fresh = _not_yet_generated(candidates)
    if not fresh:
        return 0
    before = Reminder.objects.count()
    with transaction.atomic():
        _insert(fresh)
    return Reminder.objects.count() - before


def _insert(reminders: list[_Due]) -> None:
    """Insert the reminders, INSERT_ROWS per statement; a (user, key) already there (a
    concurrent run inserted it meanwhile) is skipped by the database's unique constraint."""
    Reminder.objects.bulk_create(
        [
            Reminder(
                affiliate_id=r.affiliate_id,
                user_id=r.user_id,
                kind=r.kind,
                key=r.key,
                due_on=r.due_on,
                remind_on=r.remind_on,
                partnership_id=r.partnership_id,
                organisation_id=r.organisation_id,
                task_id=r.task_id,
                interaction_id=r.interaction_id,
            )
            for r in reminders
        ],
        batch_size=INSERT_ROWS,
        ignore_conflicts=True,
    )


def open_reminders() -> QuerySet[Reminder]:
    """Return reminders not dismissed whose task or follow-up is not done yet."""
    return Reminder.objects.filter(dismissed_at=None).filter(
        Q(task__isnull=True) | Q(task__done_at__isnull=True),
        Q(interaction__isnull=True) | Q(interaction__follow_up_done=False),
    )


def describe(reminder: Reminder) -> str:
    """Return one line saying what a reminder is about (its related rows selected)."""
    about = ""
    if reminder.task_id and reminder.task is not None:
        about = reminder.task.title
    elif reminder.partnership_id and reminder.partnership is not None:
        about = reminder.partnership.title
    elif reminder.organisation_id and reminder.organisation is not None:
        about = reminder.organisation.name
    label = reminder.get_kind_display()
    return f"{label}: {about}" if about else str(label)


def _digest_body(user: User, reminders: list[Reminder], today: dt.date) -> str:
    lines = [
        _("Hello %(name)s,") % {"name": user.get_full_name() or user.get_username()},
        "",
        _("Your reminders in the Partnerships Hub for %(date)s:")
        % {"date": date_format(today, "DATE_FORMAT")},
    ]
    by_affiliate: dict[int, list[Reminder]] = defaultdict(list)
    for reminder in reminders:
        by_affiliate[reminder.affiliate_id].append(reminder)
    for group in by_affiliate.values():
        affiliate = group[0].affiliate
        lines += ["", affiliate.name]
        for reminder in group:
            overdue = " " + _("(overdue)") if reminder.due_on < today else ""
            lines.append(f"- {reminder.due_on.isoformat()}{overdue} {describe(reminder)}")
        url = absolute_url(reverse("partners:my_work", kwargs={"slug": affiliate.slug}))
        lines.append(_("Open My work: %(url)s") % {"url": url})
    lines += [
        "",
        _(
            "You get this e-mail once a day when something needs your attention. Dismiss a "
            "reminder on My work and it is not sent again."
        ),
    ]
    return "\n".join(lines) + "\n"


def send_digests(today: dt.date | None = None, *, now: dt.datetime | None = None) -> int:
    """Queue one e-mail per person listing their reminders not yet mailed; return how many.

    Each reminder is mailed at most once (``emailed_at``), so running the digest twice sends
    nothing twice. People without an e-mail address, or no longer active, get none.
    """
    today = today or timezone.localdate()
    now = now or timezone.now()
    pending = (
        open_reminders()
        .filter(
            emailed_at=None,
            remind_on__lte=today,
            due_on__gte=today - dt.timedelta(days=GRACE_DAYS),
            user__is_active=True,
        )
        .exclude(user__email="")
        .select_related("user", "affiliate", "partnership", "organisation", "task")
        .order_by("user_id", "affiliate_id", "due_on", "id")
    )
    per_user: dict[int, list[Reminder]] = defaultdict(list)
    for reminder in pending:
        if len(per_user[reminder.user_id]) < DIGEST_LIMIT:
            per_user[reminder.user_id].append(reminder)
    sent = 0
    with transaction.atomic():
        for reminders in per_user.values():
            ids = [r.pk for r in reminders]
            # Claim the rows first: a second run at the same moment finds them claimed.
            claimed = Reminder.objects.filter(pk__in=ids, emailed_at=None).update(emailed_at=now)
            if not claimed:
                continue
            user = reminders[0].user
            # Each digest in its reader's language, whoever (or whatever job) sends it.
            with in_language_of(user):
                subject = _("Partnerships Hub: %(count)d reminder(s) for %(date)s") % {
                    "count": len(reminders),
                    "date": date_format(today, "DATE_FORMAT"),  # the reader's way
                }
                body = _digest_body(user, reminders, today)
            enqueue_on_commit(send_mail_task, subject, body, [user.email])
            sent += 1
    return sent
