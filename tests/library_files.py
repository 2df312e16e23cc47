"""Real library files made in tests: PDF (reportlab), DOCX, PPTX, ODT, ODP (ZIP + XML), images."""

from __future__ import annotations

import io
import zipfile
from typing import Any
from xml.sax.saxutils import escape

from django.core.files.uploadedfile import SimpleUploadedFile

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)


def pdf(*pages: str, password: str = "") -> bytes:
    """Return a PDF with one page per text (reportlab), encrypted if a password is given."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    drawing = canvas.Canvas(out)
    for text in pages or ("Empty",):
        y = 800
        for line in text.splitlines() or [""]:
            drawing.drawString(72, y, line)
            y -= 16
        drawing.showPage()
    drawing.save()
    if not password:
        return out.getvalue()
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(out.getvalue())).pages:
        writer.add_page(page)
    writer.encrypt(password)
    locked = io.BytesIO()
    writer.write(locked)
    return locked.getvalue()


def _zip(members: list[tuple[str, bytes]], *, stored_first: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, data) in enumerate(members):
            kind = zipfile.ZIP_STORED if stored_first and index == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=kind)
    return out.getvalue()


def docx(*paragraphs: str) -> bytes:
    """Return a minimal Word document with these paragraphs."""
    body = "".join(f"<w:p><w:r><w:t>{escape(p)}</w:t></w:r></w:p>" for p in paragraphs)
    document = (
        f'<?xml version="1.0"?><w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'
    )
    return _zip(
        [("[Content_Types].xml", CONTENT_TYPES.encode()), ("word/document.xml", document.encode())]
    )


def pptx(*slides: str) -> bytes:
    """Return a minimal PowerPoint file, one slide per text."""
    members = [
        ("[Content_Types].xml", CONTENT_TYPES.encode()),
        ("ppt/presentation.xml", f'<p:presentation xmlns:p="{P}"/>'.encode()),
    ]
    for number, text in enumerate(slides, start=1):
        slide = (
            f'<p:sld xmlns:p="{P}" xmlns:a="{A}"><p:cSld><p:spTree><p:sp><p:txBody>'
            f"<a:p><a:r><a:t>{escape(text)}</a:t></a:r></a:p></p:txBody></p:sp></p:spTree>"
            "</p:cSld></p:sld>"
        )
        members.append((f"ppt/slides/slide{number}.xml", slide.encode()))
    return _zip(members)


def odf(kind: str, *paragraphs: str) -> bytes:
    """Return a minimal OpenDocument text (odt) or presentation (odp)."""
    mimetype = {
        "odt": "application/vnd.oasis.opendocument.text",
        "odp": "application/vnd.oasis.opendocument.presentation",
    }[kind]
    body = "".join(f"<text:p>{escape(p)}</text:p>" for p in paragraphs)
    content = (
        f'<?xml version="1.0"?><office:document-content xmlns:office="{OFFICE}" '
        f'xmlns:text="{TEXT}"><office:body><office:text>{body}</office:text></office:body>'
        "</office:document-content>"
    )
    return _zip(
        [("mimetype", mimetype.encode()), ("content.xml", content.encode())], stored_first=True
    )


def docx_bomb() -> bytes:
    """Return a DOCX whose document.xml unpacks to 60 MB of zeros from about 60 KB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(60):
                member.write(chunk)
    return out.getvalue()


def png(width: int = 40, height: int = 30, colour: str = "red") -> bytes:
    """Return a small PNG image."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    """Return the bytes as a file a form receives."""
    return SimpleUploadedFile(name, data)


def stream(name: str, data: bytes) -> tuple[Any, str, int]:
    """Return the (stream, name, size) a service takes."""
    return io.BytesIO(data), name, len(data)


def use_temporary_media(settings: Any, folder: Any) -> None:
    """Keep uploaded files and previews in a temporary folder for the test."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }


def real_docx(heading: str) -> bytes:
    """Return a Word document as python-docx writes it: styles, settings and a large heading."""
    import docx as python_docx

    document = python_docx.Document()
    document.add_heading(heading, level=0)
    document.add_paragraph("Wikimedia partnership " * 20)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def real_odf(kind: str, heading: str) -> bytes:
    """Return an OpenDocument text (odt) or presentation (odp) as odfpy writes it."""
    from odf.draw import Frame, Page, TextBox
    from odf.opendocument import OpenDocumentPresentation, OpenDocumentText
    from odf.style import MasterPage, PageLayout, PageLayoutProperties
    from odf.text import H, P

    if kind == "odt":
        document = OpenDocumentText()
        document.text.addElement(H(outlinelevel=1, text=heading))
        document.text.addElement(P(text="Wikimedia partnership " * 20))
    else:
        document = OpenDocumentPresentation()
        layout = PageLayout(name="slide")
        layout.addElement(PageLayoutProperties(pagewidth="28cm", pageheight="21cm"))
        document.automaticstyles.addElement(layout)
        master = MasterPage(name="default", pagelayoutname=layout)
        document.masterstyles.addElement(master)
        page = Page(masterpagename=master)
        frame = Frame(width="24cm", height="6cm", x="2cm", y="2cm")
        box = TextBox()
        box.addElement(P(text=heading))
        frame.addElement(box)
        page.addElement(frame)
        document.presentation.addElement(page)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def converted(data: bytes, source_kind: str, target_kind: str, folder: Any) -> bytes:
    """Return a file saved again by LibreOffice in another format (an ODP as PowerPoint)."""
    import subprocess
    from pathlib import Path

    from hub.library.extraction import office_tool

    office = office_tool()
    assert office, "LibreOffice is needed"
    folder = Path(folder)
    source = folder / f"source.{source_kind}"
    source.write_bytes(data)
    subprocess.run(  # noqa: S603 - the test's own temporary files
        [office, f"-env:UserInstallation=file://{folder}/profile", "--headless",
         "--convert-to", target_kind, "--outdir", str(folder / "out"), str(source)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return (folder / "out" / f"source.{target_kind}").read_bytes()
