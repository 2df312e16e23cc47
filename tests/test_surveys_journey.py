"""Create a survey, send it from a partnership, answer it from the e-mail's link on a phone
(with and without JavaScript), see the result on the partnership; in headless Chromium,
checked with axe-core."""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.db import connections
from playwright.sync_api import Browser, Page, ViewportSize, expect

from hub.core.models import User
from hub.surveys.delivery import deliver
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
TITLE = "Archive photo days"
PHONE: ViewportSize = {"width": 375, "height": 740}


@pytest.fixture
def journey_member() -> User:
    aff = factories.affiliate(name="Wikimedia Zeta", slug="zeta", country="SE")
    user = factories.member(aff, username="zoe", role="member")
    archive = factories.organisation(aff, actor=user, name="City Archive", partner_type="archive")
    for name in ("Ana Archivist", "Bo Curator"):
        factories.contact(archive, actor=user, name=name)
    factories.partnership(aff, actor=user, partners=[(archive, "main")], title=TITLE)
    return user


@pytest.fixture
def browser(live_server: Any, journey_member: User) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def _worker_delivers() -> None:
    try:
        deliver()
    finally:
        connections.close_all()


def _member_creates_and_sends(page: Page, base: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill("zoe")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Surveys").click()
    page.get_by_role("link", name="New survey").click()
    page.get_by_label(_label("Title")).fill("How did the photo days go?")
    page.get_by_role("button", name="Create").click()
    page.get_by_role("link", name="Add a question").click()
    page.get_by_label(_label("Kind of question")).select_option(label="Rating from 1 to 5")
    page.get_by_label(_label("Question"), exact=True).fill("How satisfied are you?")
    page.get_by_label(_label("Measures satisfaction")).check()
    page.get_by_label(_label("Question in French")).fill("Êtes-vous satisfait ?")
    _check_accessibility(page, "the question form")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Add a question").click()
    page.get_by_label(_label("Kind of question")).select_option(label="Free text")
    page.get_by_label(_label("Question"), exact=True).fill("What should we change?")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("main")).to_contain_text("What should we change?")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Partnerships").click()
    page.get_by_role("link", name=TITLE).first.click()
    page.get_by_role("link", name="See the surveys and send one").click()
    page.get_by_role("link", name="Send a survey").click()
    page.get_by_label(_label("Survey")).select_option(label="How did the photo days go?")
    _check_accessibility(page, "the send form")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("main")).to_contain_text("on its way to 2 people")


def _links_from_mail() -> list[str]:
    links = []
    for message in mail.outbox:
        found = re.search(r"https?://\S+/s/[^/\s]+/(?=\s)", str(message.body))
        assert found, message.body
        links.append(found.group(0))
    return links


def _partner_answers(page: Page, url: str, rating: str, text: str, *, check: bool) -> None:
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("How did the photo days go?")
    if check:
        _check_accessibility(page, "the answer form on a phone")
    page.get_by_role("group", name="How satisfied are you?").get_by_text(rating).click()
    page.get_by_role("textbox", name="What should we change?").fill(text)
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)


def test_survey_created_sent_answered_on_a_phone_and_seen(
    browser: Browser, live_server: Any
) -> None:
    _require(AXE_JS, "axe-core")
    base = live_server.url
    watch = Watch(origin=base)
    member_context = browser.new_context(locale="en")
    with_js = browser.new_context(locale="en", viewport=PHONE)
    without_js = browser.new_context(locale="en", viewport=PHONE, java_script_enabled=False)
    contexts = [member_context, with_js, without_js]
    try:
        for context in contexts:
            context.set_default_timeout(TIMEOUT_MS)
        member, phone, plain = (c.new_page() for c in contexts)
        for page in (member, phone, plain):
            page.on("request", watch.on_request)
            page.on("console", watch.on_console)
            page.on("pageerror", watch.on_page_error)
        mail.outbox.clear()
        _member_creates_and_sends(member, base)
        with ThreadPoolExecutor(max_workers=1) as worker:
            worker.submit(_worker_delivers).result(timeout=TIMEOUT_MS / 1000)
        # The e-mails name the Hub's address (HUB_SITE_URL); here it is the live server's.
        first, second = (base + urlsplit(link).path for link in _links_from_mail())
        _partner_answers(phone, first, "4", "More <b>time</b> for scanning.", check=True)
        _partner_answers(plain, second, "2", "Earlier dates.", check=False)
        member.get_by_role("link", name="See the partnership's survey results").click()
        main = member.get_by_role("main")
        expect(main).to_contain_text("Average satisfaction (1–5)")
        expect(main).to_contain_text("More <b>time</b> for scanning.")
        expect(member.locator("svg[role=img]").first).to_be_visible()
        _check_accessibility(member, "the survey results")
        nav = member.get_by_role("navigation", name="Main")
        nav.get_by_role("link", name="Partnerships").click()
        member.get_by_role("link", name=TITLE).first.click()
        expect(member.get_by_role("main")).to_contain_text("2 of 2 invited partners answered.")
        expect(member.get_by_role("main")).to_contain_text("Average satisfaction: 3.0 out of 5.")
    finally:
        for context in contexts:
            context.close()
    assert watch.foreign_requests == [], "the pages asked another host for something"
    assert watch.console_errors == [], "the browser console reported errors"
