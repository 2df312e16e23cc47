"""The dry run and the ledger runner against a real MediaWiki 1.39 (tests/localwiki.py).

A batch from a sheet and files: the check finds what to fix, the fix is checked again, the run
puts every file on the wiki once, the batch ends linked to the partnership's impact. Crashes in
the middle of a row (a row left "sending" after its bytes arrived) resume without a second copy.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hub.core.models import AuditEvent
from hub.impact.models import ContentLink
from hub.uploads import services
from hub.uploads.dryrun import run_check
from hub.uploads.models import UploadBatch, UploadRow
from hub.uploads.runner import run_batch
from hub.wikimedia.errors import WikiOutcomeUnknown, WikiUnreachable
from hub.wikimedia.http import RetryPolicy, reset_sessions
from hub.wikimedia.mediawiki import MediaWikiClient
from tests import factories
from tests.localwiki import LocalWiki
from tests.uploads_app import batch_with_sheet, give_files, png, row
from tests.uploads_blocking import BlockingClient

pytestmark = pytest.mark.django_db
State = UploadRow.State


@pytest.fixture
def wiki(local_wiki: LocalWiki, settings: Any, tmp_path: Path) -> Iterator[LocalWiki]:
    settings.HUB_ALLOWED_PRIVATE_WIKIS = [local_wiki.base_url]
    settings.HUB_UPLOADS_DIR = tmp_path / "uploads"
    reset_sessions()
    yield local_wiki
    local_wiki.set_upload_ratelimit(None)
    reset_sessions()


@pytest.fixture
def partnership(affiliate_a: Any, member_a: Any) -> Any:
    return factories.partnership(affiliate_a, actor=member_a, title="Nordic Museum")


def _unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:10]}"


def ready_batch(
    wiki: LocalWiki, partnership: Any, actor: Any, tmp_path: Path, rows: list[list[str]]
) -> UploadBatch:
    batch = batch_with_sheet(partnership, actor, tmp_path, rows, wiki_url=wiki.api_url)
    services.set_page_template(actor=actor, batch=batch, structured_data=False)
    services.set_account(
        actor=actor,
        batch=batch,
        kind="bot_password",
        name=wiki.admin_bot[0],
        secret=wiki.admin_bot[1],
    )
    return batch


def check(batch: UploadBatch, actor: Any) -> dict[str, Any]:
    services.request_check(actor=actor, batch=batch)
    return run_check(batch_id=batch.pk)


def on_wiki(wiki: LocalWiki, titles: list[str]) -> dict[str, Any]:
    return MediaWikiClient(wiki.api_url, user_supplied=True).files_by_title(
        [f"File:{t}" for t in titles]
    )


def test_a_batch_goes_from_sheet_to_wiki_once_and_counts_in_the_impact(
    wiki, partnership, member_a, tmp_path
):
    names = [_unique("Harbour"), _unique("Market"), _unique("Bridge")]
    batch = ready_batch(
        wiki,
        partnership,
        member_a,
        tmp_path,
        [row("a.png", names[0]), row("b.png", names[1]), row("c.png", names[2])],
    )
    give_files(batch, member_a, tmp_path, ["a.png", "b.png", "stray.png"])

    check(batch, member_a)
    batch.refresh_from_db()
    rows = {r.number: r for r in batch.rows.all()}
    assert rows[4].state == State.BLOCKED
    assert any("c.png" in p["message"] for p in rows[4].problems)
    assert rows[2].state == rows[3].state == State.VALIDATED
    assert any("stray.png" in n["message"] for n in batch.notes)

    originals = give_files(batch, member_a, tmp_path, ["c.png"])  # the fix
    check(batch, member_a)
    assert set(batch.rows.values_list("state", flat=True)) == {State.VALIDATED}

    services.start_upload(actor=member_a, batch=batch)
    outcome = run_batch(batch_id=batch.pk)
    assert outcome == {"done": True}
    batch.refresh_from_db()
    assert batch.status == UploadBatch.Status.FINISHED
    assert batch.account_secret == "" and batch.account_name == ""
    found = on_wiki(wiki, [f"{n}.png" for n in names])
    assert all(found.values()), found
    done = list(batch.rows.order_by("number"))
    assert {r.state for r in done} == {State.DONE}
    assert done[2].page_id == found[f"File:{names[2]}.png"].page_id
    assert found[f"File:{names[2]}.png"].sha1 == hashlib.sha1(originals[0].read_bytes()).hexdigest()  # noqa: S324
    link = ContentLink.objects.get(partnership=partnership)
    assert link.kind == ContentLink.Kind.COMMONS_CATEGORY
    assert link.target == batch.tracking_category
    assert AuditEvent.objects.filter(action="uploads.finished").exists()
    assert run_batch(batch_id=batch.pk) == {"skipped": True}  # a second task changes nothing


def test_titles_taken_and_bytes_already_there_are_found_before_sending(
    wiki, partnership, member_a, tmp_path
):
    admin = MediaWikiClient(wiki.api_url, user_supplied=True)
    admin.login(*wiki.admin_bot)
    taken = _unique("Taken")
    admin.upload(png(tmp_path / "other.png"), filename=f"{taken}.png", text="x", comment="")
    already = png(tmp_path / "already.png")
    there = _unique("Already there")
    admin.upload(already, filename=f"{there}.png", text="x", comment="")
    batch = ready_batch(
        wiki,
        partnership,
        member_a,
        tmp_path,
        [row("mine.png", taken), row("already.png", _unique("Copy"))],
    )
    services.add_files(
        actor=member_a,
        batch=batch,
        files=[("mine.png", png(tmp_path / "mine.png")), ("already.png", already)],
    )
    check(batch, member_a)
    first, second = batch.rows.order_by("number")
    assert first.state == State.BLOCKED
    assert any("already taken on the wiki" in p["message"] for p in first.problems)
    assert second.state == State.SKIPPED
    assert f"File:{there}.png" in second.message


def test_a_row_left_sending_after_its_bytes_arrived_is_recorded_not_sent_again(
    wiki, partnership, member_a, tmp_path
):
    title = _unique("Crashed")
    batch = ready_batch(wiki, partnership, member_a, tmp_path, [row("a.png", title)])
    [original] = give_files(batch, member_a, tmp_path, ["a.png"])
    check(batch, member_a)
    services.start_upload(actor=member_a, batch=batch)
    # A worker sent the file, then died before writing down that it arrived.
    admin = MediaWikiClient(wiki.api_url, user_supplied=True)
    admin.login(*wiki.admin_bot)
    admin.upload(original, filename=f"{title}.png", text="x", comment="")
    batch.rows.update(state=State.SENDING, attempts=1)

    assert run_batch(batch_id=batch.pk) == {"done": True}
    only = batch.rows.get()
    assert only.state == State.DONE and only.attempts == 1  # never sent a second time
    sha1 = hashlib.sha1(original.read_bytes()).hexdigest()  # noqa: S324
    assert admin.titles_with_sha1(sha1) == [f"File:{title}.png"]


def test_a_rate_limit_makes_the_batch_wait_and_say_until_when(
    wiki, partnership, member_a, tmp_path, settings
):
    wiki.set_upload_ratelimit(1, 600)
    names = [_unique("Limited"), _unique("Limited")]
    batch = ready_batch(
        wiki, partnership, member_a, tmp_path, [row("a.png", names[0]), row("b.png", names[1])]
    )
    services.set_account(
        actor=member_a,
        batch=batch,
        kind="bot_password",
        name=wiki.editor_bot[0],
        secret=wiki.editor_bot[1],
    )
    give_files(batch, member_a, tmp_path, ["a.png", "b.png"])
    check(batch, member_a)
    services.start_upload(actor=member_a, batch=batch)
    batch.refresh_from_db()
    client = MediaWikiClient(wiki.api_url, user_supplied=True, policy=RetryPolicy(max_attempts=1))
    client.login(*wiki.editor_bot)
    outcome = run_batch(batch_id=batch.pk, client=client)
    assert "retry_at" in outcome
    batch.refresh_from_db()
    assert batch.status == UploadBatch.Status.RUNNING
    assert batch.wait_until is not None and batch.wait_reason
    first, second = batch.rows.order_by("number")
    assert first.state == State.UPLOADED  # on the wiki; its structured data comes after
    assert second.state == State.SENDING  # kept: the next run asks the wiki first
    wiki.set_upload_ratelimit(None)
    assert run_batch(batch_id=batch.pk, client=client) == {"done": True}
    assert all(on_wiki(wiki, [f"{n}.png" for n in names]).values())


def test_structured_data_is_written_after_each_upload_through_the_stand_in(
    wiki, partnership, member_a, tmp_path, settings
):
    """Commons' structured data: the stand-in (tests/sdc_standin.py) in front of the local wiki."""
    from hub.wikimedia.mediainfo import get_mediainfo
    from tests.sdc_standin import SdcStandIn
    from tests.uploads_app import sheet_csv

    standin = SdcStandIn(upstream=wiki.base_url)
    try:
        settings.HUB_ALLOWED_PRIVATE_WIKIS = [wiki.base_url, standin.url("/")]
        reset_sessions()
        title = _unique("Captioned")
        batch = services.create_batch(
            actor=member_a, partnership=partnership, title="SDC", wiki_url=standin.api_url
        )
        sheet = sheet_csv(
            tmp_path / "sdc.csv",
            [["a.png", title, "A harbour", "Anna", "1923", "Museum", "CC0", "Harbour at dawn"]],
            headers=[
                "File",
                "Name",
                "Description",
                "Author",
                "Date",
                "Source",
                "Licence",
                "Caption (en)",
            ],
        )
        services.attach_sheet(actor=member_a, batch=batch, path=sheet, original_name="sdc.csv")
        services.set_account(
            actor=member_a,
            batch=batch,
            kind="bot_password",
            name=wiki.admin_bot[0],
            secret=wiki.admin_bot[1],
        )
        give_files(batch, member_a, tmp_path, ["a.png"])
        check(batch, member_a)
        services.start_upload(actor=member_a, batch=batch)
        assert run_batch(batch_id=batch.pk) == {"done": True}
        done = batch.rows.get()
        assert done.state == State.DONE and done.message == ""
        assert done.page_id is not None
        client = MediaWikiClient(standin.api_url, user_supplied=True)
        entity = get_mediainfo(client, [done.page_id])[done.page_id]
        assert entity["labels"]["en"]["value"] == "Harbour at dawn"
        assert "P275" in entity["statements"] or "P6216" in entity["statements"]
    finally:
        standin.close()


