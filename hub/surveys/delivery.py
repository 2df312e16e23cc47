"""Hand the waiting survey e-mails to the mail backend, each exactly once, by the ledger."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy

from hub.surveys import emails, mailing, tokens
from hub.surveys.models import Delivery, Invitation, OptOut

__all__ = ["deliver", "token_for"]


def token_for(invitation: Invitation) -> str:
    """Return the signed token of an invitation's personal link."""
    return tokens.make_token(invitation.pk, invitation.key)


def deliver(*, sending_id: int | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    """Send the waiting e-mails (of one sending, or all); return counts by outcome.

    Each ledger row is claimed (pending -> claimed, committed) before its e-mail is handed to
    the mail backend, and marked sent after: a worker killed between the two leaves the row
    claimed, and a second run skips it, so nobody gets the same e-mail twice.
    """
    now = now or timezone.now()
    rows = Delivery.objects.filter(state=Delivery.State.PENDING)
    if sending_id is not None:
        rows = rows.filter(invitation__sending_id=sending_id)
    counts = {"sent": 0, "skipped": 0, "failed": 0}
    opted: dict[int, set[str]] = {}
    connection = emails.connection()
    pending = list(
        rows.select_related(
            "invitation__sending__version__survey",
            "invitation__sending__partnership",
            "invitation__sending__affiliate",
            "invitation__response",
        ).order_by("pk")
    )
    for delivery in pending:
        invitation = delivery.invitation
        sending = invitation.sending
        if sending.affiliate_id not in opted:
            opted[sending.affiliate_id] = set(
                OptOut.objects.filter(
                    affiliate_id=sending.affiliate_id, topic=OptOut.Topic.SURVEYS
                ).values_list("email_digest", flat=True)
            )
        reason = _skip_reason(delivery, opted[sending.affiliate_id], now)
        if reason:
            Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.PENDING).update(
                state=Delivery.State.SKIPPED, reason=reason[:200]
            )
            counts["skipped"] += 1
            continue
        claimed = Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.PENDING).update(
            state=Delivery.State.CLAIMED, claimed_at=timezone.now()
        )
        if not claimed:
            continue  # another worker has it
        try:
            emails.invitation_message(delivery, token_for(invitation), connection).send()
        except Exception as error:  # the mail server refused: said on the page, not retried
            Delivery.objects.filter(pk=delivery.pk).update(
                state=Delivery.State.FAILED, reason=str(error)[:200]
            )
            counts["failed"] += 1
            continue
        Delivery.objects.filter(pk=delivery.pk).update(
            state=Delivery.State.SENT, sent_at=timezone.now()
        )
        counts["sent"] += 1
    return counts


def _skip_reason(delivery: Delivery, opted: set[str], now: dt.datetime) -> str:
    """Return why a waiting e-mail must not go out any more ("" when it may)."""
    invitation = delivery.invitation
    if invitation.opted_out_at is not None or mailing.email_digest(invitation.email) in opted:
        return str(gettext_lazy("asked not to receive surveys"))
    if invitation.sending.deadline < timezone.localdate(now):
        return str(gettext_lazy("the deadline has passed"))
    if delivery.kind == Delivery.Kind.REMINDER:
        response = getattr(invitation, "response", None)
        if response is not None and response.submitted_at is not None:
            return str(gettext_lazy("already answered"))
    return ""
