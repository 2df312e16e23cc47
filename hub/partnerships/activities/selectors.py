"""Reads of activities, contributions and exchange rates, always scoped to one affiliate."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from hub.core.dbfunctions import DateYear
from hub.core.models import Affiliate
from hub.core.permissions import get_for_affiliate_or_404
from hub.partners.models import Organisation
from hub.partnerships.activities import money
from hub.partnerships.activities.outputs import (
    groups_of,
    output_summary,
    outputs_html,
    summary_of,
    with_output_lines,
)
from hub.partnerships.activities.services import OUTPUT_FIELDS
from hub.partnerships.models import Activity, Contribution, ExchangeRate, Partnership
from hub.partnerships.scoring import UPLOAD_KINDS
from hub.partnerships.selectors import PartnershipPage
from hub.partnerships.selectors import get_partnership as get_partnership  # one lookup, shared

SECTION_ACTIVITIES = 5


def get_activity(affiliate: Affiliate, pk: int) -> Activity:
    """Return one of the affiliate's activities with its partnership, or raise 404."""
    return get_for_affiliate_or_404(
        Activity.objects.select_related("partnership"), affiliate, pk, through="partnership"
    )


def get_contribution(affiliate: Affiliate, pk: int) -> Contribution:
    """Return one of the affiliate's contributions with its partnership, or raise 404."""
    return get_for_affiliate_or_404(
        Contribution.objects.select_related("partnership", "organisation"),
        affiliate,
        pk,
        through="partnership",
    )


def get_exchange_rate(affiliate: Affiliate, pk: int) -> ExchangeRate:
    """Return one of the affiliate's exchange rates, or raise 404."""
    return get_for_affiliate_or_404(ExchangeRate, affiliate, pk)


def partner_organisations(partnership: Partnership) -> QuerySet[Organisation]:
    """Return the organisations taking part in a partnership, for choosing among them."""
    return Organisation.objects.filter(partnership_roles__partnership=partnership).order_by(
        "name", "id"
    )


def activity_list(partnership: Partnership) -> QuerySet[Activity]:
    """Return a partnership's activities, newest first (their partners: partner_names)."""
    return Activity.objects.filter(partnership=partnership).order_by("-starts_on", "-id")


def partner_names(activities: Sequence[Activity]) -> dict[int, list[str]]:
    """Return the names of the partners involved in each activity, by activity id, in
    alphabetical order: one query, no organisation read as a model (a list page's rows)."""
    names: dict[int, list[str]] = {a.pk: [] for a in activities}
    if not names:
        return names
    rows = (
        Activity.partners.through.objects.filter(activity_id__in=list(names))
        .order_by("organisation__name", "organisation_id")
        .values_list("activity_id", "organisation__name")
    )
    for activity_id, name in rows:
        names[activity_id].append(name)
    return names


def activity_outputs(activities: QuerySet[Activity]) -> dict[str, int]:
    """Return the number of activities (and of upload activities, which the strategic rules
    count) and their summed outputs and participants, in one query."""
    sums = activities.order_by().aggregate(
        count=Count("id"),
        upload_activities=Count("id", filter=Q(kind__in=UPLOAD_KINDS)),
        participants=Sum("participants"),
        **{name: Sum(name) for name in OUTPUT_FIELDS},
    )
    return {key: value or 0 for key, value in sums.items()}


def contribution_list(partnership: Partnership) -> QuerySet[Contribution]:
    """Return a partnership's contributions, newest first, with their partners."""
    return (
        Contribution.objects.filter(partnership=partnership)
        .select_related("organisation")
        .order_by("-received_on", "-id")
    )


@dataclass
class ConvertedContribution:
    """A contribution with its value in the reporting currency (or why it has none)."""

    contribution: Contribution
    conversion: money.Conversion


def with_conversions(
    contributions: Iterable[Contribution], rates: money.RateTable
) -> list[ConvertedContribution]:
    """Return each contribution with its value in the reporting currency (no queries)."""
    return [
        ConvertedContribution(c, rates.convert(c.amount, c.currency, c.received_on.year))
        for c in contributions
    ]


def outputs_of(activities: Iterable[Activity]) -> dict[str, int]:
    """Return what activity_outputs counts, from activities already loaded (no queries)."""
    rows = list(activities)
    outputs = {
        "count": len(rows),
        "upload_activities": sum(1 for a in rows if a.kind in UPLOAD_KINDS),
        "participants": sum(a.participants or 0 for a in rows),
    }
    outputs.update({name: sum(getattr(a, name) or 0 for a in rows) for name in OUTPUT_FIELDS})
    return outputs


def section_context(page: PartnershipPage) -> dict[str, Any]:
    """Return what the partnership page's activity and money sections show: the newest
    activities come with the page's timeline, and when it read every activity or every
    contribution, they are counted and summed here; else one query each, plus the rates."""
    partnership = page.partnership
    complete = "activities" in page.complete
    outputs = (
        outputs_of(page.latest_activities)
        if complete
        else activity_outputs(Activity.objects.filter(partnership=partnership))
    )
    # Counted outputs with their source, and the typed ones of activities nothing counted: from
    # the activities the page read when it read them all (one query for their counted figures),
    # else summed by the database.
    latest = with_output_lines(
        page.latest_activities if complete else page.latest_activities[:SECTION_ACTIVITIES],
        html=False,
    )[:SECTION_ACTIVITIES]
    for activity in latest:  # drawn for the few the section shows only
        setattr(activity, "output_html", outputs_html(groups_of(activity.output_lines)))  # type: ignore[attr-defined]  # noqa: B010
    summary = (
        summary_of(page.latest_activities)
        if complete
        else output_summary(Activity.objects.filter(partnership=partnership), typed_sums=outputs)
    )
    return {
        "latest_activities": latest,
        "activity_outputs": outputs,
        "output_summary": summary,
        "money": money.partnership_money(
            partnership,
            contributions=page.latest_contributions if "contributions" in page.complete else None,
        ),
    }


@dataclass(frozen=True)
class RatesPage:
    """The affiliate's exchange rates and the rates its contributions still need."""

    rates: list[ExchangeRate]
    missing: list[money.MissingRate]
    fallbacks: list[money.FallbackRate]
    currencies_in_use: list[str]


def rates_page(affiliate: Affiliate) -> RatesPage:
    """Return the affiliate's rates and which currency-years lack one (three queries)."""
    table = money.rate_table(affiliate)
    used = (
        Contribution.objects.filter(partnership__affiliate=affiliate)
        .annotate(year=DateYear("received_on"))
        .values_list("currency", "year")
        .distinct()
        .order_by()
    )
    missing: set[money.MissingRate] = set()
    fallbacks: set[money.FallbackRate] = set()
    currencies: set[str] = set()
    for currency, year in used:
        currencies.add(currency)
        found = table.lookup(currency, year)
        if found is None:
            missing.add(money.MissingRate(currency, year))
        elif found[1] != year:
            fallbacks.add(money.FallbackRate(currency, year, found[1]))
    return RatesPage(
        rates=list(ExchangeRate.objects.filter(affiliate=affiliate).order_by("currency", "-year")),
        missing=sorted(missing, key=lambda m: (m.currency, m.year)),
        fallbacks=sorted(fallbacks, key=lambda f: (f.currency, f.year)),
        currencies_in_use=sorted(currencies),
    )
