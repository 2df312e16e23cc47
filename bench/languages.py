"""Time the partnership list, a partnership page and the dashboard in Arabic and in English.

Usage: .venv/bin/python bench/languages.py [--database sqlite|postgres|both] [--requests 100]
On the kept data of stage 10 (bench/bench_data.py: ten realistic affiliates, made once), in a
fresh process per database: a coordinator of a001 with two sessions, one in English and one in
Arabic (the language cookie), asks for the floor page (bench/urls.py), the partnership list, a
partnership page (the same 300 random ones in both languages) and the dashboard, interleaved:
each round asks every page in both languages, the order of the two languages alternating
between rounds. Printed: p50/p95 in ms per page and language, the Arabic p50 over the English
one (target issue 18: ≤ 1.05), and each page's weight compressed with its CSS.
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
from bench_data import prepare, run_on_copy, save_report  # noqa: E402
from run import ROOT, WARM_UP, cpu_reference_ms, page_weight, percentile, rotating  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "languages.txt"
TARGET = 1.05  # Arabic p50 over English p50, per page
LANGUAGES = ("en", "ar")
UNDER_TEST = "a001"
SAMPLE = 300


def measure(requests: int) -> dict[str, Any]:
    """In the worker: time every page in both languages, interleaved (see the docstring)."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from bench.generate import coordinator_name
    from bench.urls import FLOOR_PATH
    from hub.core.models import User
    from hub.partnerships.models import Partnership

    settings.ROOT_URLCONF = "bench.urls"
    if "ar" not in dict(settings.LANGUAGES):
        raise SystemExit("Arabic is not offered: its catalogue is incomplete or not compiled")
    user = User.objects.get(username=coordinator_name(UNDER_TEST))
    clients = {}
    for code in LANGUAGES:
        clients[code] = Client()
        clients[code].force_login(user)
        clients[code].cookies[settings.LANGUAGE_COOKIE_NAME] = code
    ids = list(Partnership.objects.filter(affiliate__slug=UNDER_TEST).values_list("pk", flat=True))
    sample = random.Random(UNDER_TEST).sample(ids, min(SAMPLE, len(ids)))
    base = f"/a/{UNDER_TEST}/"
    pages = {
        "floor": [f"{base}{FLOOR_PATH}"],
        "partnership list": [f"{base}partnerships/"],
        "partnership page": [f"{base}partnerships/{pk}/" for pk in sample],
        "dashboard": [f"{base}reports/"],
    }
    # One rotation per page and language, over the same addresses in the same order.
    urls = {(name, code): rotating(paths) for name, paths in pages.items() for code in LANGUAGES}
    for (name, code), next_url in urls.items():
        for _ in range(WARM_UP):
            response = clients[code].get(next_url())
            if f'lang="{code}"' not in response.content.decode()[:400]:
                raise SystemExit(f"{name} did not answer in {code}")
    load_before = os.getloadavg()[0]
    cpu_before = cpu_reference_ms()
    timings: dict[tuple[str, str], list[float]] = {key: [] for key in urls}
    html: dict[tuple[str, str], bytes] = {}
    for round_ in range(requests):
        order = LANGUAGES if round_ % 2 == 0 else tuple(reversed(LANGUAGES))
        for name in pages:
            for code in order:
                url = urls[(name, code)]()
                t0 = time.perf_counter()
                response = clients[code].get(url)
                timings[(name, code)].append((time.perf_counter() - t0) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{url} ({code}) answered {response.status_code}")
                html[(name, code)] = response.content
    return {
        "vendor": "postgres" if connection.vendor == "postgresql" else connection.vendor,
        "load": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "cpu_reference_ms": [cpu_before, cpu_reference_ms()],
        "pages": {
            name: {
                code: {
                    "p50": statistics.median(timings[(name, code)]),
                    "p95": percentile(timings[(name, code)], 0.95),
                    "n": len(timings[(name, code)]),
                    "gzip_bytes": page_weight(html[(name, code)]),
                }
                for code in LANGUAGES
            }
            for name in pages
        },
    }


def table(runs: list[dict[str, Any]]) -> str:
    """Return the figures as a markdown table, each page's ratio with its verdict."""
    out = [
        "| database | page | English p50 ms | Arabic p50 ms | Arabic p95 ms | Arabic ÷ English "
        "| target | | KB en / ar |",
        "|---|---|---:|---:|---:|---:|---:|---|---:|",
    ]
    for run in runs:
        for name, by_code in run["pages"].items():
            en, ar = by_code["en"], by_code["ar"]
            ratio = ar["p50"] / en["p50"]
            verdict = "" if name == "floor" else ("met" if ratio <= TARGET else "**missed**")
            out.append(
                f"| {run['vendor']} | {name} | {en['p50']:.1f} | {ar['p50']:.1f} | "
                f"{ar['p95']:.1f} | {ratio:.3f} | {'' if name == 'floor' else f'≤ {TARGET:g}'} "
                f"| {verdict} | {en['gzip_bytes'] / 1024:.1f} / {ar['gzip_bytes'] / 1024:.1f} |"
            )
    out.append("")
    for run in runs:
        out.append(
            f"- {run['vendor']}: {run['pages']['floor']['en']['n']} requests per page and "
            f"language; load average {run['load'][0]} → {run['load'][1]} ({os.cpu_count()} "
            f"CPUs); CPU reference loop {' → '.join(str(ms) for ms in run['cpu_reference_ms'])} ms"
        )
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--requests", type=int, default=100, help="timed requests per page")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(measure(args.requests)))
        return
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    runs = []
    for database in databases:
        print(f"… {database}: data (stage 10)", file=sys.stderr, flush=True)
        source, making = prepare(database, "10")
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
    save_report(RESULTS, __file__, report, runs)
    print(f"Written to {RESULTS.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
