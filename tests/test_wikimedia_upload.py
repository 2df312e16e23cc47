"""Uploading files with the MediaWiki client: a real MediaWiki 1.39 (tests/localwiki.py), and
recorded servers for the failures a local wiki cannot make (a 500, a timeout)."""

from __future__ import annotations

import hashlib
import io
import itertools
from collections.abc import Iterator
from datetime import datetime
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from hub.wikimedia.errors import (
    WikiOutcomeUnknown,
    WikiRateLimited,
    WikiUnreachable,
    WikiUploadError,
)
from hub.wikimedia.http import RetryPolicy, reset_sessions
from hub.wikimedia.mediawiki import MediaWikiClient
from hub.wikimedia.mediawiki.multipart import FilePart, MultipartBody
from tests.localwiki import LocalWiki, tiny_png
from tests.wikiserver import FakeClock, RecordedServer, Reply

_seeds = itertools.count(1)


@pytest.fixture
def wiki(local_wiki: LocalWiki, settings: Any) -> Iterator[LocalWiki]:
    """Return the local wiki, allowed as an administrator-configured private address."""
    settings.HUB_ALLOWED_PRIVATE_WIKIS = [local_wiki.base_url]
    reset_sessions()
    yield local_wiki
    local_wiki.set_upload_ratelimit(None)
    reset_sessions()


def admin(wiki: LocalWiki, **kwargs: Any) -> MediaWikiClient:
    client = MediaWikiClient(wiki.api_url, user_supplied=True, **kwargs)
    client.login(*wiki.admin_bot)
    return client


def image(path: Path, fmt: str, *, size: tuple[int, int] = (48, 32)) -> Path:
    """Write a small valid image whose bytes (and SHA-1) no other test writes."""
    seed = next(_seeds) * 7919
    picture = Image.new("RGB", size, (seed % 256, (seed >> 8) % 256, (seed >> 16) % 256))
    picture.putpixel((0, 0), (seed % 251, 3, 5))
    picture.save(path, fmt)
    return path


def pdf(path: Path, words: str) -> Path:
    """Write a one-page PDF with a line of text, by hand (objects, xref table, trailer)."""
    stream = f"BT /F1 18 Tf 40 100 Td ({words}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")  # a binary marker line, as writers add
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (6, xref))
    path.write_bytes(out.getvalue())
    return path


