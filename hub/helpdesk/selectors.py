"""Reads for the helpdesk: the staff dashboard, a request's page, the committee, groups."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from hub.core.models import User
from hub.core.regions import Region
from hub.helpdesk.models import (
    AgendaItem,
    CommitteeMember,
    ContentKind,
    GroupMember,
    GroupTask,
    HelpRequest,
    Meeting,
    Message,
    Notification,
    QuarterCapacity,
    ReviewCheck,
    WorkingGroup,
)

Status = HelpRequest.Status
APPROVED_OR_LATER = (Status.APPROVED, Status.IN_PROGRESS, Status.DONE)


def is_committee_member(user: Any) -> bool:
    """Return True for a logged-in person on the active expert committee."""
    if not getattr(user, "is_authenticated", False):
        return False
    return CommitteeMember.objects.filter(user=user, active=True).exists()


def can_use_helpdesk(user: Any) -> bool:
    """Return True for hub staff and active committee members."""
    return bool(getattr(user, "is_hub_staff", False)) or is_committee_member(user)


# --- Quarters -------------------------------------------------------------------------------


def quarter_of(day: dt.date) -> tuple[int, int]:
    """Return (year, quarter) of a date."""
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[dt.datetime, dt.datetime]:
    """Return the first instant of a quarter and of the next one, in the current time zone."""
    start = dt.date(year, 3 * (quarter - 1) + 1, 1)
    end = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    zone = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=zone),
        dt.datetime.combine(end, dt.time.min, tzinfo=zone),
    )


def next_quarter(year: int, quarter: int) -> tuple[int, int]:
    """Return the quarter after the given one."""
    return (year + 1, 1) if quarter == 4 else (year, quarter + 1)


@dataclass(frozen=True)
class QuarterRow:
    """Capacity beside demand for one quarter."""

    year: int
    quarter: int
    capacity: int | None
    asked: int
    approved: int

    @property
    def label(self) -> str:
        return f"{self.year} Q{self.quarter}"

    @property
    def over_capacity(self) -> bool:
        return self.capacity is not None and self.asked > self.capacity


def capacity_table(today: dt.date | None = None, quarters: int = 4) -> list[QuarterRow]:
    """Return, for this quarter and the previous ones, capacity beside requests asked/approved."""
    year, quarter = quarter_of(today or timezone.localdate())
    wanted = []
    for _i in range(quarters):
        wanted.append((year, quarter))
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    capacities = {
        (c.year, c.quarter): c.capacity
        for c in QuarterCapacity.objects.filter(year__in={y for y, _q in wanted})
    }
    first_start, _end = quarter_bounds(*wanted[-1])
    _start, last_end = quarter_bounds(*wanted[0])
    rows = HelpRequest.objects.filter(
        Q(created_at__gte=first_start, created_at__lt=last_end)
        | Q(decided_at__gte=first_start, decided_at__lt=last_end)
    ).values_list("created_at", "decided_at", "status")
    asked = dict.fromkeys(wanted, 0)
    approved = dict.fromkeys(wanted, 0)
    for created, decided, status in rows:
        key = quarter_of(timezone.localdate(created))
        if key in asked:
            asked[key] += 1
        if decided and status in APPROVED_OR_LATER:
            key = quarter_of(timezone.localdate(decided))
            if key in approved:
                approved[key] += 1
    return [
        QuarterRow(y, q, capacities.get((y, q)), asked[(y, q)], approved[(y, q)]) for y, q in wanted
    ]


# --- Response times -------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseTimes:
    """How long requesters wait: for a first answer and for a decision, in days."""

    answered: int
    unanswered: int
    median_days_to_first_answer: float | None
    mean_days_to_first_answer: float | None
    decided: int
    median_days_to_decision: float | None
    mean_days_to_decision: float | None


def _days(start: dt.datetime, end: dt.datetime) -> float:
    return (end - start).total_seconds() / 86400


def _summary(values: list[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    return round(statistics.median(values), 1), round(statistics.fmean(values), 1)


def response_times(since: dt.datetime | None = None) -> ResponseTimes:
    """Return days to first answer and to decision over requests received since a moment."""
    qs = HelpRequest.objects.all()
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    first: list[float] = []
    decision: list[float] = []
    unanswered = 0
    for created, answered, decided in qs.values_list(
        "created_at", "first_answered_at", "decided_at"
    ):
        if answered is None:
            unanswered += 1
        else:
            first.append(_days(created, answered))
        if decided is not None:
            decision.append(_days(created, decided))
    median_first, mean_first = _summary(first)
    median_decision, mean_decision = _summary(decision)
    return ResponseTimes(
        answered=len(first),
        unanswered=unanswered,
        median_days_to_first_answer=median_first,
        mean_days_to_first_answer=mean_first,
        decided=len(decision),
        median_days_to_decision=median_decision,
        mean_days_to_decision=mean_decision,
    )


# --- The staff dashboard and a request's page ----------------------------------------------


def status_counts() -> dict[str, int]:
    """Return how many requests are in each status (every status listed, zeros included)."""
    counts = dict(
        HelpRequest.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    return {s: counts.get(s, 0) for s in Status.values}


def request_list(status: str = "", q: str = "") -> QuerySet[HelpRequest]:
    """Return requests for the staff list, newest first, optionally of one status or text."""
    qs = HelpRequest.objects.select_related("affiliate")
    if status in Status.values:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(partner__icontains=q) | Q(name__icontains=q) | Q(description__icontains=q))
    return qs


def get_request(pk: int) -> HelpRequest:
    """Return a request or raise 404."""
    try:
        return HelpRequest.objects.get(pk=pk)
    except HelpRequest.DoesNotExist:
        raise Http404 from None


@dataclass
class RequestPage:
    """Everything staff see about one request."""

    request: HelpRequest
    messages: list[Message]
    checks: dict[str, ReviewCheck]
    agenda_items: list[AgendaItem]
    groups: list[WorkingGroup]
    offers: list[Any]


def request_page(pk: int) -> RequestPage:
    """Return a request with its conversation, checklist, agenda items, groups and offers."""
    try:
        request = HelpRequest.objects.select_related("affiliate", "user").get(pk=pk)
    except HelpRequest.DoesNotExist:
        raise Http404 from None
    return RequestPage(
        request=request,
        messages=list(request.messages.select_related("author", "working_group")),
        checks={c.group: c for c in request.checks.select_related("reviewer")},
        agenda_items=list(
            request.agenda_items.select_related("meeting", "decided_by").order_by(
                "meeting__held_on"
            )
        ),
        groups=list(request.working_groups.all()),
        offers=list(request.offers.select_related("user", "user__community_profile")),
    )


@dataclass
class StatusPage:
    """What the requester sees through the signed link: nothing internal, nobody else's."""

    request: HelpRequest
    messages: list[Message]
    decision: AgendaItem | None
    groups: list[WorkingGroup] = field(default_factory=list)


