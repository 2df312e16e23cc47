"""Time the public showcase, a public partnership page and the badge against the floor page.

Usage: .venv/bin/python bench/showcase.py [--database sqlite|postgres|both] [--affiliates 100]
[--per-affiliate 100] [--requests 50]
For each database, in a fresh process and a fresh database (``run_fresh``, bench/bench_data.py):
``--affiliates`` affiliates with ``--per-affiliate`` published partnerships each (10,000 by
default), 1–2 partner organisations each across 40 countries, an activity each, a Commons
category each with its newest figures and this year's monthly views (as a refresh leaves them),
and a public case study for one partnership in ten. Then, interleaved in one run: the floor page
(a signed-in page with the base layout, bench/urls.py), the showcase with a filter (rotating
over countries, regions, goals and years; its headline figures come from the cache after the
first request of each filter, as in production), the same with every cache emptied before each
request (every figure counted afresh), a public partnership page and a badge, anonymous.
Printed: p50/p95 in ms, each p50 as a ratio to the floor's, and each page's weight compressed
with its CSS. Targets (issue 15): showcase ≤ 4 × floor, partnership page and badge ≤ 2 × floor,
every page ≤ 60 KB compressed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_data import measure_and_report  # noqa: E402
from run import ROOT, TARGET_KB, WARM_UP, cpu_reference_ms, page_weight, percentile  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "showcase.txt"
TARGETS = {"showcase, filtered": 4.0, "showcase, filtered, cold": 4.0, "partnership page": 2.0}
TARGETS["badge"] = 2.0
COUNTRIES = (
    "SE NO FI DK DE FR ES IT PT PL UA GB IE NL BE AT CH CZ HU RO KE NG GH ZA EG MA TN IN PK BD "
    "LK NP ID PH JP KR BR AR CL MX"
).split()


def _load(affiliates: int, per_affiliate: int) -> dict[str, Any]:
    """Write the showcase's data with bulk_create; return what the pages are asked about."""
    from django.db import connection
    from django.utils import timezone

    from hub.core.models import Affiliate, Membership, User
    from hub.core.regions import region_for_country
    from hub.impact.models import ContentLink, MetricPoint
    from hub.impact.totals import rebuild_all_totals
    from hub.library.models import CaseStudy, Kind, Resource, Visibility
    from hub.partners.models import Organisation, PartnerType
    from hub.partnerships.models import Activity, Partnership, PartnershipPartner

    rng = random.Random(15)
    now = timezone.now()
    this_month = now.date().replace(day=1)
    affs = Affiliate.objects.bulk_create(
        Affiliate(name=f"Wikimedia {n:03}", slug=f"a{n:03}") for n in range(1, affiliates + 1)
    )
    user = User.objects.create_user(username="bench", password="x" * 12)
    Membership.objects.create(user=user, affiliate=affs[0], role="member")
    types = [t for t in PartnerType.values if t != "other"]
    orgs = []
    for aff in affs:
        for n in range(per_affiliate):
            country = COUNTRIES[rng.randrange(len(COUNTRIES))]
            orgs.append(
                Organisation(
                    affiliate=aff,
                    name=f"Partner {aff.slug}-{n}",
                    country=country,
                    region=region_for_country(country) or "",
                    partner_type=types[n % len(types)],
                )
            )
    orgs = Organisation.objects.bulk_create(orgs, batch_size=2000)
    partnerships = Partnership.objects.bulk_create(
        (
            Partnership(
                affiliate=aff,
                title=f"Partnership {aff.slug}-{n}",
                summary="Photographs and data shared with Wikimedia Commons and Wikidata. " * 3,
                visibility=Partnership.Visibility.PUBLISHED,
                goal_content=n % 2 == 0,
                goal_advocacy=n % 3 == 0,
                start_date=dt.date(2020 + n % 7, 1 + n % 12, 1),
            )
            for aff in affs
            for n in range(per_affiliate)
        ),
        batch_size=2000,
    )
    roles = []
    for i, p in enumerate(partnerships):
        roles.append(PartnershipPartner(partnership=p, organisation=orgs[i]))
        if i % 3 == 0:
            other = orgs[i + 1 if i % per_affiliate == 0 else i - 1]  # of the same affiliate
            roles.append(PartnershipPartner(partnership=p, organisation=other, role="funder"))
    PartnershipPartner.objects.bulk_create(roles, batch_size=5000)
    Activity.objects.bulk_create(
        (
            Activity(
                partnership=p,
                kind=Activity.Kind.values[i % len(Activity.Kind.values)],
                title=f"Activity {i}",
                starts_on=p.start_date or dt.date(2024, 1, 1),
                files_uploaded=120,
            )
            for i, p in enumerate(partnerships)
        ),
        batch_size=5000,
    )
    latest = {
        metric: {
            "value": value,
            "month": this_month.isoformat(),
            "source": "live-api",
            "method": "category members, global usage and pageviews",
            "fetched_at": now.isoformat(),
        }
        for metric, value in (("files_deep", 1240), ("files_in_use", 300), ("pages_using", 312))
    }
    links = ContentLink.objects.bulk_create(
        (
            ContentLink(
                affiliate_id=p.affiliate_id,
                partnership=p,
                kind="commons_category",
                wiki_url="https://commons.wikimedia.org",
                target=f"Category {p.pk}",
                status="verified",
                latest=latest,
                last_refreshed_at=now,
            )
            for p in partnerships
        ),
        batch_size=2000,
    )
    MetricPoint.objects.bulk_create(
        (
            MetricPoint(
                link=link,
                metric="views",
                month=dt.date(now.year, month, 1),
                value=25_000,
                source="commons-impact-metrics",
                fetched_at=now,
            )
            for link in links
            for month in range(1, this_month.month + 1)
        ),
        batch_size=5000,
    )
    # Loaded around the services: the totals a refresh keeps, written as the command does.
    rebuild_all_totals()
    cases = Resource.objects.bulk_create(
        (
            Resource(
                affiliate_id=p.affiliate_id,
                kind=Kind.CASE_STUDY,
                title=f"Case study of {p.title}",
                summary="What we learnt.",
                visibility=Visibility.PUBLIC,
            )
            for p in partnerships[::10]
        ),
        batch_size=2000,
    )
    CaseStudy.objects.bulk_create(
        (
            CaseStudy(resource=r, partnership=p, what_worked="Volunteers.")
            for r, p in zip(cases, partnerships[::10], strict=True)
        ),
        batch_size=2000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"user": user, "slug": affs[0].slug, "ids": [p.pk for p in partnerships]}


