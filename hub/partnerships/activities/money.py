"""Convert contributions into an affiliate's reporting currency and total them, openly.

Totals are built from grouped sums (one row per currency and year, and per whatever the total
is broken down by), never by walking every contribution. A sum whose currency has no rate for
its year takes the nearest earlier year's rate, and says so; with no earlier rate it is kept
apart as "not converted", never dropped and never added in the wrong currency.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

from django.db.models import Count, QuerySet, Sum

from hub.core.dbfunctions import DateYear
from hub.core.models import Affiliate
from hub.partnerships.models import Contribution, ExchangeRate, Partnership

CENT = Decimal("0.01")
K = TypeVar("K", bound=Hashable)


def round_money(amount: Decimal) -> Decimal:
    """Return an amount rounded to cents, halves away from zero (as accountants round)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Conversion:
    """One amount in the reporting currency, or why it could not be converted."""

    value: Decimal | None
    rate: Decimal | None = None
    rate_year: int | None = None
    fallback: bool = False

    @property
    def converted(self) -> bool:
        return self.value is not None


@dataclass
class RateTable:
    """An affiliate's exchange rates into its reporting currency, by currency and year."""

    reporting_currency: str
    rates: dict[str, list[tuple[int, Decimal]]] = field(default_factory=dict)

    def lookup(self, currency: str, year: int) -> tuple[Decimal, int] | None:
        """Return (rate, year of the rate): that year's, else the nearest earlier year's."""
        if currency == self.reporting_currency:
            return Decimal(1), year
        entries = self.rates.get(currency)
        if not entries:
            return None
        index = bisect.bisect_right([y for y, _rate in entries], year)
        if index == 0:
            return None
        rate_year, rate = entries[index - 1]
        return rate, rate_year

    def convert(self, amount: Decimal, currency: str, year: int) -> Conversion:
        """Return amount (in currency, received in year) in the reporting currency."""
        found = self.lookup(currency, year)
        if found is None:
            return Conversion(value=None)
        rate, rate_year = found
        return Conversion(
            value=amount * rate, rate=rate, rate_year=rate_year, fallback=rate_year != year
        )


def _table(reporting_currency: str, rows: Iterable[tuple[str, int, Decimal]]) -> RateTable:
    rates: dict[str, list[tuple[int, Decimal]]] = defaultdict(list)
    for currency, year, rate in rows:
        rates[currency].append((year, rate))
    for entries in rates.values():
        entries.sort()
    return RateTable(reporting_currency=reporting_currency, rates=dict(rates))


def rate_table(affiliate: Affiliate) -> RateTable:
    """Return the affiliate's rates, in one query."""
    rows = ExchangeRate.objects.filter(affiliate=affiliate).values_list("currency", "year", "rate")
    return _table(affiliate.reporting_currency, rows)


def rate_tables(affiliate_ids: Iterable[int]) -> dict[int, RateTable]:
    """Return the rates of several affiliates, keyed by affiliate id, in two queries."""
    ids = set(affiliate_ids)
    currencies = dict(Affiliate.objects.filter(pk__in=ids).values_list("pk", "reporting_currency"))
    grouped: dict[int, list[tuple[str, int, Decimal]]] = defaultdict(list)
    for affiliate_id, currency, year, rate in ExchangeRate.objects.filter(
        affiliate_id__in=ids
    ).values_list("affiliate_id", "currency", "year", "rate"):
        grouped[affiliate_id].append((currency, year, rate))
    return {pk: _table(currency, grouped.get(pk, [])) for pk, currency in currencies.items()}


@dataclass(frozen=True)
class MissingRate:
    """A currency and year for which no rate (this year's or an earlier one) exists."""

    currency: str
    year: int


@dataclass(frozen=True)
class FallbackRate:
    """A currency and year converted with an earlier year's rate."""

    currency: str
    year: int
    rate_year: int


@dataclass
class Total:
    """A sum in the reporting currency, with what could not be converted kept apart."""

    currency: str
    exact: Decimal = Decimal(0)
    unconverted: dict[str, Decimal] = field(default_factory=dict)
    missing: set[MissingRate] = field(default_factory=set)
    fallbacks: set[FallbackRate] = field(default_factory=set)

    def add(self, amount: Decimal, currency: str, year: int, rates: RateTable) -> None:
        """Add an amount received in a currency and year, converting it if a rate allows."""
        conversion = rates.convert(amount, currency, year)
        if conversion.value is None:
            self.unconverted[currency] = self.unconverted.get(currency, Decimal(0)) + amount
            self.missing.add(MissingRate(currency, year))
            return
        self.exact += conversion.value
        if conversion.fallback and conversion.rate_year is not None:
            self.fallbacks.add(FallbackRate(currency, year, conversion.rate_year))

    def merge(self, other: Total) -> None:
        """Add another total in the same reporting currency to this one."""
        self.exact += other.exact
        for currency, amount in other.unconverted.items():
            self.unconverted[currency] = self.unconverted.get(currency, Decimal(0)) + amount
        self.missing |= other.missing
        self.fallbacks |= other.fallbacks

    @property
    def amount(self) -> Decimal:
        """Return the converted sum rounded to cents (rounded once, at the end)."""
        return round_money(self.exact)

    @property
    def complete(self) -> bool:
        return not self.unconverted

    @property
    def unconverted_list(self) -> list[tuple[str, Decimal]]:
        return sorted(self.unconverted.items())

    @property
    def missing_list(self) -> list[MissingRate]:
        return sorted(self.missing, key=lambda m: (m.currency, m.year))

    @property
    def fallback_list(self) -> list[FallbackRate]:
        return sorted(self.fallbacks, key=lambda f: (f.currency, f.year))

    @property
    def is_zero(self) -> bool:
        return not self.exact and not self.unconverted


