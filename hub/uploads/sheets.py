"""Read an upload batch's metadata sheet (CSV, XLSX or a Pattypan workbook) into rows of text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from hub.partners.spreadsheets import (
    ImportFileError,
    Limits,
    read_bytes,
    xlsx_sheet_heads,
)
from hub.uploads.fields import IGNORE, SEMICOLON_FIELDS
from hub.uploads.pattypan import workbook_template


class SheetError(Exception):
    """The sheet cannot be read at all; the message says why in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Sheet:
    """A metadata sheet as read: headings, rows of text, and a Pattypan workbook's template."""

    headers: list[str]
    rows: list[list[str]]
    template_source: str | None = None
    # The spreadsheet row number of each row (the heading is row 1), for messages.
    numbers: list[int] = field(default_factory=list)
    # Row index → what went wrong reading that row (a value too long, too many values).
    row_errors: dict[int, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _unique(headers: list[str]) -> list[str]:
    """Return headings made unique: a second "Notes" becomes "Notes (2)"."""
    seen: dict[str, int] = {}
    unique: list[str] = []
    for header in headers:
        count = seen.get(header, 0) + 1
        seen[header] = count
        unique.append(header if count == 1 else f"{header} ({count})")
    return unique


def read_sheet(path: Path, *, original_name: str, limits: Limits | None = None) -> Sheet:
    """Read a CSV (any encoding) or XLSX file, or a Pattypan workbook with its template.

    Formulas are never run: a workbook gives the values its program last computed, a CSV the
    text as written. Raises :class:`SheetError` for what cannot be read.
    """
    limits = limits or Limits.from_settings()
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            # read_bytes says it in words; read no more than one byte past the cap.
            with path.open("rb") as handle:
                read_bytes(handle.read(limits.max_bytes + 1), original_name, limits)
        data = path.read_bytes()
        template = None
        if data.startswith(b"PK\x03\x04"):
            template = workbook_template(xlsx_sheet_heads(data, limits))
        table = read_bytes(
            data, original_name, limits, sheet_index=0 if template is not None else None
        )
    except ImportFileError as exc:
        raise SheetError(exc.message) from None
    except OSError as exc:
        raise SheetError(
            _("The file %(name)s cannot be opened: %(reason)s")
            % {"name": Path(original_name).name, "reason": exc.strerror or exc}
        ) from None
    if template is not None and not template.strip():
        raise SheetError(
            _(
                "This looks like a Pattypan spreadsheet, but its “Template” sheet is empty. Put "
                "the page text in cell A1 of the second sheet."
            )
        )
    return Sheet(
        headers=_unique(table.headers),
        rows=[row.cells for row in table.rows],
        template_source=template,
        numbers=[row.number for row in table.rows],
        row_errors={i: row.errors for i, row in enumerate(table.rows) if row.errors},
        notes=table.notes,
    )


def rows_as_values(sheet: Sheet, mapping: Mapping[str, str]) -> list[dict[str, str]]:
    """Return every row as {field: text} through a mapping of headings to fields.

    Columns mapped to nothing are left out. Two columns mapped to one field: list fields
    (categories, depicts) join their values with ";", any other keeps the first non-empty one.
    """
    columns = [
        (index, mapping.get(header, IGNORE))
        for index, header in enumerate(sheet.headers)
        if mapping.get(header, IGNORE) != IGNORE
    ]
    result: list[dict[str, str]] = []
    for cells in sheet.rows:
        values: dict[str, str] = {}
        for index, key in columns:
            cell = cells[index].strip() if index < len(cells) else ""
            if key in values:
                if key in SEMICOLON_FIELDS and cell:
                    values[key] = f"{values[key]};{cell}" if values[key] else cell
                elif not values[key]:
                    values[key] = cell
            else:
                values[key] = cell
        result.append(values)
    return result
