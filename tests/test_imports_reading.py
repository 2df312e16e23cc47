"""Import of organisations and contacts: reading CSV and XLSX files, and mapping their columns."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import time
import tracemalloc
import zipfile
from typing import Any

import defusedxml
import openpyxl
import pytest
from django.test import override_settings

from hub.partners import imports
from hub.partners.imports import ImportFileError
from hub.partners.models import Contact, Organisation
from tests.import_fixtures import csv_bytes, errors_of, import_bytes, plan_for


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    """Return a one-sheet workbook holding the rows."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def rewrite_zip(data: bytes, replace: dict[str, bytes]) -> bytes:
    """Return a copy of a zip with some members' contents replaced."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
    return out.getvalue()


# --- mapping ------------------------------------------------------------------------------------


def test_headers_map_case_insensitively_through_synonyms() -> None:
    headers = [
        "Player First Name",
        "FIRSTNAME",
        "organization_name",
        "Dads email",
        "Another email",
        "Country",
        "Do Not Mail",
        "Do not contact",
        "Job title",
        "Telephone",
        "Wikidata ID",
        "Birth Date",
        "expected",
        "Street Address",
    ]
    assert imports.guess_mapping(headers) == [
        "first_name",
        "ignore",
        "org_name",
        "email",
        "email_extra",
        "country",
        "ignore",
        "do_not_contact",
        "role",
        "phone",
        "wikidata_qid",
        "ignore",
        "ignore",
        "ignore",
    ]


def test_a_bare_name_column_means_an_organisation_unless_people_columns_exist() -> None:
    assert imports.guess_mapping(["Name", "Website"]) == ["org_name", "website"]
    assert imports.guess_mapping(["Name", "Email"]) == ["contact_name", "email"]


def test_the_user_can_override_the_mapping(affiliate_a: Any) -> None:
    data = csv_bytes(
        [["Institution", "Street Address", "Kind"], ["Archive of X", "1 Main St", "archive"]]
    )
    table = imports.read_bytes(data, "x.csv")
    mapping = imports.guess_mapping(table.headers)
    assert mapping == ["org_name", "ignore", "ignore"]
    mapping[1], mapping[2] = "description", "partner_type"
    imports.apply_import(actor=None, affiliate=affiliate_a, table=table, mapping=mapping)
    org = Organisation.objects.get()
    assert (org.description, org.partner_type) == ("1 Main St", "archive")


def test_a_mapping_with_one_field_twice_is_refused() -> None:
    problems = imports.check_mapping(["A", "B"], ["org_name", "org_name"])
    assert problems and "both go into" in problems[0]
    assert imports.check_mapping(["A"], ["ignore"])


# --- reading CSV --------------------------------------------------------------------------------


ROWS = [
    ["Organisation", "Country", "City"],
    ["Musée d'Orsay", "France", "Paris"],
    ["Biblioteca Nacional", "Côte d'Ivoire", "Abidjan"],
]


@pytest.mark.parametrize(
    ("data", "note"),
    [
        (csv_bytes(ROWS), None),
        (csv_bytes(ROWS, encoding="utf-8-sig"), None),
        (csv_bytes(ROWS, encoding="utf-16"), None),
        (csv_bytes(ROWS, delimiter=";"), "semicolons"),
        (csv_bytes(ROWS, delimiter="\t", encoding="utf-16"), "tabs"),
        (
            csv_bytes(
                ROWS + [["École nationale supérieure", "Sénégal", "Dakar"]],
                delimiter=";",
                encoding="cp1252",
            ),
            "not UTF-8",
        ),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "semicolons", "utf16-tabs", "cp1252"],
)
def test_csv_encodings_and_separators(data: bytes, note: str | None) -> None:
    table = imports.read_bytes(data, "partners.csv")
    assert table.headers == ["Organisation", "Country", "City"]
    assert table.rows[0].cells == ["Musée d'Orsay", "France", "Paris"]
    assert table.rows[1].cells[1] == "Côte d'Ivoire"
    if note:
        assert any(note in n for n in table.notes)


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Nazwa;Miasto\nBiblioteka Śląska;Katowice\nMuzeum Sztuki;Łódź\n", "cp1250"),
        ("Назва;Місто\nНаціональний музей;Київ\nБібліотека;Львів\n", "cp1251"),
        (
            "الاسم;المدينة\nالمكتبة الوطنية;الرباط\nالمعهد الملكي للثقافة الأمازيغية;الرباط\n",
            "cp1256",
        ),
        ("Nom,Ville\nMusée à Paris,Paris\n", "cp1252"),
    ],
)
def test_other_encodings_are_detected_and_said(text: str, encoding: str) -> None:
    table = imports.read_bytes(text.encode(encoding), "partners.csv")
    assert [table.headers, *[r.cells for r in table.rows]] == [
        next(csv.reader([line], delimiter=";" if ";" in line else ","))
        for line in text.splitlines()
    ]
    assert any(f"read as {encoding}" in n for n in table.notes)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (random.Random(0).randbytes(4096), "binary data"),
        (bytes(b for b in random.Random(1).randbytes(8192) if b), "encoding"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Excel"),
        (b"%PDF-1.4 ...", "PDF"),
        (b"   \n\n", "empty"),
        (codecs_utf8_bom_broken := b"\xef\xbb\xbfName\n\xff\xfe\n", "not valid UTF-8"),
        (b"a,b\x07\x07\x07\x07\x07\x07\n" * 3, "control characters"),
    ],
    ids=["garbage", "garbage-no-nul", "xls", "pdf", "empty", "broken-bom", "controls"],
)
def test_wrong_encodings_and_binary_garbage_are_refused_clearly(data: bytes, words: str) -> None:
    with pytest.raises(ImportFileError, match=words):
        imports.read_bytes(data, "upload.csv")


def test_ragged_rows_are_reported(affiliate_a: Any) -> None:
    data = b"Organisation,City\nA,Oslo,extra value\nB\nC,Bergen,,\n"
    table = imports.read_bytes(data, "x.csv")
    assert "more values than the header row" in table.rows[0].errors[0]
    assert table.rows[1].cells == ["B", ""]
    assert not table.rows[2].errors  # empty trailing values are harmless
    assert any("fewer values" in n and "3" in n for n in table.notes)
    plan = imports.plan_import(
        table=table, mapping=imports.guess_mapping(table.headers), affiliate=affiliate_a
    )
    assert [r.number for r in plan.rejected] == [2]


def test_huge_cells_are_rejected_per_row_or_refused(affiliate_a: Any) -> None:
    data = csv_bytes([["Organisation", "Description"], ["A", "x" * 20_000], ["B", "short"]])
    plan = plan_for(affiliate_a, data)
    assert "20,000 characters long" in errors_of(plan)[2]
    assert plan.rows[1].ok
    with pytest.raises(ImportFileError, match="longer than 131,072 characters"):
        imports.read_bytes(csv_bytes([["Organisation"], ["x" * 200_000]]), "x.csv")


def test_caps_on_bytes_rows_and_columns() -> None:
    with (
        override_settings(HUB_IMPORT_MAX_BYTES=100),
        pytest.raises(ImportFileError, match="larger than"),
    ):
        imports.read_bytes(b"Organisation\n" + b"A\n" * 100, "x.csv")
    with (
        override_settings(HUB_IMPORT_MAX_ROWS=5),
        pytest.raises(ImportFileError, match="more than 5 rows"),
    ):
        imports.read_bytes(b"Organisation\n" + b"A\n" * 6, "x.csv")
    with override_settings(HUB_IMPORT_MAX_ROWS=5):
        assert len(imports.read_bytes(b"Organisation\n" + b"A\n" * 5, "x.csv").rows) == 5
    with (
        override_settings(HUB_IMPORT_MAX_COLUMNS=3),
        pytest.raises(ImportFileError, match="at most 3"),
    ):
        imports.read_bytes(b"a,b,c,d\n1,2,3,4\n", "x.csv")
    with (
        override_settings(HUB_IMPORT_MAX_ROWS=5),
        pytest.raises(ImportFileError, match="more than 5 rows"),
    ):
        imports.read_bytes(xlsx_bytes([["Organisation"]] + [["A"]] * 6), "x.xlsx")


def test_formulas_and_html_are_kept_as_plain_text(affiliate_a: Any) -> None:
    data = csv_bytes(
        [
            ["Organisation", "Description", "Name", "Notes"],
            [
                "<script>alert(1)</script>",
                '=HYPERLINK("http://evil.example","click")',
                "<b>Bold</b> Person",
                "+cmd|' /C calc'!A0",
            ],
        ]
    )
    import_bytes(affiliate_a, data)
    org = Organisation.objects.get()
    assert org.name == "<script>alert(1)</script>"
    assert org.description == '=HYPERLINK("http://evil.example","click")'
    contact = Contact.objects.get()
    assert contact.name == "<b>Bold</b> Person"
    assert contact.notes == "+cmd|' /C calc'!A0"


def test_control_and_bidi_override_characters_are_removed_from_cells() -> None:
    assert imports.clean_cell("  A\u202eB\x07C\r\nD  ") == "ABC\nD"
    assert imports.clean_cell("Cafe\u0301") == "Café"


# --- reading XLSX -------------------------------------------------------------------------------


def test_xlsx_happy_path_with_dates_numbers_and_formula_text(affiliate_a: Any) -> None:
    data = xlsx_bytes(
        [
            [
                "Organisation",
                "Country",
                "First name",
                "Last name",
                "E-mail",
                "Phone",
                "Date of consent",
                "Notes",
            ],
            [
                "Museu Nacional",
                "BR",
                "Maria",
                "Silva",
                "maria@museu.example",
                5521999998888,
                dt.date(2024, 5, 17),
                "'=1+1",
            ],
            ["Museu Nacional", "Brazil", "João", "Souza", "joao@museu.example", None, 45123, None],
        ]
    )
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook.active
    assert sheet is not None
    sheet["H3"].value = "=SUM(1,1)"
    sheet["H3"].data_type = "s"  # a text cell that looks like a formula
    sheet["I1"], sheet["I2"] = "Computed", "=1+1"  # a real formula, never run by the Hub
    out = io.BytesIO()
    workbook.save(out)

    counts = import_bytes(affiliate_a, out.getvalue(), "partners.xlsx")
    assert (counts.organisations, counts.contacts) == (1, 2)
    org = Organisation.objects.get()
    assert (org.name, org.country.code) == ("Museu Nacional", "BR")
    maria = Contact.objects.get(name="Maria Silva")
    assert maria.phone == "5521999998888"
    assert maria.legal_basis_date == dt.date(2024, 5, 17)
    assert maria.notes == "'=1+1"
    joao = Contact.objects.get(name="João Souza")
    assert joao.legal_basis_date == dt.date(2023, 7, 16)
    assert joao.notes == "=SUM(1,1)"
    table = imports.read_bytes(out.getvalue(), "partners.xlsx")
    # data_only: the Hub reads the value Excel stored, never the formula; there is none here.
    assert table.rows[0].cells[8] == ""
    assert (
        "Computed"
        in imports.plan_import(
            table=table, mapping=imports.guess_mapping(table.headers), affiliate=affiliate_a
        ).ignored_columns
    )


def _zip_bomb(unpacked_bytes: int) -> bytes:
    """Return a valid workbook with one extra part of zeros that packs about 1000:1."""
    base = xlsx_bytes([["Organisation"], ["A"]])
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        with dst.open("xl/media/bomb.xml", "w") as stream:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(unpacked_bytes // len(chunk)):
                stream.write(chunk)
    return out.getvalue()


def test_a_zip_bomb_is_refused_quickly_without_unpacking_it() -> None:
    bomb = _zip_bomb(200 * 1024 * 1024)
    assert len(bomb) < 1024 * 1024
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(ImportFileError, match="unpack to 200 MB"):
        imports.read_bytes(bomb, "bomb.xlsx")
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 1.0
    assert peak < 10 * 1024 * 1024


def test_a_small_part_compressed_too_many_times_is_refused() -> None:
    with pytest.raises(ImportFileError, match="zip bomb"):
        imports.read_bytes(_zip_bomb(8 * 1024 * 1024), "bomb.xlsx")


BILLION_LAUGHS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>
"""


