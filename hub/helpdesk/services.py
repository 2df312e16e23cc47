"""Every change to help requests, the committee's work and working groups: atomic, audited."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.core import audit
from hub.core.models import Affiliate, User
from hub.core.regions import region_for_country
from hub.helpdesk.mail import header_safe, mailbox, send_on_commit, status_url
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
    NotificationPreference,
    QuarterCapacity,
    ReviewCheck,
    WorkingGroup,
)
from hub.helpdesk.notify import notify
from hub.helpdesk.skills import pack_skills
from hub.helpdesk.tokens import make_status_token, new_status_key

Status = HelpRequest.Status

# Where staff may move a request by hand. Approval, declining and parking of a request ready
# for review are the committee's decisions (record_decision), not a status change.
TRANSITIONS: dict[str, set[str]] = {
    Status.NEW: {Status.INFO_NEEDED, Status.READY, Status.DECLINED, Status.PARKED},
    Status.INFO_NEEDED: {Status.READY, Status.DECLINED, Status.PARKED},
    Status.READY: {Status.INFO_NEEDED},
    Status.PARKED: {Status.READY},
    Status.APPROVED: {Status.IN_PROGRESS},
    Status.IN_PROGRESS: {Status.DONE},
    Status.DECLINED: set(),
    Status.DONE: set(),
}
DECIDED = {Status.APPROVED, Status.DECLINED, Status.PARKED}
# A request typed again within this time, from the same address, is the same request.
DUPLICATE_WINDOW = dt.timedelta(hours=24)


def status_link(request: HelpRequest) -> str:
    """Return the full signed address where the requester follows the request."""
    return status_url(make_status_token(request.pk, request.status_key))


def _staff_url(request: HelpRequest) -> str:
    return reverse("helpdesk:request_detail", kwargs={"pk": request.pk})


def _hub_staff() -> list[User]:
    return list(User.objects.filter(is_hub_staff=True, is_active=True))


def _committee() -> list[User]:
    return list(User.objects.filter(committee_membership__active=True, is_active=True).distinct())


def _tell_requester(request: HelpRequest, subject: str, lines: Iterable[str]) -> None:
    """E-mail the requester, always with their status link (none once their data is erased)."""
    if not request.email:
        return
    greeting = _("Hello %(name)s,") % {"name": header_safe(request.name, 80)}
    body = "\n\n".join(
        [
            greeting,
            *lines,
            _("Follow your request and answer questions here (keep this link to yourself):"),
            status_link(request),
            _("— The Partnerships Hub helpdesk"),
        ]
    )
    subject = _("%(subject)s (%(reference)s)") % {
        "subject": subject,
        "reference": request.reference,
    }
    send_on_commit(subject=subject, body=body, to=[mailbox(request.name, request.email)])


def content_hash(*, email: str, partner: str, description: str, justification: str) -> str:
    """Return a fingerprint of what was typed, to spot the same form sent twice."""
    text = "\x1f".join(
        " ".join(part.casefold().split()) for part in (email, partner, description, justification)
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _existing_duplicate(submission_token: str | None, fingerprint: str) -> HelpRequest | None:
    if submission_token:
        found = HelpRequest.objects.filter(submission_token=submission_token).first()
        if found is not None:
            return found
    since = timezone.now() - DUPLICATE_WINDOW
    return (
        HelpRequest.objects.filter(content_hash=fingerprint, created_at__gte=since)
        .order_by("created_at")
        .first()
    )


@transaction.atomic
def submit_request(
    *,
    actor: User | None,
    name: str,
    email: str,
    partner: str,
    description: str,
    consent: bool,
    affiliate: Affiliate | None = None,
    country: str = "",
    content_kinds: Iterable[str] = (),
    approximate_size: str = "",
    justification: str = "",
    timeline: str = "",
    languages: str = "",
    submission_token: str | None = None,
) -> tuple[HelpRequest, bool]:
    """Store a request from the public form; return it and whether it is new.

    The same form sent twice (its one-time token, or the same text from the same address
    within a day) returns the first request and sends nothing again.
    """
    if not consent:
        raise ValidationError(
            {"consent": _("We can only keep your request if you agree that we store it.")}
        )
    fingerprint = content_hash(
        email=email, partner=partner, description=description, justification=justification
    )
    existing = _existing_duplicate(submission_token, fingerprint)
    if existing is not None:
        return existing, False
    kinds = [k for k in ContentKind.values if k in set(content_kinds)]
    request = HelpRequest(
        name=header_safe(name, 200),
        email=email,
        user=actor if actor is not None and actor.pk else None,
        affiliate=affiliate,
        country=country,
        region=region_for_country(country) or (affiliate.region if affiliate else ""),
        partner=partner,
        content_kinds=",".join(kinds),
        approximate_size=approximate_size,
        description=description,
        justification=justification,
        timeline=timeline,
        languages=languages,
        consent_at=timezone.now(),
        status_key=new_status_key(),
        submission_token=submission_token or None,
        content_hash=fingerprint,
    )
    request.full_clean()
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        # The same token arrived twice at once: the other request won the race.
        winner = _existing_duplicate(submission_token, fingerprint)
        if winner is None:
            raise
        return winner, False
    audit.record(
        actor=request.user,
        affiliate=None,
        action="help_request.submitted",
        target=request,
        # No name, address or free text: the audit trail outlives an erased request.
        changes={"status": [None, request.status], "content_kinds": [None, kinds]},
    )
    _tell_requester(
        request,
        _("We received your request"),
        [
            _(
                "Thank you for writing to the Partnerships Hub helpdesk. Hub staff will read "
                "your request and answer you; the expert committee reviews requests once a month."
            )
        ],
    )
    notify(
        users=_hub_staff(),
        kind=Notification.Kind.NEW_REQUEST,
        text=_("New help request %(reference)s about %(partner)s")
        % {"reference": request.reference, "partner": header_safe(request.partner, 80)},
        url=_staff_url(request),
    )
    return request, True


def _locked(request: HelpRequest) -> HelpRequest:
    return HelpRequest.objects.select_for_update().get(pk=request.pk)


def _mark_answered(request: HelpRequest) -> None:
    if request.first_answered_at is None:
        request.first_answered_at = timezone.now()


def _message(
    request: HelpRequest,
    *,
    kind: str,
    body: str,
    author: User | None,
    working_group: WorkingGroup | None = None,
) -> Message:
    message = Message(
        request=request, kind=kind, body=body, author=author, working_group=working_group
    )
    message.full_clean(exclude=["request", "author", "working_group"])
    message.save()
    return message


@transaction.atomic
def ask_requester(*, actor: User, request: HelpRequest, body: str) -> Message:
    """Ask the requester a question; they answer through their status link."""
    request = _locked(request)
    message = _message(request, kind=Message.Kind.QUESTION, body=body, author=actor)
    before = request.status
    if request.status in {Status.NEW, Status.READY}:
        request.status = Status.INFO_NEEDED
    _mark_answered(request)
    request.save()
    audit.record(
        actor=actor,
        affiliate=None,
        action="help_request.question_asked",
        target=request,
        changes={"status": [before, request.status]} if before != request.status else {},
    )
    _tell_requester(
        request,
        _("A question about your request"),
        [_("The helpdesk has a question for you:"), body],
    )
    return message


@transaction.atomic
def reply_as_requester(*, request: HelpRequest, body: str) -> Message:
    """Store the requester's answer (from the status link) and tell whoever asked."""
    request = _locked(request)
    if request.status in {Status.DONE, Status.DECLINED}:
        raise ValidationError(_("This request is closed; it no longer takes answers."))
    message = _message(request, kind=Message.Kind.REPLY, body=body, author=None)
    request.save(update_fields=["updated_at"])
    audit.record(actor=None, affiliate=None, action="help_request.answered", target=request)
    askers = list(
        User.objects.filter(
            pk__in=request.messages.filter(kind=Message.Kind.QUESTION).values("author")
        )
    )
    notify(
        users=askers or _hub_staff(),
        kind=Notification.Kind.REQUESTER_REPLY,
        text=_("The requester of %(reference)s answered") % {"reference": request.reference},
        url=_staff_url(request),
    )
    return message


