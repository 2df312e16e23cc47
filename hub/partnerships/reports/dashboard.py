"""The reports dashboard and the in-kind summary: aggregate reads only.

Every count is a grouped query in the database: no page walks all of an affiliate's
partnerships in Python, so the dashboard stays fast at 10,000 partnerships. "Partner type" and
"region" are those of a partnership's main partners (role "main"); a partnership with two main
partners of different types counts once under each.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from hub.core import audit
from hub.core.dbfunctions import DateYear
from hub.core.labels import choice_labels
from hub.core.models import Affiliate
from hub.core.params import text_param
from hub.core.regions import Region
from hub.partners.models import Organisation, PartnerType
from hub.partnerships.activities import money
from hub.partnerships.activities.outputs import OutputSummary, output_summary
from hub.partnerships.models import (
    CONTRIBUTION_FIELDS,
    GOAL_FIELDS,
    Activity,
    Contribution,
    ContributionType,
    Goal,
    Partnership,
    PartnershipPartner,
    Stage,
)

NONE_KEY = ""


def parse_year(text: str) -> int | None:
    """Return a plausible calendar year from text, or None (an absurd year filters nothing)."""
    return int(text) if text.isdigit() and 1900 <= int(text) <= 2100 else None


@dataclass(frozen=True)
class ReportFilters:
    """What a user asked of the dashboard (and so of the export); empty means "any"."""

    stage: str = ""
    partner_type: str = ""
    region: str = ""
    goal: str = ""
    contribution_type: str = ""
    year: int | None = None
    strategic: str = ""

    @classmethod
    def from_params(cls, params: Any) -> ReportFilters:
        """Return filters read from a query string, ignoring values that make no sense."""

        def choice(name: str, allowed: Sequence[str]) -> str:
            value = text_param(params, name, 30)
            return value if value in allowed else ""

        year = parse_year(text_param(params, "year", 4))
        return cls(
            stage=choice("stage", Stage.values),
            partner_type=choice("type", PartnerType.values),
            region=choice("region", Region.values),
            goal=choice("goal", Goal.values),
            contribution_type=choice("contribution", ContributionType.values),
            year=year,
            strategic=choice("strategic", ("yes", "no")),
        )

    @property
    def active(self) -> bool:
        return any(
            (
                self.stage,
                self.partner_type,
                self.region,
                self.goal,
                self.contribution_type,
                self.year,
                self.strategic,
            )
        )


def _main_partners(**conditions: Any) -> Exists:
    return Exists(
        PartnershipPartner.objects.filter(
            partnership=OuterRef("pk"), role=PartnershipPartner.Role.MAIN, **conditions
        )
    )


def report_partnerships(
    filters: ReportFilters, *, affiliate: Affiliate | None = None, published_only: bool = False
) -> QuerySet[Partnership]:
    """Return the live partnerships a report covers: one affiliate's, or all published ones."""
    qs = Partnership.objects.filter(archived_at=None)
    if affiliate is not None:
        qs = qs.filter(affiliate=affiliate)
    if published_only:
        qs = qs.filter(visibility=Partnership.Visibility.PUBLISHED)
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.partner_type:
        qs = qs.filter(_main_partners(organisation__partner_type=filters.partner_type))
    if filters.region:
        qs = qs.filter(_main_partners(organisation__region=filters.region))
    if filters.goal:
        qs = qs.filter(**{GOAL_FIELDS[Goal(filters.goal)]: True})
    if filters.contribution_type:
        qs = qs.filter(**{CONTRIBUTION_FIELDS[ContributionType(filters.contribution_type)]: True})
    if filters.year:
        qs = qs.filter(
            start_date__gte=dt.date(filters.year, 1, 1),
            start_date__lt=dt.date(filters.year + 1, 1, 1),
        )
    if filters.strategic:
        qs = qs.filter(is_strategic=filters.strategic == "yes")
    return qs


@dataclass(frozen=True)
class Bucket:
    """One line of a breakdown: a value, its label and how many partnerships have it."""

    key: str
    label: str
    count: int


@dataclass
class CurrencyMoney:
    """Financial and in-kind totals in one reporting currency, overall and per year."""

    currency: str
    financial: money.Total
    in_kind: money.Total
    by_year: list[money.YearMoney] = field(default_factory=list)

    @property
    def missing(self) -> list[money.MissingRate]:
        return sorted(
            self.financial.missing | self.in_kind.missing, key=lambda m: (m.currency, m.year)
        )

    @property
    def fallbacks(self) -> list[money.FallbackRate]:
        return sorted(
            self.financial.fallbacks | self.in_kind.fallbacks, key=lambda f: (f.currency, f.year)
        )