@pytest.mark.parametrize(
    ("point", "fault"),
    [
        ("upload-before", WikiUnreachable("HTTP 500 from the wiki", retry_after=1)),
        ("upload-after", WikiOutcomeUnknown("The wiki did not answer in time.", retry_after=1)),
    ],
    ids=["500-before-the-bytes", "timeout-after-the-bytes"],
)
def test_a_wiki_failing_halfway_loses_nothing_and_sends_nothing_twice(
    wiki, partnership, member_a, tmp_path, point, fault
):
    names = [_unique("Halfway"), _unique("Halfway")]
    batch = ready_batch(
        wiki, partnership, member_a, tmp_path, [row("a.png", names[0]), row("b.png", names[1])]
    )
    originals = give_files(batch, member_a, tmp_path, ["a.png", "b.png"])
    check(batch, member_a)
    services.start_upload(actor=member_a, batch=batch)
    client = BlockingClient(wiki.api_url, user_supplied=True, policy=RetryPolicy(max_attempts=1))
    client.login(*wiki.admin_bot)
    BlockingClient.faults = {point: fault}
    outcome = run_batch(batch_id=batch.pk, client=client)
    assert "retry_at" in outcome
    batch.refresh_from_db()
    first = batch.rows.order_by("number").first()
    assert first is not None and first.state == State.SENDING
    assert fault.message in first.message and batch.wait_until is not None  # said on the row
    assert run_batch(batch_id=batch.pk, client=client) == {"done": True}
    for original, name in zip(originals, names, strict=True):
        sha1 = hashlib.sha1(original.read_bytes()).hexdigest()  # noqa: S324
        assert client.titles_with_sha1(sha1) == [f"File:{name}.png"]


