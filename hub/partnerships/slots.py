"""The places on the partnerships' pages where apps higher up add sections (hub.core.sections)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from hub.core.models import Affiliate
from hub.core.registry import Registry
from hub.core.sections import Slot
from hub.partners.models import Organisation
from hub.partnerships.models import Activity, Partnership

# The partnership page, read with the partnership shown.
PARTNERSHIP_PAGE: Slot[[Partnership]] = Slot("partnerships.partnership_page")

# Content a partnership put on a wiki (a finished batch upload: its tracking category and its
# files). Impact registers the receiver that links it to the partnership's impact figures, so an
# app beside impact (uploads) reports the content without importing impact.
# Called as receiver(partnership=, actor=, wiki_url=, category=, files=) inside the caller's
# transaction.
ContentReceiver = Callable[..., None]
CONTENT_PUBLISHED: Registry[ContentReceiver] = Registry("partnerships.content_published")


@dataclass(frozen=True)
class Figure:
    """One impact figure of a partnership, with where it came from and how old it is."""

    label: str
    value: int
    source: str
    as_of: dt.date | None
    # What the figure counts (impact's metric: files_deep, views, articles...), for pages that
    # pick figures by meaning (the showcase's headline, the badge) rather than by label.
    key: str = ""


# The impact figures of partnerships, read when a page is drawn (case studies, the showcase,
# badges), so they stay current instead of being copied. Impact registers the provider; each
# is called as provider(partnerships) and returns {partnership id: [Figure, ...]}.
FiguresProvider = Callable[[Sequence[Partnership]], dict[int, list[Figure]]]
PARTNERSHIP_FIGURES: Registry[FiguresProvider] = Registry("partnerships.partnership_figures")


def partnership_figures(partnerships: Sequence[Partnership]) -> dict[int, list[Figure]]:
    """Return every registered provider's figures for the partnerships, by partnership id."""
    figures: dict[int, list[Figure]] = {p.pk: [] for p in partnerships}
    if not partnerships:
        return figures
    for provider in PARTNERSHIP_FIGURES:
        for pk, rows in provider(partnerships).items():
            figures.setdefault(pk, []).extend(rows)
    return figures


# The same figures summed over many partnerships at once (the showcase's headline over every
# published partnership): a provider is called with a queryset and the keys wanted (files_deep,
# views...) and answers with a few aggregate queries, whatever the number of partnerships.
# Impact registers one.
TotalsProvider = Callable[[QuerySet[Partnership], Collection[str]], list[Figure]]
PARTNERSHIP_TOTALS: Registry[TotalsProvider] = Registry("partnerships.partnership_totals")


def partnership_totals(partnerships: QuerySet[Partnership], keys: Collection[str]) -> list[Figure]:
    """Return every registered provider's figures of the given keys, summed over partnerships."""
    return [figure for provider in PARTNERSHIP_TOTALS for figure in provider(partnerships, keys)]


# Partners' satisfaction from surveys, for the strategic score's satisfaction rule. The surveys
# app registers a provider, called as provider(partnerships queryset) and returning
# {partnership id: average satisfaction from 1 to 5} for those with answers.
SatisfactionProvider = Callable[[QuerySet[Partnership]], dict[int, float]]
PARTNERSHIP_SATISFACTION: Registry[SatisfactionProvider] = Registry(
    "partnerships.partnership_satisfaction"
)


def partnership_satisfaction(partnerships: QuerySet[Partnership]) -> dict[int, float]:
    """Return every registered provider's satisfaction figures, by partnership id."""
    found: dict[int, float] = {}
    for provider in PARTNERSHIP_SATISFACTION:
        found.update(provider(partnerships))
    return found


# The partner portal's impact report of one partner organisation (hub.surveys.portal), read with
# the affiliate and the organisation. Impact registers the section that draws it, so the portal
# shows impact's report without importing impact.
PARTNER_REPORT: Slot[[Affiliate, Organisation]] = Slot("partnerships.partner_report")