@transaction.atomic
def add_note(*, actor: User, request: HelpRequest, body: str) -> Message:
    """Add an internal note that only hub staff and the committee read."""
    message = _message(request, kind=Message.Kind.NOTE, body=body, author=actor)
    audit.record(actor=actor, affiliate=None, action="help_request.note_added", target=request)
    return message


@transaction.atomic
def post_update(
    *,
    actor: User,
    request: HelpRequest,
    body: str,
    working_group: WorkingGroup | None = None,
) -> Message:
    """Post a status update the requester reads on their status page, and e-mail it."""
    request = _locked(request)
    message = _message(
        request, kind=Message.Kind.UPDATE, body=body, author=actor, working_group=working_group
    )
    _mark_answered(request)
    request.save()
    audit.record(actor=actor, affiliate=None, action="help_request.update_posted", target=request)
    _tell_requester(request, _("News about your request"), [body])
    return message


@transaction.atomic
def change_status(
    *, actor: User, request: HelpRequest, status: str, message: str = ""
) -> HelpRequest:
    """Move a request along its workflow and tell the requester."""
    request = _locked(request)
    before = request.status
    if status == before:
        return request
    if status not in TRANSITIONS.get(before, set()):
        raise ValidationError(
            _("A request that is “%(from)s” cannot become “%(to)s”.")
            % {"from": describe(before), "to": describe(status)}
        )
    request.status = status
    if status in DECIDED:
        request.decided_at = timezone.now()
    if status not in {Status.IN_PROGRESS, Status.DONE}:
        request.priority = None
    _mark_answered(request)
    request.save()
    if message:
        _message(request, kind=Message.Kind.UPDATE, body=message, author=actor)
    audit.record(
        actor=actor,
        affiliate=None,
        action="help_request.status_changed",
        target=request,
        changes={"status": [before, status]},
    )
    lines = [
        _("Your request is now: %(status)s.") % {"status": Status(status).label},
    ]
    if message:
        lines.append(message)
    _tell_requester(request, _("Your request moved on"), lines)
    return request


