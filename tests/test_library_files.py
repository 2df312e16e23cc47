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
    affiliate_a: Any, member_a: Any, settings: Any, tmp_path: Any
) -> None:
    lf.use_temporary_media(settings, tmp_path)
    resource = services.create_resource(
        actor=member_a,
        affiliate=affiliate_a,
        title="Slides",
        kind="promotional",
        upload=lf.stream("talk.pptx", lf.pptx("Wikidata for archives")),
    )
    assert resource.file_status == FileStatus.PENDING
    assert processing.process_file(resource_id=resource.pk) == FileStatus.READY
    assert processing.process_file(resource_id=resource.pk) == FileStatus.READY
    resource.refresh_from_db()
    assert "Wikidata for archives" in resource.extracted_text
    assert resource.file_name == "talk.pptx"
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
