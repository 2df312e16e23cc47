"""What a newcomer met, walked again in headless Chromium on a 375-px phone screen.

The helpdesk's e-mailed status link points at the port the Hub runs on; a partnership whose
content was never measured says so instead of showing zeros, and its shared report greets the
partner; the checklist guard is said once, at the top; hub-wide pages keep the affiliate's menu
and hub staff land on the helpdesk queue; the partner picker works with and without JavaScript.
Every page is photographed (the folder is printed), checked for sideways scrolling and, with
JavaScript on, with axe-core.
"""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from hub.core.models import Affiliate
from hub.impact import services as impact_services
from hub.partnerships.models import Partnership, Stage
from tests import factories, impact_source
from tests import helpdesk_factories as hd
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
from tests.test_phone_width import WIDER_THAN_SCREEN

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
PHONE: ViewportSize = {"width": 375, "height": 812}
GUARD = "every point of the agreement checklist is agreed"
NO_AFFILIATE = "does not belong to an affiliate"
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Start one Chromium for the whole module."""
    _require(AXE_JS, "axe-core")
    with pytest.MonkeyPatch.context() as patch:
        # Playwright's sync API keeps an event loop in this thread while the browser runs, and
        # Django refuses database calls from a thread with a loop. The calls here (the fixtures,
        # the flush after each test, the queue worker) are plain synchronous ones all the same.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with chromium() as launched:
            yield launched


@pytest.fixture(scope="module")
def shots() -> Path:
    folder = ROOT / "var" / "screenshots" / "newcomer-journeys"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return folder


class Phone:
    """Browser tabs on a 375-px screen; each page looked at is photographed and measured."""

    def __init__(self, browser: Browser, base: str, shots: Path) -> None:
        self.browser = browser
        self.base = base
        self.shots = shots
        self.watch = Watch(origin=base)
        self.contexts: list[BrowserContext] = []
        self.too_wide: dict[str, Any] = {}

    def open(self, *, js: bool = True) -> Page:
        context = self.browser.new_context(viewport=PHONE, java_script_enabled=js, locale="en")
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        page.on("request", self.watch.on_request)
        page.on("console", self.watch.on_console)
        page.on("pageerror", self.watch.on_page_error)
        return page

    def log_in(self, page: Page, username: str) -> None:
        page.goto(f"{self.base}/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()

    def look(self, page: Page, name: str, *, axe: bool = True) -> None:
        """Photograph the page, note whether it scrolls sideways, check it with axe-core."""
        page.screenshot(path=self.shots / f"{name}-375px.png", full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            self.too_wide[name] = (width, page.evaluate(WIDER_THAN_SCREEN))
        if axe:
            _check_accessibility(page, name)

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        self.contexts = []

    def finish(self) -> None:
        """Close the tabs; no page was wider than the screen or asked another host."""
        self.close()
        print(f"375-px screenshots in {self.shots}")
        assert not self.too_wide, f"wider than a 375-px screen: {self.too_wide}"
        assert self.watch.foreign_requests == [], "the pages asked another host for something"
        assert self.watch.console_errors == [], "the browser console reported errors"


@pytest.fixture
def phone(browser: Browser, live_server: Any, shots: Path, settings: Any) -> Iterator[Phone]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    tabs = Phone(browser, live_server.url, shots)
    yield tabs
    tabs.close()


def _run_queued_tasks() -> None:
    """Run what waits in the task queue with the worker, as `make worker` does, then stop."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("run_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


# 1. The helpdesk's e-mails link to the port the Hub runs on.


def test_the_emailed_status_link_opens_the_request_on_this_hub(phone: Phone, settings: Any) -> None:
    settings.SITE_URL = phone.base  # as `make run` sets HUB_SITE_URL from its PORT
    settings.TASKS = DATABASE_QUEUE
    factories.affiliate(name="Wikimedia Delta", slug="delta", country="CL")
    page = phone.open()

    page.goto(f"{phone.base}/login/")
    page.get_by_role("link", name="Ask the helpdesk").click()
    page.get_by_label(_label("Your name")).fill("Rosa Example")
    page.get_by_label(_label("Your e-mail address")).fill("rosa@example.org")
    page.get_by_label(_label("Your affiliate")).select_option(label="Wikimedia Delta")
    page.get_by_label(_label("Country")).select_option(label="Chile")
    page.get_by_label(_label("The partner")).fill("Museo de la Memoria")
    page.get_by_label("Images").check()
    page.get_by_label(_label("What do you need help with?")).fill(
        "Upload 2,000 photographs of the museum's archive with their metadata."
    )
    page.get_by_label("I agree that the Hub stores").check()
    phone.look(page, "helpdesk-form")
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("your request is sent")
    phone.look(page, "helpdesk-sent")

    assert mail.outbox == []  # the confirmation waits in the task queue for a worker
    _run_queued_tasks()
    (confirmation,) = [m for m in mail.outbox if "rosa@example.org" in m.to[0]]
    body = str(confirmation.body)
    links = re.findall(r"https?://\S+/helpdesk/status/\S+", body)
    assert len(links) == 1, body
    assert urlsplit(links[0]).netloc == urlsplit(phone.base).netloc, links[0]

    page.goto(links[0])
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your request HD-")
    expect(page.get_by_role("main")).to_contain_text("Museo de la Memoria")
    phone.look(page, "helpdesk-status-from-email")
    phone.finish()