# The outputs of activities counted from the wikis (hub.events: an edit-a-thon's articles
# created, files uploaded...), each figure with its source and date, for the pages that show an
# activity's outputs (the partnership's activities, impact's page and partner report, the
# grant-report export). The events app registers the provider, called as provider(activities)
# and returning {activity id: [Figure, ...]}; an activity without counted figures is left out,
# and its hand-typed outputs (the Activity fields) stand, marked as typed by hand.
ActivityOutputsProvider = Callable[[Sequence[Activity]], dict[int, list[Figure]]]
ACTIVITY_OUTPUTS: Registry[ActivityOutputsProvider] = Registry("partnerships.activity_outputs")


def activity_outputs(activities: Sequence[Activity]) -> dict[int, list[Figure]]:
    """Return every registered provider's counted figures for the activities, by activity id."""
    found: dict[int, list[Figure]] = {}
    if not activities:
        return found
    for provider in ACTIVITY_OUTPUTS:
        for pk, rows in provider(activities).items():
            found.setdefault(pk, []).extend(rows)
    return found


@dataclass(frozen=True)
class OutputTotals:
    """Counted outputs summed over many activities, and which activities have any."""

    # One Figure per metric and source, summed; as_of is the oldest counting among them.
    figures: list[Figure]
    # The ids of the activities with figures (a queryset of ids, used as a subquery).
    counted_ids: QuerySet[Any]
    # Given outputs' keys ("articles_created", ...), which of those activities have a figure of
    # which of them, as (activity id, key) pairs, in one query: their hand-typed value of that
    # output is left out of the sums, so nothing is counted twice, and the rest of what was
    # typed on them is summed, as their rows show it (hub.partnerships.activities.outputs).
    covered: Callable[[Sequence[str]], Iterable[tuple[int, str]]]


# The same counted outputs summed over many activities at once (the reports dashboard over all
# of an affiliate's activities): a provider is called with a queryset of activities and answers
# with a few aggregate queries, whatever their number. The events app registers one.
OutputTotalsProvider = Callable[[QuerySet[Activity]], OutputTotals]
ACTIVITY_OUTPUT_TOTALS: Registry[OutputTotalsProvider] = Registry(
    "partnerships.activity_output_totals"
)


def activity_output_totals(activities: QuerySet[Activity]) -> list[OutputTotals]:
    """Return every registered provider's summed counted outputs of the activities."""
    return [provider(activities) for provider in ACTIVITY_OUTPUT_TOTALS]


# Public pages of activities (the events app's public event page, only for published
# partnerships): the public partnership page links each activity that has one. A provider is
# called as provider(activities) and returns {activity id: address}.
PublicLinksProvider = Callable[[Sequence[Activity]], dict[int, str]]
ACTIVITY_PUBLIC_LINKS: Registry[PublicLinksProvider] = Registry(
    "partnerships.activity_public_links"
)


def activity_public_links(activities: Sequence[Activity]) -> dict[int, str]:
    """Return the public page of each activity that has one, by activity id."""
    found: dict[int, str] = {}
    if not activities:
        return found
    for provider in ACTIVITY_PUBLIC_LINKS:
        found.update(provider(activities))
    return found


# Links from an activity to pages a higher app keeps about it (hub.events: the event's settings
# and participants, the Dashboard import), shown in the partnership's list of activities. A
# provider is called as provider(affiliate, activities) and returns
# {activity id: [(label, address), ...]}, without queries where it can.
ActivityLinksProvider = Callable[[Affiliate, Sequence[Activity]], dict[int, list[tuple[str, str]]]]
ACTIVITY_LINKS: Registry[ActivityLinksProvider] = Registry("partnerships.activity_links")


def activity_links(
    affiliate: Affiliate, activities: Sequence[Activity]
) -> dict[int, list[tuple[str, str]]]:
    """Return every registered provider's links for each activity, by activity id."""
    found: dict[int, list[tuple[str, str]]] = {}
    for provider in ACTIVITY_LINKS:
        for pk, links in provider(affiliate, activities).items():
            found.setdefault(pk, []).extend(links)
    return found
