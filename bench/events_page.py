"""Time the pages that show counted event outputs, as ratios to the floor page; print them.

Usage: .venv/bin/python bench/events_page.py [--database sqlite|postgres|both] [--events 50]
[--requests 100]
BENCH_PROFILE="partnership page" (a page's name) prints a cProfile of 20 requests to it instead;
BENCH_QUERIES="partnership page" prints the statements one request to it makes.
For each database, in a fresh process and a fresh database (``run_fresh`` in bench/run.py):
one affiliate with 100 partnerships of 10 typed activities each (one of them with ``--events``
more, their outputs typed by hand: "same, outputs typed"), and one partnership with
``--events`` edit-a-thons, each with an event of 40 participants, its 14 total figures
counted from the wikis and the same per wiki for two wikis, and a figure imported from the
Programs & Events Dashboard. A member (and, for one page, a viewer, who sees no edit forms)
then requests, round-robin with the floor page (bench/urls.py), that partnership's page, its
activities list, its impact page, the reports dashboard, and the public event page (the
partnership is published). The partnership page's target is the bench's (bench/README.md):
p50 <= 5 x floor. The page keeps its reads between visits (hub.partnerships.page), so it is
also timed with them dropped before each request ("drawn afresh"): the first visit after a
change; so are its twin with typed outputs and the page of 10 activities, to tell what the
counted events add to a first visit from what any partnership page costs then.
BENCH_PROFILE_FILTER (a regular expression) limits the profile's lines to matching files.
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

RESULTS = ROOT / "bench" / "results" / "events_page.txt"
TARGETS = {"partnership page": 5.0, "activities list": 5.0, "dashboard": 5.0}
AFRESH = "the same, drawn afresh (no kept reads)"
TYPED_AFRESH = "same, outputs typed, drawn afresh"
SMALL_AFRESH = "the same, drawn afresh "
WIKIS = ("https://sv.wikipedia.org", "https://commons.wikimedia.org")


def _load(events: int) -> dict[str, Any]:
    """Write the bench's data with bulk_create; return the user and the pages' ids."""
    from django.utils import timezone

    from hub.core.models import Affiliate, Membership, User
    from hub.events.models import Event, EventFigure, Participant
    from hub.partners.models import Organisation
    from hub.partnerships.models import Activity, Partnership, PartnershipPartner

    affiliate = Affiliate.objects.create(name="Bench", slug="bench")
    user = User.objects.create_user(username="bench", password="x" * 12)
    Membership.objects.create(user=user, affiliate=affiliate, role="member")
    # A viewer is shown the page without its edit forms: what drawing the forms costs is the
    # difference with the member's page (bench/README.md, "Why the partnership page ...").
    viewer = User.objects.create_user(username="bench-viewer", password="x" * 12)
    Membership.objects.create(user=viewer, affiliate=affiliate, role="viewer")
    orgs = Organisation.objects.bulk_create(
        Organisation(affiliate=affiliate, name=f"Museum {n}") for n in range(100)
    )
    partnerships = Partnership.objects.bulk_create(
        Partnership(affiliate=affiliate, title=f"Partnership {n}", visibility="published")
        for n in range(101)
    )
    PartnershipPartner.objects.bulk_create(
        PartnershipPartner(partnership=p, organisation=orgs[n % len(orgs)], role="main")
        for n, p in enumerate(partnerships)
    )
    today = dt.date(2026, 6, 1)
    typed = [
        Activity(
            partnership=p,
            kind="training",
            title=f"Training {k}",
            starts_on=today - dt.timedelta(days=k),
            participants=12,
            people_trained=10,
        )
        for p in partnerships[1:]
        for k in range(10)
    ]
    Activity.objects.bulk_create(typed, batch_size=1000)
    # The same partnership page with as many activities whose outputs were typed by hand: what
    # the counted outputs add to the page is the difference between the two.
    Activity.objects.bulk_create(
        Activity(
            partnership=partnerships[1],
            kind="editathon",
            title=f"Typed edit-a-thon {n}",
            starts_on=today - dt.timedelta(days=7 * n),
            participants=30,
            articles_created=3,
            articles_improved=9,
        )
        for n in range(events)
    )
    counted_p = partnerships[0]
    activities = Activity.objects.bulk_create(
        Activity(
            partnership=counted_p,
            kind="editathon",
            title=f"Edit-a-thon {n}",
            starts_on=today - dt.timedelta(days=7 * n),
            articles_created=3,
        )
        for n in range(events)
    )
    now = timezone.now()
    event_rows = Event.objects.bulk_create(
        Event(
            activity=a,
            affiliate=affiliate,
            wikis=list(WIKIS),
            starts_at=dt.datetime.combine(a.starts_on, dt.time(9), tzinfo=dt.UTC),
            ends_at=dt.datetime.combine(a.starts_on, dt.time(17), tzinfo=dt.UTC),
            last_counted_at=now,
        )
        for a in activities
    )
    figures = [
        EventFigure(
            event=e,
            metric=metric,
            wiki=wiki,
            value=10 + n,
            source="counted",
            method="contributions of the participants",
            counted_at=now,
        )
        for e in event_rows
        for n, metric in enumerate(EventFigure.Metric.values)
        for wiki in ("", *WIKIS)
    ]
    figures += [
        EventFigure(
            event=e, metric="views", value=5000, source="dashboard", counted_at=now, detail={}
        )
        for e in event_rows
    ]
    EventFigure.objects.bulk_create(figures, batch_size=2000)
    Participant.objects.bulk_create(
        (
            Participant(
                event=e,
                username=f"Editor {k}",
                consented_at=now if k % 2 else None,
                show_name=k % 4 == 1,
            )
            for e in event_rows
            for k in range(40)
        ),
        batch_size=2000,
    )
    from hub.events.outputs import public_url

    return {
        "user": user,
        "viewer": viewer,
        "partnership": counted_p.pk,
        "typed": partnerships[1].pk,
        "small": partnerships[2].pk,
        "figures": len(figures),
        "public": public_url(event_rows[0]),
    }


def measure(events: int, requests: int) -> dict[str, Any]:
    """Build the data, time the pages round-robin with the floor page, return the figures."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import caches
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench.urls import FLOOR_PATH

    settings.ROOT_URLCONF = "bench.urls"
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    data = _load(events)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    load_seconds = time.perf_counter() - started
    client, visitor, viewer = Client(), Client(), Client()
    client.force_login(data["user"])
    viewer.force_login(data["viewer"])
    pk = data["partnership"]
    pages: dict[str, tuple[Client, str]] = {
        "floor": (client, f"/a/bench/{FLOOR_PATH}"),
        "partnership page": (client, f"/a/bench/partnerships/{pk}/"),
        # The same with its kept reads dropped before each request (outside the timing): the
        # first visit after any change to the affiliate (hub.partnerships.page).
        AFRESH: (client, f"/a/bench/partnerships/{pk}/"),
        "same, outputs typed": (client, f"/a/bench/partnerships/{data['typed']}/"),
        TYPED_AFRESH: (client, f"/a/bench/partnerships/{data['typed']}/"),
        "activities list": (client, f"/a/bench/partnerships/{pk}/activities/"),
        "same, outputs typed ": (client, f"/a/bench/partnerships/{data['typed']}/activities/"),
        "impact page": (client, f"/a/bench/partnerships/{pk}/impact/"),
        "same, outputs typed  ": (client, f"/a/bench/partnerships/{data['typed']}/impact/"),
        "partnership page, 10 activities": (client, f"/a/bench/partnerships/{data['small']}/"),
        SMALL_AFRESH: (client, f"/a/bench/partnerships/{data['small']}/"),
        "the same, seen by a viewer (no forms)": (
            viewer,
            f"/a/bench/partnerships/{data['small']}/",
        ),
        "dashboard": (client, "/a/bench/reports/"),
        "public event page": (visitor, data["public"]),
    }
    from hub.core.models import Affiliate
    from hub.partnerships.page import page_key

    affiliate = Affiliate.objects.get(slug="bench")

    afresh = {AFRESH: pk, TYPED_AFRESH: data["typed"], SMALL_AFRESH: data["small"]}

    def drop_kept(name: str) -> bool:
        """Drop the kept reads of the page timed as ``name`` if it is one timed afresh."""
        if name not in afresh:
            return True
        return bool(caches["drawn"].delete(page_key(affiliate, afresh[name], timeline_page=1)))

    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        who, url = pages[os.environ["BENCH_PROFILE"]]
        who.get(url)
        profile = cProfile.Profile()

        def visits() -> None:
            for _ in range(20):
                drop_kept(os.environ["BENCH_PROFILE"])
                who.get(url)

        profile.runcall(visits)
        sort = os.environ.get("BENCH_PROFILE_SORT", "cumulative")
        stats = pstats.Stats(profile, stream=sys.stderr).sort_stats(sort)
        stats.print_stats(os.environ.get("BENCH_PROFILE_FILTER", ""), 40)
        return {"vendor": connection.vendor}
    if os.environ.get("BENCH_QUERIES"):  # the statements one request of that page makes
        from django.test.utils import CaptureQueriesContext

        who, url = pages[os.environ["BENCH_QUERIES"]]
        who.get(url)
        drop_kept(os.environ["BENCH_QUERIES"])
        with CaptureQueriesContext(connection) as queries:
            who.get(url)
        for n, query in enumerate(queries.captured_queries, 1):
            print(f"{n:3d} {query['time']} {query['sql'][:400]}", file=sys.stderr)
        return {"vendor": connection.vendor}
    for who, url in pages.values():
        for _ in range(WARM_UP):
            response = who.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
    load_before = os.getloadavg()[0]
    cpu_before = cpu_reference_ms()
    timings: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(requests):
        for name, (who, url) in pages.items():
            if not drop_kept(name):
                raise SystemExit("the partnership page's kept reads were not found")
            t0 = time.perf_counter()
            who.get(url)
            timings[name].append((time.perf_counter() - t0) * 1000)
    floor = statistics.median(timings["floor"])
    return {
        "vendor": connection.vendor,
        "events": events,
        "figures": data["figures"],
        "load_seconds": round(load_seconds, 1),
        "load": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "cpu_reference_ms": [cpu_before, cpu_reference_ms()],
        "pages": {
            name: {
                "p50": statistics.median(values),
                "p95": percentile(values, 0.95),
                "ratio": statistics.median(values) / floor,
                "n": len(values),
            }
            for name, values in timings.items()
        },
    }


