"""Read a library file's text (for search) and draw its first page (the preview).

Text: pypdf for PDF; the ZIP's XML through defusedxml for DOCX, PPTX, ODT and ODP, each member
read with a byte cap so a file that slipped past the check cannot exhaust memory. Preview:
Debian's poppler-utils (pdftoppm) draws a PDF's first page; LibreOffice, when installed,
converts an office file to PDF first; Pillow shrinks an image. Both run in tasks, never in the
web request.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess  # noqa: S404 - fixed argument lists, no shell
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

from defusedxml import ElementTree

MAX_TEXT_CHARS = 500_000
MAX_PDF_PAGES = 300
MAX_MEMBER_BYTES = 20 * 1024 * 1024
PREVIEW_WIDTH = 480
TOOL_SECONDS = 120


class ExtractionFailed(Exception):
    """The file could not be read; the message is shown to the person who uploaded it."""


def _clip(text: str) -> str:
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    text = re.sub(r"\n\s*\n+", "\n\n", text)
    return text.strip()[:MAX_TEXT_CHARS]


def pdf_text(data: bytes) -> str:
    """Return the text of a PDF's pages (the first MAX_PDF_PAGES)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ExtractionFailed("encrypted")
        parts: list[str] = []
        size = 0
        for page in reader.pages[:MAX_PDF_PAGES]:
            part = page.extract_text() or ""
            parts.append(part)
            size += len(part)
            if size > MAX_TEXT_CHARS:
                break
    except ExtractionFailed:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError):
        raise ExtractionFailed("malformed") from None
    return _clip("\n\n".join(parts))


def _read_member(archive: zipfile.ZipFile, name: str) -> bytes:
    with archive.open(name) as member:
        data = member.read(MAX_MEMBER_BYTES + 1)
    if len(data) > MAX_MEMBER_BYTES:
        raise ExtractionFailed("too large")
    return data


def _xml_paragraphs(data: bytes, paragraph_tags: set[str]) -> Iterator[str]:
    """Yield the text of each paragraph element (its descendants' text joined)."""
    root = ElementTree.fromstring(data)
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag in paragraph_tags:
            yield "".join(element.itertext())


def _natural(name: str) -> tuple[int, str]:
    digits = re.findall(r"\d+", name)
    return (int(digits[-1]) if digits else 0, name)


def zip_text(data: bytes, kind: str) -> str:
    """Return the text of a DOCX, PPTX, ODT or ODP file."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if kind == "docx":
                members, tags = ["word/document.xml"], {"p"}
            elif kind == "pptx":
                slides = [n for n in names if re.fullmatch(r"ppt/slides/slide\d+\.xml", n)]
                members, tags = sorted(slides, key=_natural), {"p"}
            else:  # odt, odp
                members, tags = ["content.xml"], {"p", "h"}
            paragraphs: list[str] = []
            for name in members:
                paragraphs.extend(_xml_paragraphs(_read_member(archive, name), tags))
    except ExtractionFailed:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError, RuntimeError):
        raise ExtractionFailed("malformed") from None
    except ElementTree.ParseError:
        raise ExtractionFailed("malformed") from None
    except Exception as error:  # defusedxml refuses entity tricks with its own errors
        if type(error).__module__.startswith("defusedxml"):
            raise ExtractionFailed("malformed") from None
        raise
    return _clip("\n".join(p for p in paragraphs if p.strip()))


def extract_text(data: bytes, kind: str) -> str:
    """Return the text to search in a file of this kind ("" for images)."""
    if kind == "pdf":
        return pdf_text(data)
    if kind in {"docx", "pptx", "odt", "odp"}:
        return zip_text(data, kind)
    return ""


def _run(arguments: list[str], cwd: str) -> None:
    try:
        subprocess.run(  # noqa: S603 - a fixed program and our own temporary paths
            arguments, cwd=cwd, check=True, capture_output=True, timeout=TOOL_SECONDS
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError):
        raise ExtractionFailed("tool failed") from None


def office_tool() -> str | None:
    """Return LibreOffice's command if it is installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def can_preview(kind: str) -> bool:
    """Return True if this machine has what it takes to draw a preview of this kind."""
    if kind in {"png", "jpeg", "gif", "webp"}:
        return True
    if not shutil.which("pdftoppm"):
        return False
    return kind == "pdf" or office_tool() is not None


def _pdf_first_page(pdf: Path, folder: Path) -> bytes:
    tool = shutil.which("pdftoppm")
    if not tool:
        raise ExtractionFailed("pdftoppm missing")
    out = folder / "preview"
    _run(
        [tool, "-png", "-f", "1", "-l", "1", "-singlefile", "-scale-to-x", str(PREVIEW_WIDTH),
         "-scale-to-y", "-1", str(pdf), str(out)],
        str(folder),
    )  # fmt: skip
    return (folder / "preview.png").read_bytes()


def _image_preview(data: bytes) -> bytes:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.seek(0)
            picture = image.convert("RGB")
            picture.thumbnail((PREVIEW_WIDTH, PREVIEW_WIDTH * 2))
            out = io.BytesIO()
            picture.save(out, format="PNG", optimize=True)
            return out.getvalue()
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for a damaged file
        raise ExtractionFailed("malformed image") from None


def preview_png(data: bytes, kind: str) -> bytes:
    """Return a PNG of the file's first page (or the image itself, smaller)."""
    if kind in {"png", "jpeg", "gif", "webp"}:
        return _image_preview(data)
    with tempfile.TemporaryDirectory(prefix="hub-library-") as tmp:
        folder = Path(tmp)
        source = folder / f"source.{kind}"
        source.write_bytes(data)
        if kind != "pdf":
            office = office_tool()
            if not office:
                raise ExtractionFailed("LibreOffice missing")
            _run(
                [office, f"-env:UserInstallation=file://{folder}/profile", "--headless",
                 "--convert-to", "pdf", "--outdir", str(folder), str(source)],
                str(folder),
            )  # fmt: skip
            source = folder / "source.pdf"
            if not source.exists():
                raise ExtractionFailed("conversion failed")
        return _pdf_first_page(source, folder)
