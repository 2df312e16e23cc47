"""Check a library file by its bytes: PDF, ODT, DOCX, PPTX, ODP or an image, nothing else.

The name's extension must agree with the content; an encrypted or unreadable PDF, an image
that is not one, and a ZIP that would unpack to far more than it weighs are refused with words
that say what to do.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from hub.partnerships.documents import clean_name

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "odt": "application/vnd.oasis.opendocument.text",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
}
IMAGES = {"png", "jpeg", "gif", "webp"}
OFFICE = {"odt", "odp", "docx", "pptx"}
EXTENSIONS = {
    "pdf": "pdf",
    "odt": "odt",
    "odp": "odp",
    "docx": "docx",
    "pptx": "pptx",
    "png": "png",
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "gif": "gif",
    "webp": "webp",
}
ACCEPT = ",".join(f".{ext}" for ext in EXTENSIONS)
_ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}
_PROGRAM_MAGIC = (
    b"MZ",
    b"\x7fELF",
    b"\xfe\xed\xfa",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",
)
# A real office file has tens or hundreds of members and unpacks to a few times its size.
MAX_ZIP_MEMBERS = 5000
MAX_ZIP_RATIO = 100
MAX_UNPACKED_BYTES = 200 * 1024 * 1024


class FileRefused(ValidationError):
    """A file the library does not keep; the message says why and what to do."""


@dataclass(frozen=True)
class CheckedFile:
    """What the check found: the kind, its content type, the size and a clean name."""

    kind: str
    content_type: str
    size: int
    name: str


def max_bytes() -> int:
    """Return the largest library file accepted, in bytes."""
    return int(getattr(settings, "HUB_LIBRARY_MAX_BYTES", 20 * 1024 * 1024))


def _zip_kind(stream: IO[bytes]) -> str | None:
    """Return odt, odp, docx or pptx from the ZIP's directory (and ODF's stored mimetype)."""
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
            if not members or len(members) > MAX_ZIP_MEMBERS:
                return None
            first = members[0]
            if first.filename == "mimetype" and first.file_size < 100:
                with archive.open(first) as member:
                    kind = _ODF_MIMETYPES.get(member.read(100).strip())
                if kind:
                    return kind
            names = {m.filename for m in members}
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return "docx"
            if "[Content_Types].xml" in names and "ppt/presentation.xml" in names:
                return "pptx"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        return None
    except (NotImplementedError, KeyError, RuntimeError):
        return None
    return None


def sniff(stream: IO[bytes]) -> str | None:
    """Return the kind the bytes say (a key of CONTENT_TYPES, "program" or None)."""
    stream.seek(0)
    head = stream.read(16)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(stream)
        stream.seek(0)
        return kind
    if head.startswith(_PROGRAM_MAGIC):
        return "program"
    return None


def _check_zip(stream: IO[bytes], size: int) -> None:
    """Refuse a ZIP that claims to unpack to far more than it weighs (a ZIP bomb)."""
    stream.seek(0)
    with zipfile.ZipFile(stream) as archive:
        unpacked = sum(member.file_size for member in archive.infolist())
    stream.seek(0)
    if unpacked > MAX_UNPACKED_BYTES or unpacked > max(size, 1) * MAX_ZIP_RATIO:
        raise FileRefused(
            _(
                "This file would unpack to %(mb)s MB from %(size)s KB: it is built to exhaust "
                "the server (a “ZIP bomb”), not a real document. It was not stored."
            )
            % {"mb": f"{unpacked / 1048576:,.0f}", "size": f"{size / 1024:,.0f}"},
            code="zip_bomb",
        )


def _check_pdf(stream: IO[bytes]) -> None:
    """Refuse an encrypted PDF (nothing can be read from it) and one that cannot be read."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    stream.seek(0)
    try:
        reader = PdfReader(stream)
        if reader.is_encrypted:
            raise FileRefused(
                _(
                    "This PDF is protected with a password, so the library cannot show or "
                    "search it. Save a copy without the password and upload that."
                ),
                code="encrypted",
            )
        if len(reader.pages) == 0:
            raise PyPdfError("no pages")
    except FileRefused:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError):
        raise FileRefused(
            _(
                "This PDF is damaged and cannot be read. Export it again from the program "
                "that made it and upload the new copy."
            ),
            code="malformed",
        ) from None
    finally:
        stream.seek(0)


def _check_image(stream: IO[bytes]) -> None:
    """Refuse an image Pillow cannot read, or one too large to draw a preview of."""
    from PIL import Image

    stream.seek(0)
    try:
        with Image.open(stream) as image:
            image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise FileRefused(
            _(
                "This image is too large to show. Make it smaller (say 4,000 pixels wide) "
                "and upload it again."
            ),
            code="image_too_large",
        ) from None
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for a damaged file
        raise FileRefused(
            _("This image is damaged and cannot be shown. Save it again and upload the copy."),
            code="malformed",
        ) from None
    finally:
        stream.seek(0)


def check_file(stream: IO[bytes], name: str, size: int) -> CheckedFile:
    """Return what the file is; raise FileRefused unless the library can keep and read it."""
    name = clean_name(name)
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    limit = max_bytes()
    if size <= 0:
        raise FileRefused(_("The file is empty."), code="empty")
    if size > limit:
        raise FileRefused(
            _("The file is %(size)s MB; library files may be at most %(limit)s MB.")
            % {"size": f"{size / 1048576:.1f}", "limit": f"{limit / 1048576:.0f}"},
            code="too_big",
        )
    expected = EXTENSIONS.get(extension)
    if expected is None:
        raise FileRefused(
            _("Upload a PDF, ODT, DOCX, PPTX or ODP document, or a PNG, JPEG, GIF or WebP image."),
            code="extension",
        )
    kind = sniff(stream)
    if kind == "program":
        raise FileRefused(
            _("This file is a program, not a document, even though its name ends in .%(ext)s.")
            % {"ext": extension},
            code="program",
        )
    if kind != expected:
        raise FileRefused(
            _(
                "The file is called .%(ext)s but its content is not a %(kind)s file. Save it "
                "again from the program that made it, in the format its name says."
            )
            % {"ext": extension, "kind": extension.upper()},
            code="mismatch",
        )
    if kind in OFFICE:
        _check_zip(stream, size)
    elif kind == "pdf":
        _check_pdf(stream)
    else:
        _check_image(stream)
    return CheckedFile(kind=kind, content_type=CONTENT_TYPES[kind], size=size, name=name)
