"""Index the organisations' search text: SQLite FTS5 trigrams, PostgreSQL pg_trgm."""

from __future__ import annotations

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

# The search keeps substring semantics ("every word is somewhere in the folded text"), which a
# trigram index answers for words of three characters or more on both databases. Shorter words
# fall back to a scan, which stays correct.
MIN_INDEXED_CHARS = 3
SQLITE_TABLE = "partners_organisation_fts"
POSTGRES_INDEX = "partners_org_search_trgm"

# External-content FTS5 table: the text lives once, in partners_organisation; the triggers keep
# the index in step with every insert, update and delete, whoever makes it (services, bulk
# creates, raw SQL).
_SQLITE_TABLE_SQL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS partners_organisation_fts USING fts5("
    "search_text, content='partners_organisation', content_rowid='id', tokenize='trigram')"
)
_SQLITE_TRIGGERS = {
    "partners_organisation_fts_ai": (
        "AFTER INSERT ON partners_organisation BEGIN "
        "INSERT INTO partners_organisation_fts(rowid, search_text) "
        "VALUES (new.id, new.search_text); END"
    ),
    "partners_organisation_fts_ad": (
        "AFTER DELETE ON partners_organisation BEGIN "
        "INSERT INTO partners_organisation_fts(partners_organisation_fts, rowid, search_text) "
        "VALUES ('delete', old.id, old.search_text); END"
    ),
    "partners_organisation_fts_au": (
        "AFTER UPDATE OF search_text ON partners_organisation BEGIN "
        "INSERT INTO partners_organisation_fts(partners_organisation_fts, rowid, search_text) "
        "VALUES ('delete', old.id, old.search_text); "
        "INSERT INTO partners_organisation_fts(rowid, search_text) "
        "VALUES (new.id, new.search_text); END"
    ),
}
_SQLITE_REBUILD = (
    "INSERT INTO partners_organisation_fts(partners_organisation_fts) VALUES ('rebuild')"
)
_SQLITE_MATCH = (
    "SELECT rowid FROM partners_organisation_fts WHERE partners_organisation_fts MATCH %s"
)


def _sqlite_names(connection: BaseDatabaseWrapper, kind: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = %s", [kind])
        return {row[0] for row in cursor.fetchall()}


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the search index of the connection's database and fill it (safe to run twice)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(_SQLITE_TABLE_SQL)
        ensure_sqlite_triggers(connection, rebuild=True)
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The pg_trgm extension itself is created by the migration (TrigramExtension).
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {POSTGRES_INDEX} ON partners_organisation "
                "USING gin (search_text gin_trgm_ops)"
            )


def uninstall(connection: BaseDatabaseWrapper) -> None:
    """Drop the search index (migrating backwards)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in _SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {SQLITE_TABLE}")
        elif connection.vendor == "postgresql":
            cursor.execute(f"DROP INDEX IF EXISTS {POSTGRES_INDEX}")


def ensure_sqlite_triggers(connection: BaseDatabaseWrapper, *, rebuild: bool = False) -> bool:
    """Recreate missing triggers (and then rebuild the index); return True if any was missing.

    SQLite migrations that alter partners_organisation copy it to a new table and drop the old
    one, and its triggers with it; this puts them back after every migrate.
    """
    if SQLITE_TABLE not in _sqlite_names(connection, "table"):
        return False
    missing = set(_SQLITE_TRIGGERS) - _sqlite_names(connection, "trigger")
    with connection.cursor() as cursor:
        for name in sorted(missing):
            cursor.execute(f"CREATE TRIGGER {name} {_SQLITE_TRIGGERS[name]}")
        if missing or rebuild:
            cursor.execute(_SQLITE_REBUILD)
    return bool(missing)


def repair_after_migrate(using: str = "default", **kwargs: Any) -> None:
    """Put back the SQLite search triggers if a migration dropped them (post_migrate)."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "sqlite":
        ensure_sqlite_triggers(connection)


def sqlite_match_expression(terms: list[str]) -> str:
    """Return an FTS5 query that wants every term as a substring (each quoted as a phrase)."""
    return " AND ".join('"' + term.replace('"', '""') + '"' for term in terms)


def sqlite_match_sql() -> str:
    """Return the subquery that selects the ids of organisations matching an FTS5 query."""
    return _SQLITE_MATCH