def measure(affiliates: int, per_affiliate: int, requests: int) -> dict[str, Any]:
    """Build the data, time the pages round-robin against the floor, return the figures."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import caches
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench.urls import FLOOR_PATH

    def clear_caches() -> None:
        # Every cache, the shared one and each process's own (the showcase keeps its drawn
        # body in the "drawn" one): the cold pass counts everything afresh.
        for each in caches.all():
            each.clear()

    settings.ROOT_URLCONF = "bench.urls"
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    data = _load(affiliates, per_affiliate)
    load_seconds = time.perf_counter() - started
    member, visitor = Client(), Client()
    member.force_login(data["user"])
    rng = random.Random(7)
    filters = [f"country={c}" for c in COUNTRIES[:10]] + ["region=nwe", "goal=content"]
    filters += ["year=2023", "region=mea&goal=advocacy", "partner_type=museum"]
    ids = data["ids"]
    pages: dict[str, tuple[Any, Any, bool]] = {
        "floor": (member, lambda: f"/a/{data['slug']}/{FLOOR_PATH}", False),
        "showcase, filtered": (visitor, lambda: f"/showcase/?{rng.choice(filters)}", False),
        "showcase, filtered, cold": (visitor, lambda: f"/showcase/?{rng.choice(filters)}", True),
        "partnership page": (visitor, lambda: f"/showcase/p/{rng.choice(ids)}/", False),
        "badge": (visitor, lambda: f"/showcase/p/{rng.choice(ids)}/badge.svg", False),
    }
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        client, url, cold = pages[os.environ["BENCH_PROFILE"]]
        for _ in range(WARM_UP):
            client.get(url())
        profile = cProfile.Profile()
        for _ in range(20):
            if cold:
                clear_caches()
            profile.runcall(client.get, url())
        pstats.Stats(profile, stream=sys.stderr).sort_stats(
            os.environ.get("BENCH_PROFILE_SORT", "cumulative")
        ).print_stats(40)
        return {}
    for client, url, _cold in pages.values():
        for _ in range(WARM_UP):
            client.get(url())
    load_before = os.getloadavg()[0]
    cpu_before = cpu_reference_ms()
    timings: dict[str, list[float]] = {name: [] for name in pages}
    weights: dict[str, int] = {}
    # Two interleaved passes: the pages as served (their bodies cached), then the showcase with
    # the cache emptied before each request; emptying it in the first pass would empty it for
    # the others too. Each pass times the floor page beside it.
    passes = [
        [name for name, page in pages.items() if not page[2]],
        ["floor", *(name for name, page in pages.items() if page[2])],
    ]
    floors: list[float] = []
    for names in passes:
        floor_times: list[float] = []
        for _ in range(requests):
            for name in names:
                client, url, cold = pages[name]
                address = url()
                if cold:
                    clear_caches()
                t0 = time.perf_counter()
                response = client.get(address)
                elapsed = (time.perf_counter() - t0) * 1000
                (floor_times if name == "floor" else timings[name]).append(elapsed)
                if response.status_code != 200:
                    raise SystemExit(f"{address} answered {response.status_code}")
                weights[name] = (
                    page_weight(response.content)
                    if name != "badge"
                    else len(gzip.compress(response.content))
                )
        floors.append(statistics.median(floor_times))
        timings["floor"] += floor_times
    return {
        "vendor": "postgres" if connection.vendor == "postgresql" else connection.vendor,
        "partnerships": len(ids),
        "affiliates": affiliates,
        "load_seconds": round(load_seconds, 1),
        "load": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "cpu_reference_ms": [cpu_before, cpu_reference_ms()],
        "floors": floors,
        "pages": {
            name: {
                "p50": statistics.median(values),
                "p95": percentile(values, 0.95),
                "ratio": 1.0
                if name == "floor"
                else statistics.median(values) / floors[1 if pages[name][2] else 0],
                "gzip_bytes": weights[name],
                "n": len(values),
            }
            for name, values in timings.items()
        },
    }


def table(results: list[dict[str, Any]]) -> str:
    """Return the figures per database and page, with the verdicts against the targets."""
    lines = [
        f"{'database':<9} {'page':<26} {'p50 ms':>7} {'p95 ms':>7} {'× floor':>8} "
        f"{'target':>7} {'KB gz':>6}"
    ]
    for result in results:
        for name, page in result["pages"].items():
            target = TARGETS.get(name)
            kb = page["gzip_bytes"] / 1024
            verdict = ""
            if target:
                verdict = "ok" if page["ratio"] <= target and kb <= TARGET_KB else "MISS"
            lines.append(
                f"{result['vendor']:<9} {name:<26} {page['p50']:>7.1f} {page['p95']:>7.1f} "
                f"{page['ratio']:>8.2f} {(f'≤{target:g} ' + verdict) if target else '':>7} "
                f"{kb:>6.1f}"
            )
    for result in results:
        lines.append(
            f"{result['vendor']:<9} floor p50 of each pass (pages as served; showcase cold): "
            + " / ".join(f"{ms:.1f} ms" for ms in result["floors"])
        )
        lines.append(
            f"{result['vendor']:<9} {result['partnerships']:,} published partnerships across "
            f"{result['affiliates']} affiliates, loaded in {result['load_seconds']} s; load "
            f"average {result['load'][0]} -> {result['load'][1]} ({os.cpu_count()} CPUs); CPU "
            f"reference loop {' -> '.join(str(ms) for ms in result['cpu_reference_ms'])} ms"
        )
    lines.append(f"Targets: showcase ≤ 4 × floor, page and badge ≤ 2 × floor, ≤ {TARGET_KB:g} KB.")
    return "\n".join(lines)


def main() -> None:
    """Parse the arguments, measure each database in a fresh worker, print and save the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--affiliates", type=int, default=100)
    parser.add_argument("--per-affiliate", type=int, default=100)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = ["--affiliates", str(args.affiliates), "--per-affiliate", str(args.per_affiliate)]
    if args.worker:
        print(json.dumps(measure(args.affiliates, args.per_affiliate, args.requests)))
        return
    measure_and_report(
        args.database,
        __file__,
        [*sizes, "--requests", str(args.requests)],
        name="showcase",
        table=table,
        results_path=RESULTS,
    )


if __name__ == "__main__":
    main()
