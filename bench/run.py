"""Benchmark the partner directory's pages at 10,000 and 100,000 organisations."""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "latest.txt"
POSTGRES_SERVER = os.environ.get("HUB_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
TARGET_MS = {10_000: 20.0, 100_000: 50.0}
TARGET_KB = 60.0
WARM_UP = 5
PAGE_GROUPS = ("organisations", "contacts")
GZIP_LEVEL = 6  # what a web server typically uses on the fly


@dataclass
class Page:
    """One page under test: a name, and a way to produce the next URL to fetch."""

    name: str
    next_url: Callable[[], str]


def percentile(values: list[float], share: float) -> float:
    """Return the value below which the given share of the sorted values lies (nearest rank)."""
    ordered = sorted(values)
    rank = max(1, round(share * len(ordered)))
    return ordered[rank - 1]


def cpu_reference_ms() -> float:
    """Time a fixed pure-Python loop (best of three, ms): how fast this machine is just now.

    A rough gauge only (the pages' speed did not always follow it, see bench/README.md):
    shared machines change speed from minute to minute, so the benchmarks print it before and
    after timing, beside their figures.
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


def page_weight(html: bytes) -> tuple[int, list[str]]:
    """Return the compressed bytes of a page with the CSS and JS it references, and the assets."""
    from django.conf import settings
    from django.contrib.staticfiles import finders

    total = gzip_size(html)
    assets = []
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
        assets.append(ref)
        if ref.endswith(".css"):  # fonts and images a stylesheet pulls in count too
            for url in re.findall(rb"url\(\s*['\"]?([^'\")]+)", data):
                if not url.startswith(b"data:"):
                    refs.append(urljoin(ref, url.decode()))
    return total, assets


# --- the worker: one database at one size, in its own process --------------------------------


def measure(size: int, requests: int, groups: list[str]) -> dict[str, Any]:
    """Load size organisations with generate_demo, then time each group's pages in-process."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from hub.core.models import Affiliate, Membership, User
    from hub.partners.models import Contact, Organisation

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("generate_demo", organisations=size, stdout=io.StringIO())
    if connection.vendor == "postgresql":
        # What autovacuum does within minutes of a bulk load: without the visibility map, a
        # count cannot be answered from an index alone.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    load_seconds = time.perf_counter() - started
    affiliate = Affiliate.objects.get(slug="generated")
    user = User.objects.create_user(username="bench")  # force_login: no password
    Membership.objects.create(user=user, affiliate=affiliate, role="member")
    client = Client()
    client.force_login(user)

    base = f"/a/{affiliate.slug}/organisations/"
    contacts = f"/a/{affiliate.slug}/contacts/"
    ids = list(
        Organisation.objects.filter(affiliate=affiliate)
        .order_by("?")
        .values_list("pk", flat=True)[:500]
    )
    email = (
        Contact.objects.filter(affiliate=affiliate, organisation_id=ids[0]).values_list(
            "emails", flat=True
        )[0]
        or ""
    )
    # "amina.example.4711@example.org" -> "example.4711@": a fragment that finds one partner
    # (and its one contact with that last name).
    email_fragment = email.split(".", 1)[1].split("@")[0] + "@"

    def rotating(urls: list[str]) -> Callable[[], str]:
        state = {"i": 0}

        def next_url() -> str:
            state["i"] += 1
            return urls[state["i"] % len(urls)]

        return next_url

    pages = []
    if "organisations" in groups:
        pages += [
            Page("list, first page", rotating([base])),
            Page(
                "list, type+country filter",
                rotating([f"{base}?type=museum&country=SE&sort=name"]),
            ),
            Page("detail", rotating([f"{base}{pk}/" for pk in ids])),
            Page("search, two words", rotating([f"{base}?q=krakow+museum"])),
            Page("search, e-mail fragment", rotating([f"{base}?q={email_fragment}"])),
        ]
    if "contacts" in groups:
        pages += [
            Page("contacts, first page", rotating([contacts])),
            Page("contacts, search two words", rotating([f"{contacts}?q=zofia+krakow"])),
            Page("contacts, e-mail fragment", rotating([f"{contacts}?q={email_fragment}"])),
        ]
    results: dict[str, Any] = {
        "vendor": connection.vendor,
        "size": size,
        "load_seconds": round(load_seconds, 1),
        "pages": {},
    }
    for page in pages:
        for _ in range(WARM_UP):
            client.get(page.next_url())
    load_before = os.getloadavg()[0]
    timings: dict[str, list[float]] = {page.name: [] for page in pages}
    html: dict[str, bytes] = {}
    # Round-robin over the pages, so that anything else the machine does slows all of them alike.
    for _ in range(requests):
        for page in pages:
            url = page.next_url()
            t0 = time.perf_counter()
            response = client.get(url)
            timings[page.name].append((time.perf_counter() - t0) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            html[page.name] = response.content
    # Other work on the machine shows in the figures; the load average says how much there was.
    results["load"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    for page in pages:
        weight, assets = page_weight(html[page.name])
        body = html[page.name]
        results["pages"][page.name] = {
            "p50": statistics.median(timings[page.name]),
            "p95": percentile(timings[page.name], 0.95),
            "n": len(timings[page.name]),
            "gzip_bytes": weight,
            "html_bytes": len(body),
            "assets": assets,
            "rows": body.count(b"<tr>") - 1 if b"<tbody>" in body else 0,
        }
    # Not a target, but what a coordinator waits for: every organisation, once per format.
    results["exports"] = {}
    for fmt in ("csv", "xlsx") if "organisations" in groups else ():
        t0 = time.perf_counter()
        response = client.get(f"/a/{affiliate.slug}/organisations/export/?format={fmt}")
        results["exports"][fmt] = {
            "seconds": time.perf_counter() - t0,
            "bytes": len(response.content),
            "status": response.status_code,
        }
    return results


# --- the driver --------------------------------------------------------------------------------


def run_fresh(
    database: str,
    script: str,
    arguments: list[str],
    *,
    db_name: str,
    show_stderr: bool = False,
) -> dict[str, Any]:
    """Run ``script --worker arguments`` in a fresh process against a fresh database.

    ``database``: "sqlite" (a file in a temporary directory) or "postgres" (``db_name``,
    created on POSTGRES_SERVER and dropped afterwards). Return the JSON of the worker's last
    line of output. ``show_stderr``: let the worker's stderr through (a profile, say);
    otherwise it is shown only when the worker fails.
    """
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            # Not DEBUG (which would record every query); plain static storage, no manifest.
            "HUB_DEBUG": "0",
            "HUB_TESTING": "1",
            "HUB_SECRET_KEY": "bench-" + uuid.uuid4().hex,
            "HUB_LOG_LEVEL": "ERROR",
            "HUB_ALLOWED_HOSTS": "testserver",
        }
    )
    env.pop("HUB_DATABASE_URL", None)
    env.pop("HUB_SQLITE_PATH", None)
    with tempfile.TemporaryDirectory(prefix="hub-bench-") as tmp:
        env["HUB_DATA_DIR"] = tmp
        created = ""
        if database == "sqlite":
            env["HUB_SQLITE_PATH"] = str(Path(tmp) / "bench.sqlite3")
        else:
            created = db_name
            _postgres(f'CREATE DATABASE "{created}"')
            env["HUB_DATABASE_URL"] = f"{POSTGRES_SERVER}/{created}"
        try:
            out = subprocess.run(  # noqa: S603
                [sys.executable, script, "--worker", *arguments],
                env=env,
                cwd=ROOT,
                check=True,
                stdout=subprocess.PIPE,
                stderr=None if show_stderr else subprocess.PIPE,
                text=True,
            )
        except subprocess.CalledProcessError as error:
            sys.stderr.write(error.stdout + (error.stderr or ""))
            raise
        finally:
            if created:
                _postgres(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def run_worker(database: str, size: int, requests: int, groups: list[str]) -> dict[str, Any]:
    """Run measure() in a fresh process against a fresh database, and return its figures."""
    return run_fresh(
        database,
        __file__,
        [str(size), "--requests", str(requests), "--pages", ",".join(groups)],
        db_name=f"hub_bench_{os.getpid()}_{size}",
    )


def _postgres(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql.encode())


def table(results: list[dict[str, Any]]) -> str:
    """Return the figures as a plain-text table, with each target's verdict."""
    lines = [
        f"{'database':<10} {'orgs':>7}  {'page':<27} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'target':>7}  {'gzip KB':>7}  rows",
    ]
    for result in results:
        target = TARGET_MS[10_000] if result["size"] <= 10_000 else TARGET_MS[100_000]
        for name, page in result["pages"].items():
            ok = "ok" if page["p50"] <= target else "MISS"
            kb = page["gzip_bytes"] / 1024
            lines.append(
                f"{result['vendor']:<10} {result['size']:>7}  {name:<27} {page['p50']:>7.1f} "
                f"{page['p95']:>7.1f} {ok:>7}  {kb:>6.1f}{'' if kb <= TARGET_KB else '!'}  "
                f"{page['rows']}"
            )
    for result in results:
        before, after = result.get("load", ["?", "?"])
        lines.append(
            f"{result['vendor']:<10} {result['size']:>7}  load average while timing: "
            f"{before} -> {after} ({os.cpu_count()} CPUs)"
        )
    for result in results:
        for fmt, export in result.get("exports", {}).items():
            lines.append(
                f"{result['vendor']:<10} {result['size']:>7}  export {fmt.upper()} of every "
                f"organisation: {export['seconds']:.1f} s, {export['bytes'] / 1e6:.1f} MB"
            )
    lines.append(
        f"p50 target: {', '.join(f'{ms:g} ms at {n:,}' for n, ms in TARGET_MS.items())}; "
        f"first load (HTML + CSS + JS, gzip -{GZIP_LEVEL}) <= {TARGET_KB:g} KB."
    )
    return "\n".join(lines)


def main() -> None:
    """Parse the arguments, measure each database at each size, print and save the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--sizes", default="10000,100000", help="organisation counts, comma-separated"
    )
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--requests", type=int, default=100, help="timed requests per page (at least 50)"
    )
    parser.add_argument(
        "--pages",
        default=",".join(PAGE_GROUPS),
        help=f"page groups to time, comma-separated: {', '.join(PAGE_GROUPS)} (default both)",
    )
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    groups = [g.strip() for g in args.pages.split(",") if g.strip()]
    if not groups or set(groups) - set(PAGE_GROUPS):
        parser.error(f"--pages takes {', '.join(PAGE_GROUPS)}")
    if args.worker:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(measure(args.worker, args.requests, groups)))
        return
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    results = []
    for database in databases:
        for size in sizes:
            print(f"… {database}, {size:,} organisations", file=sys.stderr, flush=True)
            result = run_worker(database, size, args.requests, groups)
            print(f"  loaded in {result['load_seconds']} s", file=sys.stderr, flush=True)
            results.append(result)
    report = table(results)
    print(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    RESULTS.write_text(
        f"# bench/run.py --sizes {args.sizes} --database {args.database} "
        f"--requests {args.requests} --pages {','.join(groups)}  ({stamp})\n{report}\n\n"
        + json.dumps(results, indent=1)
        + "\n",
        encoding="utf-8",
    )
    print(f"Written to {RESULTS.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
