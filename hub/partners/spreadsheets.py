"""Read CSV and XLSX files safely into rows of text: encodings, separators, caps, zip bombs."""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import openpyxl
from django.conf import settings
from django.utils.translation import gettext as _

from hub.core.exports import ESCAPE_PREFIX, FORMULA_TRIGGERS
from hub.partners.encodings import guess_encoding, looks_binary, sniff_delimiter

# ---------------------------------------------------------------------------------------------
# Limits and errors
# ---------------------------------------------------------------------------------------------

# An XLSX is a zip of XML; real workbooks compress about 5-30 times. A part that unpacks more
# than this many times its packed size, once it is big enough to matter, is a zip bomb.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECK_FROM_BYTES = 1024 * 1024
MAX_ZIP_MEMBERS = 2000
# csv refuses a field longer than this; anything near it is far beyond the cell cap anyway.
CSV_FIELD_LIMIT = 131_072


@dataclass(frozen=True)
class Limits:
    """The caps that keep one file from exhausting the server."""

    max_bytes: int
    max_rows: int
    max_columns: int
    max_cell_chars: int
    max_unzipped_bytes: int

    @classmethod
    def from_settings(cls) -> Limits:
        """Return the caps configured in settings."""
        max_bytes = settings.HUB_IMPORT_MAX_BYTES
        return cls(
            max_bytes=max_bytes,
            max_rows=settings.HUB_IMPORT_MAX_ROWS,
            max_columns=settings.HUB_IMPORT_MAX_COLUMNS,
            max_cell_chars=settings.HUB_IMPORT_MAX_CELL_CHARS,
            max_unzipped_bytes=getattr(
                settings, "HUB_IMPORT_MAX_UNZIPPED_BYTES", max(10 * max_bytes, 20 * 1024 * 1024)
            ),
        )


class ImportFileError(Exception):
    """The file cannot be read at all; the message says why in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


# ---------------------------------------------------------------------------------------------
# Reading files
# ---------------------------------------------------------------------------------------------


@dataclass
class SourceRow:
    """One data row as read from the file: its spreadsheet row number and its cells as text."""

    number: int
    cells: list[str]
    errors: list[str] = field(default_factory=list)


@dataclass
class Table:
    """A file read into text cells: the header row, the data rows, and notes about reading."""

    filename: str
    headers: list[str]
    rows: list[SourceRow]
    notes: list[str] = field(default_factory=list)


def read_path(
    path: str | Path, limits: Limits | None = None, *, sheet_index: int | None = None
) -> Table:
    """Read a CSV or XLSX file from disk, refusing it before reading if it is too big."""
    limits = limits or Limits.from_settings()
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportFileError(
            _("The file %(name)s cannot be opened: %(reason)s")
            % {"name": path.name, "reason": exc.strerror or exc}
        ) from None
    _check_size(size, limits)
    with path.open("rb") as handle:
        return read_file(handle, path.name, limits, sheet_index=sheet_index)


def read_file(
    handle: IO[bytes],
    filename: str,
    limits: Limits | None = None,
    *,
    sheet_index: int | None = None,
) -> Table:
    """Read an open CSV or XLSX file; never read more than the byte cap."""
    limits = limits or Limits.from_settings()
    data = handle.read(limits.max_bytes + 1)
    return read_bytes(data, filename, limits, sheet_index=sheet_index)


def read_bytes(
    data: bytes, filename: str, limits: Limits | None = None, *, sheet_index: int | None = None
) -> Table:
    """Read the bytes of a CSV or XLSX file into a table of text cells.

    ``sheet_index``: read that sheet of a workbook (by position) instead of the first visible one.
    """
    limits = limits or Limits.from_settings()
    filename = Path(filename or "upload").name[:200]
    _check_size(len(data), limits)
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    if data.startswith(b"PK\x03\x04"):
        raw_rows, notes = _read_xlsx(data, limits, sheet_index=sheet_index)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            _(
                "This is an old Excel (.xls) file or a password-protected workbook. Open it in a "
                "spreadsheet program and save it as .xlsx or as CSV (UTF-8), without a password."
            )
        )
    elif data.startswith(b"%PDF"):
        raise ImportFileError(_("This is a PDF, not a spreadsheet. Upload a CSV or XLSX file."))
    else:
        raw_rows, notes = _read_csv(data, limits)
    return build_table(filename, raw_rows, notes, limits)


def _check_size(size: int, limits: Limits) -> None:
    if size > limits.max_bytes:
        raise ImportFileError(
            _(
                "The file is larger than %(max)s MB, the most the Hub accepts. Split it into "
                "smaller files or remove columns you do not need."
            )
            % {"max": _megabytes(limits.max_bytes)}
        )


# --- CSV ------------------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _decode(data: bytes) -> tuple[str, list[str]]:
    """Return the text of a CSV file and notes on how it was decoded."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), []
            except UnicodeDecodeError:
                raise ImportFileError(
                    _(
                        "The file starts with a %(encoding)s marker but is not valid %(encoding)s. "
                        "Save it again as CSV (UTF-8)."
                    )
                    % {"encoding": encoding.upper().replace("-SIG", "")}
                ) from None
    if b"\x00" in data:
        raise ImportFileError(
            _(
                "The file contains binary data: it is not a CSV text file (or it is UTF-16 without "
                "a byte-order mark). Save it as CSV (UTF-8) or XLSX."
            )
        )
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    encoding, text = guess_encoding(data)
    if not encoding:
        raise ImportFileError(
            _(
                "The Hub cannot tell which character encoding this file uses. Save it as CSV "
                "(UTF-8) and upload it again."
            )
        )
    note = _(
        "The file is not UTF-8; it was read as %(encoding)s. Check that accented letters look "
        "right below; if they do not, save the file as CSV (UTF-8)."
    ) % {"encoding": encoding}
    return text, [note]


