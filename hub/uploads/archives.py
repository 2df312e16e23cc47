"""Unpack a ZIP of a batch's files safely: streamed, limited, and all or nothing."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from hub.partners.spreadsheets import MAX_COMPRESSION_RATIO, RATIO_CHECK_FROM_BYTES

CHUNK_BYTES = 1024 * 1024
# Files that operating systems add to archives; nobody means to upload them.
_JUNK_RE = re.compile(r"(^|/)(__MACOSX/|\.DS_Store$|Thumbs\.db$|desktop\.ini$|\._)", re.I)
_DRIVE_RE = re.compile(r"^[A-Za-z]:")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


class ArchiveError(Exception):
    """The ZIP cannot be unpacked; the message says why in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ExtractedFile:
    """A file taken out of the ZIP: its name in the archive ("photos/a.jpg") and where it lies."""

    name: str
    path: Path
    size: int
    sha1: str


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f}"


def safe_name(raw: str) -> str:
    """Return an entry's name as a relative path with "/" separators, or raise ArchiveError.

    Refuses absolute paths, drive letters, ".." and control characters: an entry must never
    land outside the folder it is unpacked into.
    """
    name = unicodedata.normalize("NFC", raw.replace("\\", "/"))
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if name.startswith("/") or _DRIVE_RE.match(name) or ".." in parts:
        raise ArchiveError(
            _(
                "The ZIP contains “%(name)s”, a path that points outside the archive. The Hub "
                "refuses such archives; make a new ZIP of the folder."
            )
            % {"name": raw[:200]}
        )
    if _CONTROL_RE.search(name) or not parts:
        raise ArchiveError(
            _("The ZIP contains an entry with an unreadable name (“%(name)s”).")
            % {"name": _CONTROL_RE.sub("?", raw)[:200]}
        )
    return "/".join(parts)


def _decoded_name(info: zipfile.ZipInfo) -> str:
    """Return an entry's name; UTF-8 names written without the UTF-8 flag are read as UTF-8.

    Without the flag the ZIP format says CP437, which zipfile follows; many programs write
    UTF-8 anyway, and "Münster.jpg" must not come out as "M├╝nster.jpg".
    """
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _plan(
    archive: zipfile.ZipFile, *, max_total_bytes: int, max_files: int
) -> list[tuple[zipfile.ZipInfo, str]]:
    """Return the entries to unpack with their names, judged from the directory alone."""
    entries: list[tuple[zipfile.ZipInfo, str]] = []
    seen: dict[str, str] = {}
    total = 0
    infos = archive.infolist()
    if len(infos) > 2 * max_files + 100:
        raise _too_many(max_files)
    for info in infos:
        name = safe_name(_decoded_name(info))
        if info.is_dir() or _JUNK_RE.search(name):
            continue
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise ArchiveError(
                _(
                    "The ZIP contains a link (“%(name)s”) instead of a file. The Hub refuses "
                    "links; put the files themselves in the ZIP."
                )
                % {"name": name}
            )
        if info.flag_bits & 0x1:
            raise ArchiveError(
                _("The ZIP is protected by a password. Make a ZIP without a password.")
            )
        folded = name.casefold()
        if folded in seen:
            raise ArchiveError(
                _("The ZIP contains “%(name)s” twice. Every file needs its own name.")
                % {"name": name if seen[folded] == name else f"{seen[folded]}” / “{name}"}
            )
        seen[folded] = name
        if info.file_size > RATIO_CHECK_FROM_BYTES and (
            info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)
        ):
            raise ArchiveError(
                _(
                    "“%(name)s” in the ZIP is compressed %(ratio)s times, which only happens in a "
                    "“zip bomb”. The Hub refuses the archive."
                )
                % {"name": name, "ratio": f"{info.file_size // max(info.compress_size, 1):,}"}
            )
        total += info.file_size
        entries.append((info, name))
    if len(entries) > max_files:
        raise _too_many(max_files)
    if total > max_total_bytes:
        raise ArchiveError(
            _(
                "The ZIP would unpack to %(size)s MB, more than the %(max)s MB a batch may hold. "
                "Split it into smaller archives."
            )
            % {"size": _megabytes(total), "max": _megabytes(max_total_bytes)}
        )
    return entries


def _too_many(max_files: int) -> ArchiveError:
    return ArchiveError(
        _("The ZIP holds more than %(max)s files, the most a batch takes at once. Split it.")
        % {"max": f"{max_files:,}"}
    )


def _copy(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, budget: int
) -> tuple[int, str]:
    """Stream one entry to disk; return its size and SHA-1. Never write more than declared."""
    digest, size = hashlib.sha1(usedforsecurity=False), 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with archive.open(info) as source, target.open("xb") as out:
        while chunk := source.read(CHUNK_BYTES):
            size += len(chunk)
            if size > info.file_size or size > budget:
                raise ArchiveError(
                    _(
                        "“%(name)s” in the ZIP is bigger than the archive says (a “zip bomb” or "
                        "a damaged file). The Hub refuses the archive."
                    )
                    % {"name": info.filename[:200]}
                )
            digest.update(chunk)
            out.write(chunk)
    if size != info.file_size:
        raise ArchiveError(
            _("“%(name)s” in the ZIP is damaged (shorter than the archive says).")
            % {"name": info.filename[:200]}
        )
    return size, digest.hexdigest()


def extract_zip(
    path: Path, dest: Path, *, max_total_bytes: int, max_files: int
) -> list[ExtractedFile]:
    """Unpack a ZIP into ``dest`` (a folder that does not exist yet, or is empty).

    Entries keep their folders in their names ("photos/a.jpg"). Everything is judged from the
    archive's directory before a byte is unpacked (count, total size, compression ratio, paths,
    links, duplicates), then each entry streams to disk in chunks, checked against its declared
    size. Unpacking happens in a folder beside ``dest`` that replaces it at the end: on any
    failure nothing is left behind. Raises :class:`ArchiveError`.
    """
    dest = Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise ValueError(f"{dest} must not exist or be empty")
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".partial", dir=dest.parent))
    try:
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError):
            raise ArchiveError(
                _("The file is not a ZIP archive, or it is damaged. Make the ZIP again.")
            ) from None
        extracted: list[tuple[str, int, str]] = []
        with archive:
            entries = _plan(archive, max_total_bytes=max_total_bytes, max_files=max_files)
            budget = max_total_bytes
            for info, name in entries:
                try:
                    size, sha1 = _copy(archive, info, staging / name, budget)
                except OSError as exc:
                    raise ArchiveError(
                        _(
                            "“%(name)s” from the ZIP cannot be written on the server (%(reason)s). "
                            "A name may be too long, or a file and a folder share a name."
                        )
                        % {"name": name, "reason": exc.strerror or type(exc).__name__}
                    ) from None
                except (zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError):
                    raise ArchiveError(
                        _(
                            "“%(name)s” in the ZIP cannot be unpacked (damaged, or compressed "
                            "in a way the Hub does not read). Make the ZIP again."
                        )
                        % {"name": name}
                    ) from None
                budget -= size
                extracted.append((name, size, sha1))
        if dest.exists():
            dest.rmdir()
        os.replace(staging, dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [ExtractedFile(name, dest / name, size, sha1) for name, size, sha1 in extracted]
