"""Full-text search over library resources: SQLite FTS5 or PostgreSQL tsvector, one interface.

Both indexes read the same three columns of library_resource (title, search_text,
extracted_text) and are kept by database triggers, whoever writes the row. SQLite: an FTS5
table with external content, the porter stemmer over unicode61 with diacritics removed.
PostgreSQL: a search_vector column (not in the Django model) filled by a trigger with the
resource language's configuration plus "simple" (every word as written), both through
unaccent; a GIN index answers the query. Names below go into SQL as they are: constants, never
user input; the query travels as a parameter.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

from hub.library.vocabulary import POSTGRES_CONFIGS

TABLE = "library_resource"
FTS = "library_resource_fts"
COLUMNS = ("title", "search_text", "extracted_text")
PG_FUNCTION = "library_resource_search_vector"
PG_TRIGGER = "library_resource_search_vector_tg"
PG_INDEX = "library_resource_search_gin"
PG_TITLE_INDEX = "library_resource_title_gin"
# What the PostgreSQL vector reads of a file's text: a tsvector holds at most 1 MB.
PG_TEXT_CHARS = 100_000
MAX_TERMS = 12
_MARKS = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Return text in lower case without accents (what both indexes compare)."""
    return _MARKS.sub("", unicodedata.normalize("NFKD", text or "").casefold())


def terms(query: str) -> list[str]:
    """Return the query's words, folded, at most MAX_TERMS of them."""
    seen: list[str] = []
    for word in _WORD.findall(fold(query)):
        word = word.strip("_")
        if word and word not in seen:
            seen.append(word)
    return seen[:MAX_TERMS]


# -- SQLite ---------------------------------------------------------------------------------


def _sqlite_triggers() -> dict[str, str]:
    cols = ", ".join(COLUMNS)
    new = ", ".join(f"new.{c}" for c in COLUMNS)
    old = ", ".join(f"old.{c}" for c in COLUMNS)
    insert = f"INSERT INTO {FTS}(rowid, {cols}) VALUES (new.id, {new});"  # noqa: S608
    delete = f"INSERT INTO {FTS}({FTS}, rowid, {cols}) VALUES ('delete', old.id, {old});"  # noqa: S608
    return {
        f"{FTS}_ai": f"AFTER INSERT ON {TABLE} BEGIN {insert} END",
        f"{FTS}_ad": f"AFTER DELETE ON {TABLE} BEGIN {delete} END",
        f"{FTS}_au": f"AFTER UPDATE OF {cols} ON {TABLE} BEGIN {delete} {insert} END",
    }


def _sqlite_names(conn: BaseDatabaseWrapper, kind: str) -> set[str]:
    with conn.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = %s", [kind])
        return {row[0] for row in cursor.fetchall()}


def ensure_sqlite_triggers(conn: BaseDatabaseWrapper, *, rebuild: bool = False) -> bool:
    """Recreate missing triggers (then rebuild the index); return True if any was missing."""
    if FTS not in _sqlite_names(conn, "table"):
        return False
    triggers = _sqlite_triggers()
    missing = set(triggers) - _sqlite_names(conn, "trigger")
    with conn.cursor() as cursor:
        for name in sorted(missing):
            cursor.execute(f"CREATE TRIGGER {name} {triggers[name]}")
        if missing or rebuild:
            cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")  # noqa: S608
    return bool(missing)


def _pg_function_sql() -> str:
    def part(column: str, config: str, weight: str, chars: int = 0) -> str:
        value = f"coalesce(NEW.{column}, '')"
        if chars:
            value = f"left({value}, {chars})"
        # PostgreSQL's parser skips what looks like an HTML tag; words are words here, as in
        # FTS5, so "<script>" is found by "script" on both databases.
        value = f"translate({value}, '<>', '  ')"
        return f"setweight(to_tsvector({config}, unaccent({value})), '{weight}')"

    lang = "NEW.search_config::regconfig"
    simple = "'simple'::regconfig"
    title = f"{part('title', lang, 'A')} || {part('title', simple, 'A')}"
    vector = " || ".join(
        [
            part("title", lang, "A"),
            part("title", simple, "A"),
            part("search_text", lang, "B"),
            part("search_text", simple, "B"),
            part("extracted_text", lang, "C", PG_TEXT_CHARS),
            part("extracted_text", simple, "D", PG_TEXT_CHARS),
        ]
    )
    return (
        f"CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger AS $$ "
        f"BEGIN NEW.search_vector := {vector}; NEW.title_vector := {title}; "
        "RETURN NEW; END $$ LANGUAGE plpgsql"
    )


