"""Scrub an erased person from the affiliate's help requests and notifications."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse

from hub.core.erasure import MARKER, Person, scrub_rows
from hub.helpdesk.models import AgendaItem, HelpRequest, Message, Notification, ReviewCheck
from hub.helpdesk.tokens import new_status_key

REQUEST_TEXTS = [
    "name",
    "email",
    "partner",
    "approximate_size",
    "description",
    "justification",
    "timeline",
    "languages",
    "public_summary",
]


def _forget_requester(person: Person, requests: list[HelpRequest]) -> int:
    """Blank the name and address of the requests the person sent; cancel their status links."""
    theirs = [r for r in requests if person.owns_email(r.email)]
    for request in theirs:
        request.name, request.email = MARKER, ""
        request.status_key = new_status_key()
        request.content_hash = ""  # a hash of the address still points to the person
    HelpRequest.objects.bulk_update(theirs, ["name", "email", "status_key", "content_hash"])
    return len(theirs)


def scrub_helpdesk(person: Person) -> int:
    """Replace the person's mentions in the affiliate's help requests and the notifications
    of its members or about its requests."""
    requests = HelpRequest.objects.filter(affiliate=person.affiliate)
    ids = list(requests.values_list("pk", flat=True))
    forgotten = _forget_requester(person, list(requests.only("pk", "email")))
    urls = [reverse("helpdesk:request_detail", kwargs={"pk": pk}) for pk in ids]
    notifications = Notification.objects.filter(
        pk__in=Notification.objects.filter(
            Q(user__memberships__affiliate=person.affiliate) | Q(url__in=urls)
        ).values("pk")
    )
    return (
        forgotten
        + scrub_rows(person, requests, REQUEST_TEXTS)
        + scrub_rows(person, Message.objects.filter(request__in=ids), ["body"])
        + scrub_rows(person, ReviewCheck.objects.filter(request__in=ids), ["comment"])
        + scrub_rows(person, AgendaItem.objects.filter(request__in=ids), ["reasons"])
        + scrub_rows(person, notifications, ["text"])
    )
