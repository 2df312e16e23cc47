"""Library files: the type read from the bytes, text extraction, previews, refused files."""

from __future__ import annotations

import io
import shutil
from typing import Any

import pytest

from hub.library import extraction, files, processing, services
from hub.library.models import FileStatus, Resource
from tests import library_files as lf


def check(name: str, data: bytes) -> files.CheckedFile:
    return files.check_file(io.BytesIO(data), name, len(data))


def refused(name: str, data: bytes) -> files.FileRefused:
    with pytest.raises(files.FileRefused) as caught:
        check(name, data)
    return caught.value


@pytest.mark.parametrize(
    ("name", "data", "kind", "text"),
    [
        ("a.pdf", lf.pdf("Museum partnership", "Second page"), "pdf", "Second page"),
        ("a.docx", lf.docx("Rijksmuseum", "Agreement é"), "docx", "Agreement é"),
        ("a.pptx", lf.pptx("Slide one", "Slide two"), "pptx", "Slide two"),
        ("a.odt", lf.odf("odt", "Écoles", "Bibliothèques"), "odt", "Bibliothèques"),
        ("a.odp", lf.odf("odp", "Présentation"), "odp", "Présentation"),
        ("a.png", lf.png(), "png", ""),
    ],
)
def test_reads_the_kind_and_the_text(name: str, data: bytes, kind: str, text: str) -> None:
    assert check(name, data).kind == kind
    extracted = extraction.extract_text(data, kind)
    assert text in extracted
    if kind == "pdf":
        assert "Museum partnership" in extracted


def test_a_file_whose_type_lies_is_refused() -> None:
    error = refused("report.docx", lf.pdf("I am a PDF"))
    assert error.code == "mismatch"
    assert "not a DOCX file" in error.message
    assert refused("photo.png", lf.docx("x")).code == "mismatch"
    assert refused("setup.pdf", b"MZ\x90\x00" + b"\0" * 100).code == "program"
    assert refused("script.exe", b"#!/bin/sh\n").code == "extension"


def test_an_encrypted_pdf_is_refused_with_what_to_do() -> None:
    error = refused("locked.pdf", lf.pdf("secret", password="s3cret"))
    assert error.code == "encrypted"
    assert "password" in error.message


def test_a_malformed_pdf_is_refused() -> None:
    assert refused("broken.pdf", b"%PDF-1.7\n1 0 obj <<\n").code == "malformed"


def test_a_docx_zip_bomb_is_refused_without_unpacking() -> None:
    error = refused("bomb.docx", lf.docx_bomb())
    assert error.code == "zip_bomb"
    assert "ZIP bomb" in error.message


def test_extraction_caps_what_it_reads_from_a_member() -> None:
    with pytest.raises(extraction.ExtractionFailed):
        extraction.zip_text(lf.docx_bomb(), "docx")


def test_xml_entity_tricks_are_refused() -> None:
    billion = (
        '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><w:document '
        f'xmlns:w="{lf.W}"><w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>'
    )
    data = lf._zip(
        [
            ("[Content_Types].xml", lf.CONTENT_TYPES.encode()),
            ("word/document.xml", billion.encode()),
        ]
    )
    with pytest.raises(extraction.ExtractionFailed):
        extraction.zip_text(data, "docx")


def test_empty_and_too_big_files_are_refused(settings: Any) -> None:
    assert refused("a.pdf", b"").code == "empty"
    settings.HUB_LIBRARY_MAX_BYTES = 100
    assert refused("a.pdf", lf.pdf("x")).code == "too_big"


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed")
def test_preview_of_a_pdf_first_page_is_a_png() -> None:
    from PIL import Image

    png = extraction.preview_png(lf.pdf("First", "Second"), "pdf")
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        assert image.width == extraction.PREVIEW_WIDTH