def test_pause_resume_and_cancel_from_the_batch_page(
    wiki, partnership, member_a, tmp_path, client_a
):
    from django.urls import reverse

    batch = ready_batch(wiki, partnership, member_a, tmp_path, [row("a.png", _unique("Paused"))])
    give_files(batch, member_a, tmp_path, ["a.png"])
    check(batch, member_a)

    def post(name: str) -> Any:
        return client_a.post(reverse(f"uploads:{name}", kwargs={"slug": "alpha", "pk": batch.pk}))

    post("batch_start")
    post("batch_pause")
    batch.refresh_from_db()
    assert batch.status == UploadBatch.Status.PAUSED
    assert run_batch(batch_id=batch.pk) == {"skipped": True}  # a paused batch sends nothing
    post("batch_resume")
    batch.refresh_from_db()
    assert batch.status == UploadBatch.Status.RUNNING
    progress = client_a.get(
        reverse("uploads:batch_progress", kwargs={"slug": "alpha", "pk": batch.pk})
    ).json()
    assert progress["status"] == "running" and progress["counts"]["validated"] == 1
    post("batch_cancel")
    batch.refresh_from_db()
    assert batch.status == UploadBatch.Status.CANCELLED and batch.account_secret == ""
    assert run_batch(batch_id=batch.pk) == {"skipped": True}
    assert batch.rows.get().state == State.VALIDATED  # nothing was sent


