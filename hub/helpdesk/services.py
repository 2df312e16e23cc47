"""Every change to help requests and notifications: atomic, audited.

The committee's work is in services_committee.py, working groups in services_groups.py; both
use the helpers here (lock_request, tell_requester, ...).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.core import audit
from hub.core.languages import in_language_of, offered
from hub.core.models import Affiliate, User
from hub.core.regions import region_for_country
from hub.helpdesk.mail import header_safe, mailbox, send_on_commit, status_url
from hub.helpdesk.models import (
    ContentKind,
    HelpRequest,
    Message,
    Notification,
    NotificationPreference,
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


def staff_url(request: HelpRequest) -> str:
    """Return the request's page for hub staff and the committee."""
    return reverse("helpdesk:request_detail", kwargs={"pk": request.pk})


def hub_staff() -> list[User]:
    """Return the active hub staff (told of new requests and decisions)."""
    return list(User.objects.filter(is_hub_staff=True, is_active=True))


def tell_requester(request: HelpRequest, write: Callable[[], tuple[str, Iterable[str]]]) -> None:
    """E-mail the requester, always with their status link (none once their data is erased).

    ``write`` returns the subject and the lines; it is called in the requester's language
    (the one they wrote the form in), whoever on the Hub's side caused the e-mail.
    """
    if not request.email:
        return
    with in_language_of(request):
        subject, lines = write()
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
    language: str = "",
    submission_token: str | None = None,
) -> tuple[HelpRequest, bool]:
    """Store a request from the public form; return it and whether it is new.

    ``language`` is the language the form was written in (the requester's e-mails use it).
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
        language=offered(language) or "",
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
    tell_requester(
        request,
        lambda: (
            _("We received your request"),
            [
                _(
                    "Thank you for writing to the Partnerships Hub helpdesk. Hub staff will read "
                    "your request and answer you; the expert committee reviews requests once a "
                    "month."
                )
            ],
        ),
    )
    notify(
        users=hub_staff(),
        kind=Notification.Kind.NEW_REQUEST,
        text=lambda: (
            _("New help request %(reference)s about %(partner)s")
            % {"reference": request.reference, "partner": header_safe(request.partner, 80)}
        ),
        url=staff_url(request),
    )
    return request, True


def lock_request(request: HelpRequest) -> HelpRequest:
    """Return the request's row as it is now, locked until the transaction ends."""
    return HelpRequest.objects.select_for_update().get(pk=request.pk)


def mark_answered(request: HelpRequest) -> None:
    """Note when the helpdesk first answered the request (kept once set)."""
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
    request = lock_request(request)
    message = _message(request, kind=Message.Kind.QUESTION, body=body, author=actor)
    before = request.status
    if request.status in {Status.NEW, Status.READY}:
        request.status = Status.INFO_NEEDED
    mark_answered(request)
    request.save()
    audit.record(
        actor=actor,
        affiliate=None,
        action="help_request.question_asked",
        target=request,
        changes={"status": [before, request.status]} if before != request.status else {},
    )
    tell_requester(
        request,
        lambda: (
            _("A question about your request"),
            [_("The helpdesk has a question for you:"), body],
        ),
    )
    return message


@transaction.atomic
def reply_as_requester(*, request: HelpRequest, body: str) -> Message:
    """Store the requester's answer (from the status link) and tell whoever asked."""
    request = lock_request(request)
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
        users=askers or hub_staff(),
        kind=Notification.Kind.REQUESTER_REPLY,
        text=lambda: (
            _("The requester of %(reference)s answered") % {"reference": request.reference}
        ),
        url=staff_url(request),
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
    request = lock_request(request)
    message = _message(
        request, kind=Message.Kind.UPDATE, body=body, author=actor, working_group=working_group
    )
    mark_answered(request)
    request.save()
    audit.record(actor=actor, affiliate=None, action="help_request.update_posted", target=request)
    tell_requester(request, lambda: (_("News about your request"), [body]))
    return message


@transaction.atomic
def change_status(
    *, actor: User, request: HelpRequest, status: str, message: str = ""
) -> HelpRequest:
    """Move a request along its workflow and tell the requester."""
    request = lock_request(request)
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
    mark_answered(request)
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
    tell_requester(
        request,
        lambda: (
            _("Your request moved on"),
            [_("Your request is now: %(status)s.") % {"status": Status(status).label}]
            + ([message] if message else []),
        ),
    )
    return request


@transaction.atomic
def update_triage(
    *, actor: User, request: HelpRequest, public_summary: str, skills_needed: Iterable[str]
) -> HelpRequest:
    """Set what helpers see of a request and the skills it needs."""
    request = lock_request(request)
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
def save_checklist(
    *, actor: User, request: HelpRequest, points: dict[str, tuple[str, str]]
) -> list[ReviewCheck]:
    """Save the review checklist's points, {group: (rating, comment)}, together or not at all.

    Errors name the form's fields (``<group>_rating``, ``<group>_comment``); one audit event
    lists the ratings that changed. Return the checks that changed.
    """
    request = lock_request(request)
    existing = {c.group: c for c in request.checks.all()}
    errors: dict[str, list[str]] = {}
    checks: list[ReviewCheck] = []
    changes: dict[str, list[str | None]] = {}
    for group, (rating, comment) in points.items():
        if group not in ReviewCheck.Group.values:
            raise ValueError(f"unknown checklist group {group}")
        check = existing.get(group) or ReviewCheck(request=request, group=group)
        before = (check.rating or None, check.comment) if check.pk else (None, "")
        check.rating, check.comment, check.reviewer = rating, comment, actor
        try:
            check.full_clean(exclude=["request", "reviewer"])
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(f"{group}_{field}", []).extend(messages)
            continue
        if before != (rating, comment):
            checks.append(check)
            changes[group] = [before[0], rating]
    if errors:
        raise ValidationError(errors)
    for check in checks:
        check.save()
    if changes:
        audit.record(
            actor=actor,
            affiliate=None,
            action="help_request.checked",
            target=request,
            changes=changes,
        )
    return checks


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