def test_an_entity_expansion_workbook_is_refused() -> None:
    bomb = rewrite_zip(
        xlsx_bytes([["Organisation"], ["A"]]), {"xl/worksheets/sheet1.xml": BILLION_LAUGHS}
    )
    with pytest.raises(ImportFileError, match="DTD or entities"):
        imports.read_bytes(bomb, "laughs.xlsx")


def test_openpyxl_parses_through_defusedxml_even_without_our_check() -> None:
    assert openpyxl.DEFUSEDXML is True
    bomb = rewrite_zip(
        xlsx_bytes([["Organisation"], ["A"]]), {"xl/worksheets/sheet1.xml": BILLION_LAUGHS}
    )
    with pytest.raises(ValueError, match="invalid XML") as caught:
        openpyxl.load_workbook(io.BytesIO(bomb), read_only=True, data_only=True)
    assert isinstance(caught.value.__cause__, defusedxml.EntitiesForbidden)


def test_damaged_workbooks_and_other_zips_are_refused() -> None:
    good = xlsx_bytes([["Organisation"], ["A"]])
    with pytest.raises(ImportFileError, match="damaged"):
        imports.read_bytes(good[: len(good) // 2], "half.xlsx")
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(ImportFileError, match="not an Excel workbook"):
        imports.read_bytes(plain_zip.getvalue(), "x.xlsx")
    ods = io.BytesIO()
    with zipfile.ZipFile(ods, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    with pytest.raises(ImportFileError, match="OpenDocument"):
        imports.read_bytes(ods.getvalue(), "x.ods")
    broken = rewrite_zip(good, {"xl/workbook.xml": b"<not xml"})
    with pytest.raises(ImportFileError, match="cannot be read"):
        imports.read_bytes(broken, "x.xlsx")


def test_only_the_first_sheet_is_read_and_that_is_said() -> None:
    workbook = openpyxl.Workbook()
    first = workbook.active
    assert first is not None
    first.append(["Organisation"])
    first.append(["A"])
    workbook.create_sheet("Other").append(["Unrelated"])
    out = io.BytesIO()
    workbook.save(out)
    table = imports.read_bytes(out.getvalue(), "x.xlsx")
    assert [r.cells for r in table.rows] == [["A"]]
    assert any("first sheet" in n for n in table.notes)