# Latin-script encodings spreadsheet programs write when not asked for UTF-8: Western and
# Central European, Turkish, Baltic, old Macs. Statistical detection misreads short Latin text
# (as Korean, say), so these are judged by whether their words look like words.
def _read_csv(data: bytes, limits: Limits) -> tuple[list[tuple[int, list[Any]]], list[str]]:
    text, notes = _decode(data)
    if text.startswith("\ufeff"):
        text = text[1:]
    if looks_binary(text):
        raise ImportFileError(
            _(
                "The file does not look like a spreadsheet: it contains control characters or "
                "binary data. Upload a CSV (UTF-8) or XLSX file."
            )
        )
    delimiter = sniff_delimiter(text)
    if delimiter != ",":
        names = {";": _("semicolons"), "\t": _("tabs"), "|": _("vertical bars")}
        notes.append(_("Columns are separated by %(sep)s.") % {"sep": names[delimiter]})
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    rows: list[tuple[int, list[Any]]] = []
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            if any(c.strip() for c in cells):
                rows.append((number, [_unescape(c) for c in cells]))
                if len(rows) > limits.max_rows + 1:
                    raise _too_many_rows(limits)
    except csv.Error as exc:
        if "field larger" in str(exc):
            raise ImportFileError(
                _(
                    "Row %(row)s has a value longer than %(limit)s characters; the Hub reads at "
                    "most %(max)s characters in a cell."
                )
                % {
                    "row": number + 1,
                    "limit": f"{CSV_FIELD_LIMIT:,}",
                    "max": f"{limits.max_cell_chars:,}",
                }
            ) from None
        raise ImportFileError(
            _("Row %(row)s cannot be read as CSV: %(reason)s") % {"row": number + 1, "reason": exc}
        ) from None
    return rows, notes


def _unescape(cell: str) -> str:
    """Return a cell as it was before the Hub's CSV export guarded it against formulas."""
    if len(cell) > 1 and cell[0] == ESCAPE_PREFIX and cell[1] in FORMULA_TRIGGERS | {"'"}:
        return cell[1:]
    return cell


def _too_many_rows(limits: Limits) -> ImportFileError:
    return ImportFileError(
        _(
            "The file has more than %(max)s rows, the most the Hub imports at once. Split it into "
            "smaller files."
        )
        % {"max": f"{limits.max_rows:,}"}
    )


# --- XLSX -----------------------------------------------------------------------------------


def _check_zip(data: bytes, limits: Limits) -> None:
    """Refuse a zip that would unpack too big, too suddenly, or carry XML entity declarations.

    Only the zip's directory is read first: sizes and ratios are judged before anything is
    decompressed. Python's zipfile stops at the declared size and checks the CRC, so a member
    that lies about its size fails instead of growing.
    """
    damaged = _(
        "The file looks like an Excel workbook but is damaged. Open it in a spreadsheet "
        "program, save it again as .xlsx, and upload it again."
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFileError(damaged) from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise ImportFileError(damaged)
        total = sum(m.file_size for m in members)
        too_big = _(
            "The workbook would unpack to %(size)s MB, more than the %(max)s MB the Hub accepts "
            "(or it is a “zip bomb”). Save the sheet you need as CSV and upload that."
        )
        if total > limits.max_unzipped_bytes:
            raise ImportFileError(
                too_big % {"size": _megabytes(total), "max": _megabytes(limits.max_unzipped_bytes)}
            )
        for member in members:
            if member.file_size > RATIO_CHECK_FROM_BYTES and (
                member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1)
            ):
                raise ImportFileError(
                    _(
                        "Part of the workbook is compressed %(ratio)s times, which only happens in "
                        "a “zip bomb”. The Hub refuses it. Save the sheet you need as CSV."
                    )
                    % {"ratio": f"{member.file_size // max(member.compress_size, 1):,}"}
                )
        names = {m.filename for m in members}
        if "[Content_Types].xml" not in names:
            if "mimetype" in names and b"opendocument" in archive.read("mimetype")[:100]:
                raise ImportFileError(
                    _(
                        "This is an OpenDocument spreadsheet (.ods). Save it as .xlsx or as CSV "
                        "(UTF-8) and upload it again."
                    )
                )
            raise ImportFileError(
                _("This is a zip file, not an Excel workbook. Upload a CSV or XLSX file.")
            )
        try:
            for member in members:
                if member.filename.lower().endswith((".xml", ".rels", ".vml")):
                    _scan_part(archive, member, limits)
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            OSError,
            EOFError,
            ValueError,
            NotImplementedError,
            RuntimeError,
        ):
            raise ImportFileError(damaged) from None


