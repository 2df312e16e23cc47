"""Currency conversion and totals: several currencies, missing rates, year fallback, rounding."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from hub.core.currencies import is_currency, validate_currency
from hub.core.models import AuditEvent
from hub.partnerships.activities import money
from hub.partnerships.activities import services as activities
from hub.partnerships.models import Contribution, ExchangeRate
from tests import factories

pytestmark = pytest.mark.django_db


def _give(p, org, amount, currency, day, kind="financial", in_kind_type=""):
    return activities.add_contribution(
        actor=None,
        partnership=p,
        organisation=org,
        kind=kind,
        in_kind_type=in_kind_type,
        received_on=day,
        amount=Decimal(amount),
        currency=currency,
    )


def _rate(aff, currency, year, rate):
    return activities.set_exchange_rate(
        actor=None, affiliate=aff, currency=currency, year=year, rate=Decimal(rate)
    )


@pytest.fixture
def setup(affiliate_a, member_a):
    museum = factories.organisation(affiliate_a, name="Museum")
    archive = factories.organisation(affiliate_a, name="Archive")
    p = factories.partnership(affiliate_a, partners=[(museum, "main"), (archive, "funder")])
    return p, museum, archive


def test_currency_codes_are_checked_against_iso_4217():
    assert is_currency("eur") and is_currency(" SEK ")
    assert not is_currency("EURO") and not is_currency("XYZ") and not is_currency("")
    with pytest.raises(ValidationError, match="not a currency code we know"):
        validate_currency("ABC")


def test_rate_table_uses_that_years_rate_else_the_nearest_earlier_one():
    table = money.RateTable("EUR", {"USD": [(2024, Decimal("0.9")), (2026, Decimal("0.8"))]})
    assert table.convert(Decimal(10), "USD", 2024) == money.Conversion(
        Decimal("9.0"), Decimal("0.9"), 2024, False
    )
    later = table.convert(Decimal(10), "USD", 2025)
    assert later.value == Decimal("9.0") and later.fallback and later.rate_year == 2024
    assert table.convert(Decimal(10), "USD", 2030).rate_year == 2026
    assert table.convert(Decimal(10), "USD", 2023).value is None  # no earlier rate
    assert table.convert(Decimal(10), "SEK", 2026).value is None
    assert table.convert(Decimal(10), "EUR", 1999).value == Decimal(10)


def test_totals_in_several_currencies_keep_unconverted_amounts_apart(setup, affiliate_a):
    p, museum, archive = setup
    _rate(affiliate_a, "SEK", 2026, "0.087")
    _give(p, museum, "1000", "EUR", dt.date(2026, 3, 1))
    _give(p, museum, "10000", "SEK", dt.date(2026, 4, 1))
    _give(p, archive, "500", "NGN", dt.date(2026, 5, 1))
    _give(p, archive, "200", "EUR", dt.date(2026, 6, 1), "in_kind", "venue")
    summary = money.partnership_money(p)
    assert summary.currency == "EUR"
    assert summary.financial.amount == Decimal("1870.00")
    assert summary.financial.unconverted == {"NGN": Decimal("500")}
    assert not summary.financial.complete
    assert summary.missing == [money.MissingRate("NGN", 2026)]
    assert summary.in_kind.amount == Decimal("200.00") and summary.in_kind.complete
    partners = {m.name: m for m in summary.by_partner}
    assert partners["Museum"].financial.amount == Decimal("1870.00")
    assert partners["Archive"].financial.amount == Decimal("0.00")
    assert partners["Archive"].financial.unconverted == {"NGN": Decimal("500")}
    assert partners["Archive"].in_kind.amount == Decimal("200.00")
    assert summary.count == 4


def test_totals_per_year_use_each_years_rate_and_say_when_they_fall_back(setup, affiliate_a):
    p, museum, _archive = setup
    _rate(affiliate_a, "USD", 2024, "0.90")
    _rate(affiliate_a, "USD", 2025, "0.95")
    _give(p, museum, "100", "USD", dt.date(2024, 12, 31))
    _give(p, museum, "100", "USD", dt.date(2025, 1, 1))
    _give(p, museum, "100", "USD", dt.date(2026, 7, 1))
    summary = money.partnership_money(p)
    years = {y.year: y.financial.amount for y in summary.by_year}
    assert years == {2024: Decimal("90.00"), 2025: Decimal("95.00"), 2026: Decimal("95.00")}
    assert summary.financial.amount == Decimal("280.00")
    assert summary.fallbacks == [money.FallbackRate("USD", 2026, 2025)]


def test_totals_round_once_at_the_end_with_decimal(setup, affiliate_a):
    p, museum, _archive = setup
    _rate(affiliate_a, "USD", 2026, "0.333333")
    for _ in range(3):
        _give(p, museum, "0.05", "USD", dt.date(2026, 1, 1))
    total = money.partnership_money(p).financial
    # 0.15 × 0.333333 = 0.04999995: rounded once (0.05), not three times 0.0166… → 0.02 each.
    assert total.exact == Decimal("0.04999995")
    assert total.amount == Decimal("0.05")
    assert money.round_money(Decimal("2.675")) == Decimal("2.68")


def test_partnership_money_takes_two_queries(setup, affiliate_a, django_assert_max_num_queries):
    p, museum, archive = setup
    for year in range(2020, 2026):
        _rate(affiliate_a, "USD", year, "0.9")
        _give(p, museum, "10", "USD", dt.date(year, 1, 1))
        _give(p, archive, "10", "GBP", dt.date(year, 1, 1), "in_kind", "catering")
    with django_assert_max_num_queries(2):
        summary = money.partnership_money(p)
    assert summary.count == 12


def test_set_exchange_rate_creates_then_updates_and_is_audited(affiliate_a, member_a):
    rate = activities.set_exchange_rate(
        actor=member_a, affiliate=affiliate_a, currency="usd", year=2026, rate=Decimal("0.92")
    )
    assert rate.currency == "USD"
    again = activities.set_exchange_rate(
        actor=member_a, affiliate=affiliate_a, currency="USD", year=2026, rate=Decimal("0.93")
    )
    assert again.pk == rate.pk and again.rate == Decimal("0.93")
    assert ExchangeRate.objects.count() == 1
    assert AuditEvent.objects.filter(action="exchange_rate.set").count() == 2


@pytest.mark.parametrize(
    ("currency", "year", "rate", "field"),
    [
        ("XYZ", 2026, "1", "currency"),
        ("EUR", 2026, "1", "currency"),  # the reporting currency itself
        ("USD", 1800, "1", "year"),
        ("USD", 2026, "0", "rate"),
        ("USD", 2026, "-1", "rate"),
        ("USD", 2026, "1e12", "rate"),
        ("USD", 2026, "0.123456789", "rate"),
    ],
)
def test_set_exchange_rate_refuses_bad_input(affiliate_a, currency, year, rate, field):
    with pytest.raises(ValidationError) as caught:
        activities.set_exchange_rate(
            actor=None, affiliate=affiliate_a, currency=currency, year=year, rate=Decimal(rate)
        )
    assert field in caught.value.message_dict
    assert not ExchangeRate.objects.exists()


def test_changing_the_reporting_currency_needs_the_old_rates_cleared(affiliate_a, member_a):
    _rate(affiliate_a, "USD", 2026, "0.9")
    with pytest.raises(ValidationError) as caught:
        activities.set_reporting_currency(actor=member_a, affiliate=affiliate_a, currency="SEK")
    assert "clear_rates" in caught.value.message_dict
    affiliate_a.refresh_from_db()
    assert affiliate_a.reporting_currency == "EUR" and ExchangeRate.objects.count() == 1
    activities.set_reporting_currency(
        actor=member_a, affiliate=affiliate_a, currency="sek", clear_rates=True
    )
    affiliate_a.refresh_from_db()
    assert affiliate_a.reporting_currency == "SEK" and not ExchangeRate.objects.exists()
    assert AuditEvent.objects.filter(action="affiliate.reporting_currency_changed").exists()
    with pytest.raises(ValidationError):
        activities.set_reporting_currency(actor=member_a, affiliate=affiliate_a, currency="SEKK")


def test_rates_page_lists_missing_rates_with_links_to_add_them(setup, affiliate_a, client_a):
    p, museum, _archive = setup
    _give(p, museum, "500", "NGN", dt.date(2025, 5, 1))
    response = client_a.get(reverse("partnerships:rates", kwargs={"slug": "alpha"}))
    assert response.status_code == 200
    assert b"?currency=NGN&amp;year=2025" in response.content


def test_member_adds_a_rate_through_the_page_and_bad_input_gets_a_clear_message(
    affiliate_a, client_a
):
    url = reverse("partnerships:rates", kwargs={"slug": "alpha"})
    response = client_a.post(url, {"currency": "ngn", "year": "2025", "rate": "0.0006"})
    assert response.status_code == 302
    assert ExchangeRate.objects.get().currency == "NGN"
    response = client_a.post(url, {"currency": "NAIRA", "year": "2025", "rate": "-2"})
    assert response.status_code == 200
    assert "not a currency code we know" in response.content.decode()
    assert ExchangeRate.objects.count() == 1


def test_viewer_reads_rates_but_cannot_change_them(affiliate_a, viewer_a):
    from django.test import Client

    client = Client()
    client.force_login(viewer_a)
    url = reverse("partnerships:rates", kwargs={"slug": "alpha"})
    assert client.get(url).status_code == 200
    assert b"Save rate" not in client.get(url).content
    assert client.post(url, {"currency": "USD", "year": "2025", "rate": "1"}).status_code == 403
    assert not ExchangeRate.objects.exists()


def test_only_managers_change_the_reporting_currency(affiliate_a, client_a):
    url = reverse("partnerships:reporting_currency", kwargs={"slug": "alpha"})
    assert client_a.post(url, {"currency": "SEK"}).status_code == 403
    manager = factories.member(affiliate_a, username="maria", role="manager")
    from django.test import Client

    client = Client()
    client.force_login(manager)
    response = client.post(url, {"currency": "SEK"})
    assert response.status_code == 302
    affiliate_a.refresh_from_db()
    assert affiliate_a.reporting_currency == "SEK"


def test_contribution_amounts_are_kept_as_decimal(setup):
    p, museum, _archive = setup
    c = _give(p, museum, "0.10", "EUR", dt.date(2026, 1, 1))
    c.refresh_from_db()
    assert isinstance(c.amount, Decimal) and c.amount == Decimal("0.10")
    assert Contribution.objects.get().amount + Decimal("0.20") == Decimal("0.30")
