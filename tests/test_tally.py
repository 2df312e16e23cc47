"""The whole-board counts the services keep current equal a fresh count, always."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from hub.partners import services as partner_services
from hub.partnerships import activities, reports, scoring, services, tally
from hub.partnerships.models import DashboardCounts, Partnership
from tests import factories

pytestmark = pytest.mark.django_db

WHOLE = reports.ReportFilters()


def _same_as_a_fresh_count(affiliate: Any) -> reports.Dashboard:
    kept = reports.dashboard(WHOLE, affiliate=affiliate)
    assert kept == reports.count_dashboard(WHOLE, affiliate=affiliate)
    return kept


def _counted_at(affiliate: Any) -> dt.datetime:
    return DashboardCounts.objects.get(affiliate=affiliate).counted_at


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
    counted = _counted_at(affiliate_a)

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
    activities.update_contribution(actor=member_a, contribution=given, amount=Decimal("45.5"))
    _same_as_a_fresh_count(affiliate_a)
    activities.delete_contribution(actor=member_a, contribution=given)
    _same_as_a_fresh_count(affiliate_a)
    for n in range(3):  # enough joint activities to move the strategic label
        activities.create_activity(
            actor=member_a,
            partnership=ps[5],
            kind="training",
            title=f"Training {n}",
            starts_on=dt.date(2026, 2, 1 + n),
        )
        _same_as_a_fresh_count(affiliate_a)
    services.archive_partnership(actor=member_a, partnership=ps[4])
    _same_as_a_fresh_count(affiliate_a)
    services.restore_partnership(actor=member_a, partnership=ps[4])
    _same_as_a_fresh_count(affiliate_a)
    factories.partnership(affiliate_a, actor=member_a, partners=[(museum, "main")])
    _same_as_a_fresh_count(affiliate_a)
    # An organisation's type and region move every partnership it is a main partner of.
    partner_services.update_organisation(
        actor=member_a, organisation=museum, partner_type="archive", country="FR"
    )
    board = _same_as_a_fresh_count(affiliate_a)
    assert "archive" in {b.key for b in board.by_partner_type}
    # A rate changes only the conversion, which every view makes.
    activities.set_exchange_rate(
        actor=member_a, affiliate=affiliate_a, currency="SEK", year=2026, rate=Decimal("0.09")
    )
    _same_as_a_fresh_count(affiliate_a)
    assert _counted_at(affiliate_a) == counted, "a change was followed by a full count"


def test_a_refused_change_leaves_the_counts_as_they_were(
    world: dict[str, Any], affiliate_a: Any, member_a: Any, affiliate_b: Any
) -> None:
    before = _same_as_a_fresh_count(affiliate_a)
    stranger = factories.organisation(affiliate_b)
    with pytest.raises(ValidationError):
        activities.add_contribution(
            actor=member_a,
            partnership=world["ps"][0],
            organisation=stranger,
            kind="financial",
            received_on=dt.date(2026, 1, 1),
            amount=Decimal("5"),
            currency="EUR",
        )
    assert _same_as_a_fresh_count(affiliate_a) == before


def test_the_nightly_score_refresh_and_old_counts_mean_counting_afresh(
    world: dict[str, Any], affiliate_a: Any
) -> None:
    _same_as_a_fresh_count(affiliate_a)
    # Labels changed without a service (as the refresh does), then the refresh itself.
    Partnership.objects.filter(affiliate=affiliate_a).update(is_strategic=True)
    assert scoring.refresh_scores(affiliate=affiliate_a)
    assert not DashboardCounts.objects.filter(affiliate=affiliate_a).exists()
    _same_as_a_fresh_count(affiliate_a)
    # A change outside the services shows once the kept counts are RECOUNT_SECONDS old.
    Partnership.objects.filter(affiliate=affiliate_a).update(stage="active")
    DashboardCounts.objects.filter(affiliate=affiliate_a).update(
        counted_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=tally.RECOUNT_SECONDS + 1)
    )
    board = _same_as_a_fresh_count(affiliate_a)
    assert {b.key: b.count for b in board.by_stage} == {"active": board.total}


def test_another_affiliates_changes_leave_the_counts_alone(
    world: dict[str, Any], affiliate_a: Any, affiliate_b: Any, member_b: Any
) -> None:
    first = _same_as_a_fresh_count(affiliate_a)
    other = factories.partnership(affiliate_b, actor=member_b)
    services.update_partnership(actor=member_b, partnership=other, goals=["funding"])
    assert _same_as_a_fresh_count(affiliate_a) == first
    assert reports.dashboard(WHOLE, affiliate=affiliate_b).total == 1


def test_counts_survive_their_json_and_a_fact_counts_in_and_out_to_nothing() -> None:
    fact = tally.Fact(
        year=None,
        stage="active",
        flags=tally._STRATEGIC_BIT | tally._GOAL_BITS["content"] | tally._GIVE_BITS["knowledge"],
        types=("museum",),
        regions=(None,),
        money=(("financial", "EUR", 2026, Decimal("10.50")),),
    )
    counts = tally.Tally()
    counts.add(fact)
    again = tally.Tally.from_json(counts.to_json())
    assert again.shown() == counts.shown() and again.shown().regions == {None: 1}
    again.add(fact, -1)
    assert again.shown() == reports.Counts()


def test_a_followed_service_calling_another_drops_the_counts(
    world: dict[str, Any], affiliate_a: Any, member_a: Any
) -> None:
    _same_as_a_fresh_count(affiliate_a)
    p = world["ps"][0]

    @tally.follows(tally.of_partnership)
    def rename_and_move(*, partnership: Any) -> Any:
        services.update_partnership(actor=member_a, partnership=partnership, goals=["funding"])
        return partnership

    rename_and_move(partnership=p)
    assert not DashboardCounts.objects.filter(affiliate=affiliate_a).exists()
    _same_as_a_fresh_count(affiliate_a)
