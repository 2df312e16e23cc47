"""Batch upload pages: create from the partnership, sheet and columns, files, template, account."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hub.uploads.models import UploadBatch, UploadFile, UploadRow
from tests import factories
from tests.uploads_app import HEADERS, batch_with_sheet, png, row, sheet_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def uploads_dir(settings: Any, tmp_path: Path) -> Path:
    settings.HUB_UPLOADS_DIR = tmp_path / "uploads"
    return settings.HUB_UPLOADS_DIR


@pytest.fixture
def partnership(affiliate_a: Any, member_a: Any) -> Any:
    return factories.partnership(affiliate_a, actor=member_a, title="Nordic Museum")


def url(name: str, batch: UploadBatch) -> str:
    return reverse(f"uploads:{name}", kwargs={"slug": batch.affiliate.slug, "pk": batch.pk})


def test_partnership_page_offers_an_upload_and_says_what_it_does(client_a, partnership):
    page = client_a.get(
        reverse("partnerships:partnership_detail", kwargs={"slug": "alpha", "pk": partnership.pk})
    )
    text = page.content.decode()
    assert "No collection uploaded yet" in text
    assert "Upload a collection to Commons" in text


def test_a_coordinator_creates_a_batch_and_reads_a_sheet(
    client_a, partnership, uploads_dir, tmp_path
):
    response = client_a.post(
        reverse("uploads:batch_create", kwargs={"slug": "alpha", "pk": partnership.pk}),
        {"title": "Postcards 1900-1930", "wiki_url": "https://commons.wikimedia.org/w/api.php"},
    )
    batch = UploadBatch.objects.get()
    assert response.status_code == 302
    assert batch.partnership == partnership
    assert batch.tracking_category.endswith(f"(batch {batch.pk})")
    sheet = sheet_csv(tmp_path / "s.csv", [row("a.png", "Harbour"), row("b.png", "Market")])
    response = client_a.post(
        url("batch_sheet", batch),
        {"sheet": SimpleUploadedFile("postcards.csv", sheet.read_bytes(), "text/csv")},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == url("batch_mapping", batch)
    batch.refresh_from_db()
    assert batch.headers == HEADERS
    assert batch.mapping["File"] == "file" and batch.mapping["Name"] == "title"
    assert list(batch.rows.values_list("number", flat=True)) == [2, 3]
    page = client_a.get(url("batch_mapping", batch))
    assert "Harbour" in page.content.decode()  # an example of the column's values


def test_a_column_kept_under_its_own_name_is_said_in_words(
    client_a, partnership, uploads_dir, tmp_path
):
    batch = factories_batch(partnership)
    client_a.post(
        url("batch_sheet", batch),
        {"sheet": SimpleUploadedFile("s.csv", b"File,Shelfmark\na.png,K-12\n", "text/csv")},
    )
    batch.refresh_from_db()
    assert batch.mapping["Shelfmark"] == "extra:Shelfmark"
    page = client_a.get(url("batch_mapping", batch)).content.decode()
    assert "Kept as “Shelfmark” for the page template" in page
    assert ">extra:Shelfmark<" not in page


def test_a_sheet_that_cannot_be_read_says_why_on_the_field(client_a, partnership, uploads_dir):
    batch = factories_batch(partnership)
    response = client_a.post(
        url("batch_sheet", batch),
        {"sheet": SimpleUploadedFile("notes.csv", b"", "text/csv")},
    )
    assert response.status_code == 200
    assert 'class="errorlist"' in response.content.decode()
    assert not batch.rows.exists()


def factories_batch(partnership: Any) -> UploadBatch:
    from hub.uploads import services

    return services.create_batch(actor=None, partnership=partnership, title="Postcards")


def test_files_are_kept_on_disk_and_matched_to_rows(
    client_a, member_a, partnership, uploads_dir, tmp_path
):
    batch = batch_with_sheet(partnership, member_a, tmp_path, [row("a.png", "Harbour")])
    a = png(tmp_path / "a.png")
    stray = png(tmp_path / "stray.png")
    response = client_a.post(
        url("batch_files", batch),
        {
            "upload": [
                SimpleUploadedFile("a.png", a.read_bytes(), "image/png"),
                SimpleUploadedFile("stray.png", stray.read_bytes(), "image/png"),
            ]
        },
    )
    assert response.status_code == 302
    kept = UploadFile.objects.get(batch=batch, name="a.png")
    assert (uploads_dir / str(batch.pk) / kept.stored_path).read_bytes() == a.read_bytes()
    assert batch.rows.get().file == kept
    page = client_a.get(url("batch_detail", batch)).content.decode()
    assert "1 file is named by no row." in page
    files_page = client_a.get(url("batch_files", batch)).content.decode()
    assert "No: it will not be uploaded" in files_page


def test_the_template_page_previews_a_rows_text(
    client_a, member_a, partnership, uploads_dir, tmp_path
):
    batch = batch_with_sheet(partnership, member_a, tmp_path, [row("a.png", "Harbour at dawn")])
    page = client_a.get(url("batch_template", batch) + "?row=2").content.decode()
    assert "{{Information" in page
    assert "Harbour at dawn" in page or "A photograph: Harbour at dawn" in page
    assert f"Uploaded with Partnerships Hub (batch {batch.pk})" in page


def test_the_account_is_kept_encrypted_and_never_shown(client_a, partnership, uploads_dir):
    batch = factories_batch(partnership)
    response = client_a.post(
        url("batch_account", batch),
        {"kind": "bot_password", "name": "Anna@hub", "secret": "s3cret-bot-password-value"},
    )
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.account_name == "Anna@hub"
    assert "s3cret" not in batch.account_secret
    page = client_a.get(url("batch_account", batch)).content.decode()
    assert "s3cret" not in page
    from hub.uploads.credentials import account_for

    assert account_for(batch).password == "s3cret-bot-password-value"  # type: ignore[attr-defined]


def test_a_viewer_sees_the_batch_but_cannot_start_anything(
    viewer_a, member_a, partnership, uploads_dir, tmp_path
):
    from django.test import Client

    batch = batch_with_sheet(partnership, member_a, tmp_path, [row("a.png", "Harbour")])
    client = Client()
    client.force_login(viewer_a)
    page = client.get(url("batch_detail", batch))
    assert page.status_code == 200
    assert "Check the rows" not in page.content.decode()
    assert client.post(url("batch_check", batch)).status_code == 403
    assert client.get(url("batch_sheet", batch)).status_code == 403
    assert batch.rows.get().state == UploadRow.State.PENDING


def test_the_batch_page_names_the_wiki_in_words(
    client_a, member_a, partnership, uploads_dir, tmp_path
):
    batch = batch_with_sheet(partnership, member_a, tmp_path, [row("a.png", "Harbour")])
    text = client_a.get(url("batch_detail", batch)).content.decode()
    assert "To Wikimedia Commons;" in text
    assert "api.php" not in text
    UploadBatch.objects.filter(pk=batch.pk).update(wiki_url="https://sv.wikipedia.org/w/api.php")
    text = client_a.get(url("batch_detail", batch)).content.decode()
    assert "To sv.wikipedia.org;" in text


def test_another_affiliate_gets_404(client_b, member_a, partnership, uploads_dir, tmp_path):
    batch = batch_with_sheet(partnership, member_a, tmp_path, [row("a.png", "Harbour")])
    other = reverse("uploads:batch_detail", kwargs={"slug": "beta", "pk": batch.pk})
    assert client_b.get(other).status_code == 404


def test_a_request_over_the_browser_limit_is_refused_with_clear_words(
    client_a, partnership, uploads_dir, settings
):
    settings.HUB_UPLOADS_MAX_REQUEST_BYTES = 1024 * 1024
    batch = factories_batch(partnership)
    response = client_a.post(
        url("batch_files", batch),
        data=b"x" * 10,
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(2 * 1024**3),
    )
    assert response.status_code == 413
    text = response.content.decode()
    assert "You sent about 2048 MB; this page accepts at most 2 MB at once." in text
    assert "one ZIP per part" in text
    assert not UploadFile.objects.exists()


def test_the_batch_page_and_its_progress_read_a_fixed_number_of_queries(
    client_a, member_a, partnership, uploads_dir, tmp_path, django_assert_max_num_queries
):
    few = batch_with_sheet(partnership, member_a, tmp_path, [row("a.png", "One")])
    many = batch_with_sheet(
        partnership, member_a, tmp_path, [row(f"{n}.png", f"Row {n}") for n in range(40)]
    )
    client_a.get(url("batch_detail", few))  # warm the session
    counts = []
    for batch in (few, many):
        with django_assert_max_num_queries(14) as captured:
            assert client_a.get(url("batch_detail", batch)).status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]  # forty rows cost no more than one
    with django_assert_max_num_queries(6):
        client_a.get(url("batch_progress", many))


def test_a_wait_shows_what_for_and_until_when(client_a, partnership, uploads_dir):
    import datetime as dt

    from django.utils import timezone

    batch = factories_batch(partnership)
    until = timezone.now() + dt.timedelta(minutes=5)
    UploadBatch.objects.filter(pk=batch.pk).update(
        status=UploadBatch.Status.RUNNING, wait_reason="ratelimited", wait_until=until
    )
    page = client_a.get(url("batch_detail", batch)).content.decode()
    assert "The wiki limits how fast this account may upload." in page
    assert f"Waiting until {until:%H:%M:%S} UTC" in page
    assert '<meta http-equiv="refresh"' in page  # refreshes itself without JavaScript
    data = client_a.get(url("batch_progress", batch)).json()
    assert data["wait_until"] == until.isoformat()


def test_time_left_is_said_in_words():
    from hub.uploads.selectors import Progress

    def left(seconds: int | None) -> str:
        return Progress({}, 0, 0, 0, 0, None, seconds, "", None).time_left

    assert left(None) == ""
    assert left(45) == "about 45 seconds"
    assert left(600) == "about 10 minutes"
    assert left(3 * 3600) == "about 3 hours"


def test_a_rows_problem_names_the_sheets_column(
    client_a, member_a, partnership, uploads_dir, tmp_path
):
    batch = batch_with_sheet(
        partnership, member_a, tmp_path, [row("a.png", "Harbour", licence="CC BY-NC 4.0")]
    )
    batch.rows.update(
        problems=[{"level": "error", "field": "licence", "message": "Not a free licence."}],
        state=UploadRow.State.BLOCKED,
    )
    page = client_a.get(url("batch_detail", batch) + "?show=problems").content.decode()
    assert '<span class="tag">Licence</span> Not a free licence.' in page


def test_the_pace_is_said_on_the_page_and_in_the_live_update(
    client_a, member_a, partnership, uploads_dir, tmp_path
):
    import datetime as dt

    from django.utils import timezone

    batch = batch_with_sheet(
        partnership, member_a, tmp_path, [row(f"{n}.png", f"Row {n}") for n in range(4)]
    )
    UploadBatch.objects.filter(pk=batch.pk).update(
        status=UploadBatch.Status.RUNNING, started_at=timezone.now() - dt.timedelta(minutes=2)
    )
    first, second, *rest = batch.rows.order_by("number")
    UploadRow.objects.filter(pk__in=[first.pk, second.pk]).update(state=UploadRow.State.DONE)
    UploadRow.objects.filter(pk__in=[r.pk for r in rest]).update(state=UploadRow.State.VALIDATED)
    data = client_a.get(url("batch_progress", batch)).json()
    assert data["pace"] == "1.0 files a minute, about 2 minutes left."
    assert data["pace"] in client_a.get(url("batch_detail", batch)).content.decode()