def status_page(request: HelpRequest) -> StatusPage:
    """Return the requester's view of their request: public messages, decision, groups, tasks."""
    messages = list(
        request.messages.exclude(kind=Message.Kind.NOTE).select_related("working_group")
    )
    decision = request.agenda_items.exclude(outcome="").order_by("-decided_at", "-id").first()
    groups = list(
        request.working_groups.prefetch_related(
            Prefetch("tasks", queryset=GroupTask.objects.order_by("done_at", "due_on", "id"))
        )
    )
    return StatusPage(request=request, messages=messages, decision=decision, groups=groups)


# --- The committee --------------------------------------------------------------------------


def committee_members() -> list[CommitteeMember]:
    """Return the committee's active members with their accounts."""
    return list(CommitteeMember.objects.filter(active=True).select_related("user"))


def meetings() -> QuerySet[Meeting]:
    """Return meetings, latest first, with their agenda sizes and decisions counted."""
    return Meeting.objects.annotate(
        item_count=Count("items"),
        decided_count=Count("items", filter=~Q(items__outcome="")),
    )


def get_meeting(pk: int) -> Meeting:
    """Return a meeting or raise 404."""
    try:
        return Meeting.objects.get(pk=pk)
    except Meeting.DoesNotExist:
        raise Http404 from None


@dataclass
class MeetingPage:
    """A meeting with its agenda, each request's checklist, and the quarter's capacity."""

    meeting: Meeting
    items: list[AgendaItem]
    ready_not_on_agenda: int
    quarter: QuarterRow | None


