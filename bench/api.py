"""Time the REST API's organisation and partnership lists and records against the same pages
in HTML, interleaved in one run, at 100 affiliates x 1,000 organisations.

Usage: .venv/bin/python bench/api.py [--database sqlite|postgres|both] [--requests 100]
[--fresh]
The data is bench/run.py's stage 100 (bench/generate.py, kept between runs: bench/README.md).
In a fresh process on a throw-away copy: a coordinator of a001 asks, round-robin, for the
partner list and the partnership list (first page, 50 rows each, as the HTML pages show),
and for 300 random organisations and partnerships, each as the HTML page (logged in) and as
JSON (a read-only personal token in the Authorization header). Printed: p50/p95 in ms of each,
and each JSON p50 as a ratio to the same HTML page's. Target (issue 17): every ratio <= 1.0.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_data import prepare, run_on_copy  # noqa: E402
from run import ROOT, SAMPLE, UNDER_TEST, WARM_UP, cpu_reference_ms, percentile  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "api.txt"
TARGET = 1.0
PAIRS = ("organisation list", "organisation", "partnership list", "partnership")


def measure(requests: int) -> dict[str, Any]:
    """Time each HTML page and its JSON twin, round-robin, on the kept stage-100 data."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from bench.generate import coordinator_name
    from hub.api import tokens
    from hub.core.models import Affiliate, User
    from hub.partners.models import Organisation
    from hub.partnerships.models import Partnership

    slug = UNDER_TEST
    user = User.objects.get(username=coordinator_name(slug))
    affiliate = Affiliate.objects.get(slug=slug)
    _token, secret = tokens.create_token(
        actor=user, affiliate=affiliate, name="bench", can_write=False
    )
    html = Client()
    html.force_login(user)
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    rng = random.Random(slug)

    def sample(model: Any) -> list[int]:
        ids = list(model.objects.filter(affiliate=affiliate).values_list("pk", flat=True))
        return rng.sample(ids, min(SAMPLE, len(ids)))

    orgs, partnerships = sample(Organisation), sample(Partnership)
    # name -> (HTML client, its URLs, JSON client, its URLs)
    pairs = {
        "organisation list": ([f"/a/{slug}/organisations/"], ["/api/v1/organisations/"]),
        "organisation": (
            [f"/a/{slug}/organisations/{pk}/" for pk in orgs],
            [f"/api/v1/organisations/{pk}/" for pk in orgs],
        ),
        "partnership list": ([f"/a/{slug}/partnerships/"], ["/api/v1/partnerships/"]),
        "partnership": (
            [f"/a/{slug}/partnerships/{pk}/" for pk in partnerships],
            [f"/api/v1/partnerships/{pk}/" for pk in partnerships],
        ),
    }
    runs = [
        (f"{name} {kind}", client, urls)
        for name, (html_urls, json_urls) in pairs.items()
        for kind, client, urls in (("HTML", html, html_urls), ("JSON", api, json_urls))
    ]
    for _label, client, urls in runs:
        for url in urls[:WARM_UP]:
            assert client.get(url).status_code == 200, url
    load_before = os.getloadavg()[0]
    cpu_before = cpu_reference_ms()
    timings: dict[str, list[float]] = {label: [] for label, _c, _u in runs}
    for n in range(requests):
        for label, client, urls in runs:
            url = urls[n % len(urls)]
            t0 = time.perf_counter()
            response = client.get(url)
            timings[label].append((time.perf_counter() - t0) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
    return {
        "vendor": "postgres" if connection.vendor == "postgresql" else connection.vendor,
        "load": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "cpu_reference_ms": [cpu_before, cpu_reference_ms()],
        "pages": {
            label: {"p50": statistics.median(t), "p95": percentile(t, 0.95), "n": len(t)}
            for label, t in timings.items()
        },
    }


def table(runs: list[dict[str, Any]]) -> str:
    """Return the figures as a table: each JSON p50 as a ratio to the same HTML page's."""
    lines = [
        "| database | what | HTML p50 / p95 ms | JSON p50 / p95 ms | JSON / HTML | target |",
        "|---|---|---|---|---|---|",
    ]
    for run in runs:
        pages = run["pages"]
        for name in PAIRS:
            h, j = pages[f"{name} HTML"], pages[f"{name} JSON"]
            ratio = j["p50"] / h["p50"]
            met = "met" if ratio <= TARGET else "MISSED"
            lines.append(
                f"| {run['vendor']} | {name} | {h['p50']:.1f} / {h['p95']:.1f} "
                f"| {j['p50']:.1f} / {j['p95']:.1f} | {ratio:.2f} | ≤ {TARGET} {met} |"
            )
    for run in runs:
        lines.append(
            f"\n{run['vendor']}: load {run['load']}, CPU reference {run['cpu_reference_ms']} ms"
        )
    return "\n".join(lines)


def main() -> None:
    """Parse the arguments, time each database on the stage-100 data, print and save."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--requests", type=int, default=100, help="timed requests per page")
    parser.add_argument("--fresh", action="store_true", help="generate the data again")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(measure(args.requests)))
        return
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    runs = []
    for database in databases:
        print(f"… {database}, 100 affiliates: data", file=sys.stderr, flush=True)
        source, making = prepare(database, "100", fresh=args.fresh)
        if making:
            print(f"  generated in {making['seconds']} s", file=sys.stderr, flush=True)
        print(f"… {database}: timing", file=sys.stderr, flush=True)
        runs.append(
            run_on_copy(
                database,
                source,
                __file__,
                ["--worker", "--requests", str(args.requests)],
                db_name=f"hub_bench_run_{os.getpid()}",
            )
        )
    report = table(runs)
    print(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    RESULTS.write_text(
        f"# bench/api.py {' '.join(sys.argv[1:])}  ({stamp})\n\n{report}\n\n"
        + json.dumps(runs, indent=1)
        + "\n",
        encoding="utf-8",
    )
    print(f"Written to {RESULTS.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
