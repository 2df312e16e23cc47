"""Stream a multipart/form-data body from disk: a whole file or one chunk, never held in memory.

``requests`` reads a file given through ``files=`` whole into memory to build the body; for a
2 GB file that is 2 GB of memory. :class:`MultipartBody` is a file-like object with a known
length that ``requests`` sends as it reads it, block by block, and that can be rewound to be
sent again (a retry after ``ratelimited`` or ``maxlag``).
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO


@dataclass(frozen=True)
class FilePart:
    """A file, or the ``length`` bytes of it from ``offset``, to send as one form field."""

    path: Path
    offset: int = 0
    length: int | None = None  # None: to the end of the file
    content_type: str = "application/octet-stream"

    def size(self) -> int:
        """Return how many bytes of the file this part sends."""
        total = self.path.stat().st_size
        available = max(0, total - self.offset)
        return available if self.length is None else min(self.length, available)


def _quote(name: str) -> str:
    """Return a form field or file name safe inside a quoted Content-Disposition value."""
    return "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name)


class MultipartBody(io.RawIOBase):
    """A ``multipart/form-data`` body read from text fields and file parts in order."""

    def __init__(self, fields: Mapping[str, Any], files: Mapping[str, FilePart]) -> None:
        super().__init__()
        self.boundary = f"hub-{secrets.token_hex(16)}"
        # Each segment is bytes, or (part, size) read from disk when its turn comes.
        self._segments: list[bytes | tuple[FilePart, int]] = []
        for name, value in fields.items():
            self._segments.append(
                f'--{self.boundary}\r\nContent-Disposition: form-data; name="{_quote(name)}"'
                "\r\n\r\n".encode()
                + str(value).encode("utf-8")
                + b"\r\n"
            )
        for name, part in files.items():
            self._segments.append(
                f'--{self.boundary}\r\nContent-Disposition: form-data; name="{_quote(name)}"; '
                f'filename="{_quote(part.path.name) or "file"}"\r\n'
                f"Content-Type: {part.content_type}\r\n\r\n".encode()
            )
            self._segments.append((part, part.size()))
            self._segments.append(b"\r\n")
        self._segments.append(f"--{self.boundary}--\r\n".encode())
        self._length = sum(len(s) if isinstance(s, bytes) else s[1] for s in self._segments)
        self._position = 0
        self._handle: BinaryIO | None = None
        self._handle_path: Path | None = None

    @property
    def content_type(self) -> str:
        """Return the Content-Type header value, with the boundary."""
        return f"multipart/form-data; boundary={self.boundary}"

    def __len__(self) -> int:
        return self._length

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._length}[whence]
        self._position = max(0, min(self._length, base + offset))
        return self._position

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            size = self._length - self._position
        out = bytearray()
        start = 0
        for segment in self._segments:
            seg_len = len(segment) if isinstance(segment, bytes) else segment[1]
            end = start + seg_len
            if len(out) >= size:
                break
            if self._position < end:
                within = self._position - start
                want = min(size - len(out), end - self._position)
                if isinstance(segment, bytes):
                    out += segment[within : within + want]
                else:
                    out += self._read_file(segment[0], within, want)
                self._position += want
            start = end
        return bytes(out)

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def _read_file(self, part: FilePart, within: int, want: int) -> bytes:
        if self._handle is None or self._handle_path != part.path:
            self._close_handle()
            self._handle = open(part.path, "rb")  # noqa: SIM115 - closed by close()
            self._handle_path = part.path
        self._handle.seek(part.offset + within)
        data = self._handle.read(want)
        if len(data) != want:
            raise OSError(f"{part.path} changed while it was being sent.")
        return data

    def _close_handle(self) -> None:
        if self._handle is not None:
            self._handle.close()
        self._handle = None
        self._handle_path = None

    def close(self) -> None:
        self._close_handle()
        super().close()
