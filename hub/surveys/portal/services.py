"""Every change the partner portal makes: links, the partner's corrections and their approval,
the update e-mail's frequency. Validated, atomic, audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.core import audit
from hub.core.models import User
from hub.partners import services as partners
from hub.partners.models import Contact, Organisation
from hub.partners.validators import clean_email_lines
from hub.surveys.models import ChangeRequest, PartnerUpdates, PortalLink
from hub.surveys.portal.tokens import new_key

# What a partner may correct; never the affiliate, the organisation a contact belongs to, the
# legal basis, do-not-contact, the status or the affiliate's notes.
ORGANISATION_FIELDS = ("name", "other_names", "city", "website", "description")
CONTACT_FIELDS = ("name", "role", "emails", "phone", "preferred_language")
DEFAULT_DAYS = 180
# A partner with this many corrections waiting must wait for the affiliate before sending more.
MAX_PENDING = 20


def _check_days(days: int) -> None:
    if not 1 <= days <= 366:
        raise ValidationError(_("A portal link lasts from 1 to 366 days."))


@transaction.atomic
def create_portal_link(
    *, actor: User | None, organisation: Organisation, days: int = DEFAULT_DAYS
) -> PortalLink:
    """Give the organisation a new portal link; the one in force before it stops working."""
    _check_days(days)
    now = timezone.now()
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    for old in PortalLink.objects.select_for_update().filter(
        organisation=organisation, revoked_at=None
    ):
        old.revoked_at = now
        old.save(update_fields=["revoked_at"])
    link = PortalLink.objects.create(
        affiliate=organisation.affiliate,
        organisation=organisation,
        key=new_key(),
        expires_at=now + dt.timedelta(days=days),
        created_by=actor,
    )
    audit.record(
        actor=actor,
        affiliate=organisation.affiliate,
        action="portal.link_created",
        target=organisation,
        # The day, as the organisation's page says it ("works until 2027-06-03"), not a timestamp.
        changes={"expires_at": [None, timezone.localdate(link.expires_at).isoformat()]},
    )
    return link


@transaction.atomic
def revoke_portal_link(*, actor: User | None, link: PortalLink) -> PortalLink:
    """Stop a portal link from working, at once and for good."""
    locked = PortalLink.objects.select_for_update().select_related("organisation").get(pk=link.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            affiliate=locked.affiliate,
            action="portal.link_revoked",
            target=locked.organisation,
            changes={"revoked_at": [None, locked.revoked_at.isoformat()]},
        )
    return locked


def _plain(value: Any) -> Any:
    return "" if value is None else str(value)


def _proposed(
    target: Organisation | Contact, allowed: tuple[str, ...], values: dict[str, Any]
) -> dict[str, list[Any]]:
    """Return {field: [current, proposed]} for the allowed fields whose value changes."""
    changes: dict[str, list[Any]] = {}
    for name in allowed:
        if name not in values:
            continue
        new = values[name]
        if name == "emails":
            new = "\n".join(clean_email_lines(str(new or "")))
        new = _plain(new).strip() if name != "emails" else new
        old = _plain(getattr(target, name))
        if new != old:
            changes[name] = [old, new]
    return changes


def _validate(target: Organisation | Contact, changes: dict[str, list[Any]]) -> None:
    """Check the proposed values as the model would on saving them (on a copy, never saved)."""
    copy = type(target).objects.get(pk=target.pk)
    for name, (_old, new) in changes.items():
        setattr(copy, name, new)
    others = [f.name for f in copy._meta.fields if f.name not in changes]
    copy.full_clean(exclude=others)


@transaction.atomic
def request_change(
    *,
    link: PortalLink,
    values: dict[str, Any],
    contact: Contact | None = None,
    note: str = "",
) -> ChangeRequest:
    """Record a partner's correction of its organisation's or one contact's details.

    Only the allowed fields count, whatever else is sent; a contact must be one of the
    organisation's own. Nothing changes until a member of the affiliate approves it.
    """
    organisation = link.organisation
    target: Organisation | Contact = organisation
    allowed = ORGANISATION_FIELDS
    if contact is not None:
        if contact.organisation_id != organisation.pk or contact.affiliate_id != link.affiliate_id:
            raise ValidationError(_("That person is not one of your organisation's contacts."))
        target, allowed = contact, CONTACT_FIELDS
    changes = _proposed(target, allowed, values)
    if not changes:
        raise ValidationError(_("Nothing was changed: the details are the same as before."))
    _validate(target, changes)
    pending = ChangeRequest.objects.filter(
        organisation=organisation, status=ChangeRequest.Status.PENDING
    ).count()
    if pending >= MAX_PENDING:
        raise ValidationError(
            _(
                "%(count)d corrections are already waiting for %(affiliate)s. Please wait until "
                "they have looked at them."
            )
            % {"count": pending, "affiliate": link.affiliate.name}
        )
    change = ChangeRequest.objects.create(
        affiliate=link.affiliate,
        organisation=organisation,
        contact=contact,
        changes=changes,
        note=note.strip()[:2000],
    )
    audit.record(
        actor=None,
        affiliate=link.affiliate,
        action="portal.change_requested",
        target=target,
        changes=changes,
    )
    return change


def _pending(change: ChangeRequest) -> ChangeRequest:
    locked = (
        ChangeRequest.objects.select_for_update(of=("self",))
        .select_related("organisation", "contact", "affiliate")
        .get(pk=change.pk)
    )
    if locked.status != ChangeRequest.Status.PENDING:
        raise ValidationError(_("This correction was already decided."))
    return locked


@transaction.atomic
def approve_change(*, actor: User, change: ChangeRequest) -> ChangeRequest:
    """Apply a partner's correction to the directory and record who approved it."""
    locked = _pending(change)
    values = {name: new for name, (_old, new) in locked.changes.items()}
    if locked.contact is not None:
        values = {k: v for k, v in values.items() if k in CONTACT_FIELDS}
        partners.update_contact(actor=actor, contact=locked.contact, **values)
    else:
        values = {k: v for k, v in values.items() if k in ORGANISATION_FIELDS}
        partners.update_organisation(actor=actor, organisation=locked.organisation, **values)
    return _decide(actor, locked, ChangeRequest.Status.APPROVED)


