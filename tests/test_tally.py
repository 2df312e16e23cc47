"""The dashboard kept up to date one partnership at a time equals a fresh count, always."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache

from hub.core import audit
from hub.partners import services as partner_services
from hub.partnerships import activities, reports, services, tally
from hub.partnerships.models import Partnership
from tests import factories

pytestmark = pytest.mark.django_db

FILTERS = [
    reports.ReportFilters(),
    reports.ReportFilters(stage="active"),
    reports.ReportFilters(partner_type="museum"),
    reports.ReportFilters(region="europe", goal="content"),
    reports.ReportFilters(year=2026, contribution_type="knowledge"),
    reports.ReportFilters(strategic="no"),
]


def _same_as_a_fresh_count(affiliate: Any) -> None:
    for filters in FILTERS:
        kept = reports.dashboard(filters, affiliate=affiliate)
        assert kept == reports.count_dashboard(filters, affiliate=affiliate), filters


@pytest.fixture
def world(affiliate_a: Any, member_a: Any) -> dict[str, Any]:
    museum = factories.organisation(affiliate_a, name="Museum", partner_type="museum", country="SE")
    library = factories.organisation(
        affiliate_a, name="Library", partner_type="library", country="KE"
    )
    ps = [
        factories.partnership(
            affiliate_a,
            actor=member_a,
            partners=[(museum if n % 2 else library, "main")],
            start_date=dt.date(2025 + n % 2, 3, 1),
            goal_content=bool(n % 3),
            gives_knowledge=bool(n % 2),
        )
        for n in range(6)
    ]
    for n, p in enumerate(ps[:3]):
        activities.add_contribution(
            actor=member_a,
            partnership=p,
            organisation=museum if n % 2 else library,
            kind="financial",
            received_on=dt.date(2026, 1, 1 + n),
            amount=Decimal("100.10"),
            currency=["EUR", "SEK"][n % 2],
        )
    return {"museum": museum, "library": library, "ps": ps}


def test_each_kind_of_change_is_followed_without_counting_afresh(
    world: dict[str, Any], affiliate_a: Any, member_a: Any
) -> None:
    museum, library, ps = world["museum"], world["library"], world["ps"]
    _same_as_a_fresh_count(affiliate_a)
    # The facts of the first count must serve every change below.
    key_before = _facts_keys(affiliate_a)

    services.update_partnership(
        actor=member_a, partnership=ps[0], goals=["funding"], start_date=dt.date(2024, 5, 1)
    )
    _same_as_a_fresh_count(affiliate_a)
    services.advance_stage(
        actor=member_a, partnership=ps[1], to_stage="first_contact", reason="", override=False
    )
    _same_as_a_fresh_count(affiliate_a)
    services.set_partners(
        actor=member_a, partnership=ps[2], partners=[(library, "main"), (museum, "main")]
    )
    _same_as_a_fresh_count(affiliate_a)
    given = activities.add_contribution(
        actor=member_a,
        partnership=ps[3],
        organisation=museum,
        kind="in_kind",
        in_kind_type="venue",
        received_on=dt.date(2026, 5, 1),
        amount=Decimal("40"),
        currency="EUR",
    )
    _same_as_a_fresh_count(affiliate_a)
    activities.delete_contribution(actor=member_a, contribution=given)
    _same_as_a_fresh_count(affiliate_a)
    services.archive_partnership(actor=member_a, partnership=ps[4])
    _same_as_a_fresh_count(affiliate_a)
    services.restore_partnership(actor=member_a, partnership=ps[4])
    _same_as_a_fresh_count(affiliate_a)
    factories.partnership(affiliate_a, actor=member_a, partners=[(museum, "main")])
    _same_as_a_fresh_count(affiliate_a)
    # An organisation's type and region move every partnership it is a main partner of.
    partner_services.update_organisation(
        actor=member_a, organisation=museum, partner_type="archive", region="europe"
    )
    _same_as_a_fresh_count(affiliate_a)
    # A rate changes only the conversion.
    activities.set_exchange_rate(
        actor=member_a, affiliate=affiliate_a, currency="SEK", year=2026, rate=Decimal("0.09")
    )
    _same_as_a_fresh_count(affiliate_a)
    assert _facts_keys(affiliate_a) == key_before, "a change was followed by a full count"


def _facts_keys(affiliate: Any) -> set[str]:
    entry = cache.get(_board_key(affiliate))
    return {entry.generation} if entry else set()


def _board_key(affiliate: Any) -> str:
    import hashlib

    from django.utils import translation

    digest = hashlib.sha256(repr(reports.ReportFilters()).encode()).hexdigest()[:24]
    return f"dashboard-tally:{affiliate.pk}:{translation.get_language() or ''}:{digest}"


def test_an_event_it_cannot_follow_counts_afresh(
    world: dict[str, Any], affiliate_a: Any, member_a: Any
) -> None:
    _same_as_a_fresh_count(affiliate_a)
    before = _facts_keys(affiliate_a)
    # A change outside the services, then an event that names no partnership.
    Partnership.objects.filter(affiliate=affiliate_a).update(is_strategic=True)
    audit.record(actor=None, affiliate=affiliate_a, action="import.finished", target=affiliate_a)
    _same_as_a_fresh_count(affiliate_a)
    assert _facts_keys(affiliate_a) != before


def test_facts_gone_from_the_cache_mean_a_fresh_count(
    world: dict[str, Any], affiliate_a: Any, member_a: Any
) -> None:
    _same_as_a_fresh_count(affiliate_a)
    entry = cache.get(_board_key(affiliate_a))
    cache.delete_many([f"dashfacts:{affiliate_a.pk}:{entry.generation}:{n}" for n in range(16)])
    services.update_partnership(actor=member_a, partnership=world["ps"][0], goals=["advocacy"])
    _same_as_a_fresh_count(affiliate_a)
    assert _facts_keys(affiliate_a) != {entry.generation}


def test_another_affiliates_changes_leave_the_board_alone(
    world: dict[str, Any], affiliate_a: Any, affiliate_b: Any, member_b: Any
) -> None:
    first = reports.dashboard(reports.ReportFilters(), affiliate=affiliate_a)
    factories.partnership(affiliate_b, actor=member_b, stage="active")
    assert reports.dashboard(reports.ReportFilters(), affiliate=affiliate_a) == first
    assert reports.dashboard(reports.ReportFilters(), affiliate=affiliate_b).total == 1


def test_a_fact_counts_in_and_out_to_nothing() -> None:
    fact = tally.Fact(
        year=2026,
        stage="active",
        strategic=True,
        goals=("content",),
        gives=("knowledge",),
        types=("museum",),
        regions=("europe",),
        money=(("financial", "EUR", 2026, "10.50"),),
    )
    counts = tally.Tally()
    counts.add(fact)
    counts.add(fact, -1)
    assert counts.counts() == reports.Counts()