@dataclass
class Dashboard:
    """Everything the reports dashboard shows."""

    total: int
    strategic: int
    without_main_partner: int
    by_stage: list[Bucket]
    by_partner_type: list[Bucket]
    by_region: list[Bucket]
    by_goal: list[Bucket]
    by_contribution_type: list[Bucket]
    by_year: list[Bucket]
    money: list[CurrencyMoney]
    by_affiliate: list[Bucket] = field(default_factory=list)
    # The board's charts (SVG), drawn once by the caller's ``draw`` and kept with the counts.
    charts: dict[str, SafeString] | None = None


def _buckets(
    counts: dict[Any, int], labels: dict[Any, str], *, keep_order: bool, none_label: str = ""
) -> list[Bucket]:
    """Return buckets in the choices' order (or by count), with "none" last and zeros dropped."""
    keys = list(labels) if keep_order else sorted(labels, key=lambda k: (-counts.get(k, 0), k))
    rows = [Bucket(str(k), labels[k], counts[k]) for k in keys if counts.get(k)]
    extra = sum(n for k, n in counts.items() if k not in labels and k not in (None, ""))
    nothing = counts.get(None, 0) + counts.get("", 0)
    if extra:
        rows.append(Bucket("other", _("Other"), extra))
    if nothing and none_label:
        rows.append(Bucket(NONE_KEY, none_label, nothing))
    return rows


def _money(
    rows: Sequence[dict[str, Any]], tables: dict[int, money.RateTable]
) -> list[CurrencyMoney]:
    """Return totals per reporting currency of contribution sums (Counts.money_rows)."""
    only = next(iter(tables)) if len(tables) == 1 else None
    out: dict[str, CurrencyMoney] = {}
    years: dict[tuple[str, int], money.YearMoney] = {}
    for row in rows:
        table = tables[only if only is not None else row["partnership__affiliate_id"]]
        currency = table.reporting_currency
        entry = out.setdefault(
            currency, CurrencyMoney(currency, money.Total(currency), money.Total(currency))
        )
        year = years.setdefault(
            (currency, row["year"]),
            money.YearMoney(row["year"], money.Total(currency), money.Total(currency)),
        )
        is_financial = row["kind"] == Contribution.Kind.FINANCIAL
        for total in (
            entry.financial if is_financial else entry.in_kind,
            year.financial if is_financial else year.in_kind,
        ):
            total.add(row["total"], row["currency"], row["year"], table)
    for (currency, _year), year_money in sorted(years.items()):
        out[currency].by_year.append(year_money)
    return [out[c] for c in sorted(out)]


@dataclass
class Counts:
    """The numbers a dashboard shows, before labels, order and currency conversion."""

    total: int = 0
    strategic: int = 0
    with_main: int = 0
    stages: Counter[str] = field(default_factory=Counter)
    types: Counter[str] = field(default_factory=Counter)
    regions: Counter[str | None] = field(default_factory=Counter)
    goals: Counter[str] = field(default_factory=Counter)
    gives: Counter[str] = field(default_factory=Counter)
    years: Counter[int | None] = field(default_factory=Counter)
    # Contribution sums: rows of money.grouped_sums (currency, year, kind, total, n).
    money_rows: list[dict[str, Any]] = field(default_factory=list)


def assemble(
    counts: Counts, tables: dict[int, money.RateTable], by_affiliate: list[Bucket] | None = None
) -> Dashboard:
    """Return the dashboard of these counts: labelled, ordered buckets and converted money."""
    stages: dict[str, int] = {stage: counts.stages.get(stage, 0) for stage in Stage.values}
    # A stage outside the choices (none today) still counts, under "Other".
    stages["other"] = counts.total - sum(stages.values())
    years = dict(counts.years)
    year_labels = {y: str(y) for y in sorted((y for y in years if y is not None), reverse=True)}
    return Dashboard(
        total=counts.total,
        strategic=counts.strategic,
        without_main_partner=counts.total - counts.with_main,
        by_stage=_buckets(stages, choice_labels(Partnership, "stage"), keep_order=True),
        by_partner_type=_buckets(
            dict(counts.types), choice_labels(Organisation, "partner_type"), keep_order=False
        ),
        by_region=_buckets(
            dict(counts.regions),
            choice_labels(Organisation, "region"),
            keep_order=True,
            none_label=_("No region"),
        ),
        by_goal=[
            Bucket(str(goal), str(label), counts.goals.get(goal, 0)) for goal, label in Goal.choices
        ],
        by_contribution_type=[
            Bucket(str(kind), str(label), counts.gives.get(kind, 0))
            for kind, label in ContributionType.choices
        ],
        by_year=_buckets(years, year_labels, keep_order=True, none_label=_("No start date")),
        money=_money(counts.money_rows, tables),
        by_affiliate=by_affiliate or [],
    )