@transaction.atomic
def reject_change(*, actor: User, change: ChangeRequest) -> ChangeRequest:
    """Turn a partner's correction down; the directory stays as it was."""
    return _decide(actor, _pending(change), ChangeRequest.Status.REJECTED)


def _decide(actor: User, change: ChangeRequest, status: str) -> ChangeRequest:
    change.status = status
    change.decided_at = timezone.now()
    change.decided_by = actor
    change.save(update_fields=["status", "decided_at", "decided_by"])
    audit.record(
        actor=actor,
        affiliate=change.affiliate,
        action=f"portal.change_{status}",
        target=change.contact or change.organisation,
        changes=change.changes,
    )
    return change


@transaction.atomic
def set_update_frequency(
    *, actor: User | None, organisation: Organisation, frequency: str
) -> PartnerUpdates:
    """Choose how often the organisation's contacts get the partner update e-mail."""
    if frequency not in PartnerUpdates.Frequency.values:
        raise ValidationError(_("Choose never, monthly or quarterly."))
    setting, _created = PartnerUpdates.objects.select_for_update().get_or_create(
        organisation=organisation, defaults={"affiliate": organisation.affiliate}
    )
    before = setting.frequency if not _created else ""
    if before != frequency:
        setting.frequency = frequency
        setting.save(update_fields=["frequency"])
        audit.record(
            actor=actor,
            affiliate=organisation.affiliate,
            action="portal.updates_frequency",
            target=organisation,
            changes={"frequency": [before or None, frequency]},
        )
    return setting
