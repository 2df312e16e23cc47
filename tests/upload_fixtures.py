"""What the upload tests share: Pattypan workbooks and metadata sheets built on the spot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import xlwt

PATTYPAN_TEMPLATES = (
    "Information",
    "Artwork",
    "Art Photo",
    "Book",
    "Map",
    "Musical work",
    "Photograph",
)


def pattypan_fields(fixtures_dir: Path, template: str) -> list[str]:
    """Return the column variables Pattypan's spreadsheet has for one of its templates."""
    layout = json.loads((fixtures_dir / "pattypan" / "templates_fields.json").read_text())
    return [f["name"] for f in layout[template]["fields"]]


def pattypan_source(fixtures_dir: Path, template: str) -> str:
    """Return the wikitext template Pattypan ships under that name."""
    layout = json.loads((fixtures_dir / "pattypan" / "templates_fields.json").read_text())
    return (fixtures_dir / "pattypan" / layout[template]["wikicode_file"]).read_text()


def pattypan_workbook(
    path: Path, *, headers: list[str], rows: list[list[Any]], template: str
) -> Path:
    """Write a workbook laid out as Pattypan writes it: "Data" then "Template" (wikitext in A1)."""
    workbook = openpyxl.Workbook()
    data = workbook.active
    assert data is not None
    data.title = "Data"
    data.append(headers)
    for row in rows:
        data.append(row)
    sheet = workbook.create_sheet("Template")
    sheet["A1"] = "'" + template
    workbook.save(path)
    return path


def xlsx_file(path: Path, rows: list[list[Any]]) -> Path:
    """Write a one-sheet workbook holding the rows."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def pattypan_xls(
    path: Path, *, headers: list[str], rows: list[list[Any]], template: str | None
) -> Path:
    """Write an old-Excel (.xls) workbook as Pattypan itself writes one: "Data", "Template".

    With no template, the second sheet is an ordinary one ("Lists").
    """
    workbook = xlwt.Workbook()
    data = workbook.add_sheet("Data")
    sheet = workbook.add_sheet("Template" if template is not None else "Lists")
    dates = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, row in enumerate([headers, *rows]):
        for c, value in enumerate(row):
            is_date = hasattr(value, "isoformat")
            data.write(r, c, value, dates) if is_date else data.write(r, c, value)
    sheet.write(0, 0, "'" + template if template is not None else "just a list")
    workbook.save(str(path))
    return path