def test_preview_of_an_image_is_a_smaller_png() -> None:
    from PIL import Image

    png = extraction.preview_png(lf.png(2000, 1000), "png")
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (extraction.PREVIEW_WIDTH, extraction.PREVIEW_WIDTH // 2)


@pytest.mark.django_db
def test_the_task_fills_text_and_preview_and_survives_a_second_run(
    affiliate_a: Any,
    member_a: Any,
    settings: Any,
    tmp_path: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    lf.use_temporary_media(settings, tmp_path)
    resource = services.create_resource(
        actor=member_a,
        affiliate=affiliate_a,
        title="Slides",
        kind="promotional",
        upload=lf.stream("talk.docx", lf.real_docx("Wikidata for archives")),
    )
    assert resource.file_status == FileStatus.PENDING
    # The second run draws the preview again and deletes the first once committed.
    with django_capture_on_commit_callbacks(execute=True):
        assert processing.process_file(resource_id=resource.pk) == FileStatus.READY
        assert processing.process_file(resource_id=resource.pk) == FileStatus.READY
    resource.refresh_from_db()
    assert "Wikidata for archives" in resource.extracted_text
    assert resource.file_name == "talk.docx"
    # Nothing half-written: a refused file leaves no resource and no file behind.
    with pytest.raises(files.FileRefused):
        services.create_resource(
            actor=member_a,
            affiliate=affiliate_a,
            title="Bomb",
            kind="guideline",
            upload=lf.stream("bomb.docx", lf.docx_bomb()),
        )
    assert not Resource.objects.filter(title="Bomb").exists()
    stored = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(stored) == (2 if shutil.which("pdftoppm") and extraction.office_tool() else 1)


@pytest.mark.django_db
def test_adding_a_file_queues_its_reading_once_committed(
    affiliate_a: Any,
    member_a: Any,
    settings: Any,
    tmp_path: Any,
    django_capture_on_commit_callbacks,
) -> None:
    lf.use_temporary_media(settings, tmp_path)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        resource = services.create_resource(
            actor=member_a,
            affiliate=affiliate_a,
            title="Concept note",
            kind="template",
            upload=lf.stream("note.odt", lf.odf("odt", "A concept note for the ministry")),
        )
    assert callbacks  # the task went to the queue only after the commit
    resource.refresh_from_db()
    assert resource.file_status == FileStatus.READY
    assert "ministry" in resource.extracted_text


OFFICE = pytest.mark.skipif(
    not (shutil.which("pdftoppm") and extraction.office_tool()),
    reason="LibreOffice or poppler-utils not installed (make library-tools)",
)


def _ink_on_top(png: bytes) -> float:
    """Return the share of dark pixels in the upper third of a preview (where the title is)."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        assert image.width == extraction.PREVIEW_WIDTH
        grey = image.convert("L")
        top = grey.crop((0, 0, grey.width, grey.height // 3))
        histogram = top.histogram()
        return sum(histogram[:128]) / (top.width * top.height)


@OFFICE
@pytest.mark.parametrize("kind", ["docx", "odt", "odp", "pptx"])
def test_preview_of_an_office_file_shows_its_first_page(kind: str, tmp_path: Any) -> None:
    data = {
        "docx": lambda: lf.real_docx("Letter of intent"),
        "odt": lambda: lf.real_odf("odt", "Letter of intent"),
        "odp": lambda: lf.real_odf("odp", "Letter of intent"),
        "pptx": lambda: lf.converted(
            lf.real_odf("odp", "Letter of intent"), "odp", "pptx", tmp_path
        ),
    }[kind]()
    assert check(f"file.{kind}", data).kind == kind
    assert "Letter of intent" in extraction.extract_text(data, kind)
    assert extraction.can_preview(kind)
    # The title is drawn: a blank page would have no dark pixels at the top.
    assert _ink_on_top(extraction.preview_png(data, kind)) > 0.001


@OFFICE
def test_an_office_file_that_cannot_be_drawn_gets_no_preview_and_keeps_its_text() -> None:
    # A Word file whose document part is not XML: LibreOffice cannot draw it.
    broken = lf._zip(
        [("[Content_Types].xml", lf.CONTENT_TYPES.encode()), ("word/document.xml", b"\x00" * 64)]
    )
    with pytest.raises(extraction.ExtractionFailed):
        extraction.preview_png(broken, "docx")


@OFFICE
@pytest.mark.django_db
def test_an_uploaded_word_file_gets_a_preview_on_its_page(
    affiliate_a: Any, member_a: Any, client_a: Any, settings: Any, tmp_path: Any
) -> None:
    lf.use_temporary_media(settings, tmp_path)
    resource = services.create_resource(
        actor=member_a,
        affiliate=affiliate_a,
        title="Our letter of intent",
        kind="template",
        upload=lf.stream("letter.docx", lf.real_docx("Letter of intent")),
    )
    assert processing.process_file(resource_id=resource.pk) == FileStatus.READY
    resource.refresh_from_db()
    assert resource.preview
    page = client_a.get(f"/library/{resource.pk}/").content.decode()
    assert f"/library/{resource.pk}/preview.png" in page
    response = client_a.get(f"/library/{resource.pk}/preview.png")
    assert response.status_code == 200
    assert _ink_on_top(b"".join(response.streaming_content)) > 0.001
