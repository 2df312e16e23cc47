"""The guide's screenshots (docs/guide/img/) are taken here, from the demo data in Chromium, so
they change when the pages change; every picture the guide shows is taken by this journey."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from hub.core.models import Membership
from hub.demo.partners import DEMO_PASSWORD, HUB_STAFF_USERNAME
from hub.impact.models import ContentLink
from hub.uploads.models import UploadBatch
from tests.test_browser_journey import ROOT
from tests.test_newcomer_journeys import browser  # noqa: F401 (a fixture: Chromium)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GUIDE = ROOT / "docs" / "guide"
SHOTS = GUIDE / "img"
SHOT_NAME = re.compile(r'_shot\.html" with name="([a-z-]+)"')
IMPORT_FILE = ROOT.parent / "shared" / "fixtures" / "crm-import" / "column_names_casing.csv"


def shots_the_guide_shows() -> set[str]:
    """Return the names of the screenshots the guide's pages include."""
    return {name for page in GUIDE.glob("*.html") for name in SHOT_NAME.findall(page.read_text())}


def _log_in(browser: Browser, base: str, username: str) -> Page:  # noqa: F811
    page = browser.new_context(locale="en", viewport={"width": 800, "height": 500}).new_page()
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    return page


def _manager(affiliate: Any) -> str:
    membership = Membership.objects.filter(affiliate=affiliate, role="manager").first()
    assert membership is not None, f"the demo has a manager for {affiliate}"
    return str(membership.user.username)


def _shoot(page: Page, name: str, taken: set[str]) -> None:
    """Save the page from its heading down, as the guide's picture of that name."""
    heading = page.locator("main h1")
    expect(heading).to_be_visible()
    box = heading.bounding_box()
    assert box is not None
    top = max(0, box["y"] - 8)
    page.screenshot(
        path=SHOTS / f"{name}.jpg",
        type="jpeg",
        quality=70,
        full_page=True,
        clip={"x": 0, "y": top, "width": 800, "height": 500},
    )
    taken.add(name)


def test_the_guides_screenshots_are_taken_from_the_demo(
    browser: Browser,  # noqa: F811
    live_server: Any,
    settings: Any,
) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    SHOTS.mkdir(parents=True, exist_ok=True)
    base, taken = live_server.url, set[str]()

    # A coordinator whose affiliate links content in the demo, and one with a batch upload.
    linked = ContentLink.objects.select_related("affiliate").first()
    batch = UploadBatch.objects.select_related("partnership__affiliate").first()
    assert linked is not None and batch is not None, "the demo links content and uploads"
    slug = linked.affiliate.slug
    page = _log_in(browser, base, _manager(linked.affiliate))

    page.goto(f"{base}/a/{slug}/import/")
    page.locator("input[type=file]").set_input_files(str(IMPORT_FILE))
    page.get_by_role("button", name="Read the file").click()
    expect(page).to_have_url(re.compile(r"/import/\d+/"))
    _shoot(page, "import", taken)

    page.goto(f"{base}/a/{slug}/partnerships/{linked.partnership_id}/")
    _shoot(page, "partnership", taken)
    page.goto(f"{base}/a/{slug}/partnerships/{linked.partnership_id}/impact/")
    _shoot(page, "impact", taken)
    page.goto(f"{base}/a/{slug}/reports/")
    _shoot(page, "reports", taken)
    uploader = _log_in(browser, base, _manager(batch.partnership.affiliate))
    uploader.goto(f"{base}/a/{batch.partnership.affiliate.slug}/uploads/{batch.pk}/")
    _shoot(uploader, "upload", taken)

    staff = _log_in(browser, base, HUB_STAFF_USERNAME)
    for name, path in {
        "hub-overview": "/hub/",
        "helpdesk": "/helpdesk/",
        "strategic": "/hub/strategic/",
        "health": "/health/",
    }.items():
        staff.goto(base + path)
        _shoot(staff, name, taken)

    # Every picture the guide shows was taken just now; none is left over from old pages.
    assert shots_the_guide_shows() == taken
    assert {p.stem for p in SHOTS.glob("*.jpg")} == taken