@transaction.atomic
def update_triage(
    *, actor: User, request: HelpRequest, public_summary: str, skills_needed: Iterable[str]
) -> HelpRequest:
    """Set what helpers see of a request and the skills it needs."""
    request = _locked(request)
    before = audit.snapshot(request, ["public_summary", "skills_needed"])
    request.public_summary = public_summary
    request.skills_needed = pack_skills(skills_needed)
    request.full_clean(exclude=["country"])
    request.save()
    changes = audit.diff(before, audit.snapshot(request, ["public_summary", "skills_needed"]))
    if changes:
        audit.record(
            actor=actor,
            affiliate=None,
            action="help_request.triaged",
            target=request,
            changes=changes,
        )
    return request


@transaction.atomic
def save_check(
    *, actor: User, request: HelpRequest, group: str, rating: str, comment: str = ""
) -> ReviewCheck:
    """Record the reviewer's rating and comment for one group of the review checklist."""
    check, _created = ReviewCheck.objects.get_or_create(
        request=request, group=group, defaults={"rating": rating, "reviewer": actor}
    )
    check.rating = rating
    check.comment = comment
    check.reviewer = actor
    check.full_clean(exclude=["request", "reviewer"])
    check.save()
    audit.record(
        actor=actor,
        affiliate=None,
        action="help_request.checked",
        target=request,
        changes={group: [None, rating]},
    )
    return check


