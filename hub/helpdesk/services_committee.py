"""Changes to the expert committee's work: members, capacity, meetings, agendas, decisions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.core import audit
from hub.core.models import User
from hub.helpdesk.mail import header_safe
from hub.helpdesk.models import (
    AgendaItem,
    CommitteeMember,
    HelpRequest,
    Meeting,
    Notification,
    QuarterCapacity,
)
from hub.helpdesk.notify import notify
from hub.helpdesk.services import (
    Status,
    hub_staff,
    lock_request,
    mark_answered,
    staff_url,
    tell_requester,
)


def _committee() -> list[User]:
    return list(User.objects.filter(committee_membership__active=True, is_active=True).distinct())


@transaction.atomic
def add_committee_member(*, actor: User, user: User) -> CommitteeMember:
    """Put a person on the expert committee (again, if they had left)."""
    member, created = CommitteeMember.objects.get_or_create(
        user=user, defaults={"joined_on": timezone.localdate()}
    )
    if not created and not member.active:
        member.active = True
        member.joined_on = timezone.localdate()
        member.save()
    audit.record(actor=actor, affiliate=None, action="committee.member_added", target=member)
    return member


@transaction.atomic
def remove_committee_member(*, actor: User, member: CommitteeMember) -> CommitteeMember:
    """Take a person off the committee, keeping the record of their decisions."""
    if member.active:
        member.active = False
        member.save()
        audit.record(actor=actor, affiliate=None, action="committee.member_removed", target=member)
    return member


@transaction.atomic
def set_capacity(
    *, actor: User, year: int, quarter: int, capacity: int, note: str = ""
) -> QuarterCapacity:
    """Say how many requests the hub can take on in a quarter."""
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": _("A quarter is 1, 2, 3 or 4.")})
    row, _created = QuarterCapacity.objects.update_or_create(
        year=year, quarter=quarter, defaults={"capacity": capacity, "note": note}
    )
    audit.record(
        actor=actor,
        affiliate=None,
        action="committee.capacity_set",
        target=row,
        changes={"capacity": [None, capacity]},
    )
    return row


@transaction.atomic
def schedule_meeting(*, actor: User, held_on: dt.date, title: str) -> Meeting:
    """Plan a committee meeting."""
    meeting = Meeting(held_on=held_on, title=title)
    meeting.full_clean()
    meeting.save()
    audit.record(actor=actor, affiliate=None, action="committee.meeting_scheduled", target=meeting)
    return meeting


@transaction.atomic
def add_to_agenda(
    *, actor: User, meeting: Meeting, requests: Iterable[HelpRequest] | None = None
) -> int:
    """Put requests ready for review on a meeting's agenda (all of them when none are named)."""
    if meeting.brief_published_at is not None:
        raise ValidationError(_("This meeting's brief is published; its agenda is closed."))
    # A request waits for one decision at a time: never on two undecided agendas at once.
    undecided_elsewhere = AgendaItem.objects.filter(outcome=AgendaItem.Outcome.PENDING).exclude(
        meeting=meeting
    )
    ready = (
        HelpRequest.objects.filter(status=Status.READY)
        .exclude(agenda_items__meeting=meeting)
        .exclude(pk__in=undecided_elsewhere.values("request"))
    )
    if requests is not None:
        named = [r.pk for r in requests]
        taken = undecided_elsewhere.filter(request__in=named).select_related("meeting").first()
        if taken is not None:
            raise ValidationError(
                _(
                    "HD-%(request)s is already on the agenda of %(meeting)s. The committee "
                    "decides it there; one request sits on one agenda at a time."
                )
                % {"request": taken.request_id, "meeting": taken.meeting}
            )
        ready = ready.filter(pk__in=named)
    added = [AgendaItem(meeting=meeting, request=r) for r in ready.order_by("created_at")]
    AgendaItem.objects.bulk_create(added)
    if added:
        audit.record(
            actor=actor,
            affiliate=None,
            action="committee.agenda_set",
            target=meeting,
            changes={"requests": [None, [item.request.reference for item in added]]},
        )
        notify(
            users=_committee(),
            kind=Notification.Kind.AGENDA,
            text=lambda: (
                _("%(count)d request(s) on the agenda of %(meeting)s")
                % {"count": len(added), "meeting": header_safe(meeting.title, 80)}
            ),
            url=reverse("helpdesk:meeting_detail", kwargs={"pk": meeting.pk}),
        )
    return len(added)


