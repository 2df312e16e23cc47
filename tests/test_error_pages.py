"""`make run` (a development copy): friendly 404 and 500 pages for the person in the browser,
the traceback on the console for the person who started it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.crash_settings import CRASH_MESSAGE

ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 60.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def development_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """Serve the crash site with runserver as `make run` does; yield its address and console."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUB_", "DJANGO_"))}
    env.update(
        HUB_DATA_DIR=str(tmp_path),
        HUB_SITE_URL=f"http://127.0.0.1:{port}",
        DJANGO_SETTINGS_MODULE="tests.crash_settings",
        PYTHONUNBUFFERED="1",
    )
    console = tmp_path / "console.log"
    with console.open("wb") as out:
        server = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the server did not start:\n{console.read_text()}")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", console
    finally:
        server.terminate()
        server.wait(timeout=10)


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (loopback)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_make_run_shows_friendly_error_pages_and_prints_the_traceback(
    development_server: tuple[str, Path],
) -> None:
    address, console = development_server

    status, page = _get(f"{address}/crash/")
    assert status == 500
    assert "Something went wrong" in page
    assert "Traceback" not in page and CRASH_MESSAGE not in page and "crash_urls" not in page

    status, page = _get(f"{address}/no-such-page/")
    assert status == 404
    assert "Page not found" in page
    assert "URLconf" not in page and "crash/" not in page  # no list of the site's addresses

    deadline = time.monotonic() + 10
    while f"RuntimeError: {CRASH_MESSAGE}" not in console.read_text():
        assert time.monotonic() < deadline, console.read_text()
        time.sleep(0.1)
    printed = console.read_text()
    assert "Traceback (most recent call last)" in printed
    assert "Internal Server Error: /crash/" in printed
