"""Who among a partnership's contacts may be mailed, and why the others are left out.

Every mailing to partner contacts (survey invitations and reminders, partner updates) asks
`reachable` first, so do-not-contact, a missing legal basis, a missing address and an opt-out
are honoured by one rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from hub.core.models import Affiliate
from hub.partners.models import Contact
from hub.surveys.models import OptOut
from hub.surveys.models.mailing import email_digest

Topic = OptOut.Topic


@dataclass(frozen=True)
class Recipient:
    contact: Contact
    email: str
    language: str  # the contact's preferred language ("" when none is known)


@dataclass(frozen=True)
class LeftOut:
    contact: Contact
    reason: str  # said to the coordinator on the page, translated


def opted_out(affiliate: Affiliate, email: str, topic: str) -> bool:
    """Return whether the address asked the affiliate to stop this kind of mail."""
    return OptOut.objects.filter(
        affiliate=affiliate, email_digest=email_digest(email), topic=topic
    ).exists()


@transaction.atomic
def opt_out(affiliate: Affiliate, email: str, topic: str) -> None:
    """Record that the address wants no more of this kind of mail (twice is harmless)."""
    OptOut.objects.get_or_create(affiliate=affiliate, email_digest=email_digest(email), topic=topic)


def reachable(
    affiliate: Affiliate, contacts: Iterable[Contact], *, topic: str
) -> tuple[list[Recipient], list[LeftOut]]:
    """Split contacts into those who may get this mail and those left out, with the reason."""
    contacts = list(contacts)
    digests = set(
        OptOut.objects.filter(affiliate=affiliate, topic=topic).values_list(
            "email_digest", flat=True
        )
    )
    ok: list[Recipient] = []
    left: list[LeftOut] = []
    for contact in contacts:
        email = contact.main_email
        if contact.affiliate_id != affiliate.pk:
            left.append(LeftOut(contact, str(_("not a contact of this affiliate"))))
        elif contact.archived_at is not None:
            left.append(LeftOut(contact, str(_("archived"))))
        elif contact.do_not_contact:
            left.append(LeftOut(contact, str(_("marked do not contact"))))
        elif not contact.legal_basis:
            left.append(LeftOut(contact, str(_("no legal basis recorded"))))
        elif not email:
            left.append(LeftOut(contact, str(_("no e-mail address"))))
        elif email_digest(email) in digests:
            left.append(LeftOut(contact, str(_("asked not to receive this"))))
        else:
            ok.append(Recipient(contact, email, contact.preferred_language))
    return ok, left
