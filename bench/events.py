"""Benchmark counting an event on a local MediaWiki: requests made, time that is not the wiki's.

An event of 100 participants over 30 days: each participant creates a page and edits it
through the month (12 revisions each by default), 20 of them registered during the event.
The count reads every contribution (``list=usercontribs``, 50 users a request, ``uclimit=max``,
continuation), the accounts' registration dates (``list=users``, 50 a request) and the new
editors' later edits (7 and 30 days after the end), and writes the edits and figures.

The minimum the API's limits allow: for each batch of 50 users, ceil(its contributions / 500)
usercontribs requests; ceil(100 / 50) users requests; one request per batch of new editors for
each retention figure. Targets: requests ≤ 1.2 × that minimum; the whole count's wall time
(reading and writing) ≤ 1.1 × the wiki's own time for those requests, measured at the socket by
a relay in front of php -S (from the first request byte to the wiki closing the connection).
Also printed, to say where the rest goes: the requests as the client sees them (sending,
reading and decoding the JSON, plus the relay's second loopback hop, which is charged to the
Hub here; the relay runs in a process of its own), the time in database queries and in
Python's garbage collector.

    .venv/bin/python bench/events.py [--participants 100] [--edits 12] [--repeat 3]
    BENCH_PROFILE=1 .venv/bin/python bench/events.py   # a cProfile of the last count
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import gc
import http.client
import json
import math
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "events.txt"
TARGET_REQUESTS = 1.2
TARGET_WALL = 1.1
START = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
DAYS = 30
NEW_EDITORS = 20
USER_BATCH = 50
LIST_LIMIT = 500


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=100)
    parser.add_argument("--edits", type=int, default=12, help="revisions per participant")
    parser.add_argument("--repeat", type=int, default=3, help="counts timed (median shown)")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from bench.wikimedia_refresh import TimingRelay
    from tests.event_wiki import create_users, import_revisions
    from tests.localwiki import create_local_wiki, free_port

    wiki_port = free_port()
    relay = TimingRelay(wiki_port)
    relay_url = f"http://127.0.0.1:{relay.port}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["HUB_ALLOWED_PRIVATE_WIKIS"] = relay_url
    os.environ.setdefault("HUB_TESTING", "1")
    data_dir = tempfile.TemporaryDirectory(prefix="hub-bench-data-")
    os.environ["HUB_DATA_DIR"] = data_dir.name
    os.environ.pop("HUB_DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from hub.core.models import Affiliate
    from hub.events import counting
    from hub.events.counting import run_count
    from hub.events.models import CountRun, Event, EventFigure, Participant
    from hub.events.sources import CountSource
    from hub.partnerships.activities import services as activities
    from hub.partnerships.models import Partnership

    names = [f"Bench editor {n:03d}" for n in range(1, args.participants + 1)]
    new = set(names[:NEW_EDITORS])
    old = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    step = dt.timedelta(days=DAYS) / (args.edits + 1)
    pages = {
        f"Bench page {n:03d}": [
            (START + step * (i + 1) + dt.timedelta(seconds=n), name, f"{name} " * (i + 1), "bench")
            for i in range(args.edits)
        ]
        for n, name in enumerate(names, 1)
    }
    # The new editors who go on: half edit again 10 days after the end, a quarter 40 days after.
    later = sorted(new)
    pages["Bench later page"] = [
        (START + dt.timedelta(days=DAYS + 10, seconds=i), name, f"later {i}", "later")
        for i, name in enumerate(later[: NEW_EDITORS // 2])
    ] + [
        (START + dt.timedelta(days=DAYS + 40, seconds=i), name, f"much later {i}", "later")
        for i, name in enumerate(later[: NEW_EDITORS // 4])
    ]

    with data_dir, tempfile.TemporaryDirectory(prefix="hub-bench-wiki-") as tmp:
        print("Setting up a local MediaWiki…", flush=True)
        setup_started = time.perf_counter()
        wiki = create_local_wiki(Path(tmp), port=wiki_port)
        try:
            create_users(
                wiki, {n: (START + dt.timedelta(days=2) if n in new else old) for n in names}
            )
            import_revisions(wiki, pages)
            print(f"  ready in {time.perf_counter() - setup_started:.1f} s", flush=True)
            affiliate = Affiliate.objects.create(name="Bench", slug="bench-events")
            partnership = Partnership.objects.create(affiliate=affiliate, title="Bench")
            runs: list[dict[str, Any]] = []
            bare: list[tuple[float, float]] = []
            for attempt in range(args.repeat + 1):  # the first is a warm-up
                activity = activities.create_activity(
                    actor=None,
                    partnership=partnership,
                    kind="editathon",
                    title=f"Bench {attempt}",
                    starts_on=START.date(),
                )
                event = Event.objects.create(
                    activity=activity,
                    affiliate=affiliate,
                    wikis=[f"{relay_url}/api.php"],
                    starts_at=START,
                    ends_at=START + dt.timedelta(days=DAYS),
                )
                Participant.objects.bulk_create(Participant(event=event, username=n) for n in names)
                run = CountRun.objects.create(event=event)
                relay.reset()
                source = CountSource()
                writing = [0.0]
                real_write = counting._write

                def timed_write(
                    *a: Any, real: Any = real_write, into: list[float] = writing
                ) -> None:
                    began = time.perf_counter()
                    real(*a)
                    into[0] += time.perf_counter() - began

                counting._write = timed_write  # type: ignore[assignment]
                last = attempt == args.repeat
                profile = cProfile.Profile() if os.environ.get("BENCH_PROFILE") and last else None
                spent = Spent()
                started = time.perf_counter()
                if profile is not None:
                    profile.enable()
                with spent.watching():
                    run_count(run_id=run.pk, source=source)
                wall = time.perf_counter() - started
                counting._write = real_write  # type: ignore[assignment]
                if profile is not None:
                    profile.disable()
                    pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
                    pstats.Stats(profile).sort_stats("tottime").print_stats(25)
                time.sleep(0.05)  # let the relay record the last exchange
                targets = relay.targets()
                run.refresh_from_db()
                assert run.status == CountRun.Status.DONE, run.error
                if attempt:
                    runs.append(
                        {
                            "requests": source.requests,
                            "wall": wall,
                            "reading": wall - writing[0],
                            "writing": writing[0],
                            "wiki": relay.wiki_seconds,
                            "client": source.stats.wiki_seconds,
                            "database": spent.database,
                            "queries": spent.queries,
                            "gc": spent.gc,
                            "figures": dict(
                                EventFigure.objects.filter(event=event, wiki="").values_list(
                                    "metric", "value"
                                )
                            ),
                        }
                    )
            for _ in range(args.repeat):
                bare.append(send_bare(relay, targets))
        finally:
            wiki.stop()

    batches = [names[i : i + USER_BATCH] for i in range(0, len(names), USER_BATCH)]
    minimum = sum(math.ceil(len(b) * args.edits / LIST_LIMIT) or 1 for b in batches)
    minimum += math.ceil(len(names) / USER_BATCH)  # registration dates
    minimum += 2 * math.ceil(NEW_EDITORS / USER_BATCH)  # retention after 7 and 30 days
    # The target is the whole count's wall time (reading and writing) against the wiki's.
    median = sorted(runs, key=lambda r: r["wall"] / r["wiki"])[len(runs) // 2]
    bare_wall, bare_wiki = sorted(bare, key=lambda b: b[0] / b[1])[len(bare) // 2]
    request_ratio = median["requests"] / minimum
    wall_ratio = median["wall"] / median["wiki"]
    lines = [
        f"Counting an event on a local MediaWiki 1.39: {len(names)} participants over {DAYS} "
        f"days, {args.edits} revisions each ({len(names) * args.edits:,} contributions); "
        f"median of {args.repeat} counts",
        "",
        f"requests {median['requests']} (minimum {minimum}): {request_ratio:.2f}×"
        f"{'' if request_ratio <= TARGET_REQUESTS else ' MISS'} (target ≤ {TARGET_REQUESTS}×)",
        f"whole count {median['wall']:.2f} s, the wiki's own time {median['wiki']:.2f} s: "
        f"{wall_ratio:.2f}×{'' if wall_ratio <= TARGET_WALL else ' MISS'} "
        f"(target ≤ {TARGET_WALL}×)",
        f"of which reading (requests, ledger, figures) {median['reading']:.2f} s "
        f"({median['reading'] / median['wiki']:.2f}× the wiki's time), then writing "
        f"{len(names) * args.edits:,} edits and the figures in one transaction "
        f"{median['writing']:.2f} s",
        f"where the rest goes: the requests as the client sees them {median['client']:.3f} s "
        f"(the wiki {median['wiki']:.3f} s), database {median['database']:.3f} s in "
        f"{median['queries']} queries, garbage collection {median['gc']:.3f} s",
        f"the floor for any client: the same {len(targets)} requests sent one after another with "
        f"http.client and their JSON decoded, nothing else: {bare_wall:.3f} s against the wiki's "
        f"{bare_wiki:.3f} s, {bare_wall / bare_wiki:.2f}×",
        "",
        "Figures (all wikis): "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(median["figures"].items())),
    ]
    text = "\n".join(lines)
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    summary = {
        "minimum": minimum,
        "runs": [{k: v for k, v in r.items() if k != "figures"} for r in runs],
    }
    RESULTS.write_text(text + "\n\n" + json.dumps(summary, indent=2) + "\n", encoding="utf-8")


def send_bare(relay: Any, targets: list[str]) -> tuple[float, float]:
    """Send the requests of a count again with nothing of the Hub: (wall time, wiki time)."""
    relay.reset()
    started = time.perf_counter()
    for target in targets:
        connection = http.client.HTTPConnection("127.0.0.1", relay.port)
        connection.request("GET", target, headers={"User-Agent": "Hub bench (bare client)"})
        json.loads(connection.getresponse().read())
        connection.close()
    wall = time.perf_counter() - started
    time.sleep(0.05)  # let the relay record the last exchange
    return wall, relay.wiki_seconds


class Spent:
    """Time a count spends in the database (and how many queries) and in garbage collection."""

    def __init__(self) -> None:
        self.database = 0.0
        self.queries = 0
        self.gc = 0.0
        self._gc_began = 0.0

    def _query(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.database += time.perf_counter() - began
            self.queries += 1

    def _gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_began = time.perf_counter()
        else:
            self.gc += time.perf_counter() - self._gc_began

    @contextlib.contextmanager
    def watching(self) -> Any:
        from django.db import connection

        gc.callbacks.append(self._gc)
        try:
            with connection.execute_wrapper(self._query):
                yield self
        finally:
            gc.callbacks.remove(self._gc)


if __name__ == "__main__":
    main()
