"""The reports dashboard is cached, yet shows each kind of change on the next view."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hub.core import audit
from hub.partners import services as partner_services
from hub.partnerships import scoring, services
from hub.partnerships.activities import services as activities
from hub.partnerships.models import AffiliateGoal, Partnership
from hub.partnerships.reports import dashboard as reports
from tests import factories

pytestmark = pytest.mark.django_db

WHOLE = reports.ReportFilters()


def _board(affiliate: Any, filters: reports.ReportFilters = WHOLE) -> reports.Dashboard:
    """Return the board the page shows, checked against a count made afresh."""
    board = reports.dashboard(filters, affiliate=affiliate)
    assert board == reports.count_dashboard(filters, affiliate=affiliate)
    return board


def _by(buckets: list[reports.Bucket]) -> dict[str, int]:
    return {b.key: b.count for b in buckets}


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
            currency="EUR",
        )
    return {"museum": museum, "library": library, "ps": ps}


def test_partnership_changes_show_on_the_next_view(
    world: dict[str, Any], affiliate_a: Any, member_a: Any
) -> None:
    museum, library, ps = world["museum"], world["library"], world["ps"]
    first = _board(affiliate_a)
    assert first.total == 6

    services.update_partnership(
        actor=member_a, partnership=ps[0], goals=["funding"], start_date=dt.date(2024, 5, 1)
    )
    board = _board(affiliate_a)
    assert _by(board.by_goal)["funding"] == _by(first.by_goal)["funding"] + 1
    assert _by(board.by_year)["2024"] == 1

    services.advance_stage(
        actor=member_a, partnership=ps[1], to_stage="first_contact", reason="", override=False
    )
    assert _by(_board(affiliate_a).by_stage)["first_contact"] == 1

    services.set_partners(
        actor=member_a, partnership=ps[2], partners=[(library, "main"), (museum, "main")]
    )
    assert _by(_board(affiliate_a).by_partner_type) == {"museum": 4, "library": 3}

    services.archive_partnership(actor=member_a, partnership=ps[4])
    assert _board(affiliate_a).total == 5
    services.restore_partnership(actor=member_a, partnership=ps[4])
    assert _board(affiliate_a).total == 6

    factories.partnership(affiliate_a, actor=member_a, partners=[(museum, "main")])
    assert _board(affiliate_a).total == 7


def test_contributions_and_rates_show_on_the_next_view(
    world: dict[str, Any], affiliate_a: Any, member_a: Any
) -> None:
    museum, ps = world["museum"], world["ps"]
    assert _board(affiliate_a).money[0].financial.exact == Decimal("300.30")

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
    assert _board(affiliate_a).money[0].in_kind.exact == Decimal("40")
    activities.update_contribution(actor=member_a, contribution=given, amount=Decimal("45.5"))
    assert _board(affiliate_a).money[0].in_kind.exact == Decimal("45.5")
    activities.delete_contribution(actor=member_a, contribution=given)
    assert _board(affiliate_a).money[0].in_kind.exact == 0

    # A contribution in another currency waits for its rate; the rate converts it at once.
    activities.add_contribution(
        actor=member_a,
        partnership=ps[3],
        organisation=museum,
        kind="financial",
        received_on=dt.date(2026, 6, 1),
        amount=Decimal("100"),
        currency="SEK",
    )
    assert _board(affiliate_a).money[0].missing
    activities.set_exchange_rate(
        actor=member_a, affiliate=affiliate_a, currency="SEK", year=2026, rate=Decimal("0.09")
    )
    board = _board(affiliate_a)
    assert not board.money[0].missing
    assert board.money[0].financial.exact == Decimal("309.30")


def test_activities_that_move_the_strategic_label_show_on_the_next_view(
    world: dict[str, Any], affiliate_a: Any, member_a: Any
) -> None:
    # Strategic but for its joint activities: sustained, capacity and content, a main goal,
    # in touch.
    museum = world["museum"]
    target = factories.partnership(
        affiliate_a,
        actor=member_a,
        partners=[(museum, "main")],
        start_date=dt.date(2020, 1, 1),
        gives_knowledge=True,
        gives_content=True,
    )
    goal = AffiliateGoal.objects.create(affiliate=affiliate_a, name="Open knowledge")
    services.update_partnership(actor=member_a, partnership=target, main_goals=[goal])
    factories.interaction(museum, actor=member_a, date=timezone.localdate())
    before = _board(affiliate_a).strategic
    for n in range(3):
        activities.create_activity(
            actor=member_a,
            partnership=target,
            kind="training",
            title=f"Training {n}",
            starts_on=dt.date(2026, 2, 1 + n),
        )
    assert _board(affiliate_a).strategic == before + 1
    activities.delete_activity(actor=member_a, activity=target.activities.first())
    assert _board(affiliate_a).strategic == before


def test_a_partners_type_and_region_show_on_the_next_view(
    world: dict[str, Any], affiliate_a: Any, member_a: Any
) -> None:
    museum, library = world["museum"], world["library"]
    assert _by(_board(affiliate_a).by_partner_type) == {"museum": 3, "library": 3}

    partner_services.update_organisation(
        actor=member_a, organisation=museum, partner_type="archive", country="FR"
    )
    board = _board(affiliate_a)
    assert _by(board.by_partner_type) == {"archive": 3, "library": 3}
    assert _by(board.by_region)["nwe"] == 3

    # Merging moves no partnership, but what the merge fills in shows too.
    twin = factories.organisation(affiliate_a, name="Library twin", country="BR")
    partner_services.update_organisation(actor=member_a, organisation=library, country="")
    assert _by(_board(affiliate_a).by_region)[reports.NONE_KEY] == 3
    partner_services.merge_organisations(actor=member_a, keep=library, duplicate=twin)
    assert reports.NONE_KEY not in _by(_board(affiliate_a).by_region)


def test_the_nightly_score_refresh_shows_on_the_next_view(
    world: dict[str, Any], affiliate_a: Any
) -> None:
    live = Partnership.objects.filter(affiliate=affiliate_a, archived_at=None)
    # Labels written outside the services (as the refresh writes them) before the board is
    # counted: it counts every partnership as strategic...
    Partnership.objects.filter(affiliate=affiliate_a).update(is_strategic=True)
    assert _board(affiliate_a).strategic == live.count()
    stamp = audit.latest_stamp(affiliate_a)
    # ...the refresh puts the right labels back and records an event, which moves the stamp,
    # so the next view counts again.
    assert scoring.refresh_scores(affiliate=affiliate_a)
    assert audit.latest_stamp(affiliate_a) != stamp
    assert _board(affiliate_a).strategic == live.filter(is_strategic=True).count() < live.count()


def test_a_refused_change_leaves_the_board_as_it_was(
    world: dict[str, Any], affiliate_a: Any, member_a: Any, affiliate_b: Any
) -> None:
    before = _board(affiliate_a)
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
    assert _board(affiliate_a) == before


def test_another_affiliates_changes_leave_the_board_cached(
    world: dict[str, Any],
    affiliate_a: Any,
    affiliate_b: Any,
    member_b: Any,
    django_assert_max_num_queries: Any,
) -> None:
    first = _board(affiliate_a)
    other = factories.partnership(affiliate_b, actor=member_b)
    services.update_partnership(actor=member_b, partnership=other, goals=["funding"])
    # The stamp and the cache entry: nothing counted again.
    with django_assert_max_num_queries(2):
        assert reports.dashboard(WHOLE, affiliate=affiliate_a) == first
    assert _board(affiliate_b).total == 1


def test_filtered_and_hub_boards_show_a_change_too(
    world: dict[str, Any], affiliate_a: Any, member_a: Any
) -> None:
    ps = world["ps"]
    museums = reports.ReportFilters(partner_type="museum")
    assert _board(affiliate_a, museums).total == 3
    services.set_partners(actor=member_a, partnership=ps[0], partners=[(world["museum"], "main")])
    assert _board(affiliate_a, museums).total == 4

    assert reports.dashboard(WHOLE, published_only=True).total == 0
    services.update_partnership(actor=member_a, partnership=ps[0], visibility="published")
    hub = reports.dashboard(WHOLE, published_only=True)
    assert hub == reports.count_dashboard(WHOLE, published_only=True)
    assert hub.total == 1 and _by(hub.by_affiliate) == {str(affiliate_a.pk): 1}


def test_the_dashboard_page_shows_a_change_and_writes_nothing_but_its_cache(
    world: dict[str, Any], affiliate_a: Any, member_a: Any, client_a: Any
) -> None:
    url = reverse("partnerships:dashboard", kwargs={"slug": affiliate_a.slug})
    assert client_a.get(url).context["board"].total == 6
    factories.partnership(affiliate_a, actor=member_a, partners=[(world["museum"], "main")])
    with CaptureQueriesContext(connection) as queries:
        response = client_a.get(url)
    assert response.context["board"].total == 7
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        or "FOR UPDATE" in q["sql"].upper()
    ]
    assert writes and all("hub_cache" in sql for sql in writes), writes
