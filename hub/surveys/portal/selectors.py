"""What the partner portal and the member pages about it read, each scoped to one affiliate."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from hub.core.models import Affiliate, User
from hub.partners.models import Contact, Organisation
from hub.partnerships.models import Activity, Document, Partnership, Stage
from hub.partnerships.slots import Figure, partnership_figures
from hub.surveys.models import ChangeRequest, PartnerUpdates, PortalLink
from hub.surveys.selectors import WaitingSurvey, waiting_surveys

UPCOMING_DAYS = 120
UPCOMING_ROWS = 20
RECENT_ROWS = 20
ACTIVITY_FIELDS = (
    "id",
    "title",
    "starts_on",
    "place",
    "online",
    "partnership__id",
    "partnership__title",
)
# What the portal and the update e-mail show of a partnership (and what figures need).
PARTNERSHIP_FIELDS = ("id", "affiliate_id", "title", "stage", "start_date", "end_date")


@dataclass
class PortalPage:
    """Everything the partner's portal shows."""

    link: PortalLink
    organisation: Organisation
    partnerships: list[Partnership]
    figures: dict[int, list[Figure]]
    documents: list[Document]
    upcoming: list[Activity]
    contacts: list[Contact]
    people: list[User]  # who to contact at the affiliate
    waiting_surveys: list[WaitingSurvey]
    pending: list[ChangeRequest] = field(default_factory=list)

    @property
    def rows(self) -> list[tuple[Partnership, list[Figure]]]:
        """Return each partnership with its figures, for the page's tables."""
        return [(p, self.figures.get(p.pk, [])) for p in self.partnerships]


def portal_partnerships(affiliate: Affiliate, organisation: Organisation) -> QuerySet[Partnership]:
    """Return the organisation's partnerships with the affiliate a partner may see.

    Ideas are the affiliate's own thinking and archived ones are gone: neither is shown.
    """
    return (
        Partnership.objects.filter(
            affiliate=affiliate, partners__organisation=organisation, archived_at=None
        )
        .exclude(stage=Stage.IDEA)
        .only(*PARTNERSHIP_FIELDS)
        .order_by("-start_date", "title", "id")
    )


def upcoming_activities(
    partnerships: list[Partnership], *, today: dt.date, days: int = UPCOMING_DAYS
) -> list[Activity]:
    """Return the partnerships' activities starting from today for a while, soonest first."""
    return list(
        Activity.objects.filter(
            partnership__in=partnerships,
            starts_on__gte=today,
            starts_on__lte=today + dt.timedelta(days=days),
        )
        .select_related("partnership")
        .only(*ACTIVITY_FIELDS)
        .order_by("starts_on", "id")[:UPCOMING_ROWS]
    )


def recent_activities(
    partnerships: list[Partnership], *, since: dt.date, today: dt.date
) -> list[Activity]:
    """Return the partnerships' activities that took place between since and today."""
    return list(
        Activity.objects.filter(
            partnership__in=partnerships, starts_on__gte=since, starts_on__lt=today
        )
        .select_related("partnership")
        .only(*ACTIVITY_FIELDS)
        .order_by("-starts_on", "-id")[:RECENT_ROWS]
    )


