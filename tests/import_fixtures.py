"""What the import tests share: a spreadsheet's bytes, and its plan or import in one call."""

from __future__ import annotations

import csv
import io
from typing import Any

from hub.partners import imports


def csv_bytes(rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    """Return rows written as CSV text in the given encoding."""
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def plan_for(
    affiliate: Any, data: bytes, filename: str = "partners.csv", mapping: list[str] | None = None
) -> imports.ImportPlan:
    """Return the verdict on every row of a file, with the guessed (or a given) mapping."""
    table = imports.read_bytes(data, filename)
    return imports.plan_import(
        table=table, mapping=mapping or imports.guess_mapping(table.headers), affiliate=affiliate
    )


def import_bytes(
    affiliate: Any, data: bytes, filename: str = "partners.csv", actor: Any = None
) -> imports.ImportCounts:
    """Import a file's rows with the guessed mapping."""
    table = imports.read_bytes(data, filename)
    return imports.apply_import(
        actor=actor, affiliate=affiliate, table=table, mapping=imports.guess_mapping(table.headers)
    )


def errors_of(plan: imports.ImportPlan) -> dict[int, str]:
    """Return the rejected rows' reasons by row number."""
    return {row.number: " ".join(row.errors) for row in plan.rejected}
