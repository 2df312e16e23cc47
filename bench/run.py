"""Time the hub's main pages against a floor page: realistic affiliates, and one big one.

Usage: .venv/bin/python bench/run.py [--database sqlite|postgres|both] [--requests 100]
[--fresh]. See bench/README.md: what is generated, what is timed and the targets.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from bench_data import ROOT, prepare, run_on_copy

RESULTS = ROOT / "bench" / "results" / "latest.txt"
WARM_UP = 5
GZIP_LEVEL = 6  # what a web server typically uses on the fly
TARGET_KB = 60.0
UNDER_TEST = "a001"  # the realistic affiliate whose pages are timed
SAMPLE = 300  # organisations, contacts and partnerships each page cycles through
# Page -> its p50 at the realistic size, at most this many times the floor page's.
TARGETS = {
    "partner list": 3.0,
    "organisation page": 3.0,
    "contact page": 3.0,
    "partnership list": 3.0,
    "partnership page": 5.0,
    "My work": 5.0,
    "dashboard": 5.0,
}
STRESS_TARGET = 2.0  # the stress affiliate's page, over the same page at the realistic size
GROWTH_ALLOWED = 1.25  # a page's ratio at 100 affiliates over its ratio at 10 (noise margin)
TARGET_REMINDERS_S = 5.0


@dataclass
class Page:
    """One page under test: its group (floor, realistic, stress), name, who asks, next URL."""

    group: str
    name: str
    client: Any
    next_url: Callable[[], str]


def percentile(values: list[float], share: float) -> float:
    """Return the value below which the given share of the sorted values lies (nearest rank)."""
    ordered = sorted(values)
    rank = max(1, round(share * len(ordered)))
    return ordered[rank - 1]


def cpu_reference_ms() -> float:
    """Time a fixed pure-Python loop (best of three, ms): how fast this machine is just now.

    A rough gauge only (the pages' speed did not always follow it, see bench/README.md).
    """
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for i in range(2_000_000):
            total += i
        best = min(best, (time.perf_counter() - started) * 1000)
    return round(best, 1)


def gzip_size(data: bytes) -> int:
    """Return the size of data compressed as a web server would send it."""
    return len(gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0))


def page_weight(html: bytes) -> int:
    """Return the compressed bytes of a page with the CSS and JS it references."""
    from django.conf import settings
    from django.contrib.staticfiles import finders

    total = gzip_size(html)
    text = html.decode("utf-8")
    refs = [
        re.search(r'href="([^"]+)"', tag).group(1)  # type: ignore[union-attr]
        for tag in re.findall(r"<link\b[^>]*>", text)
        if re.search(r'rel="[^"]*stylesheet', tag) and 'href="' in tag
    ]
    refs += re.findall(r'<script\b[^>]*\bsrc="([^"]+)"', text)
    for ref in refs:
        if not ref.startswith(settings.STATIC_URL):
            raise SystemExit(f"page references an asset outside the static files: {ref}")
        path = finders.find(ref[len(settings.STATIC_URL) :].split("?")[0])
        if not path:
            raise SystemExit(f"static file not found: {ref}")
        data = Path(str(path)).read_bytes()
        total += gzip_size(data)
        if ref.endswith(".css"):  # fonts and images a stylesheet pulls in count too
            for url in re.findall(rb"url\(\s*['\"]?([^'\")]+)", data):
                if not url.startswith(b"data:"):
                    refs.append(urljoin(ref, url.decode()))
    return total


# --- the worker: one database at one stage, in its own process -------------------------------


def rotating(urls: list[str]) -> Callable[[], str]:
    """Return a function that hands out the URLs in turn, round and round."""
    state = {"i": -1}

    def next_url() -> str:
        state["i"] += 1
        return urls[state["i"] % len(urls)]

    return next_url


def affiliate_pages(slug: str, group: str) -> list[Page]:
    """Return the pages under test for one affiliate, asked for by one of its coordinators."""
    from django.test import Client

    from bench.generate import coordinator_name
    from hub.core.models import User
    from hub.partners.models import Contact, Organisation
    from hub.partnerships.models import Partnership

    client = Client()
    client.force_login(User.objects.get(username=coordinator_name(slug)))
    rng = random.Random(slug)

    def some(model: Any, path: str) -> Callable[[], str]:
        ids = list(model.objects.filter(affiliate__slug=slug).values_list("pk", flat=True))
        return rotating(
            [f"/a/{slug}/{path}/{pk}/" for pk in rng.sample(ids, min(SAMPLE, len(ids)))]
        )

    base = f"/a/{slug}/"
    return [
        Page(group, "partner list", client, rotating([f"{base}organisations/"])),
        Page(group, "organisation page", client, some(Organisation, "organisations")),
        Page(group, "contact page", client, some(Contact, "contacts")),
        Page(group, "partnership list", client, rotating([f"{base}partnerships/"])),
        Page(group, "partnership page", client, some(Partnership, "partnerships")),
        Page(group, "My work", client, rotating([base])),
        Page(group, "dashboard", client, rotating([f"{base}reports/"])),
    ]


def measure(stage: str, requests: int) -> dict[str, Any]:
    """Time the floor and every page, round-robin, on the stage's kept data (see README)."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from bench.generate import STRESS_SLUG
    from bench.urls import FLOOR_PATH
    from hub.partnerships.models import Reminder
    from hub.partnerships.todo import reminders

    settings.ROOT_URLCONF = "bench.urls"
    pages = affiliate_pages(UNDER_TEST, "realistic")
    pages.insert(
        0, Page("floor", "floor", pages[0].client, rotating([f"/a/{UNDER_TEST}/{FLOOR_PATH}"]))
    )
    if stage == "100":
        pages += affiliate_pages(STRESS_SLUG, "stress")

    if os.environ.get("BENCH_PROFILE"):
        return profile(pages, os.environ["BENCH_PROFILE"])
    for page in pages:
        for _ in range(WARM_UP):
            page.client.get(page.next_url())
    load_before = os.getloadavg()[0]
    cpu_before = cpu_reference_ms()
    timings: dict[int, list[float]] = {i: [] for i in range(len(pages))}
    html: dict[int, bytes] = {}
    # Round-robin over the pages, so that anything else the machine does slows all of them alike.
    for _ in range(requests):
        for i, page in enumerate(pages):
            url = page.next_url()
            t0 = time.perf_counter()
            response = page.client.get(url)
            timings[i].append((time.perf_counter() - t0) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            html[i] = response.content
    result: dict[str, Any] = {
        "vendor": "postgres" if connection.vendor == "postgresql" else connection.vendor,
        "stage": stage,
        # Other work on the machine shows in the figures; the load average says how much.
        "load": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "cpu_reference_ms": [cpu_before, cpu_reference_ms()],
        "pages": {},
    }
    for i, page in enumerate(pages):
        result["pages"].setdefault(page.group, {})[page.name] = {
            "p50": statistics.median(timings[i]),
            "p95": percentile(timings[i], 0.95),
            "n": len(timings[i]),
            "gzip_bytes": page_weight(html[i]),
        }
    if stage == "100":
        # Every affiliate's reminders for the day: the first run, which creates them, and a
        # second, which finds nothing new.
        today = timezone.localdate()
        t0 = time.perf_counter()
        reminders.generate_reminders(today=today)
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        reminders.generate_reminders(today=today)
        result["reminders"] = {
            "first_s": first,
            "again_s": time.perf_counter() - t0,
            "count": Reminder.objects.count(),
        }
    return result


def profile(pages: list[Page], name: str) -> dict[str, Any]:
    """Print a cProfile of 20 requests to the named page (after the warm-up) to stderr."""
    import cProfile
    import pstats

    page = next(p for p in pages if f"{p.group} {p.name}" == name)
    for _ in range(WARM_UP):
        page.client.get(page.next_url())
    urls = [page.next_url() for _ in range(20)]
    profiler = cProfile.Profile()
    profiler.runcall(lambda: [page.client.get(url) for url in urls])
    order = os.environ.get("BENCH_PROFILE_SORT", "cumulative")
    pstats.Stats(profiler, stream=sys.stderr).sort_stats(order).print_stats(40)
    return {"profile": name}


# --- the report --------------------------------------------------------------------------------


def _met(ok: bool) -> str:
    return "met" if ok else "**missed**"


def tables(runs: list[dict[str, Any]], made: list[dict[str, Any]]) -> str:
    """Return the figures as markdown tables, each target with its verdict."""
    by = {(r["vendor"], r["stage"]): r for r in runs}
    vendors = list(dict.fromkeys(r["vendor"] for r in runs))
    out = [
        "### Realistic size (affiliate a001 of 100: 1,000 partners, 100 partnerships)",
        "",
        "| database | page | p50 ms | p95 ms | × floor | target | | first load KB |",
        "|---|---|---:|---:|---:|---:|---|---:|",
    ]
    for vendor in vendors:
        run = by[(vendor, "100")]
        floor = run["pages"]["floor"]["floor"]
        out.append(
            f"| {vendor} | floor | {floor['p50']:.1f} | {floor['p95']:.1f} | 1.00 | | | "
            f"{floor['gzip_bytes'] / 1024:.1f} |"
        )
        for name, page in run["pages"]["realistic"].items():
            ratio = page["p50"] / floor["p50"]
            kb = page["gzip_bytes"] / 1024
            out.append(
                f"| {vendor} | {name} | {page['p50']:.1f} | {page['p95']:.1f} | {ratio:.2f} | "
                f"≤ {TARGETS[name]:g} | {_met(ratio <= TARGETS[name])} | "
                f"{kb:.1f}{'' if kb <= TARGET_KB else ' (over 60)'} |"
            )
    out += [
        "",
        "### Stress affiliate (100,000 partners, 10,000 partnerships), same run",
        "",
        "| database | page | p50 ms | p95 ms | × floor | ÷ realistic | target | |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for vendor in vendors:
        run = by[(vendor, "100")]
        floor = run["pages"]["floor"]["floor"]["p50"]
        for name, page in run["pages"]["stress"].items():
            growth = page["p50"] / run["pages"]["realistic"][name]["p50"]
            out.append(
                f"| {vendor} | {name} | {page['p50']:.1f} | {page['p95']:.1f} | "
                f"{page['p50'] / floor:.2f} | {growth:.2f} | ≤ {STRESS_TARGET:g} | "
                f"{_met(growth <= STRESS_TARGET)} |"
            )
    out += [
        "",
        "### Other affiliates' data: a001's pages with 10 and with 100 affiliates",
        "",
        "| database | page | × floor, 10 | × floor, 100 | 100 ÷ 10 | target | |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for vendor in vendors:
        ten, hundred = by[(vendor, "10")], by[(vendor, "100")]
        for name in TARGETS:
            before = ten["pages"]["realistic"][name]["p50"] / ten["pages"]["floor"]["floor"]["p50"]
            after = (
                hundred["pages"]["realistic"][name]["p50"]
                / hundred["pages"]["floor"]["floor"]["p50"]
            )
            out.append(
                f"| {vendor} | {name} | {before:.2f} | {after:.2f} | {after / before:.2f} | "
                f"≤ {GROWTH_ALLOWED:g} | {_met(after / before <= GROWTH_ALLOWED)} |"
            )
    out.append("")
    for run in runs:
        floor = run["pages"]["floor"]["floor"]
        out.append(
            f"- {run['vendor']}, {run['stage']} affiliates: floor {floor['p50']:.1f} ms p50, "
            f"{floor['p95']:.1f} ms p95; load average {run['load'][0]} → {run['load'][1]} "
            f"({os.cpu_count()} CPUs); CPU reference loop "
            f"{' → '.join(str(ms) for ms in run['cpu_reference_ms'])} ms"
        )
        if "reminders" in run:
            rem = run["reminders"]
            out.append(
                f"- {run['vendor']}: every affiliate's reminders for the day "
                f"{rem['first_s']:.2f} s ({rem['count']:,}; target ≤ {TARGET_REMINDERS_S:g} s: "
                f"{_met(rem['first_s'] <= TARGET_REMINDERS_S)}), again {rem['again_s']:.2f} s"
            )
    for step in made:
        extra = (
            f", of which the stress affiliate {step['stress_seconds']} s"
            if "stress_seconds" in step
            else ""
        )
        out.append(
            f"- {step['vendor']}: generating stage {step['stage']} took {step['seconds']} s"
            f"{extra} (strategic scores {step['scores_seconds']} s)"
        )
    return "\n".join(out)


def main() -> None:
    """Parse the arguments, measure each database at each stage, print and save the tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--requests", type=int, default=100, help="timed requests per page")
    parser.add_argument("--fresh", action="store_true", help="generate the data again")
    parser.add_argument("--worker", choices=["10", "100"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(measure(args.worker, args.requests)))
        return
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    runs, made = [], []
    for database in databases:
        for stage in ("10", "100"):
            print(f"… {database}, {stage} affiliates: data", file=sys.stderr, flush=True)
            source, making = prepare(database, stage, fresh=args.fresh)
            if making:
                made.append({"vendor": database, **making})
                print(f"  generated in {making['seconds']} s", file=sys.stderr, flush=True)
            print(f"… {database}, {stage} affiliates: timing", file=sys.stderr, flush=True)
            runs.append(
                run_on_copy(
                    database,
                    source,
                    __file__,
                    ["--worker", stage, "--requests", str(args.requests)],
                    db_name=f"hub_bench_run_{os.getpid()}",
                    show_stderr=bool(os.environ.get("BENCH_PROFILE")),
                )
            )
    if os.environ.get("BENCH_PROFILE"):
        return
    report = tables(runs, made)
    print(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    RESULTS.write_text(
        f"# bench/run.py {' '.join(sys.argv[1:])}  ({stamp})\n\n{report}\n\n"
        + json.dumps({"runs": runs, "generated": made}, indent=1)
        + "\n",
        encoding="utf-8",
    )
    print(f"Written to {RESULTS.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
