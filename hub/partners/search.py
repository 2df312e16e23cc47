"""Index the search text of organisations and contacts: SQLite FTS5 trigrams or pg_trgm."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

# The search keeps substring semantics ("every word is somewhere in the folded text"), which a
# trigram index answers for words of three characters or more on both databases. Shorter words
# fall back to a scan, which stays correct.
MIN_INDEXED_CHARS = 3


@dataclass(frozen=True)
class SearchIndex:
    """The trigram index over the search_text column of one table, on either database.

    Its names go into SQL as they are: they are the constants below, never user input.
    """

    table: str
    postgres_index: str

    @property
    def sqlite_table(self) -> str:
        """Return the name of the FTS5 table that indexes the table."""
        return f"{self.table}_fts"

    def sqlite_table_sql(self) -> str:
        """Return the statement that creates the FTS5 table.

        External content: the text lives once, in the indexed table; the triggers keep the
        index in step with every insert, update and delete, whoever makes it (services, bulk
        creates, raw SQL).
        """
        return (
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {self.sqlite_table} USING fts5("
            f"search_text, content='{self.table}', content_rowid='id', tokenize='trigram')"
        )

    def sqlite_triggers(self) -> dict[str, str]:
        """Return the triggers that keep the FTS5 table in step, by name."""
        fts, table = self.sqlite_table, self.table
        insert = f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text);"  # noqa: S608
        delete = (
            f"INSERT INTO {fts}({fts}, rowid, search_text) "  # noqa: S608
            "VALUES ('delete', old.id, old.search_text);"
        )
        return {
            f"{fts}_ai": f"AFTER INSERT ON {table} BEGIN {insert} END",
            f"{fts}_ad": f"AFTER DELETE ON {table} BEGIN {delete} END",
            f"{fts}_au": f"AFTER UPDATE OF search_text ON {table} BEGIN {delete} {insert} END",
        }

    def sqlite_match_sql(self) -> str:
        """Return the subquery that selects the ids of the rows matching an FTS5 query."""
        return f"SELECT rowid FROM {self.sqlite_table} WHERE {self.sqlite_table} MATCH %s"  # noqa: S608


ORGANISATIONS = SearchIndex(
    table="partners_organisation", postgres_index="partners_org_search_trgm"
)
CONTACTS = SearchIndex(table="partners_contact", postgres_index="partners_contact_search_trgm")
INDEXES = (ORGANISATIONS, CONTACTS)


def _sqlite_names(connection: BaseDatabaseWrapper, kind: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = %s", [kind])
        return {row[0] for row in cursor.fetchall()}


def install(connection: BaseDatabaseWrapper, index: SearchIndex) -> None:
    """Create the table's search index on the connection's database and fill it (idempotent)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(index.sqlite_table_sql())
        ensure_sqlite_triggers(connection, index, rebuild=True)
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The pg_trgm extension itself is created by a migration (TrigramExtension).
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {index.postgres_index} ON {index.table} "
                "USING gin (search_text gin_trgm_ops)"
            )


def uninstall(connection: BaseDatabaseWrapper, index: SearchIndex) -> None:
    """Drop the table's search index (migrating backwards)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in index.sqlite_triggers():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {index.sqlite_table}")
        elif connection.vendor == "postgresql":
            cursor.execute(f"DROP INDEX IF EXISTS {index.postgres_index}")


def ensure_sqlite_triggers(
    connection: BaseDatabaseWrapper, index: SearchIndex, *, rebuild: bool = False
) -> bool:
    """Recreate missing triggers (and then rebuild the index); return True if any was missing.

    SQLite migrations that alter a table copy it to a new table and drop the old one, and its
    triggers with it; this puts them back after every migrate.
    """
    if index.sqlite_table not in _sqlite_names(connection, "table"):
        return False
    triggers = index.sqlite_triggers()
    missing = set(triggers) - _sqlite_names(connection, "trigger")
    with connection.cursor() as cursor:
        for name in sorted(missing):
            cursor.execute(f"CREATE TRIGGER {name} {triggers[name]}")
        if missing or rebuild:
            fts = index.sqlite_table
            cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")  # noqa: S608
    return bool(missing)


def repair_after_migrate(using: str = "default", **kwargs: Any) -> None:
    """Put back the SQLite search triggers if a migration dropped them (post_migrate)."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "sqlite":
        for index in INDEXES:
            ensure_sqlite_triggers(connection, index)


def sqlite_match_expression(terms: list[str]) -> str:
    """Return an FTS5 query that wants every term as a substring (each quoted as a phrase)."""
    return " AND ".join('"' + term.replace('"', '""') + '"' for term in terms)
