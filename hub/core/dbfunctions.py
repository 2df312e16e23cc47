"""Database functions that Django's own compile to slow SQL on one of our databases."""

from __future__ import annotations

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.functions import ExtractYear
from django.db.models.sql.compiler import SQLCompiler


class DateYear(ExtractYear):
    """Return the year of a date column, as ExtractYear does, without a Python call per row.

    On SQLite, Django extracts through a Python function it registers, called once per row:
    most of the time of a grouped sum over thousands of rows. A date is stored there as
    ISO text (YYYY-MM-DD), so its year is its first four characters. Use it on DateFields
    only: a datetime's year depends on the time zone.
    """

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, Any]:
        sql, params = compiler.compile(self.lhs)
        return f"CAST(SUBSTR({sql}, 1, 4) AS INTEGER)", params
