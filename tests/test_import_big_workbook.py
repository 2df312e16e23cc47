"""A workbook with far too many rows is refused while it streams, before any parser sizes it."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import openpyxl
import pytest
from django.test import override_settings

from hub.partners import imports, spreadsheets
from hub.partners.imports import ImportFileError

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def workbook_without_dimension(rows: int) -> bytes:
    """Return an XLSX whose only sheet has `rows` rows and no <dimension> element."""
    sheet = io.StringIO()
    sheet.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>')
    for number in range(1, rows + 1):
        sheet.write(f'<row r="{number}"><c><v>{number % 1000}</v></c></row>')
    sheet.write("</sheetData></worksheet>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org'
            '/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
            'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
            '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
            '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC_RELS}/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets><sheet name="S" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC_RELS}/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>',
        )
        archive.writestr("xl/worksheets/sheet1.xml", sheet.getvalue())
    return out.getvalue()


def test_a_million_row_workbook_is_refused_before_it_is_parsed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = workbook_without_dimension(1_000_000)
    assert len(data) < 5 * 1024 * 1024  # small enough to pass the upload's size cap

    def never(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the workbook was handed to the parser")

    # openpyxl would walk all million rows to size a sheet without a <dimension>.
    monkeypatch.setattr(spreadsheets.openpyxl, "load_workbook", never)
    with pytest.raises(ImportFileError, match="more than 10,000 rows"):
        imports.read_bytes(data, "big.xlsx")


@override_settings(HUB_IMPORT_MAX_ROWS=50)
def test_a_workbook_within_the_cap_without_dimension_is_read() -> None:
    table = imports.read_bytes(workbook_without_dimension(40), "small.xlsx")
    assert len(table.rows) == 39  # the first row is the heading
    assert openpyxl.DEFUSEDXML
