"""Open the partner portal from its link on a phone, correct a contact, and the coordinator
approves it; with and without JavaScript, in headless Chromium, checked with axe-core."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connections
from playwright.sync_api import Browser, Page, ViewportSize, expect

from hub.core.models import Affiliate, User
from hub.partners.models import Contact
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
PHONE: ViewportSize = {"width": 375, "height": 740}


@pytest.fixture
def journey_member(db: None) -> User:
    aff: Affiliate = factories.affiliate(name="Wikimedia Zeta", slug="zeta", country="SE")
    user = factories.member(aff, username="zoe", role="member")
    museum = factories.organisation(aff, actor=user, name="Harbour Museum", partner_type="museum")
    factories.contact(museum, actor=user, name="Hanna Harbour", emails="hanna@harbour.example")
    partnership = factories.partnership(
        aff, actor=user, partners=[(museum, "main")], title="Harbour photos", stage="active"
    )
    partnership.responsible.add(user)
    return user


@pytest.fixture
def browser(live_server: Any, journey_member: User) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def _contact_details() -> tuple[str, str]:
    try:
        contact = Contact.objects.get(name="Hanna Harbour")
        return contact.role, contact.phone
    finally:
        connections.close_all()


def _log_in(page: Page, base: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill("zoe")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _create_link(page: Page, base: str) -> str:
    """Open the organisation's page and create its portal link; return the link's path."""
    page.goto(f"{base}/a/zeta/organisations/")
    page.get_by_role("link", name="Harbour Museum").first.click()
    page.get_by_role("button", name="Create a portal link").click()
    url = page.get_by_role("textbox", name="Portal link").input_value()
    assert "/p/" in url, url
    _check_accessibility(page, "the organisation page with its portal link")
    return url[url.index("/p/") :]


def _partner_corrects(page: Page, base: str, path: str, *, axe: bool) -> None:
    """Open the portal as the partner would (no account), correct a contact's details.

    axe-core runs as JavaScript in the page: without JavaScript the pages are not checked
    (the run with JavaScript checks the same pages).
    """
    page.goto(base + path)
    main = page.get_by_role("main")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Harbour Museum")
    expect(main).to_contain_text("Harbour photos")
    expect(main).to_contain_text("zoe")  # who to contact
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    if axe:
        _check_accessibility(page, "the partner portal")
    page.get_by_role("link", name="Correct Hanna Harbour").click()
    page.get_by_label(_label("Role")).fill("Head of photography")
    page.get_by_label(_label("Phone")).fill("+46 31 555 12")
    if axe:
        _check_accessibility(page, "the correction form")
    page.get_by_role("button", name="Send the correction").click()
    expect(page.get_by_role("status")).to_contain_text("will check your correction")
    expect(page.get_by_role("main")).to_contain_text("1 correction is waiting for approval")
    # The page fits a phone: nothing wider than the screen.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width


def _member_approves(page: Page, base: str) -> None:
    page.goto(f"{base}/a/zeta/organisations/")
    page.get_by_role("link", name="Harbour Museum").first.click()
    page.get_by_role("link", name="1 correction from the partner waits for approval").click()
    main = page.get_by_role("main")
    expect(main).to_contain_text("Head of photography")
    _check_accessibility(page, "the corrections queue")
    page.get_by_role("button", name="Approve and apply").click()
    expect(page.get_by_role("status")).to_contain_text("The correction was applied.")
    expect(main).to_contain_text("No correction is waiting.")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_partner_corrects_a_contact_from_the_portal_and_the_coordinator_approves(
    browser: Browser, live_server: Any, javascript: bool
) -> None:
    _require(AXE_JS, "axe-core")
    base = live_server.url
    watch = Watch(origin=base)
    member_context = browser.new_context(locale="en")
    partner_context = browser.new_context(
        locale="en", viewport=PHONE, java_script_enabled=javascript
    )
    try:
        for context in (member_context, partner_context):
            context.set_default_timeout(TIMEOUT_MS)
        member, partner = member_context.new_page(), partner_context.new_page()
        for page in (member, partner):
            page.on("request", watch.on_request)
            page.on("console", watch.on_console)
            page.on("pageerror", watch.on_page_error)
        _log_in(member, base)
        path = _create_link(member, base)
        _partner_corrects(partner, base, path, axe=javascript)
        _member_approves(member, base)
        # The database is read in a thread of its own: Playwright's event loop runs in this one.
        with ThreadPoolExecutor(max_workers=1) as reader:
            role, phone = reader.submit(_contact_details).result(timeout=TIMEOUT_MS / 1000)
        assert (role, phone) == ("Head of photography", "+46 31 555 12")
        partner.goto(base + path)
        expect(partner.get_by_role("main")).to_contain_text("Head of photography")
    finally:
        member_context.close()
        partner_context.close()
    assert watch.foreign_requests == [], "the pages asked another host for something"
    assert watch.console_errors == [], "the browser console reported errors"
