"""The Hub in Arabic in headless Chromium: pages right to left, tables and charts mirrored, an
English partner name kept in its own direction; screenshots in var/screenshots/arabic/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.test_browser_journey import (
    PASSWORD,
    ROOT,
    _check_accessibility,
)
from tests.test_newcomer_journeys import browser  # noqa: F401 (a fixture: Chromium)
from tests.test_reports_browser import seeded  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = {  # what a coordinator looks at, with a table, a chart or an English name in Arabic
    "partnership-list": "/a/delta/partnerships/",
    "partnership": "/a/delta/partnerships/{pk}/",
    "dashboard": "/a/delta/reports/",
    "organisations": "/a/delta/organisations/",
    "contributions": "/a/delta/partnerships/{pk}/contributions/",
}


@pytest.fixture(scope="module")
def shots() -> Path:
    folder = ROOT / "var" / "screenshots" / "arabic"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return folder


def _rect(page: Page, selector: str) -> Any:
    box = page.locator(selector).first.bounding_box()
    assert box, f"{selector} is not shown"
    return box


def test_arabic_pages_mirror_and_keep_english_names_apart(
    browser: Browser,  # noqa: F811
    live_server: Any,
    seeded: dict[str, Any],  # noqa: F811
    shots: Path,
) -> None:
    base, pk = live_server.url, seeded["partnership"].pk
    page = browser.new_context(locale="ar", viewport={"width": 1024, "height": 800}).new_page()
    page.goto(f"{base}/login/")
    page.get_by_label("اسم المستخدم").fill("dora")
    page.get_by_label("كلمة المرور").fill(PASSWORD)
    page.get_by_role("button", name="تسجيل الدخول").click()
    expect(page.get_by_role("heading", level=1, name="عملي")).to_be_visible()  # "My work"

    for name, path in PAGES.items():
        page.goto(base + path.format(pk=pk))
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.locator("html")).to_have_attribute("lang", "ar")
        width = page.evaluate("window.innerWidth")
        # The heading starts at the right; nothing scrolls sideways.
        h1 = _rect(page, "main h1")
        assert page.evaluate("getComputedStyle(document.querySelector('main h1')).direction") == (
            "rtl"
        )
        assert h1["x"] + h1["width"] > width * 0.6, f"{name}: heading not on the right"
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        _check_accessibility(page, f"{name} (Arabic)")
        page.screenshot(path=shots / f"{name}-ar.png", full_page=True)

        if page.locator("main table").count():  # the first column is the rightmost
            cells = page.locator("main table").first.locator("tr").first.locator("th, td")
            if cells.count() > 1:
                first, last = cells.first.bounding_box(), cells.last.bounding_box()
                assert first and last and first["x"] > last["x"], f"{name}: table not mirrored"

    # An English partner name inside Arabic text keeps its own direction: it is isolated.
    page.goto(f"{base}/a/delta/partnerships/{pk}/")
    english = page.locator("main bdi", has_text="Nordic Museum").first
    expect(english).to_be_visible()
    assert english.evaluate("e => getComputedStyle(e).unicodeBidi") == "isolate"
    expect(page.get_by_role("main")).to_contain_text("قائمة التحقق الخاصة بالاتفاقية")

    # Charts: the category axis runs from the right, figures stay left to right.
    page.goto(f"{base}/a/delta/reports/")
    chart = page.get_by_role("img", name="الشراكات حسب المرحلة")  # "Partnerships by stage"
    expect(chart).to_be_visible()
    svg = page.locator("main svg").first
    assert svg.get_attribute("direction") == "rtl"
    page.locator("main figure").first.screenshot(path=shots / "chart-ar.png")