def meeting_page(pk: int) -> MeetingPage:
    """Return a meeting's agenda with the requests, their checklists, and the capacity."""
    meeting = get_meeting(pk)
    items = list(
        meeting.items.select_related("request", "request__affiliate", "decided_by")
        .prefetch_related("request__checks")
        .order_by("priority_rank", "id")
    )
    ready = (
        HelpRequest.objects.filter(status=Status.READY)
        .exclude(agenda_items__meeting=meeting)
        .count()
    )
    year, quarter = meeting.quarter
    row = next(
        (r for r in capacity_table(meeting.held_on, 1) if (r.year, r.quarter) == (year, quarter)),
        None,
    )
    return MeetingPage(meeting=meeting, items=items, ready_not_on_agenda=ready, quarter=row)


@dataclass(frozen=True)
class BriefDecision:
    """One decision as the public brief shows it: no names, no addresses, no free text."""

    reference: str
    content_kinds: list[str]
    region: str
    outcome: str
    priority_rank: int | None

    @property
    def outcome_label(self) -> str:
        return str(AgendaItem.Outcome(self.outcome).label)


@dataclass
class Brief:
    """The public brief of a meeting: its decisions and counts."""

    meeting_title: str
    held_on: dt.date
    decisions: list[BriefDecision]
    counts: dict[str, int]
    capacity: QuarterRow | None


def meeting_brief(pk: int) -> Brief:
    """Return the public brief of a published meeting (404 before it is published)."""
    try:
        meeting = Meeting.objects.get(pk=pk, brief_published_at__isnull=False)
    except Meeting.DoesNotExist:
        raise Http404 from None
    rows = (
        meeting.items.exclude(outcome="")
        .order_by("priority_rank", "request_id")
        .values_list(
            "request_id", "request__content_kinds", "request__region", "outcome", "priority_rank"
        )
    )
    decisions = [
        BriefDecision(
            reference=f"HD-{request_id}",
            content_kinds=[str(ContentKind(k).label) for k in (kinds or "").split(",") if k],
            region=str(Region(region).label) if region else "",
            outcome=outcome,
            priority_rank=rank,
        )
        for request_id, kinds, region, outcome, rank in rows
    ]
    counts = {outcome: 0 for outcome in ("approved", "declined", "parked")}
    for d in decisions:
        counts[d.outcome] = counts.get(d.outcome, 0) + 1
    counts["reviewed"] = len(decisions)
    year, quarter = meeting.quarter
    capacity = next(
        (r for r in capacity_table(meeting.held_on, 1) if (r.year, r.quarter) == (year, quarter)),
        None,
    )
    return Brief(
        meeting_title=meeting.title,
        held_on=meeting.held_on,
        decisions=decisions,
        counts=counts,
        capacity=capacity,
    )


def published_briefs() -> QuerySet[Meeting]:
    """Return meetings whose brief is public, latest first."""
    return Meeting.objects.filter(brief_published_at__isnull=False).order_by("-held_on")


# --- Working groups -------------------------------------------------------------------------


def groups_for(user: User) -> QuerySet[WorkingGroup]:
    """Return the working groups a person may open: their own; hub staff see all."""
    qs = WorkingGroup.objects.select_related("request").annotate(
        member_count=Count("memberships", distinct=True),
        open_tasks=Count("tasks", filter=Q(tasks__done_at=None), distinct=True),
    )
    if not can_use_helpdesk(user):
        qs = qs.filter(memberships__user=user)
    return qs.order_by("closed_at", "name", "id")


@dataclass
class GroupPage:
    """A working group as its members see it."""

    group: WorkingGroup
    members: list[GroupMember]
    tasks: list[GroupTask]
    updates: list[Message]
    is_lead: bool
    is_member: bool


def group_page(user: User, pk: int) -> GroupPage:
    """Return a group for one of its members or helpdesk staff; anyone else gets 404."""
    try:
        group = WorkingGroup.objects.select_related("request").get(pk=pk)
    except WorkingGroup.DoesNotExist:
        raise Http404 from None
    members = list(group.memberships.select_related("user", "user__community_profile__affiliate"))
    mine = next((m for m in members if m.user_id == user.pk), None)
    if mine is None and not can_use_helpdesk(user):
        raise Http404
    return GroupPage(
        group=group,
        members=members,
        tasks=list(group.tasks.select_related("owner")),
        updates=list(group.updates.select_related("author").order_by("-created_at")[:20]),
        is_lead=(mine is not None and mine.role == GroupMember.Role.LEAD) or can_use_helpdesk(user),
        is_member=mine is not None,
    )


def notifications_for(user: User) -> QuerySet[Notification]:
    """Return a person's notifications, newest first."""
    return Notification.objects.filter(user=user)
