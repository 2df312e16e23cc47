"""Remove where a photo was taken and the camera's serial numbers, without touching its pixels.

The metadata is edited where it lies: a tag is taken out of its directory (the entries after it
move up, the directory's length stays) and its value overwritten with zeros, so nothing else in
the file moves and maker notes that point into the metadata stay right. The GPS directory goes
whole. In a JPEG this happens inside the Exif segment, and the XMP packet loses the same facts;
a TIFF is edited in place. The image data is never decoded or re-encoded.
"""

from __future__ import annotations

import os
import re
import struct
import tempfile
from pathlib import Path

GPS_IFD = 0x8825
EXIF_IFD = 0x8769
# BodySerialNumber, LensSerialNumber (Exif 2.3) and CameraSerialNumber (DNG, TIFF/EP).
SERIAL_TAGS = frozenset({0xA431, 0xA435, 0xC62F})
_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
_XMP_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"
_XMP_NAMES = rb"(?:exif:GPS\w+|aux:SerialNumber|aux:LensSerialNumber|exifEX:BodySerialNumber|exifEX:LensSerialNumber)"  # noqa: E501
_XMP_ATTRIBUTE_RE = re.compile(rb"\s" + _XMP_NAMES + rb"\s*=\s*(\"[^\"]*\"|'[^']*')")
_XMP_ELEMENT_RE = re.compile(rb"<(" + _XMP_NAMES + rb")\b[^>]*?(?:/>|>.*?</\1\s*>)", re.S)


class _Tiff:
    """A TIFF structure inside a buffer, from ``base`` to ``end``; offsets count from ``base``."""

    def __init__(self, buffer: bytearray, base: int, end: int) -> None:
        self.buffer, self.base, self.end = buffer, base, end
        order = bytes(buffer[base : base + 2])
        if order not in (b"II", b"MM") or end - base < 8:
            raise ValueError("not a TIFF structure")
        self.endian = "<" if order == b"II" else ">"
        if self._read("H", 2) != 42:
            raise ValueError("not a TIFF structure")
        self.changed = False
        self._visited: set[int] = set()

    def _read(self, fmt: str, offset: int) -> int:
        size = struct.calcsize(fmt)
        if offset < 0 or self.base + offset + size > self.end:
            raise ValueError("offset outside the metadata")
        return int(struct.unpack_from(self.endian + fmt, self.buffer, self.base + offset)[0])

    def _zero(self, offset: int, size: int) -> None:
        start = self.base + offset
        if offset >= 0 and size > 0 and start + size <= self.end:
            self.buffer[start : start + size] = bytes(size)

    def _entries(self, ifd: int) -> list[tuple[int, int, int, int]]:
        """Return (tag, value offset, value size, raw value) for each entry of a directory."""
        entries = []
        for index in range(self._read("H", ifd)):
            at = ifd + 2 + 12 * index
            tag, kind, count = self._read("H", at), self._read("H", at + 2), self._read("I", at + 4)
            size = _TYPE_SIZES.get(kind, 1) * count
            value = self._read("I", at + 8)
            entries.append((tag, value if size > 4 else at + 8, size, value))
        return entries

    def _remove(self, ifd: int, tags: set[int]) -> None:
        """Take entries out of a directory, zero their values, keep the directory's length."""
        entries = self._entries(ifd)
        count = len(entries)
        raw = self.buffer[self.base + ifd + 2 : self.base + ifd + 2 + 12 * count + 4]
        kept = [raw[12 * i : 12 * i + 12] for i, e in enumerate(entries) if e[0] not in tags]
        if len(kept) == count:
            return
        for tag, offset, size, _value in entries:
            if tag in tags:
                self._zero(offset, size)
        next_ifd = raw[12 * count : 12 * count + 4]
        rebuilt = b"".join(kept) + next_ifd
        rebuilt += bytes(len(raw) - len(rebuilt))
        start = self.base + ifd
        struct.pack_into(self.endian + "H", self.buffer, start, len(kept))
        self.buffer[start + 2 : start + 2 + len(raw)] = rebuilt
        self.changed = True

    def _wipe(self, ifd: int) -> None:
        """Zero a whole directory (the GPS one): its values, its entries and its count."""
        entries = self._entries(ifd)
        for _tag, offset, size, _value in entries:
            self._zero(offset, size)
        self._zero(ifd, 2 + 12 * len(entries) + 4)
        self.changed = True

    def scrub(self, ifd: int) -> None:
        """Scrub a directory, the Exif and GPS directories it points to, and the ones after it."""
        while ifd and ifd not in self._visited:
            self._visited.add(ifd)
            drop = set(SERIAL_TAGS)
            for tag, _offset, _size, value in self._entries(ifd):
                if tag == GPS_IFD:
                    self._wipe(value)
                    drop.add(GPS_IFD)
                elif tag == EXIF_IFD and value not in self._visited:
                    self._visited.add(value)
                    self._remove(value, set(SERIAL_TAGS))
            count = self._read("H", ifd)
            next_ifd = self._read("I", ifd + 2 + 12 * count)
            self._remove(ifd, drop)
            ifd = next_ifd

    def scrub_all(self) -> bool:
        self.scrub(self._read("I", 4))
        return self.changed


def _scrub_xmp(packet: bytes) -> bytes:
    packet = _XMP_ELEMENT_RE.sub(b"", packet)
    return _XMP_ATTRIBUTE_RE.sub(b"", packet)


def _scrub_jpeg(data: bytearray) -> bytearray | None:
    """Return the JPEG with its Exif and XMP segments scrubbed, or None if nothing changed."""
    out = bytearray(data[:2])
    position, changed = 2, False
    while position + 4 <= len(data) and data[position] == 0xFF:
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            out.append(0xFF)
            position += 1
            continue
        if marker == 0xDA or marker == 0xD9:  # start of scan: the pixels follow, left alone
            break
        length = struct.unpack_from(">H", data, position + 2)[0]
        segment = bytearray(data[position : position + 2 + length])
        body = segment[4:]
        if marker == 0xE1 and body.startswith(b"Exif\x00\x00"):
            try:
                tiff = _Tiff(segment, 10, len(segment))
                changed |= tiff.scrub_all()
            except (ValueError, struct.error):
                # Unreadable Exif: left as it was rather than guessed at.
                segment = bytearray(data[position : position + 2 + length])
        elif marker == 0xE1 and body.startswith(_XMP_HEADER):
            packet = bytes(body[len(_XMP_HEADER) :])
            cleaned = _scrub_xmp(packet)
            if cleaned != packet:
                changed = True
                body = bytearray(_XMP_HEADER + cleaned)
                segment = bytearray(b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body)
        out += segment
        position += 2 + length
    out += data[position:]
    return out if changed else None


def strip_private_exif(path: Path) -> bool:
    """Remove GPS data and camera and lens serial numbers from a JPEG or TIFF file in place.

    Returns whether the file changed (its SHA-1 then changes: read it again). Other files,
    and files whose metadata cannot be read, are left as they are.
    """
    data = bytearray(path.read_bytes())
    result: bytearray | None = None
    if data[:3] == b"\xff\xd8\xff":
        result = _scrub_jpeg(data)
    elif data[:4] in (b"II*\x00", b"MM\x00*"):
        try:
            tiff = _Tiff(data, 0, len(data))
            result = data if tiff.scrub_all() else None
        except (ValueError, struct.error):
            result = None
    if result is None:
        return False
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".exif-", suffix=path.suffix)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(result)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True
