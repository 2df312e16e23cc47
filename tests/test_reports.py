"""The reports dashboard, the in-kind summary and the grant-report exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from hub.partners import services as partner_services
from hub.partnerships import scoring
from hub.partnerships.activities import services as activities
from hub.partnerships.models import Partnership
from hub.partnerships.reports import dashboard as reports
from hub.partnerships.reports import exports
from tests import factories

pytestmark = pytest.mark.django_db


def _give(p, org, amount, currency="EUR", day=dt.date(2026, 3, 1), kind="financial", t=""):
    return activities.add_contribution(
        actor=None,
        partnership=p,
        organisation=org,
        kind=kind,
        in_kind_type=t,
        received_on=day,
        amount=Decimal(amount),
        currency=currency,
    )


@pytest.fixture
def data(affiliate_a, affiliate_b):
    museum = factories.organisation(
        affiliate_a, name="Nordic Museum", partner_type="museum", country="SE"
    )
    uni = factories.organisation(affiliate_a, name="Uni", partner_type="university", country="KE")
    wikigap = factories.partnership(
        affiliate_a,
        title="WikiGap",
        partners=[(museum, "main"), (uni, "co_partner")],
        stage="active",
        start_date=dt.date(2025, 3, 1),
        goal_content=True,
        gives_knowledge=True,
        visibility="published",
        outcome_clarity="clear",
        expected_outcomes='=HYPERLINK("http://evil")',
    )
    Partnership.objects.filter(pk=wikigap.pk).update(is_strategic=True)
    residency = factories.partnership(
        affiliate_a,
        title="Residency",
        partners=[(uni, "main")],
        stage="idea",
        start_date=dt.date(2026, 1, 1),
        goal_funding=True,
        goal_content=True,
    )
    orphan = factories.partnership(affiliate_a, title="No main", partners=[(museum, "funder")])
    archived = factories.partnership(affiliate_a, title="Archived one", partners=[(museum, "main")])
    Partnership.objects.filter(pk=archived.pk).update(
        archived_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    other_org = factories.organisation(affiliate_b, name="Beta Archive", partner_type="archive")
    beta = factories.partnership(
        affiliate_b, title="Beta published", partners=[(other_org, "main")], visibility="published"
    )
    factories.partnership(affiliate_b, title="Beta private", partners=[(other_org, "main")])
    activities.create_activity(
        actor=None,
        partnership=wikigap,
        kind="editathon",
        title="Day one",
        starts_on=dt.date(2026, 3, 8),
        articles_created=20,
        participants=30,
    )
    activities.create_activity(
        actor=None,
        partnership=wikigap,
        kind="training",
        title="Day two",
        starts_on=dt.date(2026, 3, 9),
        articles_created=5,
        people_trained=12,
    )
    activities.set_exchange_rate(
        actor=None, affiliate=affiliate_a, currency="SEK", year=2026, rate=Decimal("0.1")
    )
    _give(wikigap, museum, "1000", "SEK")
    _give(wikigap, museum, "50", "EUR", kind="in_kind", t="venue")
    _give(wikigap, uni, "70", "KES", kind="in_kind", t="catering")
    _give(residency, uni, "200", "EUR", day=dt.date(2025, 6, 1), kind="in_kind", t="staff_time")
    _give(beta, other_org, "999", "CLP")
    return {"wikigap": wikigap, "residency": residency, "orphan": orphan, "beta": beta}


def _counts(buckets):
    return {b.key: b.count for b in buckets}


def test_dashboard_counts_by_stage_type_region_goal_contribution_and_year(data, affiliate_a):
    board = reports.dashboard(reports.ReportFilters(), affiliate=affiliate_a)
    assert board.total == 3  # the archived one and the other affiliate's are not counted
    assert board.strategic == 1
    assert board.without_main_partner == 1
    assert _counts(board.by_stage) == {"idea": 2, "active": 1}
    assert _counts(board.by_partner_type) == {"museum": 1, "university": 1}
    assert _counts(board.by_region) == {"nwe": 1, "mea": 1}
    assert _counts(board.by_goal) == {"funding": 1, "content": 2, "advocacy": 0}
    assert _counts(board.by_contribution_type)["knowledge"] == 1
    assert _counts(board.by_year) == {"2026": 1, "2025": 1, "": 1}
    [eur] = board.money
    assert eur.currency == "EUR"
    assert eur.financial.amount == Decimal("100.00")
    assert eur.in_kind.amount == Decimal("250.00")
    assert eur.in_kind.unconverted == {"KES": Decimal("70")}
    assert [y.year for y in eur.by_year] == [2025, 2026]


def test_dashboard_filters_narrow_counts_and_totals(data, affiliate_a):
    board = reports.dashboard(
        reports.ReportFilters(partner_type="university"), affiliate=affiliate_a
    )
    assert board.total == 1 and _counts(board.by_stage) == {"idea": 1}
    assert board.money[0].in_kind.amount == Decimal("200.00")
    assert reports.dashboard(reports.ReportFilters(year=2025), affiliate=affiliate_a).total == 1
    assert (
        reports.dashboard(reports.ReportFilters(goal="content"), affiliate=affiliate_a).total == 2
    )
    assert (
        reports.dashboard(reports.ReportFilters(strategic="yes"), affiliate=affiliate_a).total == 1
    )
    assert reports.dashboard(reports.ReportFilters(region="mea"), affiliate=affiliate_a).total == 1
    assert (
        reports.dashboard(
            reports.ReportFilters(contribution_type="knowledge"), affiliate=affiliate_a
        ).total
        == 1
    )


def test_report_filters_ignore_values_that_make_no_sense():
    filters = reports.ReportFilters.from_params(
        {"stage": "nonsense", "type": "museum", "year": "20x6", "strategic": "maybe"}
    )
    assert filters == reports.ReportFilters(partner_type="museum")


def test_hub_dashboard_counts_only_published_partnerships(data):
    board = reports.dashboard(reports.ReportFilters(), published_only=True)
    assert board.total == 2
    assert {b.label for b in board.by_affiliate} == {"Wikimedia Alpha", "Wikimedia Beta"}
    # A private partnership is not counted, even with contributions.
    assert "Beta private" not in [
        p.title for p in reports.report_partnerships(reports.ReportFilters(), published_only=True)
    ]
    eur = next(m for m in board.money if m.currency == "EUR")
    assert eur.financial.amount == Decimal("100.00")  # WikiGap only: Residency is private
    assert eur.in_kind.amount == Decimal("50.00")
    # Beta reports in EUR too but has no CLP rate: kept apart, not summed.
    assert eur.financial.unconverted == {"CLP": Decimal("999")}


def test_dashboard_page_renders_charts_and_totals(data, client_a):
    response = client_a.get(reverse("partnerships:dashboard", kwargs={"slug": "alpha"}))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'role="img"' in page and "<title" in page
    assert "Partnerships by stage" in page
    assert "not converted — add a rate" in page
    assert "?currency=KES&amp;year=2026" in page
    assert "format=xlsx" in page


def test_dashboard_queries_do_not_grow_with_partnerships(
    data, affiliate_a, client_a, django_assert_max_num_queries
):
    # Counted afresh: the grouped counts, plus looking the board up in the cache and storing it;
    # then the activities' outputs (counted and typed sums), kept in the cache beside it.
    url = reverse("partnerships:dashboard", kwargs={"slug": "alpha"})
    with django_assert_max_num_queries(23):
        assert client_a.get(url + "?type=museum&year=2025").status_code == 200
    for i in range(20):
        org = factories.organisation(affiliate_a, partner_type="library")
        p = factories.partnership(
            affiliate_a, partners=[(org, "main")], start_date=dt.date(2020 + i % 5, 1, 1)
        )
        _give(p, org, "10", ["EUR", "SEK", "USD"][i % 3])
    with django_assert_max_num_queries(23):
        assert client_a.get(url).status_code == 200
    # Nothing changed since: the same board comes from the cache, without counting again.
    with django_assert_max_num_queries(7):
        assert client_a.get(url).status_code == 200


def test_dashboard_charts_are_drawn_once_per_board_and_redrawn_after_a_change(
    data, affiliate_a, client_a
):
    drawn: list[int] = []

    def draw(board):
        drawn.append(board.total)
        return {}

    # A board is cached with its charts, whole or filtered.
    for filters in (reports.ReportFilters(), reports.ReportFilters(stage="active")):
        drawn.clear()
        reports.dashboard(filters, affiliate=affiliate_a, draw=draw)
        reports.dashboard(filters, affiliate=affiliate_a, draw=draw)
        assert len(drawn) == 1
        wikigap = Partnership.objects.get(title="WikiGap")
        _give(wikigap, wikigap.partners.get(role="main").organisation, "250")
        reports.dashboard(filters, affiliate=affiliate_a, draw=draw)
        assert len(drawn) == 2

    # Through the page: the charts served from the cache are the same SVG, not escaped text.
    url = reverse("partnerships:dashboard", kwargs={"slug": "alpha"}) + "?year=2025"
    first = client_a.get(url).content.decode()
    again = client_a.get(url).content.decode()
    assert again.count("<svg") == first.count("<svg") > 0
    assert "&lt;svg" not in again


def test_dashboard_shows_every_change_at_once(data, affiliate_a):
    """The board is cached, but each change through a service shows on the next view."""
    wikigap = Partnership.objects.get(title="WikiGap")
    museum = wikigap.partners.get(role="main").organisation
    first = reports.dashboard(reports.ReportFilters(), affiliate=affiliate_a)
    assert reports.dashboard(reports.ReportFilters(), affiliate=affiliate_a) == first

    _give(wikigap, museum, "250")
    board = reports.dashboard(reports.ReportFilters(), affiliate=affiliate_a)
    assert board.money[0].financial.exact == first.money[0].financial.exact + 250

    partner_services.update_organisation(actor=None, organisation=museum, partner_type="archive")
    board = reports.dashboard(reports.ReportFilters(), affiliate=affiliate_a)
    assert "archive" in {b.key for b in board.by_partner_type}
    assert "museum" not in {b.key for b in board.by_partner_type}

    # The nightly score refresh changes labels without a person's action: it still shows.
    Partnership.objects.filter(affiliate=affiliate_a).update(is_strategic=True, strategic_score=9)
    live = Partnership.objects.filter(affiliate=affiliate_a, archived_at=None)
    assert scoring.refresh_scores(affiliate=affiliate_a)
    board = reports.dashboard(reports.ReportFilters(), affiliate=affiliate_a)
    assert board.strategic == live.filter(is_strategic=True).count() < live.count()


def test_hub_reports_are_for_hub_staff_only(data, client_a, affiliate_a):
    url = reverse("partnerships:hub_reports")
    assert client_a.get(url).status_code == 404
    staff = factories.member(affiliate_a, username="hubstaff", is_hub_staff=True)
    client = Client()
    client.force_login(staff)
    page = client.get(url).content.decode()
    assert "Movement reports" in page and "Private partnerships are not counted" in page
    export = client.get(reverse("partnerships:hub_reports_export") + "?format=csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    titles = {row[1] for row in rows[1:]}
    assert titles == {"WikiGap", "Beta published"}
    assert rows[0][0] == "Affiliate"


def _csv(client, query=""):
    response = client.get(
        reverse("partnerships:dashboard_export", kwargs={"slug": "alpha"}) + "?format=csv" + query
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Cache-Control"] == "private, no-store"
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_csv_export_has_a_grant_report_row_per_partnership(data, client_a):
    rows = {r["Title"]: r for r in _csv(client_a)}
    assert set(rows) == {"WikiGap", "Residency", "No main"}
    wikigap = rows["WikiGap"]
    assert wikigap["Partners and roles"] == "Nordic Museum (Main partner); Uni (Co-partner)"
    assert wikigap["Partner types"] == "Museum; University / research"
    assert wikigap["Countries"] == "Sweden; Kenya"
    assert wikigap["Regions"] == "Northern and Western Europe; Middle East and Africa"
    assert wikigap["Stage"] == "Active"
    assert wikigap["Start date"] == "2025-03-01"
    assert wikigap["Goals"] == "Content for Wikimedia projects"
    assert wikigap["Contribution types"] == "Transferring or co-creating knowledge (training)"
    assert wikigap["Strategic or collaboration"] == "Strategic"
    assert wikigap["Number of activities"] == "2"
    assert wikigap["Articles created"] == "25"
    assert wikigap["People trained"] == "12"
    assert wikigap["Participants"] == "30"
    assert wikigap["Reporting currency"] == "EUR"
    assert wikigap["Financial total"] == "100.00"
    assert wikigap["In-kind total"] == "50.00"
    assert wikigap["Not converted (no exchange rate)"] == "70.00 KES"
    assert wikigap["Outcome clarity"] == "Clear"
    # Formula-safe: the expected outcomes start with "=", so the cell is escaped.
    assert wikigap["Expected outcomes"].startswith("'=HYPERLINK")
    assert rows["Residency"]["Strategic or collaboration"] == "Collaboration"
    assert rows["No main"]["Number of activities"] == "0"


def test_export_respects_the_dashboards_filters(data, client_a):
    assert [r["Title"] for r in _csv(client_a, "&stage=active")] == ["WikiGap"]
    assert [r["Title"] for r in _csv(client_a, "&type=university")] == ["Residency"]


def test_xlsx_export_writes_numbers_as_numbers_and_text_never_as_formulas(data, client_a):
    response = client_a.get(
        reverse("partnerships:dashboard_export", kwargs={"slug": "alpha"}) + "?format=xlsx"
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    headers = rows[0]
    wikigap = dict(zip(headers, next(r for r in rows if r[0] == "WikiGap"), strict=True))
    assert wikigap["Financial total"] == 100
    assert wikigap["Number of activities"] == 2
    cell = next(
        c for row in sheet.iter_rows() for c in row if c.value and str(c.value).startswith("=HYPER")
    )
    assert cell.data_type == "s"


def test_export_refuses_an_unknown_format(client_a, affiliate_a):
    url = reverse("partnerships:dashboard_export", kwargs={"slug": "alpha"}) + "?format=pdf"
    assert client_a.get(url).status_code == 400


def test_export_reads_in_chunks_with_bounded_queries(
    data, affiliate_a, django_assert_max_num_queries, monkeypatch
):
    monkeypatch.setattr(exports, "EXPORT_CHUNK", 2)
    qs = reports.report_partnerships(reports.ReportFilters(), affiliate=affiliate_a)
    # ids, affiliates, rates (2); per chunk of 2: partnerships, partners, goals, outputs, money;
    # and once, which activities have outputs counted from the wikis (the events app).
    with django_assert_max_num_queries(5 + 2 * 5):
        rows = list(exports.export_rows(qs))
    assert len(rows) == 3


def test_in_kind_summary_by_type_and_partner_for_a_year(data, affiliate_a, client_a):
    summary = reports.in_kind_summary(affiliate_a, year=2026)
    assert summary.years == [2026, 2025]
    assert [(k, t.amount) for k, _label, t in summary.by_type] == [
        ("venue", Decimal("50.00")),
        ("catering", Decimal("0.00")),
    ]
    assert summary.total.unconverted == {"KES": Decimal("70")}
    all_years = reports.in_kind_summary(affiliate_a)
    assert all_years.total.amount == Decimal("250.00")
    assert [name for _pk, name, _t in all_years.by_partner][0] == "Uni"
    response = client_a.get(
        reverse("partnerships:in_kind", kwargs={"slug": "alpha"}) + "?year=2026"
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "In-kind support in 2026" in page
    assert 'id="chart-in-kind-type"' in page and 'id="chart-in-kind-partner"' in page
    assert "Beta" not in page


def test_in_kind_page_has_bounded_queries(data, client_a, django_assert_max_num_queries):
    with django_assert_max_num_queries(9):
        assert (
            client_a.get(reverse("partnerships:in_kind", kwargs={"slug": "alpha"})).status_code
            == 200
        )


@pytest.mark.parametrize("year", ["9999", "0000", "abcd", "-1", "\x00"])
def test_in_kind_page_ignores_absurd_years(data, client_a, year):
    url = reverse("partnerships:in_kind", kwargs={"slug": "alpha"})
    response = client_a.get(url, {"year": year})
    assert response.status_code == 200
    assert "In-kind support, all years" in response.content.decode()
