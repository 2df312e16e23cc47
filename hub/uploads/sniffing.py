"""Tell a file's real type from its bytes, never its name, and find scripts hidden in SVGs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from django.utils.translation import gettext as _

HEAD_BYTES = 64 * 1024


@dataclass(frozen=True)
class Sniffed:
    """A file's type as its bytes say: MIME type, usual extension, and whether Commons takes it."""

    mime: str
    extension: str  # "" when unknown
    commons_ok: bool
    label: str  # in words: "a PNG image"
    # Other extensions a file of this type may carry on Commons ("jpeg" for "jpg").
    aliases: frozenset[str] = field(default_factory=frozenset)

    def accepts_extension(self, extension: str) -> bool:
        """Return whether a file name ending in this extension tells the truth about the type."""
        extension = extension.lower().lstrip(".")
        return bool(self.extension) and (extension == self.extension or extension in self.aliases)


def _kind(mime: str, extension: str, label: str, *aliases: str, ok: bool = True) -> Sniffed:
    return Sniffed(mime, extension, ok, label, frozenset(aliases))


JPEG = _kind("image/jpeg", "jpg", "a JPEG image", "jpeg", "jpe")
PNG = _kind("image/png", "png", "a PNG image")
GIF = _kind("image/gif", "gif", "a GIF image")
TIFF = _kind("image/tiff", "tif", "a TIFF image", "tiff")
PDF = _kind("application/pdf", "pdf", "a PDF document")
SVG = _kind("image/svg+xml", "svg", "an SVG drawing")
WEBP = _kind("image/webp", "webp", "a WebP image")
DJVU = _kind("image/vnd.djvu", "djvu", "a DjVu document", "djv")
OGG = _kind("application/ogg", "ogg", "an Ogg audio or video file", "oga", "ogv", "opus")
WEBM = _kind("video/webm", "webm", "a WebM video")
FLAC = _kind("audio/flac", "flac", "a FLAC sound file")
WAV = _kind("audio/wav", "wav", "a WAV sound file")
MP3 = _kind("audio/mpeg", "mp3", "an MP3 sound file")
MIDI = _kind("audio/midi", "mid", "a MIDI file", "midi", "kar")
UNKNOWN = _kind("application/octet-stream", "", "a file of unknown type", ok=False)
# What Commons refuses, named so the message says what the file really is.
EXECUTABLE = _kind("application/x-executable", "", "a program (executable)", ok=False)
ZIP = _kind("application/zip", "", "a ZIP archive (or an Office document)", ok=False)
HTML = _kind("text/html", "", "a web page (HTML)", ok=False)
ARCHIVE = _kind("application/x-archive", "", "a compressed archive", ok=False)
MATROSKA = _kind("video/x-matroska", "", "a Matroska (MKV) video", ok=False)
OLE = _kind("application/x-ole-storage", "", "an old Office document", ok=False)
EMPTY = _kind("application/x-empty", "", "an empty file", ok=False)

_ACCEPTED = (JPEG, PNG, GIF, TIFF, PDF, SVG, WEBP, DJVU, OGG, WEBM, FLAC, WAV, MP3, MIDI)


def kind_for_extension(extension: str) -> Sniffed | None:
    """Return the accepted type a file extension stands for ("jpeg" → JPEG), or None."""
    extension = extension.lower().lstrip(".")
    return next((kind for kind in _ACCEPTED if kind.accepts_extension(extension)), None)


_MAGIC: tuple[tuple[bytes, Sniffed], ...] = (
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
    (b"II*\x00", TIFF),
    (b"MM\x00*", TIFF),
    (b"%PDF-", PDF),
    (b"OggS", OGG),
    (b"fLaC", FLAC),
    (b"MThd", MIDI),
    (b"ID3", MP3),
    (b"MZ", EXECUTABLE),
    (b"\x7fELF", EXECUTABLE),
    (b"\xca\xfe\xba\xbe", EXECUTABLE),
    (b"\xfe\xed\xfa\xce", EXECUTABLE),
    (b"\xfe\xed\xfa\xcf", EXECUTABLE),
    (b"\xce\xfa\xed\xfe", EXECUTABLE),
    (b"\xcf\xfa\xed\xfe", EXECUTABLE),
    (b"#!", EXECUTABLE),
    (b"PK\x03\x04", ZIP),
    (b"PK\x05\x06", ZIP),
    (b"Rar!", ARCHIVE),
    (b"7z\xbc\xaf\x27\x1c", ARCHIVE),
    (b"\x1f\x8b", ARCHIVE),
    (b"\xd0\xcf\x11\xe0", OLE),
)
_HTML_RE = re.compile(rb"<\s*(!doctype\s+html|html|head|body|script|iframe)[\s>/]", re.I)
_SVG_NS = "{http://www.w3.org/2000/svg}"