# The dashboard aggregates every partnership of the affiliate (the hub's: every published one),
# tens of milliseconds at 10,000 partnerships. It is kept, with its charts, in the shared cache
# under the newest audit event of the affiliate (the hub's: of any affiliate), which every
# change moves inside its transaction (hub.core.audit.latest_stamp): a cached board is never
# stale, and a change costs nothing more than its audit event (the admin site's edits are
# audited too, hub.core.admin). The timeout only bounds what a change written straight into
# the database, outside the Hub, leaves behind.
DASHBOARD_CACHE_SECONDS = 600


def dashboard(
    filters: ReportFilters,
    *,
    affiliate: Affiliate | None = None,
    published_only: bool = False,
    draw: Callable[[Dashboard], dict[str, SafeString]] | None = None,
) -> Dashboard:
    """Return the counts and totals of the reports dashboard: from the cache when nothing has
    changed since they were counted, else counted afresh (about ten grouped queries).

    ``draw``: makes the board's charts; they are cached with the board, so a board seen again
    is not drawn again.
    """
    key = audit.stamped_key(
        affiliate,
        "dashboard",
        str(int(published_only)),
        translation.get_language() or "",
        hashlib.sha256(repr(filters).encode()).hexdigest()[:24],
    )
    board: Dashboard | None = cache.get(key)
    changed = board is None
    if board is None:
        board = count_dashboard(filters, affiliate=affiliate, published_only=published_only)
    if draw is not None and board.charts is None:
        board.charts = draw(board)
        changed = True
    if changed:
        cache.set(key, board, DASHBOARD_CACHE_SECONDS)
    return board


# Outputs are counted by the wikis' counting (hub.events), which now records each finished count
# (events.counted), so the key's stamp moves with new figures too; the dashboard's outputs are
# still kept this long only, beside the board.
OUTPUTS_CACHE_SECONDS = 60


def dashboard_outputs(
    filters: ReportFilters, *, affiliate: Affiliate | None = None, published_only: bool = False
) -> OutputSummary:
    """Return the outputs of the activities of the partnerships the dashboard counts: the
    counted ones summed by source, the typed ones of the rest (a few aggregate queries,
    kept a minute)."""
    key = audit.stamped_key(
        affiliate,
        "dashboard-outputs",
        str(int(published_only)),
        translation.get_language() or "",
        hashlib.sha256(repr(filters).encode()).hexdigest()[:24],
    )
    summary: OutputSummary | None = cache.get(key)
    if summary is None:
        partnerships = report_partnerships(
            filters, affiliate=affiliate, published_only=published_only
        )
        summary = output_summary(
            Activity.objects.filter(partnership__in=partnerships.order_by().values("pk"))
        )
        cache.set(key, summary, OUTPUTS_CACHE_SECONDS)
    return summary


def count_dashboard(
    filters: ReportFilters, *, affiliate: Affiliate | None = None, published_only: bool = False
) -> Dashboard:
    """Count the reports dashboard from the database, in about ten grouped queries."""
    counts = count(filters, affiliate=affiliate, published_only=published_only)
    if affiliate is not None:
        return assemble(counts, {affiliate.pk: money.rate_table(affiliate)})
    plain = report_partnerships(filters, published_only=published_only).order_by()
    per_affiliate = list(
        plain.values_list("affiliate_id", "affiliate__name").annotate(n=Count("id"))
    )
    by_affiliate = sorted(
        (Bucket(str(a), name, n) for a, name, n in per_affiliate),
        key=lambda b: (-b.count, b.label),
    )
    return assemble(counts, money.rate_tables(a for a, _name, _n in per_affiliate), by_affiliate)


