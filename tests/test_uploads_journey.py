"""A coordinator uploads a partner's collection in headless Chromium, with and without JavaScript.

From the partnership page: a batch, its sheet and files, the problems the check finds, the fix,
the check again, the upload watched to its end, a file opened on the local wiki (a real
MediaWiki 1.39), and the batch in the partnership's impact. The worker runs the queued tasks
in between, as `make worker` would.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from hub.impact.models import ContentLink
from hub.uploads.models import UploadBatch, UploadRow
from hub.wikimedia.http import reset_sessions
from tests import factories
from tests.localwiki import LocalWiki
from tests.test_browser_journey import (
    AXE_JS,
    PASSWORD,
    TIMEOUT_MS,
    Watch,
    _check_accessibility,
    _require,
    chromium,
)
from tests.test_newcomer_journeys import DATABASE_QUEUE, _run_queued_tasks
from tests.uploads_app import png, row, sheet_csv

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots" / "uploads-journey"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    _require(AXE_JS, "axe-core")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with chromium() as launched:
            yield launched


@pytest.fixture
def world(local_wiki: LocalWiki, settings: Any, tmp_path: Path) -> Iterator[dict[str, Any]]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.HUB_ALLOWED_PRIVATE_WIKIS = [local_wiki.base_url]
    settings.HUB_UPLOADS_DIR = tmp_path / "uploads"
    settings.TASKS = DATABASE_QUEUE
    reset_sessions()
    affiliate = factories.affiliate(name="Wikimedia Alpha", slug="alpha", country="SE")
    member = factories.member(affiliate, username="alice")
    partnership = factories.partnership(affiliate, actor=member, title="Nordic Museum")
    yield {"partnership": partnership, "wiki": local_wiki}
    reset_sessions()


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_a_collection_goes_from_the_partnership_page_to_the_wiki(
    browser: Browser, live_server: Any, world: dict[str, Any], tmp_path: Path, js: bool
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    wiki: LocalWiki = world["wiki"]
    partnership = world["partnership"]
    base = live_server.url
    watch = Watch(origin=base)
    context = browser.new_context(java_script_enabled=js, locale="en")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("request", watch.on_request)
    page.on("console", watch.on_console)
    page.on("pageerror", watch.on_page_error)

    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{base}/a/alpha/partnerships/{partnership.pk}/")
    expect(page.get_by_text("No collection uploaded yet")).to_be_visible()
    page.get_by_role("link", name="Upload a collection to Commons").click()
    page.get_by_label("Name of the batch").fill("Postcards 1900-1930")
    page.get_by_label("Wiki").select_option(wiki.api_url)
    page.get_by_role("button", name="Create the batch").click()

    tag = "JS" if js else "Plain"
    suffix = uuid.uuid4().hex[:8]
    names = [f"{tag} harbour {suffix}", f"{tag} market {suffix}"]
    sheet = sheet_csv(tmp_path / "postcards.csv", [row("a.png", names[0]), row("b.png", names[1])])
    page.get_by_role("link", name="Read the sheet").click()
    page.get_by_label("Metadata sheet").set_input_files(str(sheet))
    page.get_by_role("button", name="Read the sheet").click()
    expect(page.get_by_role("heading", name="1. What each column means")).to_be_visible()
    page.get_by_role("button", name="Save what the columns mean").click()

    page.get_by_role("link", name="Send files").click()
    page.get_by_label("Files, or one ZIP of them").set_input_files(str(png(tmp_path / "a.png")))
    page.get_by_role("button", name="Send the files").click()
    page.get_by_role("link", name="Choose the template and preview a page").click()
    page.get_by_label("write captions and statements").uncheck()  # no structured data here
    page.get_by_role("button", name="Save the template").click()
    expect(page.locator("#preview-text")).to_contain_text("{{Information")
    page.get_by_label("Ask the wiki to show the page").check()
    page.get_by_role("button", name="Show").click()
    preview = page.frame_locator("iframe.parsed")
    expect(preview.locator("body")).to_contain_text("Licensing")  # the wiki rendered it
    page.goto(f"{base}/a/alpha/uploads/{UploadBatch.objects.get().pk}/")
    page.get_by_role("link", name="Enter the account").click()
    page.get_by_label("User name").fill(wiki.admin_bot[0])
    page.get_by_label("Password or access token").fill(wiki.admin_bot[1])
    page.get_by_role("button", name="Save the account").click()

    # The check finds the file the sheet names but nobody sent.
    page.get_by_role("button", name="Check the rows").click()
    _run_queued_tasks()
    page.goto(page.url.split("#")[0] + "?show=problems")
    expect(page.get_by_text("No file called “b.png” was given to the batch")).to_be_visible()
    page.screenshot(path=SHOTS / f"batch-problems-{tag}.png", full_page=True)
    if js:
        _check_accessibility(page, "batch with problems")

    # The fix, checked again.
    page.get_by_role("link", name="Send files").click()
    page.get_by_label("Files, or one ZIP of them").set_input_files(str(png(tmp_path / "b.png")))
    page.get_by_role("button", name="Send the files").click()
    page.get_by_role("button", name="Check the rows").click()
    _run_queued_tasks()
    page.reload()
    page.get_by_role("button", name="Upload 2 files").click()
    expect(page.locator("#progress")).to_contain_text("Uploading")

    _run_queued_tasks()
    if js:  # the page follows the batch by itself and shows the end
        expect(page.locator("h1")).to_contain_text("Finished", timeout=20_000)
    else:
        page.get_by_role("link", name="Refresh now").click()
        expect(page.locator("h1")).to_contain_text("Finished")
    batch = UploadBatch.objects.get()
    assert set(batch.rows.values_list("state", flat=True)) == {UploadRow.State.DONE}
    expect(page.get_by_text("2 files are on the wiki")).to_be_visible()
    page.screenshot(path=SHOTS / f"batch-finished-{tag}.png", full_page=True)
    if js:
        _check_accessibility(page, "finished batch")

    # A file opened on the wiki, the batch in the partnership's impact.
    page.get_by_role("link", name=f"{names[0]}.png").click()
    expect(page.locator("h1")).to_contain_text(f"File:{names[0]}.png")
    assert page.url.startswith(wiki.base_url)
    page.goto(f"{base}/a/alpha/uploads/{batch.pk}/")
    page.get_by_role("link", name="See the impact").click()
    expect(page.locator("main")).to_contain_text(batch.tracking_category)
    assert ContentLink.objects.filter(partnership=partnership, target=batch.tracking_category)

    context.close()
    # Only this hub and the local wiki's file page were asked for anything.
    foreign = [u for u in watch.foreign_requests if not u.startswith(wiki.base_url)]
    assert foreign == []
    assert [e for e in watch.console_errors if wiki.base_url not in e] == []


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_too_many_megabytes_at_once_are_refused_in_plain_words(
    browser: Browser,
    live_server: Any,
    world: dict[str, Any],
    tmp_path: Path,
    settings: Any,
    js: bool,
) -> None:
    from hub.uploads import services

    settings.HUB_UPLOADS_MAX_REQUEST_BYTES = 1024 * 1024
    batch = services.create_batch(actor=None, partnership=world["partnership"], title="Big")
    big = tmp_path / "big.tif"
    big.write_bytes(b"\0" * (3 * 1024 * 1024))
    context = browser.new_context(java_script_enabled=js, locale="en")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/a/alpha/uploads/{batch.pk}/files/")
    page.get_by_label("Files, or one ZIP of them").set_input_files(str(big))
    page.get_by_role("button", name="Send the files").click()
    if js:  # refused before a byte is sent
        expect(page.locator("#files-too-large")).to_contain_text(
            "These files add up to 3 MB; the browser can send at most 1 MB at once."
        )
    else:  # refused by the server before it reads the body
        expect(page.locator("main")).to_contain_text("this page accepts at most 2 MB at once")
        expect(page.locator("main")).to_contain_text("one ZIP per part")
    assert not batch.files.exists()
    context.close()
