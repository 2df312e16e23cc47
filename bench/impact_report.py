"""Time the impact report pages from stored snapshots (target: p50 ≤ 100 ms); print p50/p95.

Usage: .venv/bin/python bench/impact_report.py [--database sqlite|postgres|both] [--links 3000]
[--requests 50]
For each database, in a fresh process and a fresh database (see ``run_fresh`` in bench/run.py):
one affiliate, 1,000 partnerships, ``--links`` content links spread over them (a third of them
lists of Wikipedia articles with their created and improved counts), each with 24 months of
views and a month's snapshot figures (as a refresh leaves them); then a member requests the
partnership, partner and affiliate report pages through Django's test client (server time, no
network). ``BENCH_PROFILE="affiliate report"`` prints a profile of that page instead.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_data import measure_and_report  # noqa: E402
from run import ROOT, WARM_UP, cpu_reference_ms, percentile  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "impact_report.txt"
REBUILDS = 10  # times the affiliate's totals are rebuilt and timed
TARGET_MS = 100.0


def _latest(kind: str, this_month: dt.date, now: dt.datetime) -> dict[str, Any]:
    """Return a link's newest figures as the refresh of a link of this kind writes them."""
    wikis = {f"{code}.wikipedia.org": 3 for code in ("sv", "en", "de", "fi", "fr", "es")}
    top = [["sv.wikipedia.org", f"Article {n}", 1000 - n] for n in range(20)]
    if kind == "articles":
        figures: tuple[tuple[str, int, str, dict[str, Any]], ...] = (
            ("articles", 200, "list of articles", {}),
            ("articles_created", 12, "first and latest revisions of 200 articles", {}),
            ("articles_improved", 40, "first and latest revisions of 200 articles", {}),
            ("wikis_using", 1, "list of articles", {"wikis": {"sv.wikipedia.org": 1}}),
            ("top_pages", 20, "views of 200 articles", {"pages": top}),
            ("views", 5000, "views of 200 articles", {}),
        )
    else:
        method = "category members, global usage and pageviews"
        figures = (
            ("files", 1200, method, {}),
            ("files_deep", 1240, method, {}),
            ("files_in_use", 300, method, {}),
            ("pages_using", 312, method, {}),
            ("wikis_using", 6, method, {"wikis": wikis}),
            ("top_pages", 20, method, {"pages": top}),
            ("views", 5000, method, {}),
        )
    return {
        metric: {
            "value": value,
            "month": this_month.isoformat(),
            "source": "live-api",
            "method": method_text,
            "fetched_at": now.isoformat(),
            "detail": detail,
        }
        for metric, value, method_text, detail in figures
    }


