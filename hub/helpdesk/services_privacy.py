"""Data-protection rights on the helpdesk: retention of closed requests, and a requester's
wish to get a copy of their data or have it erased (from their status link)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.core import audit
from hub.core.erasure import Person
from hub.helpdesk.erasure import request_key, scrub_requests
from hub.helpdesk.models import HelpRequest, Message, Notification
from hub.helpdesk.notify import notify
from hub.helpdesk.services import hub_staff, lock_request, staff_url

CLOSED = [HelpRequest.Status.DONE, HelpRequest.Status.DECLINED]


class Wish:
    """What a requester may ask for about their personal data."""

    COPY = "copy"
    ERASE = "erase"


def _requester(request: HelpRequest) -> Person:
    return Person(
        affiliate=request.affiliate,
        names=(request.name,),
        emails=(request.email,) if request.email else (),
        records=(request_key(request),),
    )


def anonymise_closed_requests(*, now: dt.datetime | None = None) -> int:
    """Forget the sender of every request closed longer than the retention period.

    Safe to run twice: an anonymised request has no address left and is skipped.
    """
    days = settings.HUB_HELPDESK_RETENTION_DAYS
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    due = HelpRequest.objects.filter(status__in=CLOSED, updated_at__lt=cutoff).exclude(email="")
    done = 0
    for pk in due.values_list("pk", flat=True).order_by("pk"):
        done += anonymise_request(pk=pk)
    return done


@transaction.atomic
def anonymise_request(*, pk: int) -> int:
    """Forget one closed request's sender in the request and its own records; return 1."""
    request = HelpRequest.objects.select_for_update().filter(pk=pk).exclude(email="").first()
    if request is None:
        return 0
    scrub_requests(_requester(request), HelpRequest.objects.filter(pk=pk))
    audit.record(actor=None, affiliate=None, action="help_request.anonymised", target=request)
    return 1


@transaction.atomic
def ask_about_personal_data(*, request: HelpRequest, wish: str) -> Message:
    """Pass the requester's wish (a copy of their data, or its erasure) to hub staff."""
    if wish not in (Wish.COPY, Wish.ERASE):
        raise ValidationError(_("Choose what you would like us to do with your data."))
    request = lock_request(request)
    body = (
        _("The requester asks for a copy of all their personal data the Hub holds.")
        if wish == Wish.COPY
        else _("The requester asks us to erase all their personal data from the Hub.")
    )
    # An internal note: the people who handle the request see it on its page.
    message = Message.objects.create(request=request, kind=Message.Kind.NOTE, body=body)
    audit.record(
        actor=None,
        affiliate=None,
        action="help_request.personal_data_asked",
        target=request,
        changes={"wish": [None, wish]},
    )
    notify(
        users=hub_staff(),
        kind=Notification.Kind.REQUESTER_REPLY,
        text=lambda: (
            _("The requester of %(reference)s asks about their personal data")
            % {"reference": request.reference}
        ),
        url=staff_url(request),
    )
    return message
