"""The grant-report export: one row per partnership, read a chunk of partnerships at a time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Count, Prefetch, QuerySet, Sum
from django.utils.translation import gettext as _

from hub.core.exports import CellValue
from hub.core.labels import choice_labels, country_name
from hub.partners.models import Organisation
from hub.partnerships import selectors
from hub.partnerships.activities import money
from hub.partnerships.activities.services import OUTPUT_FIELDS
from hub.partnerships.models import (
    Activity,
    AffiliateGoal,
    Contribution,
    ContributionType,
    Goal,
    Partnership,
    PartnershipPartner,
)

EXPORT_CHUNK = 500


def export_headers(*, hub: bool = False) -> list[str]:
    """Return the column titles of the grant-report export, in the user's language."""
    headers = [
        _("Title"),
        _("Summary"),
        _("Partners and roles"),
        _("Partner types"),
        _("Countries"),
        _("Regions"),
        _("Stage"),
        _("Start date"),
        _("End date"),
        _("Goals"),
        _("Main goals served"),
        _("Contribution types"),
        _("Strategic or collaboration"),
        _("Number of activities"),
        _("Articles created"),
        _("Articles improved"),
        _("Files uploaded"),
        _("Wikidata items created"),
        _("Wikidata items edited"),
        _("People trained"),
        _("Participants"),
        _("Reporting currency"),
        _("Financial total"),
        _("In-kind total"),
        _("Not converted (no exchange rate)"),
        _("Outcome clarity"),
        _("Expected outcomes"),
        _("Languages"),
    ]
    return [_("Affiliate"), *headers] if hub else headers


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _not_converted(*totals: money.Total) -> str:
    amounts: dict[str, Any] = {}
    for total in totals:
        for currency, amount in total.unconverted.items():
            amounts[currency] = amounts.get(currency, 0) + amount
    return "; ".join(f"{money.round_money(a)} {c}" for c, a in sorted(amounts.items()))


def export_rows(
    partnerships: QuerySet[Partnership], *, hub: bool = False
) -> Iterator[list[CellValue]]:
    """Yield one grant-report row per partnership, reading EXPORT_CHUNK partnerships at a time."""
    order = ("affiliate__name", "title", "id") if hub else ("title", "id")
    ids = list(partnerships.order_by(*order).values_list("pk", flat=True))
    affiliate_ids = set(partnerships.order_by().values_list("affiliate_id", flat=True).distinct())
    tables = money.rate_tables(affiliate_ids)
    stage_labels = choice_labels(Partnership, "stage")
    clarity_labels = choice_labels(Partnership, "outcome_clarity")
    role_labels = choice_labels(PartnershipPartner, "role")
    type_labels = choice_labels(Organisation, "partner_type")
    region_labels = choice_labels(Organisation, "region")
    goal_labels = dict(Goal.choices)
    kind_labels = dict(ContributionType.choices)
    strategic, collaboration = _("Strategic"), _("Collaboration")
    for chunk in _chunks(ids, EXPORT_CHUNK):
        rows = {
            p.pk: p
            for p in Partnership.objects.filter(pk__in=chunk)
            .select_related("affiliate")
            .prefetch_related(
                Prefetch(
                    "partners",
                    queryset=selectors.partner_rows(),
                    to_attr="partner_list",
                ),
                Prefetch(
                    "main_goals",
                    queryset=AffiliateGoal.objects.only("id", "name"),
                    to_attr="main_goal_list",
                ),
            )
        }
        outputs = {
            row["partnership_id"]: row
            for row in Activity.objects.filter(partnership_id__in=chunk)
            .order_by()
            .values("partnership_id")
            .annotate(
                n=Count("id"),
                participants_sum=Sum("participants"),
                **{f"{name}_sum": Sum(name) for name in OUTPUT_FIELDS},
            )
        }
        sums: dict[tuple[int, str], money.Total] = {}
        for group in money.grouped_sums(
            Contribution.objects.filter(partnership_id__in=chunk), "partnership_id", "kind"
        ):
            pid = group["partnership_id"]
            table = tables[rows[pid].affiliate_id]
            total = sums.setdefault((pid, group["kind"]), money.Total(table.reporting_currency))
            total.add(group["total"], group["currency"], group["year"], table)
        for pid in chunk:
            p = rows[pid]
            partners = p.partner_list  # type: ignore[attr-defined]
            orgs = [pp.organisation for pp in partners]
            out = outputs.get(pid, {})
            currency = tables[p.affiliate_id].reporting_currency
            financial = sums.get((pid, Contribution.Kind.FINANCIAL), money.Total(currency))
            in_kind = sums.get((pid, Contribution.Kind.IN_KIND), money.Total(currency))
            row: list[CellValue] = [
                p.title,
                p.summary,
                "; ".join(
                    f"{pp.organisation.name} ({role_labels.get(pp.role, pp.role)})"
                    for pp in partners
                ),
                "; ".join(
                    dict.fromkeys(type_labels.get(o.partner_type, o.partner_type) for o in orgs)
                ),
                "; ".join(dict.fromkeys(country_name(o.country) for o in orgs if o.country)),
                "; ".join(
                    dict.fromkeys(region_labels.get(o.region, o.region) for o in orgs if o.region)
                ),
                stage_labels.get(p.stage, p.stage),
                p.start_date,
                p.end_date,
                "; ".join(str(goal_labels[g]) for g in p.goals),
                "; ".join(g.name for g in p.main_goal_list),  # type: ignore[attr-defined]
                "; ".join(str(kind_labels[k]) for k in p.contribution_types),
                strategic if p.is_strategic else collaboration,
                out.get("n", 0),
                *(out.get(f"{name}_sum") or 0 for name in OUTPUT_FIELDS),
                out.get("participants_sum") or 0,
                currency,
                financial.amount,
                in_kind.amount,
                _not_converted(financial, in_kind),
                clarity_labels.get(p.outcome_clarity, p.outcome_clarity),
                p.expected_outcomes,
                p.languages,
            ]
            yield [p.affiliate.name, *row] if hub else row
