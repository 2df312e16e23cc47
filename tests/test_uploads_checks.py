"""Batch upload: checks before anything is sent (types from bytes, titles, SVG, rows)."""

from __future__ import annotations

import io
import wave
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from hub.uploads.checks import (
    FileInfo,
    Sniffed,
    duplicate_bytes,
    duplicate_titles,
    find_file,
    full_title,
    row_problems,
    sniff,
    svg_problems,
    title_key,
    title_problems,
)


def image_bytes(kind: str, **options: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(out, kind, **options)
    return out.getvalue()


def wav_bytes() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(b"\x00\x00" * 100)
    return out.getvalue()


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.txt", "hello")
    return out.getvalue()


SVG_OK = b'<?xml version="1.0"?>\n<!-- drawn by hand -->\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="red"/></svg>'  # noqa: E501
FILES = {
    "jpeg": (lambda: image_bytes("JPEG"), "image/jpeg", "jpg", True),
    "png": (lambda: image_bytes("PNG"), "image/png", "png", True),
    "gif": (lambda: image_bytes("GIF"), "image/gif", "gif", True),
    "tiff-le": (lambda: image_bytes("TIFF"), "image/tiff", "tif", True),
    "tiff-be": (lambda: b"MM\x00*\x00\x00\x00\x08" + b"\x00" * 32, "image/tiff", "tif", True),
    "webp": (lambda: image_bytes("WEBP"), "image/webp", "webp", True),
    "pdf": (lambda: b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n", "application/pdf", "pdf", True),
    "svg": (lambda: SVG_OK, "image/svg+xml", "svg", True),
    "svg-bare": (
        lambda: b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        "image/svg+xml",
        "svg",
        True,
    ),
    "djvu": (
        lambda: b"AT&TFORM\x00\x00\x00\x20DJVUINFO" + b"\x00" * 20,
        "image/vnd.djvu",
        "djvu",
        True,
    ),  # noqa: E501
    "ogg": (lambda: b"OggS\x00\x02" + b"\x00" * 40, "application/ogg", "ogg", True),
    "webm": (
        lambda: b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm" + b"\x00" * 20,
        "video/webm",
        "webm",
        True,
    ),  # noqa: E501
    "flac": (lambda: b"fLaC\x00\x00\x00\x22" + b"\x00" * 40, "audio/flac", "flac", True),
    "wav": (wav_bytes, "audio/wav", "wav", True),
    "mp3": (
        lambda: b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 10,
        "audio/mpeg",
        "mp3",
        True,
    ),  # noqa: E501
    "mp3-bare": (lambda: b"\xff\xfb\x90\x00" * 10, "audio/mpeg", "mp3", True),
    "exe": (lambda: b"MZ\x90\x00" + b"\x00" * 60, "application/x-executable", "", False),
    "elf": (lambda: b"\x7fELF\x02\x01\x01" + b"\x00" * 60, "application/x-executable", "", False),
    "zip": (zip_bytes, "application/zip", "", False),
    "html": (
        lambda: b"<!DOCTYPE html><html><body><script>alert(1)</script>",
        "text/html",
        "",
        False,
    ),  # noqa: E501
    "mkv": (
        lambda: b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska",
        "video/x-matroska",
        "",
        False,
    ),  # noqa: E501
    "text": (lambda: b"just some words", "application/octet-stream", "", False),
    "empty": (lambda: b"", "application/x-empty", "", False),
}


@pytest.mark.parametrize("name", FILES)
def test_sniff_reads_the_type_from_the_bytes_not_the_name(tmp_path: Path, name: str) -> None:
    make, mime, extension, ok = FILES[name]
    path = tmp_path / "disguised.jpg"  # every file claims to be a JPEG
    path.write_bytes(make())
    sniffed = sniff(path)
    assert (sniffed.mime, sniffed.extension, sniffed.commons_ok) == (mime, extension, ok)


def test_a_png_named_jpg_is_refused_and_the_real_extension_suggested(tmp_path: Path) -> None:
    path = tmp_path / "a.jpg"
    path.write_bytes(image_bytes("PNG"))
    sniffed = sniff(path)
    [problem] = title_problems("Harbour at dawn.jpg", real_extension="png", sniffed=sniffed)
    assert problem["level"] == "error"
    assert "“.jpg”" in problem["message"] and "a PNG image" in problem["message"]
    assert "“.png”" in problem["message"]
    jpeg = sniff_of(tmp_path, "JPEG")
    assert title_problems("Harbour at dawn.JPEG", real_extension="jpg", sniffed=jpeg) == []
    assert title_problems("Scan.tiff", real_extension="tif") == []


def sniff_of(tmp_path: Path, kind: str) -> Sniffed:
    path = tmp_path / f"x.{kind}"
    path.write_bytes(image_bytes(kind))
    return sniff(path)


def test_a_title_without_extension_gets_the_real_one() -> None:
    assert full_title("File:Harbour_at  dawn", "jpg") == "Harbour at dawn.jpg"
    assert full_title("Harbour at dawn.png", "jpg") == "Harbour at dawn.png"
    assert full_title("Version 2.0 of the map", "png") == "Version 2.0 of the map.png"


@pytest.mark.parametrize("char", list("#<>[]|{}") + ["\x07", "\x7f"])
def test_forbidden_characters_are_named(char: str) -> None:
    [problem] = title_problems(f"Harbour {char} dawn", real_extension="jpg")
    assert problem["level"] == "error" and problem["field"] == "title"
    assert (char if ord(char) >= 32 and ord(char) != 127 else "\\x") in problem["message"]


def test_the_240_byte_limit_counts_utf8_bytes() -> None:
    assert title_problems("a" * 236, real_extension="jpg") == []  # 236 + ".jpg" = 240 bytes
    [problem] = title_problems("a" * 237, real_extension="jpg")
    assert "241 bytes" in problem["message"]
    [problem] = title_problems("ж" * 119, real_extension="jpg")  # 238 + 4 = 242 bytes
    assert "242 bytes" in problem["message"]


def test_right_to_left_and_combining_characters_do_not_crash() -> None:
    assert title_problems("מפת ירושלים 1890", real_extension="png") == []
    assert title_problems("خريطة القدس.png", real_extension="png") == []
    decomposed = "Cafe\u0301 de Flore"
    assert title_problems(decomposed, real_extension="jpg") == []
    assert title_key(decomposed) == title_key("Café de Flore")
    warned = title_problems("\u0301accent first", real_extension="jpg")
    assert [p["level"] for p in warned] == ["warning"]
    marks = title_problems("Map\u202e of \u200fHaifa", real_extension="jpg")
    assert [p["level"] for p in marks] == ["warning"]
    assert [p["level"] for p in title_problems("A/B: C", real_extension="jpg")] == ["warning"]


def test_empty_and_camera_names() -> None:
    assert title_problems("   ", real_extension="jpg")[0]["level"] == "error"
    assert title_problems(".jpg", real_extension="jpg")[0]["level"] == "error"
    [problem] = title_problems("IMG_1234", real_extension="jpg")
    assert problem["level"] == "warning" and "camera" in problem["message"]


def test_duplicate_titles_fold_like_mediawiki_and_name_the_other_row() -> None:
    problems = duplicate_titles(
        {2: "harbour at dawn.jpg", 3: "Harbour_at_dawn.jpg", 4: "Harbour at dusk.jpg", 5: ""}
    )
    assert set(problems) == {2, 3}
    assert "Row 3" in problems[2][0]["message"]
    assert "Row 2" in problems[3][0]["message"]
    assert duplicate_titles({2: "A.jpg", 3: "A.JPG"}) == {}  # the extension's case counts


def test_duplicate_bytes_name_every_other_row() -> None:
    sha = "a" * 40
    problems = duplicate_bytes({2: sha, 3: "b" * 40, 7: sha.upper(), 9: sha})
    assert set(problems) == {2, 7, 9}
    assert "Row 7, 9" in problems[2][0]["message"]
    assert problems[2][0]["field"] == "file"


SVG_BAD = {
    "script": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "handler": b'<svg xmlns="http://www.w3.org/2000/svg"><rect onload="alert(1)"/></svg>',
    "javascript": b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',  # noqa: E501
    "external": b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="https://tracker.example/x.png"/></svg>',  # noqa: E501
    "style": b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://x.example/a.css);</style></svg>',  # noqa: E501
    "foreign": b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>hi</p></foreignObject></svg>',  # noqa: E501
    "entities": b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg"><text>&a;</text></svg>',  # noqa: E501
    "broken": b'<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>',
    "stylesheet": b'<?xml-stylesheet href="https://x.example/a.css"?><svg xmlns="http://www.w3.org/2000/svg"/>',  # noqa: E501
}


@pytest.mark.parametrize("name", SVG_BAD)
def test_unsafe_svgs_are_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / "drawing.svg"
    path.write_bytes(SVG_BAD[name])
    problems = svg_problems(path)
    assert problems and all(p["level"] == "error" for p in problems)


def test_a_plain_svg_with_internal_references_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "ok.svg"
    path.write_bytes(
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b'<defs><path id="p" d="M0 0"/></defs><use xlink:href="#p"/>'
        b'<a href="https://commons.wikimedia.org/"><text>link</text></a></svg>'
    )
    assert svg_problems(path) == []


def _info(tmp_path: Path, data: bytes, name: str = "f.jpg") -> FileInfo:
    path = tmp_path / name
    path.write_bytes(data)
    return FileInfo(path=path, size=len(data), sniffed=sniff(path))


def test_a_complete_row_has_no_problems(tmp_path: Path) -> None:
    values = {
        "file": "f.jpg",
        "title": "Harbour at dawn",
        "licence": "CC BY-SA 4.0",
        "source": "Museum",
        "author": "J. Smith",
        "depicts": "Q42; Q1",
        "categories": "Harbours",
        "date": "1890-05",
    }
    info = _info(tmp_path, image_bytes("JPEG"))
    assert row_problems(values, file_info=info, licence_default="", template="information") == []


def test_a_row_lists_every_problem_on_its_field(tmp_path: Path) -> None:
    values = {
        "file": "f.jpg",
        "title": "Harbour | dawn.jpg",
        "licence": "CC BY-NC 4.0",
        "depicts": "Q42;Douglas",
        "categories": "Good;Bad]]",
        "date": "around 1890",
    }
    info = _info(tmp_path, image_bytes("PNG"))
    problems = row_problems(values, file_info=info, licence_default="", template="artwork")
    by_field = {(p["field"], p["level"]) for p in problems}
    assert by_field == {
        ("title", "error"),
        ("licence", "error"),
        ("source", "error"),
        ("artist", "error"),
        ("depicts", "error"),
        ("categories", "error"),
        ("date", "warning"),
    }
    assert sum(1 for p in problems if p["field"] == "title") == 2  # "|" and ".jpg" on a PNG
    artist = next(p for p in problems if p["field"] == "artist")
    assert "“Artist” or “Author”" in artist["message"]


def test_missing_files_refused_types_sizes_and_the_default_licence(tmp_path: Path) -> None:
    base = {"title": "A", "source": "s", "author": "a"}
    missing = row_problems({**base, "file": "lost.jpg"}, file_info=None, licence_default="CC0")
    assert [p["field"] for p in missing] == ["file"]
    assert "lost.jpg" in missing[0]["message"]
    assert (
        row_problems(
            {**base, "url": "https://x.example/a.jpg"}, file_info=None, licence_default="CC0"
        )
        == []
    )  # noqa: E501
    exe = row_problems(base, file_info=_info(tmp_path, b"MZ" + b"\0" * 99), licence_default="CC0")
    assert [p["field"] for p in exe] == ["file"] and "a program" in exe[0]["message"]
    big = row_problems(
        base, file_info=_info(tmp_path, image_bytes("JPEG")), licence_default="CC0", max_bytes=10
    )
    assert [p["field"] for p in big] == ["file"] and "at most" in big[0]["message"]
    empty = row_problems(base, file_info=_info(tmp_path, b""), licence_default="CC0")
    assert "empty" in empty[0]["message"]
    svg = row_problems(
        base, file_info=_info(tmp_path, SVG_BAD["script"], "a.svg"), licence_default="CC0"
    )
    assert [p["field"] for p in svg] == ["file"] and "script" in svg[0]["message"]
    no_licence = row_problems(
        base, file_info=_info(tmp_path, image_bytes("GIF")), licence_default=""
    )
    assert [p["field"] for p in no_licence] == ["licence"]


def test_find_file_matches_names_paths_and_pattypan_paths() -> None:
    names = ["photos/a.jpg", "photos/2024/b.png", "c.tif", "x/C.TIF", "d.jpg", "e/d.jpg"]
    assert find_file("photos/a.jpg", names) == "photos/a.jpg"
    assert find_file("C:\\Users\\ana\\photos\\a.jpg", names) == "photos/a.jpg"
    assert find_file("photos\\2024\\b.png", names) == "photos/2024/b.png"
    assert find_file("b.png", names) == "photos/2024/b.png"
    assert find_file("c.tif", names) == "c.tif"
    assert find_file("C.tif", names) is None  # c.tif and C.TIF: which one is meant?
    assert find_file("d.jpg", names) == "d.jpg"
    assert find_file("other/d.jpg", names) is None  # two d.jpg, neither in other/
    assert find_file("", names) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["jpg", "png", "svg", ""]))
def test_title_checks_never_crash_on_any_text(title: str, extension: str) -> None:
    problems = title_problems(title, real_extension=extension)
    assert all(p["level"] in {"error", "warning"} for p in problems)
    title_key(title)
    full_title(title, extension)
