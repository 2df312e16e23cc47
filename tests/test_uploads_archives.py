"""Batch upload: unpacking a ZIP of files, streamed and limited, all or nothing."""

from __future__ import annotations

import hashlib
import struct
import warnings
import zipfile
from pathlib import Path

import pytest

from hub.uploads.archives import ArchiveError, extract_zip

LIMITS = {"max_total_bytes": 50 * 1024 * 1024, "max_files": 100}


def make_zip(path: Path, entries: dict[str, bytes], **kwargs: object) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names; we want them
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in entries.items():
                archive.writestr(name.split("#dup")[0], data)
    return path


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "in.zip")


def test_unpacks_nested_folders_with_sizes_and_sha1(tmp_path: Path) -> None:
    archive = make_zip(
        tmp_path / "in.zip",
        {
            "photos/a.jpg": b"A" * 3000,
            "photos/2024/b.png": b"B" * 10,
            "c.tif": b"C",
            "__MACOSX/photos/._a.jpg": b"junk",
            "photos/.DS_Store": b"junk",
        },
    )
    files = extract_zip(archive, tmp_path / "out", **LIMITS)
    assert [(f.name, f.size) for f in files] == [
        ("photos/a.jpg", 3000),
        ("photos/2024/b.png", 10),
        ("c.tif", 1),
    ]
    assert files[0].path == tmp_path / "out" / "photos" / "a.jpg"
    assert files[0].path.read_bytes() == b"A" * 3000
    assert files[0].sha1 == hashlib.sha1(b"A" * 3000, usedforsecurity=False).hexdigest()
    assert leftovers(tmp_path) == ["out"]


def test_a_real_zip_bomb_is_refused_before_anything_is_unpacked(tmp_path: Path) -> None:
    path = tmp_path / "in.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("bomb.tif", "w") as entry:
            for _ in range(40):
                entry.write(b"\0" * (1024 * 1024))  # 40 MB of zeros, about 40 KB packed
    assert path.stat().st_size < 200 * 1024
    with pytest.raises(ArchiveError, match="zip bomb"):
        extract_zip(path, tmp_path / "out", **LIMITS)
    assert leftovers(tmp_path) == []


def test_an_entry_lying_about_its_size_is_refused_and_nothing_is_left(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "in.zip", {"first.jpg": b"ok" * 100, "liar.jpg": b"X" * 5000})
    data = bytearray(path.read_bytes())
    # Declare 50 bytes for liar.jpg in its local header and in the central directory.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = data.index(signature, data.index(signature) + 1)
        struct.pack_into("<I", data, start + offset, 50)
    path.write_bytes(bytes(data))
    with pytest.raises(ArchiveError, match="liar.jpg"):
        extract_zip(path, tmp_path / "out", **LIMITS)
    assert leftovers(tmp_path) == []  # first.jpg, unpacked already, is gone too


@pytest.mark.parametrize(
    "name",
    [
        "../evil.jpg",
        "photos/../../evil.jpg",
        "/etc/passwd",
        "C:\\Windows\\evil.jpg",
        "a\\..\\..\\b.jpg",
    ],
)
def test_paths_outside_the_archive_are_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / "in.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("fine.jpg", b"x")
        info = zipfile.ZipInfo("placeholder")
        info.filename = name  # ZipInfo would tidy a leading "/" away; write it as it comes
        archive.writestr(info, b"evil")
    with pytest.raises(ArchiveError, match="outside the archive"):
        extract_zip(path, tmp_path / "out", **LIMITS)
    assert leftovers(tmp_path) == []
    assert not (tmp_path.parent / "evil.jpg").exists()


def test_symlinks_duplicates_passwords_and_limits_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "in.zip"
    with zipfile.ZipFile(path, "w") as archive:
        link = zipfile.ZipInfo("photo.jpg")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
    with pytest.raises(ArchiveError, match="link"):
        extract_zip(path, tmp_path / "out", **LIMITS)

    make_zip(path, {"a.jpg": b"1", "a.jpg#dup": b"2"})
    with pytest.raises(ArchiveError, match="twice"):
        extract_zip(path, tmp_path / "out", **LIMITS)
    make_zip(path, {"A.jpg": b"1", "a.jpg": b"2"})
    with pytest.raises(ArchiveError, match="twice"):
        extract_zip(path, tmp_path / "out", **LIMITS)

    make_zip(path, {f"{i}.jpg": b"x" for i in range(5)})
    with pytest.raises(ArchiveError, match="more than 4 files"):
        extract_zip(path, tmp_path / "out", max_total_bytes=10**6, max_files=4)
    make_zip(path, {"big.jpg": bytes(range(256)) * 100})
    with pytest.raises(ArchiveError, match="unpack to"):
        extract_zip(path, tmp_path / "out", max_total_bytes=1000, max_files=4)

    data = bytearray(make_zip(path, {"a.jpg": b"1"}).read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = data.index(signature)
        struct.pack_into("<H", data, start + offset, data[start + offset] | 0x1)
    path.write_bytes(bytes(data))
    with pytest.raises(ArchiveError, match="password"):
        extract_zip(path, tmp_path / "out", **LIMITS)
    assert leftovers(tmp_path) == []


def test_not_a_zip_says_so(tmp_path: Path) -> None:
    path = tmp_path / "in.zip"
    path.write_bytes(b"%PDF-1.4 not a zip")
    with pytest.raises(ArchiveError, match="not a ZIP"):
        extract_zip(path, tmp_path / "out", **LIMITS)
    assert leftovers(tmp_path) == []


def test_utf8_names_without_the_flag_and_unwritable_names(tmp_path: Path) -> None:
    path = tmp_path / "in.zip"
    # As many Windows and macOS tools write it: UTF-8 bytes, no UTF-8 flag.
    utf8 = "Münster/Blick über den Dom.jpg".encode()
    make_zip(path, {"X" * len(utf8): b"jpeg"})
    path.write_bytes(path.read_bytes().replace(b"X" * len(utf8), utf8))
    [extracted] = extract_zip(path, tmp_path / "out", **LIMITS)
    assert extracted.name == "Münster/Blick über den Dom.jpg"

    make_zip(path, {"a": b"file", "a/b.jpg": b"inside a folder named like the file"})
    with pytest.raises(ArchiveError, match="cannot be written"):
        extract_zip(path, tmp_path / "out2", **LIMITS)
    make_zip(path, {"x" * 300 + ".jpg": b"long"})
    with pytest.raises(ArchiveError, match="cannot be written"):
        extract_zip(path, tmp_path / "out2", **LIMITS)
    assert leftovers(tmp_path) == ["out"]
