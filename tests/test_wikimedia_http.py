"""The transport under faults: 429/503 with and without Retry-After, timeouts, bad JSON, maxlag."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from hub.wikimedia.errors import (
    WikiApiError,
    WikiMalformedResponse,
    WikiMaxLag,
    WikiNotFound,
    WikiRateLimited,
    WikiUnreachable,
)
from hub.wikimedia.http import RequestRecord, RetryPolicy, WikiHttp, parse_retry_after
from hub.wikimedia.mediawiki import MediaWikiClient
from tests.wikiserver import FakeClock, RecordedServer, Reply

OK = Reply({"ok": True})


def make_http(server: RecordedServer, clock: FakeClock, **kwargs: Any) -> WikiHttp:
    return WikiHttp(server.base_url, sleep=clock.sleep, clock=clock, **kwargs)


def captures(fixtures_dir: Path) -> dict[str, Any]:
    return json.loads((fixtures_dir / "mediawiki" / "local-1.39-captures.json").read_text())


def test_retries_429_after_the_retry_after_it_asks_for(wiki_server: RecordedServer) -> None:
    wiki_server.add("/r", Reply({}, 429, {"Retry-After": "7"}), OK)
    clock = FakeClock()
    http = make_http(wiki_server, clock)
    assert http.get_json(wiki_server.url("/r")) == {"ok": True}
    assert clock.sleeps == [7.0]
    assert http.stats.requests == 2
    assert http.stats.retries == 1
    assert http.stats.waited_seconds == 7.0


def test_retries_429_without_retry_after_with_exponential_backoff(
    wiki_server: RecordedServer,
) -> None:
    wiki_server.add("/r", Reply({}, 429), Reply({}, 429), Reply({}, 429), OK)
    clock = FakeClock()
    http = make_http(wiki_server, clock)
    assert http.get_json(wiki_server.url("/r")) == {"ok": True}
    assert clock.sleeps == [1.0, 2.0, 4.0]


def test_retries_503_with_and_without_retry_after(wiki_server: RecordedServer) -> None:
    wiki_server.add("/r", Reply("busy", 503, {"Retry-After": "3"}), Reply("busy", 503), OK)
    clock = FakeClock()
    assert make_http(wiki_server, clock).get_json(wiki_server.url("/r")) == {"ok": True}
    assert clock.sleeps == [3.0, 2.0]


def test_gives_up_after_bounded_attempts_with_a_retryable_error(
    wiki_server: RecordedServer,
) -> None:
    wiki_server.add("/r", Reply({}, 503))
    clock = FakeClock()
    http = make_http(wiki_server, clock, policy=RetryPolicy(max_attempts=4))
    with pytest.raises(WikiUnreachable) as caught:
        http.get_json(wiki_server.url("/r"))
    assert caught.value.retryable
    assert http.stats.requests == 4
    assert clock.sleeps == [1.0, 2.0, 4.0]


def test_backoff_is_capped(wiki_server: RecordedServer) -> None:
    policy = RetryPolicy(max_attempts=8, base_delay=1, max_delay=5, max_total_wait=100)
    assert [policy.backoff(n) for n in range(1, 6)] == [1, 2, 4, 5, 5]


def test_a_retry_after_longer_than_we_wait_is_left_to_the_task_queue(
    wiki_server: RecordedServer,
) -> None:
    wiki_server.add("/r", Reply({}, 429, {"Retry-After": "3600"}), OK)
    clock = FakeClock()
    with pytest.raises(WikiRateLimited) as caught:
        make_http(wiki_server, clock).get_json(wiki_server.url("/r"))
    assert caught.value.retry_after == 3600
    assert caught.value.retryable
    assert clock.sleeps == []


def test_parses_retry_after_as_an_http_date() -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now) == 30
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after("120") == 120


def test_a_timeout_is_retried_then_raised_as_unreachable(wiki_server: RecordedServer) -> None:
    wiki_server.add("/slow", Reply({"late": True}, delay=0.6))
    clock = FakeClock()
    http = make_http(wiki_server, clock, timeout=(1.0, 0.2), policy=RetryPolicy(max_attempts=2))
    with pytest.raises(WikiUnreachable) as caught:
        http.get_json(wiki_server.url("/slow"))
    assert caught.value.retryable
    assert http.stats.requests == 2
    assert clock.sleeps == [1.0]


def test_a_timed_out_write_is_not_sent_again(wiki_server: RecordedServer) -> None:
    wiki_server.add("/slow", Reply({"late": True}, delay=0.6))
    clock = FakeClock()
    http = make_http(wiki_server, clock, timeout=(1.0, 0.2))
    with pytest.raises(WikiUnreachable):
        http.post_json(wiki_server.url("/slow"), {"a": "b"}, idempotent=False)
    assert http.stats.requests == 1


def test_a_refused_connection_is_unreachable(settings: Any) -> None:
    from tests.localwiki import free_port

    url = f"http://127.0.0.1:{free_port()}"
    settings.HUB_ALLOWED_PRIVATE_WIKIS = [url]
    clock = FakeClock()
    http = WikiHttp(url, sleep=clock.sleep, clock=clock, policy=RetryPolicy(max_attempts=2))
    with pytest.raises(WikiUnreachable):
        http.get_json(url + "/api.php")


def test_malformed_json_is_a_typed_error(wiki_server: RecordedServer) -> None:
    wiki_server.add("/r", Reply(b'{"query": {"pages": [', 200))
    with pytest.raises(WikiMalformedResponse) as caught:
        make_http(wiki_server, FakeClock()).get_json(wiki_server.url("/r"))
    assert not caught.value.retryable


def test_html_where_json_was_expected_is_malformed(wiki_server: RecordedServer) -> None:
    wiki_server.add("/r", Reply("<html>Welcome</html>", 200, {"Content-Type": "text/html"}))
    with pytest.raises(WikiMalformedResponse):
        make_http(wiki_server, FakeClock()).get_json(wiki_server.url("/r"))


def test_404_is_not_found_with_the_reason(wiki_server: RecordedServer) -> None:
    wiki_server.add("/r", Reply({"detail": "The category you asked for is not loaded yet"}, 404))
    with pytest.raises(WikiNotFound, match="not loaded yet"):
        make_http(wiki_server, FakeClock()).get_json(wiki_server.url("/r"))


def test_other_client_errors_are_api_errors(wiki_server: RecordedServer) -> None:
    wiki_server.add("/r", Reply({"detail": "bad date"}, 400))
    with pytest.raises(WikiApiError) as caught:
        make_http(wiki_server, FakeClock()).get_json(wiki_server.url("/r"))
    assert caught.value.code == "http-400"
    assert not caught.value.retryable


def test_redirects_are_not_followed(wiki_server: RecordedServer) -> None:
    wiki_server.add("/r", Reply("", 301, {"Location": "http://10.0.0.1/"}))
    with pytest.raises(WikiMalformedResponse, match="redirected"):
        make_http(wiki_server, FakeClock()).get_json(wiki_server.url("/r"))


def test_recorded_maxlag_error_is_retried_after_its_retry_after(
    wiki_server: RecordedServer, fixtures_dir: Path
) -> None:
    maxlag = captures(fixtures_dir)["maxlag_error_jobqueue"]
    wiki_server.add(
        "/api.php",
        Reply(maxlag["body"], maxlag["status"], maxlag["headers"]),
        Reply({"batchcomplete": True, "query": {"general": {"generator": "MediaWiki 1.39"}}}),
    )
    clock = FakeClock()
    client = MediaWikiClient(wiki_server.url("/api.php"), sleep=clock.sleep, clock=clock)
    assert client.siteinfo().generator == "MediaWiki 1.39"
    assert clock.sleeps == [5.0]
    assert wiki_server.seen[0].query["maxlag"] == "5"


def test_recorded_maxlag_error_raises_typed_after_bounded_attempts(
    wiki_server: RecordedServer, fixtures_dir: Path
) -> None:
    maxlag = captures(fixtures_dir)["maxlag_error_jobqueue"]
    wiki_server.add("/api.php", Reply(maxlag["body"], 200, maxlag["headers"]))
    clock = FakeClock()
    client = MediaWikiClient(
        wiki_server.url("/api.php"),
        sleep=clock.sleep,
        clock=clock,
        policy=RetryPolicy(max_attempts=3),
    )
    with pytest.raises(WikiMaxLag) as caught:
        client.siteinfo()
    assert caught.value.lag == 24
    assert caught.value.retry_after == 5
    assert caught.value.retryable
    assert len(wiki_server.seen) == 3


def test_recorded_ratelimited_error_backs_off_without_retry_after(
    wiki_server: RecordedServer, fixtures_dir: Path
) -> None:
    limited = captures(fixtures_dir)["ratelimited_edit_non_sysop"]
    assert limited["retry_after"] is None
    wiki_server.add(
        "/api.php",
        Reply(limited["body"], 200, {"MediaWiki-API-Error": limited["hdr"]}),
        Reply(limited["body"], 200, {"MediaWiki-API-Error": limited["hdr"]}),
        Reply({"edit": {"result": "Success"}}),
    )
    clock = FakeClock()
    http = make_http(wiki_server, clock)
    reply = http.post_json(wiki_server.url("/api.php"), {"action": "edit"}, mediawiki=True)
    assert reply == {"edit": {"result": "Success"}}
    assert clock.sleeps == [1.0, 2.0]


def test_other_api_errors_are_raised_with_code_and_info(
    wiki_server: RecordedServer, fixtures_dir: Path
) -> None:
    error = captures(fixtures_dir)["chunk_offset_mismatch"]
    wiki_server.add("/api.php", Reply(error, 200, {"MediaWiki-API-Error": "stashfailed"}))
    with pytest.raises(WikiApiError) as caught:
        make_http(wiki_server, FakeClock()).get_json(wiki_server.url("/api.php"), mediawiki=True)
    assert (caught.value.code, caught.value.info) == ("stashfailed", "Invalid chunk offset")


def test_sends_a_user_agent_with_the_contact(wiki_server: RecordedServer, settings: Any) -> None:
    from hub.wikimedia.http import reset_sessions

    settings.HUB_WIKIMEDIA_CONTACT = "ops@hub.example.org"
    reset_sessions()
    wiki_server.add("/r", OK)
    make_http(wiki_server, FakeClock()).get_json(wiki_server.url("/r"))
    agent = wiki_server.seen[0].headers["User-Agent"]
    assert agent.startswith("PartnershipsHub/")
    assert "ops@hub.example.org" in agent


def test_requests_to_one_host_go_in_series(wiki_server: RecordedServer) -> None:
    wiki_server.add("/r", Reply({"ok": True}, delay=0.05))
    active = 0
    peak = 0
    guard = threading.Lock()
    original = wiki_server._reply_for

    def counting(seen: Any) -> Reply:
        nonlocal active, peak
        with guard:
            active += 1
            peak = max(peak, active)
        try:
            reply = original(seen)
            import time

            time.sleep(reply.delay)
            return Reply(reply.body)
        finally:
            with guard:
                active -= 1

    wiki_server._reply_for = counting  # type: ignore[method-assign]
    threads = [
        threading.Thread(
            target=lambda: WikiHttp(wiki_server.base_url).get_json(wiki_server.url("/r"))
        )
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(wiki_server.seen) == 4
    assert peak == 1


def test_reports_every_exchange_to_the_hook(wiki_server: RecordedServer) -> None:
    wiki_server.add("/r", Reply({}, 503), OK)
    records: list[RequestRecord] = []
    clock = FakeClock()
    make_http(wiki_server, clock, on_request=records.append).get_json(wiki_server.url("/r"))
    assert [(r.status, r.attempt, r.outcome) for r in records] == [
        (503, 1, "http-503"),
        (200, 2, "ok"),
    ]
