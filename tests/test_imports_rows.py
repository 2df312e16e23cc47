"""Import of organisations and contacts: row verdicts on the CRM files, duplicates, values."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from hub.partners import imports
from hub.partners.imports import ImportRejected
from hub.partners.models import Contact, ContactEmail, Organisation, PartnerType
from tests import factories
from tests.import_fixtures import csv_bytes, errors_of, import_bytes, plan_for

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