def table(results: list[dict[str, Any]]) -> str:
    """Return the figures per database and page, with the ratio to the floor and verdicts."""
    lines = [
        "| database | page | p50 ms | p95 ms | × floor | target |",
        "|---|---|---|---|---|---|",
    ]
    for result in results:
        for name, page in result["pages"].items():
            target = TARGETS.get(name)
            verdict = (
                ""
                if target is None
                else (
                    f"≤ {target:g} × ok" if page["ratio"] <= target else f"≤ {target:g} **missed**"
                )
            )
            lines.append(
                f"| {result['vendor']} | {name} | {page['p50']:.1f} | {page['p95']:.1f} | "
                f"{page['ratio']:.2f} | {verdict} |"
            )
    for result in results:
        before, after = result["load"]
        lines.append(
            f"\n{result['vendor']}: {result['events']} counted events, {result['figures']:,} "
            f"figures, loaded in {result['load_seconds']} s; load average {before} -> {after} "
            f"({os.cpu_count()} CPUs); CPU reference loop: "
            f"{' -> '.join(str(ms) for ms in result['cpu_reference_ms'])} ms"
        )
    return "\n".join(lines)


def main() -> None:
    """Parse the arguments, measure each database in a fresh worker, print and save the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(measure(args.events, args.requests)))
        return
    measure_and_report(
        args.database,
        __file__,
        ["--events", str(args.events), "--requests", str(args.requests)],
        name="events",
        table=table,
        results_path=RESULTS,
    )


if __name__ == "__main__":
    main()
