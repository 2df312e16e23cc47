"""Requests to one wiki stay in series across processes, through the shared cache.

A second process is played by a client with its own per-process host state, sharing only the
cache with the first: exactly what two workers on two machines share.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

from hub.wikimedia.errors import WikiNotFound, WikiRateLimited
from hub.wikimedia.hosts import LEASE_POLL_SECONDS, HostState, SharedHost
from hub.wikimedia.http import RetryPolicy, WikiHttp
from tests.wikiserver import FakeClock, RecordedServer, Reply

OK = Reply({"ok": True})


@pytest.fixture
def shared_cache() -> LocMemCache:
    cache = LocMemCache("test-wikihosts", {})
    cache.clear()
    return cache


def process(server: RecordedServer, cache: Any, clock: FakeClock, **kwargs: Any) -> WikiHttp:
    """Return a client as a separate worker process would have it: its own host state."""
    shared = SharedHost(
        server.base_url, lease_seconds=40, cache=cache, wall_clock=clock, sleep=clock.sleep
    )
    return WikiHttp(
        server.base_url,
        sleep=clock.sleep,
        clock=clock,
        shared=shared,
        host_state=HostState(),
        **kwargs,
    )


def test_a_request_waits_while_another_process_holds_the_wiki(
    wiki_server: RecordedServer, shared_cache: LocMemCache
) -> None:
    wiki_server.add("/r", OK)
    clock = FakeClock()
    first = process(wiki_server, shared_cache, clock)
    token, _ = first.shared.acquire()  # the other worker is talking to the wiki
    assert token is not None
    second = process(wiki_server, shared_cache, clock)

    polls = 0

    def sleep(seconds: float) -> None:
        nonlocal polls
        polls += 1
        assert not wiki_server.seen, "sent while the other process held the wiki"
        if polls == 3:
            first.shared.release(token)  # the other worker's answer arrived
        clock.sleep(seconds)

    second.shared.sleep = sleep
    assert second.get_json(wiki_server.url("/r")) == {"ok": True}
    assert len(wiki_server.seen) == 1
    assert second.stats.queued_seconds == pytest.approx(3 * LEASE_POLL_SECONDS)
    # The turn is given back: a third request goes straight away.
    assert shared_cache.get(second.shared.lease_key) is None


def test_the_turn_is_held_during_the_exchange_and_given_back_after_an_error(
    wiki_server: RecordedServer, shared_cache: LocMemCache
) -> None:
    wiki_server.add("/r", Reply({}, 404))
    clock = FakeClock()
    held: list[Any] = []
    key = SharedHost(wiki_server.base_url, lease_seconds=40).lease_key
    client = process(
        wiki_server,
        shared_cache,
        clock,
        on_request=lambda record: held.append(shared_cache.get(key)),
    )
    with pytest.raises(WikiNotFound):
        client.get_json(wiki_server.url("/r"))
    assert held and held[0] is not None
    assert shared_cache.get(client.shared.lease_key) is None


def test_a_retry_after_seen_by_one_process_pauses_the_others(
    wiki_server: RecordedServer, shared_cache: LocMemCache
) -> None:
    wiki_server.add("/a", Reply({}, 429, {"Retry-After": "30"}))
    wiki_server.add("/b", OK)
    clock = FakeClock()
    first = process(wiki_server, shared_cache, clock, policy=RetryPolicy(max_attempts=1))
    with pytest.raises(WikiRateLimited):
        first.get_json(wiki_server.url("/a"))
    clock.now += 10  # ten seconds later another worker wants the same wiki

    second = process(wiki_server, shared_cache, clock)
    assert second.get_json(wiki_server.url("/b")) == {"ok": True}
    assert clock.sleeps == [20.0]
    assert second.stats.waited_seconds == 20.0


def test_a_pause_that_arrives_while_queueing_is_honoured(
    wiki_server: RecordedServer, shared_cache: LocMemCache
) -> None:
    wiki_server.add("/r", OK)
    clock = FakeClock()
    other = process(wiki_server, shared_cache, clock)
    token, _ = other.shared.acquire()
    waiting = process(wiki_server, shared_cache, clock)

    def sleep(seconds: float) -> None:
        # While we queue, the other worker gets a 429 asking for 5 s, and finishes.
        if other.shared.remaining() == 0 and not clock.sleeps:
            other.shared.pause(5)
            other.shared.release(token)
        clock.sleep(seconds)

    waiting.shared.sleep = sleep
    waiting.sleep = sleep
    assert waiting.get_json(wiki_server.url("/r")) == {"ok": True}
    assert wiki_server.seen and clock.now >= 1000.0 + 5


def test_a_killed_holder_delays_the_others_only_until_its_lease_runs_out(
    wiki_server: RecordedServer, shared_cache: LocMemCache
) -> None:
    wiki_server.add("/r", OK)
    dead = SharedHost(wiki_server.base_url, lease_seconds=0.3, cache=shared_cache)
    token, _ = dead.acquire()
    assert token is not None  # ... and its process is killed: nobody releases it
    live = WikiHttp(
        wiki_server.base_url,
        shared=SharedHost(wiki_server.base_url, lease_seconds=0.3, cache=shared_cache),
        host_state=HostState(),
    )
    started = time.monotonic()
    assert live.get_json(wiki_server.url("/r")) == {"ok": True}
    assert 0.25 <= time.monotonic() - started < 5
    assert live.stats.queued_seconds > 0


class BrokenCache(LocMemCache):
    def add(self, *args: Any, **kwargs: Any) -> bool:
        raise ConnectionError("cache server down")

    def get(self, *args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("cache server down")

    def set(self, *args: Any, **kwargs: Any) -> None:
        raise ConnectionError("cache server down")


def test_a_broken_cache_does_not_stop_requests(
    wiki_server: RecordedServer, caplog: pytest.LogCaptureFixture
) -> None:
    wiki_server.add("/r", Reply({}, 503, {"Retry-After": "2"}), OK)
    clock = FakeClock()
    client = process(wiki_server, BrokenCache("broken", {}), clock)
    with caplog.at_level(logging.WARNING, logger="hub.wikimedia.hosts"):
        assert client.get_json(wiki_server.url("/r")) == {"ok": True}
    assert clock.sleeps == [2.0]  # the per-process pause still holds
    assert "serialised per process only" in caplog.text


def test_the_setting_turns_the_shared_turns_off(
    wiki_server: RecordedServer, shared_cache: LocMemCache, settings: Any
) -> None:
    settings.HUB_WIKIMEDIA_SHARED_HOST_LOCK = False
    wiki_server.add("/r", OK)
    clock = FakeClock()
    client = process(wiki_server, shared_cache, clock)
    token, _ = SharedHost(wiki_server.base_url, lease_seconds=40, cache=shared_cache).acquire()
    assert token is not None
    assert client.get_json(wiki_server.url("/r")) == {"ok": True}  # does not wait for it
    assert client.stats.queued_seconds == 0


@pytest.mark.django_db(transaction=True)
def test_the_database_cache_carries_the_turn_outside_transactions(
    wiki_server: RecordedServer,
) -> None:
    from django.conf import settings

    cache = caches["default"]
    assert str(settings.CACHES["default"]["BACKEND"]).endswith(("DatabaseCache", "RedisCache"))
    wiki_server.add("/r", OK)
    held: list[Any] = []
    shared = SharedHost(wiki_server.base_url, lease_seconds=40, cache=cache)
    client = WikiHttp(
        wiki_server.base_url,
        shared=shared,
        host_state=HostState(),
        on_request=lambda record: held.append(cache.get(shared.lease_key)),
    )
    assert client.get_json(wiki_server.url("/r")) == {"ok": True}
    assert held and held[0] is not None
    assert cache.get(shared.lease_key) is None


@pytest.mark.django_db
def test_inside_a_transaction_the_database_cache_is_left_alone(
    wiki_server: RecordedServer,
) -> None:
    from django.core.cache.backends.db import DatabaseCache

    cache = caches["default"]
    if not isinstance(cache, DatabaseCache):
        pytest.skip("the shared cache is not the database here")
    shared = SharedHost(wiki_server.base_url, lease_seconds=40, cache=cache)
    # A lease row written inside a transaction would stay invisible to other workers.
    assert not shared.usable()
    wiki_server.add("/r", OK)
    client = WikiHttp(wiki_server.base_url, shared=shared, host_state=HostState())
    assert client.get_json(wiki_server.url("/r")) == {"ok": True}


def test_a_long_pause_is_left_to_the_task_queue_without_sending(
    wiki_server: RecordedServer, shared_cache: LocMemCache
) -> None:
    wiki_server.add("/a", Reply({}, 429, {"Retry-After": "3600"}))
    wiki_server.add("/b", OK)
    clock = FakeClock()
    with pytest.raises(WikiRateLimited):
        process(wiki_server, shared_cache, clock).get_json(wiki_server.url("/a"))
    # Another worker, a minute later: it neither sleeps for an hour nor knocks on the door.
    clock.now += 60
    with pytest.raises(WikiRateLimited) as raised:
        process(wiki_server, shared_cache, clock).get_json(wiki_server.url("/b"))
    assert raised.value.retry_after == pytest.approx(3540)
    assert [seen.path for seen in wiki_server.seen] == ["/a"]
    assert clock.sleeps == []
