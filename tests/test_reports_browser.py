"""The money and reports pages in headless Chromium: accessible, charts drawn, no JavaScript."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from hub.partnerships.activities import services as activities
from tests import factories
from tests.test_browser_journey import (
    AXE_JS,
    PASSWORD,
    _check_accessibility,
    _require,
    chromium,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded() -> dict[str, Any]:
    aff = factories.affiliate(name="Wikimedia Delta", slug="delta", country="SE")
    member = factories.member(aff, username="dora", role="manager")
    museum = factories.organisation(aff, name="Nordic Museum", partner_type="museum", country="SE")
    library = factories.organisation(aff, name="City Library", partner_type="library", country="NO")
    p = factories.partnership(
        aff,
        title="WikiGap 2026",
        partners=[(museum, "main"), (library, "venue_host")],
        stage="active",
        start_date=dt.date(2025, 3, 1),
        goal_content=True,
        gives_knowledge=True,
    )
    for i, (kind, t) in enumerate(
        [("in_kind", "venue"), ("in_kind", "catering"), ("financial", ""), ("in_kind", "prizes")]
    ):
        activities.add_contribution(
            actor=None,
            partnership=p,
            organisation=[museum, library][i % 2],
            kind=kind,
            in_kind_type=t,
            received_on=dt.date(2025 + i % 2, 3, 8),
            amount=Decimal(1500 * (i + 1)),
            currency=["EUR", "SEK", "EUR", "NOK"][i],
        )
    activities.set_exchange_rate(
        actor=None, affiliate=aff, currency="SEK", year=2025, rate=Decimal("0.087")
    )
    activities.create_activity(
        actor=None,
        partnership=p,
        kind="editathon",
        title="WikiGap edit-a-thon",
        starts_on=dt.date(2026, 3, 8),
        articles_created=25,
        participants=40,
        partners=[museum],
    )
    return {"member": member, "partnership": p}


@pytest.fixture
def browser(live_server: Any, seeded: dict[str, Any]) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_money_and_report_pages_are_accessible_and_work_without_javascript(
    browser: Browser, live_server: Any, seeded: dict[str, Any], js: bool, tmp_path: Any
) -> None:
    if js:
        _require(AXE_JS, "axe-core")
    base = live_server.url
    pk = seeded["partnership"].pk
    page = browser.new_context(java_script_enabled=js, locale="en").new_page()
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill("dora")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=1, name="Reports")).to_be_visible()
    expect(page.get_by_role("img", name="Partnerships by stage")).to_be_visible()
    pages = {
        "dashboard": "/a/delta/reports/",
        "in-kind": "/a/delta/reports/in-kind/",
        "contributions": f"/a/delta/partnerships/{pk}/contributions/",
        "contribution-form": f"/a/delta/partnerships/{pk}/contributions/new/",
        "activities": f"/a/delta/partnerships/{pk}/activities/",
        "activity-form": f"/a/delta/partnerships/{pk}/activities/new/",
        "rates": "/a/delta/rates/",
    }
    for name, path in pages.items():
        page.goto(base + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        if js:
            _check_accessibility(page, name)
        page.screenshot(path=tmp_path / f"{name}-{'js' if js else 'nojs'}.png", full_page=True)

    # Record an in-kind contribution and see it in the in-kind summary, without JavaScript too.
    page.goto(f"{base}/a/delta/partnerships/{pk}/contributions/new/")
    page.get_by_label("In kind").check()
    page.get_by_label("In-kind type").select_option(label="Transport")
    page.get_by_label("From partner").select_option(label="City Library")
    page.get_by_label("Estimated value").fill("-4")
    page.get_by_label("Currency").fill("eur")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The value cannot be negative.")).to_be_visible()
    page.get_by_label("Estimated value").fill("400")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Contribution recorded.")).to_be_visible()
    page.goto(f"{base}/a/delta/reports/in-kind/")
    expect(
        page.get_by_role("img", name="In-kind support by type, all years, in EUR")
    ).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Transport")
