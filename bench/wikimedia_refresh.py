"""Benchmark a category refresh on a local MediaWiki: requests made, time that is not the wiki's."""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import selectors
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "wikimedia_refresh.txt"
TARGET_REQUESTS = 1.2  # × the minimum the API's batch limits allow
TARGET_OVERHEAD = 0.10  # of the wiki's own time


class TimingRelay:
    """Forward TCP from a local port to the wiki, timing each exchange at the socket.

    ``php -S`` closes every connection after one reply, so one connection is one request: the
    wiki's time is from the first request byte we forward to the wiki closing its side.

    The relay runs in a process of its own, so that forwarding bytes never waits for the
    benchmarked process's interpreter lock (nor makes it wait): what it adds to each request
    is a second loopback hop, which is still charged to the client.
    """

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = int(self.listener.getsockname()[1])
        context = multiprocessing.get_context("fork")
        # Shared with the relay's process: seconds in exchanges, exchanges, bytes sent up.
        self._seconds = context.Value("d", 0.0)
        self._count = context.Value("q", 0)
        self._bytes_up = context.Value("q", 0)
        self._targets: Any = context.SimpleQueue()  # each request's target, as it came
        self._process = context.Process(target=self._serve, daemon=True)
        self._process.start()
        self.listener.close()  # the child keeps its own copy

    def reset(self) -> None:
        for value in (self._seconds, self._count, self._bytes_up):
            with value.get_lock():
                value.value = 0

    @property
    def wiki_seconds(self) -> float:
        return float(self._seconds.value)

    @property
    def requests(self) -> int:
        """The exchanges (one request each) since the last reset."""
        return int(self._count.value)

    @property
    def bytes_up(self) -> int:
        """Bytes from the client to the wiki since the last reset: what requests cost to send."""
        return int(self._bytes_up.value)

    def targets(self) -> list[str]:
        """Return the targets (path and query) of the requests since the last call, in order."""
        found = []
        while not self._targets.empty():
            found.append(self._targets.get())
        return [t for _, t in sorted(found)]

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._pump, args=(client,), daemon=True).start()

    def _pump(self, client: socket.socket) -> None:
        upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
        selector = selectors.DefaultSelector()
        selector.register(client, selectors.EVENT_READ, upstream)
        selector.register(upstream, selectors.EVENT_READ, client)
        started: float | None = None
        open_sides = 2
        try:
            while open_sides:
                for key, _ in selector.select():
                    source: socket.socket = key.fileobj  # type: ignore[assignment]
                    data = source.recv(65536)
                    if source is client and data:
                        if started is None:
                            started = time.perf_counter()
                            line = data.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
                            self._targets.put((started, line[1] if len(line) > 1 else ""))
                        with self._bytes_up.get_lock():
                            self._bytes_up.value += len(data)
                    if data:
                        key.data.sendall(data)
                        continue
                    selector.unregister(source)
                    open_sides -= 1
                    if source is upstream:
                        if started is not None:
                            with self._seconds.get_lock():
                                self._seconds.value += time.perf_counter() - started
                                self._count.value += 1
                        client.shutdown(socket.SHUT_WR)
                    else:
                        upstream.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        finally:
            selector.close()
            client.close()
            upstream.close()


@dataclass
class Run:
    """One refresh: what it asked for and how long it took."""

    scenario: str
    files_seen: int
    requests: int
    minimum: int
    wall: float
    wiki: float

    @property
    def request_ratio(self) -> float:
        return self.requests / self.minimum

    @property
    def overhead(self) -> float:
        return (self.wall - self.wiki) / self.wiki


def refresh(client: Any, category: str) -> int:
    """Do what a category refresh needs from the wiki: its size, and every file's info."""
    info = client.category_info(category)
    seen = 0
    for image in client.iter_category_files_with_info(category):
        seen += 1 if image.sha1 else 0
    assert seen == info.files, (seen, info.files)
    return seen