def sha1_of(path: Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()  # noqa: S324 - MediaWiki's own digest


@pytest.mark.parametrize(
    ("fmt", "name"),
    [("JPEG", "Partner photo.jpg"), ("PNG", "Partner scan.png"), ("TIFF", "Partner map.tiff")],
)
def test_an_image_is_uploaded_with_its_page(
    wiki: LocalWiki, tmp_path: Path, fmt: str, name: str
) -> None:
    path = image(tmp_path / f"file.{fmt.lower()}", fmt)
    client = admin(wiki)
    outcome = client.upload(
        path, filename=name, text="A partner's file. [[Category:Partner uploads]]", comment="Batch"
    )
    assert outcome.result == "Success" and outcome.warnings == {}
    assert outcome.file is not None
    assert outcome.file.title == f"File:{name}"
    assert outcome.file.sha1 == sha1_of(path)
    assert outcome.file.page_id > 0 and outcome.file.revision_id
    assert client.files_by_title([name])[name] == outcome.file
    assert "Partner uploads" in client.existing_categories(["Partner uploads", "Nowhere at all"])


def test_a_pdf_written_by_hand_is_uploaded(wiki: LocalWiki, tmp_path: Path) -> None:
    path = pdf(tmp_path / "report.pdf", "Annual report of the partner")
    client = admin(wiki)
    limits = client.upload_limits()
    assert {"jpg", "png", "tiff", "pdf", "svg", "webp"} <= limits.extensions
    assert limits.max_bytes == 4 * 1024**3 and limits.chunk_bytes == 5 * 1024**2
    outcome = client.upload(path, filename="File:Partner report.pdf", text="A report.", comment="")
    assert outcome.result == "Success"
    assert outcome.file is not None and outcome.file.sha1 == sha1_of(path)


def test_a_chunked_upload_goes_through_the_stash_and_reports_each_chunk(
    wiki: LocalWiki, tmp_path: Path
) -> None:
    path = image(tmp_path / "big.png", "PNG", size=(300, 300))
    Image.effect_noise((300, 300), 90).convert("RGB").save(path)  # noise: no compression
    size = path.stat().st_size
    chunks: list[tuple[str, int]] = []
    outcome = admin(wiki).upload(
        path,
        filename="Partner chunked.png",
        text="In chunks.",
        comment="",
        chunk_bytes=64 * 1024,
        on_chunk=lambda key, offset: chunks.append((key, offset)),
    )
    assert outcome.result == "Success"
    assert outcome.file is not None and outcome.file.sha1 == sha1_of(path)
    offsets = [offset for _, offset in chunks]
    assert offsets == sorted(offsets) and offsets[-1] == size
    assert len(chunks) == -(-size // (64 * 1024))
    assert all(key for key, _ in chunks)


def test_a_chunked_upload_interrupted_carries_on_from_where_the_wiki_is(
    wiki: LocalWiki, tmp_path: Path
) -> None:
    path = tmp_path / "resumed.png"
    Image.effect_noise((200, 200), 90).convert("RGB").save(path)
    client = admin(wiki)
    seen: list[tuple[str, int]] = []

    def crash_after_two(key: str, offset: int) -> None:
        seen.append((key, offset))
        if len(seen) == 2:
            raise KeyboardInterrupt  # the worker dies here

    with pytest.raises(KeyboardInterrupt):
        client.upload(
            path,
            filename="Partner resumed.png",
            text="Resumed.",
            comment="",
            chunk_bytes=32 * 1024,
            on_chunk=crash_after_two,
        )
    key, _ = seen[-1]
    # The ledger kept the key and an older offset: the wiki says where it is, we carry on.
    outcome = admin(wiki).upload(
        path,
        filename="Partner resumed.png",
        text="Resumed.",
        comment="",
        chunk_bytes=32 * 1024,
        filekey=key,
        offset=seen[0][1],
    )
    assert outcome.result == "Success"
    assert outcome.file is not None and outcome.file.sha1 == sha1_of(path)


def test_a_taken_title_is_a_warning_and_nothing_is_published(
    wiki: LocalWiki, tmp_path: Path
) -> None:
    client = admin(wiki)
    first = image(tmp_path / "first.png", "PNG")
    client.upload(first, filename="Partner collision.png", text="First.", comment="")
    second = image(tmp_path / "second.png", "PNG")
    outcome = client.upload(second, filename="Partner collision.png", text="Second.", comment="")
    assert outcome.result == "Warning"
    assert outcome.warnings["exists"] == "Partner_collision.png"
    assert outcome.file is None
    on_wiki = client.files_by_title(["Partner_collision.png"])["Partner_collision.png"]
    assert on_wiki is not None and on_wiki.sha1 == sha1_of(first)
    # MediaWiki 1.39 keeps the refused bytes in the stash (no API removes them; they expire):
    # the batch's record says so.
    assert client.discard_stashed([outcome.filekey, "1nosuch.key.1.png"]) == [outcome.filekey]


def test_the_same_bytes_are_found_by_sha1_before_sending(wiki: LocalWiki, tmp_path: Path) -> None:
    client = admin(wiki)
    path = tmp_path / "same.png"
    path.write_bytes(tiny_png(3))  # the bytes of File:Sample 00003.png
    assert client.titles_with_sha1(sha1_of(path)) == ["File:Sample 00003.png"]
    assert client.titles_with_sha1("0" * 40) == []
    # Sent anyway, the wiki warns rather than publishing a second copy.
    outcome = client.upload(path, filename="Partner copy.png", text="Copy.", comment="")
    assert outcome.result == "Warning"
    assert outcome.warnings["duplicate"] == ["Sample_00003.png"]
    assert client.files_by_title(["Partner copy.png", "Bad|name.png"]) == {
        "Partner copy.png": None,
        "Bad|name.png": None,
    }


def test_a_name_the_wiki_would_change_is_a_badfilename_warning(
    wiki: LocalWiki, tmp_path: Path
) -> None:
    path = image(tmp_path / "odd.png", "PNG")
    outcome = admin(wiki).upload(path, filename="Partner: odd name.png", text="Odd.", comment="")
    assert outcome.result == "Warning"
    assert outcome.warnings["badfilename"] == "Partner-_odd_name.png"


def test_bytes_that_are_not_what_the_name_says_are_refused_in_plain_words(
    wiki: LocalWiki, tmp_path: Path
) -> None:
    path = tmp_path / "fake.png"
    path.write_bytes(b"This is a spreadsheet, not a picture.\n" * 20)
    with pytest.raises(WikiUploadError) as caught:
        admin(wiki).upload(path, filename="Partner fake.png", text="Fake.", comment="")
    assert caught.value.code == "verification-error"
    assert "does not match" in caught.value.message


def test_an_ordinary_account_is_rate_limited_and_the_wait_is_reported(
    wiki: LocalWiki, tmp_path: Path
) -> None:
    wiki.set_upload_ratelimit(1, 2)
    waits: list[tuple[str, datetime]] = []
    client = MediaWikiClient(
        wiki.api_url,
        user_supplied=True,
        policy=RetryPolicy(max_attempts=6, base_delay=1.0),
        on_wait=lambda reason, until: waits.append((reason, until)),
    )
    client.login(*wiki.editor_bot)
    for n in range(2):
        path = image(tmp_path / f"limited-{n}.png", "PNG")
        outcome = client.upload(path, filename=f"Partner limited {n}.png", text="L.", comment="")
        assert outcome.result == "Success"
    assert waits and {reason for reason, _ in waits} == {"ratelimited"}
    assert all(until.tzinfo is not None for _, until in waits)


def test_a_rate_limit_that_outlasts_the_policy_is_raised_typed(
    wiki: LocalWiki, tmp_path: Path
) -> None:
    wiki.set_upload_ratelimit(1, 600)
    client = MediaWikiClient(wiki.api_url, user_supplied=True, policy=RetryPolicy(max_attempts=1))
    client.login(*wiki.editor_bot)
    with pytest.raises(WikiRateLimited):
        for n in range(2):
            path = image(tmp_path / f"over-{n}.png", "PNG")
            client.upload(path, filename=f"Partner over limit {n}.png", text="L.", comment="")


# A recorded server: failures after the bytes were sent ------------------------------------------

TOKENS = {
    "batchcomplete": True,
    "query": {
        "general": {"generator": "MediaWiki 1.39.17", "sitename": "Recorded"},
        "userinfo": {"id": 0, "name": "127.0.0.1", "anon": True, "rights": ["upload"]},
        "tokens": {"csrftoken": "+\\"},
    },
}


@pytest.fixture
def recorded(wiki_server: RecordedServer) -> RecordedServer:
    wiki_server.add("/w/api.php", Reply({"detail": "not this"}, status=599))
    wiki_server.add("/w/api.php", Reply(TOKENS), match={"meta": "tokens|siteinfo|userinfo"})
    return wiki_server


def uploads_sent(server: RecordedServer) -> int:
    return sum(1 for seen in server.seen if seen.method == "POST")


@pytest.mark.parametrize("status", [500, 502, 504])
def test_a_server_error_after_sending_is_not_sent_again(
    recorded: RecordedServer, tmp_path: Path, status: int
) -> None:
    recorded.add("/w/api.php", Reply("<h1>Internal error</h1>", status=status))
    recorded.add("/w/api.php", Reply(TOKENS), match={"meta": "tokens|siteinfo|userinfo"})
    path = image(tmp_path / "sent.png", "PNG")
    client = MediaWikiClient(recorded.url("/w/api.php"), sleep=FakeClock().sleep)
    with pytest.raises(WikiOutcomeUnknown) as caught:
        client.upload(path, filename="Sent.png", text="", comment="")
    assert f"HTTP {status}" in caught.value.message
    assert uploads_sent(recorded) == 1


def test_a_timeout_after_sending_is_not_sent_again(
    recorded: RecordedServer, tmp_path: Path
) -> None:
    recorded.add("/w/api.php", Reply({"upload": {"result": "Success"}}, delay=1.0))
    recorded.add("/w/api.php", Reply(TOKENS), match={"meta": "tokens|siteinfo|userinfo"})
    path = image(tmp_path / "slow.png", "PNG")
    client = MediaWikiClient(recorded.url("/w/api.php"), timeout=(2.0, 0.3))
    with pytest.raises(WikiOutcomeUnknown) as caught:
        client.upload(path, filename="Slow.png", text="", comment="")
    assert "may have been done" in caught.value.message
    assert uploads_sent(recorded) == 1


def test_a_503_with_retry_after_is_waited_for_and_reported(
    recorded: RecordedServer, tmp_path: Path
) -> None:
    done = {"upload": {"result": "Warning", "warnings": {"exists": "Busy.png"}, "filekey": "k"}}
    recorded.add("/w/api.php", Reply("busy", status=503, headers={"Retry-After": "7"}), Reply(done))
    recorded.add("/w/api.php", Reply(TOKENS), match={"meta": "tokens|siteinfo|userinfo"})
    path = image(tmp_path / "busy.png", "PNG")
    clock = FakeClock()
    waits: list[str] = []
    client = MediaWikiClient(
        recorded.url("/w/api.php"),
        sleep=clock.sleep,
        clock=clock,
        on_wait=lambda reason, until: waits.append(reason),
    )
    outcome = client.upload(path, filename="Busy.png", text="", comment="")
    assert outcome.warnings == {"exists": "Busy.png"} and outcome.filekey == "k"
    assert waits == ["retry-after"] and clock.sleeps == [7.0]
    assert uploads_sent(recorded) == 2


def test_the_multipart_body_is_streamed_from_disk_and_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(bytes(range(256)) * 1000)
    body = MultipartBody(
        {"action": "upload", "text": "Été"}, {"chunk": FilePart(path, offset=1000, length=5000)}
    )
    pieces = []
    while block := body.read(777):
        pieces.append(block)
    raw = b"".join(pieces)
    assert len(raw) == len(body)
    body.seek(0)
    assert body.read() == raw
    message = BytesParser().parsebytes(
        b"Content-Type: " + body.content_type.encode() + b"\r\n\r\n" + raw
    )
    parts = {p.get_param("name", header="content-disposition"): p for p in message.walk()}
    assert parts["text"].get_payload(decode=True) == "Été".encode()
    assert parts["chunk"].get_payload(decode=True) == path.read_bytes()[1000:6000]


def test_each_wait_is_reported_with_its_reason(recorded: RecordedServer) -> None:
    lagged = {"error": {"code": "maxlag", "info": "Waiting for a database server: 24 seconds"}}
    recorded.add(
        "/w/api.php",
        Reply("<h1>Bad gateway</h1>", status=502),
        Reply(lagged, headers={"MediaWiki-API-Error": "maxlag", "Retry-After": "5"}),
        Reply({"batchcomplete": True, "query": {"allimages": []}}),
        match={"list": "allimages"},
    )
    recorded.add("/w/api.php", Reply(TOKENS), match={"meta": "siteinfo|userinfo"})
    clock = FakeClock()
    waits: list[tuple[str, datetime]] = []
    client = MediaWikiClient(
        recorded.url("/w/api.php"),
        sleep=clock.sleep,
        clock=clock,
        on_wait=lambda reason, until: waits.append((reason, until)),
    )
    client.siteinfo()
    assert client.titles_with_sha1("a" * 40) == []
    assert [reason for reason, _ in waits] == ["server-error", "maxlag"]
    assert clock.sleeps == [1.0, 5.0]
    assert (waits[1][1] - waits[0][1]).total_seconds() > 3  # the second wait ends later


def test_page_text_is_previewed_as_the_wiki_renders_it(wiki: LocalWiki) -> None:
    html = admin(wiki).parse_wikitext(
        "''A partner's'' photograph. [[Category:Partner uploads]]", title="File:Preview.jpg"
    )
    assert "<i>A partner's</i> photograph." in html


def test_a_refused_connection_sent_nothing_and_is_tried_again(
    tmp_path: Path, settings: Any
) -> None:
    from tests.localwiki import free_port

    closed = f"http://127.0.0.1:{free_port()}"
    settings.HUB_ALLOWED_PRIVATE_WIKIS = [closed]
    clock = FakeClock()
    client = MediaWikiClient(
        f"{closed}/w/api.php",
        sleep=clock.sleep,
        clock=clock,
        policy=RetryPolicy(max_attempts=3, base_delay=1.0),
    )
    client._site = client._read_site(TOKENS)  # as if the wiki had answered before
    client._csrf = "+\\"
    with pytest.raises(WikiUnreachable) as caught:
        client.upload(image(tmp_path / "x.png", "PNG"), filename="X.png", text="", comment="")
    assert not isinstance(caught.value, WikiOutcomeUnknown)
    assert clock.sleeps == [1.0, 2.0]


def test_a_deleted_file_is_a_warning_by_name_and_by_bytes(wiki: LocalWiki, tmp_path: Path) -> None:
    client = admin(wiki)
    gone = image(tmp_path / "gone.png", "PNG")
    client.upload(gone, filename="Partner deleted.png", text="Soon gone.", comment="")
    wiki.php("maintenance/deleteBatch.php", "-u", "Admin", stdin=b"File:Partner deleted.png\n")
    by_name = client.upload(
        image(tmp_path / "new.png", "PNG"), filename="Partner deleted.png", text="New.", comment=""
    )
    assert by_name.result == "Warning" and by_name.warnings["was-deleted"] == "Partner_deleted.png"
    by_bytes = client.upload(gone, filename="Partner back again.png", text="Back.", comment="")
    assert by_bytes.result == "Warning"
    assert by_bytes.warnings["duplicate-archive"] == "Partner_deleted.png"
