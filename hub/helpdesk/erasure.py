"""Find and scrub a person in help requests, working groups and notifications."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from hub.core.erasure import (
    MARKER,
    Person,
    events_about,
    looks_like_phone,
    rows_mentioning,
    scrub_history_of,
    scrub_rows,
)
from hub.core.models import Affiliate
from hub.core.personal_data import Found, Identity, history_mentioning
from hub.helpdesk.models import (
    AgendaItem,
    GroupTask,
    HelpRequest,
    Message,
    Notification,
    ReviewCheck,
    WorkingGroup,
)
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


def request_key(request: HelpRequest) -> str:
    """Return the key naming the request's sender in Person.records."""
    return f"{HelpRequest._meta.label_lower}:{request.pk}"


def _sent_by(person: Person, request: HelpRequest) -> bool:
    return person.owns_email(request.email) or person.is_record(HelpRequest._meta.label, request.pk)


def _forget_requester(person: Person, requests: list[HelpRequest]) -> int:
    """Blank the name and address of the requests the person sent; cancel their status links."""
    theirs = [r for r in requests if _sent_by(person, r)]
    for request in theirs:
        request.name, request.email = MARKER, ""
        request.user = None  # their account, if they were signed in, names them too
        request.status_key = new_status_key()
        request.content_hash = ""  # a hash of the address still points to the person
    HelpRequest.objects.bulk_update(theirs, ["name", "email", "user", "status_key", "content_hash"])
    return len(theirs)


def _texts(person: Person, ids: list[int]) -> list[tuple[str, QuerySet[Any], list[str]]]:
    """Return (what it is, rows, free-text columns) for the requests' records."""
    urls = [reverse("helpdesk:request_detail", kwargs={"pk": pk}) for pk in ids]
    who = Q(url__in=urls)
    if person.affiliate is not None:
        who |= Q(user__memberships__affiliate=person.affiliate)
    notifications = Notification.objects.filter(
        pk__in=Notification.objects.filter(who).values("pk")
    )
    groups = WorkingGroup.objects.filter(request__in=ids)
    return [
        (_("Help request"), HelpRequest.objects.filter(pk__in=ids), REQUEST_TEXTS),
        (_("Helpdesk message"), Message.objects.filter(request__in=ids), ["body"]),
        (_("Review comment"), ReviewCheck.objects.filter(request__in=ids), ["comment"]),
        (_("Committee decision"), AgendaItem.objects.filter(request__in=ids), ["reasons"]),
        (_("Working group"), groups, ["name", "purpose", "theme"]),
        (_("Working group task"), GroupTask.objects.filter(group__in=groups), ["title"]),
        (_("Notification"), notifications, ["text"]),
    ]


def scrub_requests(person: Person, requests: QuerySet[HelpRequest]) -> int:
    """Forget the requests the person sent and replace their mentions in the requests'
    conversations, reviews, decisions, working groups and notifications."""
    ids = list(requests.values_list("pk", flat=True))
    forgotten = _forget_requester(person, list(requests.only("pk", "email", "user")))
    texts = _texts(person, ids)
    return (
        forgotten
        + sum(scrub_rows(person, rows, fields) for _kind, rows, fields in texts)
        + scrub_history_of(person, [rows for _kind, rows, _fields in texts])
    )


def scrub_helpdesk(person: Person) -> int:
    """Scrub the person from the affiliate's help requests (None: those sent to no affiliate)
    and from the notifications of its members or about its requests."""
    return scrub_requests(person, HelpRequest.objects.filter(affiliate=person.affiliate))


def identify_requesters(affiliate: Affiliate | None, query: str) -> Iterator[Identity]:
    """Return the requests sent with this e-mail address, or under exactly this name."""
    if looks_like_phone(query):
        return  # requests hold no phone of their sender
    match = Q(email__iexact=query) if "@" in query else Q(name__iexact=query)
    for request in HelpRequest.objects.filter(match, affiliate=affiliate).order_by("pk"):
        yield Identity(
            key=request_key(request),
            kind=_("Help request sender"),
            label=f"{request.name} <{request.email}> · {request.reference}",
            names=(request.name,),
            emails=(request.email,) if request.email else (),
            url=reverse("helpdesk:request_detail", kwargs={"pk": request.pk}),
        )


def request_personal_data(request: HelpRequest) -> dict[str, Any]:
    """Return what the helpdesk holds from a request's sender (their export)."""
    return {
        "reference": request.reference,
        "sent_at": request.created_at.isoformat(),
        "status": request.status,
        **{field: getattr(request, field) for field in REQUEST_TEXTS},
        "country": str(request.country.code) if request.country else "",
        "consent_at": request.consent_at.isoformat(),
        "messages": [
            {"when": m.created_at.isoformat(), "kind": m.kind, "text": m.body}
            for m in request.messages.exclude(kind=Message.Kind.NOTE).order_by("created_at")
        ],
    }


def find_in_helpdesk(person: Person) -> Iterator[Found]:
    """Yield the requests the person sent, then every helpdesk text that names them."""
    requests = HelpRequest.objects.filter(affiliate=person.affiliate)
    ids = list(requests.values_list("pk", flat=True))
    sent = [r for r in requests.order_by("pk") if _sent_by(person, r)]
    for request in sent:
        yield Found(
            kind=_("Help request they sent"),
            label=f"{request.reference} · {request.partner}",
            url=reverse("helpdesk:request_detail", kwargs={"pk": request.pk}),
            data=request_personal_data(request),
        )
    sent_ids = {r.pk for r in sent}
    texts = _texts(person, ids)
    for _kind, rows, _fields in texts:
        yield from history_mentioning(person, events_about(person, rows))
    for kind, rows, fields in texts:
        for row in rows_mentioning(person, rows, fields):
            if isinstance(row, HelpRequest) and row.pk in sent_ids:
                continue
            yield Found(
                kind=kind,
                label=str(row),
                url=_url_of(row),
                data={f: getattr(row, f) for f in fields},
            )


def _url_of(row: Any) -> str:
    request_id = row.pk if isinstance(row, HelpRequest) else getattr(row, "request_id", None)
    if request_id:
        return reverse("helpdesk:request_detail", kwargs={"pk": request_id})
    return str(getattr(row, "url", ""))