def count(
    filters: ReportFilters, *, affiliate: Affiliate | None = None, published_only: bool = False
) -> Counts:
    """Count what the dashboard shows, in three grouped queries (money per affiliate when
    the count spans several)."""
    qs = report_partnerships(filters, affiliate=affiliate, published_only=published_only)
    plain = qs.order_by()
    counts = Counts()
    # One pass over the partnerships: every count per start year, summed here across years.
    per_year = (
        plain.annotate(year=DateYear("start_date"))
        .values("year")
        .annotate(
            total=Count("id"),
            strategic=Count("id", filter=Q(is_strategic=True)),
            **{f"stage_{stage}": Count("id", filter=Q(stage=stage)) for stage in Stage.values},
            **{
                f"goal_{goal}": Count("id", filter=Q(**{col: True}))
                for goal, col in GOAL_FIELDS.items()
            },
            **{
                f"gives_{kind}": Count("id", filter=Q(**{col: True}))
                for kind, col in CONTRIBUTION_FIELDS.items()
            },
        )
        .order_by()
    )
    for row in per_year:
        counts.years[row["year"]] += row["total"]
        counts.total += row["total"]
        counts.strategic += row["strategic"]
        for stage in Stage.values:
            counts.stages[stage] += row[f"stage_{stage}"]
        for goal in GOAL_FIELDS:
            counts.goals[goal] += row[f"goal_{goal}"]
        for kind in CONTRIBUTION_FIELDS:
            counts.gives[kind] += row[f"gives_{kind}"]
    # The main partners' types and regions in one pass: a partnership counts once under each
    # type and region its main partners have, and those without a main partner are the rest.
    types_of: dict[str, set[int]] = {}
    regions_of: dict[str | None, set[int]] = {}
    with_main: set[int] = set()
    mains = (
        PartnershipPartner.objects.filter(
            role=PartnershipPartner.Role.MAIN, partnership__in=plain.values("pk")
        )
        .order_by()
        .values_list("partnership_id", "organisation__partner_type", "organisation__region")
        .distinct()
    )
    for partnership_id, partner_type, region in mains:
        with_main.add(partnership_id)
        types_of.setdefault(partner_type, set()).add(partnership_id)
        regions_of.setdefault(region, set()).add(partnership_id)
    counts.types.update({key: len(ids) for key, ids in types_of.items()})
    counts.regions.update({key: len(ids) for key, ids in regions_of.items()})
    counts.with_main = len(with_main)
    contributions = Contribution.objects.filter(partnership__in=plain.values("pk"))
    counts.money_rows = list(
        money.grouped_sums(contributions, "kind")
        if affiliate is not None
        else money.grouped_sums(contributions, "kind", "partnership__affiliate_id")
    )
    return counts


@dataclass
class InKindSummary:
    """In-kind contributions of one affiliate, by type and by partner, for a year or all."""

    currency: str
    year: int | None
    years: list[int]
    total: money.Total
    by_type: list[tuple[str, str, money.Total]]
    by_partner: list[tuple[int | None, str, money.Total]]


def in_kind_summary(affiliate: Affiliate, *, year: int | None = None) -> InKindSummary:
    """Return the affiliate's in-kind totals by type and partner, for a year or all (4 queries)."""
    base = Contribution.objects.filter(
        partnership__affiliate=affiliate,
        partnership__archived_at=None,
        kind=Contribution.Kind.IN_KIND,
    )
    years = sorted(
        {
            y
            for y in base.annotate(y=DateYear("received_on"))
            .values_list("y", flat=True)
            .distinct()
            .order_by()
            if y
        },
        reverse=True,
    )
    if year:
        base = base.filter(
            received_on__gte=dt.date(year, 1, 1), received_on__lt=dt.date(year + 1, 1, 1)
        )
    table = money.rate_table(affiliate)
    rows = list(money.grouped_sums(base, "in_kind_type", "organisation_id", "organisation__name"))
    total = money.Total(table.reporting_currency)
    for row in rows:
        total.add(row["total"], row["currency"], row["year"], table)
    type_labels = choice_labels(Contribution, "in_kind_type")
    types = money.totals_by(rows, table, lambda r: r["in_kind_type"])
    by_type = sorted(
        ((key, type_labels.get(key, key) or _("Not said"), t) for key, t in types.items()),
        key=lambda item: (-item[2].exact, item[1]),
    )
    partners = money.totals_by(rows, table, lambda r: r["organisation_id"])
    names = {r["organisation_id"]: r["organisation__name"] or _("No partner") for r in rows}
    by_partner = sorted(
        ((org_id, names[org_id], t) for org_id, t in partners.items()),
        key=lambda item: (-item[2].exact, item[1].casefold()),
    )
    return InKindSummary(
        currency=table.reporting_currency,
        year=year,
        years=years,
        total=total,
        by_type=by_type,
        by_partner=by_partner,
    )
