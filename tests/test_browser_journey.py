"""Walk a volunteer's first partner journey in headless Chromium, with and without JavaScript."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, expect, sync_playwright

from hub.core.models import Affiliate, User
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct horse battery"  # what tests/factories.py gives every member
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
TIMEOUT_MS = 10_000


def _label(text: str) -> re.Pattern[str]:
    """Match a form label exactly, with or without Django's trailing colon."""
    return re.compile(rf"^{re.escape(text)}:?$")


def _require(path: Path, what: str) -> None:
    """Skip when a browser tool is missing on a workstation; fail when CI is set."""
    if path.exists():
        return
    message = f"{what} not found at {path}; run `make browser` to install it"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set, so browser tests may not be skipped)")
    pytest.skip(message)


@contextmanager
def chromium() -> Iterator[Browser]:
    """Start Debian's Chromium, headless and without its background network chatter."""
    _require(CHROMIUM, "Chromium")
    with sync_playwright() as pw:
        launched = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()


@dataclass
class Watch:
    """What a page did behind the scenes: requests to other hosts, console errors."""

    origin: str
    foreign_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def on_request(self, request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in {"data", "about", "blob"}:
            return
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.foreign_requests.append(request.url)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(f"{message.text} ({message.location.get('url')})")

    def on_page_error(self, error: Exception) -> None:
        self.console_errors.append(f"uncaught: {error}")


@pytest.fixture
def journey_member() -> User:
    aff: Affiliate = factories.affiliate(name="Wikimedia Gamma", slug="gamma", country="SE")
    return factories.member(aff, username="greta", role="member")


@pytest.fixture
def browser(live_server: Any, journey_member: User) -> Iterator[Browser]:
    # Started per test, after the database fixtures and stopped before their teardown: the
    # sync API's event loop would otherwise make Django refuse to flush the database.
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


def _check_accessibility(page: Page, where: str) -> None:
    """Inject axe-core and fail on serious or critical WCAG 2.x A/AA violations."""
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    blocking = [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["html"][:160] for n in v["nodes"][:3]],
        }
        for v in result["violations"]
        if v["impact"] in BLOCKING_IMPACTS
    ]
    assert not blocking, f"accessibility violations on {where}:\n{json.dumps(blocking, indent=1)}"


def _journey(page: Page, base: str, *, js: bool, shots: Path) -> None:
    """Log in, add an organisation, a contact and an interaction, then find them again."""
    suffix = "js" if js else "nojs"
    org_name = f"Museo Nacional de Prueba ({suffix})"
    email = f"ana.{suffix}@museo-prueba.example"
    follow_up = dt.date.today() + dt.timedelta(days=4)  # noqa: DTZ011 - what the form shows

    def audit(where: str) -> None:
        if js:
            _check_accessibility(page, where)

    page.goto(f"{base}/login/")
    audit("the login page")
    page.get_by_label("Username").fill("greta")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("My work")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Organisations").click()
    expect(page.get_by_role("heading", level=1, name="Organisations")).to_be_visible()
    audit("the organisation list")
    page.get_by_role("link", name="Add organisation").click()
    page.get_by_label(_label("Name")).fill(org_name)
    page.get_by_label("Partner type").select_option(label="Museum")
    page.get_by_label(_label("Country")).select_option(label="Chile")
    page.get_by_label("Website").fill("https://museo-prueba.example/")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1, name=org_name)).to_be_visible()

    page.get_by_role("link", name="Add contact").click()
    # Preselected from the link: the picker offers it, chosen.
    expect(page.get_by_role("radio", name=org_name)).to_be_checked()
    audit("the contact form")
    page.get_by_label(_label("Name")).fill("Ana Pérez")
    page.get_by_label("E-mail addresses").fill(email)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1, name="Ana Pérez")).to_be_visible()

    page.get_by_role("main").get_by_role("link", name=org_name).click()
    page.get_by_role("link", name="Log interaction").click()
    page.get_by_label(_label("Date")).fill(dt.date.today().isoformat())  # noqa: DTZ011
    page.get_by_label("Kind").select_option(label="Meeting")
    page.get_by_label("Summary").fill("Agreed on a photo upload of the textile collection.")
    page.get_by_label("Ana Pérez").check()
    page.get_by_label("Follow up on").fill(follow_up.isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1, name=org_name)).to_be_visible()
    expect(page.get_by_text(f"Follow up on {follow_up.isoformat()}")).to_be_visible()
    audit("the organisation page")
    page.screenshot(path=shots / f"organisation-{suffix}.png", full_page=True)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Organisations").click()
    page.get_by_role("search").get_by_label("Search").fill(email.split("@")[0])
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("1 organisation", exact=True)).to_be_visible()
    expect(page.get_by_role("table").get_by_role("link", name=org_name)).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My work").click()
    follow_ups = page.get_by_role("table")
    row = follow_ups.get_by_role("row").filter(has_text=org_name)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(follow_up.isoformat())
    expect(row).to_contain_text("photo upload")
    audit("My work")
    page.screenshot(path=shots / f"my-work-{suffix}.png", full_page=True)


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_partner_journey_from_login_to_my_work(
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
