"""Benchmark `manage.py backup` and a verified `manage.py restore` of a big Hub.

Run: .venv/bin/python bench/backup.py [--database sqlite|postgres|both] [--dumpdata]

For each database, in a fresh process and a fresh database: the stress affiliate of
bench/generate.py (100,000 organisations with 300,000 contacts and 200,000 interactions,
10,000 partnerships, 100,000 activities) and 100 documents of 100 KB in the media folder; then a
backup (hub.core.backup, what the command runs) and a restore into an empty database with its
verification against the manifest (hub.core.restore). Target: each within 60 s. ``--dumpdata``
also times Django's `dumpdata` of the same data, for comparison (it is not used for backups).
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_data import POSTGRES_SERVER, postgres, run_fresh  # noqa: E402
from bench.run import cpu_reference_ms  # noqa: E402

TARGET_S = 60.0
DOCUMENTS = 100
DOCUMENT_BYTES = 100 * 1024


def measure(with_dumpdata: bool) -> dict[str, Any]:
    """In the worker: generate the data, back it up, restore it into a new database, verify."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench import generate
    from hub.core import dbdump
    from hub.core.backup import create_backup, default_database, file_folders
    from hub.core.restore import restore_backup

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    generate.generate_stress()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "VACUUM (ANALYZE)")
    folders = file_folders()
    documents = folders["media"] / "partnership-documents" / "2026" / "11"
    documents.mkdir(parents=True, exist_ok=True)
    for n in range(DOCUMENTS):
        (documents / f"agreement-{n:03d}.pdf").write_bytes(os.urandom(DOCUMENT_BYTES))
    connection.close()
    result: dict[str, Any] = {"generate_s": round(time.perf_counter() - t0, 1)}

    with tempfile.TemporaryDirectory(prefix="hub-bench-backup-") as tmp:
        archive = Path(tmp) / "hub-backup.tar"
        made = create_backup(archive, database=default_database(), folders=folders)
        result |= {
            "backup_s": round(made.seconds, 1),
            "archive_mb": round(made.size / 1_000_000, 1),
            "rows": made.rows,
            "files": made.files,
        }
        restored_folders = {key: Path(tmp) / "restored" / key for key in folders}
        if connection.vendor == "sqlite":
            target = dbdump.Database(vendor="sqlite", name=str(Path(tmp) / "restored.sqlite3"))
            report = restore_backup(archive, database=target, folders=restored_folders)
        else:
            name = f"hub_bench_restore_{os.getpid()}"
            postgres(f'CREATE DATABASE "{name}"')
            try:
                target = dataclasses.replace(default_database(), name=name)
                report = restore_backup(archive, database=target, folders=restored_folders)
            finally:
                postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        result["restore_s"] = round(report.seconds, 1)
        result["restore_phases"] = {k: round(v, 1) for k, v in report.phases.items()}
    if with_dumpdata:
        t0 = time.perf_counter()
        out = io.StringIO()
        call_command("dumpdata", stdout=out, verbosity=0)
        result["dumpdata_s"] = round(time.perf_counter() - t0, 1)
        result["dumpdata_mb"] = round(len(out.getvalue().encode()) / 1_000_000, 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--dumpdata", action="store_true", help="also time Django's dumpdata")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(measure(args.dumpdata)))
        return
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    print(f"CPU reference: {cpu_reference_ms():.0f} ms  (PostgreSQL at {POSTGRES_SERVER})")
    print(
        f"{'database':<11}{'rows':>9}{'files':>7}{'generate':>10}{'backup':>8}{'archive':>10}"
        f"{'restore+verify':>16}{'target':>8}{'dumpdata':>10}"
    )
    for database in databases:
        extra = ["--dumpdata"] if args.dumpdata else []
        r = run_fresh(database, __file__, extra, db_name=f"hub_bench_backup_{os.getpid()}")
        dumpdata = f"{r['dumpdata_s']:.1f}s" if "dumpdata_s" in r else "-"
        print(
            f"{database:<11}{r['rows']:>9,}{r['files']:>7}{r['generate_s']:>9.1f}s"
            f"{r['backup_s']:>7.1f}s{r['archive_mb']:>7.1f} MB{r['restore_s']:>15.1f}s"
            f"{TARGET_S:>7.0f}s{dumpdata:>10}",
            flush=True,
        )
        print(
            f"{'':<11}restore: "
            + ", ".join(f"{k} {v:.1f}s" for k, v in r["restore_phases"].items())
        )
    print(f"CPU reference: {cpu_reference_ms():.0f} ms")


if __name__ == "__main__":
    main()
