"""An edit-a-thon from its set-up to the partner's PDF, in headless Chromium, against the local
MediaWiki (a real MediaWiki 1.39, tests/localwiki.py); checked with axe-core.

A coordinator adds an edit-a-thon to a partnership, sets up its event (the local wiki, a window)
and opens the sign-up; two participants sign up through the public link on phones, one without
JavaScript (agreeing to be named), one with it (not named); the worker checks their usernames on
the wiki and, after "Count now", counts what they did there; the count page shows the figures,
the partnership and its activities show them with their source, and so does the PDF of the
report the partner is sent. The worker runs the queued tasks in between, as `make worker` would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Locator, Page, ViewportSize, expect

from hub.core.models import User
from hub.wikimedia.http import reset_sessions
from tests import factories
from tests.event_wiki import create_users, import_revisions, upload_files
from tests.impact_fixtures import pdf_text
from tests.localwiki import LocalWiki
from tests.test_browser_journey import (
    AXE_JS,
    PASSWORD,
    ROOT,
    TIMEOUT_MS,
    Watch,
    _check_accessibility,
    _label,
    _require,
    chromium,
)
from tests.test_newcomer_journeys import DATABASE_QUEUE, _run_queued_tasks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = ROOT / "var" / "screenshots" / "events-journey"
PHONE: ViewportSize = {"width": 375, "height": 740}
PARTNERSHIP = "Women in science at the Nordic Museum"
ACTIVITY = "WikiGap at the museum"
ADA = "Journey Ada"  # signs up without JavaScript and is named
BO = "Journey Bo"  # signs up with JavaScript and is not named
# What they wrote on the wiki the day before the coordinator counts: Ada a new article and a
# photo, Bo a paragraph added to an older article.
ADA_ARTICLE = "Journey Ada's article"
ADA_TEXT = "Hedvig Lindgren was a Swedish botanist. " * 5
BO_ARTICLE = "Journey older article"
OLD_TEXT = "An older article. " * 4
BO_ADDED = " Bo added a paragraph about her herbarium."


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    _require(AXE_JS, "axe-core")
    with pytest.MonkeyPatch.context() as patch:
        # Playwright's sync API keeps an event loop in this thread; the database calls here
        # (the fixtures, the worker, the flush after the test) are synchronous all the same.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with chromium() as launched:
            yield launched


@pytest.fixture
def world(local_wiki: LocalWiki, settings: Any) -> Iterator[dict[str, Any]]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.HUB_ALLOWED_PRIVATE_WIKIS = [local_wiki.base_url]
    settings.TASKS = DATABASE_QUEUE
    # The worker runs what the pages queue; its schedule (the daily re-count among others)
    # would count the event before the coordinator asks to: not this journey's subject.
    settings.HUB_SCHEDULER = False
    reset_sessions()
    yesterday = timezone.now() - dt.timedelta(days=1)
    create_users(local_wiki, {ADA: dt.datetime(2020, 1, 1, tzinfo=dt.UTC), BO: yesterday})
    import_revisions(
        local_wiki,
        {
            ADA_ARTICLE: [(yesterday, ADA, ADA_TEXT, "New article #WikiGap")],
            BO_ARTICLE: [
                (dt.datetime(2025, 1, 1, tzinfo=dt.UTC), "Admin", OLD_TEXT, "old"),
                (yesterday + dt.timedelta(hours=1), BO, OLD_TEXT + BO_ADDED, "herbarium"),
            ],
        },
    )
    upload_files(local_wiki, ADA, yesterday, ["Journey herbarium sheet.png"])
    affiliate = factories.affiliate(name="Wikimedia Eta", slug="eta", country="SE")
    member: User = factories.member(affiliate, username="ebba", role="member")
    museum = factories.organisation(
        affiliate, actor=member, name="Nordic Museum", partner_type="museum"
    )
    factories.partnership(affiliate, actor=member, partners=[(museum, "main")], title=PARTNERSHIP)
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield {"wiki": local_wiki}
    reset_sessions()


def _row(table: Locator, text: str) -> Locator:
    return table.get_by_role("row").filter(has_text=text)


def _coordinator_sets_up(page: Page, base: str, wiki: LocalWiki) -> str:
    """Log in, add the edit-a-thon, set up its event, open the sign-up; return the link."""
    today = timezone.localdate()
    starts, ends = today - dt.timedelta(days=3), today + dt.timedelta(days=1)
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill("ebba")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Partnerships").click()
    page.get_by_role("link", name=PARTNERSHIP).first.click()
    page.get_by_role("link", name="All 0 activities").click()
    page.get_by_role("link", name="Add activity").click()
    page.get_by_label(_label("Kind")).select_option(label="Edit-a-thon")
    page.get_by_label(_label("Title")).fill(ACTIVITY)
    page.get_by_label(_label("Starts")).fill(starts.isoformat())
    page.get_by_label(_label("Ends")).fill(ends.isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Activities of {PARTNERSHIP}")

    page.get_by_role("link", name="Set up the event").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Event settings of {ACTIVITY}")
    page.get_by_label(_label("Wikis")).fill(wiki.base_url)
    page.get_by_label(_label("Starts")).fill(f"{starts.isoformat()}T09:00")
    page.get_by_label(_label("Ends")).fill(f"{ends.isoformat()}T18:00")
    _check_accessibility(page, "the event settings")
    page.screenshot(path=SHOTS / "event-settings.png", full_page=True)
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Participants of {ACTIVITY}")
    expect(page.get_by_role("main")).to_contain_text("Sign-up is closed")
    page.get_by_role("button", name="Open sign-up").click()
    expect(page.get_by_role("main")).to_contain_text("Sign-up is open.")
    link = page.get_by_role("textbox", name="Sign-up link").input_value()
    assert "/signup/" in link, link
    # The page names the Hub's address (HUB_SITE_URL); here it is the live server's.
    return base + urlsplit(link).path


def _participant_signs_up(page: Page, url: str, name: str, *, show: bool, js: bool) -> None:
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Sign up for {ACTIVITY}")
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    suffix = "js" if js else "nojs"
    if js:
        _check_accessibility(page, "the sign-up page on a phone")
    # Typed as people do: with a "User:" prefix and underscores.
    page.get_by_label(_label("Your Wikimedia username")).fill("User:" + name.replace(" ", "_"))
    page.get_by_label("I agree to my contributions being counted").check()
    if show:
        page.get_by_label("My username may be shown publicly").check()
    page.screenshot(path=SHOTS / f"signup-phone-{suffix}.png", full_page=True)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    main = page.get_by_role("main")
    expect(main).to_contain_text(f"{name} takes part in {ACTIVITY}.")
    expect(main).to_contain_text(
        "may be shown with the event's results" if show else "will not be shown publicly"
    )
    expect(main.locator("a[href*='/withdraw/']")).to_have_count(1)
    page.screenshot(path=SHOTS / f"signed-up-phone-{suffix}.png", full_page=True)


def _coordinator_counts(page: Page) -> None:
    """See the two participants checked on the wiki, count, and read the figures."""
    page.reload()
    people = page.get_by_role("table", name="Participants by username")
    for name, shown in ((ADA, "yes"), (BO, "no")):
        row = _row(people, name)
        expect(row).to_have_count(1)
        expect(row).to_contain_text("Exists")
        expect(row).to_contain_text("Signed up")
        expect(row.get_by_role("cell").nth(4)).to_have_text(shown)
    _check_accessibility(page, "the participants")
    page.screenshot(path=SHOTS / "participants.png", full_page=True)

    page.get_by_role("link", name="Counted outputs").click()
    expect(page.get_by_role("main")).to_contain_text("Not counted yet.")
    page.get_by_role("button", name="Count now").click()
    expect(page.get_by_role("status")).to_have_text("Queued")
    _run_queued_tasks()
    page.reload()  # the page reloads itself every few seconds while counting; do it now
    expect(page.get_by_role("button", name="Count now")).to_be_visible()
    totals = page.get_by_role("table", name="All the event's wikis")
    expected = {
        "Participants": "2",
        "Edits": "3",  # Ada's article and her photo's page, Bo's edit
        "Articles created": "1",
        "Articles improved": "1",
        "Files uploaded": "1",
        "Bytes added": f"{len(ADA_TEXT) + len(BO_ADDED):,}",
        "New editors": "1",  # Bo's account is a day old
    }
    for label, value in expected.items():
        row = totals.get_by_role("row").filter(
            has=page.get_by_role("rowheader", name=label, exact=True)
        )
        expect(row.get_by_role("cell").first).to_have_text(value)
        expect(row.get_by_role("cell").nth(1)).to_contain_text("Counted from the wikis: ")
    _check_accessibility(page, "the count page")
    page.screenshot(path=SHOTS / "count.png", full_page=True)


def _coordinator_sees_the_outputs(page: Page) -> str:
    """See the counted outputs on the partnership and its activities; return the partner's
    report link."""
    counted_on = f"Counted from the wikis, {timezone.localdate().isoformat()}"
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Partnerships").click()
    page.get_by_role("link", name=PARTNERSHIP).first.click()
    section = page.get_by_role("region", name="Activities")
    summed = section.get_by_role("list", name="Outputs of all activities")
    for figure in ("3 Edits", "1 Articles created", "1 Files uploaded", "2 Participants"):
        expect(summed.get_by_role("listitem").filter(has_text=figure)).to_contain_text(counted_on)
    expect(section).to_contain_text(ACTIVITY)
    _check_accessibility(page, "the partnership page")
    page.screenshot(path=SHOTS / "partnership.png", full_page=True)

    section.get_by_role("link", name="All 1 activity").click()
    row = _row(page.get_by_role("table"), ACTIVITY)
    outputs = row.get_by_role("listitem")
    expect(outputs).to_have_count(1)  # one provenance: everything was counted the same day
    for figure in ("Participants: 2", "Edits: 3", "Articles created: 1", "Files uploaded: 1"):
        expect(outputs).to_contain_text(figure)
    expect(outputs).to_contain_text(f"({counted_on})")
    _check_accessibility(page, "the activities with counted outputs")
    page.screenshot(path=SHOTS / "activities.png", full_page=True)

    nav.get_by_role("link", name="Partnerships").click()
    page.get_by_role("link", name=PARTNERSHIP).first.click()
    page.get_by_role("link", name="See the impact and the partner report").click()
    outputs_table = page.get_by_role("region", name="Activities and their outputs")
    expect(_row(outputs_table, ACTIVITY)).to_contain_text("Edits: 3")
    page.get_by_label(_label("Works for (days)")).fill("30")
    page.get_by_role("button", name="Create a report link").click()
    url = page.get_by_role("textbox", name="Report link", exact=True).first.input_value()
    assert "/impact/shared/" in url, url
    return url


def _partner_reads_the_pdf(page: Page, url: str, base: str) -> None:
    """Open the report as the partner would (no account), and its PDF."""
    page.goto(base + urlsplit(url).path)
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    outputs = page.get_by_role("region", name="Activities and their outputs")
    expect(_row(outputs, ACTIVITY)).to_contain_text("Edits: 3")
    _check_accessibility(page, "the partner's report")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    path = download.value.path()
    text = pdf_text(Path(path).read_bytes())
    assert "Activities and their outputs" in text, text
    assert ACTIVITY in text, text
    day = timezone.localdate().isoformat()
    for label, value in (("Edits", 3), ("Articles created", 1), ("Files uploaded", 1)):
        assert f"{label} {value} Counted from the wikis, {day}" in text, text


def _signup_in_arabic(context: BrowserContext, url: str) -> None:
    page = context.new_page()
    page.goto(url)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    _check_accessibility(page, "the sign-up page in Arabic")
    page.screenshot(path=SHOTS / "signup-phone-ar.png", full_page=True)


def test_an_editathon_is_set_up_signed_up_for_counted_and_reported(
    browser: Browser, live_server: Any, world: dict[str, Any]
) -> None:
    base = live_server.url
    watch = Watch(origin=base)
    contexts = [
        browser.new_context(locale="en"),  # the coordinator
        browser.new_context(locale="en", viewport=PHONE, java_script_enabled=False),  # Ada
        browser.new_context(locale="en", viewport=PHONE),  # Bo
        browser.new_context(locale="en", accept_downloads=True),  # the partner
        browser.new_context(locale="ar", viewport=PHONE),  # someone reading Arabic
    ]
    try:
        for context in contexts:
            context.set_default_timeout(TIMEOUT_MS)
        coordinator, plain, phone, partner = (c.new_page() for c in contexts[:4])
        for page in (coordinator, plain, phone, partner):
            page.on("request", watch.on_request)
            page.on("console", watch.on_console)
            page.on("pageerror", watch.on_page_error)
        signup_url = _coordinator_sets_up(coordinator, base, world["wiki"])
        _participant_signs_up(plain, signup_url, ADA, show=True, js=False)
        _participant_signs_up(phone, signup_url, BO, show=False, js=True)
        _signup_in_arabic(contexts[4], signup_url)
        _run_queued_tasks()  # the usernames are checked on the wiki
        _coordinator_counts(coordinator)
        report_url = _coordinator_sees_the_outputs(coordinator)
        _partner_reads_the_pdf(partner, report_url, base)
    finally:
        for context in contexts:
            context.close()
    assert watch.foreign_requests == [], "the pages asked another host for something"
    assert watch.console_errors == [], "the browser console reported errors"
