"""The MediaWiki client against a real MediaWiki 1.39 on 127.0.0.1 (tests/localwiki.py)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from typing import Any

import pytest

from hub.wikimedia.errors import (
    InvalidTitle,
    WikiLoginFailed,
    WikiMaxLag,
    WikiNotFound,
)
from hub.wikimedia.http import RetryPolicy, reset_sessions
from hub.wikimedia.mediawiki import MediaWikiClient
from tests.localwiki import BIG_CATEGORY, SUB_A, SUB_B, UNICODE_CATEGORY, LocalWiki
from tests.wikiserver import FakeClock


@pytest.fixture
def wiki(local_wiki: LocalWiki, settings: Any) -> Iterator[LocalWiki]:
    """Return the local wiki, allowed as an administrator-configured private address."""
    settings.HUB_ALLOWED_PRIVATE_WIKIS = [local_wiki.base_url]
    reset_sessions()
    local_wiki.set_maxlag(False)
    yield local_wiki
    local_wiki.set_maxlag(False)
    reset_sessions()


def client_for(wiki: LocalWiki, **kwargs: Any) -> MediaWikiClient:
    return MediaWikiClient(wiki.api_url, user_supplied=True, **kwargs)


def test_siteinfo_of_the_local_wiki(wiki: LocalWiki) -> None:
    site = client_for(wiki).siteinfo()
    assert site.generator.startswith("MediaWiki 1.39")
    assert site.anonymous
    assert not site.high_limits


def test_category_members_follow_continuation_over_1200_files(wiki: LocalWiki) -> None:
    client = client_for(wiki)
    files = list(client.iter_category_members(BIG_CATEGORY))
    assert len(files) == wiki.files
    assert len({f.page_id for f in files}) == wiki.files
    assert all(f.kind == "file" and f.namespace == 6 for f in files)
    # An anonymous reader gets 500 per request: 3 requests for 1,250 files.
    assert client.stats.requests == math.ceil(wiki.files / 500)


def test_category_info_sizes(wiki: LocalWiki) -> None:
    info = client_for(wiki).category_info("category:big_files")
    assert info.title == f"Category:{BIG_CATEGORY}"
    assert (info.files, info.subcats, info.page_exists) == (wiki.files, 1, True)


def test_an_unknown_category_is_not_found(wiki: LocalWiki) -> None:
    with pytest.raises(WikiNotFound):
        client_for(wiki).category_info("Category:No such category here")


def test_a_category_with_odd_unicode_is_found_however_it_is_typed(wiki: LocalWiki) -> None:
    client = client_for(wiki)
    for typed in (
        "Category:Cafe\u0301 de\u0301ja\u0300 vu",
        "café_déjà_vu",
        "  Café  déjà\u00a0vu",
    ):
        info = client.category_info(typed)
        assert info.title == f"Category:{UNICODE_CATEGORY}"
        assert info.files == 2


def test_a_title_the_wiki_refuses_is_invalid(wiki: LocalWiki) -> None:
    with pytest.raises(InvalidTitle):
        client_for(wiki).category_info("Category:A [broken] name")


def test_deep_walk_counts_each_file_once_and_survives_the_cycle(wiki: LocalWiki) -> None:
    tree = client_for(wiki).category_tree(BIG_CATEGORY)
    # Sub A repeats four files of the root; Sub B one more; Sub B links back to the root.
    assert tree.categories == (
        f"Category:{BIG_CATEGORY}",
        f"Category:{SUB_A}",
        f"Category:{SUB_B}",
    )
    assert tree.files == wiki.files
    assert tree.pages == 1
    assert tree.cycles == 1
    assert not tree.truncated


def test_deep_walk_stops_at_its_depth_budget(wiki: LocalWiki) -> None:
    tree = client_for(wiki).category_tree(BIG_CATEGORY, max_depth=1)
    assert tree.categories == (f"Category:{BIG_CATEGORY}", f"Category:{SUB_A}")
    assert tree.truncated


def test_imageinfo_is_batched_by_50_for_an_ordinary_account(wiki: LocalWiki) -> None:
    client = client_for(wiki)
    names = [f"Sample {n:05d}.png" for n in range(0, 120)]
    infos = client.imageinfo(titles=names)
    assert sorted(i.title for i in infos) == [f"File:{n}" for n in names]
    assert all(i.sha1 and i.url and i.size for i in infos)
    assert client.stats.requests == 3  # 50 + 50 + 20
    missing = client.imageinfo(titles=["No such file.png"])
    assert missing[0].missing


def test_files_with_info_through_the_generator(wiki: LocalWiki) -> None:
    client = client_for(wiki)
    infos = list(client.iter_category_files_with_info(BIG_CATEGORY))
    assert len(infos) == wiki.files
    assert all(i.mime == "image/png" for i in infos)
    # The first request also carried the siteinfo/userinfo probe: no extra request for it.
    assert client.stats.requests == math.ceil(wiki.files / 500)


def test_a_bot_with_apihighlimits_gets_bigger_batches(wiki: LocalWiki) -> None:
    client = client_for(wiki)
    client.login(*wiki.admin_bot)
    files = list(client.iter_category_members(BIG_CATEGORY))
    assert len(files) == wiki.files
    assert client.siteinfo().high_limits
    # login token + login + one list request of up to 5,000
    assert client.stats.requests == 3


def test_a_wrong_bot_password_fails_typed(wiki: LocalWiki) -> None:
    with pytest.raises(WikiLoginFailed):
        client_for(wiki).login(wiki.editor_bot[0], "not-the-password")


def test_a_real_maxlag_error_is_retried_then_succeeds(wiki: LocalWiki) -> None:
    assert wiki.queued_jobs() > 5  # uploads queued jobs; they count as lag under the flag
    wiki.set_maxlag(True)
    clock = FakeClock()

    def sleep(seconds: float) -> None:
        clock.sleep(seconds)
        wiki.set_maxlag(False)  # the lag is gone by the time we ask again

    client = client_for(wiki, sleep=sleep, clock=clock)
    assert client.category_info(BIG_CATEGORY).files == wiki.files
    assert clock.sleeps == [5.0]  # MediaWiki's Retry-After for maxlag
    assert client.stats.retries == 1


def test_a_real_maxlag_error_raises_after_bounded_attempts(wiki: LocalWiki) -> None:
    wiki.set_maxlag(True)
    clock = FakeClock()
    client = client_for(wiki, sleep=clock.sleep, clock=clock, policy=RetryPolicy(max_attempts=3))
    with pytest.raises(WikiMaxLag) as caught:
        client.category_info(BIG_CATEGORY)
    assert caught.value.retryable
    assert caught.value.lag is not None and caught.value.lag > 5
    assert client.stats.requests == 3


def test_a_foreground_client_sends_no_maxlag(wiki: LocalWiki) -> None:
    wiki.set_maxlag(True)
    client = client_for(wiki, background=False)
    assert client.category_info(BIG_CATEGORY).files == wiki.files


def test_a_real_ratelimited_error_is_retried(wiki: LocalWiki) -> None:
    wiki.set_ratelimit_window(2)
    client = client_for(wiki, policy=RetryPolicy(max_attempts=6, base_delay=1.0))
    client.login(*wiki.editor_bot)
    outcomes: list[str] = []
    client.http.on_request = lambda record: outcomes.append(record.outcome)
    try:
        for n in range(5):
            result = client.edit("Rate limit test", f"Edit number {n}.", summary="test")
            assert result["result"] == "Success"
    finally:
        wiki.set_ratelimit_window(60)
    assert "ratelimited" in outcomes


def test_a_real_badtoken_error_refreshes_the_token(wiki: LocalWiki) -> None:
    client = client_for(wiki)
    client.login(*wiki.admin_bot)
    client.csrf_token()
    client._csrf = "stale+\\"  # what a token looks like after its session expired
    outcomes: list[str] = []
    client.http.on_request = lambda record: outcomes.append(record.outcome)
    result = client.edit("Token test", "Written with a fresh token.")
    assert result["result"] == "Success"
    assert outcomes == ["WikiApiError", "ok", "ok"]  # badtoken, new token, the edit


# Revision times: the latest of many pages, the first of one ------------------------------------

CREATED = "Revisions test created"  # three revisions in 2026
OLD = "Revisions test old"  # created in 2019, last edited in 2025
REDIRECT = "Revisions test moved"  # a redirect to CREATED


@pytest.fixture(scope="module")
def _revisions_written(local_wiki: LocalWiki) -> None:
    """Write the pages once for the module: its tests only read them."""
    local_wiki.import_pages(
        {
            CREATED: [
                ("2026-04-02T10:00:00Z", "First version."),
                ("2026-05-03T11:00:00Z", "Second version."),
                ("2026-06-04T12:00:00Z", "Third version."),
            ],
            OLD: [("2019-05-05T12:00:00Z", "Old."), ("2025-02-02T08:00:00Z", "Less old.")],
            REDIRECT: [("2024-01-01T00:00:00Z", f"#REDIRECT [[{CREATED}]]")],
        }
    )


@pytest.fixture
def revisions_wiki(_revisions_written: None, wiki: LocalWiki) -> LocalWiki:
    """Return the local wiki with pages whose revisions were written at known times."""
    return wiki


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def test_latest_revisions_of_pages_written_at_known_times(revisions_wiki: LocalWiki) -> None:
    client = client_for(revisions_wiki)
    asked = [CREATED, "revisions_test_old", REDIRECT, "Revisions test never written", "A [bad]"]

    found = {r.asked: r for r in client.latest_revisions(asked)}

    assert found[CREATED].timestamp == _utc("2026-06-04T12:00:00")
    assert found[CREATED].exists and found[CREATED].page_id
    # Normalised by the wiki (first letter, underscores), and read back under the asked title.
    assert found["revisions_test_old"].title == OLD
    assert found["revisions_test_old"].timestamp == _utc("2025-02-02T08:00:00")
    # A redirect leads to its target's latest revision.
    assert found[REDIRECT].title == CREATED
    assert found[REDIRECT].timestamp == _utc("2026-06-04T12:00:00")
    assert found["Revisions test never written"].missing
    assert found["Revisions test never written"].timestamp is None
    assert found["A [bad]"].invalid and not found["A [bad]"].exists
    assert client.stats.requests == 1


def test_first_revision_takes_one_request_however_many_revisions(
    revisions_wiki: LocalWiki,
) -> None:
    client = client_for(revisions_wiki)

    created = client.first_revision(CREATED)
    old = client.first_revision("revisions test old")
    moved = client.first_revision(REDIRECT)

    assert created.timestamp == _utc("2026-04-02T10:00:00")
    assert old.title == OLD and old.timestamp == _utc("2019-05-05T12:00:00")
    assert moved.title == CREATED and moved.timestamp == _utc("2026-04-02T10:00:00")
    # Its next revisions are left unasked: the reply's continuation is not followed.
    assert client.stats.requests == 3
    assert client.first_revision("Revisions test never written").missing
    with pytest.raises(InvalidTitle):
        client.first_revision("A [bad]")


def test_an_edit_made_now_is_the_latest_revision_and_not_the_first(
    revisions_wiki: LocalWiki,
) -> None:
    revisions_wiki.import_pages({"Revisions test edited": [("2018-01-01T00:00:00Z", "Then.")]})
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    editor = client_for(revisions_wiki)
    editor.login(*revisions_wiki.admin_bot)
    editor.edit("Revisions test edited", f"Edited at {before.isoformat()}.", summary="test")

    reader = client_for(revisions_wiki)
    [latest] = reader.latest_revisions(["Revisions test edited"])
    first = reader.first_revision("Revisions test edited")

    assert latest.timestamp is not None and latest.timestamp >= before
    assert first.timestamp == _utc("2018-01-01T00:00:00")


def test_latest_revisions_are_batched_by_50_for_an_ordinary_account(
    revisions_wiki: LocalWiki,
) -> None:
    client = client_for(revisions_wiki)
    titles = [CREATED, OLD] + [f"Revisions test missing {n:03d}" for n in range(118)]

    found = client.latest_revisions(titles)

    assert [r.asked for r in found] == titles
    assert sum(r.exists for r in found) == 2
    assert client.stats.requests == 3  # 50 + 50 + 20


def test_latest_revisions_raise_the_real_maxlag_error_typed(revisions_wiki: LocalWiki) -> None:
    revisions_wiki.set_maxlag(True)  # MediaWiki answers HTTP 200 with an error body
    clock = FakeClock()
    client = client_for(
        revisions_wiki, sleep=clock.sleep, clock=clock, policy=RetryPolicy(max_attempts=2)
    )
    with pytest.raises(WikiMaxLag) as caught:
        client.latest_revisions([CREATED])
    assert caught.value.retryable


def test_the_impact_source_reads_edit_times_through_the_client(
    revisions_wiki: LocalWiki,
) -> None:
    from hub.impact.sources import WikimediaSource

    source = WikimediaSource()

    latest = source.latest_edits(revisions_wiki.base_url, [CREATED, "Revisions test nowhere"])

    assert latest == {CREATED: _utc("2026-06-04T12:00:00"), "Revisions test nowhere": None}
    assert source.first_edit(revisions_wiki.base_url, OLD) == _utc("2019-05-05T12:00:00")
    assert source.first_edit(revisions_wiki.base_url, "Revisions test nowhere") is None