def install(conn: BaseDatabaseWrapper) -> None:
    """Create the search index on the connection's database and fill it (idempotent)."""
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5({', '.join(COLUMNS)}, "
                f"content='{TABLE}', content_rowid='id', "
                "tokenize='porter unicode61 remove_diacritics 2')"
            )
        elif conn.vendor == "postgresql":
            # The unaccent extension comes from the migration (UnaccentExtension).
            cursor.execute(f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS search_vector tsvector")
            # The title alone, for "every word in the title" among thousands of matches.
            cursor.execute(f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS title_vector tsvector")
            cursor.execute(_pg_function_sql())
            cursor.execute(f"DROP TRIGGER IF EXISTS {PG_TRIGGER} ON {TABLE}")
            cursor.execute(
                f"CREATE TRIGGER {PG_TRIGGER} BEFORE INSERT OR UPDATE OF "
                f"{', '.join(COLUMNS)}, search_config ON {TABLE} "
                f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()"
            )
            cursor.execute(f"UPDATE {TABLE} SET title = title")  # noqa: S608 - fill the column
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON {TABLE} USING gin (search_vector)"
            )
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {PG_TITLE_INDEX} ON {TABLE} USING gin (title_vector)"
            )
    if conn.vendor == "sqlite":
        ensure_sqlite_triggers(conn, rebuild=True)


def uninstall(conn: BaseDatabaseWrapper) -> None:
    """Drop the search index (migrating backwards)."""
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            for name in _sqlite_triggers():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS}")
        elif conn.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS {PG_TRIGGER} ON {TABLE}")
            cursor.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")
            cursor.execute(f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS search_vector")
            cursor.execute(f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS title_vector")


def repair_after_migrate(using: str = "default", **kwargs: Any) -> None:
    """Put back the SQLite triggers if a migration that rebuilt the table dropped them."""
    from django.db import connections

    if connections[using].vendor == "sqlite":
        ensure_sqlite_triggers(connections[using])


# -- Queries --------------------------------------------------------------------------------


def _sqlite_expression(words: list[str], *, title_only: bool = False) -> str:
    """Return an FTS5 query wanting every word (words of 3+ letters also as a prefix)."""
    quoted = []
    for word in words:
        phrase = '"' + word.replace('"', '""') + '"'
        phrase = phrase + "*" if len(word) >= 3 else phrase
        quoted.append(f"title : {phrase}" if title_only else phrase)
    return " AND ".join(quoted)


def _pg_configs() -> list[str]:
    """Return "simple" and the configurations of the languages resources are written in."""
    from hub.library.vocabulary import search_config

    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT value FROM library_resourcefacet WHERE facet = 'language'")
        languages = [row[0] for row in cursor.fetchall()]
    return ["simple", *sorted({search_config(code) for code in languages} - {"simple"})]


def _pg_query_sql(words: list[str], configs: list[str]) -> tuple[str, list[str]]:
    """Return a tsquery expression (every word, in each configuration) and its parameters.

    Each resource is indexed in its language's configuration and in "simple"; the query is
    read in every configuration in use, so a word finds its stemmed forms in any language.
    """
    text = " & ".join(f"{w}:*" if len(w) >= 3 else w for w in words)
    known = set(POSTGRES_CONFIGS.values()) | {"simple"}
    parts = [f"to_tsquery('{config}', unaccent(%s))" for config in configs if config in known]
    return "(" + " || ".join(parts) + ")", [text] * len(parts)


def match_sql(words: list[str], *, title_only: bool = False) -> tuple[str, list[Any]]:
    """Return a subquery of the ids of resources whose text has every word, and its params.

    ``title_only``: every word in the title.
    """
    if connection.vendor == "postgresql":
        query, params = _pg_query_sql(words, _pg_configs())
        column = "title_vector" if title_only else "search_vector"
        return f"SELECT id FROM {TABLE} WHERE {column} @@ {query}", params  # noqa: S608
    expression = _sqlite_expression(words, title_only=title_only)
    return f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s", [expression]  # noqa: S608


def ranked_ids(
    words: list[str],
    candidates_sql: str,
    candidates_params: list[Any],
    limit: int,
    offset: int,
    *,
    title_only: bool = False,
) -> list[int]:
    """Return a page of the candidates that match, best first (title over summary over file).

    ``candidates_sql`` selects the ids the viewer may see (visibility and facets), without the
    words: the match is made here once. Its cost grows with the number of matches, so callers
    rank only a bounded set (hub.library.selectors.RANK_ALL).
    """
    if connection.vendor == "postgresql":
        query, params = _pg_query_sql(words, _pg_configs())
        column = "title_vector" if title_only else "search_vector"
        sql = (
            f"SELECT id FROM {TABLE} WHERE id IN ({candidates_sql}) "  # noqa: S608
            f"AND {column} @@ {query} "
            f"ORDER BY ts_rank({column}, {query}) DESC, id DESC LIMIT %s OFFSET %s"
        )
        all_params = [*candidates_params, *params, *params, limit, offset]
    else:
        # "+rowid": FTS5 must not look candidates up by rowid, which runs the whole match
        # again for each of them (seconds for thousands); it matches once and filters.
        sql = (
            f"WITH candidates(id) AS MATERIALIZED ({candidates_sql}) "  # noqa: S608
            f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s "
            "AND +rowid IN (SELECT id FROM candidates) "
            f"ORDER BY bm25({FTS}, 10.0, 4.0, 1.0), rowid DESC LIMIT %s OFFSET %s"
        )
        all_params = [
            *candidates_params,
            _sqlite_expression(words, title_only=title_only),
            limit,
            offset,
        ]
    with connection.cursor() as cursor:
        cursor.execute(sql, all_params)
        return [row[0] for row in cursor.fetchall()]