def measure(link_count: int, requests: int) -> dict[str, Any]:
    """Build the data in the configured database, time each page, return the figures."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    from hub.core.models import Affiliate, Membership, User
    from hub.impact.models import ContentLink, MetricPoint
    from hub.impact.totals import rebuild_affiliate_totals
    from hub.partners.models import Organisation
    from hub.partnerships.models import Partnership, PartnershipPartner

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    affiliate = Affiliate.objects.create(name="Bench", slug="bench")
    user = User.objects.create_user(username="bench", password="x" * 12)
    Membership.objects.create(user=user, affiliate=affiliate, role="member")
    orgs = Organisation.objects.bulk_create(
        Organisation(affiliate=affiliate, name=f"Museum {n}") for n in range(200)
    )
    partnerships = Partnership.objects.bulk_create(
        Partnership(affiliate=affiliate, title=f"Partnership {n}") for n in range(1000)
    )
    PartnershipPartner.objects.bulk_create(
        PartnershipPartner(partnership=p, organisation=orgs[n % len(orgs)])
        for n, p in enumerate(partnerships)
    )
    now = timezone.now()
    this_month = now.date().replace(day=1)
    months = []
    for k in range(1, 25):
        index = this_month.year * 12 + this_month.month - 1 - k
        months.append(dt.date(index // 12, index % 12 + 1, 1))
    links = []
    for n in range(link_count):
        kind = "articles" if n % 3 == 2 else "commons_category"
        links.append(
            ContentLink(
                affiliate=affiliate,
                partnership=partnerships[n % len(partnerships)],
                kind=kind,
                wiki_url="https://sv.wikipedia.org"
                if kind == "articles"
                else "https://commons.wikimedia.org",
                target="" if kind == "articles" else f"Category {n}",
                items=[f"Article {n}-{k}" for k in range(200)] if kind == "articles" else [],
                status="verified",
                latest=_latest(kind, this_month, now),
                last_refreshed_at=now,
            )
        )
    links = ContentLink.objects.bulk_create(links, batch_size=500)
    points = []
    for link in links:
        for month in months:
            points.append(
                MetricPoint(
                    link=link,
                    metric="views",
                    month=month,
                    value=5000,
                    source="pageviews-api",
                    fetched_at=now,
                )
            )
        points.append(
            MetricPoint(
                link=link,
                metric="files_in_use",
                month=this_month,
                value=300,
                source="live-api",
                fetched_at=now,
            )
        )
    MetricPoint.objects.bulk_create(points, batch_size=2000)
    # The affiliate's totals, as the refresh that wrote these figures would have left them.
    with transaction.atomic():
        rebuild_affiliate_totals(affiliate.pk)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")  # what autovacuum does soon after a bulk load
    load_seconds = time.perf_counter() - started
    client = Client()
    client.force_login(user)
    pages = {
        "partnership impact page": f"/a/bench/partnerships/{partnerships[0].pk}/impact/",
        "partner report": f"/a/bench/organisations/{orgs[0].pk}/impact/",
        "affiliate report": "/a/bench/impact/",
    }
    result: dict[str, Any] = {
        "vendor": connection.vendor,
        "partnerships": len(partnerships),
        "links": len(links),
        "points": len(points),
        "load_seconds": round(load_seconds, 1),
        "pages": {},
    }
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        url = pages[os.environ["BENCH_PROFILE"]]
        client.get(url)
        profile = cProfile.Profile()
        profile.runcall(lambda: [client.get(url) for _ in range(5)])
        pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
        return result
    for url in pages.values():
        for _ in range(WARM_UP):
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
    load_before = os.getloadavg()[0]
    cpu_before = cpu_reference_ms()
    timings: dict[str, list[float]] = {name: [] for name in pages}
    # Round-robin over the pages, so that other work on the machine slows all of them alike.
    for _ in range(requests):
        for name, url in pages.items():
            t0 = time.perf_counter()
            client.get(url)
            timings[name].append((time.perf_counter() - t0) * 1000)
    # What every refresh adds to its own transaction: the affiliate's totals rewritten from all
    # its links' figures (it grows with the links, so it is timed here beside the pages).
    rebuilds = []
    for _ in range(REBUILDS):
        t0 = time.perf_counter()
        with transaction.atomic():
            rebuild_affiliate_totals(affiliate.pk)
        rebuilds.append((time.perf_counter() - t0) * 1000)
    result["load"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    result["cpu_reference_ms"] = [cpu_before, cpu_reference_ms()]
    result["totals_rebuild_ms"] = {
        "p50": statistics.median(rebuilds),
        "max": max(rebuilds),
        "n": len(rebuilds),
    }
    result["pages"] = {
        name: {"p50": statistics.median(values), "p95": percentile(values, 0.95), "n": len(values)}
        for name, values in timings.items()
    }
    return result


def table(results: list[dict[str, Any]]) -> str:
    """Return the figures per database and page as a plain-text table, with the verdicts."""
    lines = [f"{'database':<10}  {'page':<28} {'p50 ms':>7} {'p95 ms':>7} {'target':>7}"]
    for result in results:
        for name, page in result["pages"].items():
            ok = "ok" if page["p50"] <= TARGET_MS else "MISS"
            lines.append(
                f"{result['vendor']:<10}  {name:<28} {page['p50']:>7.1f} {page['p95']:>7.1f} "
                f"{ok:>7}"
            )
    for result in results:
        rebuild = result.get("totals_rebuild_ms")
        if rebuild:
            lines.append(
                f"{result['vendor']:<10}  {'affiliate totals, rebuilt':<28} {rebuild['p50']:>7.1f} "
                f"{rebuild['max']:>7.1f}    (max; in each refresh's transaction, no target)"
            )
    for result in results:
        before, after = result.get("load", ["?", "?"])
        lines.append(
            f"{result['vendor']:<10}  {result['partnerships']:,} partnerships, "
            f"{result['links']:,} content links, {result['points']:,} metric points, loaded in "
            f"{result['load_seconds']} s; load average while timing: {before} -> {after} "
            f"({os.cpu_count()} CPUs); CPU reference loop: "
            f"{' -> '.join(str(ms) for ms in result.get('cpu_reference_ms', []))} ms"
        )
    lines.append(f"Target: p50 <= {TARGET_MS:g} ms per page.")
    return "\n".join(lines)


def main() -> None:
    """Parse the arguments, measure each database in a fresh worker, print and save the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--links", type=int, default=3000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(measure(args.links, args.requests)))
        return
    measure_and_report(
        args.database,
        __file__,
        ["--links", str(args.links), "--requests", str(args.requests)],
        name="impact",
        table=table,
        results_path=RESULTS,
    )


if __name__ == "__main__":
    main()
