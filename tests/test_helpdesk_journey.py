"""Walk a helpdesk request end to end in headless Chromium, with and without JavaScript.

An anonymous person asks for help, hub staff ask a question, the requester answers by the
signed link, the committee decides, a working group forms, and the requester sees the outcome.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from playwright.sync_api import Browser, Page, expect

from hub.core.models import User
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


@pytest.fixture
def hub_staff(settings: Any) -> User:
    # E-mails run at once (still after commit), so the status link lands in mail.outbox.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    factories.affiliate(name="Wikimedia Delta", slug="delta", country="CL")
    return User.objects.create_user(
        username="hedda", password=PASSWORD, email="hedda@example.org", is_hub_staff=True
    )


@pytest.fixture
def browser(live_server: Any, hub_staff: User) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("helpdesk-screenshots")


def _status_link(email: str) -> str:
    message = next(m for m in reversed(mail.outbox) if email in m.to[0])
    return next(line for line in message.body.splitlines() if "/helpdesk/status/" in line)


def _journey(requester: Page, staff: Page, base: str, *, js: bool, shots: Path) -> None:
    suffix = "js" if js else "nojs"
    partner = f"Museo de la Memoria ({suffix})"
    email = f"rosa.{suffix}@example.org"

    def audit(page: Page, where: str) -> None:
        if js:
            _check_accessibility(page, where)

    # 1. An anonymous person asks for help.
    requester.goto(f"{base}/login/")
    requester.get_by_role("link", name="Ask the helpdesk").click()
    expect(requester.get_by_role("heading", level=1)).to_have_text("Ask the helpdesk")
    audit(requester, "the request form")
    requester.get_by_label(_label("Your name")).fill("Rosa Example")
    requester.get_by_label(_label("Your e-mail address")).fill(email)
    requester.get_by_label(_label("Your affiliate")).select_option(label="Wikimedia Delta")
    requester.get_by_label(_label("Country")).select_option(label="Chile")
    requester.get_by_label(_label("The partner")).fill(partner)
    requester.get_by_label("Images").check()
    requester.get_by_label("Data / metadata").check()
    requester.get_by_label(_label("What do you need help with?")).fill(
        "Upload 2,000 photographs of the museum's archive with their metadata."
    )
    requester.get_by_label(_label("Languages")).fill("Spanish, Mapudungun")
    requester.get_by_label("I agree that the Hub stores").check()
    requester.get_by_role("button", name="Send my request").click()
    expect(requester.get_by_role("heading", level=1)).to_contain_text("your request is sent")
    link = _status_link(email)
    path = "/" + link.split("/", 3)[3]

    # 2. Hub staff read it and ask a question.
    staff.goto(f"{base}/login/")
    staff.get_by_label("Username").fill("hedda")
    staff.get_by_label("Password").fill(PASSWORD)
    staff.get_by_role("button", name="Log in").click()
    staff.get_by_role("navigation", name="Main").get_by_role("link", name="Helpdesk").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Helpdesk")
    audit(staff, "the helpdesk dashboard")
    staff.get_by_role("row").filter(has_text=partner).get_by_role("link").first.click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text(partner)
    audit(staff, "the request page")
    staff.get_by_label("Question to the requester").check()
    staff.get_by_label(_label("Message")).fill("Who holds the copyright of the photographs?")
    staff.get_by_role("button", name="Send").click()
    expect(staff.get_by_text("Question sent to the requester.")).to_be_visible()

    # 3. The requester answers through the signed link.
    requester.goto(f"{base}{path}")
    expect(requester.get_by_text("Who holds the copyright of the photographs?")).to_be_visible()
    audit(requester, "the status page")
    requester.get_by_label(_label("Your answer")).fill("The museum does, and agrees to CC BY-SA.")
    requester.get_by_role("button", name="Send").click()
    expect(requester.get_by_text("your answer was sent")).to_be_visible()

    # 4. Staff see the answer and send the request to the committee.
    staff.reload()
    expect(staff.get_by_text("The museum does, and agrees to CC BY-SA.")).to_be_visible()
    staff.get_by_label(_label("New status")).select_option(label="Ready for review")
    staff.get_by_role("button", name="Change status").click()
    expect(staff.get_by_text("Status changed")).to_be_visible()

    # 5. The committee meets and decides.
    staff.get_by_role("navigation", name="Helpdesk").get_by_role(
        "link", name="Committee meetings"
    ).click()
    staff.get_by_label(_label("Date")).fill(dt.date.today().isoformat())  # noqa: DTZ011
    staff.get_by_label(_label("Title")).fill(f"Review ({suffix})")
    staff.get_by_role("button", name="Plan").click()
    staff.get_by_role("button", name="Add them to the agenda").click()
    section = staff.locator("section").filter(has_text=partner)
    section.get_by_label("Approved").check()
    section.get_by_label(_label("Priority rank")).fill("1")
    section.get_by_label(_label("Reasons (the requester reads them)")).fill(
        "A unique archive, and the licence is settled."
    )
    audit(staff, "the meeting page")
    section.get_by_role("button", name="Record the decision").click()
    expect(staff.get_by_text("recorded; the requester was told")).to_be_visible()
    staff.screenshot(path=shots / f"meeting-{suffix}.png", full_page=True)

    # 6. A working group forms and posts news.
    staff.get_by_role("link", name=re.compile(r"^HD-\d+$")).first.click()
    staff.get_by_role("link", name="Form a working group").click()
    staff.get_by_label(_label("Name")).fill(f"Memoria upload group ({suffix})")
    staff.get_by_label(_label("Lead (username)")).fill("hedda")
    staff.get_by_role("button", name="Form the group").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text(f"Memoria upload group ({suffix})")
    audit(staff, "the working group page")
    staff.get_by_label(_label("Task")).fill("Check the metadata spreadsheet")
    staff.get_by_role("button", name="Add task").click()
    staff.get_by_label(_label("Update for the requester")).fill("We start with 200 photos.")
    staff.get_by_role("button", name="Post update").click()
    expect(staff.get_by_text("Update posted")).to_be_visible()

    # 7. The requester sees the outcome.
    requester.goto(f"{base}{path}")
    expect(requester.get_by_text("In progress", exact=False).first).to_be_visible()
    expect(requester.get_by_text("A unique archive, and the licence is settled.")).to_be_visible()
    expect(requester.get_by_text(f"Memoria upload group ({suffix})").first).to_be_visible()
    expect(requester.get_by_text("We start with 200 photos.")).to_be_visible()
    expect(requester.get_by_text("Check the metadata spreadsheet")).to_be_visible()
    audit(requester, "the status page with the outcome")
    requester.screenshot(path=shots / f"status-{suffix}.png", full_page=True)


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_helpdesk_journey_from_request_to_outcome(
    browser: Browser, live_server: Any, shots: Path, js: bool
) -> None:
    if js:
        _require(AXE_JS, "axe-core")
    base = live_server.url
    watches = []
    contexts = []
    pages = []
    for _who in ("requester", "staff"):
        context = browser.new_context(java_script_enabled=js, locale="en")
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        watch = Watch(origin=base)
        page.on("request", watch.on_request)
        page.on("console", watch.on_console)
        page.on("pageerror", watch.on_page_error)
        contexts.append(context)
        pages.append(page)
        watches.append(watch)
    try:
        _journey(pages[0], pages[1], base, js=js, shots=shots)
    finally:
        for context in contexts:
            context.close()
    for watch in watches:
        assert watch.foreign_requests == [], "the pages asked another host for something"
        assert watch.console_errors == [], "the browser console reported errors"
