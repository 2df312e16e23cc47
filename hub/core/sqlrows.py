"""Model instances read by statements written out in SQL.

For the few pages drawn afresh on every visit (the partner portal) where compiling a queryset
with the ORM costs more than running it. ``Columns`` names a model's columns (all of them, or
some) under a table alias for a SELECT, and turns its part of each row into an instance as the
ORM does: the backend's and the fields' converters applied (SQLite's dates and aware
datetimes), then ``Model.from_db`` (the fields not read are deferred). Names come from the
models and are quoted; every value stays a parameter. Each statement written out this way has
a test comparing what it reads with the queryset it stands for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model
from django.db.models.expressions import Col

M = TypeVar("M", bound=Model)


def fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Return every row of a statement written out in SQL."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def marks(values: Sequence[Any]) -> str:
    """Return one placeholder per value, for "IN (...)"."""
    return ", ".join(["%s"] * len(values))


def table(model: type[Model]) -> str:
    """Return the model's table name, quoted."""
    return connection.ops.quote_name(model._meta.db_table)


class Columns(Generic[M]):
    """A model's columns (all, or the named fields and the primary key) under a table alias."""

    def __init__(self, model: type[M], alias: str, fields: Sequence[str] = ()) -> None:
        self.model = model
        self.alias = alias
        self.wanted = frozenset(fields)
        # The fields' converters by database connection: fixed by the models and the backend's
        # code, so worked out once per connection (the ORM's compiler does it per statement).
        self._converting: WeakKeyDictionary[BaseDatabaseWrapper, list[tuple[int, Col, list[Any]]]]
        self._converting = WeakKeyDictionary()

    def _fields(self) -> list[Field[Any, Any]]:
        concrete = self.model._meta.concrete_fields
        if not self.wanted:
            return list(concrete)
        return [f for f in concrete if f.primary_key or {f.name, f.attname} & self.wanted]

    @property
    def width(self) -> int:
        """Return how many columns of a row are this model's."""
        return len(self._fields())

    def table(self) -> str:
        """Return "table alias", for FROM and JOIN."""
        return f"{table(self.model)} {self.alias}"

    def select(self) -> str:
        """Return the columns, qualified by the alias, for a SELECT list."""
        quote = connection.ops.quote_name
        return ", ".join(f"{self.alias}.{quote(f.column)}" for f in self._fields())

    def reader(self, start: int = 0) -> Callable[[Sequence[Any]], M]:
        """Return a function making an instance from a row's columns start, start + 1, ..."""
        fields = self._fields()
        names = [f.attname for f in fields]
        wrapper = connections[DEFAULT_DB_ALIAS]
        converting = self._converting.get(wrapper)
        if converting is None:
            converting = []
            for n, f in enumerate(fields):
                col = f.get_col(self.alias)
                found = wrapper.ops.get_db_converters(col) + col.get_db_converters(wrapper)
                if found:
                    converting.append((n, col, found))
            self._converting[wrapper] = converting
        end = start + len(fields)
        model = self.model

        def read(row: Sequence[Any]) -> M:
            values = list(row[start:end])
            for n, col, converters in converting:
                for convert in converters:
                    values[n] = convert(values[n], col, wrapper)
            return model.from_db(DEFAULT_DB_ALIAS, names, values)

        return read