@transaction.atomic
def record_decision(
    *,
    actor: User,
    item: AgendaItem,
    outcome: str,
    reasons: str,
    priority_rank: int | None = None,
) -> AgendaItem:
    """Record the committee's decision on a request, with reasons, and tell the requester."""
    item = AgendaItem.objects.select_for_update().select_related("meeting").get(pk=item.pk)
    request = lock_request(item.request)
    errors: dict[str, str] = {}
    if outcome not in {
        AgendaItem.Outcome.APPROVED,
        AgendaItem.Outcome.DECLINED,
        AgendaItem.Outcome.PARKED,
    }:
        errors["outcome"] = _("Choose approve, decline or park.")
    if not reasons.strip():
        errors["reasons"] = _("Give the reasons: the requester reads them.")
    if outcome == AgendaItem.Outcome.APPROVED:
        if not priority_rank or priority_rank < 1:
            errors["priority_rank"] = _("An approved request needs a priority rank (1 is first).")
        elif (
            AgendaItem.objects.filter(meeting=item.meeting, priority_rank=priority_rank)
            .exclude(pk=item.pk)
            .exists()
        ):
            errors["priority_rank"] = _(
                "Another request of this meeting already has priority %(rank)d."
            ) % {"rank": priority_rank}
    else:
        priority_rank = None
    redeciding = bool(item.outcome) and request.status == item.outcome
    if item.meeting.held_on > timezone.localdate():
        errors["__all__"] = _(
            "This meeting is on %(date)s. Record its decisions once it has taken place."
        ) % {"date": item.meeting.held_on.isoformat()}
    elif request.status != Status.READY and not redeciding:
        errors["__all__"] = _(
            "Only a request that is ready for review can be decided (this one is “%(status)s”)."
        ) % {"status": Status(request.status).label}
    if errors:
        raise ValidationError(errors)
    before = request.status
    item.outcome = outcome
    item.priority_rank = priority_rank
    item.reasons = reasons
    item.decided_at = timezone.now()
    item.decided_by = actor
    item.save()
    request.status = outcome
    request.priority = priority_rank
    request.decided_at = item.decided_at
    mark_answered(request)
    request.save()
    audit.record(
        actor=actor,
        affiliate=None,
        action="help_request.decided",
        target=request,
        changes={"status": [before, outcome], "priority": [None, priority_rank]},
    )

    def decision() -> tuple[str, list[str]]:
        lines: dict[str, str] = {
            AgendaItem.Outcome.APPROVED: _(
                "Good news: the expert committee approved your request (priority %(rank)s)."
            )
            % {"rank": priority_rank},
            AgendaItem.Outcome.DECLINED: _(
                "The expert committee decided not to take up your request."
            ),
            AgendaItem.Outcome.PARKED: _(
                "The expert committee parked your request: it may come back when there is capacity."
            ),
        }
        return _("The committee's decision on your request"), [
            lines[outcome],
            _("Reasons:"),
            reasons,
        ]

    tell_requester(request, decision)
    notify(
        users=[u for u in hub_staff() if u.pk != actor.pk],
        kind=Notification.Kind.DECISION,
        text=lambda: (
            _("The committee decided on %(reference)s: %(outcome)s")
            % {"reference": request.reference, "outcome": AgendaItem.Outcome(outcome).label}
        ),
        url=staff_url(request),
    )
    return item


@transaction.atomic
def publish_brief(*, actor: User, meeting: Meeting) -> Meeting:
    """Publish the meeting's brief: its decisions and counts, with no personal data."""
    if meeting.brief_published_at is None:
        meeting.brief_published_at = timezone.now()
        meeting.save(update_fields=["brief_published_at"])
        audit.record(
            actor=actor, affiliate=None, action="committee.brief_published", target=meeting
        )
    return meeting