def test_the_rows_csv_is_safe_to_open_in_a_spreadsheet(
    wiki, partnership, member_a, tmp_path, client_a
):
    from django.urls import reverse

    batch = ready_batch(wiki, partnership, member_a, tmp_path, [row("a.png", "=cmd|' /C calc'!A0")])
    check(batch, member_a)
    response = client_a.get(
        reverse("uploads:batch_export", kwargs={"slug": "alpha", "pk": batch.pk})
    )
    body = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert "'=cmd" in body or "\"'=cmd" in body


def test_sending_costs_one_request_per_file_plus_one_query_per_fifty(
    wiki, partnership, member_a, tmp_path
):
    names = [_unique("Counted") for _ in range(6)]
    batch = ready_batch(
        wiki,
        partnership,
        member_a,
        tmp_path,
        [row(f"{n}.png", name) for n, name in enumerate(names)],
    )
    give_files(batch, member_a, tmp_path, [f"{n}.png" for n in range(6)])
    check(batch, member_a)
    services.start_upload(actor=member_a, batch=batch)
    client = MediaWikiClient(wiki.api_url, user_supplied=True)
    client.login(*wiki.admin_bot)
    client.csrf_token()
    before = client.stats.requests
    assert run_batch(batch_id=batch.pk, client=client) == {"done": True}
    # Six uploads, one title query before them, one page-id query after them.
    assert client.stats.requests - before == 6 + 2


def test_a_second_run_for_a_batch_waits_for_the_first_instead_of_sending_too(
    wiki, partnership, member_a, tmp_path
):
    from hub.uploads.runner import claim

    batch = ready_batch(wiki, partnership, member_a, tmp_path, [row("a.png", _unique("Once"))])
    give_files(batch, member_a, tmp_path, ["a.png"])
    check(batch, member_a)
    services.start_upload(actor=member_a, batch=batch)
    assert claim(batch.pk, "first-run")  # a run is sending (a quick pause and resume after)
    outcome = run_batch(batch_id=batch.pk)
    assert outcome.get("busy") and "retry_at" in outcome
    assert batch.rows.get().state == State.VALIDATED  # the second run sent nothing
    UploadBatch.objects.filter(pk=batch.pk).update(runner="")  # the first run ended
    assert run_batch(batch_id=batch.pk) == {"done": True}
    batch.refresh_from_db()
    assert batch.runner == ""