_ROW_TAG_RE = re.compile(rb"<(?:\w+:)?row[\s>/]")


def _most_row_tags(limits: Limits) -> int:
    """Return how many rows, empty or not, a sheet may have: reading stops past this anyway."""
    return 4 * (limits.max_rows + 1) + 1000


def _scan_part(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limits: Limits) -> None:
    """Refuse a part that declares a DTD or entities (the "billion laughs" attack), or a sheet
    with far more rows than the Hub imports.

    openpyxl parses through defusedxml, which forbids entities too; this check refuses the
    file with a clear message before any parser sees it. Rows are counted while the part
    streams by, and the count stops at the cap: openpyxl would otherwise walk every row of a
    sheet without a <dimension> element just to size it (seconds for a million rows).
    """
    is_sheet = member.filename.lower().startswith("xl/worksheets/")
    rows, most_rows = 0, _most_row_tags(limits)
    tail = b""
    with archive.open(member) as stream:
        while chunk := stream.read(1024 * 1024):
            if is_sheet:
                rows += len(_ROW_TAG_RE.findall(tail + chunk)) - len(_ROW_TAG_RE.findall(tail))
                if rows > most_rows:
                    raise _too_many_rows(limits)
            window = (tail + chunk).replace(b"\x00", b"").lower()
            if b"<!doctype" in window or b"<!entity" in window:
                raise ImportFileError(
                    _(
                        "The workbook contains XML declarations (a DTD or entities) that the Hub "
                        "refuses for safety. Save the sheet as CSV, or as a new .xlsx file, and "
                        "upload it again."
                    )
                )
            tail = chunk[-32:]


def cell_text(value: Any) -> str:
    """Return the text of a cell value: dates as ISO dates, whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


@contextlib.contextmanager
def _open_workbook(data: bytes, limits: Limits) -> Iterator[Any]:
    """Open a checked workbook read-only, turning any parser failure into plain words."""
    _check_zip(data, limits)
    if not openpyxl.DEFUSEDXML:
        # openpyxl falls back to the standard library parser when defusedxml is missing or
        # OPENPYXL_DEFUSEDXML is not "True": refuse rather than parse unsafely.
        raise ImportFileError(
            _("The Hub cannot read XLSX files safely on this server. Upload a CSV file instead.")
        )
    workbook = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # read_only streams rows; data_only gives the values Excel last computed, never a
            # formula to evaluate; keep_links=False leaves external workbooks alone.
            workbook = openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=True, keep_links=False
            )
            yield workbook
    except ImportFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure means "cannot read"
        name = type(exc).__name__
        causes: set[str] = set()
        link: BaseException | None = exc
        while link is not None and len(causes) < 10:
            causes.add(type(link).__name__)
            link = link.__cause__ or link.__context__
        if causes & {"EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden"}:
            raise ImportFileError(
                _(
                    "The workbook contains XML declarations (a DTD or entities) that the Hub "
                    "refuses for safety. Save the sheet as CSV and upload it again."
                )
            ) from None
        raise ImportFileError(
            _(
                "The workbook cannot be read (%(reason)s). Open it in a spreadsheet program, save "
                "it again as .xlsx or as CSV (UTF-8), and upload it again."
            )
            % {"reason": name}
        ) from None
    finally:
        if workbook is not None:
            workbook.close()


def _read_xlsx(
    data: bytes, limits: Limits, *, sheet_index: int | None = None
) -> tuple[list[tuple[int, list[Any]]], list[str]]:
    """Return the rows of one sheet: the first visible one, or the one at ``sheet_index``."""
    notes: list[str] = []
    rows: list[tuple[int, list[Any]]] = []
    with _open_workbook(data, limits) as workbook:
        if sheet_index is None:
            sheets = [s for s in workbook.worksheets if s.sheet_state == "visible"]
            if not sheets:
                raise ImportFileError(_("The workbook has no visible sheet."))
            sheet = sheets[0]
            if len(workbook.worksheets) > 1:
                notes.append(
                    _("Only the first sheet, “%(sheet)s”, was read; the workbook has %(n)s sheets.")
                    % {"sheet": sheet.title, "n": len(workbook.worksheets)}
                )
        else:  # the caller knows the sheet is there (xlsx_sheet_heads)
            sheet = workbook.worksheets[sheet_index]
        last_allowed = limits.max_rows + 1
        for number, values in enumerate(
            sheet.iter_rows(values_only=True, max_col=limits.max_columns + 1), start=1
        ):
            cells = [cell_text(v) for v in values]
            if any(c.strip() for c in cells):
                rows.append((number, cells))
                if len(rows) > last_allowed:
                    raise _too_many_rows(limits)
            elif number > _most_row_tags(limits):
                # Millions of empty rows before any content: stop walking them.
                break
    return rows, notes


def xlsx_sheet_heads(data: bytes, limits: Limits | None = None) -> list[tuple[str, str]]:
    """Return each sheet's title and the text of its cell A1 as it is (line breaks kept)."""
    limits = limits or Limits.from_settings()
    heads: list[tuple[str, str]] = []
    with _open_workbook(data, limits) as workbook:
        for sheet in workbook.worksheets[:50]:
            first = next(sheet.iter_rows(max_row=1, max_col=1, values_only=True), (None,))
            text = cell_text(first[0] if first else None)[: limits.max_cell_chars]
            heads.append((str(sheet.title), text))
    return heads