def portal_page(link: PortalLink, *, today: dt.date | None = None) -> PortalPage:
    """Return the portal of the link's organisation: a fixed number of queries at any size."""
    today = today or timezone.localdate()
    affiliate, organisation = link.affiliate, link.organisation
    partnerships = list(
        portal_partnerships(affiliate, organisation).prefetch_related(
            Prefetch(
                "responsible",
                queryset=User.objects.filter(is_active=True).only(
                    "id", "username", "first_name", "last_name", "email"
                ),
            )
        )
    )
    people: dict[int, User] = {}
    for partnership in partnerships:
        for person in partnership.responsible.all():
            people.setdefault(person.pk, person)
    documents = list(
        Document.objects.filter(partnership__in=partnerships, shared_with_partner=True)
        .select_related("partnership")
        .only(
            "id",
            "kind",
            "original_name",
            "size",
            "uploaded_at",
            "partnership__id",
            "partnership__title",
        )
    )
    contacts = list(
        Contact.objects.filter(
            affiliate=affiliate, organisation=organisation, archived_at=None
        ).only("id", "name", "role", "emails", "phone", "preferred_language", "organisation_id")
    )
    pending = list(
        ChangeRequest.objects.filter(
            organisation=organisation, status=ChangeRequest.Status.PENDING
        ).select_related("contact")
    )
    return PortalPage(
        link=link,
        organisation=organisation,
        partnerships=partnerships,
        figures=partnership_figures(partnerships),
        documents=documents,
        upcoming=upcoming_activities(partnerships, today=today),
        contacts=contacts,
        people=sorted(people.values(), key=lambda u: (str(u).casefold(), u.pk)),
        waiting_surveys=waiting_surveys(organisation),
        pending=pending,
    )


def shared_document(link: PortalLink, pk: int) -> Document:
    """Return a document shared with the link's organisation, or raise 404."""
    partnerships = portal_partnerships(link.affiliate, link.organisation)
    document = Document.objects.filter(
        pk=pk, shared_with_partner=True, partnership__in=partnerships
    ).first()
    if document is None:
        raise Http404
    return document


def portal_contact(link: PortalLink, pk: int) -> Contact:
    """Return one of the link's organisation's own live contacts, or raise 404."""
    contact = Contact.objects.filter(
        pk=pk, affiliate=link.affiliate, organisation=link.organisation, archived_at=None
    ).first()
    if contact is None:
        raise Http404
    return contact


@dataclass
class OrganisationPortal:
    """The organisation page's portal section: its link, update setting and waiting changes."""

    link: PortalLink | None
    updates: PartnerUpdates | None
    pending: int


def organisation_portal(affiliate: Affiliate, organisation: Organisation) -> OrganisationPortal:
    """Return the organisation's link in force, its update setting and corrections waiting."""
    now = timezone.now()
    link = (
        PortalLink.objects.filter(
            affiliate=affiliate, organisation=organisation, revoked_at=None, expires_at__gt=now
        )
        .order_by("-created_at")
        .first()
    )
    updates = PartnerUpdates.objects.filter(affiliate=affiliate, organisation=organisation).first()
    pending = ChangeRequest.objects.filter(
        affiliate=affiliate, organisation=organisation, status=ChangeRequest.Status.PENDING
    ).count()
    return OrganisationPortal(link=link, updates=updates, pending=pending)


def change_requests(affiliate: Affiliate, *, decided: bool = False) -> list[ChangeRequest]:
    """Return the affiliate's corrections waiting (or the latest decided), oldest waiting first."""
    qs = ChangeRequest.objects.filter(affiliate=affiliate).select_related(
        "organisation", "contact", "decided_by"
    )
    if decided:
        return list(qs.exclude(status=ChangeRequest.Status.PENDING).order_by("-decided_at")[:50])
    return list(qs.filter(status=ChangeRequest.Status.PENDING).order_by("created_at", "id"))


def change_for(affiliate: Affiliate, pk: int) -> ChangeRequest:
    """Return one of the affiliate's corrections, or raise 404 (another affiliate's too)."""
    change = (
        ChangeRequest.objects.filter(affiliate=affiliate, pk=pk)
        .select_related("organisation", "contact")
        .first()
    )
    if change is None:
        raise Http404
    return change


def link_for(affiliate: Affiliate, organisation: Organisation, pk: int) -> PortalLink:
    """Return one of the organisation's portal links, or raise 404."""
    link = PortalLink.objects.filter(affiliate=affiliate, organisation=organisation, pk=pk).first()
    if link is None:
        raise Http404
    return link


def pending_counts(affiliate: Affiliate) -> dict[str, Any]:
    """Return how many corrections wait, for the queue's heading."""
    return ChangeRequest.objects.filter(affiliate=affiliate).aggregate(
        pending=Count("pk", filter=Q(status=ChangeRequest.Status.PENDING))
    )