# 3. Impact with no figures yet.


@pytest.fixture
def unmeasured(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Partnership:
    """Return a partnership with a Commons category linked and never refreshed."""
    settings.HUB_IMPACT_SOURCE = "tests.impact_source.RecordedSource"
    settings.HUB_IMPACT_CIM_CATEGORIES = ["none"]
    settings.TASKS = DATABASE_QUEUE  # no worker runs: the refresh stays queued
    monkeypatch.setattr(impact_source, "WORLD", sample_world())
    aff: Affiliate = factories.affiliate(name="Wikimedia Epsilon", slug="epsilon", country="SE")
    user = factories.member(aff, username="erik", role="member")
    museum = factories.organisation(aff, actor=user, name="Nordic Museum", partner_type="museum")
    partnership = factories.partnership(
        aff, actor=user, partners=[(museum, "main")], title="Nordic Museum images"
    )
    impact_services.add_content_link(
        actor=user, partnership=partnership, kind="commons_category", target=CATEGORY, depth=1
    )
    return partnership


def test_content_never_measured_says_so_and_the_partner_is_greeted(
    phone: Phone, unmeasured: Partnership
) -> None:
    page = phone.open()
    phone.log_in(page, "erik")
    page.goto(f"{phone.base}/a/epsilon/partnerships/{unmeasured.pk}/")
    page.get_by_role("link", name="See the impact and the partner report").click()
    main = page.get_by_role("main")
    expect(main).to_contain_text(re.compile(r"Not measured yet: the next refresh runs by \w+"))
    expect(page.locator("ul.counts")).to_have_count(0)  # no boxes, and so no "0" in one
    expect(main.locator("strong", has_text=re.compile(r"^0$"))).to_have_count(0)
    phone.look(page, "impact-not-measured")

    page.get_by_label(_label("Works for (days)")).fill("30")
    page.get_by_role("button", name="Create a report link").click()
    url = page.get_by_role("textbox", name="Report link", exact=True).first.input_value()
    assert url.startswith(f"{phone.base}/impact/shared/"), url
    phone.look(page, "impact-with-report-link")

    partner = phone.open()  # no account, no cookies
    partner.goto(url)
    shared = partner.get_by_role("main")
    expect(shared).to_contain_text("Dear Nordic Museum,")
    expect(shared).to_contain_text("Wikimedia Epsilon sends you this report")
    expect(shared).to_contain_text("Not measured yet")
    expect(partner.locator("ul.counts")).to_have_count(0)
    phone.look(partner, "impact-shared-report")
    phone.finish()


# 4. The stage guard.


def test_the_checklist_guard_is_said_once_at_the_top(phone: Phone) -> None:
    aff = factories.affiliate(name="Wikimedia Delta", slug="delta", country="CL")
    user = factories.member(aff, username="dora", role="member")
    museum = factories.organisation(aff, actor=user, name="Museo del Tejido")
    p = factories.partnership(
        aff, actor=user, partners=[(museum, "main")], title="Textiles", stage=Stage.AGREEMENT
    )
    page = phone.open()
    phone.log_in(page, "dora")
    page.goto(f"{phone.base}/a/delta/partnerships/{p.pk}/")

    def said_once_at_the_top() -> None:
        expect(page.get_by_text(GUARD)).to_have_count(1)
        notice = page.locator("#stage-blocked")
        box = notice.bounding_box()
        summary = page.locator("#summary-h").bounding_box()
        assert box and summary and box["y"] < summary["y"], (box, summary)
        assert box["y"] + box["height"] <= PHONE["height"], "the notice is below the fold"
        expect(notice.get_by_role("link", name="Review the agreement checklist")).to_be_visible()
        blocked = page.get_by_role("button", name="Move on to Active")
        expect(blocked).to_have_class(re.compile(r"\bsecondary\b"))
        expect(blocked).to_have_attribute("aria-describedby", "stage-blocked")

    said_once_at_the_top()
    phone.look(page, "stage-guard")

    page.get_by_role("button", name="Move on to Active").click()  # refused
    expect(page.get_by_role("alert")).to_contain_text(GUARD)
    said_once_at_the_top()
    phone.look(page, "stage-guard-refused")
    page.get_by_role("link", name="Review the agreement checklist").click()
    expect(page.get_by_role("heading", level=2, name="Agreement checklist")).to_be_in_viewport()
    p.refresh_from_db()
    assert p.stage == Stage.AGREEMENT
    phone.finish()


# 6. Navigation on hub-wide pages, and where hub staff land.


def test_hub_wide_pages_keep_the_affiliate_menu_and_staff_land_on_the_queue(
    phone: Phone,
) -> None:
    aff = factories.affiliate(name="Wikimedia Zeta", slug="zeta", country="DE")
    member = factories.member(aff, username="zoe", role="member")
    staff = hd.staff("hedda")
    request, _item = hd.approved_request(staff)
    group = hd.working_group(staff, request, lead=member)

    page = phone.open()
    phone.log_in(page, "zoe")
    menu = page.get_by_role("navigation", name="Main")
    hub_wide = {
        "community": "/community/",
        "notifications": "/notifications/",
        "account": "/account/",
        "working-group": f"/groups/{group.pk}/",
    }
    for name, path in hub_wide.items():
        page.goto(phone.base + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect(menu.get_by_role("link", name="Partnerships")).to_have_attribute(
            "href", "/a/zeta/partnerships/"
        )
        expect(menu.get_by_role("link", name="My work")).to_be_visible()
        expect(page.get_by_role("banner")).to_contain_text("Wikimedia Zeta")
        phone.look(page, f"menu-{name}")
    menu.get_by_role("link", name="Partnerships").click()
    expect(page.get_by_role("heading", level=1, name="Partnerships")).to_be_visible()

    staff_page = phone.open()
    phone.log_in(staff_page, "hedda")
    expect(staff_page.get_by_role("heading", level=1)).to_have_text("Helpdesk")
    assert urlsplit(staff_page.url).path == "/helpdesk/"
    expect(staff_page.get_by_text(NO_AFFILIATE)).to_have_count(0)
    phone.look(staff_page, "staff-landing")
    phone.finish()


# 9. The organisation picker, with and without JavaScript.


@pytest.fixture
def directory() -> Affiliate:
    aff = factories.affiliate(name="Wikimedia Eta", slug="eta", country="PE")
    user = factories.member(aff, username="elena", role="member")
    factories.organisation(aff, actor=user, name="Museo de Arte", city="Lima")
    factories.organisation(aff, actor=user, name="Museo de Historia Natural", city="Cusco")
    factories.organisation(aff, actor=user, name="Biblioteca Nacional", city="Lima")
    return aff


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_a_partner_is_found_by_search_and_saved(
    phone: Phone, directory: Affiliate, js: bool
) -> None:
    suffix = "js" if js else "nojs"
    title = f"Edit-a-thon at the museum ({suffix})"
    page = phone.open(js=js)
    phone.log_in(page, "elena")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Partnerships").click()
    page.get_by_role("main").get_by_role("link", name="Start a partnership").first.click()
    page.get_by_label(_label("Title")).fill(title)
    phone.look(page, f"picker-empty-{suffix}", axe=js)

    search = page.get_by_label(_label("Partner 1"))
    choice = page.get_by_role("radio", name="Museo de Arte (Lima)")
    if js:
        with page.expect_response(re.compile(r"/a/eta/organisations/suggest/\?q=")) as answer:
            search.press_sequentially("museo")
        assert answer.value.ok
        expect(page.get_by_role("radio", name="Museo de Historia Natural (Cusco)")).to_be_visible()
        expect(page.get_by_role("radio", name="Biblioteca Nacional (Lima)")).to_have_count(0)
        expect(page.get_by_role("status").filter(has_text="museo")).to_be_visible()
    else:
        search.fill("museo")
        page.locator(".picker").first.get_by_role("button", name="Search").click()
        expect(
            page.get_by_text("Choose one of the organisations found for “museo”")
        ).to_be_visible()
        expect(page.get_by_label(_label("Title"))).to_have_value(title)  # kept
    phone.look(page, f"picker-matches-{suffix}", axe=js)
    choice.check()
    page.get_by_label("Role of partner 1").select_option(label="Main partner")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    partners = page.get_by_role("table", name="Partners and their roles")
    expect(partners.get_by_role("row").filter(has_text="Museo de Arte")).to_contain_text(
        "Main partner"
    )
    phone.look(page, f"picker-saved-{suffix}", axe=js)
    saved = Partnership.objects.get(title=title)
    assert list(saved.partners.values_list("organisation__name", flat=True)) == ["Museo de Arte"]
    phone.finish()
