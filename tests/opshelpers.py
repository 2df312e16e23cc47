"""Run the Hub's commands as an operator would, in fresh processes on scratch databases.

The operations tests (backup and restore, Litestream, the production smoke test) never touch
the test database: each makes its own SQLite file or PostgreSQL database and removes it.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
SCRATCH_PREFIX = "hub_ops_backup_scratch_"


def on_postgres() -> bool:
    """Return whether this test run is the PostgreSQL one."""
    return bool(settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql")


def server_url() -> str:
    """Return the PostgreSQL server the test run uses, without a database name."""
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"


def postgres_admin(sql: str) -> None:
    """Run one statement on the test run's PostgreSQL server, outside any database of Django."""
    with psycopg.connect(f"{server_url()}/postgres", autocommit=True) as conn:
        conn.execute(sql.encode())


@contextmanager
def scratch_postgres() -> Iterator[str]:
    """Create an empty scratch database; yield its URL; drop it afterwards."""
    name = SCRATCH_PREFIX + secrets.token_hex(4)
    postgres_admin(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server_url()}/{name}"
    finally:
        postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def hub_env(data_dir: Path, database_url: str = "", **extra: str) -> dict[str, str]:
    """Return an environment for manage.py on its own data folder (and database, if given)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUB_", "DJANGO_"))}
    env.update({"HUB_DATA_DIR": str(data_dir), "HUB_LOG_LEVEL": "WARNING"})
    if database_url:
        env["HUB_DATABASE_URL"] = database_url
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run manage.py with the arguments in a fresh process; fail with its output if it fails."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def table_rows(vendor: str, name: str) -> dict[str, list[str]]:
    """Return every row of every table of a database, as sorted text, to compare two copies."""
    rows: dict[str, list[str]] = {}
    if vendor == "sqlite":
        import sqlite3

        conn: Any = sqlite3.connect(name)
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        for table in tables:
            found = conn.execute(f'SELECT * FROM "{table}"').fetchall()  # noqa: S608
            rows[table] = sorted(repr(r) for r in found)
        conn.close()
        return rows
    with psycopg.connect(name) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            )
        ]
        for table in tables:
            found = conn.execute(f'SELECT * FROM "{table}"'.encode()).fetchall()  # noqa: S608
            rows[table] = sorted(repr(r) for r in found)
    return rows
