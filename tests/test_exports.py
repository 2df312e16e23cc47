"""Exports: no cell ever becomes a formula, values round-trip, lists export as filtered."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape as excel_unescape

from hub.core.exports import (
    FORMULA_TRIGGERS,
    XLSX_MAX_CELL_CHARS,
    escape_csv_cell,
    is_formula_like,
    unescape_csv_cell,
    write_csv,
    write_xlsx,
    xlsx_text,
)
from tests import factories

# Text that leans towards the dangerous: a formula trigger, an apostrophe, an OOXML escape or a
# line break up front, then anything (any code point but lone surrogates, which no database
# text holds and UTF-8 cannot encode).
_PREFIXES = sorted(FORMULA_TRIGGERS) + ["'", "''", "_x000D_", "_x005F_", "\r\n", "\n", " ="]
cell_text = st.one_of(
    st.text(),
    st.tuples(st.sampled_from(_PREFIXES), st.text()).map("".join),
    st.lists(st.sampled_from(["=", "_", "x", "000D", "0041", "_", "\r", "\0", "é", "'"])).map(
        "".join
    ),
)
rows_of_text = st.lists(st.lists(cell_text, min_size=1, max_size=4), min_size=1, max_size=4)


@pytest.fixture
def manager_client(client: Any, affiliate_a: Any) -> Any:
    """Return a client logged in as a manager of affiliate A (contact exports are theirs)."""
    client.force_login(factories.member(affiliate_a, username="mona", role="manager"))
    return client


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def read_xlsx(data: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [[cell for cell in row] for row in sheet.iter_rows()]


# --- the escaper --------------------------------------------------------------------------


@given(cell_text)
def test_escaped_csv_cell_is_never_a_formula_and_unescapes_to_the_original(text):
    escaped = escape_csv_cell(text)
    assert not is_formula_like(escaped)
    assert unescape_csv_cell(escaped) == text


@pytest.mark.parametrize("trigger", sorted(FORMULA_TRIGGERS))
def test_every_trigger_is_escaped_with_an_apostrophe(trigger):
    assert escape_csv_cell(trigger + "cmd|' /C calc'!A0") == "'" + trigger + "cmd|' /C calc'!A0"


def test_harmless_text_is_left_alone():
    assert escape_csv_cell("Museo Nacional") == "Museo Nacional"
    assert escape_csv_cell("") == ""
    assert escape_csv_cell("a=b") == "a=b"


@settings(max_examples=200, deadline=None)
@given(rows_of_text)
def test_no_csv_cell_is_a_formula_and_every_value_round_trips(rows):
    headers = [f"h{i}" for i in range(max(len(r) for r in rows))]
    parsed = read_csv(write_csv(rows, headers))
    assert parsed[0] == headers
    assert len(parsed) == len(rows) + 1
    for row, parsed_row in zip(rows, parsed[1:], strict=True):
        assert not any(is_formula_like(cell) for cell in parsed_row)
        assert [unescape_csv_cell(cell) for cell in parsed_row] == row


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows_of_text)
def test_no_xlsx_cell_is_a_formula_and_text_round_trips_minus_xml_illegal_characters(rows):
    """An XLSX cell is always an inline string. What Excel shows (OOXML's _xHHHH_ escapes
    decoded) is the original text, except that characters XML cannot carry (NUL and the other
    C0 controls but tab, LF and CR; U+FFFE, U+FFFF) are removed, and text is cut at Excel's
    32,767-character limit."""
    data = write_xlsx(rows, ["h"])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml
    sheet = load_workbook(io.BytesIO(data)).active
    for r, row in enumerate(rows, start=2):
        for c, original in enumerate(row, start=1):
            cell = sheet.cell(r, c)
            expected = xlsx_text(original)
            if expected == "":
                assert cell.value is None
                continue
            assert cell.data_type == "s"
            assert excel_unescape(cell.value) == expected
            # Excel's own "this is text" marker on anything that looks like a formula.
            assert cell.quotePrefix == is_formula_like(expected)


def test_xlsx_removes_nul_and_other_xml_illegal_characters():
    read = read_xlsx(write_xlsx([["a\0b\x07c\ufffed", "=\0SUM(A1)"]], ["h"]))
    assert [excel_unescape(c.value) for c in read[1]] == ["abcd", "=SUM(A1)"]
    assert read[1][1].data_type == "s"


def test_xlsx_keeps_error_lookalikes_and_numbers_as_text():
    read = read_xlsx(write_xlsx([["#N/A", "007", "1e5", "TRUE"]], ["h"]))
    assert [(c.value, c.data_type) for c in read[1]] == [
        ("#N/A", "s"),
        ("007", "s"),
        ("1e5", "s"),
        ("TRUE", "s"),
    ]


def test_xlsx_cuts_text_at_excels_limit():
    read = read_xlsx(write_xlsx([["x" * (XLSX_MAX_CELL_CHARS + 10)]], ["h"]))
    assert len(read[1][0].value) == XLSX_MAX_CELL_CHARS


def test_numbers_and_dates_stay_numbers_and_dates():
    day = dt.date(2026, 3, 1)
    when = dt.datetime(2026, 3, 1, 12, 30, tzinfo=dt.UTC)
    read = read_xlsx(write_xlsx([[3, day, when, None]], ["n", "d", "t", "x"]))
    assert [c.value for c in read[1][:3]] == [
        3,
        dt.datetime(2026, 3, 1),  # noqa: DTZ001 - Excel keeps no time zone
        dt.datetime(2026, 3, 1, 12, 30),  # noqa: DTZ001
    ]
    assert read_csv(write_csv([[3, day, when, None]], ["n", "d", "t", "x"]))[1] == [
        "3",
        "2026-03-01",
        "2026-03-01 12:30:00+00:00",
        "",
    ]


def test_csv_keeps_accents_and_line_breaks():
    rows = [["Muzeum Narodowe w Krakowie", "Kraków\nMałopolska", "São Paulo"]]
    assert read_csv(write_csv(rows, ["a", "b", "c"]))[1] == rows[0]


# --- the export pages -----------------------------------------------------------------------


def url(name: str, slug: str = "alpha") -> str:
    return reverse(f"partners:{name}", kwargs={"slug": slug})


@pytest.fixture
def directory(affiliate_a, member_a):
    museum = factories.organisation(
        affiliate_a,
        name='=HYPERLINK("http://evil.example")',
        partner_type="museum",
        country="CL",
        status="active",
        city="Santiago",
        other_names="MNBA\nBellas Artes",
        wikidata_qid="Q2915040",
        tags=["GLAM", "WikiGap"],
    )
    factories.contact(
        museum, name="Ana Example", emails="ana@mnba.example\nana2@mnba.example", role="Curator"
    )
    factories.contact(museum, name="Bilal Example", emails="bilal@mnba.example")
    factories.interaction(museum, date=dt.date(2026, 5, 4))
    factories.interaction(museum, date=dt.date(2026, 6, 1))
    school = factories.organisation(
        affiliate_a, name="School B", partner_type="school", country="UA", status="prospect"
    )
    factories.contact(
        school, name="Olena Example", emails="olena@school.example", do_not_contact=True
    )
    return museum, school


@pytest.mark.django_db
def test_filtered_organisation_csv_has_only_matching_rows_and_all_columns(client_a, directory):
    response = client_a.get(url("organisation_export"), {"type": "museum", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    today = timezone.localdate().isoformat()
    assert f'filename="alpha-organisations-{today}.csv"' in response["Content-Disposition"]
    header, *rows = read_csv(response.content)
    assert header[0] == "Name" and "Last interaction" in header
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["Name"] == '\'=HYPERLINK("http://evil.example")'
    assert row["Other names"] == "MNBA; Bellas Artes"
    assert row["Type"] == "Museum" and row["Status"] == "Active"
    assert row["Country"] == "Chile" and row["Region"] == "Latin America and Caribbean"
    assert row["Wikidata"] == "Q2915040"
    assert row["Tags"] == "GLAM; WikiGap"
    assert row["Contacts"] == "2"
    assert row["Last interaction"] == "2026-06-01"


@pytest.mark.django_db
def test_search_and_status_filters_apply_to_the_xlsx_export(client_a, directory):
    response = client_a.get(url("organisation_export"), {"q": "olena@school", "format": "xlsx"})
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    read = read_xlsx(response.content)
    assert [r[0].value for r in read[1:]] == ["School B"]
    response = client_a.get(url("organisation_export"), {"status": "active", "format": "xlsx"})
    read = read_xlsx(response.content)
    assert len(read) == 2
    assert read[1][0].value == '=HYPERLINK("http://evil.example")'
    assert read[1][0].data_type == "s"


@pytest.mark.django_db
def test_contact_export_follows_the_search(manager_client, directory):
    response = manager_client.get(url("contact_export"), {"q": "example", "format": "csv"})
    header, *rows = read_csv(response.content)
    assert [r[0] for r in rows] == ["Ana Example", "Bilal Example", "Olena Example"]
    ana = dict(zip(header, rows[0], strict=True))
    assert ana["E-mail addresses"] == "ana@mnba.example; ana2@mnba.example"
    assert ana["Organisation"] == '\'=HYPERLINK("http://evil.example")'
    assert ana["Role"] == "Curator"
    response = manager_client.get(url("contact_export"), {"q": "olena", "format": "xlsx"})
    read = read_xlsx(response.content)
    assert [c.value for c in read[1]][:2] == ["Olena Example", "School B"]
    assert read[1][-1].value == "yes"


@pytest.mark.django_db
def test_unknown_format_is_refused(client_a, directory):
    assert client_a.get(url("organisation_export"), {"format": "ods"}).status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["organisation_export", "contact_export"])
def test_another_affiliates_member_gets_404(client_b, affiliate_a, directory, name):
    assert client_b.get(url(name), {"format": "csv"}).status_code == 404
    assert client_b.get(url(name), {"format": "xlsx"}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["organisation_export", "contact_export"])
def test_anonymous_visitor_is_sent_to_log_in(client, affiliate_a, directory, name):
    response = client.get(url(name), {"format": "csv"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_list_pages_link_to_their_exports(manager_client, directory):
    page = manager_client.get(url("organisation_list"), {"type": "museum"}).content.decode()
    assert url("organisation_export") + "?type=museum&amp;format=xlsx" in page
    page = manager_client.get(url("contact_list"), {"q": "ana"}).content.decode()
    assert url("contact_export") + "?q=ana&amp;format=csv" in page


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["member", "viewer"])
def test_only_managers_export_everyones_e_mails_and_phones(client, affiliate_a, directory, role):
    client.force_login(factories.member(affiliate_a, username="val", role=role))
    assert client.get(url("contact_export"), {"format": "csv"}).status_code == 403
    assert url("contact_export") not in client.get(url("contact_list")).content.decode()
    # The organisation list holds no personal data: everyone may still download it.
    assert client.get(url("organisation_export"), {"format": "csv"}).status_code == 200


def _make_organisations(affiliate, count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        org = factories.organisation(affiliate, name=f"Library {i:03d}", tags=["GLAM"])
        factories.contact(org)
        factories.interaction(org)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("name", ["organisation_export", "contact_export"])
def test_export_makes_as_many_queries_for_50_organisations_as_for_5(
    manager_client, affiliate_a, django_assert_num_queries, name, fmt
):
    _make_organisations(affiliate_a, 5)
    with CaptureQueriesContext(connection) as five:
        assert manager_client.get(url(name), {"format": fmt}).status_code == 200
    _make_organisations(affiliate_a, 45, start=5)
    with django_assert_num_queries(len(five)):
        response = manager_client.get(url(name), {"format": fmt})
    rows = read_csv(response.content) if fmt == "csv" else read_xlsx(response.content)
    assert len(rows) == 51


@pytest.mark.django_db
def test_organisation_export_query_count_is_pinned(
    client_a, affiliate_a, django_assert_num_queries
):
    _make_organisations(affiliate_a, 50)
    # session, user, membership, organisations with their counts, their tags
    with django_assert_num_queries(5):
        client_a.get(url("organisation_export"), {"format": "csv"})
