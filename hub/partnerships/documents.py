"""Check an uploaded document by its content: PDF, DOCX or ODT, never a program in disguise."""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
}
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# A real document has tens or hundreds of members; more than this is not one we want to list.
MAX_ZIP_MEMBERS = 5000
_PROGRAM_MAGIC = (
    b"MZ",  # Windows executables (PE)
    b"\x7fELF",  # Linux executables
    b"\xfe\xed\xfa",  # Mach-O
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",  # scripts
)
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


class DocumentRefused(ValidationError):
    """An upload that is not a document the Hub keeps; the message says what to do."""


@dataclass(frozen=True)
class CheckedDocument:
    """What the content check found: the kind, its content type, size and sha256."""

    kind: str
    content_type: str
    size: int
    sha256: str
    name: str


def max_bytes() -> int:
    """Return the largest document the Hub accepts, in bytes."""
    return int(getattr(settings, "HUB_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024))


def clean_name(name: str) -> str:
    """Return a file name safe to show and to offer for download: no path, no control codes."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE_NAME.sub("", base).strip().strip(".") or "document"
    if len(base) > 200:
        stem, dot, ext = base.rpartition(".")
        base = (stem[:190] + dot + ext) if dot and len(ext) <= 8 else base[:200]
    return base


def _zip_kind(stream: IO[bytes]) -> str | None:
    """Return docx or odt from the zip's central directory, or None; decompress nothing big.

    Only the names in the central directory are read, and for ODT the first member, which the
    format stores uncompressed and a few dozen bytes long, so a zip bomb costs nothing.
    """
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
            if not members or len(members) > MAX_ZIP_MEMBERS:
                return None
            names = {m.filename for m in members}
            first = members[0]
            if (
                first.filename == "mimetype"
                and first.compress_type == zipfile.ZIP_STORED
                and first.file_size == len(ODT_MIMETYPE)
                and first.compress_size == len(ODT_MIMETYPE)
            ):
                with archive.open(first) as member:
                    if member.read(len(ODT_MIMETYPE) + 1) == ODT_MIMETYPE:
                        return "odt"
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return "docx"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        return None
    except (NotImplementedError, KeyError, RuntimeError):
        return None
    return None


def sniff(stream: IO[bytes]) -> str | None:
    """Return pdf, docx, odt, program or None, judging by the bytes alone."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(stream)
        stream.seek(0)
        return kind
    if head.startswith(_PROGRAM_MAGIC):
        return "program"
    return None


def _sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    stream.seek(0)
    for chunk in iter(lambda: stream.read(64 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def check_document(stream: IO[bytes], name: str, size: int) -> CheckedDocument:
    """Return what the file is; raise DocumentRefused unless it is a PDF, DOCX or ODT whose
    extension matches its content and whose size is within the limit."""
    name = clean_name(name)
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    limit = max_bytes()
    if size <= 0:
        raise DocumentRefused(_("The file is empty."), code="empty")
    if size > limit:
        raise DocumentRefused(
            _("The file is %(size)s MB; documents may be at most %(limit)s MB.")
            % {"size": f"{size / 1048576:.1f}", "limit": f"{limit / 1048576:.0f}"},
            code="too_big",
        )
    if extension not in CONTENT_TYPES:
        raise DocumentRefused(
            _("Upload a PDF, a Word document (.docx) or an OpenDocument text (.odt)."),
            code="extension",
        )
    kind = sniff(stream)
    if kind == "program":
        raise DocumentRefused(
            _(
                "This file is a program, not a document, even though its name ends in "
                ".%(ext)s. It was not stored."
            )
            % {"ext": extension},
            code="program",
        )
    if kind != extension:
        raise DocumentRefused(
            _(
                "The file is called .%(ext)s but its content is not a %(kind)s document. "
                "Save it again from your word processor as PDF, DOCX or ODT."
            )
            % {"ext": extension, "kind": extension.upper()},
            code="mismatch",
        )
    return CheckedDocument(
        kind=kind,
        content_type=CONTENT_TYPES[kind],
        size=size,
        sha256=_sha256(stream),
        name=name,
    )