def sniff_bytes(head: bytes) -> Sniffed:
    """Return the type of a file from its first bytes (64 KB is plenty)."""
    if not head:
        return EMPTY
    if head[:4] == b"RIFF" and head[8:12] in (b"WEBP", b"WAVE"):
        return WEBP if head[8:12] == b"WEBP" else WAV
    if head[:8] == b"AT&TFORM" and head[12:16] in (b"DJVU", b"DJVM", b"DJVI"):
        return DJVU
    if head[:4] == b"\x1a\x45\xdf\xa3":  # EBML: WebM, or Matroska which Commons refuses
        return WEBM if b"webm" in head[:64] else MATROSKA
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06:
        return MP3  # an MPEG audio frame without an ID3 tag
    return _sniff_text(head)


def _sniff_text(head: bytes) -> Sniffed:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text.startswith(b"<"):
        return UNKNOWN
    if _HTML_RE.search(head[:4096]) and b"<svg" not in head[:4096].lower():
        return HTML
    # XML: look at the root element only (comments, a doctype and <?xml?> may come first).
    try:
        for _event, element in SafeET.iterparse(_Prefix(head), events=("start",)):
            return SVG if element.tag in (f"{_SVG_NS}svg", "svg") else UNKNOWN
    except (ParseError, DefusedXmlException, ValueError):
        # Cut off mid-file (only the head is read) or declares entities: judge the root tag.
        match = re.search(rb"<(?![?!])\s*([\w:.-]+)", text)
        if match and match.group(1).lower().rsplit(b":", 1)[-1] == b"svg":
            return SVG
    return UNKNOWN


class _Prefix:
    """A file-like view of bytes for iterparse."""

    def __init__(self, data: bytes) -> None:
        self._data, self._position = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else self._position + size
        chunk = self._data[self._position : end]
        self._position += len(chunk)
        return chunk


def sniff(path: Path) -> Sniffed:
    """Return a file's real type, read from its first bytes."""
    with path.open("rb") as handle:
        return sniff_bytes(handle.read(HEAD_BYTES))


# --- SVG ---------------------------------------------------------------------------------------

_XLINK = "{http://www.w3.org/1999/xlink}href"
_DANGEROUS_ELEMENTS = {"script", "foreignobject", "iframe", "embed", "object", "handler"}
_SAFE_DATA_RE = re.compile(r"^data:image/(png|jpe?g|gif|webp);", re.I)
_URL_IN_STYLE_RE = re.compile(r"url\s*\(\s*['\"]?\s*(?!#|data:image/)([^)'\"\s]+)|@import", re.I)


def _problem(message: str) -> dict[str, str]:
    return {"level": "error", "field": "file", "message": message}


def svg_problems(path: Path) -> list[dict[str, str]]:
    """Return what makes an SVG unsafe for Commons: scripts, event handlers, external parts."""
    found: dict[str, str] = {}

    def note(key: str, message: str) -> None:
        found.setdefault(key, message)

    with path.open("rb") as handle:
        if b"<?xml-stylesheet" in handle.read(HEAD_BYTES):
            note("external", _external())
    try:
        with path.open("rb") as handle:
            for _event, element in SafeET.iterparse(handle, events=("start",)):
                local = str(element.tag).rsplit("}", 1)[-1].lower()
                if local in _DANGEROUS_ELEMENTS:
                    note(
                        "script",
                        _(
                            "The SVG drawing contains a script or embedded web content "
                            "(<%(tag)s>). Commons refuses such files: remove it with a drawing "
                            "program and save the file again."
                        )
                        % {"tag": local},
                    )
                if local == "style" and _URL_IN_STYLE_RE.search(element.text or ""):
                    note("external", _external())
                for name, value in element.attrib.items():
                    attr = str(name).rsplit("}", 1)[-1].lower()
                    value = value.strip()
                    if attr.startswith("on"):
                        note(
                            "handler",
                            _(
                                "The SVG drawing has an event handler (%(attr)s), a kind of "
                                "script that Commons refuses. Remove it and save again."
                            )
                            % {"attr": attr},
                        )
                    elif name in ("href", _XLINK) or attr == "href":
                        if re.match(r"^\s*(javascript|vbscript)\s*:", value, re.I):
                            note("handler", _("The SVG drawing links to a script (javascript:)."))
                        elif value and not value.startswith("#") and local != "a":
                            if not _SAFE_DATA_RE.match(value):
                                note("external", _external())
                    elif attr == "style" and _URL_IN_STYLE_RE.search(value):
                        note("external", _external())
    except DefusedXmlException:
        return [
            _problem(
                _(
                    "The SVG file declares XML entities, which Commons and the Hub refuse. Save "
                    "it again from a drawing program."
                )
            )
        ]
    except ParseError as exc:
        return [
            _problem(
                _(
                    "The SVG file is not valid XML (line %(line)s). Save it again from a "
                    "drawing program."
                )
                % {"line": exc.position[0]}
            )
        ]
    return [_problem(message) for message in found.values()]


def _external() -> str:
    return _(
        "The SVG drawing loads something from outside the file (an image, a font or a style "
        "sheet at another address). Commons refuses this: embed it in the file or remove it."
    )
