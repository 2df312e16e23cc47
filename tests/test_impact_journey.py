"""Link a partnership's Commons category, refresh it, read the report and share it with the
partner, in headless Chromium against recorded wiki answers; checked with axe-core."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import time_machine
from django.db import connections
from playwright.sync_api import Browser, Page, expect

from hub.core.models import Affiliate, User
from hub.impact.models import RefreshRun
from hub.impact.refresh import run_refresh
from tests import factories, impact_source
from tests.impact_source import CATEGORY, sample_world
from tests.test_browser_journey import (
    AXE_JS,
    PASSWORD,
    TIMEOUT_MS,
    Watch,
    _check_accessibility,
    _label,
    _require,
    chromium,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# The day the recorded world's figures were fetched: its views cover 2026.
REFRESHED_ON = dt.datetime(2027, 1, 15, 9, 0, tzinfo=dt.UTC)
TITLE = "Nordic Museum images"


@pytest.fixture
def journey_member(settings: Any, monkeypatch: pytest.MonkeyPatch) -> User:
    settings.HUB_IMPACT_SOURCE = "tests.impact_source.RecordedSource"
    settings.HUB_IMPACT_CIM_CATEGORIES = ["none"]
    monkeypatch.setattr(impact_source, "WORLD", sample_world())
    aff: Affiliate = factories.affiliate(name="Wikimedia Epsilon", slug="epsilon", country="SE")
    user = factories.member(aff, username="erik", role="member")
    museum = factories.organisation(aff, actor=user, name="Nordic Museum", partner_type="museum")
    factories.partnership(aff, actor=user, partners=[(museum, "main")], title=TITLE)
    return user


@pytest.fixture
def browser(live_server: Any, journey_member: User) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def _run_queued_refresh() -> None:
    try:
        with time_machine.travel(REFRESHED_ON, tick=False):
            run_refresh(run_id=RefreshRun.objects.get().pk)
    finally:
        connections.close_all()


def _member_journey(page: Page, base: str) -> str:
    """Log in, link the category, refresh it, read the report; return the partner's link."""
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill("erik")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Partnerships").click()
    page.get_by_role("link", name=TITLE).first.click()
    expect(page.get_by_role("heading", level=2, name="Impact")).to_be_visible()
    page.get_by_role("link", name="See the impact and the partner report").click()

    page.get_by_role("link", name="Add content").click()
    page.get_by_label(_label("Kind of content")).select_option(label="Commons category")
    page.get_by_label(_label("Category or Wikidata item")).fill(f"Category:{CATEGORY}")
    page.get_by_label(_label("Subcategory depth")).fill("1")
    _check_accessibility(page, "the content link form")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("heading", level=3).filter(has_text=CATEGORY)).to_be_visible()

    page.get_by_role("button", name="Refresh now").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    # The worker's part, done here on the day the world was recorded; in a thread of its own,
    # as a worker would, since Playwright's event loop runs in this one.
    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(_run_queued_refresh).result(timeout=TIMEOUT_MS / 1000)
    page.goto(page.url)  # the status page reloads itself; do it now rather than wait
    page.get_by_role("link", name="Back to the impact page").click()

    main = page.get_by_role("main")
    expect(main).to_contain_text(
        "Your 150 files appear on 60 Wikipedia pages in 4 languages. 40 of them are in use."
    )
    expect(main).to_contain_text("were seen 72,000 times in 2026.")
    chart = page.locator("#chart-views svg[role=img]")
    expect(chart).to_be_visible()
    expect(chart.locator("title").first).to_have_text("Views per month, 2026")
    _check_accessibility(page, "the impact report")

    page.get_by_label(_label("Works for (days)")).fill("30")
    page.get_by_role("button", name="Create a report link").click()
    url = page.get_by_role("textbox", name="Report link", exact=True).first.input_value()
    assert "/impact/shared/" in url, url

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Impact").click()
    expect(page.get_by_role("main")).to_contain_text("Your 150 files appear on 60 Wikipedia pages")
    return url


def _partner_reads(page: Page, url: str) -> None:
    """Open the shared report as the partner would: no account, no cookies."""
    page.goto(url)
    main = page.get_by_role("main")
    expect(main).to_contain_text("Your 150 files appear on 60 Wikipedia pages")
    expect(page.locator("#chart-views svg[role=img]")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    _check_accessibility(page, "the partner's shared report")


def test_member_links_content_refreshes_and_shares_the_report(
    browser: Browser, live_server: Any
) -> None:
    _require(AXE_JS, "axe-core")
    base = live_server.url
    watch = Watch(origin=base)
    contexts = []
    try:
        for _who in ("member", "partner"):
            context = browser.new_context(locale="en")
            context.set_default_timeout(TIMEOUT_MS)
            contexts.append(context)
        member, partner = (c.new_page() for c in contexts)
        for page in (member, partner):
            page.on("request", watch.on_request)
            page.on("console", watch.on_console)
            page.on("pageerror", watch.on_page_error)
        url = _member_journey(member, base)
        _partner_reads(partner, url)
    finally:
        for context in contexts:
            context.close()
    assert watch.foreign_requests == [], "the pages asked another host for something"
    assert watch.console_errors == [], "the browser console reported errors"
