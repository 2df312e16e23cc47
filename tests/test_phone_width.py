"""On a phone-sized screen (375 px) no list, report or page is wider than the screen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from hub.partnerships.todo import services as todo
from tests import factories
from tests.test_browser_journey import PASSWORD, chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 375, "height": 812}

# The elements that stick out past the screen's edge: what to fix when the check fails.
WIDER_THAN_SCREEN = """() => {
  const edge = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > edge + 0.5 && !el.closest('.table-wrap'))
    .slice(0, 8)
    .map(el => `${el.tagName}.${el.className} ends at ${el.getBoundingClientRect().right}`);
}"""


@pytest.fixture
def seeded() -> dict[str, Any]:
    aff = factories.affiliate(name="Wikimedia Epsilon", slug="epsilon", country="SE")
    member = factories.member(aff, username="eva", role="manager")
    museum = factories.organisation(
        aff,
        name="Nationalmuseum Stockholm, Department of Prints and Drawings",
        partner_type="museum",
        country="SE",
        city="Stockholm",
    )
    factories.contact(museum, name="Anna-Karin Lindqvist-Johansson", role="Head of Collections")
    partnership = factories.partnership(
        aff,
        title="Digitisation of the eighteenth-century print collection for Wikimedia Commons",
        partners=[(museum, "main")],
        stage="active",
        start_date=dt.date(2026, 1, 15),
    )
    todo.create_task(
        actor=None,
        affiliate=aff,
        title="Send the upload batch list to the museum's registrar",
        assignee=member,
        due_on=dt.date(2026, 2, 1),
        partnership=partnership,
    )
    return {"partnership": partnership}


@pytest.fixture
def browser(live_server: Any, seeded: dict[str, Any]) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def _log_in(page: Page, base: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill("eva")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_lists_reports_and_pages_fit_a_375_pixel_screen(
    browser: Browser, live_server: Any, seeded: dict[str, Any], tmp_path: Path
) -> None:
    base = live_server.url
    pk = seeded["partnership"].pk
    page = browser.new_context(viewport=PHONE, locale="en").new_page()
    _log_in(page, base)
    pages = {
        "my-work": "/a/epsilon/",
        "organisation-list": "/a/epsilon/organisations/",
        "contact-list": "/a/epsilon/contacts/",
        "partnership-list": "/a/epsilon/partnerships/",
        "partnership": f"/a/epsilon/partnerships/{pk}/",
        "reports": "/a/epsilon/reports/",
    }
    too_wide = {}
    for name, path in pages.items():
        page.goto(base + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.screenshot(path=tmp_path / f"{name}-375px.png", full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[name] = (width, page.evaluate(WIDER_THAN_SCREEN))
    print(f"375-px screenshots in {tmp_path}")

    assert not too_wide, f"wider than a 375-px screen: {too_wide}"
    # A row's action stays on the screen, even where its table scrolls sideways.
    page.goto(f"{base}/a/epsilon/")
    done = page.get_by_role("button", name="Done").bounding_box()
    assert done is not None
    assert done["x"] >= 0 and done["x"] + done["width"] <= PHONE["width"], done
