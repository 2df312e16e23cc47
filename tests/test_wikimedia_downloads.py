"""Fetching a partner's file (hub/wikimedia/downloads.py) from servers on 127.0.0.1."""

from __future__ import annotations

import hashlib
import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hub.wikimedia.downloads import fetch_to_file
from hub.wikimedia.errors import DownloadError, DownloadTooLarge, ForbiddenAddress
from tests.wikiserver import RecordedServer, Reply

PHOTO = bytes(range(256)) * 40  # 10,240 bytes


@pytest.fixture
def partner(wiki_server: RecordedServer) -> RecordedServer:
    """A partner's server, allowed by an administrator although it is on 127.0.0.1."""
    wiki_server.add("/photo.jpg", Reply(PHOTO, headers={"Content-Type": "image/jpeg"}))
    return wiki_server


class RawServer:
    """Answer every connection with the same raw bytes, then close: servers that lie."""

    def __init__(self, raw: bytes) -> None:
        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                self.request.recv(65536)
                self.request.sendall(raw)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def liar(settings: Any) -> Iterator[Any]:
    servers: list[RawServer] = []

    def make(raw: bytes) -> RawServer:
        server = RawServer(raw)
        servers.append(server)
        settings.HUB_ALLOWED_PRIVATE_WIKIS = [s.url for s in servers]
        return server

    yield make
    for server in servers:
        server.close()


def test_a_file_is_streamed_to_disk_with_its_sha1(partner: RecordedServer, tmp_path: Path) -> None:
    dest = tmp_path / "photo.jpg"
    result = fetch_to_file(partner.url("/photo.jpg"), dest, max_bytes=1_000_000)
    assert dest.read_bytes() == PHOTO
    assert result.size == len(PHOTO)
    assert result.sha1 == hashlib.sha1(PHOTO).hexdigest()  # noqa: S324
    assert result.content_type == "image/jpeg"


def test_a_redirect_on_the_same_server_is_followed(partner: RecordedServer, tmp_path: Path) -> None:
    partner.add("/old", Reply(b"", status=302, headers={"Location": "/photo.jpg"}))
    result = fetch_to_file(partner.url("/old"), tmp_path / "f", max_bytes=1_000_000)
    assert result.url.endswith("/photo.jpg") and result.size == len(PHOTO)


def test_a_private_address_is_refused_before_connecting(tmp_path: Path, settings: Any) -> None:
    settings.HUB_ALLOWED_PRIVATE_WIKIS = []
    for url in ("http://127.0.0.1:9/photo.jpg", "http://10.1.2.3/photo.jpg", "http://[::1]/x"):
        with pytest.raises(ForbiddenAddress, match="private or local network"):
            fetch_to_file(url, tmp_path / "f", max_bytes=1_000)
    assert not list(tmp_path.iterdir())


def test_a_redirect_to_a_private_address_is_refused(
    partner: RecordedServer, tmp_path: Path
) -> None:
    partner.add("/sneaky", Reply(b"", status=301, headers={"Location": "http://192.168.1.1/"}))
    with pytest.raises(ForbiddenAddress, match="192.168.1.1"):
        fetch_to_file(partner.url("/sneaky"), tmp_path / "f", max_bytes=1_000_000)


def test_a_file_announced_too_big_is_refused_without_reading_it(
    partner: RecordedServer, tmp_path: Path
) -> None:
    with pytest.raises(DownloadTooLarge, match="10,240 bytes, more than the 1,000 accepted"):
        fetch_to_file(partner.url("/photo.jpg"), tmp_path / "f", max_bytes=1_000)
    assert not list(tmp_path.iterdir())


def test_a_server_that_sends_more_than_it_may_without_saying_is_cut_off(
    liar: Any, tmp_path: Path
) -> None:
    server = liar(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + b"x" * 3_000_000)
    with pytest.raises(DownloadTooLarge, match="more than the 1,048,576 bytes"):
        fetch_to_file(server.url + "/big", tmp_path / "f", max_bytes=1_048_576)
    assert not list(tmp_path.iterdir())


def test_a_server_that_sends_less_than_it_announced_leaves_no_file(
    liar: Any, tmp_path: Path
) -> None:
    server = liar(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\nConnection: close\r\n\r\nshort")
    with pytest.raises(DownloadError, match="cut short|announced") as caught:
        fetch_to_file(server.url + "/f", tmp_path / "f", max_bytes=1_000_000)
    assert caught.value.retryable
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("status", "words", "retryable"), [(404, "does not have", False), (503, "could not", True)]
)
def test_an_error_status_is_a_typed_error_in_plain_words(
    partner: RecordedServer, tmp_path: Path, status: int, words: str, retryable: bool
) -> None:
    partner.add("/gone", Reply(b"nope", status=status))
    with pytest.raises(DownloadError, match=words) as caught:
        fetch_to_file(partner.url("/gone"), tmp_path / "f", max_bytes=1_000)
    assert caught.value.retryable is retryable


def test_a_server_that_does_not_answer_is_retryable(liar: Any, tmp_path: Path) -> None:
    server = liar(b"")
    with pytest.raises(DownloadError) as caught:
        fetch_to_file(server.url + "/f", tmp_path / "f", max_bytes=1_000)
    assert caught.value.retryable
