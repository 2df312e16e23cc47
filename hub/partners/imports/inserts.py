"""Insert many new records with plain INSERTs whose values were prepared before the transaction.

Django's bulk_create builds the SQL of every value while the transaction is open; on SQLite,
which has one writer at a time, every other write waits for that (13 s for 10,000 rows on a busy
machine). Here the values are prepared first, and the transaction only reserves ids and sends
the rows: other writers wait about as long as the database needs to store them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models

PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.IntegerField,
    models.BigIntegerField,
    models.PositiveSmallIntegerField,
)


class PreparedRows:
    """New records of one model and the database values of their columns, ready to insert.

    ``later`` names foreign keys to records that get their ids in the same transaction: their
    values are read from the related objects when the rows are inserted.
    """

    def __init__(
        self, model: type[models.Model], objs: Iterable[models.Model], later: Sequence[str] = ()
    ) -> None:
        self.model, self.objs = model, list(objs)
        self.fields = [f for f in model._meta.local_concrete_fields if not f.primary_key]
        self.later = [i for i, f in enumerate(self.fields) if f.name in later]
        # Text, numbers and yes/no go to the database as they are: no conversion to call.
        plain = [type(f) in PLAIN_FIELDS for f in self.fields]
        self.values = [
            [
                None
                if i in self.later
                else getattr(obj, f.attname)
                if plain[i]
                else f.get_db_prep_save(f.pre_save(obj, True), connection)
                for i, f in enumerate(self.fields)
            ]
            for obj in self.objs
        ]

    def set_value(self, index: int, name: str, value: Any) -> None:
        """Replace one column's value of one record (a date the file gives, say)."""
        position = next(i for i, f in enumerate(self.fields) if f.name == name)
        setattr(self.objs[index], self.fields[position].attname, value)
        self.values[index][position] = self.fields[position].get_db_prep_save(value, connection)

    def insert(self, *, with_ids: bool = True) -> None:
        """Insert the rows (inside the caller's transaction), giving the objects their ids."""
        if not self.objs:
            return
        for row, obj in zip(self.values, self.objs, strict=True):
            for i in self.later:
                related = getattr(obj, self.fields[i].name)
                setattr(obj, self.fields[i].attname, related.pk if related is not None else None)
                row[i] = related.pk if related is not None else None
        columns = [f.column for f in self.fields]
        rows: list[list[Any]] = self.values
        if with_ids:
            ids = reserve_ids(self.model, len(self.objs))
            for obj, pk in zip(self.objs, ids, strict=True):
                obj.pk = pk
                obj._state.adding = False
            columns = [self.model._meta.pk.column, *columns]  # type: ignore[union-attr]
            rows = [[pk, *row] for pk, row in zip(ids, self.values, strict=True)]
        quote = connection.ops.quote_name
        # Names from the model's own metadata, quoted; every value goes as a parameter.
        sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
            quote(self.model._meta.db_table),
            ", ".join(quote(c) for c in columns),
            ", ".join(["%s"] * len(columns)),
        )
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Return `count` new ids for a model's table, as its own inserts would have taken them."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [int(row[0]) for row in cursor.fetchall()]
        # SQLite: the transaction holds the only write lock, so nobody takes these meanwhile;
        # AUTOINCREMENT never reuses an id, hence the sequence as well as the largest id.
        quoted = connection.ops.quote_name(table)
        cursor.execute(f"SELECT MAX(id) FROM {quoted}")  # noqa: S608 - a model's table name
        largest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        found = cursor.fetchone()
        start = max(largest, found[0] if found else 0) + 1
    return list(range(start, start + count))
