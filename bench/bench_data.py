"""The benchmarks' databases: fresh ones, and the generated data kept between runs.

A benchmark's worker runs in a fresh process against a database of its own (``run_fresh``:
an empty one; ``run_on_copy``: a copy of the generated data). The generated data is made once
per generator version and schema (``data_key``) and kept: on SQLite as a file under
``var/bench-cache/``, on PostgreSQL as a template database ``hub_bench_tpl_<key>_<stage>``
that each run copies with ``CREATE DATABASE … TEMPLATE``. Two stages: ``10`` (affiliates
a001–a010) and ``100`` (the same, then a011–a100 and the stress affiliate).

``python bench/bench_data.py --generate STAGE`` is the generating worker (run by ``prepare``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_SERVER = os.environ.get("HUB_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
CACHE_DIR = ROOT / "var" / "bench-cache"
TEMPLATE_PREFIX = "hub_bench_tpl_"
STAGES = {"10": 10, "100": 100}  # stage -> realistic affiliates in it


def data_key() -> str:
    """Return a short hash of what the generated data depends on: the generator and schema."""
    digest = hashlib.sha256((ROOT / "bench" / "generate.py").read_bytes())
    for path in sorted(ROOT.glob("hub/*/migrations/*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:10]


def postgres(sql: str, database: str = "postgres") -> list[tuple[Any, ...]]:
    """Run one statement on the bench's PostgreSQL server; return its rows, if any."""
    import psycopg

    with psycopg.connect(f"{POSTGRES_SERVER}/{database}", autocommit=True) as conn:
        cursor = conn.execute(sql.encode())
        return cursor.fetchall() if cursor.description else []


def _env(tmp: str, database: str, name: str) -> dict[str, str]:
    """Return the environment of a worker on the given SQLite file or PostgreSQL database."""
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
            "HUB_DATA_DIR": tmp,
        }
    )
    env.pop("HUB_DATABASE_URL", None)
    env.pop("HUB_SQLITE_PATH", None)
    if database == "sqlite":
        env["HUB_SQLITE_PATH"] = name
    else:
        env["HUB_DATABASE_URL"] = f"{POSTGRES_SERVER}/{name}"
    return env


