"""The library in headless Chromium, with and without JavaScript: share, find, tell a story."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from hub.partnerships.activities import services as activities
from tests import factories
from tests import library_files as lf
from tests.test_browser_journey import (
    AXE_JS,
    PASSWORD,
    _check_accessibility,
    _label,
    _require,
    chromium,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(settings: Any, tmp_path: Any) -> dict[str, Any]:
    lf.use_temporary_media(settings, tmp_path / "media")
    # The worker's part (reading the file) runs at once, as soon as the upload is committed.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    aff = factories.affiliate(name="Wikimedia Epsilon", slug="epsilon", country="FR")
    factories.member(aff, username="eva", role="manager")
    museum = factories.organisation(aff, name="Musée de Lyon", partner_type="museum", country="FR")
    partnership = factories.partnership(
        aff, title="Photos du musée", partners=[(museum, "main")], visibility="published"
    )
    activities.create_activity(
        actor=None,
        partnership=partnership,
        kind="media_upload",
        title="Envoi des photos",
        starts_on=dt.date(2026, 5, 1),
    )
    return {"partnership": partnership}


@pytest.fixture
def browser(live_server: Any, seeded: dict[str, Any]) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_share_a_template_find_it_by_its_file_and_write_a_case_study(
    browser: Browser, live_server: Any, seeded: dict[str, Any], js: bool, tmp_path: Any
) -> None:
    if js:
        _require(AXE_JS, "axe-core")
    base = live_server.url
    page = browser.new_context(java_script_enabled=js, locale="en").new_page()
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill("eva")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Library").click()
    expect(page.get_by_role("heading", level=1, name="Library")).to_be_visible()
    expect(page.get_by_text("The library is empty so far")).to_be_visible()
    if js:
        _check_accessibility(page, "empty library")

    page.get_by_role("link", name="Add a resource").click()
    if js:
        _check_accessibility(page, "resource form")
    form = page.get_by_role("main")
    form.get_by_label(_label("Title")).fill("Lettre d'intention pour un ministère")
    form.get_by_label(_label("Kind")).select_option(label="Template")
    form.get_by_label(_label("Kind of template")).select_option(label="Letter of intent")
    form.get_by_label(_label("Language")).select_option("fr")
    form.get_by_label("The movement (everyone signed in)").check()
    wrong = tmp_path / "lettre.docx"
    wrong.write_bytes(lf.pdf("not a docx"))
    form.get_by_label(_label("File")).set_input_files(str(wrong))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("is not a DOCX file")).to_be_visible()
    letter = tmp_path / "lettre.pdf"
    letter.write_bytes(lf.pdf("Madame la ministre,", "nous proposons un partenariat"))
    form.get_by_label(_label("File")).set_input_files(str(letter))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lettre d")
    expect(page.get_by_role("img", name="The first page")).to_be_visible()
    if js:
        _check_accessibility(page, "resource page")

    # Found by a word inside the file, then narrowed to French.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Library").click()
    page.get_by_role("searchbox").fill("ministre")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("mark").first).to_have_text("ministre")
    page.get_by_role("link", name="French").click()
    expect(page.get_by_role("status")).to_contain_text("1 resource")
    if js:
        _check_accessibility(page, "search results")

    # A case study from the published partnership's page.
    pk = seeded["partnership"].pk
    page.goto(f"{base}/a/epsilon/partnerships/{pk}/")
    page.get_by_role("link", name="Write a case study").click()
    page.get_by_label(_label("What worked")).fill("Un conservateur <b>motivé</b>")
    page.get_by_label(_label("Advice to others")).fill("Parlez des licences dès le début")
    page.get_by_role("button", name="Save the case study").click()
    expect(page.get_by_role("heading", level=2, name="The partnership")).to_be_visible()
    expect(page.get_by_text("Musée de Lyon")).to_be_visible()
    expect(page.get_by_text("Envoi des photos")).to_be_visible()
    expect(page.get_by_text("Un conservateur <b>motivé</b>")).to_be_visible()
    if js:
        _check_accessibility(page, "case study")
