"""Batch services and the staff command: sheets, files from a folder, ZIPs, bad input."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from hub.core.models import AuditEvent
from hub.uploads import credentials, services
from hub.uploads.dryrun import run_check
from hub.uploads.models import UploadBatch, UploadFile, UploadRow
from tests import factories
from tests.uploads_app import batch_with_sheet, png, row, sheet_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def uploads_dir(settings: Any, tmp_path: Path) -> Path:
    settings.HUB_UPLOADS_DIR = tmp_path / "uploads"
    return settings.HUB_UPLOADS_DIR


@pytest.fixture
def partnership(affiliate_a: Any, member_a: Any) -> Any:
    return factories.partnership(affiliate_a, actor=member_a, title="Nordic Museum")


def test_staff_create_a_batch_from_a_sheet_and_a_server_folder(partnership, tmp_path):
    folder = tmp_path / "collection"
    (folder / "box 1").mkdir(parents=True)
    png(folder / "box 1" / "a.png")
    png(folder / "b.png")
    sheet = sheet_csv(
        tmp_path / "sheet.csv", [row("box 1/a.png", "Harbour"), row("b.png", "Market")]
    )
    out = io.StringIO()
    call_command("upload_batch", partnership=partnership.pk, sheet=sheet, folder=folder, stdout=out)
    batch = UploadBatch.objects.get()
    assert "2 file(s) kept" in out.getvalue()
    assert f"/uploads/{batch.pk}/" in out.getvalue()
    assert set(batch.rows.values_list("file__name", flat=True)) == {"box 1/a.png", "b.png"}
    assert (folder / "b.png").exists()  # the server's folder is left as it was


def test_a_sheet_with_formulas_keeps_them_as_text(partnership, member_a, tmp_path):
    batch = batch_with_sheet(
        partnership, member_a, tmp_path, [row("a.png", "Harbour", description="=HYPERLINK(1)")]
    )
    assert batch.rows.get().values["description"] == "=HYPERLINK(1)"


def test_a_zip_is_unpacked_and_a_zip_with_a_path_outside_is_refused(
    partnership, member_a, tmp_path
):
    batch = batch_with_sheet(partnership, member_a, tmp_path, [row("photos/a.png", "Harbour")])
    good = tmp_path / "good.zip"
    with zipfile.ZipFile(good, "w") as archive:
        archive.write(png(tmp_path / "a.png"), "photos/a.png")
    services.add_files(actor=member_a, batch=batch, files=[("good.zip", good)])
    assert batch.rows.values_list("file__name", flat=True).get() == "photos/a.png"
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("../../etc/passwd.png", b"x")
    with pytest.raises(ValidationError) as refused:
        services.add_files(actor=member_a, batch=batch, files=[("evil.zip", evil)])
    assert "evil.zip" in refused.value.messages[0]
    assert UploadFile.objects.filter(batch=batch).count() == 1


def test_the_dry_run_puts_each_problem_on_its_row_without_a_wiki(
    partnership, member_a, tmp_path, settings
):
    settings.HUB_ALLOWED_PRIVATE_WIKIS = []
    batch = batch_with_sheet(
        partnership,
        member_a,
        tmp_path,
        [
            row("a.png", "Harbour"),
            row("missing.png", "Market"),
            row("b.png", "Bad#title"),
            row("c.png", "Harbour"),
            row("d.png", "Licence", licence="CC BY-NC 4.0"),
        ],
        wiki_url="http://127.0.0.1:9/api.php",
    )
    for name in ("a.png", "b.png", "c.png", "d.png"):
        services.add_files(actor=member_a, batch=batch, files=[(name, png(tmp_path / name))])
    services.request_check(actor=member_a, batch=batch)
    run_check(batch_id=batch.pk)
    batch.refresh_from_db()
    rows = {r.number: r for r in batch.rows.all()}
    assert rows[3].state == UploadRow.State.BLOCKED
    assert "missing.png" in rows[3].problems[0]["message"]
    assert rows[4].state == UploadRow.State.BLOCKED  # a character titles cannot have
    assert rows[5].state == rows[2].state == UploadRow.State.BLOCKED  # the same title twice
    assert any("licence" == p["field"] for p in rows[6].problems)
    assert batch.status == UploadBatch.Status.DRAFT
    assert any("could not be asked" in n["message"] for n in batch.notes)  # no wiki: said so
    assert AuditEvent.objects.filter(action="uploads.checked").exists()


def test_the_account_cannot_be_read_with_another_secret_key(partnership, member_a, settings):
    batch = services.create_batch(actor=member_a, partnership=partnership, title="Keys")
    services.set_account(actor=member_a, batch=batch, kind="bot_password", name="A@b", secret="pw")
    batch.refresh_from_db()
    assert credentials.account_for(batch).name == "A@b"
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "another-key-entirely-" * 3
    with pytest.raises(credentials.AccountMissing):
        credentials.account_for(batch)
    settings.SECRET_KEY_FALLBACKS = [old]  # a rotated key still opens what it sealed
    assert credentials.account_for(batch).name == "A@b"


def test_cancelling_deletes_the_account_and_keeps_the_rows(partnership, member_a, tmp_path):
    batch = batch_with_sheet(partnership, member_a, tmp_path, [row("a.png", "Harbour")])
    services.set_account(actor=member_a, batch=batch, kind="bot_password", name="A@b", secret="pw")
    services.cancel_batch(actor=member_a, batch=batch)
    batch.refresh_from_db()
    assert batch.status == UploadBatch.Status.CANCELLED
    assert batch.account_secret == "" and batch.rows.count() == 1
    with pytest.raises(ValidationError):
        services.cancel_batch(actor=member_a, batch=batch)


def test_files_named_by_address_are_fetched_and_a_private_address_is_refused_on_its_row(
    partnership, member_a, tmp_path, wiki_server
):
    from tests.wikiserver import Reply

    photo = png(tmp_path / "served.png").read_bytes()
    wiki_server.add("/postcard.png", Reply(photo, headers={"Content-Type": "image/png"}))
    good = f"{wiki_server.base_url}/postcard.png"
    batch = batch_with_sheet(
        partnership,
        member_a,
        tmp_path,
        [
            ["", "Harbour", "d", "a", "1923", "s", "CC0"],
            ["", "Market", "d", "a", "1923", "s", "CC0"],
        ],
    )
    urls = {2: good, 3: "http://10.1.2.3/secret.png"}
    for r in batch.rows.all():
        r.values = {**r.values, "url": urls[r.number]}
        r.save()
    services.request_fetch(actor=member_a, batch=batch)
    from hub.uploads.fetching import run_fetch

    assert run_fetch(batch_id=batch.pk) == {"fetched": 1, "failed": 1}
    services.request_check(actor=member_a, batch=batch)
    run_check(batch_id=batch.pk)
    fetched, refused = batch.rows.select_related("file").order_by("number")
    assert fetched.file is not None and fetched.file.size == len(photo)
    assert refused.state == UploadRow.State.BLOCKED
    assert any("private or local network" in p["message"] for p in refused.problems)


def test_the_demo_has_a_finished_batch_on_the_residency_and_loads_once(db: None) -> None:
    call_command("load_demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    [batch] = UploadBatch.objects.filter(affiliate__is_demo=True)
    assert batch.partnership.title == "Wikipedian in Residence at the National Museum"
    assert batch.status == UploadBatch.Status.FINISHED
    assert list(batch.rows.values_list("state", flat=True)) == [UploadRow.State.DONE] * 5
    assert all("never sent" in m for m in batch.rows.values_list("message", flat=True))
    assert "Uploads demo created" not in out.getvalue()


def test_a_pattypan_workbook_brings_its_template_and_the_preview_uses_it(
    partnership, member_a, tmp_path, fixtures_dir, client_a
):
    from django.urls import reverse

    from tests.upload_fixtures import pattypan_fields, pattypan_source, pattypan_workbook

    fields = ["path", "name", *pattypan_fields(fixtures_dir, "Photograph")]
    values = {f: "" for f in fields} | {"path": "a.png", "name": "Harbour", "license": "CC0"}
    workbook = pattypan_workbook(
        tmp_path / "pattypan.xlsx",
        headers=fields,
        rows=[[values[f] for f in fields]],
        template=pattypan_source(fixtures_dir, "Photograph"),
    )
    batch = services.create_batch(actor=member_a, partnership=partnership, title="Pattypan")
    services.attach_sheet(actor=member_a, batch=batch, path=workbook, original_name="pattypan.xlsx")
    batch.refresh_from_db()
    assert batch.template == UploadBatch.Template.CUSTOM
    assert "{{Photograph" in batch.template_source
    page = client_a.get(
        reverse("uploads:batch_template", kwargs={"slug": "alpha", "pk": batch.pk})
    ).content.decode()
    preview = page[page.index('id="preview"') :]
    assert "{{Photograph" in preview and "Harbour" in preview, preview[:3000]


def test_another_tools_sheet_maps_without_a_crash(partnership, member_a, fixtures_dir):
    sheet = fixtures_dir / "uploads" / "pywikibot-csv-ingestion.csv"
    batch = services.create_batch(actor=member_a, partnership=partnership, title="Pywikibot")
    services.attach_sheet(actor=member_a, batch=batch, path=sheet, original_name=sheet.name)
    batch.refresh_from_db()
    assert batch.rows.count() > 0
    assert any(batch.mapping.values())


def test_a_batch_with_files_on_the_wiki_cannot_be_deleted_one_without_can(
    partnership, member_a, tmp_path, uploads_dir
):
    kept = batch_with_sheet(partnership, member_a, tmp_path, [row("a.png", "Harbour")])
    kept.rows.update(state=UploadRow.State.DONE)
    with pytest.raises(ValidationError):
        services.delete_batch(actor=member_a, batch=kept)
    draft = services.create_batch(actor=member_a, partnership=partnership, title="Draft")
    services.add_files(actor=member_a, batch=draft, files=[("a.png", png(tmp_path / "x.png"))])
    services.delete_batch(actor=member_a, batch=draft)
    assert not UploadBatch.objects.filter(pk=draft.pk).exists()
    assert AuditEvent.objects.filter(action="uploads.batch_deleted").exists()
