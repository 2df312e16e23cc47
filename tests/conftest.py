"""Shared fixtures: three personas (member of A, member of B, anonymous), factories, guards."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client, override_settings

from tests import factories
from tests.localwiki import LocalWiki, create_local_wiki, missing_reason
from tests.wikiserver import RecordedServer

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT.parent / "shared" / "fixtures"


@pytest.fixture(scope="session", autouse=True)
def _no_network() -> Any:
    """Fail any test that opens a connection beyond this machine's loopback."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and (
            host.startswith("127.") or host in {"::1", "localhost"} or host.startswith("/")
        ):
            return real_connect(self, address)
        if self.family == socket.AF_UNIX:
            return real_connect(self, address)
        raise RuntimeError(f"tests must not reach the network (tried {address!r})")

    socket.socket.connect = guarded  # type: ignore[method-assign,assignment]
    yield
    socket.socket.connect = real_connect  # type: ignore[method-assign]


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing() -> Iterator[None]:
    """Hash test passwords cheaply: most tests make accounts, and Django's default hasher costs
    about a quarter of a second of CPU a password. Logging in and refusing a wrong password
    behave the same with any hasher.
    """
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _fresh_wiki_turns() -> Iterator[None]:
    """Start every test with no wiki's turn taken and no wiki's pause pending."""
    caches["wikihosts"].clear()
    yield
    caches["wikihosts"].clear()


@pytest.fixture(autouse=True)
def _fresh_drawn_pages() -> None:
    """Start every test with no page kept drawn in this process (the "drawn" cache): test
    databases start again from the same audit stamps, so a body drawn by one test could
    otherwise meet the next."""
    caches["drawn"].clear()


@pytest.fixture(autouse=True)
def _fresh_shared_cache(request: pytest.FixtureRequest) -> None:
    """Start every test that commits to the database with an empty shared cache.

    The shared cache is a table the test database's flush does not empty, so log-in counters
    and cached boards written by one browser journey would otherwise meet the next one (a log-in
    refused as the eleventh from 127.0.0.1). Other tests' writes are rolled back with them.
    """
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
        caches["default"].clear()


def pytest_sessionstart(session: pytest.Session) -> None:
    """In CI's PostgreSQL run, stop at once rather than quietly run on SQLite."""
    if os.environ.get("HUB_REQUIRE_POSTGRES") and connection.vendor != "postgresql":
        pytest.exit(
            "HUB_REQUIRE_POSTGRES is set, but the suite is not running on PostgreSQL "
            "(set HUB_DATABASE_URL)",
            returncode=1,
        )


# A test reaches the database through one of these fixtures or the django_db marker; pytest-django
# refuses database access to any other test, so on SQLite it would fail, not pass quietly.
DATABASE_FIXTURES = frozenset({"_django_db_helper", "db", "transactional_db", "live_server"})
_LEFT_OUT = pytest.StashKey[int]()


def uses_database(item: pytest.Item) -> bool:
    """Return whether the test reaches the database (directly or through a fixture)."""
    if item.get_closest_marker("django_db") or item.get_closest_marker("postgres_only"):
        return True
    return not DATABASE_FIXTURES.isdisjoint(getattr(item, "fixturenames", ()))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, run only the tests that reach the database: the others ran on SQLite.

    HUB_POSTGRES_ALL_TESTS=1 runs every test on PostgreSQL too.
    """
    if connection.vendor != "postgresql" or os.environ.get("HUB_POSTGRES_ALL_TESTS"):
        return
    left_out = [item for item in items if not uses_database(item)]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if uses_database(item)]
    config.stash[_LEFT_OUT] = len(left_out)


def pytest_report_collectionfinish(config: pytest.Config) -> list[str]:
    """Say how many tests the PostgreSQL run left out, and why."""
    if not config.stash.get(_LEFT_OUT, 0):
        return []
    return [
        f"PostgreSQL run: deselected {config.stash[_LEFT_OUT]} tests that use no database "
        "(they run on SQLite; HUB_POSTGRES_ALL_TESTS=1 runs them here too)"
    ]


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """Return shared/fixtures; a test that needs it fails when it is missing."""
    assert FIXTURES.is_dir(), f"shared fixtures not found at {FIXTURES}"
    return FIXTURES


@pytest.fixture
def affiliate_a(db: None) -> Any:
    return factories.affiliate(name="Wikimedia Alpha", slug="alpha", country="SE")


@pytest.fixture
def affiliate_b(db: None) -> Any:
    return factories.affiliate(name="Wikimedia Beta", slug="beta", country="CL")


@pytest.fixture
def member_a(affiliate_a: Any) -> Any:
    return factories.member(affiliate_a, username="alice")


@pytest.fixture
def viewer_a(affiliate_a: Any) -> Any:
    return factories.member(affiliate_a, username="victor", role="viewer")


@pytest.fixture
def member_b(affiliate_b: Any) -> Any:
    return factories.member(affiliate_b, username="bob")


@pytest.fixture
def client_a(member_a: Any) -> Client:
    client = Client()
    client.force_login(member_a)
    return client


@pytest.fixture
def client_b(member_b: Any) -> Client:
    client = Client()
    client.force_login(member_b)
    return client


@pytest.fixture(scope="session")
def local_wiki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalWiki]:
    """Run a real MediaWiki 1.39 on 127.0.0.1 for the session (see tests/localwiki.py).

    It is a copy of the wiki installed once into the cache folder, so it starts in a second.

    Without MediaWiki and PHP the tests that need it skip, or fail when CI or
    HUB_REQUIRE_LOCAL_WIKI is set: CI must not pass by skipping them.
    """
    reason = missing_reason()
    if reason:
        if os.environ.get("CI") or os.environ.get("HUB_REQUIRE_LOCAL_WIKI"):
            pytest.fail(f"A local MediaWiki is required here (CI/HUB_REQUIRE_LOCAL_WIKI): {reason}")
        pytest.skip(f"No local MediaWiki: {reason}")
    wiki = create_local_wiki(tmp_path_factory.mktemp("mediawiki"))
    try:
        yield wiki
    finally:
        wiki.stop()


@pytest.fixture
def wiki_server(settings: Any) -> Iterator[RecordedServer]:
    """Serve recorded replies on 127.0.0.1; the address is allowed like an admin-configured wiki."""
    from hub.wikimedia.http import reset_sessions

    server = RecordedServer()
    settings.HUB_ALLOWED_PRIVATE_WIKIS = [server.base_url]
    reset_sessions()
    try:
        yield server
    finally:
        server.close()
        reset_sessions()
