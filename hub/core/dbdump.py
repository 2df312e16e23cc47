"""Dump and load a whole database for backups: SQLite by its online backup API, PostgreSQL by
pg_dump and pg_restore. Each works on a database named by settings, never on Django's own
connection, so a backup can be restored into another (scratch) database than the one serving.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
VENDORS = {
    "django.db.backends.sqlite3": SQLITE,
    "django.db.backends.postgresql": POSTGRESQL,
}
# The database member of a backup, per vendor: a compressed copy of the SQLite file, or
# pg_dump's custom format (compressed by pg_dump itself).
DUMP_NAMES = {SQLITE: "database/hub.sqlite3.gz", POSTGRESQL: "database/hub.pgdump"}
COPY_CHUNK = 1024 * 1024


class DatabaseDumpError(Exception):
    """A dump or a load failed; the message says why in words an operator understands."""


@dataclass(frozen=True)
class Database:
    """Where a database is: its vendor, and its file (SQLite) or server and name (PostgreSQL)."""

    vendor: str
    name: str
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""

    @classmethod
    def from_settings(cls, settings_dict: Mapping[str, Any]) -> Database:
        """Return the database an entry of settings.DATABASES names."""
        engine = settings_dict["ENGINE"]
        if engine not in VENDORS:
            raise DatabaseDumpError(f"Backups support SQLite and PostgreSQL, not {engine}.")
        return cls(
            vendor=VENDORS[engine],
            name=str(settings_dict["NAME"]),
            host=str(settings_dict.get("HOST") or ""),
            port=str(settings_dict.get("PORT") or ""),
            user=str(settings_dict.get("USER") or ""),
            password=str(settings_dict.get("PASSWORD") or ""),
        )

    def libpq_env(self) -> dict[str, str]:
        """Return the environment that points pg_dump, pg_restore and psycopg at this database."""
        env = dict(os.environ)
        for key, value in (
            ("PGHOST", self.host),
            ("PGPORT", self.port),
            ("PGUSER", self.user),
            ("PGPASSWORD", self.password),
            ("PGDATABASE", self.name),
        ):
            if value:
                env[key] = value
            else:
                env.pop(key, None)
        return env

    def describe(self, *, first: bool = False) -> str:
        """Return the database's name for messages (never its password); ``first``: to start
        a sentence with."""
        if self.vendor == SQLITE:
            text = f"the SQLite file {self.name}"
        else:
            text = f"the PostgreSQL database {self.name!r} on {self.host or 'localhost'}"
        return text[0].upper() + text[1:] if first else text


@dataclass
class Snapshot:
    """What a dump holds: its applied migrations and its row count per table."""

    migrations: list[tuple[str, str]]
    tables: dict[str, int]
    server_version: str


@contextmanager
def _postgres(database: Database) -> Iterator[Any]:
    import psycopg

    kwargs: dict[str, Any] = {
        key: value
        for key, value in (
            ("host", database.host),
            ("port", database.port),
            ("user", database.user),
            ("password", database.password),
        )
        if value
    }
    with psycopg.connect(dbname=database.name, autocommit=True, **kwargs) as conn:
        yield conn


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _count(cursor: Any, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 - a quoted name
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _migrations(cursor: Any, tables: list[str]) -> list[tuple[str, str]]:
    if "django_migrations" not in tables:
        return []
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [(str(app), str(name)) for app, name in cursor.fetchall()]


# --- SQLite ------------------------------------------------------------------------------------


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    return [str(row[0]) for row in rows]


def _sqlite_snapshot(path: Path) -> Snapshot:
    conn = sqlite3.connect(path)
    try:
        cursor = conn.cursor()
        tables = _sqlite_tables(conn)
        return Snapshot(_migrations(cursor, tables), _count(cursor, tables), sqlite3.sqlite_version)
    finally:
        conn.close()


def dump_sqlite(database: Database, dest: Path) -> Snapshot:
    """Copy the database through SQLite's online backup API (one consistent snapshot, while
    the Hub keeps writing in WAL mode), count its rows and write it to dest compressed."""
    if not Path(database.name).is_file():
        raise DatabaseDumpError(
            f"There is no database to back up: {database.describe()} is missing."
        )
    copy = dest.with_name(dest.name + ".copy")
    source = sqlite3.connect(database.name, timeout=20)
    target = sqlite3.connect(copy)
    try:
        source.backup(target)  # all pages in one step: one read transaction, one snapshot
        target.execute("PRAGMA journal_mode=DELETE")  # the copy stands alone, no -wal beside it
    except sqlite3.Error as error:
        raise DatabaseDumpError(f"Could not copy {database.describe()}: {error}") from error
    finally:
        target.close()
        source.close()
    try:
        snapshot = _sqlite_snapshot(copy)
        with copy.open("rb") as raw, gzip.open(dest, "wb", compresslevel=1) as packed:
            shutil.copyfileobj(raw, packed, COPY_CHUNK)
    finally:
        copy.unlink(missing_ok=True)
    return snapshot


def sqlite_is_empty(database: Database) -> bool:
    """Return whether the SQLite file is missing or holds no table."""
    path = Path(database.name)
    if not path.exists() or path.stat().st_size == 0:
        return True
    conn = sqlite3.connect(path, timeout=20)
    try:
        return not _sqlite_tables(conn)
    except sqlite3.DatabaseError as error:
        raise DatabaseDumpError(
            f"{database.describe(first=True)} is not a usable database: {error}"
        ) from error
    finally:
        conn.close()


def load_sqlite(dump: Path, database: Database) -> None:
    """Put the dumped file in place of the (empty) target in one rename."""
    path = Path(database.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    loading = path.with_name(path.name + ".restoring")
    with gzip.open(dump, "rb") as packed, loading.open("wb") as raw:
        shutil.copyfileobj(packed, raw, COPY_CHUNK)
        raw.flush()
        os.fsync(raw.fileno())
    # An empty target may have left a write-ahead log: it belongs to the old file, not this one.
    for leftover in ("-wal", "-shm"):
        path.with_name(path.name + leftover).unlink(missing_ok=True)
    os.replace(loading, path)


def count_sqlite(database: Database) -> Snapshot:
    """Return the migrations and row counts of a SQLite database."""
    return _sqlite_snapshot(Path(database.name))


# --- PostgreSQL --------------------------------------------------------------------------------


def _client_major(program: str) -> int:
    found = shutil.which(program)
    if not found:
        raise DatabaseDumpError(
            f"{program} is not installed: install the PostgreSQL client of the server's version "
            "(Debian: apt-get install postgresql-client)."
        )
    out = subprocess.run([found, "--version"], capture_output=True, text=True, check=True)  # noqa: S603
    match = re.search(r"(\d+)(?:\.\d+)?", out.stdout)
    if not match:
        raise DatabaseDumpError(f"Could not read the version of {program}: {out.stdout!r}")
    return int(match.group(1))


def check_client(program: str, server_version_num: int) -> str:
    """Return the path of pg_dump or pg_restore; refuse one older than the server."""
    server_major = server_version_num // 10000
    client_major = _client_major(program)
    if client_major < server_major:
        raise DatabaseDumpError(
            f"{program} is version {client_major} but the server is PostgreSQL {server_major}: "
            f"install the PostgreSQL {server_major} client (an older {program} cannot read a "
            "newer server)."
        )
    return str(shutil.which(program))


def _pg_tables(cursor: Any) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return [str(row[0]) for row in cursor.fetchall()]


def dump_postgres(database: Database, dest: Path) -> Snapshot:
    """Dump the database with pg_dump (custom format) and count its rows, both in one snapshot:
    a read-only transaction exports its snapshot and pg_dump reads the same one."""
    import psycopg

    try:
        with _postgres(database) as conn, conn.cursor() as cursor:
            server_version = int(conn.info.server_version)
            pg_dump = check_client("pg_dump", server_version)
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot_id = str(cursor.fetchone()[0])
            tables = _pg_tables(cursor)
            snapshot = Snapshot(
                _migrations(cursor, tables), _count(cursor, tables), str(server_version)
            )
            done = subprocess.run(  # noqa: S603 - pg_dump with our own arguments
                [
                    pg_dump,
                    "--format=custom",
                    "--compress=1",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot_id}",
                    f"--file={dest}",
                    database.name,
                ],
                env=database.libpq_env(),
                capture_output=True,
                text=True,
            )
            cursor.execute("COMMIT")
    except psycopg.Error as error:
        raise DatabaseDumpError(f"Could not read {database.describe()}: {error}") from error
    if done.returncode != 0:
        raise DatabaseDumpError(f"pg_dump failed: {done.stderr.strip()}")
    return snapshot


def postgres_is_empty(database: Database) -> bool:
    """Return whether the PostgreSQL database holds no table in its schema."""
    import psycopg

    try:
        with _postgres(database) as conn, conn.cursor() as cursor:
            return not _pg_tables(cursor)
    except psycopg.Error as error:
        raise DatabaseDumpError(
            f"Could not connect to {database.describe()}: {error}. Create it empty first "
            "(createdb), then restore into it."
        ) from error


def load_postgres(dump: Path, database: Database) -> None:
    """Restore the dump with pg_restore in one transaction: all of it, or nothing."""
    with _postgres(database) as conn:
        pg_restore = check_client("pg_restore", int(conn.info.server_version))
    done = subprocess.run(  # noqa: S603 - pg_restore with our own arguments
        [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={database.name}",
            str(dump),
        ],
        # More memory for building the indexes and constraints, for this session only.
        env=database.libpq_env() | {"PGOPTIONS": "-c maintenance_work_mem=256MB"},
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise DatabaseDumpError(
            f"pg_restore failed and changed nothing: {done.stderr.strip()[:2000]}"
        )


def count_postgres(database: Database) -> Snapshot:
    """Return the migrations and row counts of a PostgreSQL database."""
    with _postgres(database) as conn, conn.cursor() as cursor:
        tables = _pg_tables(cursor)
        return Snapshot(
            _migrations(cursor, tables), _count(cursor, tables), str(conn.info.server_version)
        )


# --- by vendor ---------------------------------------------------------------------------------


def dump(database: Database, dest: Path) -> Snapshot:
    """Dump the database to dest; return what the dump holds."""
    return (
        dump_sqlite(database, dest) if database.vendor == SQLITE else dump_postgres(database, dest)
    )


def is_empty(database: Database) -> bool:
    """Return whether the database holds no table (a restore goes only into such a one)."""
    return sqlite_is_empty(database) if database.vendor == SQLITE else postgres_is_empty(database)


def load(dump_path: Path, database: Database) -> None:
    """Load a dump into the empty database."""
    if database.vendor == SQLITE:
        load_sqlite(dump_path, database)
    else:
        load_postgres(dump_path, database)


def count(database: Database) -> Snapshot:
    """Return the migrations and row counts of the database."""
    return count_sqlite(database) if database.vendor == SQLITE else count_postgres(database)
