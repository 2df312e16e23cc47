"""Batch upload: removing GPS and serial numbers from photos without touching their pixels."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from hub.uploads.exif import strip_private_exif

XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:exif="http://ns.adobe.com/exif/1.0/" xmlns:aux="http://ns.adobe.com/exif/1.0/aux/" '
    b'exif:GPSLatitude="52,22.5N" aux:SerialNumber="BODY123" exif:DateTimeOriginal="2024-01-01">'
    b"<exif:GPSLongitude>4,53.0E</exif:GPSLongitude>"
    b"<aux:LensSerialNumber>LENS456</aux:LensSerialNumber></rdf:Description></rdf:RDF>"
    b"</x:xmpmeta>"
)
PRIVATE = (b"BODY123", b"LENS456", b"CSN123", b"52,22.5N", b"4,53.0E")


def photo_exif(endian: str = "<") -> Image.Exif:
    exif = Image.Exif()
    exif.endian = endian
    exif[0x010F] = "Canon"
    exif[0x0110] = "EOS R"
    exif[0xC62F] = "CSN123"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (52.0, 22.0, 1.5), 3: "E", 4: (4.0, 53.0, 2.0)})
    inner = exif.get_ifd(0x8769)
    inner.update({0xA431: "BODY123", 0xA435: "LENS456", 0x9003: "2024:01:01 10:00:00"})
    return exif


def picture() -> Image.Image:
    image = Image.new("RGB", (32, 24))
    image.putdata(
        [(x * 8 % 256, y * 10 % 256, (x * y) % 256) for y in range(24) for x in range(32)]
    )
    return image


def scan_data(data: bytes) -> bytes:
    return data[data.index(b"\xff\xda") :]


@pytest.mark.parametrize("endian", ["<", ">"])
def test_jpeg_loses_gps_and_serials_and_keeps_the_rest_and_its_pixels(
    tmp_path: Path, endian: str
) -> None:
    path = tmp_path / "photo.jpg"
    picture().save(path, exif=photo_exif(endian).tobytes(), xmp=XMP, quality=90)
    before = path.read_bytes()
    assert all(secret in before for secret in PRIVATE)
    pixels = Image.open(path).tobytes()

    assert strip_private_exif(path) is True
    after = path.read_bytes()
    assert not any(secret in after for secret in PRIVATE)
    assert scan_data(after) == scan_data(before)  # the compressed image is the same bytes
    with Image.open(path) as image:
        assert image.tobytes() == pixels
        exif = image.getexif()
        assert (exif[0x010F], exif[0x0110]) == ("Canon", "EOS R")
        assert 0xC62F not in exif and 0x8825 not in exif
        assert exif.get_ifd(0x8825) == {}
        assert exif.get_ifd(0x8769) == {0x9003: "2024:01:01 10:00:00"}
        xmp = image.info["xmp"]
        assert b'exif:DateTimeOriginal="2024-01-01"' in xmp and b"GPS" not in xmp

    assert strip_private_exif(path) is False  # nothing left to remove
    assert path.read_bytes() == after


def test_tiff_is_scrubbed_in_place(tmp_path: Path) -> None:
    path = tmp_path / "scan.tif"
    image = picture()
    image.save(path, exif=photo_exif().tobytes())
    assert b"BODY123" in path.read_bytes()
    assert strip_private_exif(path) is True
    data = path.read_bytes()
    assert not any(secret in data for secret in PRIVATE)
    with Image.open(path) as reopened:
        assert reopened.tobytes() == image.tobytes()
        exif = reopened.getexif()
        assert exif[0x010F] == "Canon" and 0x8825 not in exif
        assert exif.get_ifd(0x8769) == {0x9003: "2024:01:01 10:00:00"}


def test_files_without_private_data_or_of_other_types_are_left_alone(tmp_path: Path) -> None:
    plain = tmp_path / "plain.jpg"
    picture().save(plain)
    png = tmp_path / "a.png"
    picture().save(png)
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe1\x00\x10Exif\x00\x00II*\x00\xff\xff\xff\xff\xff\xd9")
    for path in (plain, png, broken):
        before = path.read_bytes()
        assert strip_private_exif(path) is False
        assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png", "broken.jpg", "plain.jpg"]
