"""Benchmark the partnership pages at 10,000 partnerships and 100,000 activities."""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import ROOT, WARM_UP, cpu_reference_ms, page_weight, percentile, run_fresh  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "partnerships.txt"
TARGET_MS = 30.0
TARGET_REMINDERS_S = 5.0


def measure(partnerships: int, activities: int, organisations: int, requests: int) -> dict:
    """Load the data, then time the partnership pages in-process and the day's reminders."""
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from hub.core.models import Affiliate, Membership, User
    from hub.partnerships import reminders, scoring, services
    from hub.partnerships.models import Partnership, Reminder

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("generate_demo", organisations=organisations, stdout=io.StringIO())
    call_command(
        "generate_partnerships",
        partnerships=partnerships,
        activities=activities,
        stdout=io.StringIO(),
    )
    affiliate = Affiliate.objects.get(slug="generated")
    t0 = time.perf_counter()
    scoring.refresh_scores(affiliate=affiliate)
    score_seconds = time.perf_counter() - t0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    load_seconds = time.perf_counter() - started

    # The day's reminders for every affiliate, first run (nothing generated yet) and a re-run.
    today = timezone.localdate()
    t0 = time.perf_counter()
    reminders.generate_reminders(today=today)
    reminders_first = time.perf_counter() - t0
    reminder_count = Reminder.objects.count()
    t0 = time.perf_counter()
    reminders.generate_reminders(today=today)
    reminders_again = time.perf_counter() - t0

    user = User.objects.create_user(username="bench")
    Membership.objects.create(user=user, affiliate=affiliate, role="member")
    client = Client()
    client.force_login(user)
    base = f"/a/{affiliate.slug}"
    ids = list(
        Partnership.objects.filter(affiliate=affiliate)
        .order_by("?")
        .values_list("pk", flat=True)[:300]
    )
    state = {"i": 0}

    def detail() -> str:
        state["i"] += 1
        return f"{base}/partnerships/{ids[state['i'] % len(ids)]}/"

    goal_sets = [["content"], ["content", "funding"], ["advocacy"]]

    def changed_dashboard() -> str:
        # A volunteer changes a partnership's goals (a figure on the board), then opens the
        # dashboard: the change moves the stamp the cached board is kept under, so this view
        # counts everything again. Made before the clock starts.
        state["i"] += 1
        services.update_partnership(
            actor=None,
            partnership=Partnership.objects.get(pk=ids[state["i"] % len(ids)]),
            goals=goal_sets[state["i"] % len(goal_sets)],
        )
        return f"{base}/reports/"

    pages = {
        "partnership list, first page": lambda: f"{base}/partnerships/",
        "partnership list, stage filter": lambda: f"{base}/partnerships/?stage=active",
        "partnership page": detail,
        "dashboard": lambda: f"{base}/reports/",
        "dashboard, just after a change": changed_dashboard,
    }
    if os.environ.get("BENCH_PROFILE"):
        # A profile of one page instead of the figures: 20 requests after the warm-up.
        import cProfile
        import pstats

        next_url = pages[os.environ["BENCH_PROFILE"]]
        for _ in range(WARM_UP):
            client.get(next_url())
        urls = [next_url() for _ in range(20)]
        profile = cProfile.Profile()
        profile.runcall(lambda: [client.get(url) for url in urls])
        order = os.environ.get("BENCH_PROFILE_SORT", "cumulative")
        pstats.Stats(profile, stream=sys.stderr).sort_stats(order).print_stats(40)
        return {"profile": os.environ["BENCH_PROFILE"]}
    for next_url in pages.values():
        for _ in range(WARM_UP):
            client.get(next_url())
    load_before = os.getloadavg()[0]
    cpu_before = cpu_reference_ms()
    timings: dict[str, list[float]] = {name: [] for name in pages}
    html: dict[str, bytes] = {}
    for _ in range(requests):
        for name, next_url in pages.items():
            url = next_url()
            t0 = time.perf_counter()
            response = client.get(url)
            timings[name].append((time.perf_counter() - t0) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            html[name] = response.content

    # What keeping the whole board current costs a change, and what counting it afresh costs
    # (the first view, after the nightly score refresh, and every ten minutes).
    def change_ms(n: int) -> float:
        spent = []
        for k in range(n):
            partnership = Partnership.objects.get(pk=ids[k % len(ids)])
            t0 = time.perf_counter()
            services.update_partnership(
                actor=None, partnership=partnership, goals=goal_sets[k % len(goal_sets)]
            )
            spent.append((time.perf_counter() - t0) * 1000)
        return statistics.median(spent)

    client.get(f"{base}/reports/")  # counts kept
    followed = change_ms(40)
    recounts = []
    for _ in range(15):
        cache.clear()
        t0 = time.perf_counter()
        client.get(f"{base}/reports/")
        recounts.append((time.perf_counter() - t0) * 1000)
    cache.clear()
    unfollowed = change_ms(40)  # no kept counts: nothing to follow
    return {
        "change_followed_ms": followed,
        "change_unfollowed_ms": unfollowed,
        "recount_ms": statistics.median(recounts),
        "vendor": connection.vendor,
        "partnerships": partnerships,
        "activities": activities,
        "load_seconds": round(load_seconds, 1),
        "score_seconds": round(score_seconds, 2),
        "reminders_first": reminders_first,
        "reminders_again": reminders_again,
        "reminder_count": reminder_count,
        "load": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "cpu_reference_ms": [cpu_before, cpu_reference_ms()],
        "pages": {
            name: {
                "p50": statistics.median(values),
                "p95": percentile(values, 0.95),
                "n": len(values),
                "gzip_bytes": page_weight(html[name])[0],
            }
            for name, values in timings.items()
        },
    }


def run_worker(database: str, args: argparse.Namespace) -> dict[str, Any]:
    """Run measure() in a fresh process against a fresh database, and return its figures."""
    return run_fresh(
        database,
        __file__,
        [
            "--partnerships",
            str(args.partnerships),
            "--activities",
            str(args.activities),
            "--organisations",
            str(args.organisations),
            "--requests",
            str(args.requests),
        ],
        db_name=f"hub_bench_partnerships_{os.getpid()}",
        show_stderr=bool(os.environ.get("BENCH_PROFILE")),
    )


def table(results: list[dict[str, Any]]) -> str:
    """Return the figures as a plain-text table with each target's verdict."""
    lines = [f"{'database':<10}  {'page':<32} {'p50 ms':>7} {'p95 ms':>7} {'target':>7}  gzip KB"]
    for result in results:
        for name, page in result["pages"].items():
            ok = "ok" if page["p50"] <= TARGET_MS else "MISS"
            lines.append(
                f"{result['vendor']:<10}  {name:<32} {page['p50']:>7.1f} {page['p95']:>7.1f} "
                f"{ok:>7}  {page['gzip_bytes'] / 1024:>6.1f}"
            )
    for result in results:
        ok = "ok" if result["reminders_first"] <= TARGET_REMINDERS_S else "MISS"
        lines.append(
            f"{result['vendor']:<10}  all reminders for the day: {result['reminders_first']:.2f} s "
            f"({result['reminder_count']:,} reminders; {ok}), again: "
            f"{result['reminders_again']:.2f} s; strategic scores for all: "
            f"{result['score_seconds']:.2f} s"
        )
        lines.append(
            f"{result['vendor']:<10}  whole dashboard counted afresh: "
            f"{result['recount_ms']:.1f} ms p50; a partnership's change through its service: "
            f"{result['change_followed_ms']:.1f} ms p50 keeping the counts current, "
            f"{result['change_unfollowed_ms']:.1f} ms with none kept"
        )
        before, after = result["load"]
        lines.append(
            f"{result['vendor']:<10}  {result['partnerships']:,} partnerships, "
            f"{result['activities']:,} activities; load average while timing: {before} -> "
            f"{after} ({os.cpu_count()} CPUs); CPU reference loop: "
            f"{' -> '.join(str(ms) for ms in result['cpu_reference_ms'])} ms"
        )
    lines.append(
        f"Targets: p50 <= {TARGET_MS:g} ms per page; the day's reminders <= "
        f"{TARGET_REMINDERS_S:g} s."
    )
    return "\n".join(lines)


def main() -> None:
    """Parse the arguments, measure each database, print and save the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--partnerships", type=int, default=10_000)
    parser.add_argument("--activities", type=int, default=100_000)
    parser.add_argument("--organisations", type=int, default=5_000)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        sys.path.insert(0, str(ROOT))
        print(
            json.dumps(
                measure(args.partnerships, args.activities, args.organisations, args.requests)
            )
        )
        return
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    results = []
    for database in databases:
        print(f"… {database}", file=sys.stderr, flush=True)
        results.append(run_worker(database, args))
    if os.environ.get("BENCH_PROFILE"):
        return
    report = table(results)
    print(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        f"# bench/partnerships.py {' '.join(sys.argv[1:])} "
        f"({time.strftime('%Y-%m-%d %H:%M:%S')})\n{report}\n\n"
        + json.dumps(results, indent=1)
        + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