# --- Cells into a table ---------------------------------------------------------------------

_BIDI_CONTROLS = dict.fromkeys(
    [0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0xFEFF]
)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_cell(value: Any) -> str:
    """Return a cell as tidy text: NFC, no control or bidi-override characters, trimmed."""
    text = unicodedata.normalize("NFC", str(value if value is not None else ""))
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_BIDI_CONTROLS)
    return _CONTROL_RE.sub("", text).strip()


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def build_table(
    filename: str, raw_rows: list[tuple[int, list[Any]]], notes: list[str], limits: Limits
) -> Table:
    """Return a table from (row number, cells) pairs: the first is the heading; caps checked."""
    if not raw_rows:
        raise ImportFileError(_("The file has no rows."))
    header_number, header_cells = raw_rows[0]
    headers = [clean_cell(c).replace("\n", " ") for c in header_cells]
    while headers and not headers[-1]:
        headers.pop()
    if len(headers) > limits.max_columns:
        raise ImportFileError(
            _(
                "The file has %(n)s or more columns; the Hub reads at most %(max)s. Remove the "
                "columns you do not need and upload it again."
            )
            % {"n": len(headers), "max": limits.max_columns}
        )
    headers = [
        h[:200] or _("Column %(letter)s") % {"letter": _column_letter(i)}
        for i, h in enumerate(headers)
    ]
    width = len(headers)
    if len(raw_rows) - 1 > limits.max_rows:
        raise _too_many_rows(limits)
    rows: list[SourceRow] = []
    short_rows: list[int] = []
    for number, raw in raw_rows[1:]:
        cells = [clean_cell(c) for c in raw]
        row = SourceRow(number=number, cells=[])
        extra = [c for c in cells[width:] if c]
        if extra:
            row.errors.append(
                _(
                    "This row has more values than the header row has columns (%(n)s values, "
                    "%(cols)s columns). A value may contain an unquoted separator, or a column "
                    "has no heading."
                )
                % {"n": len(cells), "cols": width}
            )
        if len(raw) < width:
            short_rows.append(number)
        cells = (cells + [""] * width)[:width]
        for index, cell in enumerate(cells):
            if len(cell) > limits.max_cell_chars:
                row.errors.append(
                    _(
                        "The value in “%(column)s” is %(n)s characters long; the Hub reads at "
                        "most %(max)s characters in a cell."
                    )
                    % {
                        "column": headers[index],
                        "n": f"{len(cell):,}",
                        "max": f"{limits.max_cell_chars:,}",
                    }
                )
                cells[index] = cell[: limits.max_cell_chars]
        row.cells = cells
        rows.append(row)
    if short_rows:
        shown = ", ".join(str(n) for n in short_rows[:10])
        if len(short_rows) > 10:
            shown += ", …"
        notes.append(
            _(
                "Some rows have fewer values than the header row (rows %(rows)s); the missing "
                "values were read as empty."
            )
            % {"rows": shown}
        )
    return Table(filename=filename, headers=headers, rows=rows, notes=notes)