def measure(
    name: str,
    relay: TimingRelay,
    make_client: Callable[[], Any],
    category: str,
    minimum: int,
    login: tuple[str, str] | None,
) -> Run:
    relay.reset()
    started = time.perf_counter()
    client = make_client()
    if login:
        client.login(*login)
    seen = refresh(client, category)
    wall = time.perf_counter() - started
    time.sleep(0.05)  # let the relay record the last exchange
    return Run(name, seen, client.stats.requests, minimum, wall, relay.wiki_seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=5000, help="files in the category")
    parser.add_argument("--repeat", type=int, default=3, help="runs per scenario (median shown)")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from tests.localwiki import BIG_CATEGORY, create_local_wiki, free_port

    wiki_port = free_port()
    relay = TimingRelay(wiki_port)
    relay_url = f"http://127.0.0.1:{relay.port}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["HUB_ALLOWED_PRIVATE_WIKIS"] = relay_url
    os.environ.setdefault("HUB_TESTING", "1")
    # Every request takes the wiki's shared turn as a deployment without Redis does: in the
    # database's cache table (a SQLite file of its own here), so its cost is in the figures.
    data_dir = tempfile.TemporaryDirectory(prefix="hub-bench-data-")
    os.environ["HUB_DATA_DIR"] = data_dir.name
    os.environ.pop("HUB_DATABASE_URL", None)
    os.environ["HUB_WIKIMEDIA_HOST_CACHE"] = "default"
    import django

    django.setup()
    from django.core.management import call_command

    from hub.wikimedia.mediawiki import MediaWikiClient

    call_command("createcachetable", verbosity=0)

    with data_dir, tempfile.TemporaryDirectory(prefix="hub-bench-wiki-") as tmp:
        print(f"Setting up a local MediaWiki with {args.files:,} files…", flush=True)
        setup_started = time.perf_counter()
        wiki = create_local_wiki(Path(tmp), files=args.files, port=wiki_port)
        print(f"  ready in {time.perf_counter() - setup_started:.1f} s", flush=True)
        try:
            api = f"{relay_url}/api.php"

            def make() -> MediaWikiClient:
                return MediaWikiClient(api, user_supplied=True)

            scenarios = [
                # An anonymous (or ordinary) account: 500 members per request.
                ("anonymous, limit 500", None, 1 + math.ceil(args.files / 500)),
                # A bot password with apihighlimits: 5,000 per request; login costs 2.
                ("bot, apihighlimits", wiki.admin_bot, 2 + 1 + math.ceil(args.files / 5000)),
            ]
            runs: dict[str, list[Run]] = {}
            for name, login, minimum in scenarios:
                measure(name, relay, make, BIG_CATEGORY, minimum, login)  # warm-up
                runs[name] = [
                    measure(name, relay, make, BIG_CATEGORY, minimum, login)
                    for _ in range(args.repeat)
                ]
        finally:
            wiki.stop()

    lines = [
        f"Category refresh on a local MediaWiki 1.39, {args.files:,} files "
        "(category info + every file's image info); median of "
        f"{args.repeat} runs",
        "",
        f"{'scenario':<22} {'requests':>8} {'minimum':>7} {'ratio':>6}  "
        f"{'wall s':>7} {'wiki s':>7} {'overhead':>8}",
    ]
    summary: dict[str, Any] = {}
    for name, results in runs.items():
        median = sorted(results, key=lambda r: r.overhead)[len(results) // 2]
        flag_r = "" if median.request_ratio <= TARGET_REQUESTS else " MISS"
        flag_o = "" if median.overhead <= TARGET_OVERHEAD else " MISS"
        lines.append(
            f"{name:<22} {median.requests:>8} {median.minimum:>7} {median.request_ratio:>5.2f}×"
            f"{flag_r}  {median.wall:>7.2f} {median.wiki:>7.2f} {median.overhead:>7.1%}{flag_o}"
        )
        summary[name] = {
            "requests": median.requests,
            "minimum": median.minimum,
            "wall_seconds": round(median.wall, 3),
            "wiki_seconds": round(median.wiki, 3),
            "overhead": round(median.overhead, 4),
            "overheads_all_runs": [round(r.overhead, 4) for r in results],
            "median_overhead": round(statistics.median(r.overhead for r in results), 4),
        }
    lines += [
        "",
        f"Targets: requests ≤ {TARGET_REQUESTS}× the minimum; overhead ≤ {TARGET_OVERHEAD:.0%} "
        "of the wiki's own time (measured at the socket by a relay in front of php -S).",
    ]
    text = "\n".join(lines)
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text + "\n\n" + json.dumps(summary, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
