"""Generate a letter of intent, download it, then find the partnership on the public showcase
and its badge: in headless Chromium, with and without JavaScript, checked with axe-core."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import docx
import pytest
from playwright.sync_api import Browser, expect

from tests import factories
from tests.test_browser_journey import (
    AXE_JS,
    PASSWORD,
    _check_accessibility,
    _require,
    chromium,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(settings: Any, tmp_path: Any) -> dict[str, Any]:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    aff = factories.affiliate(name="Wikimedia Epsilon", slug="epsilon", country="KE")
    member = factories.member(aff, username="esther", role="manager")
    archive = factories.organisation(
        aff, name="Kenya National Archives", partner_type="archive", country="KE"
    )
    factories.contact(archive, name="Grace Wanjiru", role="Director")
    p = factories.partnership(
        aff,
        actor=member,
        title="Colonial-era maps",
        summary="Digitised maps of East Africa, shared on Wikimedia Commons.",
        partners=[(archive, "main")],
        goal_content=True,
        start_date=dt.date(2026, 1, 15),
        visibility="published",
    )
    return {"member": member, "partnership": p}


@pytest.fixture
def browser(live_server: Any, seeded: dict[str, Any]) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_generate_a_letter_and_see_the_partnership_on_the_showcase(
    browser: Browser, live_server: Any, seeded: dict[str, Any], js: bool, tmp_path: Any
) -> None:
    if js:
        _require(AXE_JS, "axe-core")
    base = live_server.url
    pk = seeded["partnership"].pk
    context = browser.new_context(java_script_enabled=js, locale="en", accept_downloads=True)
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill("esther")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{base}/a/epsilon/partnerships/{pk}/")
    page.get_by_role("link", name="Generate a document").click()
    expect(page.get_by_role("heading", level=1, name="Generate a document")).to_be_visible()
    page.get_by_label("Kind of document").select_option(label="Letter of intent")
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_role("region", name="Preview: Letter of intent: Colonial-era maps")
    expect(preview).to_contain_text("Dear Grace Wanjiru,")
    if js:
        _check_accessibility(page, "generate")
    page.get_by_role("button", name="Keep this document (ODT, DOCX and PDF)").click()
    expect(page.get_by_text("Version 1 kept with the partnership's documents")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Letter_of_intent_-_Colonial-era_maps_v1_en.docx").click()
    text = "\n".join(
        p.text for p in docx.Document(io.BytesIO(download.value.path().read_bytes())).paragraphs
    )
    assert "Wikimedia Epsilon intends to work with Kenya National Archives" in text

    visitor = browser.new_context(java_script_enabled=js, locale="en").new_page()
    visitor.goto(f"{base}/showcase/")
    expect(visitor.get_by_role("heading", level=1)).to_have_text(
        "Showcase of Wikimedia partnerships"
    )
    expect(
        visitor.get_by_role("img", name="Published partnerships by partner country")
    ).to_be_visible()
    visitor.get_by_label("Country", exact=True).select_option(label="Kenya")
    visitor.get_by_role("button", name="Apply").click()
    if js:
        _check_accessibility(visitor, "showcase")
    visitor.screenshot(path=tmp_path / f"showcase-{js}.png", full_page=True)
    visitor.get_by_role("link", name="Colonial-era maps").click()
    expect(visitor.get_by_role("heading", level=1, name="Colonial-era maps")).to_be_visible()
    badge = visitor.get_by_role("img", name="Impact of Colonial-era maps on Wikimedia projects")
    expect(badge).to_be_visible()
    assert visitor.evaluate("img => img.naturalWidth", badge.element_handle()) > 0 or not js
    if js:
        _check_accessibility(visitor, "public partnership page")
    visitor.screenshot(path=tmp_path / f"public-{js}.png", full_page=True)
