"""Full-text search over library resources: SQLite FTS5 or PostgreSQL tsvector, one interface.

Both indexes read the same three columns of library_resource (title, search_text,
extracted_text) and are kept by database triggers, whoever writes the row. SQLite: an FTS5
table with external content, the porter stemmer over unicode61 with diacritics removed; it
records in which column a word is, not where (detail=column): a word found in most
resources is matched three times faster, and no query here asks for a phrase.
PostgreSQL: a search_vector column (not in the Django model) filled by a trigger with the
resource language's configuration plus "simple" (every word as written), both through
unaccent; a GIN index answers the query. Names below go into SQL as they are: constants, never
user input; the query travels as a parameter.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

from hub.library import idsets
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
# Letters and digits: what both indexes read as one word ("_" parts words in both).
_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Return text in lower case without accents (what both indexes compare)."""
    return _MARKS.sub("", unicodedata.normalize("NFKD", text or "").casefold())


def terms(query: str) -> list[str]:
    """Return the query's words, folded, at most MAX_TERMS of them."""
    seen: list[str] = []
    for word in _WORD.findall(fold(query)):
        if word not in seen:
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
                "tokenize='porter unicode61 remove_diacritics 2', detail=column)"
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


def _pg_configs(languages: Iterable[str]) -> list[str]:
    """Return "simple" and the configurations of the languages resources are written in."""
    from hub.library.vocabulary import search_config

    known = set(POSTGRES_CONFIGS.values()) | {"simple"}
    configs = {search_config(code) for code in languages} & known
    return ["simple", *sorted(configs - {"simple"})]


# The query as PostgreSQL reads it, every word in each configuration, as text (parameters:
# the words, the configurations). Each resource is indexed in its language's configuration
# and in "simple"; the query is read in every configuration in use, so a word finds its
# stemmed forms in any language. Configurations that read the words alike give one branch,
# not several: each branch is a walk of the index. NULL when no configuration keeps a word
# (stop words only).
_PG_TSQUERY = (
    "SELECT string_agg('(' || t || ')', ' | ' ORDER BY t) AS text FROM ("
    "SELECT DISTINCT to_tsquery(c::regconfig, unaccent(%s))::text AS t "
    "FROM unnest(%s::text[]) AS c) AS branches WHERE t <> ''"
)


def _pg_words(words: list[str]) -> str:
    """Return the words as to_tsquery reads them: all wanted, 3+ letters also as a prefix."""
    return " & ".join(f"{w}:*" if len(w) >= 3 else w for w in words)


def _sqlite_expression(words: list[str], *, title_only: bool = False) -> str:
    """Return an FTS5 query wanting every word (words of 3+ letters also as a prefix)."""
    quoted = []
    for word in words:
        phrase = '"' + word.replace('"', '""') + '"'
        phrase = phrase + "*" if len(word) >= 3 else phrase
        quoted.append(f"title : {phrase}" if title_only else phrase)
    return " AND ".join(quoted)


@dataclass(frozen=True)
class Query:
    """A search's words as each database reads them, made once per page (match)."""

    words: list[str]
    # PostgreSQL: the tsquery, as text (empty: nothing can match); SQLite: unused.
    pg: str = ""
    # PostgreSQL: the resources with every word in their title, read with the match (an
    # idset: one round trip fewer); None: not read yet (title_matches asks).
    titled: int | None = None


def match(words: list[str], languages: Iterable[str]) -> tuple[Query, int]:
    """Return the query of these words, read in the languages resources are written in, and
    the resources whose text has every word (as matching_ids): one statement on PostgreSQL,
    which reads the query, matches it, and matches the titles (a short walk of their index)."""
    if connection.vendor != "postgresql":
        query = Query(words)
        return query, matching_ids(query)
    with connection.cursor() as cursor:
        # The tsquery reaches the indexes as the value of another row, which the planner
        # cannot see (see matching_ids).
        cursor.execute(
            f"WITH q AS ({_PG_TSQUERY}) SELECT q.text, "  # noqa: S608
            f"(SELECT string_agg(id::text, ',') FROM {TABLE} "
            "WHERE search_vector @@ q.text::tsquery), "
            f"(SELECT string_agg(id::text, ',') FROM {TABLE} "
            "WHERE title_vector @@ q.text::tsquery) FROM q",
            [_pg_words(words), _pg_configs(languages)],
        )
        pg, joined, titled = cursor.fetchone()
    return Query(words, pg or "", _idset(titled)), _idset(joined)


def title_matches(query: Query) -> int:
    """Return the resources with every word in their title, any visibility, as an idset."""
    if query.titled is not None:
        return query.titled
    return matching_ids(query, title_only=True)


def matching_ids(query: Query, *, title_only: bool = False) -> int:
    """Return the resources whose text (or title) has every word, any visibility, as an idset.

    The ids come as one row (the database joins them), not a row each: thousands for a
    common word. PostgreSQL reads them off the GIN index: the query reaches it as a
    subquery's value, which its planner cannot see, so it does not choose to read every row
    and test its vector when a word is in most resources (ten times slower: each vector is
    long and stored apart).
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if not query.pg:
                return idsets.EMPTY
            column = "title_vector" if title_only else "search_vector"
            cursor.execute(
                f"SELECT string_agg(id::text, ',') FROM {TABLE} "  # noqa: S608
                f"WHERE {column} @@ (SELECT %s::tsquery)",
                [query.pg],
            )
        else:
            cursor.execute(
                f"SELECT group_concat(rowid) FROM {FTS} WHERE {FTS} MATCH %s",  # noqa: S608
                [_sqlite_expression(query.words, title_only=title_only)],
            )
        joined = cursor.fetchone()[0]
    return _idset(joined)


def _idset(joined: str | None) -> int:
    """Return the idset of ids joined by commas (None: none)."""
    # Read as a JSON list: its parser, in C, reads thousands of ids twice as fast as int() each.
    return idsets.of(json.loads(f"[{joined}]")) if joined else idsets.EMPTY


def ranked_ids(query: Query, ids: Iterable[int], limit: int, offset: int) -> list[int]:
    """Return a page of these matching ids, best first (title over summary over file).

    Scoring reads each resource's text: callers rank a bounded set
    (hub.library.selectors.RANK_ALL).
    """
    ids = sorted(ids)
    if not ids:
        return []
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT id FROM {TABLE} WHERE id = ANY(%s) "  # noqa: S608
            "ORDER BY ts_rank(search_vector, %s::tsquery) DESC, id DESC LIMIT %s OFFSET %s"
        )
        params: list[Any] = [ids, query.pg, limit, offset]
    else:
        # "+rowid": FTS5 must not look the ids up by rowid, which runs the whole match again
        # for each of them; it matches once and filters.
        sql = (
            f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s "  # noqa: S608
            "AND +rowid IN (SELECT value FROM json_each(%s)) "
            f"ORDER BY bm25({FTS}, 10.0, 4.0, 1.0), rowid DESC LIMIT %s OFFSET %s"
        )
        params = [_sqlite_expression(query.words), json.dumps(ids), limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]
