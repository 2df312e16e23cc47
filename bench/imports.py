"""Benchmark a spreadsheet import: reading, the dry run, applying, and web writes waiting behind it.

Run: .venv/bin/python bench/imports.py [--sizes 10000,100000] [--database sqlite|postgres|both]

For each database and size, in a fresh process and a fresh database: a CSV of realistic rows
(organisations with a country, city, website, type and tags, most with a contact person; the
shapes of shared/fixtures/crm-import) is read, judged (the dry run the preview shows) and
applied. While the smallest size is applied, another connection makes a web-like write (a
change to an organisation through its service) every 50 ms; the longest it waited is printed.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_data import run_fresh  # noqa: E402
from bench.run import cpu_reference_ms  # noqa: E402

TARGETS = {10_000: 8.0, 100_000: 60.0}  # seconds to apply
WEB_WRITE_EVERY = 0.05  # seconds between two web-like writes during the apply

FIRST = ["Anna", "Kofi", "Zofia", "José", "Ingrid", "Amara", "Li", "Oksana", "Mateo", "Aroha"]
LAST = ["Nowak", "Mensah", "García", "Kowalska", "Haugen", "Diallo", "Chen", "Shevchenko"]
KINDS = ["Museum", "Library", "Archive", "University", "NGO", "School", "Gallery", "Media"]
PLACES = [
    ("Kraków", "Poland"),
    ("Accra", "Ghana"),
    ("Lima", "Peru"),
    ("Oslo", "Norway"),
    ("Lyon", "France"),
    ("Kyiv", "Ukraine"),
    ("Quito", "Ecuador"),
    ("Pune", "India"),
]


def rows_csv(size: int, seed: int = 7) -> bytes:
    """Return a CSV of `size` rows: new organisations, four in five with a contact person."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "Organisation",
            "Type",
            "Country",
            "City",
            "Website",
            "Tags",
            "First name",
            "Last name",
            "Email",
            "Phone",
            "Role",
            "Date of consent",
        ]  # fmt: skip
    )
    for n in range(size):
        kind = rng.choice(KINDS)
        city, country = rng.choice(PLACES)
        name = f"{city} {kind} {n}"
        slug = f"{kind.lower()}{n}"
        contact = ["", "", "", "", "", ""]
        if rng.random() < 0.8:
            first, last = rng.choice(FIRST), rng.choice(LAST)
            contact = [
                first,
                last,
                f"{first.lower().replace('é', 'e')}.{n}@{slug}.example",
                f"+48 12 {rng.randint(100000, 999999)}",
                rng.choice(["Curator", "Librarian", "Director", "Volunteer"]),
                f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            ]
        writer.writerow([name, kind, country, city, f"www.{slug}.example", "glam, 2026", *contact])
    return out.getvalue().encode()


def measure(size: int, contention: bool) -> dict[str, Any]:
    """Import `size` rows into an empty affiliate; return the timings (in the worker)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from hub.core.models import Affiliate
    from hub.partners import imports, services
    from hub.partners.models import Contact, Organisation

    affiliate = Affiliate.objects.create(name="Bench", slug="bench", country="PL")
    other = services.create_organisation(actor=None, affiliate=affiliate, name="Web partner")
    data = rows_csv(size)
    limits = imports.Limits.from_settings()
    started = time.perf_counter()
    table = imports.read_bytes(data, "bench.csv", limits)
    read_s = time.perf_counter() - started
    mapping = imports.guess_mapping(table.headers)
    started = time.perf_counter()
    plan = imports.plan_import(table=table, mapping=mapping, affiliate=affiliate)
    plan_s = time.perf_counter() - started
    assert plan.is_valid, plan.rejected[:3]

    waits: list[float] = []
    stop = Path(os.environ["HUB_DATA_DIR"]) / "stop-web-writes"
    writer = None
    if contention:
        # Another web worker: its own process and connection, writing every 50 ms.
        writer = subprocess.Popen(  # noqa: S603 - this script, with a fixed argument
            [sys.executable, __file__, "--web-writer", str(other.pk)],
            stdout=subprocess.PIPE,
            text=True,
        )
        time.sleep(3)  # its start-up
    started = time.perf_counter()
    counts = imports.apply_import(actor=None, affiliate=affiliate, table=table, mapping=mapping)
    apply_s = time.perf_counter() - started
    if writer:
        time.sleep(0.3)
        stop.touch()
        waits = json.loads(writer.communicate()[0].strip().splitlines()[-1])
    assert counts.rows == size
    return {
        "database": connection.vendor,
        "size": size,
        "read_s": round(read_s, 2),
        "dry_run_s": round(plan_s, 2),
        "apply_s": round(apply_s, 2),
        "organisations": Organisation.objects.count() - 1,
        "contacts": Contact.objects.count(),
        "web_writes": len(waits),
        "longest_web_write_s": None if not waits else "failed" if -1 in waits else max(waits),
    }


def web_writes(organisation_id: int) -> None:
    """Change an organisation every 50 ms until told to stop; print how long each write took."""
    import django

    django.setup()
    from django.db import DatabaseError

    from hub.partners import services
    from hub.partners.models import Organisation

    organisation = Organisation.objects.get(pk=organisation_id)
    stop = Path(os.environ["HUB_DATA_DIR"]) / "stop-web-writes"
    waits, n = [], 0
    while not stop.exists():
        n += 1
        started = time.perf_counter()
        try:
            services.update_organisation(actor=None, organisation=organisation, city=f"City {n}")
        except DatabaseError:  # SQLite gave up waiting (its busy timeout): a failed request
            waits.append(-1.0)
            break
        waits.append(round(time.perf_counter() - started, 3))
        time.sleep(WEB_WRITE_EVERY)
    print(json.dumps(waits))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--contention", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--web-writer", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.web_writer:
        web_writes(args.web_writer)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.worker:
        print(json.dumps(measure(sizes[0], args.contention)))
        return
    os.environ["HUB_IMPORT_MAX_ROWS"] = str(max(sizes))
    os.environ["HUB_IMPORT_MAX_BYTES"] = str(200 * 1024 * 1024)
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    print(f"CPU reference: {cpu_reference_ms():.0f} ms")
    print(
        f"{'database':<11}{'rows':>8}{'read':>8}{'dry run':>9}{'apply':>8}{'target':>8}"
        f"{'longest web write':>19}"
    )
    for database in databases:
        for size in sizes:
            extra = ["--contention"] if size == min(sizes) else []
            result = run_fresh(
                database,
                __file__,
                [*extra, "--sizes", str(size)],
                db_name=f"hub_bench_imports_{os.getpid()}_{size}",
            )
            wait = result["longest_web_write_s"]
            print(
                f"{database:<11}{size:>8,}{result['read_s']:>7.1f}s{result['dry_run_s']:>8.1f}s"
                f"{result['apply_s']:>7.1f}s{TARGETS.get(size, 0):>7.0f}s"
                f"{'' if wait is None else wait if isinstance(wait, str) else f'{wait:.2f}s':>19}",
                flush=True,
            )
    print(f"CPU reference: {cpu_reference_ms():.0f} ms")


if __name__ == "__main__":
    main()
