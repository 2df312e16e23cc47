"""On a phone-sized screen (375 px) no page is wider than the screen, in either direction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, Page, ViewportSize, expect

from hub.partnerships.todo import services as todo
from tests import factories, test_url_walk
from tests.test_browser_journey import AXE_JS, PASSWORD, _require, chromium
from tests.test_page_weight import ELSEWHERE
from tests.test_url_walk import MACHINE_TOKEN, SIGNED_LINKS

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
    # The main menu is one row that scrolls inside the header, not five lines of links; its
    # last link comes onto the screen when scrolled to.
    menu = page.get_by_role("navigation", name="Main")
    row, link = menu.bounding_box(), menu.get_by_role("link").first.bounding_box()
    assert row is not None and link is not None
    assert row["height"] < 1.5 * link["height"], (row, link)
    last = menu.get_by_role("link").last
    last.scroll_into_view_if_needed()
    shown = last.bounding_box()
    assert shown is not None and 0 <= shown["x"] and shown["x"] + shown["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


# Every kind of page, from the URL walk: affiliate A's pages with one object of each kind, seen by
# a manager who is also hub staff (so the hub's pages are in), in English and right-to-left.
objects_a = test_url_walk.objects_a
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
SHOWN = ("partnerships:partnership_detail", "partners:organisation_list", "partners:my_work")
SHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"
CONTRAST = """async () => {
  const rules = ['color-contrast', 'link-in-text-block'];
  const r = await axe.run(document, {runOnly: {type: 'rule', values: rules}});
  return r.violations.flatMap(v => v.nodes.slice(0, 3).map(n => n.html.slice(0, 120)));
}"""


def _page_urls(objs: dict[str, Any]) -> dict[str, str]:
    urls = {}
    for name, route in test_url_walk.all_routes():
        if any(
            test_url_walk._is(name, group) for group in (MACHINE_TOKEN, SIGNED_LINKS, ELSEWHERE)
        ):
            continue
        if "export" in name or route.endswith((".pdf", ".csv", ".ics", ".svg", ".xml", "feed/")):
            continue
        try:
            kwargs = test_url_walk._kwargs_for(name, route, objs, "alpha")
        except AssertionError:  # a public route the walk has no object for (showcase)
            continue
        urls[name] = reverse(name, kwargs=kwargs)
    return urls


@pytest.mark.parametrize("language", ["en", "ar"])
def test_every_page_fits_a_375_pixel_screen_with_readable_colours(
    live_server: Any, objects_a: dict[str, Any], settings: Any, language: str
) -> None:
    _require(AXE_JS, "axe-core")
    # Arabic is offered here whether or not its catalogue is complete: the layout is what counts.
    settings.LANGUAGES = [("en", "English"), ("ar", "Arabic")]
    staff = factories.member(
        objects_a["organisation"].affiliate, username="phone", role="manager", is_hub_staff=True
    )
    client = Client()
    client.force_login(staff)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    # Only pages that answer with HTML to a plain visit (not forms' POST-only actions, files).
    urls = {
        name: url
        for name, url in _page_urls(objects_a).items()
        if (r := client.get(url)).status_code == 200 and "text/html" in r["Content-Type"]
    }
    assert len(urls) > 40, sorted(urls)
    shots = SHOTS / language
    shots.mkdir(parents=True, exist_ok=True)
    host = urlsplit(live_server.url).hostname
    too_wide, low_contrast = {}, {}
    with chromium() as browser:
        context = browser.new_context(viewport=PHONE, locale=language)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": session,
                    "domain": host,
                    "path": "/",
                },
                {
                    "name": settings.LANGUAGE_COOKIE_NAME,
                    "value": language,
                    "domain": host,
                    "path": "/",
                },
            ]
        )
        page = context.new_page()
        for name, url in sorted(urls.items()):
            page.goto(live_server.url + url)
            assert page.locator("html").get_attribute("dir") == (
                "rtl" if language == "ar" else "ltr"
            )
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide[name] = (width, page.evaluate(WIDER_THAN_SCREEN))
                page.screenshot(path=shots / f"{name.replace(':', '-')}.png", full_page=True)
            page.evaluate(AXE_JS.read_text(encoding="utf-8"))
            if found := page.evaluate(CONTRAST):
                low_contrast[name] = found
        # Screenshots to look at: the top of a few pages, on a phone and on a desktop screen.
        for name in SHOWN:
            for size in (PHONE, DESKTOP):
                page.set_viewport_size(size)
                page.goto(live_server.url + urls[name])
                slug = name.replace(":", "-")
                page.screenshot(path=shots / f"{slug}-{size['width']}px.png")
        context.close()
    print(f"{len(urls)} pages checked at 375 px in {language}; screenshots in {shots}")
    assert not too_wide, f"wider than a 375-px screen: {too_wide}"
    assert not low_contrast, f"text or links without enough contrast: {low_contrast}"
