"""Walk a partnership from creation through its stages in headless Chromium, with and without
JavaScript: blocked once by the checklist guard, then passing; then an activity and an in-kind
contribution, seen on the dashboard and in the grant-report export; checked with axe-core."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from hub.core.models import Affiliate, User
from tests import factories
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

CHECKLIST = [
    "Responsibilities and roles of both partners",
    "Who has authority to decide",
    "Communication process",
    "Who pays",
    "Intellectual property and licences",
    "Exit strategy and what happens after the intense phase",
]


@pytest.fixture
def journey_member(settings: Any, tmp_path: Path) -> User:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    aff: Affiliate = factories.affiliate(name="Wikimedia Delta", slug="delta", country="CL")
    user = factories.member(aff, username="dora", role="member")
    factories.organisation(aff, actor=user, name="Museo del Tejido", partner_type="museum")
    factories.organisation(aff, actor=user, name="Embajada de Suecia", partner_type="embassy")
    return user


@pytest.fixture
def browser(live_server: Any, journey_member: User) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def _move(page: Page, button: str) -> None:
    page.get_by_role("button", name=button).click()


def _pick(page: Page, field: str, name: str) -> None:
    """Search the directory for a partner by name, through the server, and choose it."""
    page.get_by_label(_label(field)).fill(name)
    picker = page.locator(".field").filter(has=page.get_by_label(_label(field)))
    picker.get_by_role("button", name="Search").click()
    picker.get_by_role("radio", name=name).check()  # the locator finds the new page's field


def _journey(page: Page, base: str, *, js: bool, shots: Path) -> None:
    """Log in, start a partnership with two partners and walk it to active."""
    suffix = "js" if js else "nojs"
    title = f"Textiles on Commons ({suffix})"

    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill("dora")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Partnerships").click()
    expect(page.get_by_role("heading", level=1, name="Partnerships")).to_be_visible()
    if js:
        _check_accessibility(page, "the partnership list")
    page.get_by_role("main").get_by_role("link", name="Start a partnership").first.click()

    page.get_by_label(_label("Title")).fill(title)
    _pick(page, "Partner 1", "Museo del Tejido")
    page.get_by_label("Role of partner 1").select_option(label="Main partner")
    _pick(page, "Partner 2", "Embajada de Suecia")
    page.get_by_label("Role of partner 2").select_option(label="Funder")
    page.get_by_label("Content for Wikimedia projects").check()
    page.get_by_label("Content contribution").check()
    page.get_by_label(_label("Start date")).fill("2026-03-01")
    if js:
        _check_accessibility(page, "the partnership form")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    partners = page.get_by_role("table", name="Partners and their roles")
    expect(partners.get_by_role("row").filter(has_text="Museo del Tejido")).to_contain_text(
        "Main partner"
    )
    expect(partners.get_by_role("row").filter(has_text="Embajada de Suecia")).to_contain_text(
        "Funder"
    )

    for stage in ("First contact", "Concept note", "Negotiation", "Agreement"):
        _move(page, f"Move on to {stage}")
        expect(page.get_by_text(f"The partnership is now at the stage “{stage}”.")).to_be_visible()

    _move(page, "Move on to Active")  # the guard stops it: the checklist is open
    expect(page.get_by_role("alert")).to_contain_text(
        "every point of the agreement checklist is agreed"
    )
    for point in CHECKLIST:
        page.get_by_role("group", name=point).get_by_label("Status").select_option(label="Agreed")
    page.get_by_role("group", name="Intellectual property and licences").get_by_label(
        "What was agreed"
    ).fill("Photos under CC BY-SA 4.0")
    page.get_by_label("Agreement signed on").fill("2026-02-15")
    page.get_by_role("button", name="Save the checklist").click()
    expect(page.get_by_text("Agreement checklist saved.")).to_be_visible()
    expect(page.get_by_text("Every point is settled")).to_be_visible()

    _move(page, "Move on to Active")
    expect(page.get_by_text("The partnership is now at the stage “Active”.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Active")
    history = page.get_by_role("table", name="Stage history")
    expect(history.get_by_role("row").filter(has_text="Agreement → Active")).to_have_count(1)
    if js:
        _check_accessibility(page, "the partnership page")
    page.screenshot(path=shots / f"partnership-{suffix}.png", full_page=True)
    partnership_url = page.url.split("#")[0]

    # An activity and an in-kind contribution from the partnership page.
    page.get_by_role("main").get_by_role("link", name="Add activity").click()
    page.get_by_label(_label("Kind")).select_option(label="Edit-a-thon")
    page.get_by_label(_label("Title")).fill(f"Textile edit-a-thon ({suffix})")
    page.get_by_label(_label("Starts")).fill("2026-04-10")
    page.get_by_label(_label("Files uploaded")).fill("120")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Activity added.")).to_be_visible()
    page.goto(partnership_url)
    page.get_by_role("main").get_by_role("link", name="Record contribution").click()
    page.get_by_label("In kind", exact=True).check()
    page.get_by_label(_label("In-kind type")).select_option(label="Venue")
    page.get_by_label(_label("From partner")).select_option(label="Museo del Tejido")
    page.get_by_label(_label("Date")).fill("2026-04-10")
    page.get_by_label(_label("Description")).fill("Exhibition hall for the edit-a-thon")
    page.get_by_label(_label("Estimated value")).fill("800")
    page.get_by_label(_label("Currency")).fill("EUR")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Contribution recorded.")).to_be_visible()
    page.goto(partnership_url)
    expect(page.get_by_role("main")).to_contain_text(f"Textile edit-a-thon ({suffix})")

    # The dashboard counts it, and the grant-report export has its row.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    main = page.get_by_role("main")
    expect(main).to_contain_text("Active")
    expect(main).to_contain_text("800")
    if js:
        _check_accessibility(page, "the reports dashboard")
    href = main.get_by_role("link", name="CSV").get_attribute("href") or ""
    export = page.request.get(base + href)
    assert export.ok
    csv_text = export.text()
    assert title in csv_text
    assert "Museo del Tejido" in csv_text
    assert "120" in csv_text  # the activity's files uploaded, summed into the row


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("partnership-screenshots")


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_partnership_journey_through_the_stages(
    browser: Browser, live_server: Any, shots: Path, js: bool
) -> None:
    if js:
        _require(AXE_JS, "axe-core")
    base = live_server.url
    context = browser.new_context(java_script_enabled=js, locale="en")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    watch = Watch(origin=base)
    page.on("request", watch.on_request)
    page.on("console", watch.on_console)
    page.on("pageerror", watch.on_page_error)
    try:
        _journey(page, base, js=js, shots=shots)
    finally:
        context.close()
    assert watch.foreign_requests == [], "the pages asked another host for something"
    assert watch.console_errors == [], "the browser console reported errors"
