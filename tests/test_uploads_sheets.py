"""Batch upload: reading the metadata sheet (CSV, XLSX, Pattypan) and guessing its columns."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from hub.uploads.fields import FIELDS, guess_mapping, is_known_field, template_values
from hub.uploads.sheets import SheetError, read_sheet, rows_as_values
from tests.upload_fixtures import pattypan_workbook, pattypan_xls, xlsx_file


def test_pywikibot_ingestion_csv_maps_and_reads(fixtures_dir: Path) -> None:
    path = fixtures_dir / "uploads" / "pywikibot-csv-ingestion.csv"
    sheet = read_sheet(path, original_name=path.name)
    assert sheet.headers == [
        "description.en",
        "source",
        "author",
        "license",
        "set",
        "name",
        "url",
    ]
    mapping = guess_mapping(sheet.headers)
    assert mapping == {
        "description.en": "description_en",
        "source": "source",
        "author": "author",
        "license": "licence",
        "set": "extra:set",
        "name": "title",
        "url": "url",
    }
    [values] = rows_as_values(sheet, mapping)
    assert values["description_en"] == '"Sounds" icon'
    assert values["author"] == "KDE artists | Silstor"
    assert values["url"].endswith("/MP_sounds.png")
    assert values["licence"] == "LGPL"
    assert sheet.template_source is None


def test_guesses_languages_statements_and_pattypan_names() -> None:
    mapping = guess_mapping(
        [
            "path",
            "name",
            "Description (fr)",
            "caption_de",
            "Label:en",
            "sdc:P1071",
            "P180",
            "Creator QID",
            "Accession number",
            "Inventory number",
            "categories",
            "artwork_license",
            "Some heading!",
        ]
    )
    assert mapping == {
        "path": "file",
        "name": "title",
        "Description (fr)": "description_fr",
        "caption_de": "caption_de",
        "Label:en": "caption_en",
        "sdc:P1071": "sdc:P1071",
        "P180": "depicts",
        "Creator QID": "creator_qid",
        "Accession number": "accession_number",
        "Inventory number": "",  # accession_number is taken by the column before
        "categories": "categories",
        "artwork_license": "extra:artwork_license",
        "Some heading!": "",
    }
    assert all(is_known_field(key) for key in mapping.values())
    assert not is_known_field("description_")
    assert not is_known_field("sdc:Q5")
    assert "licence" in FIELDS


def test_xlsx_sheet_reads_values_never_formulas(tmp_path: Path) -> None:
    path = xlsx_file(
        tmp_path / "sheet.xlsx",
        [["File", "Title", "Date", "Notes"], ["a.jpg", '=HYPERLINK("x")', 1890, "=1+1"]],
    )
    workbook = openpyxl.load_workbook(path)
    workbook.active["B2"].data_type = "s"  # text that looks like a formula
    workbook.save(path)
    sheet = read_sheet(path, original_name="sheet.xlsx")
    [values] = rows_as_values(sheet, guess_mapping(sheet.headers))
    assert values["file"] == "a.jpg"
    assert values["title"] == '=HYPERLINK("x")'  # no file-name column: "Title" is the name
    assert values["date"] == "1890"
    assert values["notes"] == ""  # a formula with no stored value: never computed by the Hub
    assert sheet.numbers == [2]


def test_csv_in_another_encoding_with_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "fotos.csv"
    path.write_bytes(
        "Datei;Beschreibung (de);Lizenz\nMünster.jpg;Blick über den Dom;CC0\n".encode("cp1252")
    )
    sheet = read_sheet(path, original_name="fotos.csv")
    mapping = guess_mapping(sheet.headers)
    assert mapping["Beschreibung (de)"] == ""  # German headings are not guessed...
    mapping.update({"Datei": "file", "Beschreibung (de)": "description_de", "Lizenz": "licence"})
    [values] = rows_as_values(sheet, mapping)
    assert values == {
        "file": "Münster.jpg",
        "description_de": "Blick über den Dom",
        "licence": "CC0",
    }
    assert any("cp1252" in note or "1252" in note for note in sheet.notes)


def test_two_columns_for_categories_are_joined_and_duplicate_headings_kept(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("file,categories,Notes,Notes\na.jpg,Maps,x,y\n")
    sheet = read_sheet(path, original_name="s.csv")
    assert sheet.headers == ["file", "categories", "Notes", "Notes (2)"]
    [values] = rows_as_values(
        sheet, {"file": "file", "categories": "categories", "Notes": "categories", "Notes (2)": ""}
    )
    assert values == {"file": "a.jpg", "categories": "Maps;x"}


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "old Excel"),
        (b"%PDF-1.4 hello", "PDF"),
    ],
)
def test_unreadable_sheets_say_why(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "sheet.bin"
    path.write_bytes(content)
    with pytest.raises(SheetError, match=words):
        read_sheet(path, original_name="sheet.xls")


def test_a_sheet_over_the_size_cap_is_refused_before_it_is_read(
    tmp_path: Path, settings: object
) -> None:
    settings.HUB_IMPORT_MAX_BYTES = 100  # type: ignore[attr-defined]
    path = tmp_path / "big.csv"
    path.write_text("file,title\n" + "a.jpg,A\n" * 100)
    with pytest.raises(SheetError, match="larger than"):
        read_sheet(path, original_name="big.csv")


def test_pattypan_workbook_gives_its_data_and_template(tmp_path: Path) -> None:
    path = pattypan_workbook(
        tmp_path / "pattypan.xlsx",
        headers=["path", "name", "description", "license", "categories"],
        rows=[["C:\\photos\\a.jpg", "A view", "A view of the hill", "{{cc-zero}}", "Hills"]],
        template="{{Information\n |description = ${description}\n}}\n${license}",
    )
    sheet = read_sheet(path, original_name="pattypan.xlsx")
    assert sheet.template_source == "{{Information\n |description = ${description}\n}}\n${license}"
    assert sheet.notes == []
    [values] = rows_as_values(sheet, guess_mapping(sheet.headers))
    assert values["file"] == "C:\\photos\\a.jpg"
    context = template_values(values)
    assert (context["license"], context["name"], context["path"]) == (
        "{{cc-zero}}",
        "A view",
        "C:\\photos\\a.jpg",
    )


def test_an_ordinary_two_sheet_workbook_is_not_taken_for_pattypan(tmp_path: Path) -> None:
    path = xlsx_file(tmp_path / "two.xlsx", [["file", "title"], ["a.jpg", "A"]])
    workbook = openpyxl.load_workbook(path)
    workbook.create_sheet("Lists")["A1"] = "just a list"
    workbook.save(path)
    sheet = read_sheet(path, original_name="two.xlsx")
    assert sheet.template_source is None
    assert any("first sheet" in note for note in sheet.notes)


def test_an_old_excel_sheet_is_read_too(tmp_path: Path) -> None:
    path = pattypan_xls(
        tmp_path / "list.xls",
        headers=["File", "Title", "Date"],
        rows=[["a.jpg", "A hill", 1890.0]],
        template=None,
    )
    sheet = read_sheet(path, original_name="list.xls")
    assert sheet.template_source is None
    [values] = rows_as_values(sheet, guess_mapping(sheet.headers))
    assert values == {"file": "a.jpg", "title": "A hill", "date": "1890"}
    assert any("first sheet" in note for note in sheet.notes)


def test_a_pattypan_workbook_with_an_empty_template_says_so(tmp_path: Path) -> None:
    path = pattypan_xls(tmp_path / "p.xls", headers=["path", "name"], rows=[], template="")
    with pytest.raises(SheetError, match="“Template” sheet is empty"):
        read_sheet(path, original_name="p.xls")


def test_title_is_the_file_name_unless_another_column_is() -> None:
    assert guess_mapping(["File", "Title"]) == {"File": "file", "Title": "title"}
    assert guess_mapping(["name", "title"]) == {"name": "title", "title": "object_title"}
    assert guess_mapping(["File name", "Commons title", "Title"])["Title"] == "object_title"
