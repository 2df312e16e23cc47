"""Time the impact report pages from stored snapshots (target: p50 ≤ 100 ms); print p50/p95.

Usage: .venv/bin/python bench/impact_report.py [--links 3000] [--requests 50]
Builds a fresh SQLite database in a temporary directory: one affiliate, 1,000 partnerships,
``--links`` content links spread over them, each with 24 months of views and uploads and a
month's snapshot figures (as a refresh leaves them); then a member requests the partnership,
partner and affiliate report pages through Django's test client (server time, no network).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Build the data, time each page, print p50 and p95 in milliseconds."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--links", type=int, default=3000)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="hub-bench-impact-")
    os.environ.update(
        {
            "HUB_DATA_DIR": folder,
            "HUB_SQLITE_PATH": str(Path(folder) / "bench.sqlite3"),
            "HUB_TESTING": "1",
            "HUB_DEBUG": "0",
            "HUB_ALLOWED_HOSTS": "testserver",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    os.environ.pop("HUB_DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    from hub.core.models import Affiliate, Membership, User
    from hub.impact.models import ContentLink, MetricPoint
    from hub.partners.models import Organisation
    from hub.partnerships.models import Partnership, PartnershipPartner

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
    wikis = {f"{code}.wikipedia.org": 3 for code in ("sv", "en", "de", "fi", "fr", "es")}
    top = [["sv.wikipedia.org", f"Article {n}", 1000 - n] for n in range(20)]
    links = []
    for n in range(args.links):
        latest = {
            metric: {
                "value": value,
                "month": this_month.isoformat(),
                "source": "live-api",
                "method": "category members, global usage and pageviews",
                "fetched_at": now.isoformat(),
                "detail": detail,
            }
            for metric, value, detail in (
                ("files", 1200, {}),
                ("files_deep", 1240, {}),
                ("files_in_use", 300, {}),
                ("pages_using", 312, {}),
                ("wikis_using", 6, {"wikis": wikis}),
                ("top_pages", 20, {"pages": top}),
                ("views", 5000, {}),
            )
        }
        links.append(
            ContentLink(
                affiliate=affiliate,
                partnership=partnerships[n % len(partnerships)],
                kind="commons_category",
                wiki_url="https://commons.wikimedia.org",
                target=f"Category {n}",
                status="verified",
                latest=latest,
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
    from hub.impact.totals import rebuild_affiliate_totals

    with transaction.atomic():
        rebuild_affiliate_totals(affiliate.pk)
    client = Client()
    client.force_login(user)
    pages = {
        "partnership impact page": f"/a/bench/partnerships/{partnerships[0].pk}/impact/",
        "partner report": f"/a/bench/organisations/{orgs[0].pk}/impact/",
        "affiliate report": "/a/bench/impact/",
    }
    print(
        f"{len(partnerships)} partnerships, {len(links)} content links, "
        f"{len(points)} metric points (SQLite)"
    )
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        url = pages[os.environ["BENCH_PROFILE"]]
        client.get(url)
        profile = cProfile.Profile()
        profile.runcall(lambda: [client.get(url) for _ in range(5)])
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
        return
    for name, url in pages.items():
        for _ in range(3):
            response = client.get(url)
            assert response.status_code == 200, (
                url,
                response.status_code,
                response.get("Location"),
            )
        times = []
        for _ in range(args.requests):
            start = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        print(f"{name:28} p50 {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms")


if __name__ == "__main__":
    main()