def totals_by(
    groups: Iterable[Mapping[str, Any]], rates: RateTable, key: Callable[[Mapping[str, Any]], K]
) -> dict[K, Total]:
    """Return a Total per key from grouped sums (rows with currency, year and total)."""
    totals: dict[K, Total] = {}
    for row in groups:
        k = key(row)
        if k not in totals:
            totals[k] = Total(rates.reporting_currency)
        totals[k].add(row["total"], row["currency"], row["year"], rates)
    return totals


def grouped_sums(contributions: QuerySet[Contribution], *fields: str) -> QuerySet[Any]:
    """Return sums (and counts) of contributions grouped by currency, year and the given fields."""
    return (
        contributions.order_by()
        .annotate(year=DateYear("received_on"))
        .values("currency", "year", *fields)
        .annotate(total=Sum("amount"), n=Count("id"))
        .order_by()
    )


@dataclass
class PartnerMoney:
    """What one partner gave a partnership, in the reporting currency."""

    organisation_id: int | None
    name: str
    financial: Total
    in_kind: Total


@dataclass
class YearMoney:
    """What a partnership received in one year, in the reporting currency."""

    year: int
    financial: Total
    in_kind: Total


@dataclass
class MoneySummary:
    """A partnership's contributions in the reporting currency: all, per partner, per year."""

    currency: str
    financial: Total
    in_kind: Total
    by_partner: list[PartnerMoney]
    by_year: list[YearMoney]
    count: int

    @property
    def missing(self) -> list[MissingRate]:
        return sorted(
            self.financial.missing | self.in_kind.missing, key=lambda m: (m.currency, m.year)
        )

    @property
    def fallbacks(self) -> list[FallbackRate]:
        return sorted(
            self.financial.fallbacks | self.in_kind.fallbacks, key=lambda f: (f.currency, f.year)
        )


def _grouped_here(contributions: Iterable[Contribution]) -> list[dict[str, Any]]:
    """Return the rows grouped_sums(…, "kind", "organisation_id", "organisation__name") would,
    from contributions already loaded (with their organisations)."""
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for c in contributions:
        key = (c.currency, c.received_on.year, c.kind, c.organisation_id)
        row = groups.get(key)
        if row is None:
            row = groups[key] = {
                "currency": c.currency,
                "year": c.received_on.year,
                "kind": c.kind,
                "organisation_id": c.organisation_id,
                "organisation__name": c.organisation.name if c.organisation else None,
                "total": Decimal(0),
                "n": 0,
            }
        row["total"] += c.amount
        row["n"] += 1
    return list(groups.values())


def partnership_money(
    partnership: Partnership,
    rates: RateTable | None = None,
    *,
    contributions: Iterable[Contribution] | None = None,
) -> MoneySummary:
    """Return a partnership's contribution totals per kind, partner and year (two queries; one
    when the caller passes every contribution of the partnership, already loaded; none more
    for the rates when every amount is in the reporting currency)."""
    if contributions is not None:
        rows = _grouped_here(contributions)
    else:
        rows = list(
            grouped_sums(
                Contribution.objects.filter(partnership=partnership),
                "kind",
                "organisation_id",
                "organisation__name",
            )
        )
    if rates is None:
        reporting = partnership.affiliate.reporting_currency
        foreign = any(r["currency"] != reporting for r in rows)
        rates = rate_table(partnership.affiliate) if foreign else _table(reporting, [])
    currency = rates.reporting_currency

    def empty() -> Total:
        return Total(currency)

    by_kind = totals_by(rows, rates, lambda r: r["kind"])
    partner_totals = totals_by(rows, rates, lambda r: (r["organisation_id"], r["kind"]))
    names = {r["organisation_id"]: r["organisation__name"] or "" for r in rows}
    by_partner = [
        PartnerMoney(
            organisation_id=org_id,
            name=name,
            financial=partner_totals.get((org_id, Contribution.Kind.FINANCIAL), empty()),
            in_kind=partner_totals.get((org_id, Contribution.Kind.IN_KIND), empty()),
        )
        for org_id, name in sorted(names.items(), key=lambda item: item[1].casefold())
    ]
    year_totals = totals_by(rows, rates, lambda r: (r["year"], r["kind"]))
    by_year = [
        YearMoney(
            year=year,
            financial=year_totals.get((year, Contribution.Kind.FINANCIAL), empty()),
            in_kind=year_totals.get((year, Contribution.Kind.IN_KIND), empty()),
        )
        for year in sorted({r["year"] for r in rows})
    ]
    return MoneySummary(
        currency=currency,
        financial=by_kind.get(Contribution.Kind.FINANCIAL, empty()),
        in_kind=by_kind.get(Contribution.Kind.IN_KIND, empty()),
        by_partner=by_partner,
        by_year=by_year,
        count=sum(r["n"] for r in rows),
    )
