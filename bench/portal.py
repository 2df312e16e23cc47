"""Time the partner portal against the floor page (target: p50 ≤ 3 × floor); print the figures.

Usage: .venv/bin/python bench/portal.py [--database sqlite|postgres|both] [--contacts 5000]
[--requests 100]
For each database, in a fresh process and a fresh database (``run_fresh`` in bench/run.py): one
affiliate with ``--contacts`` contacts over 1,000 organisations, 300 partnerships, 3,000
activities; the partner measured takes part in 6 partnerships with 10 contacts of its own, 30
content links with a month's figures and 24 months of views, 8 documents shared with it, a
year of activities and 5 corrections waiting. Then the floor page (bench/urls.py, a member
signed in), the partner's portal (its signed link, no account), a contact's correction form and
the members' queue of corrections are requested round-robin through Django's test client
(server time, no network). ``BENCH_PROFILE=portal`` prints a profile of the portal instead.
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
from run import ROOT, WARM_UP, cpu_reference_ms, page_weight, percentile  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "portal.txt"
TARGET_RATIO = 3.0
ORGANISATIONS = 1000
DRAWN = "portal, drawn afresh"
# The partner measured: a big one (most have one partnership and two or three people).
PARTNERSHIPS = 6
LINKS = 30


def build(contact_count: int) -> dict[str, Any]:
    """Write the bench's affiliate and partner (bulk, past the services); return what to time."""
    from django.db import connection
    from django.utils import timezone

    from hub.core.models import Affiliate, Membership, User
    from hub.impact.models import ContentLink, MetricPoint
    from hub.impact.totals import rebuild_all_totals
    from hub.partners.keys import contact_search_text
    from hub.partners.models import Contact, Organisation
    from hub.partnerships.models import Activity, Document, Partnership, PartnershipPartner
    from hub.surveys.models import ChangeRequest
    from hub.surveys.portal import services
    from hub.surveys.portal.tokens import portal_token

    affiliate = Affiliate.objects.create(name="Bench", slug="a001")
    user = User.objects.create_user(
        username="bench", password="x" * 12, email="coordinator@bench.example", first_name="Cora"
    )
    Membership.objects.create(user=user, affiliate=affiliate, role="member")
    orgs = Organisation.objects.bulk_create(
        Organisation(affiliate=affiliate, name=f"Museum {n}", city="Lund", status="active")
        for n in range(ORGANISATIONS)
    )
    partner = orgs[0]
    contacts = []
    for n in range(contact_count):
        # The partner's own 10 people, then the others spread over the other organisations.
        org = partner if n < 10 else orgs[1 + n % (ORGANISATIONS - 1)]
        contact = Contact(
            affiliate=affiliate,
            organisation=org,
            name=f"Person {n}",
            role="Curator",
            emails=f"person{n}@museum.example",
            phone="+46 8 123 45 67",
        )
        contact.search_text = contact_search_text(
            name=contact.name, emails=contact.emails, role=contact.role, organisation_name=org.name
        )
        contacts.append(contact)
    Contact.objects.bulk_create(contacts, batch_size=1000)
    today = timezone.localdate()
    partnerships = Partnership.objects.bulk_create(
        Partnership(
            affiliate=affiliate,
            title=f"Partnership {n}",
            stage="active",
            start_date=today - dt.timedelta(days=n),
        )
        for n in range(300)
    )
    PartnershipPartner.objects.bulk_create(
        PartnershipPartner(
            partnership=p,
            organisation=partner if n < PARTNERSHIPS else orgs[1 + n % (ORGANISATIONS - 1)],
        )
        for n, p in enumerate(partnerships)
    )
    for p in partnerships[:PARTNERSHIPS]:
        p.responsible.add(user)
    Activity.objects.bulk_create(
        Activity(
            partnership=partnerships[n % 300],
            kind="meeting",
            title=f"Activity {n}",
            starts_on=today + dt.timedelta(days=(n % 365) - 180),
        )
        for n in range(3000)
    )
    Document.objects.bulk_create(
        Document(
            partnership=partnerships[n % PARTNERSHIPS],
            kind="report",
            file=f"partnership-documents/bench/{n}.pdf",
            original_name=f"report-{n}.pdf",
            content_type="application/pdf",
            size=10_000,
            sha256="0" * 64,
            shared_with_partner=n % 2 == 0,
        )
        for n in range(16)
    )
    now = timezone.now()
    this_month = today.replace(day=1)
    latest = {
        metric: {
            "value": value,
            "month": this_month.isoformat(),
            "source": "live-api",
            "method": "category members, global usage and pageviews",
            "fetched_at": now.isoformat(),
            "detail": {},
        }
        for metric, value in (
            ("files", 1200),
            ("files_deep", 1240),
            ("files_in_use", 300),
            ("pages_using", 312),
            ("views", 5000),
        )
    }
    links = ContentLink.objects.bulk_create(
        ContentLink(
            affiliate=affiliate,
            partnership=partnerships[n % PARTNERSHIPS],
            kind="commons_category",
            wiki_url="https://commons.wikimedia.org",
            target=f"Category {n}",
            status="verified",
            latest=latest,
            last_refreshed_at=now,
        )
        for n in range(LINKS)
    )
    points = []
    for link in links:
        for k in range(1, 25):
            index = this_month.year * 12 + this_month.month - 1 - k
            month = dt.date(index // 12, index % 12 + 1, 1)
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
    MetricPoint.objects.bulk_create(points, batch_size=2000)
    # Loaded around the services: the totals a refresh keeps (what the portal's figures read),
    # written as `manage.py rebuild_impact_totals` does. Without them the portal showed "No
    # figures yet." for every partnership, and the bench timed a lighter page than partners see.
    rebuild_all_totals()
    portal = services.create_portal_link(actor=user, organisation=partner)
    own = list(Contact.objects.filter(organisation=partner)[:5])
    for n, contact in enumerate(own):
        services.request_change(link=portal, contact=contact, values={"role": f"Director {n}"})
    assert ChangeRequest.objects.count() == 5  # noqa: S101
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    return {"token": portal_token(portal), "contact": own[0].pk}


def measure(contact_count: int, requests: int) -> dict[str, Any]:
    """Build the data, time the floor and the portal's pages round-robin, return the figures."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench.urls import FLOOR_PATH
    from hub.core.models import User

    settings.ROOT_URLCONF = "bench.urls"
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)  # the portal's drawn page is kept there
    made = build(contact_count)
    load_seconds = time.perf_counter() - started
    member = Client()
    member.force_login(User.objects.get(username="bench"))
    partner = Client()
    token = made["token"]
    pages = {
        "floor": (member, f"/a/a001/{FLOOR_PATH}"),
        "portal": (partner, f"/p/{token}/"),
        # The same page drawn afresh (its cached drawing dropped before each request): what the
        # first partner to open it after a change waits.
        DRAWN: (partner, f"/p/{token}/"),
        "correction form": (partner, f"/p/{token}/contacts/{made['contact']}/"),
        "corrections queue": (member, "/a/a001/portal/changes/"),
    }
    result: dict[str, Any] = {
        "vendor": connection.vendor,
        "contacts": contact_count,
        "load_seconds": round(load_seconds, 1),
        "pages": {},
    }
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        name = os.environ["BENCH_PROFILE"]
        client, url = pages[name]
        client.get(url)

        def ask_ten_times() -> None:
            for _ in range(10):
                if name == DRAWN:  # drawn afresh: the drawing dropped before each request
                    cache.clear()
                client.get(url)

        profile = cProfile.Profile()
        profile.runcall(ask_ten_times)
        sort = os.environ.get("BENCH_PROFILE_SORT", "cumulative")
        stats = pstats.Stats(profile, stream=sys.stderr).sort_stats(sort)
        stats.print_stats(60)
        if os.environ.get("BENCH_PROFILE_CALLERS"):
            stats.print_callers(os.environ["BENCH_PROFILE_CALLERS"])
        return result
    html: dict[str, bytes] = {}
    for name, (client, url) in pages.items():
        for _ in range(WARM_UP):
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
        html[name] = response.content
    load_before = os.getloadavg()[0]
    cpu_before = cpu_reference_ms()
    timings: dict[str, list[float]] = {name: [] for name in pages}
    # Round-robin with the floor, so that other work on the machine slows all pages alike.
    for _ in range(requests):
        for name, (client, url) in pages.items():
            if name == DRAWN:
                cache.clear()
            t0 = time.perf_counter()
            client.get(url)
            timings[name].append((time.perf_counter() - t0) * 1000)
    result["load"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    result["cpu_reference_ms"] = [cpu_before, cpu_reference_ms()]
    result["pages"] = {
        name: {
            "p50": statistics.median(values),
            "p95": percentile(values, 0.95),
            "n": len(values),
            "gzip_bytes": page_weight(html[name]),
        }
        for name, values in timings.items()
    }
    return result


def table(results: list[dict[str, Any]]) -> str:
    """Return the figures per database and page, as ratios to the floor, with the verdicts."""
    lines = [
        f"{'database':<10}  {'page':<22} {'p50 ms':>7} {'p95 ms':>7} {'× floor':>8} "
        f"{'target':>7} {'KB gz':>6}"
    ]
    for result in results:
        floor = result["pages"]["floor"]["p50"]
        for name, page in result["pages"].items():
            ratio = page["p50"] / floor
            verdict = "" if name == "floor" else ("ok" if ratio <= TARGET_RATIO else "MISS")
            if name not in ("portal", DRAWN) and verdict:
                verdict = "(none)"
            lines.append(
                f"{result['vendor']:<10}  {name:<22} {page['p50']:>7.1f} {page['p95']:>7.1f} "
                f"{ratio:>8.2f} {verdict:>7} {page['gzip_bytes'] / 1024:>6.1f}"
            )
    for result in results:
        before, after = result.get("load", ["?", "?"])
        lines.append(
            f"{result['vendor']:<10}  {result['contacts']:,} contacts, loaded in "
            f"{result['load_seconds']} s; load average while timing: {before} -> {after} "
            f"({os.cpu_count()} CPUs); CPU reference loop: "
            f"{' -> '.join(str(ms) for ms in result.get('cpu_reference_ms', []))} ms"
        )
    lines.append(
        f"Target: the portal's p50 <= {TARGET_RATIO:g} × the floor's (shown for the page as "
        "partners get it, from its cached drawing, and drawn afresh)."
    )
    return "\n".join(lines)


def main() -> None:
    """Parse the arguments, measure each database in a fresh worker, print and save the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--contacts", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(measure(args.contacts, args.requests)))
        return
    measure_and_report(
        args.database,
        __file__,
        ["--contacts", str(args.contacts), "--requests", str(args.requests)],
        name="portal",
        table=table,
        results_path=RESULTS,
    )


if __name__ == "__main__":
    main()