# --- The expert committee -------------------------------------------------------------------


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
            text=_("%(count)d request(s) on the agenda of %(meeting)s")
            % {"count": len(added), "meeting": header_safe(meeting.title, 80)},
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
    request = _locked(item.request)
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
    _mark_answered(request)
    request.save()
    audit.record(
        actor=actor,
        affiliate=None,
        action="help_request.decided",
        target=request,
        changes={"status": [before, outcome], "priority": [None, priority_rank]},
    )
    lines: dict[str, str] = {
        AgendaItem.Outcome.APPROVED: _(
            "Good news: the expert committee approved your request (priority %(rank)s)."
        )
        % {"rank": priority_rank},
        AgendaItem.Outcome.DECLINED: _("The expert committee decided not to take up your request."),
        AgendaItem.Outcome.PARKED: _(
            "The expert committee parked your request: it may come back when there is capacity."
        ),
    }
    _tell_requester(
        request,
        _("The committee's decision on your request"),
        [lines[outcome], _("Reasons:"), reasons],
    )
    notify(
        users=[u for u in _hub_staff() if u.pk != actor.pk],
        kind=Notification.Kind.DECISION,
        text=_("The committee decided on %(reference)s: %(outcome)s")
        % {"reference": request.reference, "outcome": AgendaItem.Outcome(outcome).label},
        url=_staff_url(request),
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


# --- Working groups -------------------------------------------------------------------------


@transaction.atomic
def form_working_group(
    *,
    actor: User,
    name: str,
    purpose: str = "",
    request: HelpRequest | None = None,
    theme: str = "",
    lead: User | None = None,
) -> WorkingGroup:
    """Form a working group for a request or a theme; an approved request starts moving."""
    if request is None and not theme.strip():
        raise ValidationError(_("Form a group for a request or give it a theme."))
    if request is not None:
        request = _locked(request)  # decide on the row as it is now, not as the caller saw it
    if request is not None and not request.is_open_for_help:
        raise ValidationError({"request": _("Working groups form for approved requests only.")})
    group = WorkingGroup(name=name, purpose=purpose, request=request, theme=theme)
    group.full_clean()
    group.save()
    audit.record(actor=actor, affiliate=None, action="working_group.formed", target=group)
    if lead is not None:
        add_group_member(actor=actor, group=group, user=lead, role=GroupMember.Role.LEAD)
    if request is not None:
        locked = request
        if locked.status == Status.APPROVED:
            locked.status = Status.IN_PROGRESS
            locked.save()
            audit.record(
                actor=actor,
                affiliate=None,
                action="help_request.status_changed",
                target=locked,
                changes={"status": [Status.APPROVED, Status.IN_PROGRESS]},
            )
        _tell_requester(
            locked,
            _("A working group is helping you"),
            [
                _("The working group “%(name)s” formed to help with your request.")
                % {"name": header_safe(name, 120)}
            ],
        )
    return group


@transaction.atomic
def add_group_member(
    *, actor: User, group: WorkingGroup, user: User, role: str = GroupMember.Role.MEMBER
) -> GroupMember:
    """Add a person (from any affiliate) to a working group and tell them."""
    member, created = GroupMember.objects.get_or_create(
        group=group, user=user, defaults={"role": role}
    )
    if not created and member.role != role:
        member.role = role
        member.save(update_fields=["role"])
    audit.record(
        actor=actor,
        affiliate=None,
        action="working_group.member_added",
        target=group,
        changes={"member": [None, user.username]},
    )
    if created and user != actor:
        notify(
            users=[user],
            kind=Notification.Kind.GROUP,
            text=_("You joined the working group %(name)s") % {"name": header_safe(group.name, 80)},
            url=reverse("helpdesk:group_detail", kwargs={"pk": group.pk}),
        )
    return member


@transaction.atomic
def add_group_task(
    *,
    actor: User,
    group: WorkingGroup,
    title: str,
    owner: User | None = None,
    due_on: dt.date | None = None,
) -> GroupTask:
    """Add a task to a working group, owned by one of its members."""
    if owner is not None and not GroupMember.objects.filter(group=group, user=owner).exists():
        raise ValidationError({"owner": _("The owner must be a member of the group.")})
    task = GroupTask(group=group, title=title, owner=owner, due_on=due_on)
    task.full_clean()
    task.save()
    audit.record(
        actor=actor,
        affiliate=None,
        action="working_group.task_added",
        target=task,
        changes={"due_on": [None, due_on.isoformat() if due_on else None]},
    )
    if owner is not None and owner != actor:
        notify(
            users=[owner],
            kind=Notification.Kind.TASK,
            text=_("A task for you in %(group)s: %(title)s")
            % {"group": header_safe(group.name, 60), "title": header_safe(title, 120)},
            url=reverse("helpdesk:group_detail", kwargs={"pk": group.pk}),
        )
    return task


@transaction.atomic
def complete_task(*, actor: User, task: GroupTask) -> GroupTask:
    """Mark a working group's task done."""
    if task.done_at is None:
        task.done_at = timezone.now()
        task.save(update_fields=["done_at"])
        audit.record(actor=actor, affiliate=None, action="working_group.task_done", target=task)
    return task


def post_group_update(*, actor: User, group: WorkingGroup, body: str) -> Message:
    """Post a working group's news on its request, for the requester to read."""
    if group.request is None:
        raise ValidationError(_("This group works on a theme, not a request: nobody to tell."))
    return post_update(actor=actor, request=group.request, body=body, working_group=group)


# --- Notifications --------------------------------------------------------------------------


@transaction.atomic
def mark_notifications_read(*, actor: User) -> int:
    """Mark all the person's unread notifications read; return how many."""
    return Notification.objects.filter(user=actor, read_at=None).update(read_at=timezone.now())


@transaction.atomic
def save_notification_preferences(
    *, actor: User, preferences: dict[str, tuple[bool, bool]]
) -> None:
    """Store, per kind, whether the person wants notifications in the Hub and by e-mail."""
    for kind, (in_app, by_email) in preferences.items():
        if kind not in Notification.Kind.values:
            raise ValueError(f"unknown notification kind {kind}")
        NotificationPreference.objects.update_or_create(
            user=actor, kind=kind, defaults={"in_app": in_app, "by_email": by_email}
        )
    audit.record(
        actor=actor,
        affiliate=None,
        action="notifications.preferences_saved",
        target=actor,
        changes={k: [None, list(v)] for k, v in preferences.items()},
    )


def describe(value: Any) -> str:
    """Return a status value's label (for messages)."""
    return str(Status(value).label) if value in Status.values else str(value)
