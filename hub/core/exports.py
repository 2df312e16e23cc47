"""Write rows to CSV and XLSX so that no cell can ever run as a spreadsheet formula."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.http import JsonResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.styles import Font

CellValue = str | int | float | Decimal | dt.date | dt.datetime | None

# A spreadsheet reads a cell that starts with one of these as a formula (or as the start of
# one: tab and CR are how a formula hides behind whitespace). The full-width forms are included
# because some spreadsheet locales fold them into their ASCII twins on entry.
FORMULA_TRIGGERS = frozenset("=+-@\t\r\0\uff1d\uff0b\uff0d\uff20")
# A leading apostrophe tells the spreadsheet "this is text". A value that already starts with
# one gets a second, so that unescaping is exact: unescape_csv_cell(escape_csv_cell(x)) == x.
ESCAPE_PREFIX = "'"
CSV_BOM = "\ufeff"
# Excel refuses a cell longer than this; openpyxl would cut it silently, we cut it openly.
XLSX_MAX_CELL_CHARS = 32_767
# XML 1.0 cannot carry these at all (C0 controls other than tab, LF and CR; U+FFFE/U+FFFF;
# lone surrogates), so an XLSX cell drops them. NUL is one of them.
XLSX_ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# OOXML strings escape characters as _xHHHH_ (ECMA-376 ST_Xstring). An XML parser turns a raw
# CR into LF, so CR travels as _x000D_; a literal "_" that a reader would take for the start of
# such an escape travels as _x005F_.
_XLSX_UNDERSCORE_RE = re.compile(r"_(?=x[0-9A-Fa-f]{4}[_\r])")
_CSV_CHUNK_ROWS = 500


def is_formula_like(text: str) -> bool:
    """Return True if a spreadsheet would treat text starting like this as a formula."""
    return bool(text) and text[0] in FORMULA_TRIGGERS


def escape_csv_cell(text: str) -> str:
    """Return text safe for a CSV cell: formula-like text (and text starting with ') gets a '."""
    if text and (text[0] in FORMULA_TRIGGERS or text[0] == ESCAPE_PREFIX):
        return ESCAPE_PREFIX + text
    return text


def unescape_csv_cell(text: str) -> str:
    """Return the original text of a cell escaped by escape_csv_cell."""
    return text[1:] if text.startswith(ESCAPE_PREFIX) else text


def _csv_text(value: CellValue) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return escape_csv_cell(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def iter_csv(rows: Iterable[Sequence[CellValue]], headers: Sequence[str]) -> Iterator[bytes]:
    """Yield a UTF-8 CSV (with a BOM, so Excel reads accents) in chunks, escaping every cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(CSV_BOM)
    writer.writerow([escape_csv_cell(h) for h in headers])
    for count, row in enumerate(rows, start=1):
        writer.writerow([_csv_text(value) for value in row])
        if count % _CSV_CHUNK_ROWS == 0:
            yield buffer.getvalue().encode("utf-8", errors="replace")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8", errors="replace")


def write_csv(rows: Iterable[Sequence[CellValue]], headers: Sequence[str]) -> bytes:
    """Return rows as a UTF-8 CSV with a BOM, every text cell escaped against formulas."""
    return b"".join(iter_csv(rows, headers))


def xlsx_text(text: str) -> str:
    """Return what an XLSX cell keeps of text: XML-illegal characters removed, Excel's cap."""
    return XLSX_ILLEGAL_RE.sub("", text)[:XLSX_MAX_CELL_CHARS]


def _ooxml_escape(text: str) -> str:
    return _XLSX_UNDERSCORE_RE.sub("_x005F_", text).replace("\r", "_x000D_")


def _xlsx_cell(sheet: object, value: CellValue, font: Font | None = None) -> Cell | CellValue:
    """Return what to append for one value: the value itself when openpyxl cannot misread it.

    A cell object per value costs openpyxl a third more time; only text that openpyxl would
    take for a formula or an error, text that looks like a formula to a person editing it, and
    styled cells get one.
    """
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        # Excel has no time zones: write the UTC wall-clock time.
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(value, str):
        text = xlsx_text(value)
        encoded = _ooxml_escape(text)
        formula_like = is_formula_like(text)
        if not (formula_like or font or encoded in ERROR_CODES or len(encoded) > len(text)):
            return encoded
        cell = WriteOnlyCell(sheet)
        # Bypass openpyxl's type guessing, which turns "=..." into a formula and "#N/A" into an
        # error: the cell is an inline string whatever it contains.
        cell._value = encoded
        cell.data_type = "s"
        if formula_like:
            # Excel's own "'" marker: the cell stays text even if someone edits and re-enters it.
            cell.quotePrefix = True
    elif font is not None:
        cell = WriteOnlyCell(sheet, value=value)
    else:
        return value
    if font is not None:
        cell.font = font
    return cell


def write_xlsx(
    rows: Iterable[Sequence[CellValue]], headers: Sequence[str], *, title: str = "Export"
) -> bytes:
    """Return rows as an XLSX workbook of one sheet, every text cell a string, never a formula.

    The workbook is written in openpyxl's write-only mode, so rows stream to a temporary file
    instead of building a tree of 100,000 rows in memory.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title)
    bold = Font(bold=True)
    sheet.append([_xlsx_cell(sheet, h, bold) for h in headers])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def personal_data_download(data: dict[str, Any], filename: str) -> JsonResponse:
    """Return a person's data as a JSON file to save, kept out of caches and search engines."""
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
