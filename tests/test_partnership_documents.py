"""Partnership documents: checked by content, size capped, stored privately, served to members."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from hub.core.models import AuditEvent
from hub.partnerships import documents, services
from hub.partnerships.documents import DocumentRefused, check_document
from hub.partnerships.models import Document
from tests import factories

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200
PE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200


def docx_bytes() -> bytes:
    """Return a minimal Word document, built the way Word lays one out."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr("_rels/.rels", "<Relationships/>")
        z.writestr("word/document.xml", "<w:document><w:body><w:p/></w:body></w:document>")
    return buffer.getvalue()


def odt_bytes(mimetype: bytes = documents.ODT_MIMETYPE) -> bytes:
    """Return a minimal OpenDocument text: the mimetype first and stored, then the content."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", "<office:document-content/>", compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", "<manifest/>", compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def check(content: bytes, name: str) -> documents.CheckedDocument:
    return check_document(io.BytesIO(content), name, len(content))


# The content check on its own.


def test_a_real_small_pdf_is_accepted() -> None:
    found = check(factories.SMALL_PDF, "Agreement 2026.PDF")
    assert (found.kind, found.content_type) == ("pdf", "application/pdf")
    assert len(found.sha256) == 64


def test_a_docx_built_with_zipfile_is_accepted() -> None:
    assert check(docx_bytes(), "concept-note.docx").kind == "docx"


def test_an_odt_is_accepted() -> None:
    assert check(odt_bytes(), "letter.odt").kind == "odt"


@pytest.mark.parametrize("program", [ELF, PE], ids=["ELF", "PE"])
def test_an_executable_renamed_pdf_is_refused_as_a_program(program: bytes) -> None:
    with pytest.raises(DocumentRefused, match="is a program, not a document"):
        check(program, "agreement.pdf")


@pytest.mark.parametrize(
    ("content", "name", "words"),
    [
        (b"Just some text, not a Word file", "notes.docx", "not a DOCX document"),
        (factories.SMALL_PDF, "agreement.docx", "not a DOCX document"),
        (docx_bytes(), "agreement.pdf", "not a PDF document"),
        (docx_bytes(), "agreement.odt", "not a ODT document"),
        (odt_bytes(b"application/vnd.oasis.opendocument.spreadsheet"), "x.odt", "not a ODT"),
        (b"PK\x03\x04 broken zip", "broken.docx", "not a DOCX document"),
        (factories.SMALL_PDF, "agreement.exe", "Upload a PDF"),
        (factories.SMALL_PDF, "agreement", "Upload a PDF"),
    ],
    ids=[
        "text as docx",
        "pdf as docx",
        "docx as pdf",
        "docx as odt",
        "ods as odt",
        "broken zip",
        "exe extension",
        "no extension",
    ],
)
def test_content_that_does_not_match_the_extension_is_refused(content, name, words) -> None:
    with pytest.raises(DocumentRefused, match=words):
        check(content, name)


def test_oversize_and_empty_files_are_refused(settings: Any) -> None:
    settings.HUB_DOCUMENT_MAX_BYTES = 100
    with pytest.raises(DocumentRefused, match="at most"):
        check(factories.SMALL_PDF + b" " * 100, "big.pdf")
    with pytest.raises(DocumentRefused, match="empty"):
        check(b"", "empty.pdf")


def test_a_zip_bomb_is_judged_by_its_directory_without_decompressing(monkeypatch) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\x00" * (20 * 1024 * 1024))
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def spy(self: zipfile.ZipFile, name: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(getattr(name, "filename", name))
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    content = buffer.getvalue()
    assert len(content) < 100_000
    assert check(content, "bomb.docx").kind == "docx"
    assert opened == []


def test_file_names_lose_paths_and_control_characters() -> None:
    assert documents.clean_name("..\\..\\C:\\evil\x00/agree\nment.pdf") == "agreement.pdf"
    assert documents.clean_name("") == "document"


# Through the service and the pages.


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


def _stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def detail(pk: int) -> str:
    return reverse("partnerships:partnership_detail", kwargs={"slug": "alpha", "pk": pk})


def upload(client: Client, pk: int, content: bytes, name: str, kind: str = "agreement") -> Any:
    return client.post(
        reverse("partnerships:document_upload", kwargs={"slug": "alpha", "pk": pk}),
        {"file": SimpleUploadedFile(name, content), "kind": kind},
    )


@pytest.mark.django_db
def test_member_uploads_a_pdf_and_downloads_it_as_an_attachment(
    client_a, affiliate_a, member_a, media
):
    p = factories.partnership(affiliate_a, actor=member_a)
    response = upload(client_a, p.pk, factories.SMALL_PDF, "Signed agreement.pdf")
    assert response.status_code == 302
    doc = Document.objects.get(partnership=p)
    assert doc.sha256 == __import__("hashlib").sha256(factories.SMALL_PDF).hexdigest()
    assert doc.original_name == "Signed agreement.pdf"
    assert "Signed agreement" not in doc.file.name  # stored under a random name
    assert len(_stored_files(media)) == 1
    page = client_a.get(detail(p.pk)).content.decode()
    assert "Signed agreement.pdf" in page
    response = client_a.get(
        reverse("partnerships:document_download", kwargs={"slug": "alpha", "pk": doc.pk})
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == factories.SMALL_PDF


@pytest.mark.django_db
def test_an_executable_renamed_pdf_is_refused_on_the_page_and_nothing_is_stored(
    client_a, affiliate_a, member_a, media
):
    p = factories.partnership(affiliate_a, actor=member_a)
    response = upload(client_a, p.pk, ELF, "agreement.pdf")
    assert response.status_code == 200
    assert "This file is a program, not a document" in response.content.decode()
    assert not Document.objects.exists()
    assert _stored_files(media) == []
    assert not AuditEvent.objects.filter(action="partnership.document_added").exists()


@pytest.mark.django_db
def test_a_docx_that_is_not_a_zip_is_refused_on_the_page(client_a, affiliate_a, member_a, media):
    p = factories.partnership(affiliate_a, actor=member_a)
    response = upload(client_a, p.pk, b"Dear museum,", "letter.docx")
    assert response.status_code == 200
    assert "not a DOCX document" in response.content.decode()
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_an_oversize_upload_is_refused(client_a, affiliate_a, member_a, media, settings):
    settings.HUB_DOCUMENT_MAX_BYTES = 1024
    p = factories.partnership(affiliate_a, actor=member_a)
    response = upload(client_a, p.pk, factories.SMALL_PDF + b"\n" * 2000, "big.pdf")
    assert response.status_code == 200
    assert "documents may be at most" in response.content.decode()
    assert _stored_files(media) == []


@pytest.mark.django_db
def test_a_document_is_served_only_to_its_affiliate(
    client_a, client_b, affiliate_a, member_a, media
):
    p = factories.partnership(affiliate_a, actor=member_a)
    doc = factories.document(p, actor=member_a)
    for slug in ("alpha", "beta"):
        url = reverse("partnerships:document_download", kwargs={"slug": slug, "pk": doc.pk})
        assert client_b.get(url).status_code == 404
    url = reverse("partnerships:document_download", kwargs={"slug": "alpha", "pk": doc.pk})
    assert Client().get(url).status_code == 302
    assert client_a.get(url).status_code == 200


@pytest.mark.django_db
def test_deleting_a_document_removes_the_row_and_the_file(
    client_a, affiliate_a, member_a, media, django_capture_on_commit_callbacks
):
    p = factories.partnership(affiliate_a, actor=member_a)
    doc = factories.document(p, actor=member_a, content=docx_bytes(), name="note.docx")
    assert len(_stored_files(media)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(
            reverse("partnerships:document_delete", kwargs={"slug": "alpha", "pk": doc.pk})
        )
    assert response.status_code == 302
    assert not Document.objects.exists()
    assert _stored_files(media) == []
    assert AuditEvent.objects.filter(action="partnership.document_deleted").exists()


@pytest.mark.django_db
def test_a_viewer_cannot_upload_or_delete(affiliate_a, member_a, viewer_a, media):
    p = factories.partnership(affiliate_a, actor=member_a)
    doc = factories.document(p, actor=member_a)
    client = Client()
    client.force_login(viewer_a)
    assert upload(client, p.pk, factories.SMALL_PDF, "a.pdf").status_code == 403
    url = reverse("partnerships:document_delete", kwargs={"slug": "alpha", "pk": doc.pk})
    assert client.post(url).status_code == 403
    assert Document.objects.count() == 1
    page = client.get(detail(p.pk)).content.decode()
    assert "multipart/form-data" not in page
    assert "Delete agreement.pdf" not in page


@pytest.mark.django_db
def test_the_service_refuses_an_unknown_kind_before_storing(affiliate_a, member_a, media):
    p = factories.partnership(affiliate_a, actor=member_a)
    with pytest.raises(Exception, match="not a kind of document"):
        services.add_document(
            actor=member_a,
            partnership=p,
            stream=io.BytesIO(factories.SMALL_PDF),
            name="a.pdf",
            size=len(factories.SMALL_PDF),
            kind="secret",
        )
    assert _stored_files(media) == []


@pytest.mark.django_db
def test_a_document_whose_file_is_lost_answers_404_not_500(client_a, affiliate_a, member_a, media):
    p = factories.partnership(affiliate_a, actor=member_a)
    doc = factories.document(p, actor=member_a)
    Path(doc.file.path).unlink()
    url = reverse("partnerships:document_download", kwargs={"slug": "alpha", "pk": doc.pk})
    assert client_a.get(url).status_code == 404
