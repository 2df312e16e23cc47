"""Import of organisations and contacts from CSV and XLSX: reading, mapping, rows, writing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import time
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import defusedxml
import openpyxl
import pytest
from django.test import override_settings

from hub.core.models import AuditEvent
from hub.partners import imports
from hub.partners.imports import ImportFileError, ImportRejected
from hub.partners.models import Contact, ContactEmail, Organisation, PartnerType
from tests import factories

# What each shared fixture file must come to: (rows imported, rows rejected). A new file in
# the folder fails the test until someone decides what it should give.
FIXTURE_VERDICTS = {
    "column_names_casing.csv": (1, 0),
    "individual_dates_type1.csv": (7, 0),
    "individual_invalid_email.csv": (0, 1),
    "individual_invalid_missing_name.csv": (0, 1),
    "individual_unicode.csv": (1, 0),
    "individual_valid_basic.csv": (1, 0),
    "organization_multiple_duplicates_invalid.csv": (2, 1),
}


def csv_bytes(rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    """Return rows written as CSV text in the given encoding."""
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


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


# --- the real files from another CRM's import tests ------------------------------------------


def test_every_fixture_file_goes_through_with_a_verdict_per_row(
    affiliate_a: Any, fixtures_dir: Path
) -> None:
    files = sorted((fixtures_dir / "crm-import").iterdir())
    assert {f.name for f in files} == set(FIXTURE_VERDICTS)
    for path in files:
        table = imports.read_path(path)
        mapping = imports.guess_mapping(table.headers)
        plan = imports.plan_import(table=table, mapping=mapping, affiliate=affiliate_a)
        assert len(plan.rows) == len(table.rows) > 0, path.name
        for row in plan.rows:
            # Imported, or rejected with a reason in words.
            assert row.ok or all(len(e) > 10 for e in row.errors), (path.name, row)
        assert (len(plan.accepted), len(plan.rejected)) == FIXTURE_VERDICTS[path.name], path.name
        # Every column the Hub does not keep is named, never silently dropped.
        kept = {h for h, t in zip(table.headers, mapping, strict=True) if t != imports.IGNORE}
        assert set(plan.ignored_columns) == set(table.headers) - kept, path.name
        if plan.is_valid:
            counts = imports.apply_import(
                actor=None, affiliate=affiliate_a, table=table, mapping=mapping
            )
            assert counts.rows == len(plan.rows)
        else:
            before = (Organisation.objects.count(), Contact.objects.count())
            with pytest.raises(ImportRejected):
                imports.apply_import(
                    actor=None, affiliate=affiliate_a, table=table, mapping=mapping
                )
            assert (Organisation.objects.count(), Contact.objects.count()) == before


def test_fixture_ignored_columns_are_the_ones_the_hub_does_not_keep(fixtures_dir: Path) -> None:
    folder = fixtures_dir / "crm-import"
    casing = imports.read_path(folder / "column_names_casing.csv")
    assert imports.guess_mapping(casing.headers) == [
        "first_name",
        "last_name",
        "ignore",
        "ignore",
        "ignore",
        "ignore",
    ]
    dates = imports.read_path(folder / "individual_dates_type1.csv")
    ignored = [
        h
        for h, t in zip(dates.headers, imports.guess_mapping(dates.headers), strict=True)
        if t == imports.IGNORE
    ]
    assert ignored == [
        "Birth Date",
        "Deceased Date",
        "Custom Date One",
        "Custom Date Two",
        "Street Address",
        "Type",
        "expected",
    ]


def _looks_like_a_bad_date(value: str) -> bool:
    """Return True for a cell that is meant as a date but is not one (e.g. month 25)."""
    try:
        imports.parse_date(value)
    except imports.DateError:
        return True
    return False


def test_dates_fixture_agrees_with_expected_wherever_a_kept_column_decides(
    affiliate_a: Any, fixtures_dir: Path
) -> None:
    path = fixtures_dir / "crm-import" / "individual_dates_type1.csv"
    table = imports.read_path(path)
    mapping = imports.guess_mapping(table.headers)
    plan = imports.plan_import(table=table, mapping=mapping, affiliate=affiliate_a)
    kept = {h for h, t in zip(table.headers, mapping, strict=True) if t != imports.IGNORE}
    date_columns = ["Birth Date", "Deceased Date", "Custom Date One", "Custom Date Two"]
    with path.open(encoding="utf-8", newline="") as handle:
        answer_key = list(csv.DictReader(handle))
    assert len(answer_key) == len(plan.rows)
    decided_by_kept_column = 0
    for source, row in zip(answer_key, plan.rows, strict=True):
        bad_columns = {c for c in date_columns if _looks_like_a_bad_date(source[c])}
        expected_valid = source["expected"] == "Valid"
        # The answer key judges each row on its dates; its "Invalid" rows each have exactly
        # one impossible date (month 25), in a column the Hub reads dates from nowhere.
        assert expected_valid == (not bad_columns)
        if bad_columns <= kept:
            # Validity turns on what we keep (here: names, and no bad date at all): agree.
            decided_by_kept_column += 1
            assert row.ok == expected_valid, row
        else:
            # Validity turns only on birth, death and custom dates, which the Hub does not
            # keep: we ignore those columns (listed as ignored, never validated), so the row is
            # imported. Asserting "rejected" here would mean validating data we then throw away.
            assert bad_columns.isdisjoint(kept)
            assert bad_columns <= set(plan.ignored_columns)
            assert row.ok, row
    assert decided_by_kept_column == 3
    # The dates the answer key calls valid are dates our parser reads, all the same day.
    assert {imports.parse_date(v) for v in ("2008-09-01", "20080901", "2008-9-1 ")} == {
        dt.date(2008, 9, 1)
    }


def test_invalid_email_fixture_is_rejected_for_its_email(
    affiliate_a: Any, fixtures_dir: Path
) -> None:
    table = imports.read_path(fixtures_dir / "crm-import" / "individual_invalid_email.csv")
    plan = imports.plan_import(
        table=table, mapping=imports.guess_mapping(table.headers), affiliate=affiliate_a
    )
    assert [r.error_line() for r in plan.rejected] == [
        "Row 2: “joseph-email.com” is not a valid e-mail address."
    ]


def test_missing_name_fixture_is_not_enough_to_identify_a_contact(
    affiliate_a: Any, fixtures_dir: Path
) -> None:
    table = imports.read_path(fixtures_dir / "crm-import" / "individual_invalid_missing_name.csv")
    plan = imports.plan_import(
        table=table, mapping=imports.guess_mapping(table.headers), affiliate=affiliate_a
    )
    assert "not enough to identify a contact" in errors_of(plan)[2]


def test_unicode_fixture_keeps_the_idn_website_and_the_accented_country(
    affiliate_a: Any, fixtures_dir: Path
) -> None:
    table = imports.read_path(fixtures_dir / "crm-import" / "individual_unicode.csv")
    counts = imports.apply_import(
        actor=None, affiliate=affiliate_a, table=table, mapping=imports.guess_mapping(table.headers)
    )
    assert (counts.organisations, counts.contacts) == (1, 1)
    org = Organisation.objects.get(affiliate=affiliate_a)
    assert org.name == "Iron Man"
    assert org.partner_type == PartnerType.EXPERT
    assert org.country.code == "CI"
    assert org.website == "https://কানাডা.com"
    assert org.website_domain == "কানাডা.com"
    contact = Contact.objects.get(affiliate=affiliate_a)
    assert (contact.name, contact.organisation) == ("Iron Man", org)


def test_valid_basic_fixture_keeps_both_addresses_and_the_source(
    affiliate_a: Any, fixtures_dir: Path
) -> None:
    table = imports.read_path(fixtures_dir / "crm-import" / "individual_valid_basic.csv")
    imports.apply_import(
        actor=None, affiliate=affiliate_a, table=table, mapping=imports.guess_mapping(table.headers)
    )
    contact = Contact.objects.get(affiliate=affiliate_a)
    assert contact.name == "Susie"
    assert contact.email_list == ["mum@example.org", "bob@example.org"]
    assert contact.legal_basis_source == "Import"


def test_duplicates_fixture_rejects_the_row_that_points_two_ways(
    affiliate_a: Any, fixtures_dir: Path
) -> None:
    table = imports.read_path(
        fixtures_dir / "crm-import" / "organization_multiple_duplicates_invalid.csv"
    )
    plan = imports.plan_import(
        table=table, mapping=imports.guess_mapping(table.headers), affiliate=affiliate_a
    )
    assert [r.number for r in plan.accepted] == [2, 3]
    reason = errors_of(plan)[4]
    assert "ambiguous" in reason
    assert "“BobCo” (row 2)" in reason and "“Cindy” (row 3)" in reason
    assert "bobco@null.com" in reason


def test_duplicates_fixture_against_existing_records(affiliate_a: Any, fixtures_dir: Path) -> None:
    factories.organisation(affiliate_a, name="BobCo Ltd")
    cindy = factories.organisation(affiliate_a, name="Cindy")
    factories.contact(cindy, name="Bob Office", emails="BobCo@null.com")
    table = imports.read_path(
        fixtures_dir / "crm-import" / "organization_multiple_duplicates_invalid.csv"
    )
    plan = imports.plan_import(
        table=table, mapping=imports.guess_mapping(table.headers), affiliate=affiliate_a
    )
    reasons = errors_of(plan)
    assert set(reasons) == {2, 3, 4}
    assert "already in your directory as “BobCo Ltd” (same name)" in reasons[2]
    assert "already belongs to “Bob Office” at “Cindy” (in your directory)" in reasons[3]
    assert "ambiguous" in reasons[4] and "“BobCo Ltd” (in your directory)" in reasons[4]


# --- duplicates and matching --------------------------------------------------------------------


def test_contact_rows_link_to_an_existing_or_earlier_organisation(affiliate_a: Any) -> None:
    existing = factories.organisation(affiliate_a, name="Národní muzeum")
    data = csv_bytes(
        [
            ["Organisation", "First name", "Last name", "Email"],
            ["Narodni Muzeum", "Jana", "Nováková", "jana@nm.cz"],
            ["Serlo Education e.V.", "Anna", "Schmidt", "anna@serlo.org"],
            ["Serlo Education", "Ben", "Weber", "ben@serlo.org"],
        ]
    )
    counts = import_bytes(affiliate_a, data)
    assert (counts.organisations, counts.contacts) == (1, 3)
    assert Contact.objects.get(name="Jana Nováková").organisation == existing
    serlo = Organisation.objects.get(name="Serlo Education e.V.")
    assert set(serlo.contacts.values_list("name", flat=True)) == {"Anna Schmidt", "Ben Weber"}


def test_organisation_rows_are_rejected_as_duplicates_by_domain_qid_and_name(
    affiliate_a: Any,
) -> None:
    factories.organisation(
        affiliate_a, name="Muzeum Narodowe", website="https://mnw.art.pl", wikidata_qid="Q153306"
    )
    factories.organisation(affiliate_a, name="Canada Museum", website="https://xn--p5byu1gbb.com")
    data = csv_bytes(
        [
            ["Organisation", "Website", "Wikidata"],
            ["National Museum in Warsaw", "www.mnw.art.pl/en", ""],
            ["MNW", "", "https://www.wikidata.org/wiki/Q153306"],
            ["The Muzeum Narodowe", "", ""],
            ["Kanada", "https://কানাডা.com", ""],
            ["New Library", "library.example", ""],
            ["New library", "", ""],
        ]
    )
    reasons = errors_of(plan_for(affiliate_a, data))
    assert "(same website)" in reasons[2]
    assert "(same Wikidata item)" in reasons[3]
    assert "(same name)" in reasons[4]
    assert "“Canada Museum”" in reasons[5]  # punycode and Unicode forms of one domain
    assert "already in this file at row 6" in reasons[7]
    assert 6 not in reasons


def test_a_row_matching_two_organisations_is_ambiguous(affiliate_a: Any) -> None:
    factories.organisation(affiliate_a, name="Alpha Archive")
    factories.organisation(affiliate_a, name="Beta Library", website="https://beta.example")
    data = csv_bytes(
        [
            ["Organisation", "Website", "Name", "Email"],
            ["Alpha Archive", "beta.example", "Ana Lee", "ana@example.org"],
        ]
    )
    reason = errors_of(plan_for(affiliate_a, data))[2]
    assert "matches more than one organisation" in reason
    assert "“Alpha Archive” (in your directory) by name" in reason
    assert "“Beta Library” (in your directory) by website" in reason


def test_a_contact_whose_address_exists_is_a_duplicate(affiliate_a: Any) -> None:
    org = factories.organisation(affiliate_a, name="Museum")
    factories.contact(org, name="Ola Nordmann", emails="ola@museum.example")
    data = csv_bytes([["Name", "Email"], ["Ola N.", "OLA@museum.example"]])
    reasons = errors_of(plan_for(affiliate_a, data))
    assert "ola@museum.example already belongs to “Ola Nordmann” at “Museum”" in reasons[2]


def test_a_person_repeated_in_the_file_is_merged_into_one_contact(affiliate_a: Any) -> None:
    data = csv_bytes(
        [
            ["Organisation", "Name", "Email", "Another email", "Phone", "Role"],
            ["Museum", "Kari Nordmann", "kari@x.example", "", "", "Curator"],
            ["Museum", "Kari Nordmann", "KARI@x.example", "kari@home.example", "+47 1234", ""],
        ]
    )
    plan = plan_for(affiliate_a, data)
    assert not plan.rejected
    assert plan.rows[1].merged_into == 2 and "merged" in " ".join(plan.rows[1].notes)
    counts = import_bytes(affiliate_a, data)
    assert (counts.organisations, counts.contacts) == (1, 1)
    kari = Contact.objects.get(affiliate=affiliate_a)
    assert kari.email_list == ["kari@x.example", "kari@home.example"]
    assert (kari.role, kari.phone) == ("Curator", "+47 1234")
    assert set(ContactEmail.objects.filter(contact=kari).values_list("email", flat=True)) == {
        "kari@x.example",
        "kari@home.example",
    }


def test_same_name_contacts_in_one_file_get_a_note_not_a_rejection(affiliate_a: Any) -> None:
    data = csv_bytes([["First name", "Last name"], ["Joe", "Bloggs"], ["Joe", "Bloggs"]])
    plan = plan_for(affiliate_a, data)
    assert plan.is_valid
    assert "same name" in plan.rows[1].notes[0]


def test_other_affiliates_records_are_not_duplicates(affiliate_a: Any, affiliate_b: Any) -> None:
    factories.organisation(affiliate_b, name="Shared Name Museum")
    plan = plan_for(affiliate_a, csv_bytes([["Organisation"], ["Shared Name Museum"]]))
    assert plan.is_valid


# --- field values -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Côte d'Ivoire", "CI"),
        ("COTE D’IVOIRE", "CI"),
        ("Cote dIvoire", "CI"),
        ("ci", "CI"),
        ("CIV", "CI"),
        ("Ivory Coast", "CI"),
        ("Allemagne", "DE"),
        ("Alemania", "DE"),
        ("UK", "GB"),
        ("the Netherlands", "NL"),
        ("Україна", "UA"),
        ("Atlantis", None),
    ],
)
def test_countries_by_name_or_code_in_any_case_and_accents(value: str, code: str | None) -> None:
    assert imports.resolve_country(value) == code


def test_an_unknown_country_is_rejected_in_words(affiliate_a: Any) -> None:
    data = csv_bytes([["Organisation", "Country"], ["Museum", "Atlantis"]])
    assert "“Atlantis” is not a country the Hub knows" in errors_of(plan_for(affiliate_a, data))[2]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-31", dt.date(2024, 3, 31)),
        ("20240331", dt.date(2024, 3, 31)),
        ("2024-3-1 ", dt.date(2024, 3, 1)),
        ("31/03/2024", dt.date(2024, 3, 31)),
        ("03/31/2024", dt.date(2024, 3, 31)),
        ("31.03.2024", dt.date(2024, 3, 31)),
        ("45123", dt.date(2023, 7, 16)),
        ("45123.5", dt.date(2023, 7, 16)),
        ("1 September 2008", dt.date(2008, 9, 1)),
        ("Sep 1, 2008", dt.date(2008, 9, 1)),
        ("2024-03-31 00:00:00", dt.date(2024, 3, 31)),
    ],
)
def test_dates_in_iso_excel_serial_and_other_forms(value: str, expected: dt.date) -> None:
    assert imports.parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("2008-25-1", "is not a date"),
        ("04/03/2024", "could be 2024-03-04 or 2024-04-03"),
        ("soon", "is not a date"),
        ("31/02/2024", "is not a date"),
    ],
)
def test_bad_dates_are_refused_in_words(value: str, words: str) -> None:
    with pytest.raises(imports.DateError, match=words):
        imports.parse_date(value)


def test_excel_serial_date_in_a_csv_becomes_the_consent_date(affiliate_a: Any) -> None:
    data = csv_bytes(
        [
            ["Name", "Email", "Consent date", "Legal basis"],
            ["Ada Lovelace", "ada@example.org", "45123", "Consent"],
        ]
    )
    import_bytes(affiliate_a, data)
    contact = Contact.objects.get()
    assert contact.legal_basis_date == dt.date(2023, 7, 16)
    assert contact.legal_basis == Contact.LegalBasis.CONSENT


def test_invalid_qid_status_type_and_overlong_fields_are_rejected(affiliate_a: Any) -> None:
    data = csv_bytes(
        [
            ["Organisation", "Wikidata", "Status", "Partner type", "City"],
            ["A", "P31", "", "", ""],
            ["B", "", "sleeping", "", ""],
            ["C", "", "", "zoo", ""],
            ["D", "", "", "", "x" * 101],
            ["E", "q42", "Active", "Museums", "Oslo"],
        ]
    )
    plan = plan_for(affiliate_a, data)
    reasons = errors_of(plan)
    assert "“P31” is not a Wikidata item id" in reasons[2]
    assert "“sleeping” is not a status" in reasons[3]
    assert "“zoo” is not a partner type" in reasons[4]
    assert "City" in reasons[5] and "100 characters" in reasons[5]
    good = plan.rows[4]
    assert good.ok
    assert good.org_fields["wikidata_qid"] == "Q42"
    assert good.org_fields["status"] == "active"
    assert good.org_fields["partner_type"] == "museum"


def test_a_row_with_organisation_details_but_no_name_is_rejected(affiliate_a: Any) -> None:
    data = csv_bytes([["Organisation", "Website", "Email"], ["", "https://x.example", ""]])
    assert "no organisation name" in errors_of(plan_for(affiliate_a, data))[2]


def test_a_row_with_values_only_in_ignored_columns_is_rejected(affiliate_a: Any) -> None:
    data = csv_bytes([["Organisation", "Birth date"], ["Museum", ""], ["", "1970-01-01"]])
    assert "Nothing in this row" in errors_of(plan_for(affiliate_a, data))[3]


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


# --- writing ------------------------------------------------------------------------------------


def test_one_bad_row_means_nothing_is_written(affiliate_a: Any) -> None:
    data = csv_bytes(
        [
            ["Organisation", "Email", "Name"],
            ["Good Museum", "a@example.org", "A B"],
            ["Bad Museum", "not-an-address", "C D"],
        ]
    )
    with pytest.raises(ImportRejected) as caught:
        import_bytes(affiliate_a, data)
    assert [r.number for r in caught.value.plan.rejected] == [3]
    assert Organisation.objects.count() == Contact.objects.count() == 0
    assert not AuditEvent.objects.exists()


def test_a_failure_while_writing_rolls_everything_back(
    affiliate_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hub.partners.imports import writing

    def failing(self: Any) -> None:
        # After the organisations and contacts were inserted: only the rollback can undo them.
        assert Contact.objects.filter(affiliate=affiliate_a).count() == 2
        raise RuntimeError("The database went away.")

    monkeypatch.setattr(writing._Writer, "_update_contacts", failing)
    data = csv_bytes(
        [
            ["Organisation", "Name", "Email"],
            ["M1", "A B", "a@example.org"],
            ["M2", "C D", "c@example.org"],
        ]
    )
    with pytest.raises(RuntimeError):
        import_bytes(affiliate_a, data)
    assert Organisation.objects.count() == Contact.objects.count() == 0
    assert not AuditEvent.objects.exists()


def test_an_import_records_one_audit_event_listing_what_it_created(
    affiliate_a: Any, member_a: Any
) -> None:
    data = csv_bytes(
        [
            ["Organisation", "Name", "Email", "Tags"],
            ["M1", "A B", "a@example.org", "glam, 2026"],
            ["M1", "C D", "", ""],
            ["M2", "", "", ""],
        ]
    )
    counts = import_bytes(affiliate_a, data, actor=member_a)
    assert (counts.rows, counts.organisations, counts.contacts) == (3, 2, 2)
    events = AuditEvent.objects.filter(affiliate=affiliate_a)
    # One event for the whole import, listing every record it created.
    assert list(events.values_list("action", flat=True)) == ["partners.imported"]
    changes = events.get().changes
    assert changes["file"] == "partners.csv"
    assert sorted(name for _pk, name in changes["organisations_created"]) == ["M1", "M2"]
    assert sorted(name for _pk, name in changes["contacts_created"]) == ["A B", "C D"]
    assert {pk for pk, _name in changes["contacts_created"]} == set(
        Contact.objects.values_list("pk", flat=True)
    )
    assert set(events.values_list("actor", flat=True)) == {member_a.pk}
    assert sorted(Organisation.objects.get(name="M1").tags.values_list("name", flat=True)) == [
        "2026",
        "glam",
    ]
    assert Contact.objects.get(name="A B").legal_basis_source.startswith(
        "Imported from partners.csv"
    )


# --- the management command --------------------------------------------------------------------


def _write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_command_imports_and_reports_ignored_columns(
    affiliate_a: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from django.core.management import call_command

    path = _write(
        tmp_path,
        "p.csv",
        csv_bytes([["Organisation", "Birth date", "ID"], ["Museum", "1900-01-01", "7"]]),
    )
    call_command("import_partners", path)
    out = capsys.readouterr().out
    assert "Columns ignored (not kept by the Hub): Birth date, ID" in out
    assert "1 new organisations" in out
    assert Organisation.objects.filter(affiliate=affiliate_a).count() == 1


def test_command_prints_one_line_per_rejected_row_and_exits_non_zero(
    affiliate_a: Any, fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from django.core.management import CommandError, call_command

    path = fixtures_dir / "crm-import" / "organization_multiple_duplicates_invalid.csv"
    with pytest.raises(CommandError) as caught:
        call_command("import_partners", str(path), "--affiliate", "alpha")
    assert caught.value.returncode == 1
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Row ")]
    assert len(lines) == 1 and lines[0].startswith("Row 4: This row is ambiguous")
    assert Organisation.objects.count() == 0


def test_command_dry_run_writes_nothing(
    affiliate_a: Any, fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from django.core.management import call_command

    call_command(
        "import_partners", str(fixtures_dir / "crm-import" / "individual_unicode.csv"), "--dry-run"
    )
    assert "Dry run" in capsys.readouterr().out
    assert Organisation.objects.count() == Contact.objects.count() == 0


def test_command_needs_the_affiliate_when_there_are_several(
    affiliate_a: Any, affiliate_b: Any, tmp_path: Path
) -> None:
    from django.core.management import CommandError, call_command

    path = _write(tmp_path, "p.csv", b"Organisation\nMuseum\n")
    with pytest.raises(CommandError, match="--affiliate"):
        call_command("import_partners", path)
    with pytest.raises(CommandError, match="no affiliate with the short name"):
        call_command("import_partners", path, "--affiliate", "nope")
    call_command("import_partners", path, "--affiliate", "beta")
    assert Organisation.objects.get().affiliate == affiliate_b


def test_command_refuses_unreadable_files_and_takes_mapping_overrides(
    affiliate_a: Any, tmp_path: Path
) -> None:
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="binary data"):
        call_command("import_partners", _write(tmp_path, "g.csv", b"\x00\x01" * 100))
    with pytest.raises(CommandError, match="cannot be opened"):
        call_command("import_partners", str(tmp_path / "missing.csv"))
    path = _write(tmp_path, "p.csv", b"Institution,Street Address\nArchive,1 Main St\n")
    call_command("import_partners", path, "--map", "street address=description")
    assert Organisation.objects.get().description == "1 Main St"


# --- importing the same spreadsheet again -------------------------------------------------------

REIMPORT = [
    ["Organisation", "Website", "First name", "Last name", "Email"],
    ["Národní muzeum", "https://nm.cz", "Jana", "Nováková", "jana@nm.cz"],
    ["Serlo Education", "", "", "", ""],
    ["", "", "Ada", "Lovelace", "ada@example.org"],
]


def import_again(affiliate: Any, rows: list[list[str]]) -> imports.ImportCounts:
    """Import rows, skipping those already in the directory."""
    table = imports.read_bytes(csv_bytes(rows), "partners.csv")
    return imports.apply_import(
        actor=None,
        affiliate=affiliate,
        table=table,
        mapping=imports.guess_mapping(table.headers),
        skip_existing=True,
    )


def test_skipping_existing_rows_imports_nothing_the_second_time(affiliate_a: Any) -> None:
    first = import_again(affiliate_a, REIMPORT)
    assert (first.rows, first.organisations, first.contacts, first.skipped) == (3, 2, 2, 0)

    plan = imports.plan_import(
        table=imports.read_bytes(csv_bytes(REIMPORT), "partners.csv"),
        mapping=imports.guess_mapping(REIMPORT[0]),
        affiliate=affiliate_a,
        skip_existing=True,
    )
    assert plan.is_valid and not plan.accepted
    assert [r.number for r in plan.skipped] == [2, 3, 4]

    second = import_again(affiliate_a, REIMPORT)
    assert (second.rows, second.organisations, second.contacts, second.skipped) == (0, 0, 0, 3)
    assert Organisation.objects.filter(affiliate=affiliate_a).count() == 2
    assert Contact.objects.filter(affiliate=affiliate_a).count() == 2


def test_skipping_existing_rows_adds_only_the_new_row_and_the_new_contact(
    affiliate_a: Any,
) -> None:
    import_again(affiliate_a, REIMPORT)
    grown = [
        *REIMPORT,
        ["Narodni Muzeum", "", "Petr", "Novák", "petr@nm.cz"],
        ["Wikimedia Česká republika", "", "", "", ""],
    ]
    counts = import_again(affiliate_a, grown)
    assert (counts.rows, counts.organisations, counts.contacts, counts.skipped) == (2, 1, 1, 3)
    museum = Organisation.objects.get(affiliate=affiliate_a, name="Národní muzeum")
    assert set(museum.contacts.values_list("name", flat=True)) == {"Jana Nováková", "Petr Novák"}
    assert Organisation.objects.filter(affiliate=affiliate_a).count() == 3
    assert Contact.objects.filter(affiliate=affiliate_a).count() == 3


def test_skipping_existing_rows_still_rejects_ambiguous_and_default_rejects(
    affiliate_a: Any,
) -> None:
    import_again(affiliate_a, REIMPORT)
    factories.organisation(affiliate_a, name="Other museum")
    rows = [
        ["Organisation", "Email"],
        ["Other museum", "jana@nm.cz"],  # the name → one record, the e-mail → another
        ["Serlo Education", ""],
    ]
    table = imports.read_bytes(csv_bytes(rows), "partners.csv")
    mapping = imports.guess_mapping(table.headers)
    skipping = imports.plan_import(
        table=table, mapping=mapping, affiliate=affiliate_a, skip_existing=True
    )
    assert "This row is ambiguous" in errors_of(skipping)[2]
    assert [r.number for r in skipping.skipped] == [3]
    default = imports.plan_import(table=table, mapping=mapping, affiliate=affiliate_a)
    assert set(errors_of(default)) == {2, 3}
    assert "already in your directory" in errors_of(default)[3]


def test_command_skip_existing_flag(
    affiliate_a: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from django.core.management import CommandError, call_command

    path = _write(tmp_path, "p.csv", csv_bytes(REIMPORT))
    call_command("import_partners", path)
    capsys.readouterr()
    with pytest.raises(CommandError):
        call_command("import_partners", path)
    capsys.readouterr()
    call_command("import_partners", path, "--skip-existing")
    out = capsys.readouterr().out
    assert "3 rows already in your directory, skipped: rows 2, 3, 4." in out
    assert "Nothing new to import" in out
    grown = [*REIMPORT, ["Narodni Muzeum", "", "Petr", "Novák", "petr@nm.cz"]]
    call_command("import_partners", _write(tmp_path, "q.csv", csv_bytes(grown)), "--skip-existing")
    assert "0 new organisations, 1 new contacts" in capsys.readouterr().out
    assert Contact.objects.filter(affiliate=affiliate_a).count() == 3