def _run(script: str, arguments: list[str], env: dict[str, str], show_stderr: bool) -> Any:
    """Run ``script arguments`` and return the JSON of its last line of output."""
    try:
        out = subprocess.run(  # noqa: S603
            [sys.executable, script, *arguments],
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
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_fresh(
    database: str,
    script: str,
    arguments: list[str],
    *,
    db_name: str,
    show_stderr: bool = False,
) -> dict[str, Any]:
    """Run ``script --worker arguments`` in a fresh process against an empty database.

    ``database``: "sqlite" (a file in a temporary directory) or "postgres" (``db_name``,
    created on POSTGRES_SERVER and dropped afterwards). Return the JSON of the worker's last
    line of output. ``show_stderr``: let the worker's stderr through (a profile, say);
    otherwise it is shown only when the worker fails.
    """
    return run_on_copy(
        database, "", script, ["--worker", *arguments], db_name=db_name, show_stderr=show_stderr
    )


def run_on_copy(
    database: str,
    source: str,
    script: str,
    arguments: list[str],
    *,
    db_name: str,
    show_stderr: bool = False,
) -> dict[str, Any]:
    """Run ``script arguments`` against a throw-away copy of ``source`` (empty if "").

    ``source`` is a SQLite file or a PostgreSQL template database, as ``prepare`` returns.
    """
    with tempfile.TemporaryDirectory(prefix="hub-bench-") as tmp:
        if database == "sqlite":
            name = str(Path(tmp) / "bench.sqlite3")
            if source:
                shutil.copyfile(source, name)
            return _run(script, arguments, _env(tmp, database, name), show_stderr)  # type: ignore[no-any-return]
        template = f' TEMPLATE "{source}"' if source else ""
        postgres(f'CREATE DATABASE "{db_name}"{template}')
        try:
            return _run(script, arguments, _env(tmp, database, db_name), show_stderr)  # type: ignore[no-any-return]
        finally:
            postgres(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


def prepare(database: str, stage: str, *, fresh: bool = False) -> tuple[str, dict[str, Any]]:
    """Return the kept data of a stage (a SQLite file or a template database), making it if
    missing, and what making it took ({} if it was kept from an earlier run).

    The stage is built under a temporary name and renamed when complete, so an interrupted
    run leaves nothing that looks ready; data of other generator versions is removed.
    """
    key = data_key()
    earlier = {"10": "", "100": "10"}[stage]
    if database == "sqlite":
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        for old in CACHE_DIR.glob("hub-bench-*.sqlite3"):
            if key not in old.name:
                old.unlink()
        kept = CACHE_DIR / f"hub-bench-{key}-{stage}.sqlite3"
        if kept.exists() and not fresh:
            return str(kept), {}
        building = kept.with_suffix(".building")
        if earlier:
            shutil.copyfile(prepare(database, earlier, fresh=fresh)[0], building)
        else:
            building.unlink(missing_ok=True)
        with tempfile.TemporaryDirectory(prefix="hub-bench-") as tmp:
            made = _run(__file__, ["--generate", stage], _env(tmp, database, str(building)), False)
        building.rename(kept)
        for leftover in ("-wal", "-shm"):  # emptied by the worker's checkpoint
            building.with_name(building.name + leftover).unlink(missing_ok=True)
        return str(kept), made
    names = {row[0] for row in postgres("SELECT datname FROM pg_database")}
    for old in names:
        if old.startswith(TEMPLATE_PREFIX) and key not in old:
            postgres(f'DROP DATABASE "{old}" WITH (FORCE)')
    kept_db = f"{TEMPLATE_PREFIX}{key}_{stage}"
    if kept_db in names and not fresh:
        return kept_db, {}
    building_db = f"{kept_db}_building"
    postgres(f'DROP DATABASE IF EXISTS "{building_db}" WITH (FORCE)')
    postgres(f'DROP DATABASE IF EXISTS "{kept_db}" WITH (FORCE)')
    template = f' TEMPLATE "{prepare(database, earlier, fresh=fresh)[0]}"' if earlier else ""
    postgres(f'CREATE DATABASE "{building_db}"{template}')
    with tempfile.TemporaryDirectory(prefix="hub-bench-") as tmp:
        made = _run(__file__, ["--generate", stage], _env(tmp, database, building_db), False)
    postgres(f'ALTER DATABASE "{building_db}" RENAME TO "{kept_db}"')
    return kept_db, made


def generate_stage(stage: str) -> dict[str, Any]:
    """In the worker: add the stage's affiliates to the configured database, then the
    strategic scores and the planner's statistics; return how long each part took."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench import generate
    from hub.partnerships import scoring

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    if stage == "10":
        generate.generate(1, STAGES["10"])
    else:
        generate.generate(STAGES["10"] + 1, STAGES["100"])
        t0 = time.perf_counter()
        generate.generate_stress()
        stress_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    scoring.refresh_scores()
    scores_seconds = time.perf_counter() - t0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # What autovacuum does within minutes of a bulk load: without the visibility map,
            # a count cannot be answered from an index alone.
            cursor.execute("VACUUM (ANALYZE)")
        else:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    made = {
        "stage": stage,
        "seconds": round(time.perf_counter() - started, 1),
        "scores_seconds": round(scores_seconds, 2),
    }
    if stage == "100":
        made["stress_seconds"] = round(stress_seconds, 1)
    return made


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--generate", choices=list(STAGES), required=True)
    print(json.dumps(generate_stage(parser.parse_args().generate)))


def save_report(path: Path, script: str, report: str, results: Any) -> None:
    """Write a bench's printed table and its raw figures to bench/results/, with the command."""
    import time

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"# bench/{Path(script).name} {' '.join(sys.argv[1:])} "
        f"({time.strftime('%Y-%m-%d %H:%M:%S')})\n{report}\n\n"
        + json.dumps(results, indent=1)
        + "\n",
        encoding="utf-8",
    )


def measure_and_report(
    database: str,
    script: str,
    arguments: list[str],
    *,
    name: str,
    table: Callable[[list[dict[str, Any]]], str],
    results_path: Path,
) -> None:
    """Measure each database asked for ("both": SQLite, then PostgreSQL) in a fresh worker
    (``run_fresh``), then print the table and save it with the raw figures. With BENCH_PROFILE
    set, the workers print their profile instead and nothing is tabled."""
    databases = ["sqlite", "postgres"] if database == "both" else [database]
    profiling = bool(os.environ.get("BENCH_PROFILE") or os.environ.get("BENCH_QUERIES"))
    results = []
    for each in databases:
        print(f"… {each}", file=sys.stderr, flush=True)
        results.append(
            run_fresh(
                each,
                script,
                arguments,
                db_name=f"hub_bench_{name}_{os.getpid()}",
                show_stderr=profiling,
            )
        )
    if profiling:
        return
    report = table(results)
    print(report)
    save_report(results_path, script, report, results)
