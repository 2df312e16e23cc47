"""Reads of the events app's people part: participants a page at a time, links from activities."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count
from django.utils.translation import gettext as _

from hub.core.links import url_by_id
from hub.core.models import Affiliate
from hub.core.permissions import get_for_affiliate_or_404
from hub.events.models import EVENT_KINDS, Event, Participant
from hub.partnerships.models import Activity

PAGE_SIZE = 100


@dataclass(frozen=True)
class ParticipantsPage:
    """One page of an event's participants and how many are in each state."""

    page: Page[Participant]
    total: int
    counted: int
    unchecked: int
    missing: int
    blocked: int


def get_event(affiliate: Affiliate, pk: int) -> Event:
    """Return one of the affiliate's events with its activity and partnership, or raise 404."""
    return get_for_affiliate_or_404(
        Event.objects.select_related("activity__partnership"),
        affiliate,
        pk,
        activity__partnership__affiliate=affiliate,
    )


def participants_page(event: Event, page_number: str | None = None) -> ParticipantsPage:
    """Return a page of the event's participants (by username) and the counts by state."""
    rows = event.participants.order_by("username")
    by_check = dict(event.participants.values_list("wiki_check").annotate(n=Count("pk")).order_by())
    return ParticipantsPage(
        page=Paginator(rows, PAGE_SIZE).get_page(page_number),
        total=sum(by_check.values()),
        counted=event.participants.filter(counted=True).count(),
        unchecked=by_check.get(Participant.Check.UNCHECKED, 0),
        missing=by_check.get(Participant.Check.MISSING, 0),
        blocked=by_check.get(Participant.Check.BLOCKED, 0),
    )


def activity_links(
    affiliate: Affiliate, activities: Sequence[Activity]
) -> dict[int, list[tuple[str, str]]]:
    """Return the link to each event-kind activity's event page (or to create it)."""
    kinds = {str(k) for k in EVENT_KINDS}
    eligible = [a for a in activities if str(a.kind) in kinds]
    if not eligible:
        return {}
    events = dict(Event.objects.filter(activity__in=eligible).values_list("activity_id", "pk"))
    links: dict[int, list[tuple[str, str]]] = {}
    # Each address reversed once and its label translated once, not once per activity.
    participants = url_by_id("people_participants", slug=affiliate.slug)
    event_new = url_by_id("people_event_new", slug=affiliate.slug)
    see, set_up = _("Event and participants"), _("Set up the event")
    for activity in eligible:
        event_pk = events.get(activity.pk)
        if event_pk is not None:
            links[activity.pk] = [(see, participants(event_pk))]
        else:
            links[activity.pk] = [(set_up, event_new(activity.pk))]
    return links
