"""Read an upload batch's metadata sheet (CSV, XLSX or a Pattypan workbook) into rows of text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlrd
from django.utils.translation import gettext as _

from hub.partners.spreadsheets import (
    ImportFileError,
    Limits,
    build_table,
    cell_text,
    read_bytes,
    xlsx_sheet_heads,
)
from hub.uploads.fields import IGNORE, SEMICOLON_FIELDS


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


def workbook_template(heads: list[tuple[str, str]]) -> str | None:
    """Return the template of a Pattypan workbook (sheet 2, cell A1), or None if it is not one.

    ``heads``: each sheet's title and first cell. Pattypan reads its sheets by position: the
    first holds the data, the second the wikitext, written with a leading apostrophe so that a
    spreadsheet program keeps it as text.
    """
    if len(heads) < 2:
        return None
    title, text = heads[1]
    if title.strip().lower() != "template" and "${" not in text and "<#" not in text:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text[1:] if text.startswith("'") else text


def sheet_heads(path: Path, limits: Limits | None = None) -> list[tuple[str, str]]:
    """Return each sheet's title and first cell of a workbook (.xlsx or .xls); [] otherwise."""
    limits = limits or Limits.from_settings()
    with path.open("rb") as handle:
        magic = handle.read(4)
    if path.stat().st_size > limits.max_bytes:
        return []
    if magic == OLE_MAGIC:
        return _read_xls(path.read_bytes(), limits)[1]
    if magic == b"PK\x03\x04":
        return xlsx_sheet_heads(path.read_bytes(), limits)
    return []


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
        if data.startswith(OLE_MAGIC):
            raw_rows, heads = _read_xls(data, limits)
            template = workbook_template(heads)
            notes = [] if template is not None or len(heads) < 2 else [_first_sheet_note(heads)]
            table = build_table(Path(original_name).name[:200], raw_rows, notes, limits)
        else:
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


OLE_MAGIC = b"\xd0\xcf\x11\xe0"


def _first_sheet_note(heads: list[tuple[str, str]]) -> str:
    return _("Only the first sheet, “%(sheet)s”, was read; the workbook has %(n)s sheets.") % {
        "sheet": heads[0][0],
        "n": len(heads),
    }


def _xls_cell(cell: Any, datemode: int) -> str:
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return cell_text(xlrd.xldate.xldate_as_datetime(cell.value, datemode))
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return cell_text(cell.value)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return cell_text(bool(cell.value))
    if cell.ctype in (xlrd.XL_CELL_ERROR, xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    return cell_text(cell.value)


def _read_xls(
    data: bytes, limits: Limits
) -> tuple[list[tuple[int, list[str]]], list[tuple[str, str]]]:
    """Return the first sheet's rows of an old Excel (.xls) workbook, as Pattypan writes them,
    and each sheet's title and first cell. Formulas give the value last computed, never run.
    """
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except Exception:  # noqa: BLE001 - any parser failure means "cannot read"
        raise ImportFileError(
            _(
                "This old Excel (.xls) workbook cannot be read: it may be protected by a password "
                "or damaged. Open it in a spreadsheet program and save it as .xlsx, without a "
                "password."
            )
        ) from None
    try:
        heads: list[tuple[str, str]] = []
        rows: list[tuple[int, list[str]]] = []
        for index in range(min(book.nsheets, 50)):
            sheet = book.sheet_by_index(index)
            first = sheet.cell(0, 0) if sheet.nrows and sheet.ncols else None
            heads.append((sheet.name, _xls_cell(first, book.datemode) if first else ""))
            if index == 0:
                for number in range(min(sheet.nrows, limits.max_rows + 2)):
                    cells = [
                        _xls_cell(c, book.datemode)
                        for c in sheet.row(number)[: limits.max_columns + 1]
                    ]
                    if any(c.strip() for c in cells):
                        rows.append((number + 1, cells))
            book.unload_sheet(index)
    finally:
        book.release_resources()
    return rows, heads


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
